//! diesel (2.x) over libpq: `PgConnection::establish(url)`,
//! `r2d2::ConnectionManager::<PgConnection>::new(url)`.
//!
//! - libpq parses the URL (so libpq's own rules apply, nothing of its own here).
//! - Query-builder statements are cached per connection as `__diesel_stmt_N`;
//!   `sql_query` is never cached.
//! - Its r2d2 pool: `connection_timeout` bounds getting a connection,
//!   `test_on_check_out` (true by default) tests one before handing it out.

use super::{Args, CrateMatch, Makes, RustDriver, RustEntry};
use crate::drivers::NamedStatements;
use crate::site::{ClientSetup, ConnectionUse, Driver};

pub(super) static DIESEL: RustDriver = RustDriver {
    driver: Driver::Diesel,
    entry_points: &[
        RustEntry {
            types: &["PgConnection"],
            functions: &["establish"],
            crates: CrateMatch::Any,
            postgres_only: false,
            args: Args::Any,
            api: Some("PgConnection::establish"),
            api_prefix: "PgConnection",
            makes: Makes::Handle,
            settings: &[],
        },
        RustEntry {
            types: &["ConnectionManager"],
            functions: &["new"],
            crates: CrateMatch::Any,
            postgres_only: true,
            args: Args::Any,
            api: Some("r2d2::ConnectionManager::new"),
            api_prefix: "ConnectionManager",
            makes: Makes::Manager,
            settings: &[],
        },
    ],
    url_parser: None,
    takes_tls_connector: false,
    named_statements,
    ..super::bb8::POOL_OF_POSTGRES_CONNECTIONS
};

/// The use the Rust front end records for
/// `set_prepared_statement_cache_size(CacheSize::Disabled)`.
const CACHE_OFF: &str = "set_prepared_statement_cache_size(Disabled)";

/// diesel caches its query-builder statements (`__diesel_stmt_N`) per connection unless
/// `set_prepared_statement_cache_size(CacheSize::Disabled)` (2.3+) is called on it. That
/// happens after connecting, possibly in another function (an r2d2
/// `CustomizeConnection::on_acquire`): a project that switches it off anywhere is taken to
/// do it for its connections.
fn named_statements(_: &ClientSetup, uses: &[ConnectionUse]) -> Option<NamedStatements> {
    if uses
        .iter()
        .any(|u| u.driver == Some(Driver::Diesel) && u.api == CACHE_OFF)
    {
        return None;
    }
    Some(NamedStatements {
        does: "diesel caches prepared statements (`__diesel_stmt_N`)",
        label: "named statements through PgBouncer in transaction mode",
        driver_fix: Some(
            "call `set_prepared_statement_cache_size(CacheSize::Disabled)` on each connection (diesel 2.3+; \
             for an r2d2 pool, in a `CustomizeConnection::on_acquire`)",
        ),
        why_no_fix: None,
        ineffective: None,
    })
}
