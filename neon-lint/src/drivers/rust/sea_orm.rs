//! sea-orm (0.12, 1.x): `Database::connect(url | ConnectOptions)`, sqlx underneath.
//!
//! - URLs are parsed by sqlx (see `sqlx.rs`); `connect_timeout` and `acquire_timeout` on
//!   `ConnectOptions` bound connecting; `test_before_acquire` and `idle_timeout` mean
//!   what they mean in sqlx.
//! - `ConnectOptions::set_schema_search_path` runs `SET search_path` on each connection;
//!   its `statement_timeout` becomes `-c statement_timeout=...` in the startup packet.

use super::{Args, CrateMatch, Makes, RustDriver, RustEntry, SettingsFrom};
use crate::drivers::{Sends, StartupParam};
use crate::site::{ClientSetup, Driver};

pub(super) static SEA_ORM: RustDriver = RustDriver {
    driver: Driver::SeaOrm,
    entry_points: &[RustEntry {
        types: &["Database"],
        functions: &["connect"],
        crates: CrateMatch::NamedOrImported(&["sea_orm"]),
        postgres_only: false,
        args: Args::Any,
        api: Some("Database::connect"),
        api_prefix: "Database",
        makes: Makes::Handle,
        settings: &[SettingsFrom::Arg(0)],
    }],
    connect_timeout_settings: &["connect_timeout", "acquire_timeout"],
    url_parser: Some(&super::sqlx::PARSER),
    takes_tls_connector: false,
    untested_pool: super::sqlx::untested_pool,
    startup_parameters,
    named_statements: super::sqlx::named_statements,
    named_statement_uses: &[],
    connection_hooks: &["after_connect", "before_acquire", "after_release"],
    session_settings: &[(
        "set_schema_search_path",
        "`SET search_path` (`set_schema_search_path`)",
    )],
};

fn startup_parameters(c: &ClientSetup) -> Vec<StartupParam<'_>> {
    c.settings
        .iter()
        .filter(|s| s.name == "statement_timeout")
        .map(|s| StartupParam {
            setting: s,
            sends: Sends::ServerSettings,
        })
        .collect()
}
