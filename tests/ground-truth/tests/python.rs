//! The Python drivers (psycopg, psycopg2, asyncpg, SQLAlchemy) from the venv start.sh makes: each
//! test runs one scenario of `python/scenarios.py` with `GT_PYTHON`. The NL040 SQLAlchemy scenario
//! runs from `stale_pool.rs`, next to the Rust pools, so that no two server restarts overlap.

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
