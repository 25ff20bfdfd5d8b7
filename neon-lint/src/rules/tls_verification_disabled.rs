use super::connection_values::{in_test, neon_evidence, Judged};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds TLS configurations that turn certificate checks off, or cannot check anything,
    /// on their way to a PostgreSQL connection to Neon:
    ///
    /// - native-tls `danger_accept_invalid_certs(true)` / `danger_accept_invalid_hostnames(true)`;
    /// - OpenSSL `set_verify(SslVerifyMode::NONE)`;
    /// - rustls `dangerous()` verifiers (`with_custom_certificate_verifier`,
    ///   `set_certificate_verifier`);
    /// - rustls `RootCertStore::empty()` with nothing added (every handshake fails);
    /// - (Python, by the Python checks) `ssl.CERT_NONE`, `check_hostname = False`.
    ///
    /// The setting counts when it flows (through bindings and functions of the same file)
    /// into a PostgreSQL TLS connector (`MakeTlsConnector`, `MakeRustlsConnect`) or a
    /// connect call, and the connection goes to Neon, or its URL is unknown and every
    /// database URL of the project is a Neon one. An HTTP client's
    /// `danger_accept_invalid_certs` does not count.
    ///
    /// ## Why is this bad?
    /// Without certificate checks, TLS encrypts but does not authenticate: anyone on the
    /// path can present their own certificate and read the password and the data. An empty
    /// root store is the opposite failure: tokio-postgres-rustls' README example uses one,
    /// and copied as is every connection fails with
    /// `invalid peer certificate: UnknownIssuer`.
    ///
    /// ## Example
    /// ```rust,ignore
    /// let tls = native_tls::TlsConnector::builder().danger_accept_invalid_certs(true).build()?;
    /// let (client, conn) = tokio_postgres::connect(&url, postgres_native_tls::MakeTlsConnector::new(tls)).await?;
    /// ```
    ///
    /// ## Use instead
    /// The defaults (they verify against the system roots), or rustls with real roots
    /// (`webpki_roots::TLS_SERVER_ROOTS`, `rustls_native_certs`, `rustls-platform-verifier`).
    /// Neon's certificates chain to public roots (ISRG Root X1).
    ///
    /// ## References
    /// - Neon: Connect securely
    /// - tokio-postgres-rustls README
    pub static TLS_VERIFICATION_DISABLED = {
        code: "NL034",
        name: "tls-verification-disabled",
        level: Error,
        group: RustDrivers,
        summary: "TLS certificate checks disabled on a connection to Neon",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    let mut only_neon = None;
    for c in &project.clients {
        let weak: Vec<_> = c
            .settings
            .iter()
            .filter(|s| s.name == "certificate_checks" || s.name == "root_store")
            .collect();
        if weak.is_empty() {
            continue;
        }
        let judged = Judged::of(project, &c.url, c.file);
        let Some(evidence) = neon_evidence(project, config, &judged, in_test(c), &mut only_neon)
        else {
            continue;
        };
        for s in weak {
            let (message, label, help) = if s.name == "root_store" {
                (
                    "with no certificates added: every TLS handshake to Neon fails".to_string(),
                    "no trust anchors",
                    "fill the store (`roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned())`, \
                     `rustls_native_certs::load_native_certs()`) or use `rustls-platform-verifier`",
                )
            } else {
                (
                    "turns certificate checks off on a connection to Neon".to_string(),
                    "anyone on the path can impersonate the server",
                    "remove it: Neon's certificates chain to public roots, so the default verification works",
                )
            };
            out.push(Diagnostic {
                rule: &TLS_VERIFICATION_DISABLED,
                level: TLS_VERIFICATION_DISABLED.default_level,
                file: c.file,
                span: s.span.clone(),
                message: format!("`{}` {message}{}", s.value, evidence.because()),
                label: label.into(),
                help: Some(help.into()),
                secondary: Vec::new(),
                fix: None,
            });
        }
    }
}
