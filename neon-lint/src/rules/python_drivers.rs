//! The Python halves of the driver rules (`statement-cache-on-pooler`,
//! `unsupported-driver-parameter`, `stale-pool`, `connect-timeout-too-low`): each function
//! judges the Python driver set-ups (psycopg, psycopg2, asyncpg, SQLAlchemy, Django) and is
//! called from the rule's own file, which owns the rule's identity and documentation.
//!
//! What a Python set-up's settings mean, from the drivers' sources and docs:
//!
//! - asyncpg `statement_cache_size` (default 100) is its prepared-statement cache; SQLAlchemy's
//!   asyncpg dialect adds its own, `prepared_statement_cache_size` (default 100), and passes
//!   every URL query parameter and `connect_args` entry to `asyncpg.connect()` as keyword
//!   arguments.
//! - SQLAlchemy `pool_pre_ping=True` tests a connection on checkout; `NullPool` keeps none;
//!   `pool_recycle` replaces connections older than it.
//! - Django `CONN_MAX_AGE` (`None` = forever) keeps connections; `CONN_HEALTH_CHECKS` (4.1+)
//!   tests them before reuse.
//! - Connect timeouts: libpq `connect_timeout` (psycopg, psycopg2, Django `OPTIONS`),
//!   asyncpg `timeout` (default 60 s).

use neon_lint_core::rule::RuleMeta;
use neon_lint_core::UrlInput;

use super::client_values::{
    client_values, is_none, is_true, is_zero, neon_value, pooled_value, value_context, via,
};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::{ClientSetup, Driver, Setting};

fn setting<'a>(client: &'a ClientSetup, name: &str) -> Option<&'a Setting> {
    client.settings.iter().rev().find(|s| s.name == name)
}

fn is_python(driver: Driver) -> bool {
    matches!(
        driver,
        Driver::Asyncpg | Driver::Psycopg | Driver::Psycopg2 | Driver::SqlAlchemy | Driver::Django
    )
}

/// `statement-cache-on-pooler` for asyncpg, psycopg 3 (which prepares a query after
/// `prepare_threshold` executions, 5 by default) and SQLAlchemy on either.
pub(crate) fn statement_cache(
    meta: &'static RuleMeta,
    project: &Project,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) {
    if config.pooler_prepared_statements {
        return;
    }
    for client in &project.clients {
        if !matches!(
            client.driver,
            Driver::Asyncpg | Driver::Psycopg | Driver::SqlAlchemy
        ) {
            continue;
        }
        let values = client_values(project, client);
        let Some(pooled) = pooled_value(project, config, &values) else {
            continue;
        };
        let ctx = value_context(project, &pooled, config);
        let input = UrlInput::new(&pooled.text, &ctx);
        // A cache size can also ride in the URL's query (SQLAlchemy passes it on).
        let in_url = |name: &str| {
            input
                .info()
                .and_then(|i| i.get(name))
                .is_some_and(|p| is_zero(&p.value))
        };
        let mut missing = Vec::new();
        match client.driver {
            Driver::Asyncpg => {
                if !setting(client, "statement_cache_size").is_some_and(|s| is_zero(&s.value)) {
                    missing.push("`statement_cache_size=0`");
                }
            }
            // `prepare_threshold=0` prepares every query: only `None` turns preparing off.
            Driver::Psycopg if client.api.starts_with("psycopg_pool") => {
                if !setting(client, "kwargs.prepare_threshold").is_some_and(|s| is_none(&s.value)) {
                    missing.push("`kwargs={\"prepare_threshold\": None}`");
                }
            }
            Driver::Psycopg => {
                if !setting(client, "prepare_threshold").is_some_and(|s| is_none(&s.value)) {
                    missing.push("`prepare_threshold=None`");
                }
            }
            _ if input.sqlalchemy_driver() == Some("psycopg") => {
                if !setting(client, "connect_args.prepare_threshold")
                    .is_some_and(|s| is_none(&s.value))
                {
                    missing.push("`connect_args={\"prepare_threshold\": None}`");
                }
            }
            _ => {
                if input.sqlalchemy_driver() != Some("asyncpg") {
                    continue;
                }
                if !setting(client, "connect_args.statement_cache_size")
                    .is_some_and(|s| is_zero(&s.value))
                    && !in_url("statement_cache_size")
                {
                    missing.push("`connect_args={\"statement_cache_size\": 0}`");
                }
                if !setting(client, "connect_args.prepared_statement_cache_size")
                    .is_some_and(|s| is_zero(&s.value))
                    && !in_url("prepared_statement_cache_size")
                {
                    missing.push("`prepared_statement_cache_size=0` (SQLAlchemy's own cache)");
                }
            }
        }
        if missing.is_empty() {
            continue;
        }
        let what = match client.driver {
            Driver::Asyncpg => "asyncpg's statement cache",
            Driver::Psycopg => "psycopg's prepared statements",
            _ if input.sqlalchemy_driver() == Some("psycopg") => "psycopg's prepared statements",
            _ => "SQLAlchemy's asyncpg statement caches",
        };
        out.push(Diagnostic {
            rule: meta,
            level: meta.default_level,
            file: client.file,
            span: client.span.clone(),
            message: format!(
                "`{}` keeps {what} on over a pooled connection{}",
                client.api,
                via(&pooled)
            ),
            label: "prepared statements cached per connection, behind PgBouncer".into(),
            help: Some(format!(
                "pass {} (or set `pooler-prepared-statements = true` if only Neon's current pooler, which tracks prepared statements, is used)",
                missing.join(" and ")
            )),
            secondary: Vec::new(),
            fix: None,
        });
    }
}

