//! The README's install, dependency and pre-commit snippets work as written, from a clone,
//! today (nothing is published yet). Each snippet sits after a `<!-- snippet: NAME -->`
//! marker and is taken from the README itself, not restated here.
//!
//! - `install`: `cargo install --locked --path .` needs a `Cargo.lock` that is up to date
//!   and a root package with both binaries (checked offline with `cargo metadata
//!   --locked`); the real install is `install_snippet_installs_both_binaries`, ignored by
//!   default (a release build) and run by `.ci/run`, sharing the pre-commit test's build.
//! - `neon-lint-macros-dependency`, `neon-lint-core-dependency`: a scratch crate beside a
//!   "clone" (a link to this checkout) with those lines, and the README's `check_url` and
//!   `neon_url!` examples as its programs, builds and runs offline.
//! - `pre-commit-config`: `rev:` is a commit of this repository whose tree has the hook,
//!   and pre-commit accepts the file (`validate-config`, when `NEON_LINT_PRECOMMIT` is set).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn readme() -> String {
    std::fs::read_to_string(root().join("README.md")).expect("README.md")
}

/// The code block after `<!-- snippet: NAME -->`.
fn snippet(name: &str) -> String {
    block_after(&readme(), &format!("<!-- snippet: {name} -->"))
}

/// The body of the first fenced block after `marker`.
fn block_after(text: &str, marker: &str) -> String {
    let at = text
        .find(marker)
        .unwrap_or_else(|| panic!("README.md has no `{marker}`"))
        + marker.len();
    let rest = &text[at..];
    let open = rest.find("```").expect("a code block");
    let body = &rest[open..];
    let body = &body[body.find('\n').expect("fence line") + 1..];
    let close = body.find("\n```").expect("closed code block");
    body[..=close].to_string()
}

/// The first ```rust block holding `needle`.
fn rust_example(needle: &str) -> String {
    let text = readme();
    let mut from = 0;
    while let Some(i) = text[from..].find("```rust\n") {
        let start = from + i;
        let body = block_after(&text[start..], "");
        if body.contains(needle) {
            return body;
        }
        from = start + 8;
    }
    panic!("no rust example with `{needle}` in README.md");
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    c.env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env("CARGO_TERM_COLOR", "never");
    c
}

/// `<target>` of this test build (`<target>/debug/neon-lint`).
fn target_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_neon-lint"))
        .ancestors()
        .nth(2)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root().join("target"))
}

fn repository_url() -> String {
    let manifest = std::fs::read_to_string(root().join("Cargo.toml")).expect("Cargo.toml");
    let line = manifest
        .lines()
        .find(|l| l.starts_with("repository = "))
        .expect("repository in Cargo.toml");
    line.trim_start_matches("repository = ")
        .trim_matches('"')
        .to_string()
}

fn run_ok(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn install_snippet_is_a_locked_install_of_both_binaries_from_a_clone() {
    let s = snippet("install");
    let lines: Vec<&str> = s
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .collect();
    assert_eq!(
        lines,
        [
            format!("git clone {}", repository_url()).as_str(),
            "cd neon-lint",
            "cargo install --locked --path ."
        ],
        "{s}"
    );
    // `--locked` fails when Cargo.lock would change: it must not.
    let meta = run_ok(
        cargo().current_dir(root()).args([
            "metadata",
            "--locked",
            "--offline",
            "--format-version",
            "1",
        ]),
        "cargo metadata --locked --offline",
    );
    let meta: serde_json::Value = serde_json::from_str(&meta).expect("metadata JSON");
    let root_id = meta["resolve"]["root"].as_str().expect("a root package");
    let package = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["id"] == root_id)
        .expect("root package");
    let mut bins: Vec<&str> = package["targets"]
        .as_array()
        .expect("targets")
        .iter()
        .filter(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.contains(&"bin".into()))
        })
        .filter_map(|t| t["name"].as_str())
        .collect();
    bins.sort();
    assert_eq!(bins, ["cargo-neon-lint", "neon-lint"]);
}

