//! bb8-postgres: `PostgresConnectionManager::new(config, tls)` /
//! `new_from_stringlike(url, tls)`, pooled by `bb8::Pool::builder()`.
//!
//! - tokio-postgres underneath (its parser, its TLS connector argument).
//! - `connection_timeout` (30 s by default) bounds getting a connection.
//! - `test_on_check_out` (true by default) tests a connection before handing it out.

use super::{no_startup_parameters, test_on_check_out_off, CrateMatch, RustDriver};
use crate::site::Driver;

pub(super) static BB8: RustDriver = RustDriver {
    driver: Driver::Bb8,
    entry_points: &[super::postgres_connection_manager(
        CrateMatch::NamedOrImported(&["bb8_postgres", "r2d2_postgres"]),
    )],
    ..POOL_OF_POSTGRES_CONNECTIONS
};

/// What bb8-postgres and r2d2_postgres share (and diesel's and diesel-async's pools): a
/// pool of (tokio-)postgres connections, with its checkout test and its timeout.
pub(super) const POOL_OF_POSTGRES_CONNECTIONS: RustDriver = RustDriver {
    driver: Driver::Bb8,
    entry_points: &[],
    connect_timeout_settings: &["connection_timeout"],
    url_parser: Some(&super::tokio_postgres::PARSER),
    takes_tls_connector: true,
    untested_pool: test_on_check_out_off,
    startup_parameters: no_startup_parameters,
    named_statements: super::no_named_statements,
    named_statement_uses: &[],
    connection_hooks: &[],
    session_settings: &[],
};
