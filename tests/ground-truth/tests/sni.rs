//! SNI ground truth for `client-without-sni` (NL052, issue 19): `sni/sni_truth.py` runs a
//! loopback TLS recorder and drives an old and a fixed release of libpq (the libpq bundled in
//! psycopg2-binary 2.9.1 / 2.9.2 wheels), postgres.js (3.3.3 / 3.3.4) and asyncpg (0.21.0 /
//! 0.22.0) at it. The old ones must send no server name and the fixed ones `localhost`; libpq
//! 13 must forward `options=endpoint=...`, and asyncpg 0.21 send SNI once asked for TLS.
//!
//! It needs no database servers, only `python3`, `openssl` and the registries (PyPI, npm),
//! so it runs when `NEON_LINT_SNI_TRUTH` (which `.ci/run` sets) or `NEON_LINT_GROUND_TRUTH` is
//! set; offline, every client prints `SKIP <client>: <reason>` and the test passes.

use std::path::Path;
use std::process::Command;

use neon_lint_ground_truth::{observed, say};

#[test]
fn old_clients_send_no_sni_fixed_ones_do() {
    let test = "old_clients_send_no_sni_fixed_ones_do";
    if std::env::var_os("NEON_LINT_SNI_TRUTH").is_none()
        && std::env::var_os("NEON_LINT_GROUND_TRUTH").is_none()
    {
        say(&format!(
            "SKIP {test}: neither NEON_LINT_SNI_TRUTH nor NEON_LINT_GROUND_TRUTH is set (it downloads clients from PyPI and npm)"
        ));
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("sni/sni_truth.py");
    let out = match Command::new("python3").arg(&script).output() {
        Ok(o) => o,
        Err(e) => {
            say(&format!("SKIP {test}: cannot run python3: {e}"));
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    for line in stdout.lines() {
        if line.starts_with("SKIP") {
            say(line);
        } else if let Some(rest) = line
            .strip_prefix("ok")
            .or_else(|| line.strip_prefix("FAIL"))
        {
            // `<client>: server_name ...; client said: ...`, as docs/ground-truth.md quotes it.
            let (client, text) = rest.trim_start().split_once(": ").unwrap_or((rest, ""));
            observed("NL052", client, text);
        }
    }
    match out.status.code() {
        Some(0) => {}
        Some(77) => say(&format!(
            "SKIP {test}: no client could be fetched (offline?)"
        )),
        code => panic!(
            "SNI ground truth failed ({code:?}):\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        ),
    }
}
