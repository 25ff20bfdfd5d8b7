//! What each JavaScript driver is, in one file per driver: how its set-up calls look
//! (recognised over the JS front end's [`Call`] view) and what its options mean to the
//! rules (TLS beside the URL, certificate checks, named prepared statements, connect
//! timeout). Rules ask [`of`] and never spell a driver's option names themselves.
//!
//! Adding a driver: a file here, a line in [`DRIVERS`], and a [`Driver`] variant when it
//! is a client of its own (wrappers such as Drizzle reuse their client's).

mod drizzle;
mod knex;
mod kysely;
mod neon_serverless;
mod pg;
mod postgres_js;
mod prisma_adapters;
mod prisma_client;
mod sequelize;
mod typeorm;
mod vercel_postgres;

use crate::extract::js::Call;
use crate::site::{ClientSetup, Driver, Setting, UrlSource};

/// What a driver file makes of a call.
#[derive(Debug, Clone)]
pub(crate) enum Found {
    /// A client, pool or engine being created.
    Client {
        driver: Driver,
        api: String,
        url: UrlSource,
        settings: Vec<Setting>,
    },
    /// A wrapper around a client built elsewhere (`drizzle(pool)`): not a set-up of its
    /// own, but its URL is its client's.
    Handle { url: UrlSource },
    /// Schema migrations run here.
    Migration { tool: String, url: UrlSource },
    /// A client that connects over TCP whatever module it was imported from (Prisma
    /// Client on its own query engine): what edge code cannot run.
    TcpClient { api: String },
}

/// No known connection string.
static UNKNOWN: UrlSource = UrlSource::Unknown;

impl Found {
    /// A client made from a connection string alone (`drizzle(url)`, `new PrismaPg(url)`).
    pub(crate) fn from_url(driver: Driver, api: String, url: UrlSource) -> Found {
        Found::Client {
            driver,
            api,
            url,
            settings: Vec::new(),
        }
    }

    /// The connection string this client, wrapper or run uses.
    pub(crate) fn url(&self) -> &UrlSource {
        match self {
            Found::Client { url, .. } | Found::Handle { url } | Found::Migration { url, .. } => url,
            Found::TcpClient { .. } => &UNKNOWN,
        }
    }
}

/// What a client's options say about TLS, beside whatever its URL says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tls {
    /// Nothing: the URL (or the driver's default) decides.
    Unset,
    /// Turned off in the options (`ssl: false`).
    Off,
    /// Turned on in the options; `verified` when certificates are checked.
    On { verified: bool },
    /// The transport is HTTPS or a secure WebSocket whatever the options say
    /// (`@neondatabase/serverless`).
    Transport,
}

/// One driver's knowledge.
pub(crate) struct JsDriver {
    /// The client driver this file describes; `None` for wrappers (Drizzle).
    pub driver: Option<Driver>,
    /// Recognises the driver's calls.
    pub recognise: fn(&Call) -> Option<Found>,
    /// What the options of a set-up say about TLS.
    pub tls: fn(&ClientSetup) -> Tls,
    /// The setting that turns certificate checks off, if any, given the values the URL
    /// can take (empty: unknown).
    pub verification_off: for<'a> fn(&'a ClientSetup, &[&str]) -> Option<&'a Setting>,
    /// The URL parameter (as written, `sslmode=no-verify`) that turns certificate checks
    /// off where this driver reads the URL, if any.
    pub url_verification_off: fn(&str) -> Option<&'static str>,
    /// Whether the client prepares named statements (kept per server connection) with
    /// these settings and this URL.
    pub named_statements: fn(&ClientSetup, &str) -> bool,
    /// An explicit connect timeout, in seconds, with the setting that gives it.
    pub connect_timeout: fn(&ClientSetup) -> Option<(&Setting, f64)>,
    /// The settings sent as startup parameters; the parameter is the last dotted part of
    /// the name (`connection.search_path` sends `search_path`).
    pub startup_parameters: fn(&ClientSetup) -> Vec<&Setting>,
    /// Methods of the client that run the SQL text of their first argument (`query`,
    /// `unsafe`); [`TAGGED`] when calling the client as a tag (`` sql`...` ``) does.
    pub sql_methods: &'static [&'static str],
    /// The migration tool, and the setting that says so, when a set-up also runs the
    /// schema migrations as it starts.
    pub runs_migrations: for<'a> fn(&'a ClientSetup) -> Option<(String, &'a Setting)>,
    /// Modules whose import means the code opens TCP sockets (Node's `net`/`tls`) to the
    /// database: what an edge runtime cannot do. Empty for HTTP/WebSocket drivers and for
    /// wrappers that take a client built by another driver.
    pub tcp_modules: &'static [&'static str],
}

