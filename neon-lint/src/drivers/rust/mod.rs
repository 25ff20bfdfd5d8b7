//! What each Rust driver's settings mean, one file per driver: which builder settings are
//! its connect timeout, how it parses a connection string, whether it takes a TLS
//! connector, what its pool does with idle connections, what it sends in the startup
//! packet, and which settings hold SQL it runs on every connection. The Rust front end
//! (`extract/rust/flow`) recognises the set-up calls; the rules read these facts through
//! [`of`].
//!
//! Adding a driver: a file here, a line in [`DRIVERS`], and a [`Driver`] variant.

mod bb8;
mod deadpool;
mod diesel;
mod diesel_async;
mod postgres;
mod r2d2;
mod refinery;
mod sea_orm;
mod sqlx;
mod tokio_postgres;

use neon_lint_core::conninfo::Param;

use super::{NamedStatements, StartupParam, UntestedPool};
use crate::site::{ClientSetup, ConnectionUse, Driver};

/// One Rust driver's knowledge.
pub(crate) struct RustDriver {
    /// The driver this file describes.
    pub driver: Driver,
    /// Its set-up calls of the form `Type::function(url, ...)` (the Rust front end matches
    /// them; calls that need more than a path and arguments stay there).
    pub entry_points: &'static [RustEntry],
    /// Builder settings that bound connecting (`connect_timeout`, `acquire_timeout`).
    pub connect_timeout_settings: &'static [&'static str],
    /// How it parses the connection strings it is given, when it parses them itself.
    pub url_parser: Option<&'static UrlParser>,
    /// Whether its set-up takes a TLS connector argument (`NoTls`, `MakeTlsConnector`).
    pub takes_tls_connector: bool,
    /// The pool that hands out idle connections untested, if this set-up is one.
    pub untested_pool: fn(&ClientSetup) -> Option<UntestedPool>,
    /// The settings sent in the startup packet.
    pub startup_parameters: fn(&ClientSetup) -> Vec<StartupParam<'_>>,
    /// The named prepared statements this set-up keeps per connection, given the
    /// project's uses of connections (a cache switched off after connecting).
    pub named_statements: fn(&ClientSetup, &[ConnectionUse]) -> Option<NamedStatements>,
    /// Uses of its connections that keep a named statement (`prepare_cached`), with what
    /// a finding says of each.
    pub named_statement_uses: &'static [(&'static str, NamedStatements)],
    /// Settings whose SQL runs on every connection it opens or hands out
    /// (`after_connect`, deadpool's `post_create`).
    pub connection_hooks: &'static [&'static str],
    /// Settings that change session state on every connection, with what they do
    /// (`set_schema_search_path`: `SET search_path`).
    pub session_settings: &'static [(&'static str, &'static str)],
}

/// A set-up call `Type::function(url, ...)`: the URL (or an options value holding it) is
/// the first argument.
pub(crate) struct RustEntry {
    /// The type the function belongs to, any of these (the path's last-but-one segment).
    pub types: &'static [&'static str],
    /// The functions.
    pub functions: &'static [&'static str],
    /// What the path must say of its crate.
    pub crates: CrateMatch,
    /// Skipped when the type's generics name another backend
    /// (`ConnectionManager<MysqlConnection>`).
    pub postgres_only: bool,
    /// How many arguments it takes.
    pub args: Args,
    /// The name findings show: this, or [`RustEntry::api_prefix`] `::` the function.
    pub api: Option<&'static str>,
    /// See [`RustEntry::api`].
    pub api_prefix: &'static str,
    /// What the call makes.
    pub makes: Makes,
    /// Where the set-up's settings are, in order.
    pub settings: &'static [SettingsFrom],
}

/// What a call's path must say of its crate.
#[derive(Clone, Copy)]
pub(crate) enum CrateMatch {
    /// The type's name is enough.
    Any,
    /// The path names one of these crates.
    Named(&'static [&'static str]),
    /// The path names one of these crates, or is a bare `Type::function` of a type the
    /// file does not define itself.
    NamedOrImported(&'static [&'static str]),
    /// This type's name is enough; the others need one of the crates, or this generic
    /// argument (`Pool<Postgres>`).
    TypeOr {
        /// The type that is enough alone.
        ty: &'static str,
        /// Crates that make the other types the driver's.
        crates: &'static [&'static str],
        /// A generic argument that does too.
        generic: &'static str,
    },
}

