//! aiopg (1.x): `aiopg.connect(dsn, ...)` and `aiopg.create_pool(dsn, ...)`, asyncio over
//! psycopg2.
//!
//! - psycopg2, so libpq underneath: the DSN is read as libpq reads it and the keyword
//!   arguments it does not take itself go to `psycopg2.connect` as libpq parameters
//!   (`sslmode`, `options`). No statement cache (queries are sent as text).
//! - `timeout` (60 s by default) is aiopg's own: the limit on connecting and on each
//!   operation. It is not libpq's `connect_timeout`, and it is the connect timeout that
//!   counts.
//! - Its pool drops a free connection once it is marked closed or older than
//!   `pool_recycle` (`-1`, never, by default; aiopg 1.4 `pool.py` `_fill_free_pool`). It
//!   does not test one before handing it out; whether it notices a server that went away
//!   depends on the socket having been read, so its pools are not judged for staleness.

use super::{no_cache, not_a_pool, options_strings, seconds_of, EntryPoint, PyDriver, UrlArg};
use crate::site::Driver;

pub(super) static AIOPG: PyDriver = PyDriver {
    // psycopg2 does the connecting: what is not aiopg's own is psycopg2's.
    driver: Driver::Psycopg2,
    entry_points: &[
        EntryPoint {
            paths: &["aiopg.connect", "aiopg.connection.connect"],
            api: "aiopg.connect",
            url: UrlArg::First("dsn"),
        },
        EntryPoint {
            paths: &["aiopg.create_pool", "aiopg.pool.create_pool"],
            api: "aiopg.create_pool",
            url: UrlArg::First("dsn"),
        },
    ],
    own_kwargs: &["timeout"],
    sets_tls: |s| s.name == "sslmode",
    statement_cache: no_cache,
    untested_pool: not_a_pool,
    connect_timeout: |c| seconds_of(c, &["timeout"]),
    startup_parameters: |c| options_strings(c, &["options"]),
    dbapi: None,
};
