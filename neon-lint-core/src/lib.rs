//! The core of neon-lint: the libpq-exact connection-string model, Neon host classification,
//! and the rules that judge one connection string. No dependencies, so that the
//! `neon_url!` macro and applications checking `DATABASE_URL` at start-up pay almost nothing.

pub mod conninfo;
pub mod neon;
pub mod reader;
pub mod redact;
pub mod render;
pub mod rule;
pub mod rules;
pub mod url;

pub use reader::Reader;
pub use rule::{Level, RuleMeta, UrlFinding};
pub use url::{Placement, Role, UrlContext, UrlInput};

/// Checks one connection string with every URL rule, as the CLI's `neon-lint url` does.
///
/// ```
/// let findings = neon_lint_core::check_url(
///     "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb",
/// );
/// assert_eq!(findings[0].rule.name, "missing-sslmode");
/// ```
pub fn check_url(text: &str) -> Vec<UrlFinding> {
    let ctx = UrlContext {
        placement: Placement::Standalone,
        ..UrlContext::default()
    };
    check_url_with(text, &ctx)
}

/// Checks one connection string in a known context (role, placement, host overrides).
pub fn check_url_with(text: &str, ctx: &UrlContext) -> Vec<UrlFinding> {
    let input = UrlInput::new(text, ctx);
    rules::check_all(&input)
}