/// How many arguments a call takes.
#[derive(Clone, Copy)]
pub(crate) enum Args {
    /// Any number.
    Any,
    /// At least this many.
    AtLeast(usize),
    /// Exactly this many.
    Exactly(usize),
}

/// What a set-up call makes.
#[derive(Clone, Copy)]
pub(crate) enum Makes {
    /// A connection or a pool.
    Handle,
    /// A connection manager a pool is built from.
    Manager,
}

/// Where a set-up's settings are.
#[derive(Clone, Copy)]
pub(crate) enum SettingsFrom {
    /// The settings of the options value at this argument.
    Arg(usize),
    /// The same, only for the function of this name.
    ArgOf(usize, &'static str),
    /// The same, only for functions whose name ends with this (`connect_with`).
    ArgWhenEndsWith(usize, &'static str),
    /// The TLS connector at this argument.
    Tls(usize),
    /// A setting recorded for the function of this name: (function, name, value).
    Marker(&'static str, &'static str, &'static str),
}

/// `PostgresConnectionManager::new(config, tls)` / `new_from_stringlike(url, tls)`, the
/// manager bb8-postgres and r2d2_postgres share the shape of.
const fn postgres_connection_manager(crates: CrateMatch) -> RustEntry {
    RustEntry {
        types: &["PostgresConnectionManager"],
        functions: &["new", "new_from_stringlike"],
        crates,
        postgres_only: false,
        args: Args::Any,
        api: None,
        api_prefix: "PostgresConnectionManager",
        makes: Makes::Manager,
        settings: &[SettingsFrom::Tls(1)],
    }
}

/// `Client::connect(url, tls)` / `configure`, of postgres and of tokio-postgres.
const fn client_connect(crates: CrateMatch) -> RustEntry {
    RustEntry {
        types: &["Client"],
        functions: &["connect", "configure"],
        crates,
        postgres_only: false,
        args: Args::Exactly(2),
        api: Some("postgres::Client::connect"),
        api_prefix: "Client",
        makes: Makes::Handle,
        settings: &[SettingsFrom::Tls(1)],
    }
}

/// Every set-up call of every Rust driver, in the order they are tried.
pub(crate) fn entry_points() -> impl Iterator<Item = (Driver, &'static RustEntry)> {
    DRIVERS
        .iter()
        .flat_map(|d| d.entry_points.iter().map(move |e| (d.driver, e)))
}

/// A connection-string parser other than libpq's (tokio-postgres', sqlx's, refinery's).
pub(crate) struct UrlParser {
    /// The crate whose parser it is, as messages name it.
    pub name: &'static str,
    /// What the parser does with a parameter it rejects or misreads: (what is wrong, the
    /// error the driver gives). `written` is true when the parameter is in the string
    /// itself (not defaulted from the environment).
    pub rejects: fn(&Param, bool) -> Option<(String, String)>,
    /// What to write instead of a rejected parameter.
    pub help: fn(&str) -> String,
    /// Whether it reads `connect_timeout` from the string.
    pub reads_connect_timeout: bool,
}

/// Every Rust driver.
static DRIVERS: &[&RustDriver] = &[
    &sqlx::SQLX,
    &sea_orm::SEA_ORM,
    &tokio_postgres::TOKIO_POSTGRES,
    &postgres::POSTGRES,
    &deadpool::DEADPOOL,
    // r2d2 before bb8: both name `PostgresConnectionManager`, and bb8's entry also takes
    // a bare path.
    &r2d2::R2D2,
    &bb8::BB8,
    &diesel::DIESEL,
    &diesel_async::DIESEL_ASYNC,
    &refinery::REFINERY,
];

/// The knowledge of a Rust driver.
pub(crate) fn of(driver: Driver) -> Option<&'static RustDriver> {
    DRIVERS.iter().copied().find(|d| d.driver == driver)
}

/// The named statement a use of a connection keeps on it, if it keeps one: by its
/// driver, or, when the driver is not known, by any driver's.
pub(crate) fn use_named_statement(u: &ConnectionUse) -> Option<&'static NamedStatements> {
    DRIVERS
        .iter()
        .filter(|d| u.driver.is_none_or(|ud| ud == d.driver))
        .flat_map(|d| d.named_statement_uses.iter())
        .find(|(api, _)| *api == u.api)
        .map(|(_, n)| n)
}

/// For drivers that keep no named statements across queries.
fn no_named_statements(_: &ClientSetup, _: &[ConnectionUse]) -> Option<NamedStatements> {
    None
}

/// Whether an `options` text sets server settings (`-c key=value`, `--key=value`).
fn sets_server_settings(options: &str) -> bool {
    options
        .split(|c: char| c.is_ascii_whitespace())
        .any(|w| w.starts_with("-c") || w.starts_with("--"))
}

/// For set-ups that are not pools, or pools that test what they hand out.
fn not_a_pool(_: &ClientSetup) -> Option<UntestedPool> {
    None
}

/// For drivers that send nothing of their own in the startup packet.
fn no_startup_parameters(_: &ClientSetup) -> Vec<StartupParam<'_>> {
    Vec::new()
}

