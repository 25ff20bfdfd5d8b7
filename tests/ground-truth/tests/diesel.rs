//! NL010 `statement-cache-on-pooler` for diesel, through PgBouncer in transaction mode: diesel 2.3's
//! sync `PgConnection` (libpq) and diesel-async 0.9's `AsyncPgConnection` (tokio-postgres), each with
//! its prepared-statement cache and with `CacheSize::Disabled`.
//!
//! The load is the sqlx cells' (`pooler.rs`): 16 clients, each on its own connection, through a
//! pooler with 4 server connections, 40 queries each, every answer checked. diesel is sync, so each
//! client is a thread.
//!
//! What diesel 2.3.14 caches (from its source): a query-builder query whose SQL is safe to cache is
//! prepared once per connection as `__diesel_stmt_N` (`PQprepare`, one round trip) and then run with
//! `PQsendQueryPrepared` (a second round trip). `sql_query(..)` and `sql(..)` fragments are never
//! cached: diesel sends them, like every query under `CacheSize::Disabled`, with `PQsendQueryParams`
//! (parse, bind and execute in one round trip). So the statement cache is exercised with a
//! query-builder `select`, and `sql_query` is a cell of its own. diesel-async hands every statement,
//! cached or not, to tokio-postgres's `prepare_typed` (a named `sN` statement, then a separate
//! bind/execute round trip); `CacheSize::Disabled` only stops it from keeping them.

use std::sync::{Barrier, Mutex};

use diesel::connection::CacheSize;
use diesel::pg::{Pg, PgConnection};
use diesel::sql_types::Integer;
use diesel::{Connection, QueryResult, QueryableByName, RunQueryDsl};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use neon_lint_ground_truth::{chain, observed, say, servers_or_skip, Gt, Tally};

/// The tests in this file load the pooler hard; they take turns.
static SERIAL: Mutex<()> = Mutex::new(());

const CLIENTS: usize = 16; // client connections sharing PgBouncer's 4 server connections
const ITERS: i32 = 40;
const DIESEL: &str = "diesel 2.3.14 PgConnection";
const DIESEL_ASYNC: &str = "diesel-async 0.9.2 AsyncPgConnection (tokio-postgres)";

// Eight of PostgreSQL's (int4, int4) -> int4 functions: eight query-builder statements with the
// same parameters (two int4) and different texts, so a client that runs another client's statement
// under its own name gets a wrong answer (or an error), as in the sqlx cells' `SELECT $1::int4 + k`.
diesel::define_sql_function! { fn int4pl(a: Integer, b: Integer) -> Integer; }
diesel::define_sql_function! { fn int4mi(a: Integer, b: Integer) -> Integer; }
diesel::define_sql_function! { fn int4mul(a: Integer, b: Integer) -> Integer; }
diesel::define_sql_function! { fn int4div(a: Integer, b: Integer) -> Integer; }
diesel::define_sql_function! { fn int4larger(a: Integer, b: Integer) -> Integer; }
diesel::define_sql_function! { fn int4smaller(a: Integer, b: Integer) -> Integer; }
diesel::define_sql_function! { fn int4and(a: Integer, b: Integer) -> Integer; }
diesel::define_sql_function! { fn int4or(a: Integer, b: Integer) -> Integer; }

/// The right answer of client k's statement `f_k($1, $2)` with $1 = i and $2 = k + 2.
fn expected(k: i32, i: i32) -> i32 {
    let c = k + 2;
    match k {
        0 => i + c,
        1 => i - c,
        2 => i * c,
        3 => i / c,
        4 => i.max(c),
        5 => i.min(c),
        6 => i & c,
        7 => i | c,
        _ => unreachable!("k is t % 8"),
    }
}

