//! postgres.js (`postgres`, 3.x): `const sql = postgres(url?, options?)`, imported as
//! `import postgres from "postgres"` or `require("postgres")`.
//!
//! - Options win over URL values; `sslmode` in the URL becomes `ssl`.
//! - `ssl: "require" | "allow" | "prefer"` encrypt without checking the certificate;
//!   `true`, `"verify-full"` or an object verify (unless `rejectUnauthorized: false`);
//!   `false` / `"disable"` are plaintext (url-dialects.md § 10).
//! - `prepare` defaults to **true**: every static query becomes a named protocol-level
//!   prepared statement, kept per server connection. `prepare: false` (or `?prepare=false`
//!   in the URL) turns it off.
//! - `connect_timeout` is in seconds (default 30).
//! - Every key of `connection: { ... }` is a startup parameter (`search_path`,
//!   `statement_timeout`, `options`).

use super::{
    number, query_param, reject_unauthorized_off, reject_unauthorized_off_in_options, unquoted,
    Found, JsDriver, Tls,
};
use crate::extract::js::Call;
use crate::site::{ClientSetup, Driver, Setting, UrlSource};

pub(super) static POSTGRES_JS: JsDriver = JsDriver {
    driver: Some(Driver::PostgresJs),
    recognise,
    tls,
    verification_off: reject_unauthorized_off_in_options,
    url_verification_off: super::url_verifies,
    named_statements,
    connect_timeout,
    startup_parameters,
    sql_methods: &["unsafe", super::TAGGED],
    runs_migrations: super::no_migrations,
    tcp_modules: &["postgres"],
};

fn recognise(c: &Call) -> Option<Found> {
    if c.module != "postgres" || c.is_new || !matches!(c.export.as_str(), "default" | "*") {
        return None;
    }
    Some(client(c, 0, "postgres()".into()))
}

/// `(url, options)` or `(options)` from argument `at` on (Drizzle's `postgres-js` entry
/// passes its `connection` the same way).
pub(super) fn client(c: &Call, at: usize, api: String) -> Found {
    let (url, options) = match c.arg(at) {
        Some(a) if c.object(a).is_none() => (c.url(a), c.arg(at + 1).and_then(|o| c.object(o))),
        Some(a) => (UrlSource::Unknown, c.object(a)),
        None => (UrlSource::Unknown, None),
    };
    Found::Client {
        driver: Driver::PostgresJs,
        api,
        url,
        settings: options.map(|o| c.settings(o)).unwrap_or_default(),
    }
}

fn tls(c: &ClientSetup) -> Tls {
    let Some(ssl) = c.setting("ssl") else {
        return Tls::Unset;
    };
    match unquoted(&ssl.value) {
        "false" | "disable" | "0" | "null" | "undefined" => Tls::Off,
        "require" | "allow" | "prefer" => Tls::On { verified: false },
        _ => Tls::On {
            verified: reject_unauthorized_off(c).is_none(),
        },
    }
}

/// Unless `prepare: false` (or `?prepare=false`), postgres.js names its statements.
fn named_statements(c: &ClientSetup, url: &str) -> bool {
    let off = |v: &str| matches!(unquoted(v), "false" | "0" | "disable");
    if let Some(p) = c.setting("prepare") {
        return !off(&p.value);
    }
    if c.setting("no_prepare").is_some_and(|p| !off(&p.value)) {
        return false;
    }
    !query_param(url, "prepare").is_some_and(off)
}

fn connect_timeout(c: &ClientSetup) -> Option<(&Setting, f64)> {
    let s = c.setting("connect_timeout")?;
    let secs = number(&s.value)?;
    (secs > 0.0).then_some((s, secs))
}

fn startup_parameters(c: &ClientSetup) -> Vec<&Setting> {
    c.settings
        .iter()
        .filter(|s| {
            s.name
                .strip_prefix("connection.")
                .is_some_and(|k| !k.contains('.'))
        })
        .collect()
}
