// Warn-level findings compile, with a warning (a deprecated item's note). The deliberate
// error at the end makes the case fail so that trybuild records the warnings.
use neon_lint_macros::neon_url;

fn main() {
    // NL007 wrong-port
    let _ = neon_url!("postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech:6432/neondb?sslmode=require");
    // NL008 deprecated-region
    let _ = neon_url!("postgresql://alex@ep-cool-rain-123456.eastus2.azure.neon.tech/neondb?sslmode=require");
    // NL060 hardcoded-credentials: an error in the CLI, a warning here; never echoed.
    let _ = neon_url!("postgresql://alex:Sup3rSecretPw@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require");
    // NL063 placeholder-credentials
    let _ = neon_url!("postgresql://alex@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=require");
    compile_error!("trybuild needs this case to fail so that the warnings above are recorded");
}