/// Runs `$body` with `$q` bound to client k's query-builder `SELECT f_k(i, k + 2)`.
macro_rules! select_k {
    ($k:expr, $i:expr, |$q:ident| $body:expr) => {{
        let (i, c) = ($i, $k + 2);
        match $k {
            0 => {
                let $q = diesel::select(int4pl(i, c));
                $body
            }
            1 => {
                let $q = diesel::select(int4mi(i, c));
                $body
            }
            2 => {
                let $q = diesel::select(int4mul(i, c));
                $body
            }
            3 => {
                let $q = diesel::select(int4div(i, c));
                $body
            }
            4 => {
                let $q = diesel::select(int4larger(i, c));
                $body
            }
            5 => {
                let $q = diesel::select(int4smaller(i, c));
                $body
            }
            6 => {
                let $q = diesel::select(int4and(i, c));
                $body
            }
            7 => {
                let $q = diesel::select(int4or(i, c));
                $body
            }
            _ => unreachable!("k is t % 8"),
        }
    }};
}

/// The SQL diesel generated, without its `-- binds: [...]` trailer.
fn sql_text<T: diesel::query_builder::QueryFragment<Pg>>(q: &T) -> String {
    let s = diesel::debug_query::<Pg, _>(q).to_string();
    s.split(" -- binds").next().unwrap_or_default().to_string()
}

#[derive(QueryableByName)]
struct V {
    #[diesel(sql_type = Integer)]
    v: i32,
}

#[derive(Clone, Copy, Debug)]
enum Mode {
    /// A query-builder `select` with diesel's default cache (`CacheSize::Unbounded`).
    BuilderDefault,
    /// The same with `set_prepared_statement_cache_size(CacheSize::Disabled)`.
    BuilderDisabled,
    /// `sql_query("SELECT $1::int4 + k AS v").bind::<Integer, _>(i)`, default cache.
    SqlQueryDefault,
}

impl Mode {
    fn label(self) -> &'static str {
        match self {
            Mode::BuilderDefault => "query-builder select (cacheable, prepared as __diesel_stmt_N), default statement cache",
            Mode::BuilderDisabled => "query-builder select, set_prepared_statement_cache_size(CacheSize::Disabled)",
            Mode::SqlQueryDefault => "sql_query(..).bind::<Integer, _>(..) (never cached), default statement cache",
        }
    }
    fn async_label(self) -> &'static str {
        match self {
            Mode::BuilderDefault => "query-builder select (cacheable), default statement cache",
            Mode::BuilderDisabled => {
                "query-builder select, set_prepared_statement_cache_size(CacheSize::Disabled)"
            }
            Mode::SqlQueryDefault => {
                "sql_query(..).bind::<Integer, _>(..) (never cached), default statement cache"
            }
        }
    }
    fn alias(self) -> &'static str {
        match self {
            Mode::BuilderDefault => "gt_nl010_diesel_default",
            Mode::BuilderDisabled => "gt_nl010_diesel_disabled",
            Mode::SqlQueryDefault => "gt_nl010_diesel_sql_query",
        }
    }
}

/// libpq's TLS: `sslmode=require` with the throw-away CA as `sslrootcert` (with a root certificate
/// given, libpq's `require` verifies the chain, as `verify-ca`).
fn libpq_params(gt: &Gt) -> String {
    let mut ca = String::new();
    for b in gt.ca_file.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            ca.push(b as char);
        } else {
            ca.push_str(&format!("%{b:02X}"));
        }
    }
    format!("sslmode=require&sslrootcert={ca}")
}

fn one_query(conn: &mut PgConnection, mode: Mode, k: i32, i: i32) -> (QueryResult<i32>, String) {
    match mode {
        Mode::BuilderDefault | Mode::BuilderDisabled => {
            select_k!(k, i, |q| (q.get_result::<i32>(conn), sql_text(&q)))
        }
        Mode::SqlQueryDefault => {
            let sql = format!("SELECT $1::int4 + {k} AS v");
            let r = diesel::sql_query(&sql)
                .bind::<Integer, _>(i)
                .get_result::<V>(conn)
                .map(|r| r.v);
            (r, sql)
        }
    }
}

