//! Kysely (`kysely` 0.27+) and the community Neon dialect (`kysely-neon`).
//!
//! - `new Kysely({ dialect: new PostgresDialect({ pool }) })`: a query builder over a
//!   pg-compatible pool built elsewhere (node-postgres, or `@neondatabase/serverless`'s
//!   `Pool`); its URL is that pool's. `pool` may also be a function returning one, which
//!   is not followed.
//! - `new NeonDialect({ connectionString })` (WebSocket) and
//!   `new NeonHTTPDialect({ connectionString })` from `kysely-neon`: clients of
//!   `@neondatabase/serverless`.
//! - `new Migrator({ db, provider })`: the migrations `migrateToLatest()` runs. Kysely
//!   0.29.3+ takes a session-level `pg_advisory_lock` for them (0.29.2 and earlier a
//!   transaction-scoped one), which a transaction-mode pooler cannot keep
//!   (js-drivers.md § 6).

use super::{Found, JsDriver};
use crate::extract::js::Call;
use crate::site::{Driver, UrlSource};

pub(super) static KYSELY: JsDriver = JsDriver {
    recognise,
    ..super::DEFAULTS
};

fn recognise(c: &Call) -> Option<Found> {
    if !c.is_new {
        return None;
    }
    match (c.module.as_str(), c.export.as_str()) {
        ("kysely", "Kysely") => Some(Found::Handle {
            url: wrapped(c, "dialect"),
        }),
        ("kysely", "PostgresDialect") => Some(Found::Handle {
            url: wrapped(c, "pool"),
        }),
        ("kysely", "Migrator") => Some(Found::Migration {
            tool: "Kysely Migrator".into(),
            url: wrapped(c, "db"),
        }),
        ("kysely-neon", "NeonDialect" | "NeonHTTPDialect") => {
            let obj = c.arg(0).and_then(|a| c.object(a))?;
            Some(Found::Client {
                driver: Driver::NeonServerless,
                api: format!("new {}() from kysely-neon", c.export),
                url: c
                    .prop(obj, "connectionString")
                    .map_or(UrlSource::Unknown, |v| c.url(v)),
                settings: c.settings(obj),
            })
        }
        _ => None,
    }
}

/// The URL of the client in property `key` of the first argument.
fn wrapped(c: &Call, key: &str) -> UrlSource {
    c.arg(0)
        .and_then(|a| c.object(a))
        .and_then(|o| c.prop(o, key))
        .and_then(|v| c.recognise(v))
        .map_or(UrlSource::Unknown, |f| f.url().clone())
}
