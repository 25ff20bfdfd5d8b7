//! NL009 `startup-options-on-pooler` and NL011 `session-state-on-pooler`, through PgBouncer in
//! transaction mode.

use std::str::FromStr;
use std::time::Duration;

use neon_lint_ground_truth::{chain, observed, say, servers_or_skip, tp_connect, within, Gt};
use sqlx::postgres::{PgConnectOptions, PgListener};
use sqlx::{ConnectOptions, Connection};

const SEARCH_PATH_OPTION: &str = "options=-c%20search_path%3Dgt_nl009%2Cpublic";

async fn ensure_schema(gt: &Gt, schema: &str) {
    let c = tp_connect(&gt.direct_url("sslmode=require"), gt.tls())
        .await
        .expect("direct");
    c.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema}; CREATE TABLE IF NOT EXISTS {schema}.items (id int); \
         DROP TABLE IF EXISTS public.items;"
    ))
    .await
    .expect("schema");
}

fn first_simple_value(msgs: &[tokio_postgres::SimpleQueryMessage]) -> Option<String> {
    msgs.iter().find_map(|m| match m {
        tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
        _ => None,
    })
}

/// NL009: `options=-c search_path=...` in the URL. The pooler refuses the connection; the direct
/// server applies it.
#[tokio::test]
async fn nl009_startup_options_through_pgbouncer() {
    let gt = servers_or_skip!("nl009_startup_options_through_pgbouncer");
    const S: &str = "NL009";
    ensure_schema(&gt, "gt_nl009").await;

    let mut poolers = vec![(
        gt.pooled_url("gt_nl009", &format!("sslmode=require&{SEARCH_PATH_OPTION}")),
        format!("PgBouncer {}", gt.pgbouncer_version),
    )];
    if let (Some(u), Some(pv)) = (
        gt.pooled_ps_url("gt_nl009", &format!("sslmode=require&{SEARCH_PATH_OPTION}")),
        &gt.pgbouncer_ps_version,
    ) {
        poolers.push((u, format!("PgBouncer {pv}")));
    } else {
        say("SKIP part of nl009_startup_options_through_pgbouncer: no PgBouncer >= 1.21 (GT_BOUNCER_PS_PORT unset)");
    }
    for (url, label) in &poolers {
        let e = tp_connect(url, gt.tls())
            .await
            .err()
            .unwrap_or_else(|| panic!("{label} accepted options=-c search_path"));
        observed(
            S,
            &format!("tokio-postgres, URL options=-c search_path=..., {label}"),
            chain(&e),
        );
        assert!(chain(&e).contains("unsupported startup parameter"), "{e}");

        // sqlx's builder form, PgConnectOptions::options([("search_path", ...)]), sends the same packet.
        let opts = PgConnectOptions::from_str(url.split('?').next().unwrap())
            .unwrap()
            .ssl_mode(sqlx::postgres::PgSslMode::Require)
            .options([("search_path", "gt_nl009,public")]);
        let e = opts
            .connect()
            .await
            .err()
            .unwrap_or_else(|| panic!("{label} accepted sqlx .options()"));
        observed(
            S,
            &format!("sqlx PgConnectOptions::options([(\"search_path\", ..)]), {label}"),
            chain(&e),
        );
        assert!(chain(&e).contains("unsupported startup parameter"), "{e}");
    }

    // Fix 1: the direct URL takes the option.
    let c = tp_connect(
        &gt.direct_url(&format!("sslmode=require&{SEARCH_PATH_OPTION}")),
        gt.tls(),
    )
    .await
    .expect("direct with options");
    let sp = first_simple_value(&c.simple_query("SHOW search_path").await.unwrap()).unwrap();
    assert_eq!(sp.replace(' ', ""), "gt_nl009,public");
    observed(
        S,
        "fix: the same options on the direct URL",
        format!("connected, SHOW search_path = {sp}"),
    );

    // Fix 2: on the pooler, SET LOCAL inside a transaction.
    let mut c = tp_connect(&gt.pooled_url("gt_nl009", "sslmode=require"), gt.tls())
        .await
        .expect("pooled");
    let tx = c.transaction().await.unwrap();
    tx.batch_execute("SET LOCAL search_path TO gt_nl009, public")
        .await
        .unwrap();
    let sp =
        first_simple_value(&tx.simple_query("SELECT count(*) FROM items").await.unwrap()).unwrap();
    tx.commit().await.unwrap();
    observed(
        S,
        "fix: pooled URL without options, SET LOCAL search_path in a transaction",
        format!("SELECT count(*) FROM items = {sp}"),
    );
}

