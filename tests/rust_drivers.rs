//! Rust projects end to end: the built binary on the fixture crates under
//! `tests/fixtures/rust/`, with `--format json`, and the exact set of (code, path, line) it
//! reports. Each fixture holds positives and negatives side by side; a negative is a line
//! that must not appear. The fixtures are only linted, never compiled.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

type Finding = (String, String, usize);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/rust")
        .join(name)
}

/// Runs neon-lint in `dir` on `args` (after `--format json`), returning every finding.
fn lint_in(dir: &Path, args: &[&str]) -> BTreeSet<Finding> {
    let out = Command::new(env!("CARGO_BIN_EXE_neon-lint"))
        .current_dir(dir)
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .expect("run neon-lint");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_ne!(
        out.status.code(),
        Some(2),
        "neon-lint failed in {}: {}\n{stdout}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {stdout}"));
    v.as_array()
        .expect("a JSON array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap() as usize,
            )
        })
        .collect()
}

fn lint(name: &str) -> BTreeSet<Finding> {
    lint_in(&fixture(name), &["."])
}

fn set(items: &[(&str, &str, usize)]) -> BTreeSet<Finding> {
    items
        .iter()
        .map(|(c, p, l)| (c.to_string(), p.to_string(), *l))
        .collect()
}

fn messages(dir: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_neon-lint"))
        .current_dir(dir)
        .arg("--format")
        .arg("json")
        .args(args)
        .output()
        .expect("run neon-lint");
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .expect("JSON")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn neons_own_rust_guide_is_clean() {
    // tokio-postgres and postgres with postgres_openssl::MakeTlsConnector, on a pooled Neon
    // URL from `.env`: nothing to say.
    assert_eq!(lint("neon_guide"), BTreeSet::new());
}

#[test]
fn tokio_postgres_connectors_parameters_and_timeouts() {
    assert_eq!(
        lint("tokio_postgres"),
        set(&[
            // `use tokio_postgres::NoTls as Plain`
            ("NL030", "src/main.rs", 16),
            // `let tls = tokio_postgres::NoTls;` passed on the argument's own line
            ("NL030", "src/main.rs", 22),
            // Config builder chain: each problem on its own call's line
            ("NL041", "src/main.rs", 29),
            ("NL030", "src/main.rs", 30),
            // the sync crate, fully qualified
            ("NL030", "src/main.rs", 34),
            // `sslmode=verify-full` in the literal tokio-postgres parses
            ("NL033", "src/main.rs", 40),
            // a connector built in another file with checks off / with an empty root store
            ("NL034", "src/tls.rs", 12),
            ("NL034", "src/tls.rs", 29),
        ])
    );
    // Silent: NoTls to localhost (37), verified rustls (44 / tls.rs 18-24), reqwest's
    // `danger_accept_invalid_certs` (49).
}

#[test]
fn sqlx_pools_statements_session_state_and_migrations() {
    assert_eq!(
        lint("sqlx_pooler"),
        set(&[
            ("NL040", "src/db.rs", 10), // test_before_acquire(false), default idle timeout
            ("NL041", "src/db.rs", 11), // acquire_timeout(2 s)
            ("NL011", "src/db.rs", 14), // SET in after_connect
            ("NL010", "src/db.rs", 18), // pool on the pooled URL
            ("NL010", "src/db.rs", 30), // statement_cache_capacity(0) does not help
            ("NL009", "src/db.rs", 41), // PgConnectOptions::options([("search_path", ..)])
            ("NL010", "src/db.rs", 42), // PgPool::connect_with on the pooled URL
            ("NL020", "src/main.rs", 9), // make_pool() in another file, then migrate!().run
            ("NL011", "src/main.rs", 12), // pg_advisory_lock
            ("NL011", "src/main.rs", 13), // PgListener
        ])
    );
    // Silent: `SET LOCAL` (main.rs 11), test_before_acquire(false) with a 60 s idle timeout
    // (db.rs 28), migrations and SET on the direct URL (db.rs 49-50).
}

#[test]
fn statement_cache_rule_follows_the_pooler_setting() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("neon-lint.toml");
    std::fs::write(&config, "pooler-prepared-statements = true\n").unwrap();
    let found = lint_in(
        &fixture("sqlx_pooler"),
        &["--config", config.to_str().unwrap(), "."],
    );
    assert!(found.iter().all(|(c, _, _)| c != "NL010"), "{found:?}");
    assert!(found.contains(&("NL020".to_string(), "src/main.rs".to_string(), 9)));
}

#[test]
fn statement_cache_message_does_not_recommend_what_fails() {
    let all = messages(&fixture("sqlx_pooler"), &["."]);
    let nl010: Vec<&serde_json::Value> = all.iter().filter(|d| d["code"] == "NL010").collect();
    assert_eq!(nl010.len(), 3);
    for d in nl010 {
        let help = d["help"].as_str().unwrap();
        assert!(help.contains("pooler-prepared-statements = true"), "{help}");
        assert!(help.contains("direct"), "{help}");
        assert!(
            !help.contains("use `statement_cache_capacity(0)`"),
            "{help}"
        );
    }
}