/// Keyword arguments `asyncpg.connect()` accepts (asyncpg 0.32), plus those SQLAlchemy's
/// asyncpg dialect consumes itself.
const ASYNCPG_CONNECT_KWARGS: &[&str] = &[
    "host",
    "port",
    "user",
    "password",
    "passfile",
    "service",
    "servicefile",
    "database",
    "timeout",
    "statement_cache_size",
    "max_cached_statement_lifetime",
    "max_cacheable_statement_size",
    "command_timeout",
    "ssl",
    "direct_tls",
    "server_settings",
    "target_session_attrs",
    "krbsrvname",
    "gsslib",
    "prepared_statement_cache_size",
    "prepared_statement_name_func",
    "async_fallback",
];

/// What to write instead of a libpq-only parameter for asyncpg.
fn asyncpg_instead(key: &str) -> &'static str {
    match key {
        "sslmode" => "`ssl=require` (asyncpg's spelling), or `connect_args={\"ssl\": ssl_context}`",
        "channel_binding" => {
            "nothing (asyncpg cannot require channel binding): drop it and verify the server with `ssl=verify-full`"
        }
        "connect_timeout" => "`timeout=` (seconds) in `connect_args`",
        "options" | "application_name" => "`connect_args={\"server_settings\": {...}}`",
        _ => "drop it, or use `postgresql+psycopg://` (libpq) instead",
    }
}

