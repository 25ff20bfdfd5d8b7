//! asyncpg (0.30+): `asyncpg.connect(dsn, ...)` and `asyncpg.create_pool(dsn, ...)`.
//!
//! - Its statement cache (`statement_cache_size`, 100 by default) prepares named
//!   statements (`__asyncpg_stmt_N__`) kept per connection; `statement_cache_size=0`
//!   turns it off.
//! - `ssl` is its TLS switch (`ssl="require"`, an `SSLContext`); `timeout` (60 s by
//!   default) is its connect timeout. Neither is libpq's parameter of the same name.
//! - `server_settings={...}` sends each entry as a startup parameter.
//! - It parses the URL itself and takes only the query parameters in
//!   [`ASYNCPG_CONNECT_KWARGS`] (SQLAlchemy's asyncpg dialect passes every URL query
//!   parameter to `connect()` as a keyword argument).

use super::{
    is_zero, not_a_pool, seconds_of, server_settings, EntryPoint, PyDriver, QueryParams, UrlArg,
    UrlFacts,
};
use crate::drivers::{StartupParam, StatementCache};
use crate::site::{ClientSetup, Driver};

pub(super) static ASYNCPG: PyDriver = PyDriver {
    driver: Driver::Asyncpg,
    entry_points: &[
        EntryPoint {
            paths: &["asyncpg.connect", "asyncpg.connection.connect"],
            api: "asyncpg.connect",
            url: UrlArg::First("dsn"),
        },
        EntryPoint {
            paths: &["asyncpg.create_pool", "asyncpg.pool.create_pool"],
            api: "asyncpg.create_pool",
            url: UrlArg::First("dsn"),
        },
    ],
    own_kwargs: &["ssl", "timeout"],
    sets_tls: |s| s.name == "ssl",
    statement_cache,
    untested_pool: not_a_pool,
    connect_timeout: |c| seconds_of(c, &["timeout"]),
    startup_parameters,
    dbapi: Some((
        "asyncpg",
        QueryParams::KeywordArguments {
            accepts: asyncpg_accepts,
            instead: asyncpg_instead,
        },
    )),
};

fn statement_cache(c: &ClientSetup, _: &UrlFacts) -> StatementCache {
    if c.setting("statement_cache_size")
        .is_some_and(|s| is_zero(&s.value))
    {
        StatementCache::Off
    } else {
        StatementCache::On {
            what: "asyncpg's statement cache",
            switch_off: vec!["`statement_cache_size=0`"],
        }
    }
}

fn startup_parameters(c: &ClientSetup) -> Vec<StartupParam<'_>> {
    server_settings(c, "server_settings.")
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

/// Whether asyncpg's `connect()` (through SQLAlchemy) takes URL query parameter `key`.
fn asyncpg_accepts(key: &str) -> bool {
    ASYNCPG_CONNECT_KWARGS.contains(&key)
}

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
