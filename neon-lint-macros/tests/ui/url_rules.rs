// One call per error-level URL rule (and per kind of `invalid-conninfo`): each is a compile
// error on the literal, naming the parameter at fault and the fix, with a caret in the text.
use neon_lint_macros::neon_url;

fn main() {
    // NL001 missing-sslmode
    let _ = neon_url!("postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb");
    // NL002 insecure-sslmode
    let _ = neon_url!("postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=prefer");
    // NL004 invalid-conninfo: unknown keyword
    let _ = neon_url!("postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmdoe=require");
    // NL004 invalid-conninfo: unknown sslmode value
    let _ = neon_url!("postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=requires");
    // NL004 invalid-conninfo: the same parameter twice with different values
    let _ = neon_url!("postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require&application_name=a&application_name=b");
    // NL004 invalid-conninfo: syntax (unterminated quote), in a raw string
    let _ = neon_url!(r"host=ep-cool-rain-123456.us-east-2.aws.neon.tech sslmode=require application_name='x");
    // NL005 missing-sni
    let _ = neon_url!("host=10.0.0.5 user=neondb_owner dbname=neondb sslmode=require");
    // NL006 endpoint-mismatch
    let _ = neon_url!("postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require&options=endpoint%3Dep-other-1");
    // NL009 startup-options-on-pooler
    let _ = neon_url!("postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require&options=-c%20search_path%3Dapp");
    // An escaped literal: the caret is drawn under the text as written.
    let _ = neon_url!("postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?\x73slmode=disable");
    // A password beside an error: shown as ****, here and in the warning.
    let _ = neon_url!("postgresql://alex:Sup3rSecretPw@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=disable");
    // concat!: the error lands on the piece that holds the fault.
    let _ = neon_url!(concat!(
        "postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb",
        "?sslmode=allow",
    ));
}