/// `unsupported-driver-parameter` for libpq-only parameters in `postgresql+asyncpg://`
/// URLs: in any SQLAlchemy URL string, and in the values a SQLAlchemy engine's variable
/// takes (after rewrites such as `.replace("postgresql://", "postgresql+asyncpg://")`).
pub(crate) fn asyncpg_libpq_params(
    meta: &'static RuleMeta,
    project: &Project,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) {
    let unsupported = |input: &UrlInput| -> Vec<(String, std::ops::Range<usize>)> {
        if input.sqlalchemy_driver() != Some("asyncpg") {
            return Vec::new();
        }
        let Some(info) = input.info() else {
            return Vec::new();
        };
        info.params
            .iter()
            .filter(|p| p.source == neon_lint_core::conninfo::ParamSource::Query)
            .filter(|p| !ASYNCPG_CONNECT_KWARGS.contains(&p.keyword.as_str()))
            .map(|p| (p.keyword.clone(), p.span.clone()))
            .collect()
    };
    let message = |key: &str| {
        format!(
            "SQLAlchemy passes `{key}` to `asyncpg.connect()`, which has no such argument: `TypeError: connect() got an unexpected keyword argument '{key}'`"
        )
    };
    for site in &project.urls {
        if matches!(site.placement, neon_lint_core::Placement::Docs) {
            continue;
        }
        let ctx = super::url_rules::context(site, config);
        let input = UrlInput::new(&site.text, &ctx);
        for (key, span) in unsupported(&input) {
            out.push(Diagnostic {
                rule: meta,
                level: meta.default_level,
                file: site.file,
                span: site.map.range(span),
                message: message(&key),
                label: format!("`{key}` is a libpq parameter; asyncpg does not take it"),
                help: Some(format!("use {}", asyncpg_instead(&key))),
                secondary: Vec::new(),
                fix: None,
            });
        }
    }
    // Engines whose URL comes from a variable, possibly rewritten to asyncpg.
    for client in &project.clients {
        if client.driver != Driver::SqlAlchemy {
            continue;
        }
        let rewritten = client.settings.iter().any(|s| s.name == "url.replace");
        for value in client_values(project, client) {
            // A literal at the call, or a variable value used as written, is a string site
            // judged above.
            if !rewritten {
                continue;
            }
            let ctx = value_context(project, &value, config);
            let input = UrlInput::new(&value.text, &ctx);
            let bad = unsupported(&input);
            if let Some((key, _)) = bad.first() {
                out.push(Diagnostic {
                    rule: meta,
                    level: meta.default_level,
                    file: client.file,
                    span: client.span.clone(),
                    message: format!("{}{}", message(key), via(&value)),
                    label: "the URL is rewritten to `postgresql+asyncpg://` here".into(),
                    help: Some(format!(
                        "use {} in the variable, or strip `{key}` before the rewrite",
                        asyncpg_instead(key)
                    )),
                    secondary: Vec::new(),
                    fix: None,
                });
                break;
            }
        }
    }
}

/// Seconds in a setting value, when it is a plain number.
fn seconds(v: &str) -> Option<f64> {
    v.trim().trim_matches(['"', '\'']).parse::<f64>().ok()
}

/// `stale-pool` for SQLAlchemy engines and Django connections on Neon.
/// What one pool set-up does wrong, before its URL is known to be Neon's.
struct StalePool<'a> {
    span: std::ops::Range<usize>,
    /// The message, given where the value came from (`via`).
    message: Box<dyn Fn(&str) -> String + 'a>,
    label: &'static str,
    help: &'static str,
}

pub(crate) fn stale_pool(
    meta: &'static RuleMeta,
    project: &Project,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) {
    for client in &project.clients {
        let Some(stale) = stale_pool_shape(project, client) else {
            continue;
        };
        let values = client_values(project, client);
        let Some(neon) = neon_value(project, config, &values) else {
            continue;
        };
        out.push(Diagnostic {
            rule: meta,
            level: meta.default_level,
            file: client.file,
            span: stale.span,
            message: (stale.message)(&via(&neon)),
            label: stale.label.into(),
            help: Some(stale.help.into()),
            secondary: Vec::new(),
            fix: None,
        });
    }
}

