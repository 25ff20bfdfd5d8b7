//! Prisma Client's driver adapters (Prisma 5.4+, generally available in 6.16, required by
//! Prisma 7), handed to `new PrismaClient({ adapter })`. Each adapter is a client of another
//! driver, so its set-up is recorded as that driver's:
//!
//! | package | constructor | client |
//! |---|---|---|
//! | `@prisma/adapter-pg` | `new PrismaPg(poolConfig \| connectionString \| pool, { schema })` | node-postgres `Pool` |
//! | `@prisma/adapter-neon` | `new PrismaNeon({ connectionString }, { schema })` (6.6+) | `@neondatabase/serverless` `Pool` (WebSocket) |
//! | `@prisma/adapter-neon` | `new PrismaNeonHttp(url, options)` (`PrismaNeonHTTP` before 7) | `neon()` (HTTP) |
//!
//! Before 6.6 the adapters took a ready pool (`new PrismaNeon(pool)`, `new PrismaPg(pool)`):
//! that form wraps the pool's set-up. URL parameters of Prisma's engine (`pgbouncer`,
//! `connection_limit`, `pool_timeout`) do nothing under an adapter (js-drivers.md § 4).

use super::{Found, JsDriver};
use crate::extract::js::Call;
use crate::site::{Driver, UrlSource};

pub(super) static PRISMA_ADAPTERS: JsDriver = JsDriver {
    recognise,
    tcp_modules: &["@prisma/adapter-pg"],
    ..super::DEFAULTS
};

fn recognise(c: &Call) -> Option<Found> {
    let driver = match (c.module.as_str(), c.export.as_str()) {
        ("@prisma/adapter-pg", "PrismaPg") => Driver::NodePostgres,
        ("@prisma/adapter-neon", "PrismaNeon") => Driver::NeonServerless,
        ("@prisma/adapter-neon", "PrismaNeonHttp" | "PrismaNeonHTTP") => {
            return Some(http(c));
        }
        _ => return None,
    };
    if !c.is_new {
        return None;
    }
    let api = format!("new {}() from {}", c.export, c.module);
    let a = c.arg(0)?;
    if let Some(obj) = c.object(a) {
        return Some(Found::Client {
            driver,
            api,
            url: c
                .prop(obj, "connectionString")
                .map_or(UrlSource::Unknown, |v| c.url(v)),
            settings: c.settings(obj),
        });
    }
    if c.is_string_like(a) {
        return Some(Found::from_url(driver, api, c.url(a)));
    }
    // A pool built elsewhere (the pre-6.6 signature).
    let url = c
        .recognise(a)
        .map_or(UrlSource::Unknown, |f| f.url().clone());
    Some(Found::Handle { url })
}

/// `new PrismaNeonHttp(url, options)`, or the older `new PrismaNeonHTTP(neon(url))`.
fn http(c: &Call) -> Found {
    let Some(a) = c.arg(0) else {
        return Found::Handle {
            url: UrlSource::Unknown,
        };
    };
    if c.is_string_like(a) {
        return Found::Client {
            driver: Driver::NeonServerless,
            api: format!("new {}() from @prisma/adapter-neon", c.export),
            url: c.url(a),
            settings: Vec::new(),
        };
    }
    Found::Handle {
        url: c
            .recognise(a)
            .map_or(UrlSource::Unknown, |f| f.url().clone()),
    }
}
