//! sqlx (0.7, 0.8) on PostgreSQL: `PgPool::connect*`, `PgPoolOptions::connect*`,
//! `PgConnection::connect*`, with `PgConnectOptions`.
//!
//! - It parses URLs itself: it reads `sslrootcert` as a file path, so `sslrootcert=system`
//!   (libpq 16's "use the system roots") names a file called `system`.
//! - `acquire_timeout` (30 s by default) bounds getting a connection, connecting included.
//! - `test_before_acquire(true)` (the default) pings a connection before handing it out;
//!   with `false`, only an `idle_timeout` shorter than a compute's suspend keeps stale
//!   ones out.
//! - `PgConnectOptions::options([(k, v)])` sends each pair as `-c k=v`.
//! - `after_connect`, `before_acquire` and `after_release` run their SQL on every
//!   connection.

use neon_lint_core::conninfo::Param;

use super::{Args, CrateMatch, Makes, RustDriver, RustEntry, SettingsFrom, UrlParser};
use crate::drivers::{NamedStatements, Sends, StartupParam, UntestedPool};
use crate::site::{ClientSetup, ConnectionUse, Driver};

pub(super) static SQLX: RustDriver = RustDriver {
    driver: Driver::Sqlx,
    entry_points: &[
        RustEntry {
            types: &["PgPool", "Pool", "AnyPool"],
            functions: &[
                "connect",
                "connect_lazy",
                "connect_with",
                "connect_lazy_with",
            ],
            crates: CrateMatch::TypeOr {
                ty: "PgPool",
                crates: &["sqlx"],
                generic: "Postgres",
            },
            postgres_only: false,
            args: Args::Any,
            api: None,
            api_prefix: "PgPool",
            makes: Makes::Handle,
            settings: &[SettingsFrom::ArgWhenEndsWith(0, "_with")],
        },
        RustEntry {
            types: &["PgConnection"],
            functions: &["connect", "connect_with"],
            crates: CrateMatch::Any,
            postgres_only: false,
            args: Args::Any,
            api: None,
            api_prefix: "PgConnection",
            makes: Makes::Handle,
            settings: &[SettingsFrom::Arg(0)],
        },
    ],
    connect_timeout_settings: &["acquire_timeout"],
    url_parser: Some(&PARSER),
    takes_tls_connector: false,
    untested_pool,
    startup_parameters,
    named_statements,
    named_statement_uses: &[],
    connection_hooks: &["after_connect", "before_acquire", "after_release"],
    session_settings: &[],
};

/// sqlx's own connection-string parser (sea-orm uses it too).
pub(super) const PARSER: UrlParser = UrlParser {
    name: "sqlx",
    rejects,
    help: |_| {
        "point `sslrootcert` at a CA bundle file (`/etc/ssl/certs/ca-certificates.crt`) \
         with `sslmode=verify-full`, or leave it out"
            .into()
    },
    reads_connect_timeout: false,
};

fn rejects(p: &Param, _written: bool) -> Option<(String, String)> {
    (p.keyword == "sslrootcert" && p.value == "system").then(|| {
        (
            "sqlx reads `sslrootcert=system` as the path of a file named `system`".to_string(),
            "the certificate file `system` cannot be read".to_string(),
        )
    })
}

/// `test_before_acquire(false)` is safe only when idle connections are closed before the
/// compute suspends (5 minutes by default). sea-orm's options say the same.
pub(super) fn untested_pool(c: &ClientSetup) -> Option<UntestedPool> {
    let s = c
        .setting("test_before_acquire")
        .filter(|s| s.value.trim() == "false")?;
    let idle = c
        .setting("idle_timeout")
        .and_then(|i| super::duration_secs(&i.value));
    if idle.is_some_and(|t| t > 0.0 && t < 300.0) {
        return None;
    }
    Some(UntestedPool {
        span: s.span.clone(),
        what: "`test_before_acquire(false)` without an `idle_timeout` under 300 s hands out idle connections untested".into(),
        label: "no health check on checkout",
        help: "keep `test_before_acquire(true)` (the default), or set `idle_timeout(Duration::from_secs(240))`",
        notices_closed: false,
    })
}

/// `options([(k, v)])`: each pair as `-c k=v` (Neon's `endpoint` option excepted, which
/// is for the proxy, not a server setting).
fn startup_parameters(c: &ClientSetup) -> Vec<StartupParam<'_>> {
    c.settings
        .iter()
        .filter(|s| s.name == "options" && !s.value.contains("endpoint"))
        .map(|s| StartupParam {
            setting: s,
            sends: Sends::ServerSettings,
        })
        .collect()
}

/// sqlx names every statement it prepares (`sqlx_s_N`) and keeps it on the connection.
/// `statement_cache_capacity(0)` does not stop that up to 0.9.0 (sqlx#4328, fixed after
/// 0.9.0 by PR #4337); `.persistent(false)` outside a transaction parses in one server
/// transaction and binds in another (wrong results in the ground-truth runs). sea-orm's
/// `Database::connect` is sqlx inside.
pub(super) fn named_statements(c: &ClientSetup, _: &[ConnectionUse]) -> Option<NamedStatements> {
    if c.driver == Driver::SeaOrm && !c.api.starts_with("Database::") {
        return None;
    }
    let cap0 = c
        .setting("statement_cache_capacity")
        .filter(|s| s.value.trim() == "0");
    Some(NamedStatements {
        does: "sqlx prepares named statements (`sqlx_s_N`)",
        label: "pool on PgBouncer in transaction mode",
        driver_fix: None,
        why_no_fix: Some(
            "neither `statement_cache_capacity(0)` nor `.persistent(false)` fixes it (the latter returns \
             wrong results outside a transaction)",
        ),
        ineffective: cap0.map(|s| {
            (
                s.span.clone(),
                "does not stop sqlx (up to 0.9.0) from naming statements",
                "; `statement_cache_capacity(0)` does not change that",
            )
        }),
    })
}
