//! `@neondatabase/serverless` (1.x): `neon(url)` runs each query as an HTTPS request;
//! `new Pool({ connectionString })` and `new Client(url)` speak node-postgres' API over a
//! secure WebSocket (`wss://<host>/v2`).
//!
//! - The transport is always encrypted and verified by the runtime (`fetch`, `wss://`);
//!   `sslmode` in the URL and `ssl` options do nothing (`neonConfig.forceDisablePgSSL`
//!   defaults to true), so neither is a finding (url-dialects.md § 11).
//! - No named statements are kept across requests; `Pool` takes pg's
//!   `connectionTimeoutMillis`, and sends pg's startup parameters (`options`,
//!   `statement_timeout`...) through the WebSocket proxy to the endpoint.

use super::{pg, Found, JsDriver, Tls};
use crate::extract::js::Call;
use crate::site::{ClientSetup, Driver};

pub(super) static NEON_SERVERLESS: JsDriver = JsDriver {
    driver: Some(Driver::NeonServerless),
    recognise,
    tls,
    connect_timeout: pg::connect_timeout,
    startup_parameters: pg::startup_parameters,
    sql_methods: &["query", "unsafe", super::TAGGED],
    ..super::DEFAULTS
};

const MODULE: &str = "@neondatabase/serverless";

fn recognise(c: &Call) -> Option<Found> {
    if c.module != MODULE {
        return None;
    }
    match c.export.as_str() {
        "neon" if !c.is_new => Some(Found::Client {
            driver: Driver::NeonServerless,
            api: "neon() (HTTP)".into(),
            url: c
                .arg(0)
                .map_or(crate::site::UrlSource::Unknown, |a| c.url(a)),
            settings: c
                .arg(1)
                .and_then(|o| c.object(o))
                .map(|o| c.settings(o))
                .unwrap_or_default(),
        }),
        "Pool" | "Client" if c.is_new => Some(pg::config_client(
            c,
            Driver::NeonServerless,
            format!("{} (WebSocket)", c.export),
        )),
        _ => None,
    }
}

fn tls(_: &ClientSetup) -> Tls {
    Tls::Transport
}
