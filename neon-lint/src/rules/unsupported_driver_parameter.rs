use neon_lint_core::conninfo::ParamSource;
use neon_lint_core::UrlInput;

use super::client_values::{client_values, value_context};
use super::connection_values::{is_tls_connector, via, Judged};
use super::url_rules::context_for;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::drivers::python::QueryParams;
use crate::project::Project;
use crate::site::{ClientSetup, Driver};

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds connection parameters the consuming driver rejects or misreads:
    ///
    /// - asyncpg given libpq-only parameters through SQLAlchemy:
    ///   `postgresql+asyncpg://...?sslmode=require` (also `channel_binding`,
    ///   `connect_timeout`, `options`, `application_name`...), written in the URL or reached
    ///   by rewriting a `postgresql://` variable (`url.replace("postgresql://",
    ///   "postgresql+asyncpg://")`);
    /// - (Rust) tokio-postgres with `sslmode=verify-ca/verify-full` or unknown keys, sqlx
    ///   with `sslrootcert=system`, refinery with `sslmode` other than `require`/`disable`.
    ///
    /// ## Why is this bad?
    /// SQLAlchemy's asyncpg dialect hands every query parameter of the URL to
    /// `asyncpg.connect()` as a keyword argument, and asyncpg's `connect()` has no `sslmode`
    /// (its TLS argument is `ssl`). The first connection fails:
    ///
    /// ```text
    /// TypeError: connect() got an unexpected keyword argument 'sslmode'
    /// ```
    ///
    /// Observed with real packages (a scratch venv, `create_async_engine(url)` then
    /// `connect()`): SQLAlchemy 1.4.54 + asyncpg 0.29.0, 2.0.0 + 0.27.0, 2.0.58 + 0.30.0,
    /// 2.1.0 + 0.31.0 and 2.1.9 + 0.32.0 all pass `sslmode` (and `channel_binding`) through
    /// unchanged and raise that `TypeError`; `?ssl=require` reaches asyncpg and is accepted.
    /// No SQLAlchemy version tested translates `sslmode`.
    ///
    /// Rust, from the drivers' sources:
    ///
    /// - tokio-postgres (and `postgres`, deadpool-postgres, bb8/r2d2 `PostgresConnectionManager`,
    ///   diesel-async) parse the string with their own `Config` parser, which accepts
    ///   `sslmode=disable|prefer|require` only and a fixed set of keys (`user password dbname
    ///   options application_name sslmode sslnegotiation host hostaddr port connect_timeout
    ///   tcp_user_timeout keepalives* target_session_attrs channel_binding
    ///   load_balance_hosts`). Observed with tokio-postgres 0.7:
    ///   `invalid connection string: invalid value for option `sslmode`` for
    ///   `verify-full`/`verify-ca`, and `invalid connection string: unknown option `sslrootcert``
    ///   for `sslrootcert`. (Keys libpq itself rejects, like `pgbouncer=true`, are
    ///   `invalid-conninfo`'s.) The TLS connector verifies the server anyway: OpenSSL's
    ///   `SslConnector` and native-tls check certificate and host name by default.
    /// - sqlx reads `sslrootcert=system` (libpq 16's "use the system roots") as the path of
    ///   a file named `system`, so the connection fails to load it.
    /// - refinery's `Config::from_str`/`from_env_var` accept only `sslmode=require` or
    ///   `disable`: anything else fails with `Invalid sslmode value, please use
    ///   disable/require`.
    ///
    /// ## What was observed
    /// tokio-postgres 0.7 parsing a URL with `sslmode=verify-full`, `sslrootcert=...` or
    /// `pgbouncer=true` (`docs/ground-truth.md`): ``invalid connection string: invalid value for
    /// option `sslmode` `` and ``invalid connection string: unknown option `sslrootcert` `` (its
    /// `Display` alone prints only `invalid connection string`). SQLAlchemy 1.4.54 to 2.1.9 with
    /// asyncpg 0.27 to 0.32 and `?sslmode=require`: `TypeError: connect() got an unexpected keyword
    /// argument 'sslmode'`.
    ///
    /// ## Example
    /// ```python
    /// engine = create_async_engine(os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+asyncpg://"))
    /// # DATABASE_URL=postgresql://alex:****@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require
    /// ```
    ///
    /// ## Use instead
    /// `?ssl=require` for asyncpg (or `connect_args={"ssl": ssl_context}` to verify the
    /// server), or the psycopg driver (`postgresql+psycopg://`), which is libpq and takes
    /// `sslmode` and `channel_binding`.
    ///
    /// Rust: `sslmode=require` (plus `channel_binding=require`) for the tokio-postgres
    /// family, with a verifying TLS connector; for sqlx, `sslmode=verify-full` with
    /// `sslrootcert` pointing at a CA bundle file; for refinery, `sslmode=require`.
    ///
    /// ## References
    /// - MagicStack/asyncpg#737; SQLAlchemy asyncpg dialect `create_connect_args`
    ///
    /// ## Internal notes
    /// - The Rust facts are from the rust-drivers reference, section 2.
    pub static UNSUPPORTED_DRIVER_PARAMETER = {
        code: "NL033",
        name: "unsupported-driver-parameter",
        level: Error,
        group: RustDrivers,
        summary: "connection parameter the consuming driver rejects or misreads",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    // Python: SQLAlchemy URLs for drivers that take their parameters as keyword
    // arguments (asyncpg).
    sqlalchemy_keyword_params(project, config, out);
    // Rust: tokio-postgres family, sqlx, refinery.
    for c in &project.clients {
        rust_client(project, config, c, out);
    }
}