/// CLIENTS threads, each on its own connection (all connected before any query runs).
fn run(url: &str, mode: Mode) -> Tally {
    let mut conns = Vec::new();
    for _ in 0..CLIENTS {
        let mut c = PgConnection::establish(url)
            .unwrap_or_else(|e| panic!("diesel connect through the pooler: {e}"));
        if let Mode::BuilderDisabled = mode {
            c.set_prepared_statement_cache_size(CacheSize::Disabled);
        }
        conns.push(c);
    }
    let start = Barrier::new(CLIENTS);
    let mut all = Tally::default();
    std::thread::scope(|s| {
        let handles: Vec<_> = conns
            .into_iter()
            .enumerate()
            .map(|(t, mut conn)| {
                let start = &start;
                s.spawn(move || {
                    let mut tally = Tally::default();
                    let k = (t % 8) as i32;
                    start.wait();
                    for i in 0..ITERS {
                        let want = match mode {
                            Mode::SqlQueryDefault => i + k,
                            _ => expected(k, i),
                        };
                        match one_query(&mut conn, mode, k, i) {
                            (Ok(v), _) if v == want => tally.ok += 1,
                            (Ok(v), sql) => tally.wrong(&sql, i, v),
                            (Err(e), _) => tally.err(&e),
                        }
                    }
                    tally
                })
            })
            .collect();
        for h in handles {
            all.merge(h.join().expect("client thread"));
        }
    });
    all
}

/// diesel-async: CLIENTS tasks, each on its own `AsyncPgConnection` (made from a tokio-postgres
/// client with the OpenSSL connector that verifies the throw-away CA).
async fn run_async(gt: &Gt, url: &str, mode: Mode) -> Tally {
    let mut conns = Vec::new();
    for _ in 0..CLIENTS {
        let (client, conn) = tokio_postgres::connect(url, gt.tls())
            .await
            .unwrap_or_else(|e| panic!("tokio-postgres connect through the pooler: {}", chain(&e)));
        let mut c = AsyncPgConnection::try_from_client_and_connection(client, conn)
            .await
            .unwrap_or_else(|e| panic!("AsyncPgConnection set-up through the pooler: {e}"));
        if let Mode::BuilderDisabled = mode {
            AsyncConnection::set_prepared_statement_cache_size(&mut c, CacheSize::Disabled);
        }
        conns.push(c);
    }
    let mut handles = Vec::new();
    for (t, mut conn) in conns.into_iter().enumerate() {
        handles.push(tokio::spawn(async move {
            let mut tally = Tally::default();
            let k = (t % 8) as i32;
            for i in 0..ITERS {
                let (r, want, sql): (QueryResult<i32>, i32, String) = match mode {
                    Mode::BuilderDefault | Mode::BuilderDisabled => select_k!(k, i, |q| {
                        let sql = sql_text(&q);
                        (
                            diesel_async::RunQueryDsl::get_result(q, &mut conn).await,
                            expected(k, i),
                            sql,
                        )
                    }),
                    Mode::SqlQueryDefault => {
                        let sql = format!("SELECT $1::int4 + {k} AS v");
                        let q = diesel::sql_query(sql.clone()).bind::<Integer, _>(i);
                        let r: QueryResult<V> =
                            diesel_async::RunQueryDsl::get_result(q, &mut conn).await;
                        (r.map(|r| r.v), i + k, sql)
                    }
                };
                match r {
                    Ok(v) if v == want => tally.ok += 1,
                    Ok(v) => tally.wrong(&sql, i, v),
                    Err(e) => tally.err(&e),
                }
            }
            tally
        }));
    }
    let mut all = Tally::default();
    for h in handles {
        all.merge(h.await.expect("client task"));
    }
    all
}

