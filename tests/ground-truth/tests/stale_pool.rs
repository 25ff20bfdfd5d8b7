//! NL040 `stale-pool`: pools that keep idle connections across a server restart (what a Neon compute
//! suspend looks like to a client). Uses the second cluster, which only this test restarts; the
//! Python half (SQLAlchemy `pool_pre_ping` / `pool_recycle`, psycopg_pool `check`) runs in the same
//! test so no two restarts overlap. Each configuration prints a `CELL` line for the matrix.

use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use neon_lint_ground_truth::{cell, chain, observed, say, servers_or_skip, tp_connect, Gt};
use sqlx::postgres::PgPoolOptions;

const RESTARTED: &str = "direct (server restarted)";

/// A one-connection deadpool-postgres pool on the restart cluster.
fn deadpool(gt: &Gt, url: &str, method: RecyclingMethod) -> Pool {
    let cfg: tokio_postgres::Config = url.parse().expect("restart URL");
    let mgr = Manager::from_config(
        cfg,
        gt.tls(),
        ManagerConfig {
            recycling_method: method,
        },
    );
    Pool::builder(mgr).max_size(1).build().expect("deadpool")
}

/// `SELECT 1` through a deadpool pool: "ok (1)" or the error (checkout or query) as a user sees it.
async fn deadpool_select(p: &Pool) -> Result<String, String> {
    let c = p
        .get()
        .await
        .map_err(|e| format!("pool.get(): {}", chain(&e)))?;
    let r = c.query_one("SELECT 1", &[]).await.map_err(|e| chain(&e))?;
    Ok(format!("ok ({})", r.get::<_, i32>(0)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nl040_pools_across_server_restart() {
    let gt = servers_or_skip!("nl040_pools_across_server_restart");
    const S: &str = "NL040";
    let url = gt.restart_url("sslmode=require");

    // Flagged: sqlx with test_before_acquire(false) (and no idle_timeout below the suspend time).
    let stale = PgPoolOptions::new()
        .max_connections(1)
        .test_before_acquire(false)
        .connect(&url)
        .await
        .expect("pool");
    // Fix: sqlx's default, test_before_acquire(true).
    let checked = PgPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .expect("pool");
    // A single long-lived tokio-postgres client (no pool at all).
    let single = tp_connect(&url, gt.tls()).await.expect("client");
    for p in [&stale, &checked] {
        let one: i32 = sqlx::query_scalar("SELECT 1").fetch_one(p).await.unwrap();
        assert_eq!(one, 1);
    }
    single.simple_query("SELECT 1").await.unwrap();
    // deadpool-postgres: Fast (the default; `Client::is_closed()` only) and Verified (an empty query).
    let dp_fast = deadpool(&gt, &url, RecyclingMethod::Fast);
    let dp_verified = deadpool(&gt, &url, RecyclingMethod::Verified);
    for p in [&dp_fast, &dp_verified] {
        assert_eq!(deadpool_select(p).await.as_deref(), Ok("ok (1)"));
    }

    let g = gt.clone();
    tokio::task::spawn_blocking(move || g.restart_server())
        .await
        .unwrap();
    say("NL040: restarted the second cluster (pg_ctl restart -m fast)");

    let e = sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(&stale)
        .await
        .expect_err("stale pool must fail once");
    observed(
        S,
        "sqlx pool test_before_acquire(false), first query after the restart",
        chain(&e),
    );
    let again = sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(&stale)
        .await;
    observed(
        S,
        "sqlx pool test_before_acquire(false), second query",
        match &again {
            Ok(v) => format!("ok ({v})"),
            Err(e) => format!("error: {}", chain(e)),
        },
    );
    cell(
        S,
        "sqlx 0.8.6 PgPool",
        "test_before_acquire(false)",
        RESTARTED,
        "errors",
        &format!(
            "first query after the restart: {}; second query: {}",
            chain(&e),
            match &again {
                Ok(v) => format!("ok ({v})"),
                Err(e) => format!("error: {}", chain(e)),
            }
        ),
        None,
    );

    let e = single
        .simple_query("SELECT 1")
        .await
        .expect_err("single client must fail");
    observed(
        S,
        "tokio-postgres single Client, first query after the restart",
        chain(&e),
    );
    let e2 = single
        .simple_query("SELECT 1")
        .await
        .expect_err("a closed client stays closed");
    observed(S, "tokio-postgres single Client, second query", chain(&e2));
    cell(
        S,
        "tokio-postgres 0.7 single Client",
        "no pool",
        RESTARTED,
        "errors",
        &format!(
            "first query after the restart: {}; second query: {} (never recovers)",
            chain(&e),
            chain(&e2)
        ),
        None,
    );

    // deadpool-postgres. Fast: the restart's FATAL and the socket close reach the connection task,
    // so `is_closed()` is true by the time of the checkout; Verified sends an empty query.
    let dp = "deadpool-postgres 0.14.2";
    for (p, method, fix) in [
        (&dp_fast, "RecyclingMethod::Fast (default)", None),
        (&dp_verified, "RecyclingMethod::Verified", Some(true)),
    ] {
        let first = tokio::time::timeout(Duration::from_secs(20), deadpool_select(p))
            .await
            .unwrap_or_else(|_| Err("hung (20 s)".into()));
        let second = tokio::time::timeout(Duration::from_secs(20), deadpool_select(p))
            .await
            .unwrap_or_else(|_| Err("hung (20 s)".into()));
        let text = |r: &Result<String, String>| match r {
            Ok(v) => v.clone(),
            Err(e) => format!("error: {e}"),
        };
        observed(
            S,
            &format!(
                "{}{dp} {method}, first query after the restart",
                if fix.is_some() { "fix: " } else { "" }
            ),
            text(&first),
        );
        cell(
            S,
            dp,
            method,
            RESTARTED,
            if first.is_ok() { "ok" } else { "errors" },
            &format!(
                "first query after the restart: {}; second query: {}",
                text(&first),
                text(&second)
            ),
            fix.map(|_| first.is_ok()),
        );
        if fix.is_some() {
            assert!(
                first.is_ok(),
                "deadpool Verified after a restart: {first:?}"
            );
        }
        assert!(
            second.is_ok(),
            "deadpool {method}, second query: {second:?}"
        );
    }

    let v: i32 = tokio::time::timeout(
        Duration::from_secs(20),
        sqlx::query_scalar("SELECT 1").fetch_one(&checked),
    )
    .await
    .expect("checked pool hung")
    .expect("fix: test_before_acquire(true) must hand out a live connection");
    assert_eq!(v, 1);
    observed(
        S,
        "fix: sqlx pool test_before_acquire(true) (default), first query after the restart",
        "ok (1)",
    );
    cell(
        S,
        "sqlx 0.8.6 PgPool",
        "test_before_acquire(true) (default)",
        RESTARTED,
        "ok",
        "first query after the restart: ok (1)",
        Some(true),
    );
    stale.close().await;
    checked.close().await;

    // The Python half: SQLAlchemy with and without pool_pre_ping (the script restarts the cluster itself).
    let g = gt.clone();
    tokio::task::spawn_blocking(move || {
        g.run_python(
            "nl040_pools_across_server_restart (python)",
            "nl040_sqlalchemy_pre_ping",
        )
    })
    .await
    .unwrap();
}
