//! The scanned repository as an attacker, and git's data as input (issue 18, items 9 and
//! 12): neon-lint learns what git tracks and ignores without running git, so a hostile
//! `.git/config` executes nothing, and any number of `.env` files costs one index read.
//! The answers are checked against the real `git` (run by the test, in repositories it
//! made) over index versions 2 to 4, SHA-256, split indexes, worktrees and `.git` files.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// A `.env` line with a Neon password (verify-full, so that only the git rule is at stake).
const ENV: &str = "DATABASE_URL=postgresql://app:Xk9vQ2mLp7RtZ4@ep-cool-name-123456.us-east-2.aws.neon.tech/neondb?sslmode=verify-full\n";

/// What neon-lint says about a `.env` file, in committed-env-file's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Tracked,
    NotIgnored,
    /// No finding: ignored and untracked.
    Silent,
}

/// Runs git in `dir`, isolated from the machine's own configuration.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_cmd(dir, args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} in {}: {}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn git_cmd(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.args(["-c", "user.name=neon-lint test"])
        .args(["-c", "user.email=test@example.invalid"])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(["-c", "protocol.file.allow=always"])
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        // No user-wide ignore file either (`$XDG_CONFIG_HOME/git/ignore`).
        .env("XDG_CONFIG_HOME", dir)
        .env("HOME", dir)
        .stdin(Stdio::null());
    cmd
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// A fresh repository at `dir` (made by `git init ARGS`).
fn init(dir: &Path, args: &[&str]) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let mut all = vec!["init", "-q"];
    all.extend(args);
    git(dir, &all);
}

/// A run's output, or a failure if it has not ended within `limit` (then it is killed).
fn run_bounded(dir: &Path, args: &[&str], limit: Duration) -> common::Output {
    common::run_watched(args, dir, limit)
}

/// committed-env-file's verdict on every `.env` file of a JSON run over `dir` (keyed by
/// path relative to `dir`); files without a finding are absent.
fn verdicts(dir: &Path) -> (BTreeMap<String, Verdict>, common::Output) {
    let out = run_bounded(dir, &["--format", "json", "."], Duration::from_secs(120));
    assert_ne!(out.code, 101, "panic: {}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "panic: {}", out.stderr);
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}\n{}", out.stdout, out.stderr));
    let mut got = BTreeMap::new();
    for d in v.as_array().expect("array") {
        if d["code"] != "NL061" {
            continue;
        }
        let message = d["message"].as_str().unwrap_or("");
        let verdict = if message.contains("tracked by git") {
            Verdict::Tracked
        } else if message.contains("not ignored by git") {
            Verdict::NotIgnored
        } else {
            panic!("unexpected NL061 message: {message}");
        };
        got.insert(d["path"].as_str().unwrap_or("").to_string(), verdict);
    }
    (got, out)
}

/// What real git says of `files` (relative to `repo`): tracked, else ignored, else not.
fn git_verdicts(repo: &Path, files: &[&str]) -> BTreeMap<String, Verdict> {
    let mut ls = vec!["ls-files", "-z", "--"];
    ls.extend(files);
    let listed = git(repo, &ls);
    let tracked: Vec<&str> = listed.split('\0').filter(|s| !s.is_empty()).collect();
    let mut ci = vec!["check-ignore", "--"];
    ci.extend(files);
    let out = git_cmd(repo, &ci).output().expect("git check-ignore");
    // Exit 1 means "none ignored": not a failure.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "git check-ignore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    let ignored: Vec<&str> = listed.lines().collect();
    files
        .iter()
        .map(|f| {
            let v = if tracked.contains(f) {
                Verdict::Tracked
            } else if ignored.contains(f) {
                Verdict::Silent
            } else {
                Verdict::NotIgnored
            };
            (f.to_string(), v)
        })
        .collect()
}

/// neon-lint's verdicts over `repo` equal git's on `files`, and `want` (so that the
/// comparison cannot pass on a case the test failed to build).
fn assert_agrees_with_git(repo: &Path, files: &[&str], want: &[(&str, Verdict)]) {
    let (got, out) = verdicts(repo);
    let mut expected = git_verdicts(repo, files);
    for (f, v) in want {
        assert_eq!(
            expected.get(*f),
            Some(v),
            "git's verdict on {f} is not the test's"
        );
    }
    expected.retain(|_, v| *v != Verdict::Silent);
    assert_eq!(got, expected, "neon-lint vs git\nstderr: {}", out.stderr);
}