/// NL010: diesel's sync `PgConnection` through PgBouncer 1.18 (no prepared-statement tracking) and
/// through PgBouncer 1.24 with `max_prepared_statements` (what Neon runs).
#[test]
fn nl010_diesel_statement_cache_through_pgbouncer() {
    let gt = servers_or_skip!("nl010_diesel_statement_cache_through_pgbouncer");
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const S: &str = "NL010";
    let params = libpq_params(&gt);
    let modes = [
        Mode::BuilderDefault,
        Mode::BuilderDisabled,
        Mode::SqlQueryDefault,
    ];

    let v = &gt.pgbouncer_version;
    let mut on_18 = Vec::new();
    for mode in modes {
        let t = run(&gt.pooled_url(mode.alias(), &params), mode);
        observed(
            S,
            &format!("{DIESEL} {}, PgBouncer {v}", mode.label()),
            t.summary(),
        );
        on_18.push((mode, t));
    }

    match &gt.pgbouncer_ps_version {
        Some(pv) if gt.bouncer_ps_port.is_some() => {
            for mode in modes {
                let url = gt.pooled_ps_url(mode.alias(), &params).expect("ps url");
                let t = run(&url, mode);
                observed(
                    S,
                    &format!(
                        "{DIESEL} {}, PgBouncer {pv} max_prepared_statements=1000",
                        mode.label()
                    ),
                    t.summary(),
                );
                assert_eq!(t.failed(), 0, "{mode:?} through PgBouncer {pv}: {}", t.summary());
            }
        }
        _ => say("SKIP part of nl010_diesel_statement_cache_through_pgbouncer: no PgBouncer >= 1.21 (GT_BOUNCER_PS_PORT unset)"),
    }
    // Asserted where the mechanism is deterministic: a named statement prepared in one round trip
    // and executed in the next breaks on 1.18; one `PQsendQueryParams` round trip cannot.
    for (mode, t) in &on_18 {
        match mode {
            Mode::BuilderDefault => assert!(
                t.failed() > 0,
                "expected diesel's statement cache to break through PgBouncer {v}: {}",
                t.summary()
            ),
            _ => assert_eq!(
                t.failed(),
                0,
                "{mode:?} through PgBouncer {v}: {}",
                t.summary()
            ),
        }
    }
}

/// NL010: diesel-async's `AsyncPgConnection` (tokio-postgres prepares every statement, cached or
/// not, as a named `sN` statement) through both poolers, same load.
#[test]
fn nl010_diesel_async_statement_cache_through_pgbouncer() {
    let gt = servers_or_skip!("nl010_diesel_async_statement_cache_through_pgbouncer");
    let _turn = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    const S: &str = "NL010";
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let modes = [
        Mode::BuilderDefault,
        Mode::BuilderDisabled,
        Mode::SqlQueryDefault,
    ];
    rt.block_on(async {
        let v = &gt.pgbouncer_version;
        for mode in modes {
            let url = gt.pooled_url(&format!("{}_async", mode.alias()), "sslmode=require");
            let t = run_async(&gt, &url, mode).await;
            observed(
                S,
                &format!("{DIESEL_ASYNC} {}, PgBouncer {v}", mode.async_label()),
                t.summary(),
            );
        }
        match &gt.pgbouncer_ps_version {
            Some(pv) if gt.bouncer_ps_port.is_some() => {
                for mode in modes {
                    let url = gt
                        .pooled_ps_url(&format!("{}_async", mode.alias()), "sslmode=require")
                        .expect("ps url");
                    let t = run_async(&gt, &url, mode).await;
                    observed(
                        S,
                        &format!(
                            "{DIESEL_ASYNC} {}, PgBouncer {pv} max_prepared_statements=1000",
                            mode.async_label()
                        ),
                        t.summary(),
                    );
                    assert_eq!(t.failed(), 0, "{mode:?} through PgBouncer {pv}: {}", t.summary());
                }
            }
            _ => say("SKIP part of nl010_diesel_async_statement_cache_through_pgbouncer: no PgBouncer >= 1.21 (GT_BOUNCER_PS_PORT unset)"),
        }
    });
}
