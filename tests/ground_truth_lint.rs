//! The linting half of the ground truth (`docs/ground-truth.md`): the same neon-lint binary
//! lints the configurations that `tests/ground-truth/` then runs against real PostgreSQL and
//! PgBouncer, with `neon-lint.toml` mapping the loopback pooler to Neon's pooled role and the
//! server to the direct one. What the driver tests show failing must be flagged here, and the
//! fixed configurations must be clean.
//!
//! The URLs come from `.ci/servers/start.sh`'s environment when it is loaded, and default to
//! the same shapes on its default ports otherwise (linting needs no server).

mod common;

use std::fs;

use common::{findings, run};

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

struct Servers {
    direct: String,
    pooled: String,
    pooled_hosts: String,
    direct_hosts: String,
}

fn servers() -> Servers {
    Servers {
        direct: env_or(
            "GT_PG_DIRECT_URL",
            "postgresql://app:gtpassword1@127.0.0.1:55432/appdb?sslmode=require",
        ),
        pooled: env_or(
            "GT_PG_POOLED_URL",
            "postgresql://app:gtpassword1@127.0.0.1:56432/appdb?sslmode=require",
        ),
        pooled_hosts: env_or("GT_POOLED_HOSTS", "127.0.0.1:56432,127.0.0.1:56433"),
        direct_hosts: env_or("GT_DIRECT_HOSTS", "127.0.0.1:55432,127.0.0.1:55433"),
    }
}

fn toml_list(csv: &str) -> String {
    let items: Vec<String> = csv.split(',').map(|h| format!("\"{h}\"")).collect();
    format!("[{}]", items.join(", "))
}

/// Lints a scratch project made of `files` plus the host mapping; returns the rule codes found.
fn lint(files: &[(&str, String)], extra_config: &str) -> Vec<String> {
    let s = servers();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = format!(
        "pooled-hosts = {}\ndirect-hosts = {}\n{extra_config}\n[rules]\nhardcoded-credentials = \"allow\"\ncommitted-env-file = \"allow\"\nunverified-tls = \"allow\"\n",
        toml_list(&s.pooled_hosts),
        toml_list(&s.direct_hosts)
    );
    fs::write(dir.path().join("neon-lint.toml"), config).expect("config");
    for (name, text) in files {
        let p = dir.path().join(name);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    }
    let out = run(
        &["--format", "json", "."],
        dir.path().to_str().expect("utf-8"),
    );
    assert!(out.code == 0 || out.code == 1, "run failed: {}", out.stderr);
    let mut codes: Vec<String> = findings(&out.stdout)
        .into_iter()
        .map(|(_, c, _)| c)
        .collect();
    codes.sort();
    codes.dedup();
    codes
}

#[test]
fn startup_options_on_the_pooler_nl009() {
    let s = servers();
    let opts = "&options=-c%20search_path%3Dgt_nl011";
    let flagged = lint(
        &[(".env", format!("DATABASE_URL={}{opts}\n", s.pooled))],
        "",
    );
    assert!(flagged.contains(&"NL009".to_string()), "{flagged:?}");
    // The fix the rule prints: the same options on the direct URL.
    let fixed = lint(
        &[(".env", format!("DATABASE_URL={}{opts}\n", s.direct))],
        "",
    );
    assert!(!fixed.contains(&"NL009".to_string()), "{fixed:?}");
}

#[test]
fn plaintext_sslmode_disable_nl002() {
    let s = servers();
    let url = s.direct.replace("sslmode=require", "sslmode=disable");
    let flagged = lint(&[(".env", format!("DATABASE_URL={url}\n"))], "");
    assert!(flagged.contains(&"NL002".to_string()), "{flagged:?}");
    let fixed = lint(&[(".env", format!("DATABASE_URL={}\n", s.direct))], "");
    assert!(!fixed.contains(&"NL002".to_string()), "{fixed:?}");
}

#[test]
fn migrations_through_the_pooler_nl020() {
    let s = servers();
    let ini = |url: &str| {
        format!(
            "[alembic]\nscript_location = migrations\nsqlalchemy.url = {}\n",
            url.replace('%', "%%")
        )
    };
    let flagged = lint(&[("alembic.ini", ini(&s.pooled))], "");
    assert!(flagged.contains(&"NL020".to_string()), "{flagged:?}");
    let fixed = lint(&[("alembic.ini", ini(&s.direct))], "");
    assert!(!fixed.contains(&"NL020".to_string()), "{fixed:?}");
}

#[test]
fn sqlx_statement_cache_through_the_pooler_nl010() {
    let s = servers();
    let main = r#"use sqlx::postgres::PgPoolOptions;

#[tokio::main]
async fn main() -> Result<(), sqlx::Error> {
    let url = std::env::var("DATABASE_URL").expect("DATABASE_URL");
    let pool = PgPoolOptions::new().max_connections(16).connect(&url).await?;
    sqlx::query("SELECT 1").execute(&pool).await?;
    Ok(())
}
"#;
    let files = |url: &str| {
        vec![
            (".env", format!("DATABASE_URL={url}\n")),
            ("src/main.rs", main.to_string()),
        ]
    };
    let flagged = lint(&files(&s.pooled), "");
    assert!(flagged.contains(&"NL010".to_string()), "{flagged:?}");
    let direct = lint(&files(&s.direct), "");
    assert!(!direct.contains(&"NL010".to_string()), "{direct:?}");
    // A pooler that tracks prepared statements (PgBouncer >= 1.21, Neon's since 2024-02) is
    // declared with `pooler-prepared-statements`; the 640/640 run on 1.24 backs that switch.
    let tracked = lint(&files(&s.pooled), "pooler-prepared-statements = true");
    assert!(!tracked.contains(&"NL010".to_string()), "{tracked:?}");
}

#[test]
fn notls_connector_nl030() {
    let s = servers();
    let main = |connector: &str| {
        format!(
            r#"use tokio_postgres::NoTls;

#[tokio::main]
async fn main() -> Result<(), tokio_postgres::Error> {{
    let url = std::env::var("DATABASE_URL").unwrap();
    let (client, conn) = tokio_postgres::connect(&url, {connector}).await?;
    tokio::spawn(conn);
    client.simple_query("SELECT 1").await?;
    Ok(())
}}
"#
        )
    };
    let files = |c: &str| {
        vec![
            (".env", format!("DATABASE_URL={}\n", s.direct)),
            ("src/main.rs", main(c)),
        ]
    };
    let flagged = lint(&files("NoTls"), "");
    assert!(flagged.contains(&"NL030".to_string()), "{flagged:?}");
    let fixed = lint(
        &files("postgres_openssl::MakeTlsConnector::new(builder.build())"),
        "",
    );
    assert!(!fixed.contains(&"NL030".to_string()), "{fixed:?}");
}
