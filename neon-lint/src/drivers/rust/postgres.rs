//! postgres (0.19), the synchronous wrapper of tokio-postgres: `Client::connect(url,
//! tls)`, `Config::from_str(url)`. Everything it parses and sends is tokio-postgres'.

use super::{not_a_pool, options_text, CrateMatch, RustDriver};
use crate::site::Driver;

pub(super) static POSTGRES: RustDriver = RustDriver {
    driver: Driver::Postgres,
    entry_points: &[super::client_connect(CrateMatch::NamedOrImported(&[
        "postgres",
        "tokio_postgres",
    ]))],
    connect_timeout_settings: &["connect_timeout"],
    url_parser: Some(&super::tokio_postgres::PARSER),
    takes_tls_connector: true,
    untested_pool: not_a_pool,
    startup_parameters: options_text,
    named_statements: super::no_named_statements,
    named_statement_uses: &[],
    connection_hooks: &[],
    session_settings: &[],
};
