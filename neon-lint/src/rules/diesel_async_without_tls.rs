use super::connection_values::{in_test, neon_evidence, value_label, Judged, NeonEvidence};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::Driver;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds diesel-async connections made the default way on a connection to Neon:
    /// `AsyncPgConnection::establish(url)`, `AsyncDieselConnectionManager::new(url)`
    /// (whose default set-up calls `establish`), and
    /// `AsyncConnectionWrapper::<AsyncPgConnection>::establish(url)`.
    ///
    /// It fires when the URL resolves to a Neon host, or when the URL cannot be resolved
    /// statically and every database URL of the project is a Neon one (not in test code).
    ///
    /// ## Why is this bad?
    /// diesel-async's `establish` hard-codes `tokio_postgres::NoTls` ("Connections created by
    /// `AsyncPgConnection::establish` do not support TLS"). Against Neon it fails with
    ///
    /// ```text
    /// db error: ERROR: connection is insecure (try using `sslmode=require`)
    /// ```
    ///
    /// or, with `sslmode=require` in the URL,
    /// `error performing TLS handshake: no TLS implementation configured`.
    ///
    /// ## Example
    /// ```rust,ignore
    /// let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(std::env::var("DATABASE_URL")?);
    /// ```
    ///
    /// ## Use instead
    /// A `custom_setup` that connects with a TLS connector, as diesel-async's own example does:
    /// ```rust,ignore
    /// let mut config = ManagerConfig::default();
    /// config.custom_setup = Box::new(|url| Box::pin(async move {
    ///     let tls = postgres_openssl::MakeTlsConnector::new(SslConnector::builder(SslMethod::tls())?.build());
    ///     let (client, conn) = tokio_postgres::connect(url, tls).await
    ///         .map_err(|e| ConnectionError::BadConnection(e.to_string()))?;
    ///     AsyncPgConnection::try_from_client_and_connection(client, conn).await
    /// }));
    /// let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(url, config);
    /// ```
    ///
    /// ## References
    /// - diesel-async `src/pg/mod.rs` (`establish`), `examples/postgres/pooled-with-rustls`
    pub static DIESEL_ASYNC_WITHOUT_TLS = {
        code: "NL031",
        name: "diesel-async-without-tls",
        level: Error,
        group: RustDrivers,
        summary: "diesel-async `establish` (no TLS) on a connection to Neon",
        fixable: false,
    };
}

const NO_TLS_APIS: &[&str] = &[
    "AsyncPgConnection::establish",
    "AsyncDieselConnectionManager::new",
    "AsyncConnectionWrapper::establish",
];

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    let mut only_neon = None;
    for c in &project.clients {
        if c.driver != Driver::DieselAsync || !NO_TLS_APIS.contains(&c.api.as_str()) {
            continue;
        }
        let judged = Judged::of(project, &c.url, c.file);
        let Some(evidence) = neon_evidence(project, config, &judged, in_test(c), &mut only_neon)
        else {
            continue;
        };
        let secondary = match &evidence {
            NeonEvidence::Value(v) => value_label(v, c.file, "Neon host"),
            NeonEvidence::OnlyNeonProject => Vec::new(),
        };
        out.push(
            Diagnostic::new(
                &DIESEL_ASYNC_WITHOUT_TLS,
                c.file,
                c.span.clone(),
                format!("`{}` connects without TLS (diesel-async uses `NoTls` here){}", c.api, evidence.because()),
                "no TLS: Neon refuses it",
            )
            .help(
                "use `AsyncDieselConnectionManager::new_with_config(url, config)` with a `custom_setup` that calls \
                 `tokio_postgres::connect(url, tls)` and `AsyncPgConnection::try_from_client_and_connection`",
            )
            .secondary(secondary),
        );
    }
}