/// What a driver file says when it says nothing of its own about TLS, timeouts,
/// statements or startup parameters (wrappers of clients other drivers build: ORMs, query
/// builders). Files start from this and say what they add
/// (`JsDriver { recognise, ..DEFAULTS }`).
pub(super) const DEFAULTS: JsDriver = JsDriver {
    driver: None,
    recognise: |_| None,
    tls: unset,
    verification_off: no_setting,
    url_verification_off: url_verifies,
    named_statements: never,
    connect_timeout: no_timeout,
    startup_parameters: no_startup_parameters,
    sql_methods: &[],
    runs_migrations: no_migrations,
    tcp_modules: &[],
};

/// Whether every value of the URL carries `sslmode`, `sslrootcert`, `sslcert` or
/// `sslkey`: pg-connection-string then replaces the whole `ssl` option with its own
/// (url-dialects.md § 8), so the options' `rejectUnauthorized` is dead. `false` when no
/// value is known.
pub(super) fn url_replaces_ssl(urls: &[&str]) -> bool {
    let replaced = |u: &str| {
        ["sslmode", "sslrootcert", "sslcert", "sslkey"]
            .iter()
            .any(|k| query_param(u, k).is_some())
    };
    !urls.is_empty() && urls.iter().all(|u| replaced(u))
}

/// In [`JsDriver::sql_methods`]: the client is a template tag that runs its template.
pub(crate) const TAGGED: &str = "`";

/// Every JavaScript driver, tried in order on each imported call.
static DRIVERS: &[&JsDriver] = &[
    &pg::PG,
    &postgres_js::POSTGRES_JS,
    &neon_serverless::NEON_SERVERLESS,
    &drizzle::DRIZZLE,
    &prisma_adapters::PRISMA_ADAPTERS,
    &prisma_client::PRISMA_CLIENT,
    &kysely::KYSELY,
    &knex::KNEX,
    &typeorm::TYPEORM,
    &sequelize::SEQUELIZE,
    &vercel_postgres::VERCEL_POSTGRES,
];

/// What any driver makes of `call`.
pub(crate) fn recognise(call: &Call) -> Option<Found> {
    DRIVERS.iter().find_map(|d| (d.recognise)(call))
}

/// The driver module an import of `module` opens TCP connections through, if any (a
/// subpath such as `pg/lib/client` or `drizzle-orm/node-postgres/migrator` is its
/// package's).
pub(crate) fn tcp_module(module: &str) -> Option<&'static str> {
    DRIVERS
        .iter()
        .flat_map(|d| d.tcp_modules.iter())
        .copied()
        .find(|m| {
            module == *m
                || module
                    .strip_prefix(m)
                    .is_some_and(|rest| rest.starts_with('/'))
        })
}

/// The knowledge of a JavaScript client driver.
pub(crate) fn of(driver: Driver) -> Option<&'static JsDriver> {
    DRIVERS.iter().copied().find(|d| d.driver == Some(driver))
}

/// A setting value without its quotes (`'require'` -> `require`).
pub(crate) fn unquoted(v: &str) -> &str {
    v.trim().trim_matches('\'')
}

/// A number as JavaScript source writes it (`5_000`, `2e3`), when it is a literal.
pub(crate) fn number(v: &str) -> Option<f64> {
    unquoted(v).replace('_', "").parse::<f64>().ok()
}

/// `rejectUnauthorized: false` under `ssl` (Node's `tls.connect` option), whatever the URL.
fn reject_unauthorized_off_in_options<'a>(
    c: &'a ClientSetup,
    _urls: &[&str],
) -> Option<&'a Setting> {
    reject_unauthorized_off(c)
}

/// `rejectUnauthorized: false` under `ssl` (Node's `tls.connect` option).
fn reject_unauthorized_off(c: &ClientSetup) -> Option<&Setting> {
    c.setting("ssl.rejectUnauthorized")
        .filter(|s| matches!(unquoted(&s.value), "false" | "0" | "" | "null"))
}

/// The value of `key` in the query of a URL (`?prepare=false`), as written.
pub(crate) fn query_param<'a>(url: &'a str, key: &str) -> Option<&'a str> {
    let (_, query) = url.split_once('?')?;
    query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
        (k == key).then_some(v)
    })
}

fn no_setting<'a>(_: &'a ClientSetup, _: &[&str]) -> Option<&'a Setting> {
    None
}

fn no_timeout(_: &ClientSetup) -> Option<(&Setting, f64)> {
    None
}

fn no_migrations(_: &ClientSetup) -> Option<(String, &Setting)> {
    None
}

fn url_verifies(_: &str) -> Option<&'static str> {
    None
}

fn no_startup_parameters(_: &ClientSetup) -> Vec<&Setting> {
    Vec::new()
}

fn unset(_: &ClientSetup) -> Tls {
    Tls::Unset
}

fn never(_: &ClientSetup, _: &str) -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_query_params_and_numbers() {
        assert_eq!(
            query_param("postgres://h/d?a=1&prepare=false", "prepare"),
            Some("false")
        );
        assert_eq!(query_param("postgres://h/d", "prepare"), None);
        assert_eq!(number("5_000"), Some(5000.0));
        assert_eq!(number("${X}"), None);
    }
}
