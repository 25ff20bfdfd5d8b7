//! What each Python driver is, one file per driver: the qualified names of its set-up
//! calls and which argument holds the URL (read by the Python front end), and what its
//! keyword arguments mean as facts (read by the rules through [`crate::drivers`]).
//!
//! Adding a driver: a file here, a line in [`DRIVERS`], and a [`Driver`] variant when it
//! is a client of its own.

mod aiopg;
mod asyncpg;
mod django;
mod psycopg;
mod psycopg2;
mod psycopg_pool;
mod sqlalchemy;

use super::{StartupParam, StatementCache, UntestedPool};
use crate::site::{ClientSetup, Driver, Setting};

/// Which argument of a set-up call holds its URL.
#[derive(Debug, Clone, Copy)]
pub(crate) enum UrlArg {
    /// The first positional argument, or this keyword.
    First(&'static str),
    /// The third positional argument (psycopg2 pools: `minconn, maxconn, dsn`), or this
    /// keyword.
    Third(&'static str),
    /// The call itself reads a variable (`dj_database_url.config`).
    EnvOrDefault,
}

/// One set-up call of a driver.
pub(crate) struct EntryPoint {
    /// The qualified names it is imported under (`asyncpg.create_pool`,
    /// `asyncpg.pool.create_pool`).
    pub paths: &'static [&'static str],
    /// The name findings show (`asyncpg.create_pool`).
    pub api: &'static str,
    /// Where its URL is.
    pub url: UrlArg,
}

/// One Python driver's knowledge.
pub(crate) struct PyDriver {
    /// The driver its set-ups belong to.
    pub driver: Driver,
    /// Its set-up calls.
    pub entry_points: &'static [EntryPoint],
    /// Keyword arguments of its own that share a name with a libpq parameter but do not
    /// mean it (asyncpg's `ssl`, `timeout`): not read as connection parameters.
    pub own_kwargs: &'static [&'static str],
    /// Whether a setting configures TLS (beside whatever the URL says).
    pub sets_tls: fn(&Setting) -> bool,
    /// What its statement cache does with these settings, given the URL's SQLAlchemy
    /// DBAPI (`asyncpg` in `postgresql+asyncpg://`) and whether the URL's query sets a
    /// parameter to zero.
    pub statement_cache: fn(&ClientSetup, &UrlFacts) -> StatementCache,
    /// The pool that hands out idle connections untested, if this set-up is one.
    pub untested_pool: fn(&ClientSetup, &SetupContext) -> Option<UntestedPool>,
    /// An explicit connect timeout, in seconds, with the setting that gives it.
    pub connect_timeout: fn(&ClientSetup) -> Option<(&Setting, f64)>,
    /// The settings sent as startup parameters.
    pub startup_parameters: fn(&ClientSetup) -> Vec<StartupParam<'_>>,
    /// Its name as a SQLAlchemy DBAPI (`postgresql+asyncpg://`), and how it reads the
    /// query parameters SQLAlchemy hands it.
    pub dbapi: Option<(&'static str, QueryParams)>,
}

/// How a driver reads the query parameters of a SQLAlchemy URL.
#[derive(Clone, Copy)]
pub(crate) enum QueryParams {
    /// As libpq reads a URL (SQLAlchemy hands it to libpq).
    Libpq,
    /// As keyword arguments of its `connect()`: an unknown one is a `TypeError`.
    KeywordArguments {
        /// Whether `connect()` takes this one.
        accepts: fn(&str) -> bool,
        /// What to write instead of one it does not take.
        instead: fn(&str) -> &'static str,
    },
}

/// What a set-up's URL says, for the facts that depend on it.
pub(crate) struct UrlFacts<'u> {
    /// The SQLAlchemy DBAPI the URL names (`psycopg`, `asyncpg`), if any.
    pub dbapi: Option<&'u str>,
    /// Whether the URL's query sets this parameter to `0`.
    pub zero_in_query: &'u dyn Fn(&str) -> bool,
}

/// What the file around a set-up says.
pub(crate) struct SetupContext {
    /// The file imports Alembic: its `env.py` builds an engine for one migration run.
    pub one_migration_run: bool,
}