#[test]
fn deadpool_bb8_r2d2() {
    assert_eq!(
        lint("deadpool"),
        set(&[
            ("NL040", "src/main.rs", 10), // Config without `manager`: Fast by default
            ("NL030", "src/main.rs", 10), // create_pool(.., NoTls)
            ("NL040", "src/main.rs", 31), // RecyclingMethod::Fast written out
            ("NL040", "src/main.rs", 41), // bb8 test_on_check_out(false)
            ("NL030", "src/main.rs", 51), // r2d2 manager with NoTls, literal Neon host
            ("NL010", "src/main.rs", 59), // prepare_cached on the pooled pool
        ])
    );
    // Silent: the verified pool on the direct URL with a TLS connector (15-24) and its
    // prepare_cached (64).

    // `RecyclingMethod::Fast` does check `is_closed()` (issue 14, item 7): advice that
    // says what it misses, not a warning; bb8's untested checkout stays a warning.
    let found = messages(&fixture("deadpool"), &[]);
    let stale: Vec<_> = found.iter().filter(|d| d["code"] == "NL040").collect();
    for d in &stale {
        let msg = d["message"].as_str().unwrap_or("");
        if msg.contains("RecyclingMethod::Fast") {
            assert_eq!(d["severity"], "info", "{d}");
            assert!(msg.contains("is_closed()"), "{msg}");
        } else {
            assert_eq!(d["severity"], "warning", "{d}");
        }
    }
    assert_eq!(stale.len(), 3, "{found:?}");
}

#[test]
fn diesel_and_diesel_async() {
    assert_eq!(
        lint("diesel"),
        set(&[
            ("NL032", "Cargo.toml", 11),  // pq-sys bundled_without_openssl
            ("NL010", "src/main.rs", 10), // diesel's default statement cache, pooled URL
            ("NL020", "src/main.rs", 11), // run_pending_migrations, URL from the caller
            ("NL010", "src/pool.rs", 8),  // diesel-async: named statements, pooled
            ("NL031", "src/pool.rs", 8),  // AsyncDieselConnectionManager::new
            ("NL010", "src/pool.rs", 14), // AsyncPgConnection::establish, pooled
            ("NL031", "src/pool.rs", 14), // AsyncPgConnection::establish
            ("NL010", "src/pool.rs", 32), // new_with_config: TLS fine, statements not
        ])
    );
    // Silent: migrations on the direct URL (main.rs 20-21), new_with_config with a TLS
    // custom_setup (pool.rs 32) for NL031.
}

/// diesel with `set_prepared_statement_cache_size(CacheSize::Disabled)` gave 640 of 640
/// correct answers on PgBouncer 1.18 (`tests/ground-truth/tests/diesel.rs`): not reported.
#[test]
fn diesel_with_its_statement_cache_off() {
    assert_eq!(lint("diesel_cache_off"), set(&[]));
}

#[test]
fn sea_orm_options_and_migrator() {
    assert_eq!(
        lint("sea_orm"),
        set(&[
            ("NL032", "Cargo.toml", 8),            // runtime-tokio without TLS
            ("NL032", "migration/Cargo.toml", 8),  // same for sea-orm-migration
            ("NL011", "migration/src/main.rs", 5), // run_cli sets search_path
            ("NL020", "migration/src/main.rs", 5), // run_cli reads DATABASE_URL (pooled)
            ("NL011", "src/main.rs", 10),          // set_schema_search_path on a &mut builder
            ("NL010", "src/main.rs", 11),          // Database::connect is sqlx inside
            ("NL020", "src/main.rs", 17),          // Migrator::up on the pooled connection
        ])
    );
}

#[test]
fn refinery_runners_and_config() {
    assert_eq!(
        lint("refinery"),
        set(&[
            ("NL020", "src/main.rs", 18), // runner().run_async on a client of the pooled URL
            ("NL033", "src/main.rs", 21), // Config::from_env_var with sslmode=verify-full
        ])
    );
}

#[test]
fn pools_and_urls_across_files_of_a_crate() {
    // clap `env = "DATABASE_URL"` field -> Db::new(url) -> connect(url) -> `Self { pool }`
    // -> `self.pool` in another method: the migration runs on the pooled URL. The second
    // pool (direct URL, local fallback) and its migrations are fine.
    assert_eq!(
        lint("crate_flow"),
        set(&[("NL010", "src/db.rs", 6), ("NL020", "src/db.rs", 22)])
    );
}

#[test]
fn workspace_inheritance_completes_features() {
    // `sqlx = { workspace = true, features = ["macros"] }`: the workspace entry has no TLS
    // feature; the member that adds `tls-rustls` is fine.
    assert_eq!(lint("workspace"), set(&[("NL032", "app/Cargo.toml", 8)]));
    // The root manifest outside the scanned paths is read from disk.
    assert_eq!(
        lint_in(&fixture("workspace"), &["app", ".cargo/config.toml"]),
        set(&[("NL032", "app/Cargo.toml", 8)])
    );
}

#[test]
fn messages_name_the_variable_and_the_real_error() {
    let all = messages(&fixture("tokio_postgres"), &["."]);
    let nl030 = all
        .iter()
        .find(|d| d["code"] == "NL030" && d["line"] == 16)
        .expect("NL030 at line 16");
    let msg = nl030["message"].as_str().unwrap();
    assert!(
        msg.contains("`DATABASE_URL`") && msg.contains(".env"),
        "{msg}"
    );
    let nl033 = all.iter().find(|d| d["code"] == "NL033").expect("NL033");
    let msg = nl033["message"].as_str().unwrap();
    assert!(
        msg.contains("invalid connection string: invalid value for option `sslmode`"),
        "{msg}"
    );
}