/// NL011: `SET search_path` (not LOCAL) on a pooled connection: the setting is lost for the client
/// that made it and leaks to other clients that share the server connection.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nl011_set_search_path_through_pgbouncer() {
    let gt = servers_or_skip!("nl011_set_search_path_through_pgbouncer");
    const S: &str = "NL011";
    ensure_schema(&gt, "gt_nl011").await;
    const CLIENTS: usize = 8;
    const ITERS: usize = 15;

    // Staged, so the outcome does not depend on scheduling: PgBouncer hands out the most
    // recently released server connection first (LIFO, `server_round_robin = 0`). Client 0
    // SETs on server connection A; client 1 opens a transaction and so holds A; client 0's
    // next query must run on another server connection, where the SET never happened.
    let staged = gt.pooled_url("gt_nl011_staged", "sslmode=require");
    let c0 = tp_connect(&staged, gt.tls()).await.expect("pooled connect");
    let c1 = tp_connect(&staged, gt.tls()).await.expect("pooled connect");
    c0.batch_execute("SET search_path TO gt_nl011, public")
        .await
        .expect("SET is accepted");
    c1.batch_execute("BEGIN").await.expect("BEGIN");
    let seen_by_c1 = first_simple_value(
        &c1.simple_query("SELECT current_setting('search_path')")
            .await
            .unwrap(),
    );
    let c0_result = c0.simple_query("SELECT count(*) FROM items").await;
    c1.batch_execute("COMMIT").await.expect("COMMIT");
    let c0_error = c0_result.err().map(|e| chain(&e)).unwrap_or_default();
    observed(
        S,
        "staged: client 0 SETs search_path, client 1 holds that server connection in a transaction",
        format!(
            "client 1 saw search_path = {}; client 0's next query: {}",
            seen_by_c1.clone().unwrap_or_default(),
            if c0_error.is_empty() {
                "succeeded".to_string()
            } else {
                c0_error.clone()
            }
        ),
    );
    assert_eq!(
        seen_by_c1.as_deref(),
        Some("gt_nl011, public"),
        "client 0's SET leaks to the client that gets its server connection"
    );
    assert!(
        c0_error.contains("relation \"items\" does not exist"),
        "client 0 lost its SET: {c0_error}"
    );

    // Under concurrent load (observed, not asserted: the share varies with scheduling).
    let url = gt.pooled_url("gt_nl011_set", "sslmode=require");
    let mut clients = Vec::new();
    for _ in 0..CLIENTS {
        clients.push(tp_connect(&url, gt.tls()).await.expect("pooled connect"));
    }
    clients[0]
        .batch_execute("SET search_path TO gt_nl011, public")
        .await
        .expect("SET is accepted");

    let mut handles = Vec::new();
    for (n, c) in clients.into_iter().enumerate() {
        handles.push(tokio::spawn(async move {
            let mut errors = Vec::new();
            let mut saw_leak = 0;
            for _ in 0..ITERS {
                if n == 0 {
                    // The client that ran SET relies on it.
                    if let Err(e) = c
                        .simple_query("SELECT count(*), pg_sleep(0.01) FROM items")
                        .await
                    {
                        errors.push(chain(&e));
                    }
                } else {
                    let v = c
                        .simple_query("SELECT current_setting('search_path'), pg_sleep(0.01)")
                        .await
                        .unwrap();
                    if first_simple_value(&v).as_deref() == Some("gt_nl011, public") {
                        saw_leak += 1;
                    }
                }
            }
            (n, errors, saw_leak)
        }));
    }
    let (mut lost, mut leaked, mut example) = (0, 0, String::new());
    for h in handles {
        let (n, errors, saw_leak) = h.await.unwrap();
        if n == 0 {
            lost = errors.len();
            example = errors.first().cloned().unwrap_or_default();
        } else {
            leaked += saw_leak;
        }
    }
    observed(
        S,
        "SET search_path on client 0, then FROM items (table only in that schema)",
        format!("{lost}/{ITERS} queries failed: {example}"),
    );
    observed(
        S,
        "other clients of the same pool that saw client 0's search_path",
        format!("{leaked}/{} queries", (CLIENTS - 1) * ITERS),
    );

    // Fix: SET LOCAL inside a transaction (or schema-qualified names), on a pool nobody SETs on.
    let url = gt.pooled_url("gt_nl011_setlocal", "sslmode=require");
    let mut handles = Vec::new();
    for n in 0..CLIENTS {
        let mut c = tp_connect(&url, gt.tls()).await.expect("pooled connect");
        handles.push(tokio::spawn(async move {
            let (mut ok, mut leaked) = (0, 0);
            for _ in 0..ITERS {
                if n == 0 {
                    let tx = c.transaction().await.unwrap();
                    tx.batch_execute("SET LOCAL search_path TO gt_nl011, public")
                        .await
                        .unwrap();
                    tx.simple_query("SELECT count(*), pg_sleep(0.01) FROM items")
                        .await
                        .expect("SET LOCAL holds within the transaction");
                    tx.commit().await.unwrap();
                    ok += 1;
                } else {
                    let v = c
                        .simple_query("SELECT current_setting('search_path'), pg_sleep(0.01)")
                        .await
                        .unwrap();
                    if first_simple_value(&v).as_deref() == Some("gt_nl011, public") {
                        leaked += 1;
                    }
                }
            }
            (ok, leaked)
        }));
    }
    let mut totals = (0, 0);
    for h in handles {
        let (ok, leaked) = h.await.unwrap();
        totals.0 += ok;
        totals.1 += leaked;
    }
    assert_eq!(totals, (ITERS, 0));
    observed(
        S,
        "fix: SET LOCAL search_path inside a transaction",
        format!("{ITERS}/{ITERS} ok, leaked to others 0 times"),
    );
}

