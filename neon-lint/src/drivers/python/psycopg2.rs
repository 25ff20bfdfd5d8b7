//! psycopg2: `psycopg2.connect(dsn, ...)` and the pools of `psycopg2.pool`
//! (`SimpleConnectionPool(minconn, maxconn, dsn)`, `ThreadedConnectionPool`).
//!
//! - libpq underneath: keyword arguments are libpq parameters, the URL is read as libpq
//!   reads it. No statement cache (queries are sent as text).

use super::{
    no_cache, not_a_pool, options_strings, seconds_of, EntryPoint, PyDriver, QueryParams, UrlArg,
};
use crate::site::Driver;

pub(super) static PSYCOPG2: PyDriver = PyDriver {
    driver: Driver::Psycopg2,
    entry_points: &[
        EntryPoint {
            paths: &["psycopg2.connect"],
            api: "psycopg2.connect",
            url: UrlArg::First("dsn"),
        },
        EntryPoint {
            paths: &["psycopg2.pool.SimpleConnectionPool"],
            api: "psycopg2.pool.SimpleConnectionPool",
            url: UrlArg::Third("dsn"),
        },
        EntryPoint {
            paths: &["psycopg2.pool.ThreadedConnectionPool"],
            api: "psycopg2.pool.ThreadedConnectionPool",
            url: UrlArg::Third("dsn"),
        },
    ],
    own_kwargs: &[],
    sets_tls: |s| s.name == "sslmode",
    statement_cache: no_cache,
    untested_pool: not_a_pool,
    connect_timeout: |c| seconds_of(c, &["connect_timeout", "kwargs.connect_timeout"]),
    startup_parameters: |c| options_strings(c, &["options", "kwargs.options"]),
    dbapi: Some(("psycopg2", QueryParams::Libpq)),
};
