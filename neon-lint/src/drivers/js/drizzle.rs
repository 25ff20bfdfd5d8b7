//! Drizzle ORM (`drizzle-orm` 0.4x): `drizzle(...)` from an entry point that names the
//! client driver, and `migrate(db, { migrationsFolder })` from `<entry>/migrator`.
//!
//! | entry | client it builds from a string |
//! |---|---|
//! | `drizzle-orm/node-postgres` | `new pg.Pool({ connectionString })` |
//! | `drizzle-orm/postgres-js` | `postgres(url)` (so `prepare: true`) |
//! | `drizzle-orm/neon-http` | `neon(url)` |
//! | `drizzle-orm/neon-serverless` | `new Pool({ connectionString })` over WebSocket |
//!
//! `drizzle(url)` and `drizzle({ connection })` create that client (recorded as the
//! client's set-up); `drizzle(client)` and `drizzle({ client })` wrap one built elsewhere.
//! The migrators run every pending migration (in one transaction, except `neon-http`'s)
//! on the connection of the `db` they are given.

use super::{Found, JsDriver};
use crate::extract::js::Call;
use crate::site::{Driver, UrlSource};

pub(super) static DRIZZLE: JsDriver = JsDriver {
    recognise,
    tcp_modules: &["drizzle-orm/node-postgres", "drizzle-orm/postgres-js"],
    ..super::DEFAULTS
};

/// The client driver behind a Drizzle entry point.
fn entry_driver(entry: &str) -> Option<Driver> {
    Some(match entry {
        "node-postgres" => Driver::NodePostgres,
        "postgres-js" => Driver::PostgresJs,
        "neon-http" | "neon-serverless" => Driver::NeonServerless,
        _ => return None,
    })
}

fn recognise(c: &Call) -> Option<Found> {
    let path = c.module.strip_prefix("drizzle-orm/")?;
    match path.strip_suffix("/migrator") {
        Some(entry) if c.export == "migrate" => {
            entry_driver(entry)?;
            let url = c
                .arg(0)
                .and_then(|db| c.recognise(db))
                .map_or(UrlSource::Unknown, |f| f.url().clone());
            Some(Found::Migration {
                tool: format!("migrate() from drizzle-orm/{entry}/migrator"),
                url,
            })
        }
        Some(_) => None,
        None if c.export == "drizzle" => drizzle(c, path),
        None => None,
    }
}

/// `drizzle(url | client | { connection, client })`.
fn drizzle(c: &Call, entry: &str) -> Option<Found> {
    let driver = entry_driver(entry)?;
    let api = format!("drizzle() from drizzle-orm/{entry}");
    let a = c.arg(0)?;
    let Some(obj) = c.object(a) else {
        if c.is_string_like(a) {
            return Some(Found::from_url(driver, api, c.url(a)));
        }
        return Some(wrapped(c, Some(a)));
    };
    if let Some(conn) = c.prop(obj, "connection") {
        let Some(conn_obj) = c.object(conn) else {
            return Some(Found::Client {
                driver,
                api,
                url: c.url(conn),
                settings: Vec::new(),
            });
        };
        // postgres-js: `{ url, ...options }`; the others: a pg `PoolConfig`.
        let key = if driver == Driver::PostgresJs {
            "url"
        } else {
            "connectionString"
        };
        return Some(Found::Client {
            driver,
            api,
            url: c
                .prop(conn_obj, key)
                .map_or(UrlSource::Unknown, |v| c.url(v)),
            settings: c.settings(conn_obj),
        });
    }
    Some(wrapped(c, c.prop(obj, "client")))
}

/// A Drizzle database over a client built elsewhere: its URL is that client's.
fn wrapped(c: &Call, client: Option<tree_sitter::Node>) -> Found {
    let url = client
        .and_then(|n| c.recognise(n))
        .map_or(UrlSource::Unknown, |f| f.url().clone());
    Found::Handle { url }
}
