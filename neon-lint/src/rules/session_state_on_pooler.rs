use super::connection_values::ResolvedUrl;
use super::connection_values::{via, Judged};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::{ClientSetup, UrlSource};
use crate::source::FileId;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds session state set on a connection whose URL resolves to a pooled host (Neon
    /// `-pooler`, or a host configured in `pooled-hosts`):
    ///
    /// - SQL run on it that changes the session: `SET` (not `SET LOCAL`, `SET TRANSACTION`,
    ///   `SET CONSTRAINTS`), `RESET`, `LISTEN`, session advisory locks
    ///   (`pg_advisory_lock`, `pg_try_advisory_lock`; the `_xact_` forms are fine), temporary
    ///   tables without `ON COMMIT DROP`, `DECLARE ... WITH HOLD` cursors, SQL `PREPARE`,
    ///   `LOAD`; in `sqlx::query*`/`raw_sql`, `execute`/`fetch*` on a pool or connection,
    ///   tokio-postgres `execute`/`query*`/`batch_execute`/`simple_query`, diesel
    ///   `sql_query`/`batch_execute`, sea-orm `execute_unprepared`/`Statement`; in
    ///   JavaScript, `query(...)` on a pg or `@neondatabase/serverless` client (or on
    ///   `await pool.connect()`), and postgres.js / `neon()` tagged templates and `unsafe`;
    ///   in Python, `execute`/`executemany`/`fetch*`/`exec_driver_sql` (SQL given as a
    ///   literal or `text("...")`) on a psycopg2, psycopg, asyncpg or SQLAlchemy connection,
    ///   cursor, pool or engine followed back to its driver call in the same file (through
    ///   variables, `with ... as`, `await`, `cursor()`, `connect()`, `begin()`, `acquire()`),
    ///   asyncpg `add_listener` (`LISTEN`), psycopg2 `cursor(..., withhold=True)`, and SQL
    ///   run in SQLAlchemy `@event.listens_for(engine, "connect")` hooks on the hook's
    ///   connection;
    /// - hooks that run such SQL on every new connection: sqlx `after_connect` (and
    ///   `before_acquire`, `after_release`), deadpool `post_create`;
    /// - session features: sqlx `PgListener` (`LISTEN`), `PgAdvisoryLock` (session lock),
    ///   sea-orm `set_schema_search_path` and `sea_orm_migration::cli::run_cli` (which
    ///   always runs `SET search_path`).
    ///
    /// `NOTIFY` is not flagged: it is transactional and delivered at commit, which works
    /// through a transaction-mode pooler (PgBouncer's feature table lists `LISTEN`, not
    /// `NOTIFY`).
    ///
    /// ## Why is this bad?
    /// PgBouncer in transaction mode gives each transaction whichever server connection is
    /// free. Session state stays on the server connection it was set on, and the next
    /// transaction of the same client usually runs on another one:
    ///
    /// - `SET search_path TO app` seems to work, then a later query fails with
    ///   `relation "mytable" does not exist`, or worse, another client inherits the setting;
    /// - `LISTEN` stops receiving notifications when the server connection changes;
    /// - `pg_advisory_unlock` runs on another server connection and returns false; the lock
    ///   stays held on the first one until PgBouncer recycles it, and the next deploy hangs
    ///   in `pg_advisory_lock`.
    ///
    /// Neon's docs list `SET`/`RESET`, `LISTEN`, `WITH HOLD` cursors, SQL `PREPARE`,
    /// temporary tables with `PRESERVE`/`DELETE ROWS`, `LOAD` and session-level advisory
    /// locks as unsupported on the pooled endpoint.
    ///
    /// ## What was observed
    /// Through PgBouncer in transaction mode (`docs/ground-truth.md`): after `SET search_path TO
    /// app, public`, 8 to 15 of the same client's next 15 queries failed with
    /// `ERROR: relation "items" does not exist`, **and** the setting leaked to other clients of the
    /// pool (20-28 % of their queries ran under it). `SET LOCAL` inside a transaction: 15 of 15
    /// correct, no leak. sqlx's `PgListener` (`LISTEN`) gave **no error at all**: the `NOTIFY`
    /// never arrived; on the direct URL it did.
    ///
    /// ## Example
    /// ```rust,ignore
    /// // DATABASE_URL=postgresql://...@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require
    /// sqlx::query("SET search_path TO app").execute(&pool).await?;
    /// ```
    /// ```js
    /// await sql`SET search_path TO app`;          // postgres.js, neon()
    /// await (await pool.connect()).query("LISTEN jobs"); // pg, @neondatabase/serverless Pool
    /// ```
    ///
    /// ## Use instead
    /// Transaction-scoped forms inside a transaction (`SET LOCAL`, `pg_advisory_xact_lock`,
    /// `CREATE TEMP TABLE ... ON COMMIT DROP`), settings on the role
    /// (`ALTER ROLE app SET search_path = app`) or schema-qualified names; or the direct URL
    /// (`DATABASE_URL_UNPOOLED`) for the connection that needs a session (listeners,
    /// migrations, locks).
    ///
    /// ## References
    /// - Neon: Connection pooling, "Unsupported features"
    /// - PgBouncer: feature table for transaction pooling
    pub static SESSION_STATE_ON_POOLER = {
        code: "NL011",
        name: "session-state-on-pooler",
        level: Warn,
        group: Pooler,
        summary: "session state (SET, LISTEN, advisory locks...) on a pooled connection",
        fixable: false,
    };
}

