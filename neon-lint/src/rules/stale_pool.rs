use super::client_values::{client_values, neon_value};
use super::connection_values::via;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::drivers::python::SetupContext;
use crate::project::Project;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds connection pools that hand out dead connections after a Neon compute scales to
    /// zero:
    ///
    /// - SQLAlchemy engines on a Neon URL without `pool_pre_ping=True` (a `NullPool`, or
    ///   `pool_recycle` of 300 s or less, avoids the scale-to-zero case: a connection younger
    ///   than the recycle age saw activity less than 5 minutes ago, so the default suspend
    ///   cannot have closed it; it does not catch a compute restart, see below). Options given as `**options` are
    ///   read when the dictionary is written in the same file; a spread of one built
    ///   elsewhere is not judged. The engine Alembic's `env.py` builds for one migration run
    ///   is not judged either: it never waits between requests, nor is an engine a one-shot
    ///   script disposes of (`engine.dispose()`) in the function (or module) that creates it;
    /// - psycopg_pool `ConnectionPool`/`AsyncConnectionPool` on a Neon URL without `check`
    ///   (`check=ConnectionPool.check_connection`), unless `max_idle` is 300 s or less;
    /// - Django `CONN_MAX_AGE` over 300 or `None` (also `dj_database_url`'s `conn_max_age`)
    ///   without `CONN_HEALTH_CHECKS = True`;
    /// - (Rust) deadpool-postgres left at `RecyclingMethod::Fast` (its default: a
    ///   `Config` without `manager`, `Manager::new`), as advice (`info`): `Fast` checks
    ///   `Client::is_closed()`, which is true once the connection task has seen the socket
    ///   close, so it does catch a connection the suspended compute closed cleanly; what it
    ///   misses is a connection whose close never reached the client (a NAT, proxy or load
    ///   balancer that dropped it silently) or arrives between checkout and the first query,
    ///   because it sends nothing to the server. `Verified` runs an empty query and catches
    ///   those too. sqlx and sea-orm
    ///   `test_before_acquire(false)` without an `idle_timeout` under 300 s, bb8 and r2d2
    ///   `test_on_check_out(false)`. A deadpool `Config` read from configuration files or
    ///   the environment is not judged (its `manager` is not known here).
    ///
    /// ## Why is this bad?
    /// Neon suspends an idle compute after 5 minutes by default and closes its
    /// connections. A pool that keeps them and does not test them gives the next request a
    /// dead one:
    ///
    /// ```text
    /// psycopg2.OperationalError: SSL SYSCALL error: EOF detected
    /// FATAL: terminating connection due to administrator command
    /// SSL connection has been closed unexpectedly
    /// ```
    ///
    /// ## What was observed
    /// Across a server restart (what a suspended compute looks like to an open connection;
    /// `docs/ground-truth.md`): an sqlx pool with `test_before_acquire(false)` failed its first query
    /// with `error returned from database: terminating connection due to administrator command`, and
    /// a SQLAlchemy + psycopg engine without `pool_pre_ping` with
    /// `psycopg.errors.AdminShutdown: terminating connection due to administrator command`. With
    /// `test_before_acquire(true)` / `pool_pre_ping=True` the first query succeeded. A single
    /// long-lived tokio-postgres `Client` failed with `connection closed` and never recovered.
    ///
    /// In the same restart: psycopg_pool 3.3 without `check` failed its first query
    /// (`AdminShutdown`) and then recovered; with `check=ConnectionPool.check_connection` it
    /// succeeded. SQLAlchemy with `pool_recycle=300` **failed** like no setting at all (the
    /// connection was younger than 300 s: `pool_recycle` replaces connections by age and sends
    /// nothing to the server), so it covers a suspend after at least its age of inactivity,
    /// not a restart; `pool_pre_ping=True` covers both. deadpool-postgres 0.14 `Fast` (its
    /// default) and `Verified` both succeeded after this clean restart, which is why `Fast` is
    /// only advice; what `Fast` misses (a connection dropped without the close reaching the
    /// client) was not reproduced.
    ///
    /// ## Example
    /// ```python
    /// engine = create_engine(os.environ["DATABASE_URL"])
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// engine = create_engine(os.environ["DATABASE_URL"], pool_pre_ping=True)
    /// ```
    /// Django: `"CONN_HEALTH_CHECKS": True` (Django 4.1+), as Neon's Django guide sets.
    /// psycopg_pool: `ConnectionPool(url, check=ConnectionPool.check_connection)`.
    ///
    /// Rust: deadpool `ManagerConfig { recycling_method: RecyclingMethod::Verified }`
    /// (runs an empty query before handing a connection out); keep sqlx's default
    /// `test_before_acquire(true)`, or an `idle_timeout` under 300 s so idle connections are
    /// closed before the compute suspends; bb8/r2d2 `test_on_check_out(true)` (the default).
    pub static STALE_POOL = {
        code: "NL040",
        name: "stale-pool",
        level: Warn,
        group: Reliability,
        summary: "pool without health checks on a compute that scales to zero",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    for c in &project.clients {
        // Alembic's `env.py` builds its engine for one migration run (only Python
        // set-ups ask).
        let cx = SetupContext {
            one_migration_run: crate::drivers::python::of(c).is_some()
                && project
                    .imports
                    .iter()
                    .any(|i| i.file == c.file && i.module == "alembic"),
        };
        let Some(pool) = crate::drivers::untested_pool(c, &cx) else {
            continue;
        };
        let values = client_values(project, c);
        let Some(neon) = neon_value(project, config, &values) else {
            continue;
        };
        // A pool that notices a cleanly closed connection (deadpool's `Fast`) lets only
        // the silently dropped ones through: advice.
        let (level, message) = if pool.notices_closed {
            (
                neon_lint_core::Level::Info,
                format!("{}; it connects to Neon{}", pool.what, via(&neon)),
            )
        } else {
            (
                STALE_POOL.default_level,
                format!(
                    "{} on Neon{}: idle connections break when the compute scales to zero",
                    pool.what,
                    via(&neon)
                ),
            )
        };
        out.push(
            Diagnostic::new(&STALE_POOL, c.file, pool.span, message, pool.label)
                .level(level)
                .help(pool.help),
        );
    }
}
