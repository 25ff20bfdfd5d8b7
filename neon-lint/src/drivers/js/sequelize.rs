//! Sequelize (`sequelize` 6, `dialect: "postgres"`): `new Sequelize(url, options)`,
//! `new Sequelize(database, username, password, options)` or `new Sequelize(options)`.
//!
//! Sequelize connects through node-postgres with `dialectOptions` as pg's config: TLS goes
//! in `dialectOptions.ssl` (a top-level `ssl` is not pg's), and for a URL, pg's parse of it
//! is assigned on top, so `sslmode` in the URL replaces `dialectOptions.ssl`
//! (js-drivers.md § 6, url-dialects.md § 12).

use super::{unquoted, Found, JsDriver, Tls};
use crate::extract::js::Call;
use crate::site::{ClientSetup, Driver, Setting, UrlSource};

pub(super) static SEQUELIZE: JsDriver = JsDriver {
    driver: Some(Driver::Sequelize),
    recognise,
    tls,
    verification_off,
    url_verification_off: super::url_verifies,
    named_statements: super::never,
    connect_timeout: super::no_timeout,
    startup_parameters: super::no_startup_parameters,
    sql_methods: &["query"],
    runs_migrations: super::no_migrations,
    tcp_modules: &["sequelize"],
};

fn recognise(c: &Call) -> Option<Found> {
    if c.module != "sequelize" || !c.is_new || !matches!(c.export.as_str(), "Sequelize" | "default")
    {
        return None;
    }
    let first = c.arg(0)?;
    // `(url, options?)`, `(options)`, or `(database, username, password, options)`.
    let (url, options) = match c.object(first) {
        Some(o) => (UrlSource::Unknown, Some(o)),
        None => match c.arg(3).and_then(|o| c.object(o)) {
            Some(o) => (UrlSource::Unknown, Some(o)),
            None => (c.url(first), c.arg(1).and_then(|o| c.object(o))),
        },
    };
    let postgres_url =
        matches!(&url, UrlSource::Literal { text, .. } if text.starts_with("postgres"));
    let dialect = options.and_then(|o| c.prop(o, "dialect")).map(|d| c.url(d));
    let postgres_dialect =
        matches!(&dialect, Some(UrlSource::Literal { text, .. }) if text == "postgres");
    if !postgres_url && !postgres_dialect {
        return None;
    }
    Some(Found::Client {
        driver: Driver::Sequelize,
        api: "new Sequelize()".into(),
        url,
        settings: options.map(|o| c.settings(o)).unwrap_or_default(),
    })
}

fn tls(c: &ClientSetup) -> Tls {
    let Some(ssl) = c.setting("dialectOptions.ssl") else {
        return Tls::Unset;
    };
    match unquoted(&ssl.value) {
        "false" | "0" | "null" | "undefined" | "" => Tls::Off,
        _ => Tls::On {
            verified: off(c).is_none(),
        },
    }
}

fn off(c: &ClientSetup) -> Option<&Setting> {
    c.setting("dialectOptions.ssl.rejectUnauthorized")
        .filter(|s| matches!(unquoted(&s.value), "false" | "0" | "" | "null"))
}

/// Dead when every value of the URL carries `sslmode` (or the other TLS keys).
fn verification_off<'a>(c: &'a ClientSetup, urls: &[&str]) -> Option<&'a Setting> {
    if super::url_replaces_ssl(urls) {
        return None;
    }
    off(c)
}
