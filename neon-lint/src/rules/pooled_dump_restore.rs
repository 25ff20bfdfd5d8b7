use super::pooled_migration_run::pooled_runs;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::Work;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds `pg_dump`, `pg_restore` and `pg_dumpall` run on a pooled URL (Neon `-pooler`,
    /// or a host configured in `pooled-hosts`) in scripts, Makefiles, Dockerfiles and CI
    /// workflow steps: the URL given with `-d`/`--dbname` or as `pg_dump`'s database
    /// argument, or, with no connection string or host flag on the line, the `PGHOST` of the
    /// command's environment (a CI step's `env:`, also when its password is a
    /// `${{ secrets.X }}` expression).
    ///
    /// ## Why is this bad?
    /// Both tools set session parameters before they start (`SET statement_timeout = 0`,
    /// `set_config('search_path', '', false)`, `SET client_encoding`...) and expect them to
    /// hold for the whole run. PgBouncer in transaction mode gives each transaction whichever
    /// server connection is free: when other clients use the pool, the settings can land on a
    /// server connection that another client then receives (with an empty `search_path`),
    /// while the dump runs without them. Neon's connection pooling guide lists `pg_dump` and
    /// `pg_restore` among the tools that need the direct connection string.
    ///
    /// ## What was observed
    /// `pg_dump -Fc` and `pg_restore --clean` (15.18) of one schema through PgBouncer 1.18 and
    /// through 1.24 with `max_prepared_statements` (like Neon's pooler), with no other client
    /// on the pool, **both succeeded** and the restore was complete (`docs/ground-truth.md`).
    /// The failure above needs concurrent clients on the same pool, which that cell did not
    /// run; so this is a warning, not an error.
    ///
    /// ## Example
    /// ```yaml
    /// - run: pg_dump -Fc -d "$DATABASE_URL" -f backup.dump
    ///   env:
    ///     DATABASE_URL: postgresql://app:${{ secrets.PW }}@ep-cool-123456-pooler.us-east-2.aws.neon.tech/app?sslmode=require
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// - run: pg_dump -Fc -d "$DATABASE_URL_UNPOOLED" -f backup.dump
    /// ```
    /// (the direct host: the same name without `-pooler`).
    ///
    /// ## References
    /// - Neon: Connection pooling, "Connection pooling notes and limitations" (`pg_dump`)
    /// - PgBouncer: Features, "SQL feature map for pooling modes" (`SET`/`RESET`)
    pub static POOLED_DUMP_RESTORE = {
        code: "NL023",
        name: "pooled-dump-restore",
        level: Warn,
        group: Migrations,
        summary: "pg_dump or pg_restore run on a pooled URL",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    pooled_runs(project, config, Work::DumpRestore, |run, pooled| {
        out.push(pooled.diagnostic(
            run,
            &POOLED_DUMP_RESTORE,
            POOLED_DUMP_RESTORE.default_level,
            format!(
                "`{}` runs through the pooler{}: its session `SET`s do not hold in transaction mode",
                run.tool, pooled.via
            ),
            "a dump or restore through PgBouncer in transaction mode",
            "it",
        ));
    });
}