/// What session state a SQL text sets, if any (`SET`, `LISTEN`...), one statement at a time.
pub(crate) fn session_state(sql: &str) -> Option<&'static str> {
    for stmt in sql.split(';') {
        let words: Vec<String> = strip_comments(stmt)
            .split_whitespace()
            .map(|w| w.to_ascii_lowercase())
            .collect();
        let lower = words.join(" ");
        let first = words.first().map(String::as_str).unwrap_or("");
        let second = words.get(1).map(String::as_str).unwrap_or("");
        let found = match first {
            "set" if !matches!(second, "local" | "transaction" | "constraints") => Some("`SET`"),
            "reset" => Some("`RESET`"),
            "listen" => Some("`LISTEN`"),
            "prepare" if second != "transaction" => Some("SQL `PREPARE`"),
            "load" => Some("`LOAD`"),
            "declare" if lower.contains(" with hold") => Some("a `WITH HOLD` cursor"),
            "create"
                if (matches!(second, "temp" | "temporary")
                    || (matches!(second, "global" | "local")
                        && matches!(
                            words.get(2).map(String::as_str),
                            Some("temp" | "temporary")
                        )))
                    && !lower.contains("on commit drop") =>
            {
                Some("a temporary table")
            }
            _ => None,
        };
        if found.is_some() {
            return found;
        }
        if lower.contains("pg_advisory_lock") || lower.contains("pg_try_advisory_lock") {
            return Some("a session advisory lock");
        }
    }
    None
}

fn strip_comments(s: &str) -> String {
    let mut out = String::new();
    for line in s.lines() {
        let line = match line.find("--") {
            Some(i) => &line[..i],
            None => line,
        };
        out.push_str(line);
        out.push(' ');
    }
    out
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    // Rust: SQL run on connections, session features, connect hooks.
    for u in &project.uses {
        let what = match (u.api.as_str(), u.sql.as_deref()) {
            ("PgListener::connect", _) => "`LISTEN` (`PgListener`)".to_string(),
            ("PgAdvisoryLock::acquire", _) => {
                "a session advisory lock (`PgAdvisoryLock`)".to_string()
            }
            ("sea_orm_migration::cli::run_cli", _) => {
                "`SET search_path` (`run_cli` always sets `DATABASE_SCHEMA`)".to_string()
            }
            (_, Some(sql)) => match session_state(sql) {
                Some(w) => w.to_string(),
                None => continue,
            },
            _ => continue,
        };
        report(project, config, &u.url, u.file, u.span.clone(), &what, out);
    }
    for c in &project.clients {
        rust_hooks(project, config, c, out);
    }
}

/// Connect hooks and sea-orm's `set_schema_search_path`.
fn rust_hooks(project: &Project, config: &Config, c: &ClientSetup, out: &mut Vec<Diagnostic>) {
    let Some(rs) = crate::drivers::rust::of(c.driver) else {
        return;
    };
    for s in &c.settings {
        let what = if rs.connection_hooks.contains(&s.name.as_str()) {
            match session_state(&s.value) {
                Some(w) => format!("{w} in `{}`", s.name),
                None => continue,
            }
        } else if let Some((_, what)) = rs.session_settings.iter().find(|(n, _)| *n == s.name) {
            (*what).to_string()
        } else {
            continue;
        };
        report(project, config, &c.url, c.file, s.span.clone(), &what, out);
    }
}

fn report(
    project: &Project,
    config: &Config,
    url: &UrlSource,
    file: FileId,
    span: std::ops::Range<usize>,
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    let judged = Judged::of(project, url, file);
    let Some(pooled): Option<&ResolvedUrl> = judged.pooled(project, config) else {
        return;
    };
    out.push(
        Diagnostic::new(
            &SESSION_STATE_ON_POOLER,
            file,
            span,
            format!("{what} on a pooled connection{}", via(pooled)),
            "session state; the next transaction may run on another server connection",
        )
        .help(
            "use the transaction-scoped form inside a transaction (`SET LOCAL`, `pg_advisory_xact_lock`), a role \
             setting (`ALTER ROLE ... SET`), or the direct URL for this connection",
        ),
    );
}

#[cfg(test)]
mod tests {
    use super::session_state;

    #[test]
    fn classifies_sql() {
        assert_eq!(session_state("SET search_path TO app"), Some("`SET`"));
        assert_eq!(session_state("  set  statement_timeout = 5"), Some("`SET`"));
        assert_eq!(session_state("SET LOCAL search_path TO app"), None);
        assert_eq!(
            session_state("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"),
            None
        );
        assert_eq!(
            session_state("BEGIN; SET search_path TO x; COMMIT"),
            Some("`SET`")
        );
        assert_eq!(
            session_state("SELECT pg_advisory_lock($1)"),
            Some("a session advisory lock")
        );
        assert_eq!(session_state("SELECT pg_advisory_xact_lock($1)"), None);
        assert_eq!(session_state("LISTEN jobs"), Some("`LISTEN`"));
        assert_eq!(session_state("NOTIFY jobs"), None);
        assert_eq!(
            session_state("CREATE TEMP TABLE t (x int)"),
            Some("a temporary table")
        );
        assert_eq!(
            session_state("CREATE TEMP TABLE t (x int) ON COMMIT DROP"),
            None
        );
        assert_eq!(session_state("PREPARE TRANSACTION 'x'"), None);
        assert_eq!(session_state("-- comment\nRESET ALL"), Some("`RESET`"));
        assert_eq!(session_state("SELECT 1"), None);
    }
}
