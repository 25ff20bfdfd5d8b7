//! `neon_url!`: what it expands to, checked at run time. Its compile-time reports are the
//! trybuild cases in `neon-lint-macros/tests/ui/`.

use neon_lint_macros::neon_url;

#[test]
fn expands_to_the_same_static_str() {
    const URL: &str = neon_url!(
        "postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require"
    );
    let s: &'static str = URL;
    assert_eq!(
        s,
        "postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require"
    );
    assert_eq!(
        neon_url!(r#"host=ep-cool-rain-123456.us-east-2.aws.neon.tech application_name="a\b" sslmode=require"#),
        "host=ep-cool-rain-123456.us-east-2.aws.neon.tech application_name=\"a\\b\" sslmode=require"
    );
    assert_eq!(
        neon_url!(concat!("postgres://localhost:", 5432, "/app")),
        "postgres://localhost:5432/app"
    );
    assert_eq!(
        neon_url!(
            direct,
            "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require"
        ),
        "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require"
    );
}

#[test]
#[allow(deprecated)] // the documented way to accept a warn-level finding
fn warnings_can_be_allowed() {
    let url = neon_url!(
        "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech:6432/neondb?sslmode=require"
    );
    assert!(url.contains(":6432/"));
}
