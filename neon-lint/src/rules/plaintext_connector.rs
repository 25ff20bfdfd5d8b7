use super::connection_values::{in_test, neon_evidence, value_label, Judged, NeonEvidence};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::ClientSetup;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds `NoTls` given as the TLS connector of a connection to Neon:
    /// `tokio_postgres::connect(url, NoTls)`, `postgres::Client::connect(url, NoTls)`,
    /// `Config::connect(NoTls)`, deadpool-postgres `Config::create_pool(.., NoTls)` /
    /// `Manager::new(.., NoTls)`, bb8 and r2d2 `PostgresConnectionManager::new(.., NoTls)`.
    /// Aliases (`use tokio_postgres::NoTls as Plain`) and values passed through bindings
    /// (`let tls = NoTls;`) count.
    ///
    /// It fires when the URL resolves to a Neon host, or when the URL cannot be resolved
    /// statically and every database URL of the project is a Neon one (not in test code).
    ///
    /// ## Why is this bad?
    /// Neon accepts only TLS connections. With `NoTls`, tokio-postgres never encrypts:
    /// without `sslmode` (or `sslmode=prefer`) it starts in plaintext and Neon answers
    ///
    /// ```text
    /// db error: ERROR: connection is insecure (try using `sslmode=require`)
    /// ```
    ///
    /// and with `sslmode=require` it fails before sending anything:
    ///
    /// ```text
    /// error performing TLS handshake: no TLS implementation configured
    /// ```
    ///
    /// (Both observed with tokio-postgres 0.7 against a PostgreSQL that only allows
    /// `hostssl`; the first as `FATAL: no pg_hba.conf entry ... no encryption` there.)
    ///
    /// ## What was observed
    /// `tokio_postgres::connect(url, NoTls)` against a TLS-only server (`docs/ground-truth.md`): with
    /// `sslmode=require`, `error performing TLS handshake: no TLS implementation configured`; without
    /// `sslmode`, `db error: FATAL: no pg_hba.conf entry for host "127.0.0.1", user "app", database
    /// "appdb", no encryption`; through PgBouncer, `db error: FATAL: SSL required`. With
    /// `postgres_openssl::MakeTlsConnector` it connected, direct and pooled. (tokio-postgres's
    /// `Display` shows only `db error` / `error performing TLS handshake`; the detail is in the
    /// error's `source()` chain, which `{:#}` in anyhow prints.)
    ///
    /// ## Example
    /// ```rust,ignore
    /// let (client, connection) = tokio_postgres::connect(&std::env::var("DATABASE_URL")?, NoTls).await?;
    /// ```
    ///
    /// ## Use instead
    /// Neon's Rust guide:
    /// ```rust,ignore
    /// use openssl::ssl::{SslConnector, SslMethod};
    /// use postgres_openssl::MakeTlsConnector;
    /// let connector = MakeTlsConnector::new(SslConnector::builder(SslMethod::tls())?.build());
    /// let (client, connection) = tokio_postgres::connect(&std::env::var("DATABASE_URL")?, connector).await?;
    /// ```
    /// `postgres-native-tls` and `tokio-postgres-rustls` (with real root certificates) work
    /// too.
    ///
    /// ## References
    /// - Neon: Connect a Rust application (`postgres-openssl`)
    /// - tokio-postgres sources: `tls.rs`, `connect_tls.rs`
    ///
    /// ## Internal notes
    /// - Checked against the rust-drivers reference (tokio-postgres section).
    pub static PLAINTEXT_CONNECTOR = {
        code: "NL030",
        name: "plaintext-connector",
        level: Error,
        group: RustDrivers,
        summary: "`NoTls` connector on a connection to Neon",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    let mut only_neon = None;
    for c in &project.clients {
        if !crate::drivers::rust::of(c.driver).is_some_and(|d| d.takes_tls_connector) {
            continue;
        }
        check_client(project, config, c, &mut only_neon, out);
    }
}

fn check_client(
    project: &Project,
    config: &Config,
    c: &ClientSetup,
    only_neon: &mut Option<bool>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(tls) = c.setting("tls") else { return };
    if tls.value.rsplit("::").next() != Some("NoTls") {
        return;
    }
    let judged = Judged::of(project, &c.url, c.file);
    let Some(evidence) = neon_evidence(project, config, &judged, in_test(c), only_neon) else {
        return;
    };
    let mut secondary = vec![(c.span.clone(), format!("`{}` here", c.api))];
    if let NeonEvidence::Value(v) = &evidence {
        secondary.extend(value_label(v, c.file, "Neon host"));
    }
    secondary.retain(|(r, _)| *r != tls.span);
    out.push(
        Diagnostic::new(
            &PLAINTEXT_CONNECTOR,
            c.file,
            tls.span.clone(),
            format!("`NoTls` connects to Neon without TLS{}", evidence.because()),
            "plaintext: Neon refuses it (\"connection is insecure\")",
        )
        .help(
            "pass a TLS connector, as Neon's Rust guide does: \
             `postgres_openssl::MakeTlsConnector::new(SslConnector::builder(SslMethod::tls())?.build())` \
             (or postgres-native-tls, tokio-postgres-rustls)",
        )
        .secondary(secondary),
    );
}
