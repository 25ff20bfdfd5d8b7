//! neon-lint: find the Neon connection mistakes visible in a source tree.
//!
//! The pipeline: [`discover`] walks the tree, [`prefilter`] rejects files that cannot
//! matter, [`extract`] turns each candidate into sites, [`resolve`] joins them project-wide,
//! [`rules`] judge them, and [`report`] prints diagnostics. [`lint::lint`] runs it all.
//!
//! The connection-string model and the URL rules live in `neon-lint-core` (re-exported
//! here), so applications can check a `DATABASE_URL` at start-up without the CLI:
//!
//! ```
//! let findings = neon_lint::check_url("postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb");
//! assert!(findings.iter().any(|f| f.rule.name == "missing-sslmode"));
//! ```

pub use neon_lint_core::{
    check_url, check_url_with, conninfo, neon, redact, render, rule, Level, Placement, Role,
    UrlContext,
};

pub mod baseline;
pub mod classify;
pub mod cli;
pub mod config;
pub mod configparser;
pub mod context;
pub mod diagnostic;
pub mod discover;
pub(crate) mod drivers;
pub mod extract;
pub mod fix;
pub mod fsread;
pub mod git;
pub mod ignore_rules;
pub mod lint;
pub mod out;
pub mod prefilter;
pub mod progress;
pub mod project;
pub mod report;
pub mod resolve;
pub mod rule_docs;
pub mod rules;
pub mod server;
pub mod site;
pub mod sni_clients;
pub mod source;
pub mod suppress;
pub mod timings;
pub mod url_cmd;
pub mod version;

/// The README's Rust examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