#[test]
#[ignore = "a release build of the CLI: .ci/run runs it after the pre-commit test, whose build it shares"]
fn install_snippet_installs_both_binaries() {
    let s = snippet("install");
    let command = s
        .lines()
        .find(|l| l.starts_with("cargo install"))
        .and_then(|l| l.split('#').next())
        .expect("an install line");
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut words = command.split_whitespace().skip(1);
    let mut cmd = cargo();
    cmd.args(words.by_ref())
        .arg("--root")
        .arg(tmp.path())
        .current_dir(root())
        // The pre-commit test's settings and target: one build serves both.
        .env("CARGO_TARGET_DIR", target_dir().join("pre-commit-hook"))
        .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .env("CARGO_PROFILE_RELEASE_DEBUG", "false");
    run_ok(&mut cmd, command);
    for bin in ["neon-lint", "cargo-neon-lint"] {
        assert!(
            tmp.path().join("bin").join(bin).is_file(),
            "{bin} installed"
        );
    }
    let version = run_ok(
        Command::new(tmp.path().join("bin/neon-lint")).arg("--version"),
        "neon-lint --version",
    );
    assert!(version.starts_with("neon-lint "), "{version}");
}

#[test]
fn dependency_snippets_build_and_run_the_readme_examples_offline() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // "A clone beside your crate": this checkout, linked as `../neon-lint`.
    #[cfg(unix)]
    std::os::unix::fs::symlink(root(), tmp.path().join("neon-lint")).expect("symlink");
    #[cfg(not(unix))]
    {
        say("SKIP: the scratch clone is a symbolic link (unix only)");
        return;
    }
    let app = tmp.path().join("app");
    std::fs::create_dir_all(app.join("src/bin")).expect("mkdir");
    let mut manifest =
        String::from("[package]\nname = \"app\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n");
    for name in ["neon-lint-macros-dependency", "neon-lint-core-dependency"] {
        let s = snippet(name);
        assert!(s.starts_with("[dependencies]\n"), "{name}: {s}");
        if !manifest.contains("[dependencies]") {
            manifest.push_str("[dependencies]\n");
        }
        manifest.push_str(&s["[dependencies]\n".len()..]);
    }
    std::fs::write(app.join("Cargo.toml"), &manifest).expect("write");
    std::fs::write(
        app.join("src/main.rs"),
        rust_example("fn check_database_url"),
    )
    .expect("write");
    let macro_example = rust_example("const DATABASE_URL: &str = neon_url!(");
    std::fs::write(
        app.join("src/bin/macro_url.rs"),
        format!("{macro_example}\nfn main() {{\n    println!(\"{{DATABASE_URL}}\");\n}}\n"),
    )
    .expect("write");
    let target = target_dir().join("readme-snippets");
    let run = |bin: &str| {
        run_ok(
            cargo()
                .current_dir(&app)
                .args(["run", "--offline", "--quiet", "--bin", bin])
                .env("CARGO_TARGET_DIR", &target)
                .env_remove("DATABASE_URL"),
            &format!("cargo run --bin {bin} with\n{manifest}"),
        )
    };
    run("app");
    let printed = run("macro_url");
    assert!(
        printed.contains("-pooler.us-east-2.aws.neon.tech"),
        "{printed}"
    );
}

#[test]
fn pre_commit_snippet_names_a_commit_that_has_the_hook() {
    let s = snippet("pre-commit-config");
    let value = |key: &str| -> String {
        s.lines()
            .find_map(|l| l.trim().trim_start_matches("- ").strip_prefix(key))
            .map(|v| v.split('#').next().unwrap_or("").trim().to_string())
            .unwrap_or_else(|| panic!("no `{key}` in\n{s}"))
    };
    assert_eq!(value("repo: "), repository_url());
    assert_eq!(value("id: "), "neon-lint");
    let rev = value("rev: ");
    assert!(
        rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit()),
        "rev is a full commit sha while no tag exists: {rev}"
    );
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(root())
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    if git(&["rev-parse", "--git-dir"]).is_none() {
        say("SKIP: pre-commit rev check: this checkout has no git history");
    } else {
        assert_eq!(
            git(&["cat-file", "-t", &rev]).as_deref().map(str::trim),
            Some("commit"),
            "rev {rev} is not a commit of this repository (rebased away?)"
        );
        let hooks = git(&["show", &format!("{rev}:.pre-commit-hooks.yaml")])
            .expect("the commit has .pre-commit-hooks.yaml");
        assert!(hooks.contains("- id: neon-lint"), "{hooks}");
        assert!(
            git(&["merge-base", "--is-ancestor", &rev, "HEAD"]).is_some(),
            "rev {rev} is not in the history of HEAD"
        );
    }
    let Some(pre_commit) = std::env::var_os("NEON_LINT_PRECOMMIT") else {
        say("SKIP: pre-commit validate-config: NEON_LINT_PRECOMMIT is not set");
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = tmp.path().join(".pre-commit-config.yaml");
    std::fs::write(&config, &s).expect("write");
    run_ok(
        Command::new(&pre_commit)
            .arg("validate-config")
            .arg(&config),
        "pre-commit validate-config",
    );
}