/// A script that records that it ran, then passes its input through (as a filter would).
fn marker_script(dir: &Path, marker: &Path) -> PathBuf {
    let script = dir.join("evil.sh");
    write(
        &script,
        &format!("#!/bin/sh\necho \"$0 $*\" >> '{}'\ncat\n", marker.display()),
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    script
}

#[test]
fn a_hostile_git_config_executes_nothing_and_the_facts_stay_right() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    init(&repo, &[]);
    write(&repo.join(".gitignore"), "ignored/\n");
    write(&repo.join(".gitattributes"), "* filter=x diff=x\n");
    write(&repo.join("tracked/.env"), ENV);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);
    write(&repo.join("loose/.env"), ENV);
    write(&repo.join("ignored/.env"), ENV);

    // Only now the attack, so that the set-up's own git calls do not trip it.
    let marker = tmp.path().join("executed");
    let evil = marker_script(tmp.path(), &marker);
    let evil = evil.display();
    let hooks = tmp.path().join("hooks");
    for hook in [
        "pre-commit",
        "post-checkout",
        "post-index-change",
        "reference-transaction",
        "fsmonitor-watchman",
        "pre-auto-gc",
    ] {
        write(&hooks.join(hook), &format!("#!/bin/sh\n{evil}\n"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(hooks.join(hook), std::fs::Permissions::from_mode(0o755))
                .expect("chmod");
        }
    }
    let included = tmp.path().join("included.cfg");
    write(&included, &format!("[core]\n\tfsmonitor = {evil}\n"));
    let config = repo.join(".git/config");
    let mut text = std::fs::read_to_string(&config).expect("config");
    text.push_str(&format!(
        "[core]\n\tfsmonitor = {evil}\n\thooksPath = {hooks}\n\tsshCommand = {evil}\n\
         \tpager = {evil}\n\teditor = {evil}\n\taskPass = {evil}\n\
         [diff]\n\texternal = {evil}\n[diff \"x\"]\n\ttextconv = {evil}\n\
         [filter \"x\"]\n\tclean = {evil}\n\tsmudge = {evil}\n\tprocess = {evil}\n\
         [uploadpack]\n\tpackObjectsHook = {evil}\n[credential]\n\thelper = !{evil}\n\
         [gpg]\n\tprogram = {evil}\n[include]\n\tpath = {included}\n",
        hooks = hooks.display(),
        included = included.display(),
    ));
    std::fs::write(&config, text).expect("config");

    let (got, out) = verdicts(&repo);
    assert!(
        !marker.exists(),
        "neon-lint ran the repository's configuration: {}",
        std::fs::read_to_string(&marker).unwrap_or_default()
    );
    let want: BTreeMap<String, Verdict> = [
        ("tracked/.env".to_string(), Verdict::Tracked),
        ("loose/.env".to_string(), Verdict::NotIgnored),
    ]
    .into();
    assert_eq!(got, want, "stderr: {}", out.stderr);

    // The attack is real: git itself runs it on an ordinary command.
    let _ = git_cmd(&repo, &["status", "--porcelain"]).output();
    assert!(marker.exists(), "the test's attack did not arm");
}

/// The ignore rules' precedence, in one repository: deeper `.gitignore` files win, a
/// file in an ignored folder stays ignored, `info/exclude` counts, tracked beats ignored.
fn precedence_repo(repo: &Path, init_args: &[&str]) -> Vec<&'static str> {
    init(repo, init_args);
    write(
        &repo.join(".gitignore"),
        "deep/\n!deep/.env\nnested/**/.env\nforced/.env\n",
    );
    write(&repo.join("nested/keep/.gitignore"), "!.env\n");
    write(&repo.join("plain/.env"), ENV);
    write(&repo.join("forced/.env"), ENV);
    git(repo, &["add", "-A"]);
    git(repo, &["add", "-f", "forced/.env"]);
    git(repo, &["commit", "-qm", "init"]);
    write(&repo.join(".env"), ENV);
    write(&repo.join("deep/.env"), ENV);
    write(&repo.join("nested/a/.env"), ENV);
    write(&repo.join("nested/keep/.env"), ENV);
    write(&repo.join("excluded/.env"), ENV);
    let exclude = git(repo, &["rev-parse", "--git-path", "info/exclude"]);
    let exclude = repo.join(exclude.trim());
    write(&exclude, "excluded/.env\n");
    vec![
        ".env",
        "plain/.env",
        "forced/.env",
        "deep/.env",
        "nested/a/.env",
        "nested/keep/.env",
        "excluded/.env",
    ]
}

