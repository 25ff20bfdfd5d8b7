use super::connection_values::{in_test, neon_evidence, project_uses_neon, Judged, NeonEvidence};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, FileEdit, FileFix};
use crate::project::Project;
use crate::site::ClientSetup;

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
    /// - (Python, by the Python checks) `ssl.CERT_NONE`, `check_hostname = False`;
    /// - (JavaScript) `ssl: { rejectUnauthorized: false }` given to node-postgres
    ///   (`new Pool`, `new Client`, Drizzle's `node-postgres` entry, Knex, Prisma's
    ///   `PrismaPg`, TypeORM's `ssl`/`extra.ssl`, Sequelize's `dialectOptions.ssl`) or postgres.js
    ///   (`postgres(url, { ssl })`), including in one branch of `cond ? {...} : ...`.
    ///   `@neondatabase/serverless` ignores `ssl` (its WebSocket or HTTPS transport is
    ///   verified by the runtime), so there it is no finding; nor is node-postgres' when
    ///   every value of the URL has `sslmode` (or `sslrootcert`, `sslcert`, `sslkey`),
    ///   which replaces the whole `ssl` option; and node-postgres' own
    ///   `sslmode=no-verify` in the URL it reads;
    /// - `NODE_TLS_REJECT_UNAUTHORIZED=0` set anywhere the project gives variables values
    ///   (`.env`, scripts, CI, Dockerfiles, `process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"`
    ///   in code) in a project that connects to Neon: Node then skips certificate checks on
    ///   every TLS connection of the process.
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
    /// ```js
    /// // DATABASE_URL=postgresql://...@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb
    /// const pool = new Pool({
    ///   connectionString: process.env.DATABASE_URL,
    ///   ssl: { rejectUnauthorized: false },
    /// });
    /// ```
    ///
    /// ## Use instead
    /// The defaults (they verify against the system roots), or rustls with real roots
    /// (`webpki_roots::TLS_SERVER_ROOTS`, `rustls_native_certs`, `rustls-platform-verifier`).
    /// Neon's certificates chain to public roots (ISRG Root X1). In JavaScript, `ssl: true`
    /// (node-postgres) or `ssl: "verify-full"` (postgres.js): Node's default trust store
    /// holds that root. The fix (shown, never applied by `--fix`) turns
    /// `rejectUnauthorized` to `true`; it is offered only where every value of the URL is
    /// a Neon host and no `ca` replaces Node's roots, and stays a suggestion because the
    /// runtime's trust store (`NODE_EXTRA_CA_CERTS`, a TLS-intercepting proxy) is not
    /// visible in the tree.
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
    node_tls_reject_unauthorized(project, config, out);
    let mut only_neon = None;
    for c in &project.clients {
        if crate::drivers::js::of(c.driver).is_some() {
            javascript(project, config, c, &mut only_neon, out);
            continue;
        }
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
            out.push(
                Diagnostic::new(
                    &TLS_VERIFICATION_DISABLED,
                    c.file,
                    s.span.clone(),
                    format!("`{}` {message}{}", s.value, evidence.because()),
                    label,
                )
                .help(help),
            );
        }
    }
}

