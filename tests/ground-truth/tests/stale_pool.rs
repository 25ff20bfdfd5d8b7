//! NL040 `stale-pool`: pools that keep idle connections across a server restart (what a Neon compute
//! suspend looks like to a client). Uses the second cluster, which only this test restarts; the
//! Python half (SQLAlchemy `pool_pre_ping`) runs in the same test so no two restarts overlap.

use std::time::Duration;

use neon_lint_ground_truth::{chain, observed, say, servers_or_skip, tp_connect};
use sqlx::postgres::PgPoolOptions;

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
