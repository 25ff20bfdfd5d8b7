// Invalid percent-encodings in a password: libpq's error text quotes the raw token, the
// macro's message shows the mask in its place (rustc still echoes the source line itself).
use neon_lint_macros::neon_url;

fn main() {
    let _ = neon_url!("postgresql://alex:Sup3rSecretPw%zz@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require");
    let _ = neon_url!("postgresql://ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require&password=Sup3rSecretPw%2");
    let _ = neon_url!("postgresql://alex:Sup3rSecretPw@[::1/neondb");
}
