//! node-postgres (`pg`, 8.x): `new Pool(config)`, `new Client(config | url)`, imported as
//! `import pg from "pg"` (`new pg.Pool`), `import { Pool } from "pg"` or
//! `const { Pool } = require("pg")`.
//!
//! - The URL goes in `connectionString` (or is the argument). pg reads no `DATABASE_URL`
//!   of its own: without one it reads `PG*` variables, so the URL is unknown.
//! - `ssl: true` and `ssl: {...}` hand the object to Node's `tls.connect`, whose
//!   `rejectUnauthorized` defaults to `true`: both verify. Only `rejectUnauthorized:
//!   false` turns checks off. `sslmode` in the URL replaces the whole `ssl` option
//!   (url-dialects.md § 9), so beside such a URL `rejectUnauthorized: false` is dead.
//! - `connectionTimeoutMillis` is the only connect timeout (default 0, none); the URL's
//!   `connect_timeout` is ignored.
//! - `options`, `statement_timeout`, `lock_timeout` and
//!   `idle_in_transaction_session_timeout` go in the startup packet.
//! - Unnamed parameterised queries use the unnamed statement; only `query({ name })`
//!   keeps named ones (not recognised yet).

use super::{never, number, query_param, reject_unauthorized_off, unquoted, Found, JsDriver, Tls};
use crate::extract::js::Call;
use crate::site::{ClientSetup, Driver, Setting, UrlSource};

pub(super) static PG: JsDriver = JsDriver {
    driver: Some(Driver::NodePostgres),
    recognise,
    tls,
    verification_off,
    url_verification_off,
    named_statements: never,
    connect_timeout,
    startup_parameters,
    sql_methods: &["query"],
    runs_migrations: super::no_migrations,
    tcp_modules: &["pg", "pg-pool"],
};

fn recognise(c: &Call) -> Option<Found> {
    if c.module != "pg" || !c.is_new || !matches!(c.export.as_str(), "Pool" | "Client") {
        return None;
    }
    Some(config_client(
        c,
        Driver::NodePostgres,
        format!("pg.{}", c.export),
    ))
}

/// A client configured the node-postgres way: `(url)` or `({ connectionString, ... })`
/// (also `@neondatabase/serverless`'s `Pool` and `Client`, which bundle pg's API).
pub(super) fn config_client(c: &Call, driver: Driver, api: String) -> Found {
    let (url, settings) = match c.arg(0) {
        None => (UrlSource::Unknown, Vec::new()),
        Some(a) => match c.object(a) {
            Some(obj) => (
                c.prop(obj, "connectionString")
                    .map_or(UrlSource::Unknown, |v| c.url(v)),
                c.settings(obj),
            ),
            None => (c.url(a), Vec::new()),
        },
    };
    Found::Client {
        driver,
        api,
        url,
        settings,
    }
}

/// pg's `ssl`: `false` off; anything else truthy goes to `tls.connect`, which verifies
/// unless `rejectUnauthorized: false`.
fn tls(c: &ClientSetup) -> Tls {
    let Some(ssl) = c.setting("ssl") else {
        return Tls::Unset;
    };
    match unquoted(&ssl.value) {
        "false" | "0" | "null" | "undefined" | "" => Tls::Off,
        _ => Tls::On {
            verified: reject_unauthorized_off(c).is_none(),
        },
    }
}

/// `rejectUnauthorized: false`, unless every value of the URL carries `sslmode`,
/// `sslrootcert`, `sslcert` or `sslkey`: pg-connection-string then replaces the whole `ssl`
/// option with its own (url-dialects.md § 8), and the setting is dead.
fn verification_off<'a>(c: &'a ClientSetup, urls: &[&str]) -> Option<&'a Setting> {
    if super::url_replaces_ssl(urls) {
        return None;
    }
    reject_unauthorized_off(c)
}

/// Config keys pg sends in the startup packet (url-dialects.md § 9); `application_name`
/// is one too, and passes the pooler.
const STARTUP: &[&str] = &[
    "options",
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "application_name",
];

pub(super) fn startup_parameters(c: &ClientSetup) -> Vec<&Setting> {
    c.settings
        .iter()
        .filter(|s| STARTUP.contains(&s.name.as_str()))
        .collect()
}

/// pg-connection-string's own `sslmode=no-verify`: `{ rejectUnauthorized: false }`.
fn url_verification_off(url: &str) -> Option<&'static str> {
    (query_param(url, "sslmode") == Some("no-verify")).then_some("sslmode=no-verify")
}

/// `connectionTimeoutMillis`, in seconds (0 means none).
pub(super) fn connect_timeout(c: &ClientSetup) -> Option<(&Setting, f64)> {
    let s = c.setting("connectionTimeoutMillis")?;
    let ms = number(&s.value)?;
    (ms > 0.0).then_some((s, ms / 1000.0))
}
