//! refinery (0.8): `refinery::config::Config::from_str(url)` / `from_env_var(name)`,
//! then `runner.run(&mut config)`.
//!
//! - It parses the URL itself and takes `sslmode` only as `require` or `disable`
//!   (`Invalid sslmode value, please use disable/require`).

use neon_lint_core::conninfo::Param;

use super::{no_startup_parameters, not_a_pool, RustDriver, UrlParser};
use crate::site::Driver;

pub(super) static REFINERY: RustDriver = RustDriver {
    driver: Driver::Refinery,
    entry_points: &[],
    connect_timeout_settings: &[],
    url_parser: Some(&PARSER),
    takes_tls_connector: false,
    untested_pool: not_a_pool,
    startup_parameters: no_startup_parameters,
    named_statements: super::no_named_statements,
    named_statement_uses: &[],
    connection_hooks: &[],
    session_settings: &[],
};

const PARSER: UrlParser = UrlParser {
    name: "refinery",
    rejects,
    help: |_| "use `sslmode=require`".into(),
    reads_connect_timeout: false,
};

fn rejects(p: &Param, _written: bool) -> Option<(String, String)> {
    (p.keyword == "sslmode" && !matches!(p.value.as_str(), "require" | "disable")).then(|| {
        (
            format!("refinery does not accept `sslmode={}`", p.value),
            "Invalid sslmode value, please use disable/require".to_string(),
        )
    })
}