const PRECEDENCE_WANT: &[(&str, Verdict)] = &[
    (".env", Verdict::NotIgnored),
    ("plain/.env", Verdict::Tracked),
    ("forced/.env", Verdict::Tracked),
    ("deep/.env", Verdict::Silent),
    ("nested/a/.env", Verdict::Silent),
    ("nested/keep/.env", Verdict::NotIgnored),
    ("excluded/.env", Verdict::Silent),
];

#[test]
fn tracked_and_ignored_agree_with_git() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    let files = precedence_repo(&repo, &[]);
    assert_agrees_with_git(&repo, &files, PRECEDENCE_WANT);
}

#[test]
fn sha256_repositories_are_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    let files = precedence_repo(&repo, &["--object-format=sha256"]);
    assert_agrees_with_git(&repo, &files, PRECEDENCE_WANT);
}

#[test]
fn index_version_4_path_compression_is_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    init(&repo, &[]);
    // Names that share prefixes of every length, and a long one (over 0xFFF bytes would
    // need a deep tree; 200 bytes exercises multi-byte varints on the way back).
    let long = format!("{}/.env", "x".repeat(200));
    let tracked = [
        "a/.env",
        "a/b/.env",
        "a/b/c/.env",
        "ab/.env",
        "b/.env",
        &long,
    ];
    for f in tracked {
        write(&repo.join(f), ENV);
        write(&repo.join(f.replace(".env", "z.txt")), "filler\n");
    }
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);
    git(&repo, &["update-index", "--index-version", "4"]);
    let index = std::fs::read(repo.join(".git/index")).expect("index");
    assert_eq!(&index[4..8], &[0, 0, 0, 4], "not a version 4 index");
    write(&repo.join("a/b/c/d/.env"), ENV);
    let mut files: Vec<&str> = tracked.to_vec();
    files.push("a/b/c/d/.env");
    let mut want: Vec<(&str, Verdict)> = tracked.iter().map(|f| (*f, Verdict::Tracked)).collect();
    want.push(("a/b/c/d/.env", Verdict::NotIgnored));
    assert_agrees_with_git(&repo, &files, &want);
}

#[test]
fn index_version_3_extended_flags_are_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    init(&repo, &[]);
    write(&repo.join("a/.env"), ENV);
    write(&repo.join("b/.env"), ENV);
    git(&repo, &["add", "a/.env"]);
    git(&repo, &["commit", "-qm", "init"]);
    // `add -N` (intent to add) is an extended flag: git writes version 3 for it.
    write(&repo.join("c/.env"), ENV);
    git(&repo, &["add", "-N", "c/.env"]);
    let index = std::fs::read(repo.join(".git/index")).expect("index");
    assert_eq!(&index[4..8], &[0, 0, 0, 3], "not a version 3 index");
    assert_agrees_with_git(
        &repo,
        &["a/.env", "b/.env", "c/.env"],
        &[
            ("a/.env", Verdict::Tracked),
            ("b/.env", Verdict::NotIgnored),
            ("c/.env", Verdict::Tracked),
        ],
    );
}

#[test]
fn a_split_index_is_read_with_its_shared_index_and_deletions() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    init(&repo, &[]);
    git(&repo, &["config", "core.splitIndex", "true"]);
    // Many entries, so that a small change stays in the split part (maxPercentChange).
    for i in 0..40 {
        write(&repo.join(format!("filler/{i}.txt")), "x\n");
    }
    write(&repo.join("kept/.env"), ENV);
    write(&repo.join("removed/.env"), ENV);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);
    // Rewrites the shared index; then the changes below live in the split index only.
    git(&repo, &["update-index", "--split-index"]);
    write(&repo.join("added/.env"), ENV);
    git(&repo, &["add", "added/.env"]);
    git(&repo, &["rm", "-q", "--cached", "removed/.env"]);
    let shared = std::fs::read_dir(repo.join(".git"))
        .expect("ls .git")
        .flatten()
        .any(|e| e.file_name().to_string_lossy().starts_with("sharedindex."));
    assert!(shared, "no shared index: the split index is not in use");
    assert_agrees_with_git(
        &repo,
        &["kept/.env", "removed/.env", "added/.env"],
        &[
            ("kept/.env", Verdict::Tracked),
            ("removed/.env", Verdict::NotIgnored),
            ("added/.env", Verdict::Tracked),
        ],
    );
}

