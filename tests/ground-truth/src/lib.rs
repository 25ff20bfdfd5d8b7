//! Helpers for neon-lint's ground-truth tests (issue 9).
//!
//! The tests in `tests/` run the real drivers (tokio-postgres, sqlx, and through the venv psycopg,
//! psycopg2, asyncpg and SQLAlchemy) against the servers `.ci/servers/start.sh` starts on 127.0.0.1:
//! PostgreSQL with TLS and `hostssl ... scram-sha-256` only (like Neon), PgBouncer (Debian's) in
//! transaction mode in front of it (like Neon's `-pooler` hosts), and, where one could be built, a
//! PgBouncer >= 1.21 with `max_prepared_statements` (like Neon's pooler since February 2024).
//!
//! Every test that needs the servers starts with [`servers_or_skip!`]: without
//! `NEON_LINT_GROUND_TRUTH` in the environment it prints `SKIP <test>: <reason>` on the real stderr
//! (not swallowed by the test harness's capture) and returns. With it, a missing or malformed
//! `GT_*` variable is a failure, never a skip.
//!
//! What a test observed is printed as `OBSERVED <scenario>: <what>: <text>` lines, also on the real
//! stderr; `docs/ground-truth.md` quotes them.

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use postgres_openssl::MakeTlsConnector;

/// Writes a line to the process's real stderr. libtest captures `eprintln!`, not direct writes, so
/// skips and observations stay visible in `cargo test` output even for passing tests.
pub fn say(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "[ground-truth] {line}");
    let _ = err.flush();
}

/// Records one observation: `OBSERVED <scenario>: <what>: <text>`.
pub fn observed(scenario: &str, what: &str, text: impl std::fmt::Display) {
    say(&format!("OBSERVED {scenario}: {what}: {text}"));
}

/// One cell of the generated matrix: `CELL {json}` (read by `python/render_doc.py`). `fix`: `None`
/// for a flagged configuration, `Some(verified)` for a fix a rule's help suggests.
pub fn cell(
    rule: &str,
    driver: &str,
    config: &str,
    pooler: &str,
    outcome: &str,
    error: &str,
    fix: Option<bool>,
) {
    fn j(s: &str) -> String {
        let mut o = String::from("\"");
        for ch in s.chars() {
            match ch {
                '"' => o.push_str("\\\""),
                '\\' => o.push_str("\\\\"),
                c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
                c => o.push(c),
            }
        }
        o.push('"');
        o
    }
    let fix = match fix {
        None => "null",
        Some(true) => "true",
        Some(false) => "false",
    };
    say(&format!(
        "CELL {{\"rule\": {}, \"driver\": {}, \"config\": {}, \"pooler\": {}, \"outcome\": {}, \"error\": {}, \"fix\": {fix}}}",
        j(rule),
        j(driver),
        j(config),
        j(pooler),
        j(outcome),
        j(error)
    ));
}

/// The servers started by `.ci/servers/start.sh`, from the variables its env file exports.
#[derive(Clone, Debug)]
pub struct Gt {
    pub ca_file: PathBuf,
    pub user: String,
    pub password: String,
    pub dbname: String,
    pub pg_port: u16,
    pub bouncer_port: u16,
    pub pgbouncer_version: String,
    /// The PgBouncer with `max_prepared_statements` (>= 1.21), when start.sh could provide one.
    pub bouncer_ps_port: Option<u16>,
    pub pgbouncer_ps_version: Option<String>,
    /// A second cluster that tests may restart, and the command that restarts it.
    pub restart_port: u16,
    pub restart_cmd: PathBuf,
    /// The venv interpreter with the Python drivers.
    pub python: Option<PathBuf>,
}

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("NEON_LINT_GROUND_TRUTH is set but {name} is not: source the env file .ci/servers/start.sh printed")
    })
}

fn port(name: &str) -> u16 {
    var(name)
        .parse()
        .unwrap_or_else(|_| panic!("{name} is not a port number"))
}

