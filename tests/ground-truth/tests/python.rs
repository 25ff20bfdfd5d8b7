//! The Python drivers (psycopg, psycopg2, asyncpg, SQLAlchemy) from the venv start.sh makes: each
//! test runs one scenario of `python/scenarios.py` with `GT_PYTHON`. The NL040 SQLAlchemy scenario
//! runs from `stale_pool.rs`, next to the Rust pools, so that no two server restarts overlap.
//! Alembic, Django and psycopg_pool come from the extra pins start.sh installs into the same venv;
//! each of their cells SKIPs with the reason when they are missing.

use neon_lint_ground_truth::servers_or_skip;

/// NL002: psycopg / psycopg2 with `sslmode=disable` against a TLS-only server and pooler.
#[test]
fn nl002_psycopg_sslmode_disable_is_rejected() {
    let gt = servers_or_skip!("nl002_psycopg_sslmode_disable_is_rejected");
    gt.run_python(
        "nl002_psycopg_sslmode_disable_is_rejected",
        "nl002_psycopg_sslmode",
    );
}

/// NL010: asyncpg's statement cache through the transaction pooler; `statement_cache_size=0`.
#[test]
fn nl010_asyncpg_statement_cache_through_pgbouncer() {
    let gt = servers_or_skip!("nl010_asyncpg_statement_cache_through_pgbouncer");
    gt.run_python(
        "nl010_asyncpg_statement_cache_through_pgbouncer",
        "nl010_asyncpg",
    );
}

/// NL010: SQLAlchemy `create_async_engine` with asyncpg through the transaction pooler.
#[test]
fn nl010_sqlalchemy_asyncpg_through_pgbouncer() {
    let gt = servers_or_skip!("nl010_sqlalchemy_asyncpg_through_pgbouncer");
    gt.run_python(
        "nl010_sqlalchemy_asyncpg_through_pgbouncer",
        "nl010_sqlalchemy_asyncpg",
    );
}

/// NL010: psycopg 3 default, `prepare_threshold=0` and `prepare_threshold=None` through both
/// poolers (16 clients, 4 server connections, 640 checked answers).
#[test]
fn nl010_psycopg3_prepare_threshold_through_pgbouncer() {
    let gt = servers_or_skip!("nl010_psycopg3_prepare_threshold_through_pgbouncer");
    gt.run_python(
        "nl010_psycopg3_prepare_threshold_through_pgbouncer",
        "nl010_psycopg3",
    );
}

/// NL010: node-postgres (default and named queries) and postgres.js (default and
/// `prepare: false`) through both poolers; the clients come from npm into the cache, and each
/// SKIPs with the reason when npm is unreachable.
#[test]
fn nl010_node_clients_through_pgbouncer() {
    let gt = servers_or_skip!("nl010_node_clients_through_pgbouncer");
    gt.run_python("nl010_node_clients_through_pgbouncer", "nl010_node");
}

/// NL002: psycopg, psycopg2, asyncpg, node-postgres and postgres.js with no sslmode / ssl option
/// at all, direct and through both poolers.
#[test]
fn nl002_default_sslmode_per_driver() {
    let gt = servers_or_skip!("nl002_default_sslmode_per_driver");
    gt.run_python("nl002_default_sslmode_per_driver", "nl002_default_sslmode");
}

/// NL020: `pg_dump -Fc` and `pg_restore --clean` (one schema of its own) through both poolers.
#[test]
fn nl020_pg_dump_restore_through_pgbouncer() {
    let gt = servers_or_skip!("nl020_pg_dump_restore_through_pgbouncer");
    gt.run_python("nl020_pg_dump_restore_through_pgbouncer", "nl020_pg_dump");
}

/// The Django scenarios share the tables Django creates in `appdb`'s public schema: one at a time.
static DJANGO: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// NL020: Alembic `upgrade head` (a two-revision project generated into a temp dir), with psycopg2
/// and psycopg 3, direct and through both poolers, while six other clients use the same database.
#[test]
fn nl020_alembic_upgrade_through_pgbouncer() {
    let gt = servers_or_skip!("nl020_alembic_upgrade_through_pgbouncer");
    gt.run_python("nl020_alembic_upgrade_through_pgbouncer", "nl020_alembic");
}

/// NL020: Django `migrate` (contenttypes, auth and a one-model app; settings in a temp dir), with
/// psycopg 3 and with psycopg2, direct and through both poolers, under the same load.
#[test]
fn nl020_django_migrate_through_pgbouncer() {
    let gt = servers_or_skip!("nl020_django_migrate_through_pgbouncer");
    let _turn = DJANGO.lock().unwrap_or_else(|e| e.into_inner());
    for scenario in ["nl020_django", "nl020_django_psycopg2"] {
        gt.run_python("nl020_django_migrate_through_pgbouncer", scenario);
    }
}

/// NL012: Django `QuerySet.iterator()` (server-side cursors) with `DISABLE_SERVER_SIDE_CURSORS`
/// False and True, psycopg 3 and psycopg2, direct and through both poolers.
#[test]
fn nl012_django_server_side_cursors_through_pgbouncer() {
    let gt = servers_or_skip!("nl012_django_server_side_cursors_through_pgbouncer");
    let _turn = DJANGO.lock().unwrap_or_else(|e| e.into_inner());
    for scenario in ["nl012_django_cursors", "nl012_django_cursors_psycopg2"] {
        gt.run_python(
            "nl012_django_server_side_cursors_through_pgbouncer",
            scenario,
        );
    }
}

/// NL020: `drizzle-kit migrate` (two migrations generated into a temp dir) with postgres.js and with
/// node-postgres (drizzle-kit takes `pg` when installed), direct and through both poolers, under the
/// same load; plus NL003: node-postgres's `sslmode=require` against a CA Node does not trust. The npm
/// packages come into the cache; each cell SKIPs with the reason when npm is unreachable.
#[test]
fn nl020_drizzle_kit_migrate_through_pgbouncer() {
    let gt = servers_or_skip!("nl020_drizzle_kit_migrate_through_pgbouncer");
    gt.run_python(
        "nl020_drizzle_kit_migrate_through_pgbouncer",
        "nl020_drizzle",
    );
}