/// Every Python driver.
static DRIVERS: &[&PyDriver] = &[
    &psycopg2::PSYCOPG2,
    &psycopg::PSYCOPG,
    &psycopg_pool::PSYCOPG_POOL,
    &asyncpg::ASYNCPG,
    &sqlalchemy::SQLALCHEMY,
    &django::DJ_DATABASE_URL,
    &aiopg::AIOPG,
];

/// The set-up call imported under qualified name `q`, with its driver.
pub(crate) fn entry(q: &str) -> Option<(&'static PyDriver, &'static EntryPoint)> {
    DRIVERS.iter().find_map(|d| {
        d.entry_points
            .iter()
            .find(|e| e.paths.contains(&q))
            .map(|e| (*d, e))
    })
}

/// The driver SQLAlchemy hands a `postgresql+<name>://` URL to.
pub(crate) fn dbapi(name: &str) -> Option<QueryParams> {
    DRIVERS
        .iter()
        .find_map(|d| d.dbapi.filter(|(n, _)| *n == name).map(|(_, q)| q))
}

/// The driver file a Python set-up belongs to: the one whose entry point made it, else
/// the first of its driver (Django `DATABASES` entries have no call).
pub(crate) fn of(c: &ClientSetup) -> Option<&'static PyDriver> {
    DRIVERS
        .iter()
        .copied()
        .find(|d| d.driver == c.driver && d.entry_points.iter().any(|e| e.api == c.api))
        .or_else(|| DRIVERS.iter().copied().find(|d| d.driver == c.driver))
}

/// The first of these settings that holds a plain number of seconds.
fn seconds_of<'a>(c: &'a ClientSetup, names: &[&str]) -> Option<(&'a Setting, f64)> {
    names.iter().find_map(|n| {
        let s = c.setting(n)?;
        Some((s, seconds(&s.value)?))
    })
}

/// Seconds in a setting value, when it is a plain number.
pub(crate) fn seconds(v: &str) -> Option<f64> {
    v.trim().trim_matches(['"', '\'']).parse::<f64>().ok()
}

/// Whether a setting value means zero (`0`, `"0"`).
pub(crate) fn is_zero(v: &str) -> bool {
    v.trim().trim_matches(['"', '\'']) == "0"
}

/// Whether a setting value is Python's `None`.
pub(crate) fn is_none(v: &str) -> bool {
    v.trim() == "None"
}

/// Whether a setting value is Python's `True`.
pub(crate) fn is_true(v: &str) -> bool {
    matches!(v.trim(), "True" | "true" | "1")
}

/// Whether `prepare_threshold` (under `prefix`) is `None`, psycopg 3's only way to stop
/// preparing (`0` prepares every query).
fn psycopg_prepares(c: &ClientSetup, name: &str, switch_off: &'static str) -> StatementCache {
    if c.setting(name).is_some_and(|s| is_none(&s.value)) {
        StatementCache::Off
    } else {
        StatementCache::On {
            what: "psycopg's prepared statements",
            switch_off: vec![switch_off],
        }
    }
}

/// The `options` strings among these settings: libpq sends them in the startup packet.
fn options_strings<'a>(c: &'a ClientSetup, names: &[&str]) -> Vec<StartupParam<'a>> {
    c.settings
        .iter()
        .filter(|s| names.contains(&s.name.as_str()))
        .map(|s| StartupParam::options(s, &s.value))
        .collect()
}

/// asyncpg's `server_settings` entries under `prefix`: each one a startup parameter.
fn server_settings<'a>(c: &'a ClientSetup, prefix: &str) -> Vec<StartupParam<'a>> {
    c.settings
        .iter()
        .filter_map(|s| {
            let k = s.name.strip_prefix(prefix)?;
            (!k.contains('.')).then(|| StartupParam::parameter(s, k))
        })
        .collect()
}

/// For drivers without a statement cache.
fn no_cache(_: &ClientSetup, _: &UrlFacts) -> StatementCache {
    StatementCache::Off
}

/// For set-ups that are not pools.
fn not_a_pool(_: &ClientSetup, _: &SetupContext) -> Option<UntestedPool> {
    None
}
