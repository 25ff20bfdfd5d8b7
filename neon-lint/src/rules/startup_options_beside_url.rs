//! The project-level half of `startup-options-on-pooler` (NL009, documented in the core with
//! the URL-level half): startup options passed beside a pooled URL, per driver.

use neon_lint_core::rules::startup_options_on_pooler::STARTUP_OPTIONS_ON_POOLER;

use super::client_values::{client_values, pooled_value, via};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::{ClientSetup, Driver, Setting};

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
    let options = |name: &str| -> Vec<&Setting> {
        client
            .settings
            .iter()
            .filter(|s| s.name == name && sets_server_settings(&s.value))
            .collect()
    };
    let server_settings = |prefix: &str| -> Vec<&Setting> {
        client
            .settings
            .iter()
            .filter(|s| {
                s.name.strip_prefix(prefix).is_some_and(|k| {
                    !k.contains('.') && !POOLER_PARAMS.contains(&k.to_ascii_lowercase().as_str())
                })
            })
            .collect()
    };
    match client.driver {
        // psycopg `connect(url, options="-c ...")`, psycopg_pool `kwargs={"options": ...}`.
        Driver::Psycopg | Driver::Psycopg2 => {
            let mut v = options("options");
            v.extend(options("kwargs.options"));
            v
        }
        // asyncpg sends every `server_settings` entry as a startup parameter.
        Driver::Asyncpg => server_settings("server_settings."),
        Driver::SqlAlchemy => {
            let mut v = options("connect_args.options");
            v.extend(server_settings("connect_args.server_settings."));
            v
        }
        Driver::Django => options("OPTIONS.options"),
        // Rust (settings hold source text): sqlx `PgConnectOptions::options([(k, v)])` sends
        // each pair as `-c k=v`; tokio-postgres `Config::options("-c ...")` and deadpool's
        // `options` field send the string; sea-orm's `statement_timeout` becomes
        // `-c statement_timeout=...`.
        Driver::Sqlx => client
            .settings
            .iter()
            .filter(|s| s.name == "options" && !s.value.contains("endpoint"))
            .collect(),
        Driver::TokioPostgres | Driver::Postgres | Driver::Deadpool => client
            .settings
            .iter()
            .filter(|s| {
                s.name == "options" && sets_server_settings(&s.value.replace(['"', '\''], " "))
            })
            .collect(),
        Driver::SeaOrm => client
            .settings
            .iter()
            .filter(|s| s.name == "statement_timeout")
            .collect(),
        // JavaScript: what the driver file says goes in the startup packet.
        d => match crate::js_drivers::of(d) {
            Some(js) => (js.startup_parameters)(client)
                .into_iter()
                .filter(|s| {
                    let param = s.name.rsplit('.').next().unwrap_or(&s.name);
                    if param == "options" {
                        sets_server_settings(crate::js_drivers::unquoted(&s.value))
                    } else {
                        !POOLER_PARAMS.contains(&param.to_ascii_lowercase().as_str())
                    }
                })
                .collect(),
            None => Vec::new(),
        },
    }
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
            out.push(Diagnostic {
                rule: &STARTUP_OPTIONS_ON_POOLER,
                level: STARTUP_OPTIONS_ON_POOLER.default_level,
                file: client.file,
                span: s.span.clone(),
                message: format!(
                    "`{}` sends startup options to a pooled connection{}: PgBouncer refuses them",
                    s.name,
                    via(&pooled)
                ),
                label: "`unsupported startup parameter` on a `-pooler` host".into(),
                help: Some(
                    "use `ALTER ROLE ... SET`, `SET LOCAL` inside a transaction, or the direct (non-pooler) host"
                        .into(),
                ),
                secondary: Vec::new(),
                fix: None,
            });
        }
    }
}
