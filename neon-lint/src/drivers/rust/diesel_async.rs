//! diesel-async (0.5+): `AsyncPgConnection::establish(url)`,
//! `AsyncDieselConnectionManager::<AsyncPgConnection>::new(url)` (pooled by deadpool, bb8
//! or mobc).
//!
//! - tokio-postgres underneath: it parses the URL; `establish` connects without TLS
//!   unless a custom set-up (`new_with_config`) brings a connector.
//! - bb8 pools of it: `connection_timeout`, `test_on_check_out`.

use super::{Args, CrateMatch, Makes, RustDriver, RustEntry, SettingsFrom};
use crate::drivers::NamedStatements;
use crate::site::{ClientSetup, ConnectionUse, Driver};

pub(super) static DIESEL_ASYNC: RustDriver = RustDriver {
    driver: Driver::DieselAsync,
    entry_points: &[
        RustEntry {
            types: &["AsyncPgConnection"],
            functions: &["establish"],
            crates: CrateMatch::Any,
            postgres_only: false,
            args: Args::Any,
            api: Some("AsyncPgConnection::establish"),
            api_prefix: "AsyncPgConnection",
            makes: Makes::Handle,
            settings: &[],
        },
        RustEntry {
            types: &["AsyncDieselConnectionManager"],
            functions: &["new", "new_with_config"],
            crates: CrateMatch::Any,
            postgres_only: true,
            args: Args::Any,
            api: None,
            api_prefix: "AsyncDieselConnectionManager",
            makes: Makes::Manager,
            settings: &[
                SettingsFrom::ArgOf(1, "new_with_config"),
                SettingsFrom::Marker("new_with_config", "config", "custom"),
            ],
        },
        RustEntry {
            types: &["AsyncConnectionWrapper"],
            functions: &["establish"],
            crates: CrateMatch::Any,
            postgres_only: true,
            args: Args::Any,
            api: Some("AsyncConnectionWrapper::establish"),
            api_prefix: "AsyncConnectionWrapper",
            makes: Makes::Handle,
            settings: &[],
        },
    ],
    takes_tls_connector: false,
    named_statements,
    ..super::bb8::POOL_OF_POSTGRES_CONNECTIONS
};

/// diesel-async runs every query as a named tokio-postgres statement, whatever its cache
/// setting (`CacheSize::Disabled` failed the same way on PgBouncer 1.18).
fn named_statements(_: &ClientSetup, _: &[ConnectionUse]) -> Option<NamedStatements> {
    Some(NamedStatements {
        does: "diesel-async runs every query as a named statement",
        label: "named statements through PgBouncer in transaction mode",
        driver_fix: None,
        why_no_fix: Some(
            "diesel-async's own settings do not avoid this (`CacheSize::Disabled` failed the same way on \
             PgBouncer 1.18)",
        ),
        ineffective: None,
    })
}