/// The stale-pool finding `client` gets if it connects to Neon, if any.
fn stale_pool_shape<'a>(project: &Project, client: &'a ClientSetup) -> Option<StalePool<'a>> {
    match client.driver {
        Driver::SqlAlchemy => {
            let pre_ping = setting(client, "pool_pre_ping").is_some_and(|s| is_true(&s.value));
            let null_pool =
                setting(client, "poolclass").is_some_and(|s| s.value.ends_with("NullPool"));
            let recycled = setting(client, "pool_recycle")
                .and_then(|s| seconds(&s.value))
                .is_some_and(|s| s > 0.0 && s <= 300.0);
            // `**options` built elsewhere may hold `pool_pre_ping`; Alembic's `env.py`
            // builds its engine for one migration run, whose connections cannot go
            // stale between requests.
            let unknown_options = setting(client, crate::site::UNKNOWN_OPTIONS).is_some();
            let one_migration_run = project
                .imports
                .iter()
                .any(|i| i.file == client.file && i.module == "alembic");
            // A one-shot script disposes of its engine before anything can go stale.
            let disposed = setting(client, "dispose").is_some();
            if pre_ping || null_pool || recycled || unknown_options || one_migration_run || disposed
            {
                return None;
            }
            Some(StalePool {
                span: client.span.clone(),
                message: Box::new(|via| {
                    format!(
                        "SQLAlchemy engine on Neon{via} without `pool_pre_ping=True`: pooled connections go stale when the compute scales to zero"
                    )
                }),
                label: "reuses idle connections without testing them",
                help: "pass `pool_pre_ping=True`: it tests each connection at checkout, which also catches a compute restart (`pool_recycle=300` only replaces connections by age)",
            })
        }
        // psycopg_pool hands a connection out untested unless `check` is given; idle ones
        // are closed after `max_idle` (600 s by default), longer than a suspend.
        Driver::Psycopg if client.api.starts_with("psycopg_pool") => {
            let checked = setting(client, "check").is_some();
            let short_idle = setting(client, "max_idle")
                .and_then(|s| seconds(&s.value))
                .is_some_and(|s| s > 0.0 && s <= 300.0);
            let unknown_options = setting(client, crate::site::UNKNOWN_OPTIONS).is_some();
            if checked || short_idle || unknown_options {
                return None;
            }
            Some(StalePool {
                span: client.span.clone(),
                message: Box::new(move |via| {
                    format!(
                        "`{}` on Neon{via} without `check`: it hands out connections the compute closed when it scaled to zero",
                        client.api
                    )
                }),
                label: "idle connections handed out untested",
                help: "pass `check=ConnectionPool.check_connection` (psycopg_pool 3.2+), which tests each connection before handing it out",
            })
        }
        Driver::Django => {
            let max_age =
                setting(client, "CONN_MAX_AGE").or_else(|| setting(client, "conn_max_age"))?;
            let long = max_age.value.trim() == "None"
                || seconds(&max_age.value).is_some_and(|s| s > 300.0);
            let checks = setting(client, "CONN_HEALTH_CHECKS")
                .or_else(|| setting(client, "conn_health_checks"))
                .is_some_and(|s| is_true(&s.value));
            if !long || checks {
                return None;
            }
            Some(StalePool {
                span: max_age.span.clone(),
                message: Box::new(move |via| {
                    format!(
                        "Django keeps connections to Neon{via} for `{}` seconds without health checks: they break after the compute scales to zero",
                        max_age.value
                    )
                }),
                label: "persistent connections, never tested",
                help: "add `\"CONN_HEALTH_CHECKS\": True` (Django 4.1+), or keep `CONN_MAX_AGE` at 300 or less",
            })
        }
        _ => None,
    }
}

/// `connect-timeout-too-low` for Python drivers: an explicit connect timeout under 5 s.
pub(crate) fn connect_timeout(
    meta: &'static RuleMeta,
    project: &Project,
    config: &Config,
    out: &mut Vec<Diagnostic>,
) {
    for client in &project.clients {
        if !is_python(client.driver) {
            continue;
        }
        let names: &[&str] = match client.driver {
            Driver::Psycopg | Driver::Psycopg2 => &["connect_timeout", "kwargs.connect_timeout"],
            Driver::Asyncpg => &["timeout"],
            Driver::SqlAlchemy => &["connect_args.connect_timeout", "connect_args.timeout"],
            _ => &["OPTIONS.connect_timeout"],
        };
        let Some((s, secs)) = names.iter().find_map(|n| {
            let s = setting(client, n)?;
            Some((s, seconds(&s.value)?))
        }) else {
            continue;
        };
        if secs >= 5.0 {
            continue;
        }
        let values = client_values(project, client);
        if neon_value(project, config, &values).is_none() {
            continue;
        }
        out.push(Diagnostic {
            rule: meta,
            level: meta.default_level,
            file: client.file,
            span: s.span.clone(),
            message: format!(
                "connect timeout of {} s on a Neon connection: waking a suspended compute can take longer",
                s.value
            ),
            label: "cold starts take hundreds of milliseconds to seconds".into(),
            help: Some("use 10 to 15 seconds (with retries), as Neon recommends".into()),
            secondary: Vec::new(),
            fix: None,
        });
    }
}
