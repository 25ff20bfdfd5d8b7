//! deadpool-postgres (0.12+): `Config { url, .. }.create_pool(runtime, tls)`,
//! `Manager::new(pg_config, tls)`, `Manager::from_config`.
//!
//! - tokio-postgres underneath: the URL is parsed by tokio-postgres, the TLS connector is
//!   an argument, `options` goes in the startup packet.
//! - `connect_timeout`, `create_timeout` and `timeouts.create` bound connecting.
//! - Its default `RecyclingMethod::Fast` checks only `is_closed()` before handing a
//!   connection out: one the server closed cleanly is noticed, one dropped without a close
//!   reaching the client is not. `Verified` runs a query first.
//! - `post_create` hooks run their SQL on every new connection.
//! - `prepare_cached` keeps a named tokio-postgres statement on the connection, across
//!   transactions.

use super::{options_text, Args, CrateMatch, Makes, RustDriver, RustEntry, SettingsFrom};
use crate::drivers::{NamedStatements, UntestedPool};
use crate::site::{ClientSetup, Driver};

pub(super) static DEADPOOL: RustDriver = RustDriver {
    driver: Driver::Deadpool,
    entry_points: &[RustEntry {
        types: &["Manager"],
        functions: &["new", "from_config"],
        crates: CrateMatch::NamedOrImported(&["deadpool_postgres"]),
        postgres_only: false,
        args: Args::AtLeast(2),
        api: None,
        api_prefix: "deadpool_postgres::Manager",
        makes: Makes::Manager,
        settings: &[SettingsFrom::Tls(1), SettingsFrom::ArgOf(2, "from_config")],
    }],
    connect_timeout_settings: &["connect_timeout", "create_timeout", "timeouts.create"],
    url_parser: Some(&super::tokio_postgres::PARSER),
    takes_tls_connector: true,
    untested_pool,
    startup_parameters: options_text,
    named_statements: super::no_named_statements,
    named_statement_uses: &[(
        "prepare_cached",
        NamedStatements {
            does: "`prepare_cached` keeps named statements",
            label: "cached across transactions",
            driver_fix: None,
            why_no_fix: Some("a cached statement stays on the connection that prepared it"),
            ineffective: None,
        },
    )],
    connection_hooks: &["post_create"],
    session_settings: &[],
};

fn untested_pool(c: &ClientSetup) -> Option<UntestedPool> {
    const HELP: &str =
        "set `manager: Some(ManagerConfig { recycling_method: RecyclingMethod::Verified })`";
    if !c.api.starts_with("deadpool_postgres::") {
        return None;
    }
    let method = c
        .settings
        .iter()
        .rev()
        .find(|s| s.name.ends_with("recycling_method"));
    let (span, what) = match method {
        Some(m) if m.value.ends_with("Fast") => (
            m.span.clone(),
            "`RecyclingMethod::Fast` checks only `is_closed()`, never the server: a connection dropped without a close reaching the client is handed out",
        ),
        Some(_) => return None,
        None if c.setting("config_source").is_some()
            || c.api.ends_with("Manager::from_config") =>
        {
            return None
        }
        None => (
            c.span.clone(),
            "deadpool-postgres defaults to `RecyclingMethod::Fast`, which checks only `is_closed()`, never the server: a connection dropped without a close reaching the client is handed out",
        ),
    };
    Some(UntestedPool {
        span,
        what: what.into(),
        label: "no round trip on checkout",
        help: HELP,
        notices_closed: true,
    })
}
