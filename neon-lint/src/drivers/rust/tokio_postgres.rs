//! tokio-postgres (0.7): `tokio_postgres::connect(url, tls)`, `Config::from_str(url)`
//! then `config.connect(tls)`.
//!
//! - It parses connection strings itself (`config.rs`): only the keys in [`KEYS`], and
//!   `sslmode` only as `disable`, `prefer` or `require` (the TLS connector does any
//!   certificate check). It reads `connect_timeout` from the string, and
//!   `Config::connect_timeout` sets it.
//! - Its second argument is the TLS connector (`NoTls` is plaintext).
//! - `Config::options("-c ...")` goes in the startup packet.

use neon_lint_core::conninfo::Param;

use super::{not_a_pool, options_text, CrateMatch, RustDriver, UrlParser};
use crate::site::Driver;

pub(super) static TOKIO_POSTGRES: RustDriver = RustDriver {
    driver: Driver::TokioPostgres,
    entry_points: &[super::client_connect(CrateMatch::Named(&[
        "tokio_postgres",
    ]))],
    ..TOKIO_POSTGRES_SHAPE
};

/// What tokio-postgres and postgres (its synchronous wrapper) share: its parser, its TLS
/// connector argument, its `Config`.
pub(super) const TOKIO_POSTGRES_SHAPE: RustDriver = RustDriver {
    driver: Driver::TokioPostgres,
    entry_points: &[],
    connect_timeout_settings: &["connect_timeout"],
    url_parser: Some(&PARSER),
    takes_tls_connector: true,
    untested_pool: not_a_pool,
    startup_parameters: options_text,
    named_statements: super::no_named_statements,
    named_statement_uses: &[],
    connection_hooks: &[],
    session_settings: &[],
};

/// Keys tokio-postgres' `Config` parser accepts (tokio-postgres 0.7 `config.rs`).
const KEYS: &[&str] = &[
    "user",
    "password",
    "dbname",
    "options",
    "application_name",
    "sslmode",
    "sslnegotiation",
    "host",
    "hostaddr",
    "port",
    "connect_timeout",
    "tcp_user_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
];

/// tokio-postgres' connection-string parser (also behind postgres, deadpool-postgres,
/// bb8-postgres, r2d2_postgres and diesel-async).
pub(super) const PARSER: UrlParser = UrlParser {
    name: "tokio-postgres",
    rejects,
    help: |k| match k {
        "sslmode" => "use `sslmode=require` (and `channel_binding=require`): the TLS connector \
         verifies the certificate and host name itself"
            .into(),
        k => format!("remove `{k}` from the string given to tokio-postgres"),
    },
    reads_connect_timeout: true,
};

fn rejects(p: &Param, written: bool) -> Option<(String, String)> {
    if !written {
        return None;
    }
    if p.keyword == "sslmode" {
        return (!matches!(p.value.as_str(), "disable" | "prefer" | "require")).then(|| {
            (
                format!(
                    "tokio-postgres does not support `sslmode={}` (only disable, prefer, require)",
                    p.value
                ),
                "invalid connection string: invalid value for option `sslmode`".to_string(),
            )
        });
    }
    (!KEYS.contains(&p.keyword.as_str())).then(|| {
        (
            format!("tokio-postgres does not know the parameter `{}`", p.keyword),
            format!("invalid connection string: unknown option `{}`", p.keyword),
        )
    })
}
