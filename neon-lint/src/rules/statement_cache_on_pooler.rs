use super::client_values::{client_values, pooled_value, value_context};
use super::connection_values::ResolvedUrl;
use super::connection_values::{via, Judged};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::drivers::NamedStatements;
use crate::drivers::{python::UrlFacts, StatementCache};
use crate::project::Project;
use crate::site::{ClientSetup, ConnectionUse};
use crate::source::FileId;

/// Python set-ups whose statement cache is on, with a pooled URL.
fn python(project: &Project, config: &Config, c: &ClientSetup, out: &mut Vec<Diagnostic>) {
    if crate::drivers::python::of(c).is_none() {
        return;
    }
    let values = client_values(project, c);
    let Some(pooled) = pooled_value(project, config, &values) else {
        return;
    };
    let ctx = value_context(project, &pooled, config);
    let input = neon_lint_core::UrlInput::new(&pooled.text, &ctx);
    // A cache size can also ride in the URL's query (SQLAlchemy passes it on).
    let zero_in_query = |name: &str| {
        input
            .info()
            .and_then(|i| i.get(name))
            .is_some_and(|p| super::client_values::is_zero(&p.value))
    };
    let url = UrlFacts {
        dbapi: input.sqlalchemy_driver(),
        zero_in_query: &zero_in_query,
    };
    let StatementCache::On { what, switch_off } = crate::drivers::statement_cache(c, &url) else {
        return;
    };
    out.push(
        Diagnostic::new(
            &STATEMENT_CACHE_ON_POOLER,
            c.file,
            c.span.clone(),
            format!(
                "`{}` keeps {what} on over a pooled connection{}",
                c.api,
                via(&pooled)
            ),
            "prepared statements cached per connection, behind PgBouncer",
        )
        .help(format!(
            "pass {} (or set `pooler-prepared-statements = true` if only Neon's current pooler, which tracks prepared statements, is used)",
            switch_off.join(" and ")
        )),
    );
}

/// JavaScript drivers that name their statements with these settings (postgres.js unless
/// `prepare: false`), on a pooled URL.
fn javascript(project: &Project, config: &Config, c: &ClientSetup, out: &mut Vec<Diagnostic>) {
    let Some(js) = crate::drivers::js::of(c.driver) else {
        return;
    };
    let judged = Judged::of(project, &c.url, c.file);
    let Some(pooled) = judged
        .values
        .iter()
        .filter(|v| (js.named_statements)(c, &v.text))
        .find(|v| judged_pooled(project, config, v))
    else {
        return;
    };
    // postgres.js names its statements with a random per-connection prefix (no collisions)
    // and re-prepares a query once when the server says its statement does not exist
    // (`retryRoutines` in 3.4's `connection.js`): the ground-truth runs got every answer
    // right on both pooler generations. Advice, not a warning.
    let message = format!(
        "`{}` prepares named statements (postgres.js `prepare` defaults to true) on a pooled connection{}; \
         postgres.js re-prepares a statement the pooler lost, so queries still succeed",
        c.api,
        via(pooled)
    );
    out.push(
        Diagnostic::new(
            &STATEMENT_CACHE_ON_POOLER,
            c.file,
            c.span.clone(),
            message,
            "named statements through PgBouncer in transaction mode",
        )
        .level(neon_lint_core::Level::Info)
        .help(
            "`prepare: false` in the options saves the round trip of each re-prepare and the statements left \
             behind on server connections; with only Neon's pooler (it tracks prepared statements), \
             `pooler-prepared-statements = true` in neon-lint.toml silences this",
        ),
    );
}

/// node-postgres `query({ name, text })`: a named statement kept per server connection.
fn js_named_query(
    project: &Project,
    config: &Config,
    u: &ConnectionUse,
    out: &mut Vec<Diagnostic>,
) {
    let judged = Judged::of(project, &u.url, u.file);
    let Some(pooled) = judged.pooled(project, config) else {
        return;
    };
    out.push(
        Diagnostic::new(
            &STATEMENT_CACHE_ON_POOLER,
            u.file,
            u.span.clone(),
            format!(
                "`query({{ name }})` prepares a named statement on a pooled connection{}",
                via(pooled)
            ),
            "kept on one server connection, used from any",
        )
        .help(
            "drop `name` (pg then uses the unnamed statement, which worked on every pooler tried); named \
             queries failed on PgBouncer 1.18 and worked on 1.24 with `max_prepared_statements`, like Neon's \
             pooler: if only Neon's pooler is used, set `pooler-prepared-statements = true` in neon-lint.toml",
        ),
    );
}