/// NL011: LISTEN through the pooler never delivers; on the direct URL it does.
#[tokio::test]
async fn nl011_listen_through_pgbouncer() {
    let gt = servers_or_skip!("nl011_listen_through_pgbouncer");
    const S: &str = "NL011";

    async fn try_listen(gt: &Gt, url: &str, channel: &str) -> Result<Option<String>, String> {
        let mut l = PgListener::connect(url).await.map_err(|e| chain(&e))?;
        l.listen(channel).await.map_err(|e| chain(&e))?;
        let mut n = sqlx::PgConnection::connect(&gt.direct_url("sslmode=require"))
            .await
            .unwrap();
        sqlx::query("SELECT pg_notify($1, 'hello')")
            .bind(channel)
            .execute(&mut n)
            .await
            .unwrap();
        match within(Duration::from_secs(3), l.try_recv()).await {
            None => Ok(None),
            Some(Ok(Some(msg))) => Ok(Some(msg.payload().to_string())),
            Some(Ok(None)) => Err("connection closed".into()),
            Some(Err(e)) => Err(chain(&e)),
        }
    }
    fn show(r: &Result<Option<String>, String>) -> String {
        match r {
            Ok(None) => "LISTEN accepted, no notification within 3 s".into(),
            Ok(Some(p)) => format!("received {p:?}"),
            Err(e) => format!("error: {e}"),
        }
    }

    let r = try_listen(
        &gt,
        &gt.pooled_url("gt_nl011_listen", "sslmode=require"),
        "gt_nl011_chan",
    )
    .await;
    observed(
        S,
        &format!("sqlx PgListener through PgBouncer {}", gt.pgbouncer_version),
        show(&r),
    );
    assert!(
        !matches!(r, Ok(Some(_))),
        "a notification arrived through the transaction pooler"
    );
    if let (Some(u), Some(pv)) = (
        gt.pooled_ps_url("gt_nl011_listen", "sslmode=require"),
        &gt.pgbouncer_ps_version,
    ) {
        let r = try_listen(&gt, &u, "gt_nl011_chan_ps").await;
        observed(
            S,
            &format!("sqlx PgListener through PgBouncer {pv}"),
            show(&r),
        );
        assert!(
            !matches!(r, Ok(Some(_))),
            "a notification arrived through PgBouncer {pv}"
        );
    }

    let r = try_listen(
        &gt,
        &gt.direct_url("sslmode=require"),
        "gt_nl011_chan_direct",
    )
    .await;
    observed(S, "fix: sqlx PgListener on the direct URL", show(&r));
    assert_eq!(r, Ok(Some("hello".to_string())));
}
