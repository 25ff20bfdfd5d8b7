//! Files that are not what their names say (FIFOs, devices, huge files) where neon-lint
//! reads files it did not get from the walker (configuration, baselines), and output that
//! cannot be written: every run ends, with a message naming the file and a true exit status.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BAD_URL: &str = "postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb";

use common::Output as Run;

/// Runs neon-lint in `dir`, failing the test after a minute: these runs used to hang.
fn run_watched(args: &[&str], dir: &Path) -> Run {
    common::run_watched(args, dir, Duration::from_secs(60))
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

/// Runs neon-lint with stdout and/or stderr sent to `/dev/full`.
#[cfg(unix)]
fn run_to_full(args: &[&str], dir: &Path, stdout_full: bool, stderr_full: bool) -> Run {
    let full = || {
        Stdio::from(
            fs::File::options()
                .write(true)
                .open("/dev/full")
                .expect("/dev/full"),
        )
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_neon-lint"));
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null());
    cmd.stdout(if stdout_full { full() } else { Stdio::piped() });
    cmd.stderr(if stderr_full { full() } else { Stdio::piped() });
    let out = cmd.output().expect("run");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Issue 18, item 15: `--list-rules`, `--explain`, a lint report and `url` on a full disk
/// exit 2 with a message, never a panic (101).
#[cfg(unix)]
#[test]
fn write_errors_on_stdout_exit_2_with_a_message() {
    let dir = tree();
    for args in [
        &["--list-rules"][..],
        &["--help"],
        &["--version"],
        &["--explain", "missing-sslmode"],
        &["--format", "json", "."],
        &["url", BAD_URL],
        &["url", "--json", BAD_URL],
    ] {
        let out = run_to_full(args, dir.path(), true, false);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("cannot write to stdout") && !out.stderr.contains("internal error"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

/// Issue 18, item 15: a full stderr is a failed run (exit 2), not an abort.
#[cfg(unix)]
#[test]
fn a_full_stderr_exits_2_without_aborting() {
    let dir = tree();
    // Each of these exits 0 or 1 when its stderr line can be written.
    for args in [
        &["--write-baseline", "b.json", "."][..],
        &["--diff", "."],
        &["--format", "json", "--baseline", "b.json", "."],
    ] {
        let out = run_to_full(args, dir.path(), false, true);
        assert_eq!(out.code, 2, "{args:?}: {}", out.stdout);
    }
}

/// Issue 18, item 15: a reader that goes away ends the output quietly (ripgrep's way),
/// with the status the run found; `url -` stops reading its endless stdin.
#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::io::Write;
    let dir = tree();
    let mut child = Command::new(env!("CARGO_BIN_EXE_neon-lint"))
        .args(["url", "-"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().expect("stdin");
    // Feed lines until neon-lint stops reading (the write fails) or a minute passes.
    let feeder = std::thread::spawn(move || {
        let line = format!("{BAD_URL}\n").repeat(1000);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            if stdin.write_all(line.as_bytes()).is_err() {
                return true;
            }
        }
        false
    });
    assert!(
        feeder.join().expect("join"),
        "`url -` kept reading after stdout closed"
    );
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings were printed before the pipe closed"
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // A lint run whose reader has gone.
    let mut child = Command::new(env!("CARGO_BIN_EXE_neon-lint"))
        .args(["--format", "json", "."])
        .current_dir(dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 18, item 15: `--write-baseline` into a missing folder creates it, as `--output`
/// does (it used to say "recorded" and exit 0 with nothing written); one that cannot be
/// created exits 2.
#[test]
fn write_baseline_creates_missing_folders_like_output() {
    let dir = tree();
    let out = run_watched(&["--write-baseline", "missing/dir/b.json", "."], dir.path());
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(dir.path().join("missing/dir/b.json").is_file());
    let out = run_watched(&["--output", "json=out/dir/r.json", "."], dir.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(dir.path().join("out/dir/r.json").is_file());
    // A file where a folder must be.
    for args in [
        &["--write-baseline", "good.toml/b.json", "."][..],
        &["--output", "json=good.toml/r.json", "."],
    ] {
        let out = run_watched(args, dir.path());
        assert_eq!(out.code, 2, "{args:?}: {}", out.stderr);
        assert!(
            out.stderr.contains("good.toml/"),
            "{args:?}: {}",
            out.stderr
        );
    }
}

/// Issue 18, item 15: `--output` to `/dev/stdout` writes to stdout, and to a device or a
/// FIFO straight through it, never replacing it with a regular file.
#[cfg(unix)]
#[test]
fn output_to_special_files_goes_straight_through() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tree();
    let out = run_watched(
        &["--format", "short", "--output", "json=/dev/stdout", "."],
        dir.path(),
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("\"code\": \"NL001\""), "{}", out.stdout);
    assert!(out.stdout.contains("good.toml:1:"), "{}", out.stdout);

    let out = run_watched(&["--output", "json=/dev/null", "."], dir.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(fs::metadata("/dev/null")
        .expect("/dev/null")
        .file_type()
        .is_char_device());

    // A symlink to a device: the device is written, the link stays (the old atomic write
    // renamed a regular file over the link's target).
    std::os::unix::fs::symlink("/dev/null", dir.path().join("null.json")).expect("symlink");
    let out = run_watched(&["--output", "json=null.json", "."], dir.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(fs::symlink_metadata(dir.path().join("null.json"))
        .expect("link")
        .file_type()
        .is_symlink());
    assert!(fs::metadata("/dev/null")
        .expect("/dev/null")
        .file_type()
        .is_char_device());

    let fifo = dir.path().join("report.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).expect("read fifo"))
    };
    let out = run_watched(&["--output", "sarif=report.fifo", "."], dir.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(reader.join().expect("join").contains("\"NL001\""));
    assert!(fs::symlink_metadata(&fifo)
        .expect("fifo")
        .file_type()
        .is_fifo());
}

/// Issue 18, item 11's siblings: the other files read outside the walk, a workspace's
/// `Cargo.toml` above a member (for `workspace = true` dependencies) and a compose file's
/// `env_file:`, are read the same bounded way: FIFOs there do not hang the run.
#[cfg(unix)]
#[test]
fn workspace_manifests_and_compose_env_files_do_not_hang() {
    let dir = tree();
    let member = dir.path().join("member");
    fs::create_dir(&member).expect("mkdir");
    fs::write(
        member.join("Cargo.toml"),
        "[package]\nname = \"m\"\n[dependencies]\nsqlx = { workspace = true }\n",
    )
    .expect("write");
    fs::write(member.join("a.toml"), format!("url = \"{BAD_URL}\"\n")).expect("write");
    mkfifo(&dir.path().join("Cargo.toml"));
    let out = run_watched(&["--format", "json", "."], &member);
    assert_eq!(out.code, 1, "{}", out.stderr);

    fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  db:\n    image: postgres\n    env_file: ./db.env\n",
    )
    .expect("write");
    mkfifo(&dir.path().join("db.env"));
    fs::remove_file(dir.path().join("Cargo.toml")).expect("rm");
    let out = run_watched(&["--format", "json", "."], dir.path());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stdout.contains("good.toml"), "{}", out.stdout);
}

/// Issue 18, item 15's sibling: `url -` read a line of any length into memory. Lines are
/// bounded like files; a longer one is an error naming the line, exit 2.
#[test]
fn url_stdin_lines_are_bounded() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_neon-lint"))
        .args(["url", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdin = child.stdin.take().expect("stdin");
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(format!("{BAD_URL}\n").as_bytes());
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..64 {
            if stdin.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let out = child.wait_with_output().expect("wait");
    feeder.join().expect("join");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("stdin line 2: over the 8 MB limit"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("NL001"));
}
