use crate::rule::{Applicability, Edit, Fix, UrlFinding};
use crate::url::UrlInput;

crate::declare_rule! {
    /// ## What it does
    /// Finds Neon connection strings that say nothing about TLS: no `sslmode`, no `ssl=`,
    /// no `sslrootcert=system`, and no TLS setting passed beside the string in the same call.
    /// Beside it means the driver's own options: asyncpg `ssl=`, psycopg `sslmode=`,
    /// node-postgres `new Pool({ connectionString, ssl: true })` (or `ssl: {...}`), postgres.js
    /// `postgres(url, { ssl: "require" })`; and `@neondatabase/serverless` (`neon(url)`,
    /// its `Pool`), whose HTTPS or WebSocket transport is TLS whatever the URL says. A value
    /// in `.env` counts as configured when every driver call that reads its variable sets TLS
    /// so.
    ///
    /// libpq's variables are a connection string too: a Neon `PGHOST` with no `PGSSLMODE` in
    /// the same environment (a `.env` file, a Dockerfile, a compose service, a CI step with
    /// its job's and workflow's `env:`) is reported, and `PGSSLMODE=disable` is
    /// `insecure-sslmode`. `psql`, `pg_dump` and node-postgres' `new Pool()` read them.
    ///
    /// ## Why is this bad?
    /// Neon accepts only TLS connections, like a PostgreSQL server with nothing but `hostssl`
    /// lines in `pg_hba.conf`. Without `sslmode`, libpq falls back to `prefer` and most drivers
    /// fall back to whatever they were built with: a driver without TLS connects in plaintext
    /// and the server answers
    ///
    /// ```text
    /// ERROR: connection is insecure (try using sslmode=require&channel_binding=require)
    /// ```
    ///
    /// Even when TLS happens to be negotiated, nothing in the configuration says it must be,
    /// so a later change of driver or image silently drops it. Every string Neon's console
    /// hands out carries `sslmode`.
    ///
    /// ## What was observed
    /// A URL with no `sslmode` and no TLS option, against PostgreSQL with only `hostssl` lines,
    /// directly and through PgBouncer 1.18 and 1.24 (`docs/ground-truth.md`):
    ///
    /// | driver | outcome |
    /// |---|---|
    /// | node-postgres 8.23, postgres.js 3.4 | **fails**: `no pg_hba.conf entry for host "127.0.0.1", user "app", database "appdb", no encryption` (direct), `SSL required` (pooler) |
    /// | psycopg 3.3, psycopg2 2.9 (libpq), asyncpg 0.32, sqlx 0.8, tokio-postgres with a TLS connector | connects over TLS: their default (`prefer`) tries TLS first |
    ///
    /// So for the JavaScript drivers the string does not connect at all; for the others it
    /// works today but nothing requires TLS (with `prefer`, an attacker on the path can make
    /// the client fall back to plaintext).
    ///
    /// ## Example
    /// ```text
    /// DATABASE_URL=postgresql://alex:****@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb
    /// ```
    ///
    /// ```js
    /// const client = new pg.Client({
    ///   connectionString: "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb",
    /// });
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// DATABASE_URL=postgresql://alex:****@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require
    /// ```
    /// ```js
    /// const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, ssl: true });
    /// ```
    ///
    /// ## Fix
    /// `--fix` appends `sslmode=require` (for SQLAlchemy's asyncpg driver, `ssl=require`, the
    /// spelling asyncpg understands). It is the only edit: nothing else in the string changes.
    /// Consider `channel_binding=require` or `sslmode=verify-full` on top (see
    /// `unverified-tls`). Where the string is assembled so that the end of the run-time value
    /// is not a literal written for it alone (`'...' + db`, `format!("...{q}")`, `$Q`, a
    /// `${BASE}` other values also expand), no fix is offered: the help says what to append.
    ///
    /// ## References
    /// - Neon: Connect securely (`sslmode` table), connection errors ("connection is insecure")
    /// - libpq: `sslmode` defaults to `prefer`
    pub static MISSING_SSLMODE = {
        code: "NL001",
        name: "missing-sslmode",
        level: Error,
        group: ConnectionString,
        summary: "Neon connection string without `sslmode`",
        fixable: true,
    };
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    let Some(info) = url.info() else { return };
    if !url.is_neon() || url.ctx.tls_beside {
        return;
    }
    let has_tls_setting = info.get("sslmode").is_some()
        || info.get("ssl").is_some()
        || info.get("sslrootcert").is_some_and(|p| p.value == "system");
    if has_tls_setting {
        return;
    }
    let (key, value) = if url.sqlalchemy_driver() == Some("asyncpg") {
        ("ssl", "require")
    } else {
        ("sslmode", "require")
    };
    let (at, insert) = info.append_param(url.text, key, value);
    out.push(UrlFinding {
        rule: &MISSING_SSLMODE,
        span: url.host_span(),
        message: "Neon connection string without `sslmode`".into(),
        label: "Neon host, and nothing requires TLS".into(),
        help: Some(format!(
            "append `{key}={value}`: Neon refuses plaintext connections (\"connection is insecure\")"
        )),
        secondary: Vec::new(),
        fix: Some(Fix {
            applicability: Applicability::Safe,
            title: format!("append `{key}={value}`"),
            edits: vec![Edit {
                range: at..at,
                content: insert,
            }],
        }),
    });
}
