//! psycopg_pool (3.2+): `ConnectionPool(conninfo, kwargs={...}, ...)` and
//! `AsyncConnectionPool`, pools of psycopg 3 connections.
//!
//! - Connection keyword arguments go in `kwargs` (`kwargs={"prepare_threshold": None}`);
//!   each connection prepares as psycopg 3 does.
//! - A connection is handed out untested unless `check` is given
//!   (`check=ConnectionPool.check_connection`); idle ones are closed after `max_idle`
//!   (600 s by default).

use super::{
    options_strings, psycopg_prepares, seconds, seconds_of, EntryPoint, PyDriver, SetupContext,
    UrlArg, UrlFacts,
};
use crate::drivers::{StatementCache, UntestedPool};
use crate::site::{ClientSetup, Driver, UNKNOWN_OPTIONS};

pub(super) static PSYCOPG_POOL: PyDriver = PyDriver {
    driver: Driver::Psycopg,
    entry_points: &[
        EntryPoint {
            paths: &["psycopg_pool.ConnectionPool"],
            api: "psycopg_pool.ConnectionPool",
            url: UrlArg::First("conninfo"),
        },
        EntryPoint {
            paths: &["psycopg_pool.AsyncConnectionPool"],
            api: "psycopg_pool.AsyncConnectionPool",
            url: UrlArg::First("conninfo"),
        },
    ],
    own_kwargs: &[],
    sets_tls: |s| s.name == "sslmode",
    statement_cache,
    untested_pool,
    connect_timeout: |c| seconds_of(c, &["connect_timeout", "kwargs.connect_timeout"]),
    startup_parameters: |c| options_strings(c, &["options", "kwargs.options"]),
    dbapi: None,
};

fn statement_cache(c: &ClientSetup, _: &UrlFacts) -> StatementCache {
    psycopg_prepares(
        c,
        "kwargs.prepare_threshold",
        "`kwargs={\"prepare_threshold\": None}`",
    )
}

fn untested_pool(c: &ClientSetup, _: &SetupContext) -> Option<UntestedPool> {
    let checked = c.setting("check").is_some();
    let short_idle = c
        .setting("max_idle")
        .and_then(|s| seconds(&s.value))
        .is_some_and(|s| s > 0.0 && s <= 300.0);
    // `**options` built elsewhere may hold `check`.
    let unknown_options = c.setting(UNKNOWN_OPTIONS).is_some();
    if checked || short_idle || unknown_options {
        return None;
    }
    Some(UntestedPool {
        span: c.span.clone(),
        what: format!("`{}` without `check`", c.api),
        label: "idle connections handed out untested",
        notices_closed: false,
        help: "pass `check=ConnectionPool.check_connection` (psycopg_pool 3.2+), which tests each connection before handing it out",
    })
}