impl Gt {
    /// `Some` when `NEON_LINT_GROUND_TRUTH` is set (then every other variable must be valid);
    /// `None`, after printing why, when it is not.
    pub fn from_env(test: &str) -> Option<Gt> {
        match std::env::var("NEON_LINT_GROUND_TRUTH") {
            Ok(v) if !v.is_empty() && v != "0" => {}
            _ => {
                say(&format!(
                    "SKIP {test}: NEON_LINT_GROUND_TRUTH is not set (start the servers with \
                     .ci/servers/start.sh and source the env file it prints)"
                ));
                return None;
            }
        }
        let ca_file = PathBuf::from(var("GT_CA_FILE"));
        assert!(
            ca_file.is_file(),
            "GT_CA_FILE {} is not a file",
            ca_file.display()
        );
        Some(Gt {
            ca_file,
            user: var("GT_PG_USER"),
            password: var("GT_PG_PASSWORD"),
            dbname: var("GT_PG_DBNAME"),
            pg_port: port("GT_PG_PORT"),
            bouncer_port: port("GT_BOUNCER_PORT"),
            pgbouncer_version: var("GT_PGBOUNCER_VERSION"),
            bouncer_ps_port: std::env::var("GT_BOUNCER_PS_PORT")
                .ok()
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().expect("GT_BOUNCER_PS_PORT is not a port number")),
            pgbouncer_ps_version: std::env::var("GT_PGBOUNCER_PS_VERSION")
                .ok()
                .filter(|s| !s.is_empty()),
            restart_port: port("GT_PG_RESTART_PORT"),
            restart_cmd: PathBuf::from(var("GT_PG_RESTART_CMD")),
            python: std::env::var("GT_PYTHON")
                .ok()
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        })
    }

    fn url(&self, port: u16, db: &str, params: &str) -> String {
        let mut u = format!(
            "postgresql://{}:{}@127.0.0.1:{port}/{db}",
            self.user, self.password
        );
        if !params.is_empty() {
            u.push('?');
            u.push_str(params);
        }
        u
    }

    /// The direct server (like a Neon host without `-pooler`). `params`: a URL query string, or "".
    pub fn direct_url(&self, params: &str) -> String {
        self.url(self.pg_port, &self.dbname, params)
    }

    /// Debian's PgBouncer (transaction mode, no prepared-statement tracking). `alias` is the database
    /// name to ask for: PgBouncer gives every alias its own server pool onto the same database, so
    /// scenarios that leave session state behind cannot disturb each other.
    pub fn pooled_url(&self, alias: &str, params: &str) -> String {
        self.url(self.bouncer_port, alias, params)
    }

    /// The PgBouncer with `max_prepared_statements = 1000`, if there is one.
    pub fn pooled_ps_url(&self, alias: &str, params: &str) -> Option<String> {
        self.bouncer_ps_port.map(|p| self.url(p, alias, params))
    }

    /// The cluster that [`Gt::restart_server`] restarts.
    pub fn restart_url(&self, params: &str) -> String {
        self.url(self.restart_port, &self.dbname, params)
    }

    /// Restarts the second cluster (`pg_ctl restart -m fast`): every open connection to it is cut,
    /// as when a Neon compute suspends.
    pub fn restart_server(&self) {
        let out = std::process::Command::new(&self.restart_cmd)
            .output()
            .expect("run GT_PG_RESTART_CMD");
        assert!(
            out.status.success(),
            "GT_PG_RESTART_CMD failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Runs one scenario of `python/scenarios.py` with the venv interpreter (`GT_PYTHON`), echoes its
    /// `OBSERVED`/`VERDICT` lines, and panics with its stderr if it failed. Returns false, after printing
    /// `SKIP`, when there is no venv.
    pub fn run_python(&self, test: &str, scenario: &str) -> bool {
        let Some(py) = &self.python else {
            say(&format!(
                "SKIP {test}: GT_PYTHON is not set (no venv with the Python drivers)"
            ));
            return false;
        };
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/scenarios.py");
        let out = std::process::Command::new(py)
            .arg(&script)
            .arg(scenario)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", py.display()));
        for line in String::from_utf8_lossy(&out.stdout).lines() {
            say(line);
        }
        assert!(
            out.status.success(),
            "python scenario {scenario} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        true
    }

    /// An OpenSSL connector for tokio-postgres that verifies the server against the throw-away CA
    /// (and the host name / IP against the certificate).
    pub fn tls(&self) -> MakeTlsConnector {
        let mut b = SslConnector::builder(SslMethod::tls_client()).expect("openssl connector");
        b.set_ca_file(&self.ca_file).expect("load GT_CA_FILE");
        b.set_verify(SslVerifyMode::PEER);
        MakeTlsConnector::new(b.build())
    }
}

/// `let gt = servers_or_skip!("test name");` at the top of a test: returns from the test after a
/// printed `SKIP` when the servers are not there.
#[macro_export]
macro_rules! servers_or_skip {
    ($test:expr) => {
        match $crate::Gt::from_env($test) {
            Some(gt) => gt,
            None => return,
        }
    };
}

/// Runs `fut` with a time limit; `None` when it did not finish in time (a hang is an observation too).
pub async fn within<T>(limit: Duration, fut: impl std::future::Future<Output = T>) -> Option<T> {
    tokio::time::timeout(limit, fut).await.ok()
}

/// Connects with tokio-postgres and drives the connection on a background task.
pub async fn tp_connect<T>(
    url: &str,
    tls: T,
) -> Result<tokio_postgres::Client, tokio_postgres::Error>
where
    T: tokio_postgres::tls::MakeTlsConnect<tokio_postgres::Socket>,
    T::Stream: Send + 'static,
{
    let (client, conn) = tokio_postgres::connect(url, tls).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

/// An error as a user sees it in logs: its `Display`, then each `source()` not already shown
/// (tokio-postgres prints only "invalid connection string" and keeps the detail in the source).
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let t = c.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        cur = c.source();
    }
    s
}

/// Tally of error messages, most frequent first, for reports.
#[derive(Default, Debug)]
pub struct Tally {
    pub ok: usize,
    pub wrong: usize,
    /// The first wrong answer seen, e.g. "`SELECT $1::int4 + 2` with $1 = 5 returned 8".
    pub first_wrong: Option<String>,
    pub errors: std::collections::BTreeMap<String, usize>,
}

impl Tally {
    pub fn err(&mut self, e: &(dyn std::error::Error + 'static)) {
        *self.errors.entry(normalize(&chain(e))).or_default() += 1;
    }
    /// Records a wrong answer: `sql` run with `arg` returned `got`.
    pub fn wrong(&mut self, sql: &str, arg: impl std::fmt::Display, got: impl std::fmt::Display) {
        self.wrong += 1;
        if self.first_wrong.is_none() {
            self.first_wrong = Some(format!("`{sql}` with $1 = {arg} returned {got}"));
        }
    }
    pub fn merge(&mut self, o: Tally) {
        if self.first_wrong.is_none() {
            self.first_wrong = o.first_wrong;
        }
        self.ok += o.ok;
        self.wrong += o.wrong;
        for (k, v) in o.errors {
            *self.errors.entry(k).or_default() += v;
        }
    }
    pub fn failed(&self) -> usize {
        self.wrong + self.errors.values().sum::<usize>()
    }
    pub fn summary(&self) -> String {
        let mut v: Vec<_> = self.errors.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        let errs: Vec<String> = v.iter().map(|(k, n)| format!("{n}x `{k}`")).collect();
        let mut s = format!(
            "{} ok, {} wrong results, {} errors{}{}",
            self.ok,
            self.wrong,
            self.errors.values().sum::<usize>(),
            if errs.is_empty() { "" } else { ": " },
            errs.join("; ")
        );
        if let Some(w) = &self.first_wrong {
            s.push_str(&format!(" (wrong result, e.g. {w})"));
        }
        s
    }
}

/// Replaces the varying numbers in statement names (`sqlx_s_17` -> `sqlx_s_N`, `"s26"` -> `"sN"`)
/// so errors group.
pub fn normalize(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len());
    let mut chars = msg.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() && (out.ends_with('_') || out.ends_with("\"s")) {
            while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                chars.next();
            }
            out.push('N');
        } else {
            out.push(c);
        }
    }
    out
}
