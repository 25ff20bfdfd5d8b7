//! The user's view (issue 12): every fixture project under `tests/fixtures/` linted by the
//! built binary in the human format, compared with a reviewed snapshot of what it printed
//! (`tests/snapshots/snapshots__<family>__<project>.snap`). The other end-to-end tests pin
//! (code, path, line); these pin the wording, the carets and labels, the help and the
//! summary, as a reader meets them. A snapshot diff is read like a change to the output.
//!
//! A project is a folder directly under `tests/fixtures/` that holds files of its own
//! (`foundation`, `monorepo`: nested projects are linted as one tree, as the other tests
//! do), or else each folder of such a family folder (`js/node-pg`, `rust/workspace`,
//! `js/cloudflare-worker` with its four workers).
//!
//! The run is `neon-lint --color never --format human .` inside the project: relative
//! paths, no colour (and `NO_COLOR`), stdin closed, nothing from the environment that
//! changes the output (`NEON_LINT_TIMINGS`). Every project is run twice and the two runs
//! must agree, so an unstable order fails here, by name, rather than as a snapshot diff.
//! Some findings depend on git (`.env` tracked by git): the fixtures are committed, so a
//! snapshot of a new fixture is taken after `git add`.
//!
//! Update after an intended change: `INSTA_UPDATE=always cargo test --test snapshots`
//! (or `cargo insta test` then `cargo insta review`), then read the diff. Under `CI=true`
//! insta writes nothing and a difference fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::Output;

/// The arguments of every run (in the project's folder).
const ARGS: [&str; 5] = ["--color", "never", "--format", "human", "."];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn has_files(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .expect("read fixture folder")
        .flatten()
        .any(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
}

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read fixture folder")
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    dirs
}

/// The project folders, relative to `tests/fixtures/` with `/` (`js/node-pg`), sorted.
fn projects() -> Vec<String> {
    let root = fixtures();
    let mut out = Vec::new();
    for top in subdirs(&root) {
        let dirs = if has_files(&top) {
            vec![top]
        } else {
            subdirs(&top)
        };
        for d in dirs {
            let rel = d.strip_prefix(&root).expect("under fixtures");
            let parts: Vec<_> = rel.iter().map(|c| c.to_string_lossy()).collect();
            out.push(parts.join("/"));
        }
    }
    out
}

/// The snapshot's name for a project: its path with `__` for `/` (insta's file name).
fn snapshot_name(project: &str) -> String {
    project.replace('/', "__")
}

fn lint(dir: &Path) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_neon-lint"))
        .args(ARGS)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("NEON_LINT_TIMINGS")
        .env_remove("NEON_LINT_PROGRESS_DELAY_MS")
        .stdin(Stdio::null())
        .output()
        .expect("run neon-lint");
    Output {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// What the snapshot holds: the exit status, stdout, and stderr when there is any, with
/// the checkout's absolute path (should one ever be printed) replaced by `[REPO]`.
fn rendering(out: &Output) -> String {
    let mut s = format!("exit status: {}\n", out.code);
    s.push_str("--- stdout\n");
    s.push_str(&out.stdout);
    if !out.stderr.is_empty() {
        s.push_str("--- stderr\n");
        s.push_str(&out.stderr);
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut roots = vec![repo.to_path_buf()];
    if let Ok(canonical) = repo.canonicalize() {
        roots.insert(0, canonical);
    }
    for r in roots {
        s = s.replace(&*r.to_string_lossy(), "[REPO]");
    }
    s
}

#[test]
fn every_fixture_project_renders_as_its_reviewed_snapshot() {
    let projects = projects();
    assert!(projects.len() > 50, "{projects:?}");
    let mut failed = Vec::new();
    for project in &projects {
        let dir = fixtures().join(project);
        let first = rendering(&lint(&dir));
        let second = rendering(&lint(&dir));
        if first != second {
            failed.push(format!(
                "{project}: two runs printed different output\n{first}\n=====\n{second}"
            ));
            continue;
        }
        let mut settings = insta::Settings::clone_current();
        settings.set_description(format!(
            "neon-lint {} (in tests/fixtures/{project})",
            ARGS.join(" ")
        ));
        settings.set_omit_expression(true);
        // Every project is compared (and, outside CI, every `.snap.new` written) before
        // the test fails, not only the first that differs.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            settings.bind(|| insta::assert_snapshot!(snapshot_name(project), first));
        }));
        if result.is_err() {
            failed.push(format!("{project}: differs from its snapshot (diff above)"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} fixture projects:\n{}\nIf the change is intended: \
         `INSTA_UPDATE=always cargo test --test snapshots` (or `cargo insta review`), \
         then read the diff.",
        failed.len(),
        projects.len(),
        failed.join("\n")
    );
}

#[test]
fn every_snapshot_belongs_to_a_fixture_project() {
    // A fixture removed or renamed leaves its snapshot behind, compared with nothing.
    let want: Vec<String> = projects()
        .iter()
        .map(|p| format!("snapshots__{}.snap", snapshot_name(p)))
        .collect();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut stale = Vec::new();
    // No folder yet: no snapshot at all, which the other test reports.
    for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("snapshots__") && name.ends_with(".snap") && !want.contains(&name) {
            stale.push(name);
        }
    }
    stale.sort();
    assert!(
        stale.is_empty(),
        "snapshots of no fixture project (remove them): {stale:?}"
    );
}