#[test]
fn a_worktree_reads_its_own_index_and_the_shared_exclude() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let main = tmp.path().join("main");
    init(&main, &[]);
    write(&main.join("app/.env"), ENV);
    git(&main, &["add", "-A"]);
    git(&main, &["commit", "-qm", "init"]);
    let wt = tmp.path().join("wt");
    git(
        &main,
        &[
            "worktree",
            "add",
            "-q",
            "-b",
            "other",
            wt.to_str().expect("utf-8"),
        ],
    );
    assert!(wt.join(".git").is_file(), "a worktree's .git is a file");
    write(&main.join(".git/info/exclude"), "excluded/.env\n");
    write(&wt.join("excluded/.env"), ENV);
    write(&wt.join("staged/.env"), ENV);
    git(&wt, &["add", "staged/.env"]);
    write(&wt.join("loose/.env"), ENV);
    assert_agrees_with_git(
        &wt,
        &["app/.env", "excluded/.env", "staged/.env", "loose/.env"],
        &[
            ("app/.env", Verdict::Tracked),
            ("excluded/.env", Verdict::Silent),
            ("staged/.env", Verdict::Tracked),
            ("loose/.env", Verdict::NotIgnored),
        ],
    );
}

#[test]
fn a_dot_git_file_with_a_relative_gitdir_is_followed() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("sub");
    let store = tmp.path().join("store/sub.git");
    init(&repo, &[]);
    write(&repo.join("cfg/.env"), ENV);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);
    // As `git submodule absorbgitdirs` leaves it: the data elsewhere, a pointer here.
    std::fs::create_dir_all(store.parent().expect("parent")).expect("mkdir");
    std::fs::rename(repo.join(".git"), &store).expect("move .git");
    write(&repo.join(".git"), "gitdir: ../store/sub.git\n");
    write(&repo.join("new/.env"), ENV);
    assert_agrees_with_git(
        &repo,
        &["cfg/.env", "new/.env"],
        &[
            ("cfg/.env", Verdict::Tracked),
            ("new/.env", Verdict::NotIgnored),
        ],
    );
}

#[test]
fn a_submodule_answers_for_its_own_files() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let lib = tmp.path().join("lib");
    init(&lib, &[]);
    write(&lib.join(".env"), ENV);
    git(&lib, &["add", "-A"]);
    git(&lib, &["commit", "-qm", "lib"]);
    let app = tmp.path().join("app");
    init(&app, &[]);
    write(&app.join(".gitignore"), ".env\n");
    git(&app, &["add", "-A"]);
    git(&app, &["commit", "-qm", "app"]);
    let url = lib.to_str().expect("utf-8");
    git(&app, &["submodule", "add", "-q", url, "vendor/lib"]);
    git(&app, &["commit", "-qm", "submodule"]);
    write(&app.join(".env"), ENV);
    // The app ignores `.env` everywhere, but the submodule tracks its own.
    let (got, out) = verdicts(&app);
    let want: BTreeMap<String, Verdict> =
        [("vendor/lib/.env".to_string(), Verdict::Tracked)].into();
    assert_eq!(got, want, "stderr: {}", out.stderr);
    let sub = app.join("vendor/lib");
    assert_eq!(git_verdicts(&sub, &[".env"])[".env"], Verdict::Tracked);
}

#[test]
fn ten_thousand_ignored_env_files_end_and_report_nothing() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    init(&repo, &[]);
    write(&repo.join(".gitignore"), "*.env\n");
    write(&repo.join("tracked.env"), ENV);
    git(&repo, &["add", "-f", "tracked.env"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);
    // Long enough names that git's answer overflows a pipe before its question is sent;
    // 100 folders of 100 files, so that making them stays cheap on a busy machine.
    for group in 0..100 {
        let dir = repo.join(format!("packages/group-{group:02}"));
        std::fs::create_dir_all(&dir).expect("mkdir");
        for i in 0..100 {
            let name = format!("service-{:05}-production.env", group * 100 + i);
            std::fs::write(dir.join(name), ENV).expect("write");
        }
    }
    let (got, out) = verdicts(&repo);
    let want: BTreeMap<String, Verdict> = [("tracked.env".to_string(), Verdict::Tracked)].into();
    assert_eq!(got, want, "stderr: {}", out.stderr);
}

