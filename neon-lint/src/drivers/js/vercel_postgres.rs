//! `@vercel/postgres` (0.10, deprecated in favour of `@neondatabase/serverless`): a thin
//! layer over Neon's serverless driver.
//!
//! | call | client | URL when `connectionString` is not given |
//! |---|---|---|
//! | `createPool(config?)` | `@neondatabase/serverless` `Pool` (WebSocket); `pool.sql` runs over `neon()` (HTTP) | `POSTGRES_URL` |
//! | `createClient(config?)` | `@neondatabase/serverless` `Client` (WebSocket) | `POSTGRES_URL_NON_POOLING` |
//!
//! - `config` is `@neondatabase/serverless`' pool or client config (pg's), so what it says
//!   about TLS, timeouts and startup parameters is that driver's: the set-up is recorded as
//!   a [`Driver::NeonServerless`] client.
//! - `createPool` throws `invalid_connection_string` ("meant to be used with a direct
//!   connection") unless the string contains `-pooler.` or names `localhost`;
//!   `createClient` throws the mirror error for a string that contains `-pooler.`. In the
//!   Edge Runtime `createPool` forces `maxUses: 1` and `max: 10000`.
//! - The `sql` export is a pool created on first use with `createPool()`; a bare import
//!   is no call, and is not recognised.

use super::{pg, Found};
use crate::extract::js::Call;
use crate::site::{Driver, UrlSource};

pub(super) static VERCEL_POSTGRES: super::JsDriver = super::JsDriver {
    driver: None,
    recognise,
    tls: super::unset,
    verification_off: super::no_setting,
    url_verification_off: super::url_verifies,
    named_statements: super::never,
    connect_timeout: super::no_timeout,
    startup_parameters: super::no_startup_parameters,
    sql_methods: &[],
    runs_migrations: super::no_migrations,
    tcp_modules: &[],
};

fn recognise(c: &Call) -> Option<Found> {
    if c.module != "@vercel/postgres" || c.is_new {
        return None;
    }
    let (default, transport) = match c.export.as_str() {
        "createPool" => ("POSTGRES_URL", "Pool"),
        "createClient" => ("POSTGRES_URL_NON_POOLING", "Client"),
        _ => return None,
    };
    let api = format!(
        "{}() from @vercel/postgres ({transport} over a WebSocket)",
        c.export
    );
    let Some(a) = c.arg(0) else {
        return Some(Found::Client {
            driver: Driver::NeonServerless,
            api,
            url: UrlSource::EnvVar(default.into()),
            settings: Vec::new(),
        });
    };
    match pg::config_client(c, Driver::NeonServerless, api) {
        // Options known to lack `connectionString`: the default variable.
        Found::Client {
            driver,
            api,
            url: UrlSource::Unknown,
            settings,
        } if c
            .object(a)
            .is_some_and(|o| c.prop(o, "connectionString").is_none() && !c.spreads_unknown(o)) =>
        {
            Some(Found::Client {
                driver,
                api,
                url: UrlSource::EnvVar(default.into()),
                settings,
            })
        }
        found => Some(found),
    }
}
