//! TypeORM (`typeorm` 0.3, `type: "postgres"`): `new DataSource({ ... })` (and the older
//! `createConnection({ ... })`).
//!
//! TypeORM builds a node-postgres pool from its options (js-drivers.md § 6,
//! url-dialects.md § 12): `url` becomes `connectionString` (so `sslmode` in it replaces
//! `ssl`, as in pg), `ssl` is pg's, `connectTimeoutMS` becomes `connectionTimeoutMillis`,
//! and `extra` is spread into the pool config last (`extra.ssl` wins over `ssl`).
//! `migrationsRun: true` runs the pending migrations on every `initialize()`, on whatever
//! host the application uses.

use super::{number, unquoted, Found, JsDriver, Tls};
use crate::extract::js::Call;
use crate::site::{ClientSetup, Driver, Setting, UrlSource};

pub(super) static TYPEORM: JsDriver = JsDriver {
    driver: Some(Driver::TypeOrm),
    recognise,
    tls,
    verification_off,
    url_verification_off: super::url_verifies,
    named_statements: super::never,
    connect_timeout,
    startup_parameters,
    sql_methods: &["query"],
    runs_migrations,
    tcp_modules: &["typeorm"],
};

fn recognise(c: &Call) -> Option<Found> {
    if c.module != "typeorm" {
        return None;
    }
    let api = match (c.export.as_str(), c.is_new) {
        ("DataSource", true) => "new DataSource({ type: 'postgres' })",
        ("createConnection", false) => "createConnection({ type: 'postgres' })",
        _ => return None,
    };
    let options = c.object(c.arg(0)?)?;
    let kind = c.url(c.prop(options, "type")?);
    if !matches!(&kind, UrlSource::Literal { text, .. } if text == "postgres") {
        return None;
    }
    Some(Found::Client {
        driver: Driver::TypeOrm,
        api: api.into(),
        url: c
            .prop(options, "url")
            .map_or(UrlSource::Unknown, |v| c.url(v)),
        settings: c.settings(options),
    })
}

/// `extra.ssl` (spread last into pg's config) or `ssl`.
fn ssl_prefix(c: &ClientSetup) -> &'static str {
    if c.setting("extra.ssl").is_some() {
        "extra.ssl"
    } else {
        "ssl"
    }
}

fn tls(c: &ClientSetup) -> Tls {
    let prefix = ssl_prefix(c);
    let Some(ssl) = c.setting(prefix) else {
        return Tls::Unset;
    };
    match unquoted(&ssl.value) {
        "false" | "0" | "null" | "undefined" | "" => Tls::Off,
        _ => Tls::On {
            verified: off(c, prefix).is_none(),
        },
    }
}

fn off<'a>(c: &'a ClientSetup, prefix: &str) -> Option<&'a Setting> {
    c.setting(&format!("{prefix}.rejectUnauthorized"))
        .filter(|s| matches!(unquoted(&s.value), "false" | "0" | "" | "null"))
}

/// As pg: dead when every value of the URL carries `sslmode` (or the other TLS keys).
fn verification_off<'a>(c: &'a ClientSetup, urls: &[&str]) -> Option<&'a Setting> {
    if super::url_replaces_ssl(urls) {
        return None;
    }
    off(c, ssl_prefix(c))
}

/// `connectTimeoutMS` (or pg's own in `extra`), in seconds.
fn connect_timeout(c: &ClientSetup) -> Option<(&Setting, f64)> {
    let s = c
        .setting("extra.connectionTimeoutMillis")
        .or(c.setting("connectTimeoutMS"))?;
    let ms = number(&s.value)?;
    (ms > 0.0).then_some((s, ms / 1000.0))
}

/// pg's startup keys given through `extra`.
fn startup_parameters(c: &ClientSetup) -> Vec<&Setting> {
    c.settings
        .iter()
        .filter(|s| {
            s.name.strip_prefix("extra.").is_some_and(|k| {
                matches!(
                    k,
                    "options"
                        | "statement_timeout"
                        | "lock_timeout"
                        | "idle_in_transaction_session_timeout"
                )
            })
        })
        .collect()
}

fn runs_migrations(c: &ClientSetup) -> Option<(String, &Setting)> {
    let s = c
        .setting("migrationsRun")
        .filter(|s| unquoted(&s.value) == "true")?;
    Some(("TypeORM migrationsRun: true".to_string(), s))
}