/// A repository with a tracked `.env`, whose index `spoil` then damages.
fn damaged_index(spoil: impl FnOnce(&Path)) -> (tempfile::TempDir, common::Output) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let repo = tmp.path().join("repo");
    init(&repo, &[]);
    for i in 0..20 {
        write(&repo.join(format!("pkg{i}/.env")), ENV);
    }
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-qm", "init"]);
    spoil(&repo.join(".git/index"));
    let (got, out) = verdicts(&repo);
    // Tracked state unknown: reported as not ignored (the ignore rules are still read).
    assert_eq!(got.len(), 20, "{got:?}\nstderr: {}", out.stderr);
    assert!(got.values().all(|v| *v == Verdict::NotIgnored), "{got:?}");
    (tmp, out)
}

fn assert_index_note(out: &common::Output, why: &str) {
    assert!(
        out.stderr.contains(".git/index") && out.stderr.contains(why),
        "no note naming the index and `{why}`: {}",
        out.stderr
    );
    assert!(
        out.stderr.contains("unknown"),
        "the note does not say the tracked state is unknown: {}",
        out.stderr
    );
}

#[test]
fn a_truncated_index_gives_a_note_not_a_panic() {
    let (_tmp, out) = damaged_index(|index| {
        let bytes = std::fs::read(index).expect("index");
        std::fs::write(index, &bytes[..bytes.len() / 2]).expect("truncate");
    });
    assert_index_note(&out, "truncated");
}

#[test]
fn a_garbled_index_gives_a_note_not_a_panic() {
    let (_tmp, out) = damaged_index(|index| {
        let mut bytes = std::fs::read(index).expect("index");
        // Keep the header, scribble over the entries' names and padding.
        for b in bytes.iter_mut().skip(12 + 62) {
            *b = 0xff;
        }
        std::fs::write(index, &bytes).expect("scribble");
    });
    assert_index_note(&out, "index");
    let (_tmp, out) = damaged_index(|index| std::fs::write(index, b"NOPE").expect("write"));
    assert_index_note(&out, "index");
}

#[cfg(unix)]
#[test]
fn an_index_that_is_a_fifo_or_a_device_is_not_read() {
    let (_tmp, out) = damaged_index(|index| {
        std::fs::remove_file(index).expect("rm index");
        let ok = Command::new("mkfifo")
            .arg(index)
            .status()
            .expect("mkfifo")
            .success();
        assert!(ok, "mkfifo");
    });
    assert_index_note(&out, "not a regular file");
    let (_tmp, out) = damaged_index(|index| {
        std::fs::remove_file(index).expect("rm index");
        std::os::unix::fs::symlink("/dev/zero", index).expect("symlink");
    });
    assert_index_note(&out, "not a regular file");
}

#[test]
fn no_process_is_spawned_by_the_linter() {
    // The root fix for item 9: no `Command` anywhere in the linter's sources, so no
    // configuration of a scanned tree can ever be run through one.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("neon-lint/src");
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for ent in std::fs::read_dir(&dir).expect("read_dir").flatten() {
            let path = ent.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read");
                for (n, line) in text.lines().enumerate() {
                    let spawns = (line.contains("process::") && line.contains("Command"))
                        || line.contains("Command::new(\"");
                    assert!(!spawns, "{}:{}: {line}", path.display(), n + 1);
                }
            }
        }
    }
}

#[test]
fn outside_a_repository_gitignore_files_count_with_gits_precedence() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("tree");
    write(&dir.join(".gitignore"), ".env\nlocked/\n!locked/.env\n");
    write(&dir.join("sub/.gitignore"), "!.env\n");
    write(&dir.join(".env"), ENV);
    write(&dir.join("a/.env"), ENV);
    write(&dir.join("sub/.env"), ENV);
    write(&dir.join("locked/.env"), ENV);
    // Not a repository (a tempdir outside any work tree): the `.gitignore` files still
    // count, a deeper one re-includes, an ignored folder's files stay ignored.
    let (got, out) = verdicts(&dir);
    let want: BTreeMap<String, Verdict> = [("sub/.env".to_string(), Verdict::NotIgnored)].into();
    assert_eq!(got, want, "stderr: {}", out.stderr);
}
