//! r2d2_postgres: `PostgresConnectionManager::new(config, tls)`, pooled by
//! `r2d2::Pool::builder()`.
//!
//! - postgres (tokio-postgres) underneath: its parser, its TLS connector argument.
//! - `connection_timeout` (30 s by default) bounds getting a connection.
//! - `test_on_check_out` (true by default) tests a connection before handing it out.

use super::{no_startup_parameters, test_on_check_out_off, CrateMatch, RustDriver};
use crate::site::Driver;

pub(super) static R2D2: RustDriver = RustDriver {
    driver: Driver::R2d2,
    entry_points: &[super::postgres_connection_manager(CrateMatch::Named(&[
        "r2d2_postgres",
    ]))],
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
