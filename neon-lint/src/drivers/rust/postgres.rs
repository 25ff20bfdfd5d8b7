//! postgres (0.19), the synchronous wrapper of tokio-postgres: `Client::connect(url,
//! tls)`, `Config::from_str(url)`. Everything it parses and sends is tokio-postgres'.

use super::{CrateMatch, RustDriver};
use crate::site::Driver;

pub(super) static POSTGRES: RustDriver = RustDriver {
    driver: Driver::Postgres,
    entry_points: &[super::client_connect(CrateMatch::NamedOrImported(&[
        "postgres",
        "tokio_postgres",
    ]))],
    ..super::tokio_postgres::TOKIO_POSTGRES_SHAPE
};
