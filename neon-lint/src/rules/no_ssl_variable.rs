//! `insecure-sslmode` (NL002, documented with the core's URL rule) on a connection that
//! reads a variable named for going without TLS: Vercel's legacy `POSTGRES_URL_NO_SSL`
//! (a connection string with no `sslmode`), or any `*_NO_SSL`.
//!
//! Reported only where the value is unknown to neon-lint (set in the platform's settings):
//! a value in the project is judged as a URL (`missing-sslmode` on its line), and a driver
//! that sets TLS itself (pg `ssl: true`, any `@neondatabase/serverless` client) connects
//! with TLS whatever the URL says.

use neon_lint_core::rules::insecure_sslmode::INSECURE_SSLMODE;

use super::connection_values::{project_on_neon, Judged};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::UrlSource;

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    let reads: Vec<_> = project
        .clients
        .iter()
        .filter_map(|c| match &c.url {
            UrlSource::EnvVar(name) if name.to_ascii_uppercase().ends_with("_NO_SSL") => {
                Some((c, name))
            }
            _ => None,
        })
        .filter(|(c, _)| !crate::drivers::sets_tls(c))
        .filter(|(c, _)| Judged::of(project, &c.url, c.file).values.is_empty())
        .collect();
    if reads.is_empty() {
        return;
    }
    if !project_on_neon(project, config) {
        return;
    }
    for (c, name) in reads {
        let plain = &name[..name.len() - "_NO_SSL".len()];
        out.push(
            Diagnostic::new(
                &INSECURE_SSLMODE,
                c.file,
                c.span.clone(),
                format!(
                    "this connection (`{}`) reads `{name}`, a connection string meant to go without TLS",
                    c.api
                ),
                "no `sslmode`, and no TLS set beside it",
            )
            .help(format!(
                "read `{plain}` (with `sslmode=require`) instead: Neon refuses plaintext connections (\"connection is insecure\")"
            )),
        );
    }
}
