//! NL030 `plaintext-connector`, NL002 `insecure-sslmode` (sqlx), NL033 `unsupported-driver-parameter`
//! (tokio-postgres), against a server that, like Neon, accepts TCP connections only over TLS.

use std::str::FromStr;

use neon_lint_ground_truth::{chain, observed, servers_or_skip, tp_connect};
use openssl::ssl::{SslConnector, SslMethod};
use postgres_openssl::MakeTlsConnector;
use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{ConnectOptions, Connection};
use tokio_postgres::NoTls;

/// NL030: `NoTls` cannot reach a TLS-only server, whatever the URL says.
#[tokio::test]
async fn nl030_tokio_postgres_notls_is_rejected() {
    let gt = servers_or_skip!("nl030_tokio_postgres_notls_is_rejected");
    const S: &str = "NL030";

    // What users write: a Neon URL with sslmode=require, and NoTls.
    let e = tp_connect(&gt.direct_url("sslmode=require"), NoTls)
        .await
        .expect_err("NoTls + sslmode=require must fail");
    observed(
        S,
        "tokio-postgres NoTls, sslmode=require, direct",
        chain(&e),
    );
    assert!(
        chain(&e).contains("no TLS implementation configured"),
        "{e}"
    );

    // No sslmode (tokio-postgres's default is prefer): NoTls sends the start-up packet in plaintext.
    let e = tp_connect(&gt.direct_url(""), NoTls)
        .await
        .expect_err("plaintext must be rejected");
    observed(S, "tokio-postgres NoTls, no sslmode, direct", chain(&e));
    let db = e.as_db_error().expect("a server error");
    assert_eq!(db.code().code(), "28000", "{e}"); // invalid_authorization_specification
    assert!(
        db.message().contains("no pg_hba.conf entry") && db.message().contains("no encryption"),
        "{e}"
    );

    // The same through the pooler (PgBouncer with client_tls_sslmode=require).
    let e = tp_connect(&gt.pooled_url("gt_nl030", ""), NoTls)
        .await
        .expect_err("plaintext must be rejected by the pooler");
    observed(S, "tokio-postgres NoTls, no sslmode, pooled", chain(&e));
    assert!(chain(&e).contains("SSL required"), "{e}");
}

