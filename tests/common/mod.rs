//! Running the built binary in tests.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// What a run printed.
pub struct Output {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `neon-lint ARGS` in `dir` (relative to the package root, or absolute).
pub fn run(args: &[&str], dir: &str) -> Output {
    run_bin(env!("CARGO_BIN_EXE_neon-lint"), args, dir, None)
}

/// Runs `bin ARGS` in `dir`, with `stdin` when given.
pub fn run_bin(bin: &str, args: &[&str], dir: &str, stdin: Option<&str>) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cwd = if Path::new(dir).is_absolute() {
        Path::new(dir).to_path_buf()
    } else {
        root.join(dir)
    };
    let mut cmd = Command::new(bin);
    cmd.args(args).current_dir(cwd).env("NO_COLOR", "1");
    let out = if let Some(input) = stdin {
        use std::io::Write;
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("spawn");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    } else {
        cmd.output().expect("run neon-lint")
    };
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// (path, code, line) of every finding in JSON output, in output order.
pub fn findings(json: &str) -> Vec<(String, String, usize)> {
    let v: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("not JSON ({e}): {json}"));
    v.as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap_or("").to_string(),
                d["code"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0) as usize,
            )
        })
        .collect()
}

/// Runs `neon-lint ARGS` in `dir` like [`run`], but fails the test if the run has not
/// ended after `limit` (a guard for inputs that used to hang, not a timing assertion).
pub fn run_watched(args: &[&str], dir: &Path, limit: std::time::Duration) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_neon-lint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // Drain the pipes on threads so that a large output cannot block the child.
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let drain = |r: &mut dyn std::io::Read| {
        let mut b = Vec::new();
        r.read_to_end(&mut b).ok();
        String::from_utf8_lossy(&b).into_owned()
    };
    let t_out = std::thread::spawn(move || drain(&mut so));
    let t_err = std::thread::spawn(move || drain(&mut se));
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("neon-lint {args:?} did not finish in {limit:?}");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    Output {
        code: status.code().unwrap_or(-1),
        stdout: t_out.join().expect("join"),
        stderr: t_err.join().expect("join"),
    }
}