fn judged_pooled(
    project: &Project,
    config: &Config,
    v: &super::connection_values::ResolvedUrl,
) -> bool {
    let ctx = super::url_rules::context_for(project, v.file, config);
    neon_lint_core::UrlInput::new(&v.text, &ctx).is_pooled()
}

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds drivers that keep a cache of named prepared statements on a connection whose
    /// URL resolves to a pooled host (Neon `-pooler`, or a host configured in
    /// `pooled-hosts`):
    ///
    /// - Rust: sqlx pools and connections (`PgPool::connect*`, `PgPoolOptions::connect*`,
    ///   `PgConnection::connect*`, and sea-orm's `Database::connect`, which is sqlx inside),
    ///   whatever their `statement_cache_capacity`; deadpool-postgres `prepare_cached`;
    ///   diesel `PgConnection::establish` and r2d2 `ConnectionManager<PgConnection>` unless
    ///   the project switches the cache off (`CacheSize::Disabled`); diesel-async
    ///   connections and managers.
    /// - Python: asyncpg `connect`/`create_pool` without `statement_cache_size=0`;
    ///   SQLAlchemy `create_async_engine` with asyncpg without
    ///   `connect_args={"statement_cache_size": 0}` (and `prepared_statement_cache_size=0`);
    ///   psycopg 3 `connect`, `AsyncConnection.connect` and psycopg_pool pools without
    ///   `prepare_threshold=None` (pools: `kwargs={"prepare_threshold": None}`), and
    ///   SQLAlchemy on `postgresql+psycopg://` without
    ///   `connect_args={"prepare_threshold": None}`. psycopg 3 prepares a query once it has
    ///   run `prepare_threshold` times (5 by default); `prepare_threshold=0` prepares every
    ///   query, so only `None` turns it off.
    /// - JavaScript: node-postgres `query({ name, text })` (a named statement) through a
    ///   client on a pooled URL. postgres.js `postgres(url)` (and Drizzle's `postgres-js`
    ///   entry), which prepares every static query as a named statement unless
    ///   `prepare: false` (or `?prepare=false` in the URL), is reported at level `info`
    ///   only: see "What was observed (JavaScript)".
    ///
    /// ## Why is this bad?
    /// Two facts, both true:
    ///
    /// 1. PgBouncer in transaction mode hands each transaction to whichever server
    ///    connection is free. A statement prepared under a name on one server connection is
    ///    missing on the next, or collides with another client's statement of the same name,
    ///    unless the pooler itself tracks prepared statements (PgBouncer 1.21+ with
    ///    `max_prepared_statements`). Without that, users see
    ///    `prepared statement "sqlx_s_1" already exists` (sqlx),
    ///    `prepared statement "s3817" already exists` (tokio-postgres, deadpool), or
    ///    `prepared statement "__asyncpg_stmt_1__" does not exist` (asyncpg).
    /// 2. Neon's pooler does track them: Neon moved to PgBouncer 1.21 with
    ///    `max_prepared_statements` in October 2023 (neondatabase/autoscaling#566; Neon's
    ///    docs cite PgBouncer 1.22.0 and `max_prepared_statements=1000`). So on Neon's
    ///    current pooler the drivers' defaults work.
    ///
    /// That is why this is a warning, and why `pooler-prepared-statements = true` in
    /// `neon-lint.toml` turns it off for projects that only use Neon's current pooler. It
    /// stays useful for self-hosted or older poolers, and for `pooled-hosts` you configure.
    ///
    /// ## What was verified (sqlx)
    /// sqlx 0.8.6 against PgBouncer 1.18 in transaction mode (no prepared-statement
    /// tracking), 16 concurrent clients sharing 4 server connections:
    ///
    /// | configuration | PgBouncer 1.18 | PgBouncer 1.24 `max_prepared_statements=1000` |
    /// |---|---|---|
    /// | default statement cache | 638 of 640 queries fail: `prepared statement "sqlx_s_N" already exists` | all correct |
    /// | `statement_cache_capacity(0)` | 636 of 640 fail, same error | all correct |
    /// | `.persistent(false)` on each query | no error, **448 of 640 wrong results** | no error, 453 wrong results |
    /// | `.persistent(false)` inside explicit transactions | all correct | |
    ///
    /// `statement_cache_capacity(0)`, the usual advice (sqlx#67), does not help: sqlx up to
    /// 0.9.0 still prepares every query under a new `sqlx_s_N` name and never closes it
    /// (sqlx#4328, fixed after 0.9.0 by PR #4337). `.persistent(false)` outside a
    /// transaction is worse: the unnamed statement is parsed in one server transaction and
    /// bound in another, so queries silently return another client's results. This rule
    /// therefore never suggests either.
    ///
    /// ## What was observed (Python)
    /// asyncpg 0.32.0 and SQLAlchemy 2.1.9 on asyncpg, same set-up: on PgBouncer 1.18
    /// `asyncpg.exceptions.InvalidSQLStatementNameError: prepared statement "__asyncpg_stmt_N__"
    /// does not exist` (sometimes `... already exists`) and, in some runs, **another client's
    /// result returned without any error**; `statement_cache_size=0` (plus
    /// `prepared_statement_cache_size=0` for SQLAlchemy) gave 640 of 640 correct. On PgBouncer 1.24
    /// with `max_prepared_statements` the defaults were correct. See `docs/ground-truth.md`.
    ///
    /// psycopg 3.3.9, same set-up: on PgBouncer 1.18 the default (`prepare_threshold=5`) gave
    /// 155 errors (`psycopg.errors.InvalidSqlStatementName: prepared statement "_pg3_N" does
    /// not exist`, `DuplicatePreparedStatement`) and **234 wrong results** in 640 queries;
    /// `prepare_threshold=0` was worse (218 errors, 258 wrong); `prepare_threshold=None` gave
    /// 640 of 640 correct. On 1.24 with `max_prepared_statements` all three were correct.
    ///
    /// ## What was observed (diesel)
    /// diesel 2.3.14 `PgConnection` (libpq), same set-up, query-builder statements: on
    /// PgBouncer 1.18 its default cache (`__diesel_stmt_N`) gave errors (`prepared statement
    /// "__diesel_stmt_N" does not exist` / `... already exists`) and **wrong results** (180 of
    /// 640 in one run); `set_prepared_statement_cache_size(CacheSize::Disabled)` gave 640 of
    /// 640; `sql_query` is never cached and was correct. diesel-async 0.9.2
    /// `AsyncPgConnection` failed on 1.18 whatever its cache setting (`prepared statement
    /// "sN" does not exist`): it runs every query as a named tokio-postgres statement. On
    /// 1.24 with `max_prepared_statements` every diesel configuration was correct. So diesel
    /// is reported unless the project calls
    /// `set_prepared_statement_cache_size(CacheSize::Disabled)` on a connection (anywhere:
    /// a pool sets it in its connection customizer), and diesel-async is reported whatever
    /// its cache setting.
    ///
    /// ## What was observed (JavaScript)
    /// node-postgres 8.23 named queries (`{ name, text, values }`) on PgBouncer 1.18: 220
    /// errors in 640 queries (`prepared statement "gt_qN" already exists` / `... does not
    /// exist`); its default unnamed statements were correct, and named queries were correct on
    /// 1.24. postgres.js 3.4.9 with its default `prepare: true` was correct (640 of 640) on
    /// **both** generations: it names statements with a random per-connection prefix, and
    /// re-prepares a query once when the server answers that its statement does not exist.
    /// That costs a round trip and leaves statements on the server connections, which is why
    /// postgres.js is reported as `info`.
    ///
    /// ## Example
    /// ```rust,ignore
    /// // DATABASE_URL=postgresql://...@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require
    /// let pool = PgPoolOptions::new().connect(&std::env::var("DATABASE_URL")?).await?;
    /// ```
    ///
    /// ```js
    /// // DATABASE_URL=postgresql://...@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require
    /// const sql = postgres(process.env.DATABASE_URL);
    /// ```
    ///
    /// ## Use instead
    /// On Neon's current pooler, keep the defaults and say so once:
    /// ```toml
    /// # neon-lint.toml
    /// pooler-prepared-statements = true
    /// ```
    /// On a pooler without prepared-statement tracking, connect the pool through the
    /// direct URL (`DATABASE_URL_UNPOOLED`). Python: asyncpg `statement_cache_size=0`
    /// (SQLAlchemy: `connect_args={"statement_cache_size": 0}` plus
    /// `prepared_statement_cache_size=0` on the URL); psycopg 3 `prepare_threshold=None`
    /// (not `0`). node-postgres: drop `name` from `query({ name, text })`. postgres.js:
    /// `postgres(url, { prepare: false })`. Each of these fixes gave 640 of 640 correct
    /// answers on both pooler generations.
    ///
    /// ## References
    /// - Neon: Connection pooling ("PgBouncer supports protocol-level prepared statements")
    /// - PgBouncer: `max_prepared_statements`
    /// - sqlx#67, sqlx#4328 / PR #4337, sqlx PR #3863; rust-postgres#959
    ///
    /// ## Internal notes
    /// - RULES.md dates Neon's prepared-statement tracking February 2024; the reference
    ///   files (newer than the seed card) say October 2023, which is what this page says.
    /// - The sqlx table and the Python runs come from `tests/ground-truth/tests/pooler.rs`.
    pub static STATEMENT_CACHE_ON_POOLER = {
        code: "NL010",
        name: "statement-cache-on-pooler",
        level: Warn,
        group: Pooler,
        summary: "prepared-statement cache on a pooled connection",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    if config.pooler_prepared_statements {
        return;
    }
    // Python: asyncpg, psycopg 3 and psycopg_pool, SQLAlchemy on either.
    for c in &project.clients {
        python(project, config, c, out);
    }
    // Rust: sqlx (and sea-orm over sqlx), diesel, diesel-async.
    for c in &project.clients {
        let Some(named) =
            crate::drivers::rust::of(c.driver).and_then(|d| (d.named_statements)(c, &project.uses))
        else {
            continue;
        };
        let judged = Judged::of(project, &c.url, c.file);
        if let Some(pooled) = judged.pooled(project, config) {
            out.push(rust_finding(&named, c.file, c.span.clone(), pooled));
        }
    }
    for c in &project.clients {
        javascript(project, config, c, out);
    }
    for u in &project.uses {
        if u.api == "query({ name })" {
            js_named_query(project, config, u, out);
        }
    }
    // Rust: deadpool-postgres `prepare_cached`.
    for u in &project.uses {
        let Some(named) = crate::drivers::rust::use_named_statement(u) else {
            continue;
        };
        let judged = Judged::of(project, &u.url, u.file);
        if let Some(pooled) = judged.pooled(project, config) {
            out.push(rust_finding(named, u.file, u.span.clone(), pooled));
        }
    }
}

/// A Rust driver's named statements on a pooled connection.
fn rust_finding(
    named: &NamedStatements,
    file: FileId,
    span: std::ops::Range<usize>,
    pooled: &ResolvedUrl,
) -> Diagnostic {
    const NEON_POOLER: &str = "Neon's pooler tracks prepared statements (PgBouncer 1.21+): if only Neon's pooler is used, \
                               set `pooler-prepared-statements = true` in neon-lint.toml";
    let mut message = format!("{} on a pooled connection{}", named.does, via(pooled));
    let mut secondary = Vec::new();
    if let Some((span, label, adds)) = &named.ineffective {
        message.push_str(adds);
        secondary.push((span.clone(), (*label).to_string()));
    }
    let help = match (named.driver_fix, named.why_no_fix) {
        (Some(fix), _) => format!("{fix}, or connect with the direct URL; {NEON_POOLER}"),
        (None, Some(why)) => format!("{NEON_POOLER}; otherwise connect with the direct URL: {why}"),
        (None, None) => format!("{NEON_POOLER}; otherwise connect with the direct URL"),
    };
    Diagnostic::new(&STATEMENT_CACHE_ON_POOLER, file, span, message, named.label)
        .help(help)
        .secondary(secondary)
}
