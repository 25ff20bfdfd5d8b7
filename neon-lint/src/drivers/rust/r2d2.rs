//! r2d2_postgres: `PostgresConnectionManager::new(config, tls)`, pooled by
//! `r2d2::Pool::builder()`.
//!
//! - postgres (tokio-postgres) underneath: its parser, its TLS connector argument.
//! - `connection_timeout` (30 s by default) bounds getting a connection.
//! - `test_on_check_out` (true by default) tests a connection before handing it out.

use super::{CrateMatch, RustDriver};
use crate::site::Driver;

pub(super) static R2D2: RustDriver = RustDriver {
    driver: Driver::R2d2,
    entry_points: &[super::postgres_connection_manager(CrateMatch::Named(&[
        "r2d2_postgres",
    ]))],
    ..super::bb8::POOL_OF_POSTGRES_CONNECTIONS
};