/// `Config::options("-c ...")` (tokio-postgres, postgres) and deadpool's `options`
/// field: the string goes in the startup packet as `options` (settings hold source text,
/// quotes included).
fn options_text(c: &ClientSetup) -> Vec<StartupParam<'_>> {
    c.settings
        .iter()
        .filter(|s| s.name == "options" && sets_server_settings(&s.value.replace(['"', '\''], " ")))
        .map(|s| StartupParam {
            setting: s,
            sends: super::Sends::ServerSettings,
        })
        .collect()
}

/// r2d2 and bb8 (also diesel's r2d2 manager): `test_on_check_out(false)` hands out idle
/// connections untested (the default, `true`, runs a query first).
fn test_on_check_out_off(c: &ClientSetup) -> Option<UntestedPool> {
    let s = c
        .setting("test_on_check_out")
        .filter(|s| s.value.trim() == "false")?;
    Some(UntestedPool {
        span: s.span.clone(),
        what: "`test_on_check_out(false)` hands out idle connections untested".into(),
        label: "no health check on checkout",
        help: "keep `test_on_check_out(true)` (the default)",
        notices_closed: false,
    })
}

/// Whether the "set-up" is a TLS connector being built (`MakeTlsConnector::new`), recorded
/// for its certificate settings: it parses no connection string itself.
pub(crate) fn is_tls_connector(c: &ClientSetup) -> bool {
    c.api.starts_with("Make") && c.api.ends_with("::new")
}

/// Seconds in a duration as written: `Duration::from_secs(2)`, `from_millis(1500)`,
/// `Duration::new(2, 0)`, `from_secs_f64(0.5)`, `Some(...)`, a bare number of seconds
/// (`connect_timeout=2`, Python's `timeout=2`). `None` when it says no timeout or cannot
/// be read.
pub(crate) fn duration_secs(value: &str) -> Option<f64> {
    let v: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let v = v
        .strip_prefix("Some(")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(&v);
    if let Ok(n) = v.trim_matches(['"', '\'']).parse::<f64>() {
        return Some(n);
    }
    let (func, arg) = v
        .rsplit_once("::")
        .map(|(_, f)| f)
        .unwrap_or(v)
        .split_once('(')?;
    let arg = arg.strip_suffix(')')?;
    let num = |s: &str| {
        s.replace('_', "")
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .parse::<f64>()
            .ok()
    };
    match func {
        "from_secs" | "from_secs_f64" | "from_secs_f32" => num(arg),
        "from_millis" => num(arg).map(|n| n / 1000.0),
        "from_micros" => num(arg).map(|n| n / 1e6),
        "from_nanos" => num(arg).map(|n| n / 1e9),
        "from_mins" => num(arg).map(|n| n * 60.0),
        "new" => {
            let (s, ns) = arg.split_once(',')?;
            Some(num(s)? + num(ns)? / 1e9)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::duration_secs;

    #[test]
    fn reads_durations() {
        assert_eq!(duration_secs("Duration::from_secs(2)"), Some(2.0));
        assert_eq!(
            duration_secs("Some(std::time::Duration::from_millis(1500))"),
            Some(1.5)
        );
        assert_eq!(duration_secs("Duration::new(3, 500_000_000)"), Some(3.5));
        assert_eq!(duration_secs("2"), Some(2.0));
        assert_eq!(duration_secs("None"), None);
        assert_eq!(duration_secs("timeout"), None);
    }
}