/// The Rust drivers: what each makes of the parameters of the strings it is given.
fn rust_client(project: &Project, config: &Config, c: &ClientSetup, out: &mut Vec<Diagnostic>) {
    let Some(parser) = crate::drivers::rust::of(c.driver).and_then(|d| d.url_parser) else {
        return;
    };
    if is_tls_connector(c) {
        return;
    }
    let judged = Judged::of(project, &c.url, c.file);
    for v in &judged.values {
        let ctx = context_for(project, v.file, config);
        let input = UrlInput::new(&v.text, &ctx);
        if !input.is_linted_host() {
            continue;
        }
        let Some(info) = input.info() else { continue };
        for p in &info.params {
            let written = matches!(p.source, ParamSource::Query | ParamSource::KeyValue);
            let problem = (parser.rejects)(p, written);
            let Some((what, error)) = problem else {
                continue;
            };
            // Point at the parameter when the string is written at the call.
            let (span, secondary, message) = if v.file == c.file && v.map.is_exact() {
                (
                    v.map.range(p.span.clone()),
                    vec![(c.span.clone(), format!("parsed by `{}` here", c.api))],
                    format!("{what}: `{}` fails with \"{error}\"", c.api),
                )
            } else {
                (
                    c.span.clone(),
                    Vec::new(),
                    format!("{what}{}: `{}` fails with \"{error}\"", via(v), c.api),
                )
            };
            out.push(
                Diagnostic::new(
                    &UNSUPPORTED_DRIVER_PARAMETER,
                    c.file,
                    span,
                    message,
                    "not accepted by this driver",
                )
                .help((parser.help)(&p.keyword))
                .secondary(secondary),
            );
        }
    }
    // sqlx `.ssl_root_cert("system")`.
    if parser.name == "sqlx" {
        if let Some(s) = c
            .setting("ssl_root_cert")
            .filter(|s| s.value.trim_matches('"') == "system")
        {
            if judged.neon(project, config).is_some() {
                out.push(
                    Diagnostic::new(
                        &UNSUPPORTED_DRIVER_PARAMETER,
                        c.file,
                        s.span.clone(),
                        "sqlx reads `ssl_root_cert(\"system\")` as the path of a file named `system`",
                        "not the system roots",
                    )
                    .help((parser.help)("sslrootcert")),
                );
            }
        }
    }
}

/// The query parameters of a SQLAlchemy URL that its DBAPI's `connect()` does not take
/// as keyword arguments, with what to write instead.
fn rejected_query_params(input: &UrlInput) -> Vec<(String, std::ops::Range<usize>, String)> {
    let Some(dbapi) = input.sqlalchemy_driver() else {
        return Vec::new();
    };
    let Some(QueryParams::KeywordArguments { accepts, instead }) =
        crate::drivers::python::dbapi(dbapi)
    else {
        return Vec::new();
    };
    let Some(info) = input.info() else {
        return Vec::new();
    };
    info.params
        .iter()
        .filter(|p| p.source == ParamSource::Query && !accepts(&p.keyword))
        .map(|p| {
            (
                p.keyword.clone(),
                p.span.clone(),
                instead(&p.keyword).to_string(),
            )
        })
        .collect()
}

/// `unsupported-driver-parameter` for libpq-only parameters in `postgresql+asyncpg://`
/// URLs: in any SQLAlchemy URL string, and in the values a SQLAlchemy engine's variable
/// takes (after rewrites such as `.replace("postgresql://", "postgresql+asyncpg://")`).
fn sqlalchemy_keyword_params(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    let message = |input: &UrlInput, key: &str| {
        let dbapi = input.sqlalchemy_driver().unwrap_or_default();
        format!(
            "SQLAlchemy passes `{key}` to `{dbapi}.connect()`, which has no such argument: `TypeError: connect() got an unexpected keyword argument '{key}'`"
        )
    };
    for site in &project.urls {
        if matches!(site.placement, neon_lint_core::Placement::Docs) {
            continue;
        }
        let ctx = super::url_rules::context(site, config);
        let input = UrlInput::new(&site.text, &ctx);
        for (key, span, instead) in rejected_query_params(&input) {
            let dbapi = input.sqlalchemy_driver().unwrap_or_default();
            out.push(
                Diagnostic::new(
                    &UNSUPPORTED_DRIVER_PARAMETER,
                    site.file,
                    site.map.range(span),
                    message(&input, &key),
                    format!("`{key}` is a libpq parameter; {dbapi} does not take it"),
                )
                .help(format!("use {instead}")),
            );
        }
    }
    // Engines whose URL comes from a variable rewritten to another DBAPI: a literal at the
    // call, or a variable value used as written, is a string site judged above.
    for client in &project.clients {
        if client.driver != Driver::SqlAlchemy
            || !client.settings.iter().any(|s| s.name == "url.replace")
        {
            continue;
        }
        for value in client_values(project, client) {
            let ctx = value_context(project, &value, config);
            let input = UrlInput::new(&value.text, &ctx);
            if let Some((key, _, instead)) = rejected_query_params(&input).into_iter().next() {
                let dbapi = input.sqlalchemy_driver().unwrap_or_default();
                out.push(
                    Diagnostic::new(
                        &UNSUPPORTED_DRIVER_PARAMETER,
                        client.file,
                        client.span.clone(),
                        format!("{}{}", message(&input, &key), via(&value)),
                        format!("the URL is rewritten to `postgresql+{dbapi}://` here"),
                    )
                    .help(format!(
                        "use {instead} in the variable, or strip `{key}` before the rewrite"
                    )),
                );
                break;
            }
        }
    }
}
