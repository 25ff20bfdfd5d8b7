use super::connection_values::project_uses_neon;
use crate::classify::FileKind;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::ManifestFact;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds `Cargo.toml` dependencies built without TLS, in a project that connects to
    /// Neon (a Neon URL anywhere outside docs):
    ///
    /// - `sqlx` with the `postgres` feature and no TLS feature (`tls-rustls*`,
    ///   `tls-native-tls`, or the older `runtime-*-rustls` / `runtime-*-native-tls`);
    /// - `sea-orm` (or `sea-orm-migration`) with `sqlx-postgres` and a runtime without
    ///   `-rustls` / `-native-tls` (`runtime-tokio` alone has no TLS);
    /// - `pq-sys` (diesel's libpq) with `bundled_without_openssl`.
    ///
    /// `workspace = true` dependencies are judged with the features of
    /// `[workspace.dependencies]` added. Each manifest is judged by itself: a TLS feature
    /// enabled for sqlx by one workspace member does not reach another member built alone
    /// (`cargo build -p app`, resolver 2), so it must be enabled where sqlx (or sea-orm) is
    /// declared. Within one manifest, TLS on any of sqlx, sea-orm or sea-orm-migration
    /// counts for all of them (they share one sqlx).
    ///
    /// ## Why is this bad?
    /// Neon accepts only TLS. sqlx built without a TLS feature fails every connection with
    /// `sslmode=require`:
    ///
    /// ```text
    /// error occurred while attempting to establish a TLS connection: TLS upgrade required by connect options but SQLx was built without TLS support enabled
    /// ```
    ///
    /// and without `sslmode` it falls back to plaintext, which Neon refuses
    /// (`connection is insecure (try using sslmode=require)`). The `query!` macros connect at
    /// build time with the same features. A libpq built `bundled_without_openssl` "cannot
    /// connect to a database requiring TLS".
    ///
    /// ## Example
    /// ```toml
    /// sqlx = { version = "0.8", features = ["runtime-tokio", "postgres"] }
    /// ```
    ///
    /// ## Use instead
    /// ```toml
    /// sqlx = { version = "0.8", features = ["runtime-tokio", "tls-rustls", "postgres"] }
    /// sea-orm = { version = "1", features = ["sqlx-postgres", "runtime-tokio-rustls"] }
    /// ```
    ///
    /// ## References
    /// - sqlx `Cargo.toml` features; sea-orm `Cargo.toml` features; pq-sys README
    pub static MISSING_TLS_FEATURE = {
        code: "NL032",
        name: "missing-tls-feature",
        level: Error,
        group: RustDrivers,
        summary: "database crate built without TLS in a project that connects to Neon",
        fixable: false,
    };
}

fn is_tls_feature(f: &str) -> bool {
    (f.starts_with("tls-") && f != "tls-none")
        || f.ends_with("-rustls")
        || f.ends_with("-native-tls")
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    let cargo: Vec<&ManifestFact> = project
        .manifests
        .iter()
        .filter(|m| project.files[m.file].kind == FileKind::CargoManifest)
        .collect();
    if cargo.is_empty() {
        return;
    }
    let sqlx_tls = |file| {
        cargo.iter().any(|m| {
            m.file == file
                && matches!(
                    m.package.as_str(),
                    "sqlx" | "sea-orm" | "sea-orm-migration" | "sqlx-core" | "sqlx-postgres"
                )
                && m.features.iter().any(|f| is_tls_feature(f))
        })
    };
    let mut uses_neon = None;
    for m in &cargo {
        let sqlx_tls = sqlx_tls(m.file);
        let problem = match m.package.as_str() {
            "sqlx" if m.features.iter().any(|f| f == "postgres") && !sqlx_tls => Some((
                "`sqlx` is built without TLS",
                "add `tls-rustls` (or `tls-native-tls`) to sqlx's features",
            )),
            "sea-orm" | "sea-orm-migration"
                if m.features.iter().any(|f| f == "sqlx-postgres" || f == "sqlx-all")
                    && m.features.iter().any(|f| f.starts_with("runtime-"))
                    && !sqlx_tls =>
            {
                Some((
                    if m.package == "sea-orm" {
                        "`sea-orm` is built with a runtime without TLS"
                    } else {
                        "`sea-orm-migration` is built with a runtime without TLS"
                    },
                    "use `runtime-tokio-rustls` (or `runtime-tokio-native-tls`) instead of `runtime-tokio`",
                ))
            }
            "pq-sys" if m.features.iter().any(|f| f == "bundled_without_openssl") => Some((
                "`pq-sys` builds libpq without OpenSSL",
                "use the `bundled` feature (libpq with OpenSSL) or a system libpq",
            )),
            _ => None,
        };
        let Some((message, help)) = problem else {
            continue;
        };
        if !*uses_neon.get_or_insert_with(|| project_uses_neon(project, config)) {
            return;
        }
        out.push(
            Diagnostic::new(
                &MISSING_TLS_FEATURE,
                m.file,
                m.span.clone(),
                format!("{message}, and this project connects to Neon, which requires TLS"),
                "no TLS feature",
            )
            .help(help),
        );
    }
}
