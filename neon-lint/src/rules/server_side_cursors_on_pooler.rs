use super::client_values::is_true;
use super::connection_values::{via, Judged};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::{Driver, UNKNOWN_OPTIONS};

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds Django database connections whose URL resolves to a pooled host (Neon
    /// `-pooler`, or a host configured in `pooled-hosts`) without
    /// `"DISABLE_SERVER_SIDE_CURSORS": True`: a `DATABASES` entry (with its keys written in
    /// it, or set afterwards as `DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True`),
    /// or `dj_database_url.config(...)`/`parse(...)` without `disable_server_side_cursors=True`.
    /// An entry whose keys come from a `**spread` built elsewhere is not judged.
    ///
    /// ## Why is this bad?
    /// Django's PostgreSQL backend runs `QuerySet.iterator()` through a server-side cursor
    /// (`DECLARE ... CURSOR WITH HOLD`) that stays open on the server connection after its
    /// transaction ends. PgBouncer in transaction mode gives the next fetch whichever server
    /// connection is free, where the cursor does not exist:
    ///
    /// ```text
    /// django.db.utils.OperationalError: cursor "_django_curs_140239_sync_1" does not exist
    /// ```
    ///
    /// (psycopg2; with psycopg 3, `django.db.utils.ProgrammingError: cursor ...` or
    /// `... portal "_django_curs_..." does not exist`).
    ///
    /// Django's documentation ("Transaction pooling and server-side cursors") requires
    /// disabling them for a connection behind a transaction-mode pooler; Neon's pooled
    /// endpoint is one (PgBouncer, `pool_mode=transaction`).
    ///
    /// ## What was observed
    /// Django 5.2 `QuerySet.iterator()` (2000 rows) through PgBouncer 1.18 and 1.24 with
    /// `max_prepared_statements` (`docs/ground-truth.md`): with six other clients on the same
    /// pool it failed on the first fetch, on both generations, with psycopg2 and psycopg 3, in
    /// every run; **alone on the pool it returned every row** (PgBouncer handed back the same
    /// server connection), so a quiet test does not show it. Directly, and with
    /// `DISABLE_SERVER_SIDE_CURSORS: True` through either pooler, it worked.
    ///
    /// ## Example
    /// ```python
    /// DATABASES = {
    ///     "default": dj_database_url.config(conn_max_age=600),  # DATABASE_URL is -pooler
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// DATABASES = {
    ///     "default": dj_database_url.config(conn_max_age=600, disable_server_side_cursors=True),
    /// }
    /// ```
    /// or `"DISABLE_SERVER_SIDE_CURSORS": True` in the `DATABASES` entry; or the direct URL
    /// (`DATABASE_URL_UNPOOLED`) for this connection.
    ///
    /// ## References
    /// - Django: Databases, PostgreSQL notes, "Transaction pooling and server-side cursors"
    /// - Neon: Connection pooling, "Unsupported features" (`WITH HOLD` cursors)
    pub static SERVER_SIDE_CURSORS_ON_POOLER = {
        code: "NL012",
        name: "server-side-cursors-on-pooler",
        level: Warn,
        group: Pooler,
        summary: "Django on a pooled URL without DISABLE_SERVER_SIDE_CURSORS",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    for c in project
        .clients
        .iter()
        .filter(|c| c.driver == Driver::Django)
    {
        let disabled = c
            .setting("DISABLE_SERVER_SIDE_CURSORS")
            .or_else(|| c.setting("disable_server_side_cursors"))
            .is_some_and(|s| is_true(&s.value));
        if disabled || c.setting(UNKNOWN_OPTIONS).is_some() {
            continue;
        }
        let judged = Judged::of(project, &c.url, c.file);
        let Some(pooled) = judged.pooled(project, config) else {
            continue;
        };
        let help = if c.api.starts_with("dj_database_url") {
            "pass `disable_server_side_cursors=True` (or use the direct URL for Django)"
        } else {
            "add `\"DISABLE_SERVER_SIDE_CURSORS\": True` to this entry (or use the direct URL for Django)"
        };
        out.push(
            Diagnostic::new(
                &SERVER_SIDE_CURSORS_ON_POOLER,
                c.file,
                c.span.clone(),
                format!(
                    "Django on a pooled connection{} with server-side cursors on: `QuerySet.iterator()` fails with `cursor ... does not exist`",
                    via(pooled)
                ),
                "server-side cursors through PgBouncer in transaction mode",
            )
            .help(help),
        );
    }
}