/// JavaScript drivers: the setting their driver file says turns checks off.
fn javascript(
    project: &Project,
    config: &Config,
    c: &ClientSetup,
    only_neon: &mut Option<bool>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(js) = crate::drivers::js::of(c.driver) else {
        return;
    };
    let judged = Judged::of(project, &c.url, c.file);
    let urls: Vec<&str> = judged.values.iter().map(|v| v.text.as_str()).collect();
    let Some(s) = (js.verification_off)(c, &urls) else {
        return url_verification_off(project, config, c, &judged, only_neon, out);
    };
    let Some(evidence) = neon_evidence(project, config, &judged, in_test(c), only_neon) else {
        return;
    };
    // Every value a Neon host, and Node's own roots in use: verification then succeeds
    // against Neon's public certificate chain.
    let all_neon = matches!(evidence, NeonEvidence::Value(_))
        && judged.values.iter().all(|v| {
            let ctx = super::url_rules::context_for(project, v.file, config);
            neon_lint_core::UrlInput::new(&v.text, &ctx).is_neon()
        });
    let custom_ca = c.setting("ssl.ca").is_some();
    let text = &project.files[c.file].text;
    let fix = (all_neon && !custom_ca)
        .then(|| {
            let pair = text.get(s.span.clone())?;
            let at = pair.rfind(crate::drivers::js::unquoted(&s.value))?;
            let start = s.span.start + at;
            Some(FileFix {
                applicability: neon_lint_core::rule::Applicability::Unsafe,
                title: "verify the server certificate (Neon's chains to ISRG Root X1, in Node's default store)"
                    .into(),
                edits: vec![FileEdit {
                    range: start..start + crate::drivers::js::unquoted(&s.value).len(),
                    content: "true".into(),
                }],
                // An option, not a connection string: nothing to read back.
                intended: None,
            })
        })
        .flatten();
    out.push(
        Diagnostic::new(
            &TLS_VERIFICATION_DISABLED,
            c.file,
            s.span.clone(),
            format!(
                "`rejectUnauthorized: {}` turns certificate checks off on a connection to Neon{}",
                crate::drivers::js::unquoted(&s.value),
                evidence.because()
            ),
            "anyone on the path can impersonate the server",
        )
        .help(if custom_ca {
            "remove `rejectUnauthorized: false`: with the `ca` given, the server is checked against it"
        } else {
            "remove it (or use `ssl: true`): Neon's certificates chain to public roots, so Node's default verification works"
        })
        .maybe_fix(fix),
    );
}

/// A URL parameter the JavaScript driver reads as "no certificate checks" (pg's
/// `sslmode=no-verify`), on a Neon value.
fn url_verification_off(
    project: &Project,
    config: &Config,
    c: &ClientSetup,
    judged: &Judged,
    only_neon: &mut Option<bool>,
    out: &mut Vec<Diagnostic>,
) {
    let Some(js) = crate::drivers::js::of(c.driver) else {
        return;
    };
    let Some((value, param)) = judged
        .values
        .iter()
        .find_map(|v| (js.url_verification_off)(&v.text).map(|p| (v, p)))
    else {
        return;
    };
    let single = Judged {
        values: vec![value.clone()],
    };
    let Some(evidence) = neon_evidence(project, config, &single, in_test(c), only_neon) else {
        return;
    };
    let at = value
        .text
        .find(param)
        .filter(|_| value.file == c.file && value.map.is_exact());
    let span = match at {
        Some(i) => value.map.range(i..i + param.len()),
        None => c.span.clone(),
    };
    out.push(
        Diagnostic::new(
            &TLS_VERIFICATION_DISABLED,
            c.file,
            span,
            format!(
                "`{param}` makes node-postgres skip certificate checks on a connection to Neon{}",
                evidence.because()
            ),
            "pg reads it as `ssl: { rejectUnauthorized: false }`",
        )
        .help(
            "use `sslmode=verify-full` (or `require`, which pg 8 also verifies): Neon's certificates chain to public roots",
        ),
    );
}

/// `NODE_TLS_REJECT_UNAUTHORIZED=0`: Node's process-wide switch for certificate checks.
fn node_tls_reject_unauthorized(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    let mut uses_neon = None;
    for b in &project.bindings {
        if b.name != "NODE_TLS_REJECT_UNAUTHORIZED"
            || b.value.trim().trim_matches(['"', '\'']) != "0"
            || matches!(
                b.placement,
                neon_lint_core::Placement::Example | neon_lint_core::Placement::Docs
            )
        {
            continue;
        }
        if !*uses_neon.get_or_insert_with(|| project_uses_neon(project, config)) {
            return;
        }
        out.push(
            Diagnostic::new(
                &TLS_VERIFICATION_DISABLED,
                b.file,
                b.name_span.clone(),
                "`NODE_TLS_REJECT_UNAUTHORIZED=0` turns certificate checks off for every TLS connection of the Node process, Neon's included",
                "anyone on the path can impersonate the server",
            )
            .help(
                "remove it: Neon's certificates chain to public roots, so Node's default verification works",
            ),
        );
    }
}
