//! Files that are not what their names say (FIFOs, devices, huge files) where neon-lint
//! reads files it did not get from the walker (configuration, baselines), and output that
//! cannot be written: every run ends, with a message naming the file and a true exit status.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BAD_URL: &str = "postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb";

/// What a run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Runs neon-lint in `dir`, killing it (and failing the test) after a minute: these tests
/// are about runs that used to hang.
fn run_watched(args: &[&str], dir: &Path) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_neon-lint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let start = Instant::now();
    // Drain the pipes on threads so a large output cannot block the child.
    let mut so = child.stdout.take().expect("stdout");
    let mut se = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut so, &mut s).ok();
        s
    });
    let t_err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut se, &mut s).ok();
        s
    });
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("neon-lint {args:?} did not finish in 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code().unwrap_or(-1),
        stdout: t_out.join().expect("join"),
        stderr: t_err.join().expect("join"),
    }
}

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    fs::create_dir(dir.path().join(".git")).expect("mkdir .git");
    fs::write(
        dir.path().join("good.toml"),
        format!("url = \"{BAD_URL}\"\n"),
    )
    .expect("write");
    dir
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let st = Command::new("mkfifo").arg(p).status().expect("mkfifo");
    assert!(st.success());
}

/// Issue 18, item 11: config discovery reads only regular files. A FIFO `Cargo.toml` /
/// `pyproject.toml` used to hang the run, a symlink to /dev/zero to take gigabytes.
#[cfg(unix)]
#[test]
fn config_discovery_reads_only_regular_files() {
    let dir = tree();
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).expect("mkdir");
    fs::write(sub.join("a.toml"), format!("url = \"{BAD_URL}\"\n")).expect("write");
    mkfifo(&dir.path().join("Cargo.toml"));
    std::os::unix::fs::symlink("/dev/zero", sub.join("pyproject.toml")).expect("symlink");
    let out = run_watched(&["--format", "json", "."], &sub);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("NL001"), "{}", out.stdout);
    // Named ones are errors naming the file.
    mkfifo(&sub.join("neon-lint.toml"));
    let out = run_watched(&["."], &sub);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("neon-lint.toml") && out.stderr.contains("not a regular file"),
        "{}",
        out.stderr
    );
    fs::remove_file(sub.join("neon-lint.toml")).expect("rm");
    for (flag, file) in [
        ("--config", "/dev/zero"),
        ("--baseline", "/dev/zero"),
        ("--config", "Cargo.toml"),
        ("--baseline", "Cargo.toml"),
    ] {
        let out = run_watched(&[flag, file, "."], dir.path());
        assert_eq!(out.code, 2, "{flag} {file}: {}", out.stderr);
        assert!(
            out.stderr.contains(file) && out.stderr.contains("not a regular file"),
            "{flag} {file}: {}",
            out.stderr
        );
    }
}

/// Issue 18, item 11: a config file over the walker's size limit is refused, not read.
#[test]
fn oversized_config_is_refused() {
    let dir = tree();
    let mut big = b"[rules]\n".to_vec();
    big.resize(9 * 1024 * 1024, b'\n');
    fs::write(dir.path().join("neon-lint.toml"), big).expect("write");
    let out = run_watched(&["."], dir.path());
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("neon-lint.toml") && out.stderr.contains("size limit"),
        "{}",
        out.stderr
    );
}

/// Issue 18, items 11 and 15: FIFOs in the tree are passed over, and one named on the
/// command line is an error (exit 2) that names it, never a hang or "no files to lint".
#[cfg(unix)]
#[test]
fn fifos_in_the_tree_and_on_the_command_line_do_not_hang() {
    let dir = tree();
    mkfifo(&dir.path().join(".env"));
    mkfifo(&dir.path().join(".env.local"));
    std::os::unix::fs::symlink(".env", dir.path().join("prod.env")).expect("symlink");
    let out = run_watched(&["--format", "json", "."], dir.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("good.toml"), "{}", out.stdout);
    for named in [".env", "prod.env"] {
        let out = run_watched(&["--format", "json", named, "good.toml"], dir.path());
        assert_eq!(out.code, 2, "{named}: {}", out.stderr);
        assert!(
            out.stderr.contains(named) && out.stderr.contains("FIFO"),
            "{named}: {}",
            out.stderr
        );
        assert!(out.stdout.contains("good.toml"), "{}", out.stdout);
    }
}

/// Issue 18, item 15: a file named on the command line that cannot be read fails the run.
/// (Tests run as root here, so a directory in the place of a file stands for "unreadable".)
#[cfg(unix)]
#[test]
fn explicitly_named_unreadable_file_exits_2() {
    let dir = tree();
    std::os::unix::fs::symlink("/dev/null", dir.path().join("dev.env")).expect("symlink");
    let out = run_watched(&["--format", "json", "dev.env", "good.toml"], dir.path());
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("dev.env"), "{}", out.stderr);
    assert!(out.stdout.contains("good.toml"), "{}", out.stdout);
}
