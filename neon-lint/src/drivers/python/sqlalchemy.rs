//! SQLAlchemy (2.x) and SQLModel: `create_engine(url, ...)`, `create_async_engine`.
//!
//! - The URL's DBAPI (`postgresql+asyncpg://`, `postgresql+psycopg://`) decides what
//!   reads the rest: `connect_args={...}` and every URL query parameter go to that
//!   driver's `connect()` as keyword arguments.
//! - On asyncpg its dialect keeps a cache of its own, `prepared_statement_cache_size`
//!   (100 by default), beside asyncpg's `statement_cache_size`: both must be 0.
//! - `pool_pre_ping=True` tests a connection at checkout; `NullPool` keeps none;
//!   `pool_recycle` replaces connections older than it (by age only).

use super::{
    is_none, is_true, is_zero, seconds, seconds_of, server_settings, EntryPoint, PyDriver,
    SetupContext, UrlArg, UrlFacts,
};
use crate::drivers::{StartupParam, StatementCache, UntestedPool};
use crate::site::{ClientSetup, Driver, UNKNOWN_OPTIONS};

pub(super) static SQLALCHEMY: PyDriver = PyDriver {
    driver: Driver::SqlAlchemy,
    entry_points: &[
        EntryPoint {
            paths: &[
                "sqlalchemy.create_engine",
                "sqlalchemy.engine.create_engine",
                "sqlalchemy.engine.create.create_engine",
                "sqlmodel.create_engine",
            ],
            api: "create_engine",
            url: UrlArg::First("url"),
        },
        EntryPoint {
            paths: &[
                "sqlalchemy.ext.asyncio.create_async_engine",
                "sqlalchemy.ext.asyncio.engine.create_async_engine",
            ],
            api: "create_async_engine",
            url: UrlArg::First("url"),
        },
    ],
    own_kwargs: &[],
    sets_tls: |s| {
        matches!(
            s.name.as_str(),
            "connect_args.ssl" | "connect_args.sslmode" | "connect_args.sslcontext"
        )
    },
    statement_cache,
    untested_pool,
    connect_timeout: |c| seconds_of(c, &["connect_args.connect_timeout", "connect_args.timeout"]),
    startup_parameters,
    dbapi: None,
};

fn statement_cache(c: &ClientSetup, url: &UrlFacts) -> StatementCache {
    let zero = |name: &str| c.setting(name).is_some_and(|s| is_zero(&s.value));
    match url.dbapi {
        Some("psycopg") => {
            if c.setting("connect_args.prepare_threshold")
                .is_some_and(|s| is_none(&s.value))
            {
                StatementCache::Off
            } else {
                StatementCache::On {
                    what: "psycopg's prepared statements",
                    switch_off: vec!["`connect_args={\"prepare_threshold\": None}`"],
                }
            }
        }
        Some("asyncpg") => {
            let mut switch_off = Vec::new();
            if !zero("connect_args.statement_cache_size")
                && !(url.zero_in_query)("statement_cache_size")
            {
                switch_off.push("`connect_args={\"statement_cache_size\": 0}`");
            }
            if !zero("connect_args.prepared_statement_cache_size")
                && !(url.zero_in_query)("prepared_statement_cache_size")
            {
                switch_off.push("`prepared_statement_cache_size=0` (SQLAlchemy's own cache)");
            }
            if switch_off.is_empty() {
                StatementCache::Off
            } else {
                StatementCache::On {
                    what: "SQLAlchemy's asyncpg statement caches",
                    switch_off,
                }
            }
        }
        _ => StatementCache::Off,
    }
}

fn untested_pool(c: &ClientSetup, cx: &SetupContext) -> Option<UntestedPool> {
    let pre_ping = c
        .setting("pool_pre_ping")
        .is_some_and(|s| is_true(&s.value));
    let null_pool = c
        .setting("poolclass")
        .is_some_and(|s| s.value.ends_with("NullPool"));
    let recycled = c
        .setting("pool_recycle")
        .and_then(|s| seconds(&s.value))
        .is_some_and(|s| s > 0.0 && s <= 300.0);
    // `**options` built elsewhere may hold `pool_pre_ping`; Alembic's `env.py` builds its
    // engine for one migration run, whose connections cannot go stale between requests;
    // a one-shot script disposes of its engine before anything can go stale.
    let unknown_options = c.setting(UNKNOWN_OPTIONS).is_some();
    let disposed = c.setting("dispose").is_some();
    if pre_ping || null_pool || recycled || unknown_options || cx.one_migration_run || disposed {
        return None;
    }
    Some(UntestedPool {
        span: c.span.clone(),
        what: "SQLAlchemy engine without `pool_pre_ping=True`".into(),
        label: "reuses idle connections without testing them",
        notices_closed: false,
        help: "pass `pool_pre_ping=True`: it tests each connection at checkout, which also catches a compute restart (`pool_recycle=300` only replaces connections by age)",
    })
}

fn startup_parameters(c: &ClientSetup) -> Vec<StartupParam<'_>> {
    let mut v = super::options_strings(c, &["connect_args.options"]);
    v.extend(server_settings(c, "connect_args.server_settings."));
    v
}
