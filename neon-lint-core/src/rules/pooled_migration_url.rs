use crate::rule::UrlFinding;
use crate::url::{Role, UrlInput};

crate::declare_rule! {
    /// ## What it does
    /// Finds pooled URLs used to run schema migrations: `alembic.ini` `sqlalchemy.url`,
    /// Alembic's `env.py` (`set_main_option`, `context.configure(url=...)`, the URL given to
    /// `create_engine`/`create_async_engine`, or under `sqlalchemy.url` to
    /// `engine_from_config`/`async_engine_from_config`), Prisma `directUrl`, `prisma.config.ts`, `drizzle.config.*`,
    /// Flyway/Liquibase URLs, `sqlx::migrate!().run(&pool)` and the other Rust runners on a
    /// pooled pool, and migration commands (`sqlx migrate run`, `prisma migrate deploy`,
    /// `alembic upgrade`, `manage.py migrate`, `drizzle-kit migrate`...) whose environment
    /// gives a pooled URL. Also the `neon_url!(direct, "...")` macro form, and Drizzle's
    /// `migrate(db, { migrationsFolder })` (from `drizzle-orm/<driver>/migrator`) where `db`
    /// wraps a client whose URL is pooled (also across files, `import { db } from "./db"`),
    /// Kysely's `new Migrator({ db })`, and TypeORM's `migrationsRun: true`. (`pg_dump` and
    /// `pg_restore` on a pooled URL are `pooled-dump-restore`, NL023.)
    ///
    /// ## Why is this bad?
    /// Migration tools rely on session state that a transaction-mode pooler does not keep:
    /// sqlx and Prisma take a session advisory lock (`pg_advisory_lock`) that another client
    /// can end up holding or releasing, and prepared
    /// statements collide (`prepared statement "s0" already exists`). Neon's guidance:
    /// schema migrations use the direct connection string.
    ///
    /// ## What was observed
    /// sqlx's `Migrator::run` (what `sqlx::migrate!().run(&pool)` runs) through PgBouncer while other
    /// clients used it (`docs/ground-truth.md`): PgBouncer 1.18 failed with
    /// `while executing migrations: error returned from database: prepared statement "sqlx_s_5" does
    /// not exist`. On PgBouncer 1.24 (prepared-statement tracking, like Neon's pooler) the run
    /// **succeeded**, but `pg_advisory_lock` and `pg_advisory_unlock` landed on different server
    /// connections: the lock stayed held by a connection handed to another client, and the next
    /// deploy, even on the direct URL, hung in `pg_advisory_lock`. On the direct URL, two runs in a
    /// row were clean.
    ///
    /// Alembic 1.20 `upgrade head` (psycopg2 and psycopg 3), Django 5.2 `migrate` and
    /// drizzle-kit 0.31 `migrate` (postgres.js and node-postgres) **succeeded** through both
    /// pooler generations with six other clients on the pool: they take no session advisory
    /// lock and run each migration inside a transaction, which PgBouncer keeps on one server
    /// connection. For them the finding is Neon's guidance, not an observed failure: a
    /// migration that uses session state (`SET` outside a transaction, `LISTEN`, advisory
    /// locks taken by hand, temporary tables) or `CREATE INDEX CONCURRENTLY` (which cannot run
    /// inside a transaction) is what breaks, and such a migration can land any day.
    ///
    /// ## Example
    /// ```text
    /// # alembic.ini
    /// sqlalchemy.url = postgresql://alex:****@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require
    /// ```
    ///
    /// ```ts
    /// // DATABASE_URL is the pooled string
    /// const db = drizzle({ client: new Pool({ connectionString: process.env.DATABASE_URL }) });
    /// await migrate(db, { migrationsFolder: "./drizzle" });
    /// ```
    ///
    /// ## Use instead
    /// The direct host (drop `-pooler`), usually from a second variable such as
    /// `DATABASE_URL_UNPOOLED` or `DIRECT_URL`.
    pub static POOLED_MIGRATION_URL = {
        code: "NL020",
        name: "pooled-migration-url",
        level: Error,
        group: Migrations,
        summary: "pooled URL used to run migrations",
        fixable: false,
    };
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    if url.ctx.role != Role::Migration || !url.is_pooled() {
        return;
    }
    let evidence = url
        .ctx
        .role_evidence
        .clone()
        .unwrap_or_else(|| "this URL runs migrations".into());
    out.push(UrlFinding {
        rule: &POOLED_MIGRATION_URL,
        span: url.host_span(),
        message: format!("migrations run through the pooler ({evidence})"),
        label: "`-pooler` host: PgBouncer in transaction mode".into(),
        help: Some(match url.neon().and_then(|n| n.endpoint_id.clone()) {
            Some(ep) => format!("use the direct host (`{ep}`, without `-pooler`) for migrations"),
            None => "use the direct (non-pooled) host for migrations".into(),
        }),
        secondary: Vec::new(),
        fix: None,
    });
}
