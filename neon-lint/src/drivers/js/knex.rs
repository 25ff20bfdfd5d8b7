//! Knex (`knex`, `client: "pg"`): `knex({ client, connection })`, imported as
//! `import knex from "knex"` or called as `require("knex")({ ... })`.
//!
//! Knex hands `connection` to node-postgres (`connectionString` first, else the host
//! fields, and `ssl` as pg reads it), so the set-up is recorded as a pg client whose
//! settings are the `connection` object's (js-drivers.md § 6). `knexfile.js` exports and
//! `knex migrate:latest` are not read yet.

use super::{Found, JsDriver};
use crate::extract::js::Call;
use crate::site::{Driver, UrlSource};

pub(super) static KNEX: JsDriver = JsDriver {
    recognise,
    tcp_modules: &["knex"],
    ..super::DEFAULTS
};

fn recognise(c: &Call) -> Option<Found> {
    if c.module != "knex" || c.is_new || !matches!(c.export.as_str(), "default" | "*" | "knex") {
        return None;
    }
    let config = c.object(c.arg(0)?)?;
    let client = c.prop(config, "client")?;
    let client = c.url(client);
    let pg = matches!(&client, UrlSource::Literal { text, .. }
        if matches!(text.as_str(), "pg" | "postgres" | "postgresql"));
    if !pg {
        return None;
    }
    let api = "knex({ client: 'pg' })".to_string();
    let Some(conn) = c.prop(config, "connection") else {
        return Some(Found::Client {
            driver: Driver::NodePostgres,
            api,
            url: UrlSource::Unknown,
            settings: Vec::new(),
        });
    };
    let (url, settings) = match c.object(conn) {
        Some(o) => (
            c.prop(o, "connectionString")
                .map_or(UrlSource::Unknown, |v| c.url(v)),
            c.settings(o),
        ),
        None => (c.url(conn), Vec::new()),
    };
    Some(Found::Client {
        driver: Driver::NodePostgres,
        api,
        url,
        settings,
    })
}