/// NL030 fix: a real TLS connector (postgres-openssl) with the server's CA works, direct and pooled,
/// and the verification is real: a connector that does not trust the CA is refused.
#[tokio::test]
async fn nl030_fix_openssl_connector_works_and_verifies() {
    let gt = servers_or_skip!("nl030_fix_openssl_connector_works_and_verifies");
    const S: &str = "NL030";

    let c = tp_connect(&gt.direct_url("sslmode=require"), gt.tls())
        .await
        .expect("TLS connect, direct");
    let row = c
        .query_one(
            "SELECT ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .await
        .expect("query pg_stat_ssl");
    let (ssl, version): (bool, Option<String>) = (row.get(0), row.get(1));
    assert!(ssl, "pg_stat_ssl says the session is not encrypted");
    observed(
        S,
        "fix: tokio-postgres MakeTlsConnector(CA) + sslmode=require, direct",
        format!(
            "connected, pg_stat_ssl.ssl = {ssl}, {}",
            version.unwrap_or_default()
        ),
    );

    let c = tp_connect(&gt.pooled_url("gt_nl030", "sslmode=require"), gt.tls())
        .await
        .expect("TLS connect, pooled");
    let one: i32 = c
        .query_one("SELECT 1", &[])
        .await
        .expect("query through the pooler")
        .get(0);
    assert_eq!(one, 1);
    observed(
        S,
        "fix: tokio-postgres MakeTlsConnector(CA) + sslmode=require, pooled",
        "connected, SELECT 1 = 1",
    );

    // Verification is on: a connector with the system roots only (not our CA) must be refused.
    let sys = MakeTlsConnector::new(
        SslConnector::builder(SslMethod::tls_client())
            .unwrap()
            .build(),
    );
    let e = tp_connect(&gt.direct_url("sslmode=require"), sys)
        .await
        .expect_err("untrusted CA must fail");
    observed(
        S,
        "MakeTlsConnector without the CA (verification on)",
        chain(&e),
    );
    assert!(chain(&e).contains("certificate verify failed"), "{e}");
}

/// NL002 with sqlx: `sslmode=disable` is refused by a TLS-only server; `require` and `verify-full`
/// (with the CA) work.
#[tokio::test]
async fn nl002_sqlx_sslmode_disable_is_rejected() {
    let gt = servers_or_skip!("nl002_sqlx_sslmode_disable_is_rejected");
    const S: &str = "NL002";

    let e = sqlx::PgConnection::connect(&gt.direct_url("sslmode=disable"))
        .await
        .expect_err("sslmode=disable must fail");
    observed(S, "sqlx sslmode=disable, direct", chain(&e));
    let db = e.as_database_error().expect("a server error");
    assert_eq!(db.code().as_deref(), Some("28000"), "{e}");
    assert!(db.message().contains("no encryption"), "{e}");

    let e = sqlx::PgConnection::connect(&gt.pooled_url("gt_nl002", "sslmode=disable"))
        .await
        .expect_err("pooled too");
    observed(S, "sqlx sslmode=disable, pooled", chain(&e));
    assert!(chain(&e).contains("SSL required"), "{e}");

    let mut c = sqlx::PgConnection::connect(&gt.direct_url("sslmode=require"))
        .await
        .expect("sslmode=require works");
    let ssl: bool = sqlx::query_scalar("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .fetch_one(&mut c)
        .await
        .unwrap();
    assert!(ssl);
    let opts = PgConnectOptions::from_str(&gt.direct_url(""))
        .unwrap()
        .ssl_mode(PgSslMode::VerifyFull)
        .ssl_root_cert(&gt.ca_file);
    opts.connect().await.expect("verify-full with the CA works");
    observed(
        S,
        "fix: sqlx sslmode=require / verify-full+sslrootcert",
        "connected, pg_stat_ssl.ssl = true",
    );
}

/// NL003: `sslmode=require` encrypts but does not authenticate the server: sqlx connects to a server
/// whose certificate comes from a CA it does not trust; `verify-full` without that CA is refused.
#[tokio::test]
async fn nl003_sqlx_require_does_not_verify() {
    let gt = servers_or_skip!("nl003_sqlx_require_does_not_verify");
    const S: &str = "NL003";
    sqlx::PgConnection::connect(&gt.direct_url("sslmode=require"))
        .await
        .expect("sslmode=require connects to a server signed by an unknown CA");
    observed(
        S,
        "sqlx sslmode=require, server certificate from a CA not in the trust store",
        "connected (no verification)",
    );
    let e = sqlx::PgConnection::connect(&gt.direct_url("sslmode=verify-full"))
        .await
        .expect_err("verify-full must refuse");
    observed(S, "sqlx sslmode=verify-full without the CA", chain(&e));
    assert!(chain(&e).to_lowercase().contains("certificate"), "{e}");
}

/// NL033: tokio-postgres rejects libpq-only parameters at parse time (no server needed).
#[test]
fn nl033_tokio_postgres_rejects_libpq_only_params() {
    const S: &str = "NL033";
    for (params, expect) in [
        ("sslmode=verify-full", "invalid value for option `sslmode`"),
        ("sslmode=verify-ca", "invalid value for option `sslmode`"),
        (
            "sslrootcert=/etc/ssl/certs/ca.pem",
            "unknown option `sslrootcert`",
        ),
        ("pgbouncer=true", "unknown option `pgbouncer`"),
    ] {
        let url = format!(
            "postgresql://u:p@ep-x-pooler.us-east-2.aws.neon.tech/db?sslmode=require&{params}"
        );
        let url = url.replace("sslmode=require&sslmode", "sslmode");
        let e = tokio_postgres::Config::from_str(&url)
            .err()
            .unwrap_or_else(|| panic!("tokio-postgres accepted {params}"));
        observed(
            S,
            &format!("tokio-postgres Config::from_str with {params}"),
            chain(&e),
        );
        assert!(chain(&e).contains(expect), "{e}");
    }
    // What the rule suggests instead parses.
    tokio_postgres::Config::from_str(
        "postgresql://u:p@ep-x.us-east-2.aws.neon.tech/db?sslmode=require&channel_binding=require",
    )
    .expect("sslmode=require&channel_binding=require parses");
}

/// NL002, the seed's claim "omitting sslmode raises SSL errors or connection refusal": tokio-postgres
/// (with a TLS connector) and sqlx, no `sslmode` at all, direct and through both poolers.
#[tokio::test]
async fn nl001_rust_drivers_without_sslmode() {
    let gt = servers_or_skip!("nl001_rust_drivers_without_sslmode");
    const S: &str = "NL001";
    const Q: &str =
        "SELECT coalesce((SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()), true)";
    let p18 = format!("PgBouncer {}", gt.pgbouncer_version);
    let mut wheres = vec![
        ("direct".to_string(), gt.direct_url("")),
        (format!("pooled ({p18})"), gt.pooled_url("gt_nl002_rs", "")),
    ];
    if let (Some(u), Some(v)) = (
        gt.pooled_ps_url("gt_nl002_rs", ""),
        gt.pgbouncer_ps_version.as_ref(),
    ) {
        wheres.push((
            format!("pooled (PgBouncer {v} max_prepared_statements=1000)"),
            u,
        ));
    }
    for (w, u) in &wheres {
        // tokio-postgres: sslmode defaults to prefer, so a TLS connector is used when one is given.
        let text = match tp_connect(u, gt.tls()).await {
            Ok(c) => {
                let on: bool = c.query_one(Q, &[]).await.expect("query").get(0);
                assert!(on, "tokio-postgres without sslmode: no TLS");
                format!("connected, TLS = {on}")
            }
            Err(e) => panic!(
                "tokio-postgres + MakeTlsConnector, no sslmode, {w}: {}",
                chain(&e)
            ),
        };
        observed(
            S,
            &format!("tokio-postgres 0.7 MakeTlsConnector, no sslmode at all, {w}"),
            &text,
        );
        neon_lint_ground_truth::cell(
            S,
            "tokio-postgres 0.7 MakeTlsConnector",
            "no sslmode at all",
            w,
            "ok",
            &text,
            None,
        );

        // sqlx: PgSslMode defaults to Prefer.
        let text = match sqlx::PgConnection::connect(u).await {
            Ok(mut c) => {
                let on: bool = sqlx::query_scalar(Q)
                    .fetch_one(&mut c)
                    .await
                    .expect("query");
                assert!(on, "sqlx without sslmode: no TLS");
                format!("connected, TLS = {on}")
            }
            Err(e) => panic!("sqlx, no sslmode, {w}: {e}"),
        };
        observed(S, &format!("sqlx 0.8.6, no sslmode at all, {w}"), &text);
        neon_lint_ground_truth::cell(S, "sqlx 0.8.6", "no sslmode at all", w, "ok", &text, None);
    }
}
