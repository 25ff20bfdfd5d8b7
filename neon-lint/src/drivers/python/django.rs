//! Django's `DATABASES` (PostgreSQL backend, psycopg or psycopg2 underneath), also built
//! by `dj_database_url.config()` (reads `DATABASE_URL`) and `dj_database_url.parse(url)`.
//!
//! - `OPTIONS` go to the driver as libpq parameters (`OPTIONS.sslmode`,
//!   `OPTIONS.connect_timeout`, `OPTIONS.options`); `dj_database_url`'s
//!   `ssl_require=True` adds `sslmode=require`.
//! - `CONN_MAX_AGE` (`None` = forever; 0 by default) keeps connections between requests;
//!   `CONN_HEALTH_CHECKS` (4.1+) tests them before reuse.

use super::{
    is_true, no_cache, options_strings, seconds, seconds_of, EntryPoint, PyDriver, SetupContext,
    UrlArg,
};
use crate::drivers::UntestedPool;
use crate::site::{ClientSetup, Driver};

pub(super) static DJ_DATABASE_URL: PyDriver = PyDriver {
    driver: Driver::Django,
    entry_points: &[
        EntryPoint {
            paths: &["dj_database_url.config"],
            api: "dj_database_url.config",
            url: UrlArg::EnvOrDefault,
        },
        EntryPoint {
            paths: &["dj_database_url.parse"],
            api: "dj_database_url.parse",
            url: UrlArg::First("url"),
        },
    ],
    own_kwargs: &[],
    sets_tls: |s| s.name == "ssl_require" && is_true(&s.value),
    statement_cache: no_cache,
    untested_pool,
    connect_timeout: |c| seconds_of(c, &["OPTIONS.connect_timeout"]),
    startup_parameters: |c| options_strings(c, &["OPTIONS.options"]),
    dbapi: None,
};

fn untested_pool(c: &ClientSetup, _: &SetupContext) -> Option<UntestedPool> {
    let max_age = c
        .setting("CONN_MAX_AGE")
        .or_else(|| c.setting("conn_max_age"))?;
    let long = max_age.value.trim() == "None" || seconds(&max_age.value).is_some_and(|s| s > 300.0);
    let checks = c
        .setting("CONN_HEALTH_CHECKS")
        .or_else(|| c.setting("conn_health_checks"))
        .is_some_and(|s| is_true(&s.value));
    if !long || checks {
        return None;
    }
    Some(UntestedPool {
        span: max_age.span.clone(),
        what: if max_age.value.trim() == "None" {
            "Django keeps connections forever (`CONN_MAX_AGE: None`) without health checks".into()
        } else {
            format!(
                "Django keeps connections for {} seconds (`CONN_MAX_AGE`) without health checks",
                max_age.value.trim()
            )
        },
        label: "persistent connections, never tested",
        notices_closed: false,
        help: "add `\"CONN_HEALTH_CHECKS\": True` (Django 4.1+), or keep `CONN_MAX_AGE` at 300 or less",
    })
}
