//! psycopg 3: `psycopg.connect(conninfo, ...)` and `psycopg.AsyncConnection.connect`.
//!
//! - libpq underneath: keyword arguments are libpq parameters (`sslmode`,
//!   `connect_timeout`, `options`), and the URL is read as libpq reads it.
//! - It prepares a query once it has run `prepare_threshold` times (5 by default), as a
//!   named statement (`_pg3_N`) kept per connection; `prepare_threshold=0` prepares every
//!   query, so only `None` turns preparing off.

use super::{
    not_a_pool, options_strings, psycopg_prepares, seconds_of, EntryPoint, PyDriver, QueryParams,
    UrlArg, UrlFacts,
};
use crate::drivers::StatementCache;
use crate::site::{ClientSetup, Driver};

pub(super) static PSYCOPG: PyDriver = PyDriver {
    driver: Driver::Psycopg,
    entry_points: &[
        EntryPoint {
            paths: &["psycopg.connect", "psycopg.Connection.connect"],
            api: "psycopg.connect",
            url: UrlArg::First("conninfo"),
        },
        EntryPoint {
            paths: &["psycopg.AsyncConnection.connect"],
            api: "psycopg.AsyncConnection.connect",
            url: UrlArg::First("conninfo"),
        },
    ],
    own_kwargs: &[],
    sets_tls: |s| s.name == "sslmode",
    statement_cache,
    untested_pool: not_a_pool,
    connect_timeout: |c| seconds_of(c, &["connect_timeout", "kwargs.connect_timeout"]),
    startup_parameters: |c| options_strings(c, &["options", "kwargs.options"]),
    dbapi: Some(("psycopg", QueryParams::Libpq)),
};

fn statement_cache(c: &ClientSetup, _: &UrlFacts) -> StatementCache {
    psycopg_prepares(c, "prepare_threshold", "`prepare_threshold=None`")
}
