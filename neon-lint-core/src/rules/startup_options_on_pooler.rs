use crate::rule::UrlFinding;
use crate::url::UrlInput;

crate::declare_rule! {
    /// ## What it does
    /// Finds pooled connection strings that pass server settings as startup options:
    /// `options=-c search_path=...`, `options=--statement_timeout=...`, or the same options
    /// given beside the URL (psycopg `options=`, sqlx `.options(...)`, tokio-postgres
    /// `Config::options`, Django `OPTIONS`, SQLAlchemy `connect_args`; in JavaScript,
    /// postgres.js `connection: { search_path: ... }` and node-postgres `options`,
    /// `statement_timeout`, `lock_timeout`, `idle_in_transaction_session_timeout`).
    ///
    /// ## Why is this bad?
    /// Neon's pooler is PgBouncer in transaction mode, which cannot carry per-client startup
    /// parameters to shared server connections and refuses them:
    ///
    /// ```text
    /// ERROR: unsupported startup parameter in options: search_path
    /// ```
    ///
    /// ## What was observed
    /// `options=-c search_path=...` through PgBouncer in transaction mode (`docs/ground-truth.md`):
    /// PgBouncer 1.18 refuses the connection with `FATAL: unsupported startup parameter: options`;
    /// PgBouncer 1.24 with `FATAL: unsupported startup parameter in options: search_path` (the text
    /// Neon documents). The same options on the direct URL, or `SET LOCAL` inside a transaction,
    /// worked.
    ///
    /// ## Example
    /// ```text
    /// postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require&options=-c%20search_path%3Dapp
    /// ```
    /// ```js
    /// // DATABASE_URL is the pooled string
    /// const sql = postgres(process.env.DATABASE_URL, { connection: { search_path: "app" } });
    /// ```
    ///
    /// ## Use instead
    /// Set it on the role (`ALTER ROLE alex SET search_path = app`), use `SET LOCAL` inside
    /// transactions, schema-qualify names, or connect to the direct host. Neon's own
    /// `endpoint=` option is not a server setting and is fine.
    pub static STARTUP_OPTIONS_ON_POOLER = {
        code: "NL009",
        name: "startup-options-on-pooler",
        level: Error,
        group: ConnectionString,
        summary: "startup options (`options=-c ...`) on a pooled connection",
        fixable: false,
    };
}

/// Whether `options` sets a server parameter (`-c x=y`, `-cx=y`, `--x=y`).
pub(crate) fn sets_server_settings(options: &str) -> bool {
    options
        .split(|c: char| c.is_ascii_whitespace())
        .any(|w| w.starts_with("-c") || w.starts_with("--"))
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    let Some(info) = url.info() else { return };
    if !url.is_pooled() {
        return;
    }
    let Some(p) = info.get("options") else { return };
    if !sets_server_settings(&p.value) {
        return;
    }
    out.push(UrlFinding {
        rule: &STARTUP_OPTIONS_ON_POOLER,
        span: p.span.clone(),
        message: "startup options on a pooled connection: PgBouncer refuses them".into(),
        label: format!("`options={}` on a `-pooler` host", p.value),
        help: Some(
            "use `ALTER ROLE ... SET`, `SET LOCAL` inside a transaction, or the direct (non-pooler) host"
                .into(),
        ),
        secondary: Vec::new(),
        fix: None,
    });
}
