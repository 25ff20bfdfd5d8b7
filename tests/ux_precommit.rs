//! The pre-commit hook, with the real `pre-commit` from PyPI: `pre-commit try-repo <this
//! checkout> neon-lint --files .env` in a scratch git repository fails on a staged bad
//! `.env` and passes on a clean one.
//!
//! It needs pre-commit: set `NEON_LINT_PRECOMMIT=/path/to/pre-commit` (`.ci/run` installs it
//! in a venv). Without it the test is SKIPPED and says so on the terminal.
//!
//! `try-repo` builds the hook the way every user gets it: `cargo install --bins --path .`
//! from a clone. To keep that to one dependency build per machine, the build shares
//! `<target>/pre-commit-hook` (`CARGO_TARGET_DIR`, which `cargo install --path` honours)
//! and skips optimisation (`CARGO_PROFILE_RELEASE_OPT_LEVEL=0`): the hook's plumbing is
//! under test here, not the optimiser.

mod ux;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use ux::{CLEAN, NO_SSLMODE};

/// A pooled Neon URL, clean otherwise.
const POOLED: &str = "postgresql://app@ep-quiet-lake-a1b2c3d4-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require";

/// Prints past the test harness's capture, so a skip is visible in `cargo test` output.
fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=neon-lint test",
            "-c",
            "user.email=test@example.invalid",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// This working tree (tracked and new, not ignored, files) committed into a fresh
/// repository: what the lead would commit. `try-repo` on the real checkout would only see
/// committed and modified tracked files, not new ones such as `.pre-commit-hooks.yaml`.
fn snapshot_checkout(into: &Path) {
    let root = ux::repo_root();
    let list = git(
        root,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    std::fs::create_dir_all(into).expect("mkdir");
    let mut n = 0;
    for rel in list.split('\0').filter(|s| !s.is_empty()) {
        let src = root.join(rel);
        let meta = match std::fs::symlink_metadata(&src) {
            Ok(m) if m.is_file() => m,
            _ => continue, // deleted in the work tree, or a link/submodule
        };
        let dst = into.join(rel);
        std::fs::create_dir_all(dst.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&src, &dst).expect("copy");
        std::fs::set_permissions(&dst, meta.permissions()).expect("chmod");
        n += 1;
    }
    assert!(
        into.join(".pre-commit-hooks.yaml").is_file(),
        "no .pre-commit-hooks.yaml at the root"
    );
    git(into, &["init", "-q"]);
    git(into, &["add", "-A"]);
    git(into, &["commit", "-qm", &format!("snapshot of {n} files")]);
}

fn target_dir() -> PathBuf {
    // <target>/debug/neon-lint
    let bin = Path::new(ux::bin());
    bin.ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| ux::repo_root().join("target"))
}

struct Run {
    code: i32,
    output: String,
    seconds: f64,
}

fn try_repo(pre_commit: &Path, checkout: &Path, work: &Path, home: &Path) -> Run {
    try_repo_on(pre_commit, checkout, work, home, ".env")
}

