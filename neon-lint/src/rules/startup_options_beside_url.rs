//! The project-level half of `startup-options-on-pooler` (NL009, documented in the core with
//! the URL-level half): startup options passed beside a pooled URL, per driver.

use neon_lint_core::rules::startup_options_on_pooler::STARTUP_OPTIONS_ON_POOLER;

use super::client_values::{client_values, pooled_value, via};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::drivers::Sends;
use crate::project::Project;
use crate::site::{ClientSetup, Setting};

/// Startup parameters PgBouncer tracks itself and Neon's pooler accepts.
const POOLER_PARAMS: &[&str] = &[
    "client_encoding",
    "datestyle",
    "timezone",
    "standard_conforming_strings",
    "application_name",
];

/// Whether a libpq `options` string sets server parameters (`-c x=y`, `--x=y`).
fn sets_server_settings(options: &str) -> bool {
    options
        .split(|c: char| c.is_ascii_whitespace())
        .any(|w| w.starts_with("-c") || w.starts_with("--"))
}

/// The settings of a client that become startup parameters the pooler refuses.
fn startup_settings(client: &ClientSetup) -> Vec<&Setting> {
    crate::drivers::startup_parameters(client)
        .into_iter()
        .filter(|p| match p.sends {
            Sends::Options(text) => sets_server_settings(text),
            Sends::Parameter(name) => !POOLER_PARAMS.contains(&name.to_ascii_lowercase().as_str()),
            Sends::ServerSettings => true,
        })
        .map(|p| p.setting)
        .collect()
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    for client in &project.clients {
        let bad = startup_settings(client);
        if bad.is_empty() {
            continue;
        }
        let values = client_values(project, client);
        let Some(pooled) = pooled_value(project, config, &values) else {
            continue;
        };
        for s in bad {
            out.push(
                Diagnostic::new(
                    &STARTUP_OPTIONS_ON_POOLER,
                    client.file,
                    s.span.clone(),
                    format!(
                        "`{}` sends startup options to a pooled connection{}: PgBouncer refuses them",
                        s.name,
                        via(&pooled)
                    ),
                    "`unsupported startup parameter` on a `-pooler` host",
                )
                .help(
                    "use `ALTER ROLE ... SET`, `SET LOCAL` inside a transaction, or the direct (non-pooler) host",
                ),
            );
        }
    }
}
