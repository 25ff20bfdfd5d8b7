// What `neon_url!` cannot check, and says so.
use neon_lint_macros::neon_url;

const PORT: &str = "5432";

fn main() {
    let url = "postgres://localhost/app";
    // A variable: a procedural macro sees tokens, not values.
    let _ = neon_url!(url);
    // Another macro's expansion is invisible (concat! of literals is the exception).
    let _ = neon_url!(env!("DATABASE_URL"));
    let _ = neon_url!(concat!("postgres://localhost:", PORT, "/app"));
    // Byte strings and other literals.
    let _ = neon_url!(b"postgres://localhost/app");
    let _ = neon_url!(5432);
    // Forms.
    let _ = neon_url!(migrations, "postgres://localhost/app");
    let _ = neon_url!(direct "postgres://localhost/app");
    // Nothing, or too much.
    let _ = neon_url!();
    let _ = neon_url!("postgres://localhost/app", "postgres://localhost/other");
    let _ = neon_url!(&url);
}