fn try_repo_on(pre_commit: &Path, checkout: &Path, work: &Path, home: &Path, file: &str) -> Run {
    let started = Instant::now();
    let out = Command::new(pre_commit)
        .arg("try-repo")
        .arg(checkout)
        .args(["neon-lint", "--files", file, "--color", "never"])
        .current_dir(work)
        .env("PRE_COMMIT_HOME", home)
        .env("CARGO_TARGET_DIR", target_dir().join("pre-commit-hook"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false")
        .env("CARGO_TERM_COLOR", "never")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .output()
        .expect("run pre-commit");
    Run {
        code: out.status.code().unwrap_or(-1),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// The `pre-commit` to run, or `None` (and a SKIP line naming `test`) without one.
fn pre_commit_or_skip(test: &str) -> Option<PathBuf> {
    let Some(pre_commit) = std::env::var_os("NEON_LINT_PRECOMMIT").map(PathBuf::from) else {
        say(&format!(
            "SKIPPED {test}: NEON_LINT_PRECOMMIT is not set (point it at a `pre-commit` from \
             PyPI, as .ci/run does)"
        ));
        return None;
    };
    let version = Command::new(&pre_commit).arg("--version").output();
    assert!(
        version.as_ref().is_ok_and(|o| o.status.success()),
        "NEON_LINT_PRECOMMIT={} does not run: {version:?}",
        pre_commit.display()
    );
    Some(pre_commit)
}

#[test]
fn pre_commit_try_repo_fails_on_a_bad_env_and_passes_on_a_clean_one() {
    let Some(pre_commit) =
        pre_commit_or_skip("pre_commit_try_repo_fails_on_a_bad_env_and_passes_on_a_clean_one")
    else {
        return;
    };

    let tmp = tempfile::tempdir().expect("tempdir");
    let checkout = tmp.path().join("checkout");
    let work = tmp.path().join("work");
    snapshot_checkout(&checkout);
    std::fs::create_dir_all(&work).expect("mkdir");
    git(&work, &["init", "-q"]);

    // A bad `.env`, staged (a committed `.env` is exactly what the hook must stop).
    std::fs::write(
        work.join(".env"),
        format!("# app\nDATABASE_URL={NO_SSLMODE}\n"),
    )
    .expect("write");
    git(&work, &["add", ".env"]);
    let bad = try_repo(&pre_commit, &checkout, &work, &tmp.path().join("home-1"));
    say(&format!(
        "pre-commit try-repo (bad .env): exit {} in {:.0} s",
        bad.code, bad.seconds
    ));
    assert_eq!(
        bad.code, 1,
        "the hook fails on the bad .env\n{}",
        bad.output
    );
    assert!(bad.output.contains("Failed"), "{}", bad.output);
    assert!(
        bad.output.contains("NL001") && bad.output.contains("missing-sslmode"),
        "neon-lint's report is shown\n{}",
        bad.output
    );
    assert!(bad.output.contains(".env:2:"), "{}", bad.output);

    // The same file, fixed and staged.
    std::fs::write(work.join(".env"), format!("# app\nDATABASE_URL={CLEAN}\n")).expect("write");
    git(&work, &["add", ".env"]);
    let clean = try_repo(&pre_commit, &checkout, &work, &tmp.path().join("home-2"));
    say(&format!(
        "pre-commit try-repo (clean .env): exit {} in {:.0} s",
        clean.code, clean.seconds
    ));
    assert_eq!(
        clean.code, 0,
        "the hook passes on the clean .env\n{}",
        clean.output
    );
    assert!(clean.output.contains("Passed"), "{}", clean.output);
    assert!(
        clean.output.contains("no problems found (1 file scanned)"),
        "the hook says what it scanned, even when it passes\n{}",
        clean.output
    );
}

/// One staged Rust file, whose pool reads `DATABASE_URL` from the untracked `.env` beside the
/// crate: the hook reads that context and reports the pooled migrations in the staged file.
#[test]
fn pre_commit_judges_a_staged_source_with_the_untracked_env_beside_it() {
    let Some(pre_commit) =
        pre_commit_or_skip("pre_commit_judges_a_staged_source_with_the_untracked_env_beside_it")
    else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let checkout = tmp.path().join("checkout");
    let work = tmp.path().join("work");
    snapshot_checkout(&checkout);
    std::fs::create_dir_all(work.join("src")).expect("mkdir");
    git(&work, &["init", "-q"]);
    let files = [
        (".gitignore", ".env\n".to_string()),
        (
            "Cargo.toml",
            "[package]\nname = \"api\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
             [dependencies]\nsqlx = { version = \"0.8\", features = [\"runtime-tokio\", \
             \"tls-rustls\", \"postgres\", \"migrate\"] }\n"
                .to_string(),
        ),
        (
            "src/main.rs",
            "use sqlx::postgres::PgPoolOptions;\n\n#[tokio::main]\n\
             async fn main() -> Result<(), Box<dyn std::error::Error>> {\n    \
             let url = std::env::var(\"DATABASE_URL\")?;\n    \
             let pool = PgPoolOptions::new().connect(&url).await?;\n    \
             sqlx::migrate!().run(&pool).await?;\n    Ok(())\n}\n"
                .to_string(),
        ),
        (".env", format!("DATABASE_URL={POOLED}\n")),
    ];
    for (name, text) in &files {
        std::fs::write(work.join(name), text).expect("write");
    }
    git(&work, &["add", ".gitignore", "Cargo.toml", "src/main.rs"]);
    let run = try_repo_on(
        &pre_commit,
        &checkout,
        &work,
        &tmp.path().join("home"),
        "src/main.rs",
    );
    say(&format!(
        "pre-commit try-repo (staged src/main.rs, untracked .env): exit {} in {:.0} s",
        run.code, run.seconds
    ));
    assert_eq!(
        run.code, 1,
        "the hook fails on the staged file\n{}",
        run.output
    );
    assert!(
        run.output.contains("NL020") && run.output.contains("pooled-migration-url"),
        "the cross-file finding is reported\n{}",
        run.output
    );
    assert!(run.output.contains("src/main.rs:7:"), "{}", run.output);
    assert!(
        run.output.contains("(1 file scanned)"),
        "only the staged file counts as scanned\n{}",
        run.output
    );
    // The `.env` is context, not reported on (its own run would judge it).
    assert!(!run.output.contains(".env:1:"), "{}", run.output);
}
