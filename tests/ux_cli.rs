//! CLI conventions borrowed from ruff and clippy (issue 16, item 5): `--exit-zero`,
//! `--statistics`, `-q`, linting standard input with `--stdin-filename`, `per-file-ignores`
//! and `extend` in configuration, "did you mean" on rule names, shell completions and the
//! man page.

mod ux;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use ux::{bin, Out, Project, CANARY, CLEAN, NO_SSLMODE, UNVERIFIED, WITH_PASSWORD, WRONG_PORT};

/// Runs `neon-lint ARGS` in `dir` with `input` on standard input.
fn run_stdin(dir: &Path, args: &[&str], input: &str) -> Out {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // A run that stops before reading (a usage error) closes the pipe: not a failure.
    let written = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes());
    if let Err(e) = written {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    let out = child.wait_with_output().expect("wait");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn errors_project() -> Project {
    Project::new(&[
        (
            "config/a.toml",
            &format!("[db]\nurl = \"{NO_SSLMODE}\"\nreplica = \"{NO_SSLMODE}/x\"\n"),
        ),
        ("config/b.toml", &format!("url = \"{WRONG_PORT}\"\n")),
    ])
}

#[test]
fn exit_zero_reports_but_succeeds_and_failures_still_exit_2() {
    let p = errors_project();
    let out = p.run(&["--exit-zero", "."]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("[NL001] Error"), "{}", out.all());
    let missing = p.run(&["--exit-zero", "no-such-dir"]);
    assert_eq!(missing.code, 2, "{}", missing.all());
    let usage = p.run(&["--exit-zero", "-D", "no-such-rule", "."]);
    assert_eq!(usage.code, 2, "{}", usage.all());
}

#[test]
fn statistics_count_each_rule_most_frequent_first() {
    let p = errors_project();
    let out = p.run(&["--statistics", "."]);
    assert_eq!(out.code, 1, "errors are still errors: {}", out.all());
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        ["2\tNL001\t[*] missing-sslmode", "1\tNL007\twrong-port"],
        "{}",
        out.all()
    );
    let json = p.run(&["--statistics", "--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect("json");
    assert_eq!(v[0]["code"], "NL001");
    assert_eq!(v[0]["count"], 2);
    assert_eq!(v[0]["fixable"], true);
    assert_eq!(v[1]["name"], "wrong-port");
    let zero = p.run(&["--statistics", "--exit-zero", "."]);
    assert_eq!(zero.code, 0);
}

#[test]
fn quiet_prints_the_findings_and_nothing_else() {
    let p = errors_project();
    let out = p.run(&["-q", "."]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.contains("[NL007] Warning"), "{}", out.all());
    assert!(!out.stdout.contains("found "), "{}", out.all());
    assert!(!out.stdout.contains("scanned"), "{}", out.all());
    assert!(out.stderr.is_empty(), "{}", out.all());
    let clean = Project::new(&[("a.toml", &format!("url = \"{CLEAN}\"\n"))]);
    let out = clean.run(&["--quiet", "."]);
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{}", out.all());
    let fixed = p.run(&["-q", "--fix", "."]);
    assert!(!fixed.stderr.contains("fixed"), "{}", fixed.all());
    assert!(
        p.read("config/a.toml").contains("sslmode=require"),
        "-q still fixes"
    );
}

#[test]
fn stdin_is_linted_as_the_named_file() {
    let p = Project::new(&[]);
    let out = run_stdin(
        p.path(),
        &["-", "--stdin-filename", "apps/api/.env", "--format", "json"],
        &format!("# api\nDATABASE_URL={NO_SSLMODE}\n"),
    );
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.findings()
            .contains(&("NL001".into(), "error".into(), "apps/api/.env".into(), 2)),
        "{}",
        out.all()
    );
    // `per-file-ignores` match the name, even of a file that does not exist.
    p.write(
        "neon-lint.toml",
        "[per-file-ignores]\n\"apps/**\" = [\"missing-sslmode\"]\n",
    );
    let ignored = run_stdin(
        p.path(),
        &["-", "--stdin-filename", "apps/api/.env", "--format", "json"],
        &format!("DATABASE_URL={NO_SSLMODE}\n"),
    );
    assert_eq!(ignored.codes(), Vec::<String>::new(), "{}", ignored.all());
    std::fs::remove_file(p.join("neon-lint.toml")).expect("rm");
    // The name decides the kind: Markdown is judged only by the secrets rules.
    let md = run_stdin(
        p.path(),
        &["-", "--stdin-filename", "notes.md", "--format", "json"],
        &format!("Connect with `{NO_SSLMODE}`.\n"),
    );
    assert_eq!(
        (md.code, md.codes()),
        (0, Vec::<String>::new()),
        "{}",
        md.all()
    );
}

#[test]
fn stdin_needs_a_name_and_goes_alone() {
    let p = Project::new(&[]);
    let out = run_stdin(p.path(), &["-"], "x\n");
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("--stdin-filename"), "{}", out.all());
    let mixed = run_stdin(p.path(), &["-", ".", "--stdin-filename", ".env"], "x\n");
    assert_eq!(mixed.code, 2, "{}", mixed.all());
    let stray = run_stdin(p.path(), &[".", "--stdin-filename", ".env"], "x\n");
    assert_eq!(stray.code, 2, "{}", stray.all());
}

#[test]
fn stdin_fix_prints_the_fixed_text_and_never_a_password() {
    let p = Project::new(&[]);
    let input = format!("# app\nDATABASE_URL={NO_SSLMODE}\nREPLICA_URL={WRONG_PORT}\n");
    let out = run_stdin(
        p.path(),
        &["-", "--stdin-filename", ".env", "--fix"],
        &input,
    );
    assert_eq!(
        out.stdout,
        format!("# app\nDATABASE_URL={NO_SSLMODE}?sslmode=require\nREPLICA_URL={WRONG_PORT}\n"),
        "{}",
        out.all()
    );
    // What is left (`wrong-port`, a warning) is reported on stderr; a warning exits 0.
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(
        out.stderr.contains("[NL007] Warning") && !out.stderr.contains("NL001"),
        "{}",
        out.all()
    );
    assert!(!p.join(".env").exists(), "nothing written");
    // Nothing to fix: the text comes back as it was.
    let same = run_stdin(
        p.path(),
        &["-", "--stdin-filename", ".env", "--fix"],
        "A=1\n",
    );
    assert_eq!(
        (same.code, same.stdout.as_str()),
        (0, "A=1\n"),
        "{}",
        same.all()
    );
    // A text with a password is never printed: refused, stdout empty, exit 2.
    let secret = format!("DATABASE_URL={WITH_PASSWORD}\n");
    let out = run_stdin(
        p.path(),
        &["-", "--stdin-filename", ".env", "--fix"],
        &secret,
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stdout.is_empty(), "{}", out.all());
    assert!(out.stderr.contains("holds a password"), "{}", out.all());
    assert!(!out.stderr.contains(CANARY), "{}", out.all());
    // Nor a text no rule looks at: echoed unchanged, it would still print the password.
    let note = format!("PGPASSWORD={CANARY}\n");
    let out = run_stdin(
        p.path(),
        &["-", "--stdin-filename", "notes.txt", "--fix"],
        &note,
    );
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(!out.stdout.contains(CANARY) && !out.stderr.contains(CANARY));
    // `--diff` on stdin shows the change, masked.
    let diff = run_stdin(
        p.path(),
        &["-", "--stdin-filename", ".env", "--diff"],
        &secret,
    );
    assert_eq!(diff.code, 1, "{}", diff.all());
    assert!(
        diff.stdout.contains("+DATABASE_URL=postgresql://app:****@"),
        "{}",
        diff.all()
    );
    assert!(!diff.stdout.contains(CANARY) && !diff.stderr.contains(CANARY));
}

#[test]
fn per_file_ignores_turn_rules_off_for_matching_files() {
    let p = errors_project();
    p.write(
        "neon-lint.toml",
        "[per-file-ignores]\n\"config/a.toml\" = [\"missing-sslmode\"]\n\"*.toml\" = [\"NL007\"]\n",
    );
    let out = p.run(&["--format", "json", "."]);
    assert_eq!(
        (out.code, out.codes()),
        (0, Vec::<String>::new()),
        "{}",
        out.all()
    );
    // A suppression comment that only covered an ignored finding is unused.
    p.write(
        "config/b.toml",
        &format!("url = \"{WRONG_PORT}\" # neon-lint: allow(wrong-port)\n"),
    );
    let out = p.run(&["--format", "json", "."]);
    assert_eq!(out.codes(), ["NL090"], "{}", out.all());
    // "all" and [tool.neon-lint] in pyproject.toml.
    let py = errors_project();
    py.write(
        "pyproject.toml",
        "[tool.neon-lint.per-file-ignores]\n\"config/**\" = [\"all\"]\n",
    );
    let out = py.run(&["--format", "json", "."]);
    assert_eq!(
        (out.code, out.codes()),
        (0, Vec::<String>::new()),
        "{}",
        out.all()
    );
}

#[test]
fn per_file_ignores_and_extend_work_in_cargo_metadata() {
    let p = errors_project();
    p.write("base.toml", "[rules]\nwrong-port = \"allow\"\n");
    p.write(
        "Cargo.toml",
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[package.metadata.neon-lint]\nextend = \"base.toml\"\n\n[package.metadata.neon-lint.per-file-ignores]\n\"a.toml\" = [\"NL001\"]\n",
    );
    let out = p.run(&["--format", "json", "."]);
    assert_eq!(
        (out.code, out.codes()),
        (0, Vec::<String>::new()),
        "{}",
        out.all()
    );
}

#[test]
fn per_file_ignores_name_known_rules_only() {
    let p = errors_project();
    p.write(
        "neon-lint.toml",
        "[per-file-ignores]\n\"tests/**\" = [\"missing-sslmod\"]\n",
    );
    let out = p.run(&["."]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("did you mean `missing-sslmode`?") && out.stderr.contains("tests/**"),
        "{}",
        out.all()
    );
    p.write(
        "neon-lint.toml",
        "[per-file-ignores]\n\"[\" = [\"NL001\"]\n",
    );
    assert_eq!(p.run(&["."]).code, 2);
    p.write("neon-lint.toml", "per-file-ignores = [\"NL001\"]\n");
    assert_eq!(p.run(&["."]).code, 2);
}

#[test]
fn extend_reads_a_base_config_that_this_one_overrides() {
    let p = errors_project();
    p.write(
        "shared/base.toml",
        "exclude = [\"config/a.toml\"]\n[rules]\nwrong-port = \"allow\"\nunverified-tls = \"error\"\n",
    );
    p.write("config/c.toml", &format!("url = \"{UNVERIFIED}\"\n"));
    p.write(
        "neon-lint.toml",
        "extend = \"shared/base.toml\"\n[rules]\nunverified-tls = \"warn\"\n",
    );
    let out = p.run(&["--format", "json", "."]);
    let found = out.findings();
    assert_eq!(
        found,
        [("NL003".into(), "warning".into(), "config/c.toml".into(), 1)],
        "base exclude and level apply, this file's level wins: {}",
        out.all()
    );
    // A base in a pyproject.toml is read from its [tool.neon-lint] table.
    p.write(
        "shared/pyproject.toml",
        "[tool.neon-lint.rules]\nunverified-tls = \"allow\"\nwrong-port = \"allow\"\n",
    );
    p.write("neon-lint.toml", "extend = \"shared/pyproject.toml\"\n");
    let out = p.run(&["--format", "json", "."]);
    assert_eq!(out.codes(), ["NL001", "NL001"], "{}", out.all());
}

#[test]
fn extend_errors_are_clear() {
    let p = errors_project();
    p.write("neon-lint.toml", "extend = \"missing.toml\"\n");
    let out = p.run(&["."]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("missing.toml"), "{}", out.all());
    p.write("neon-lint.toml", "extend = \"base.toml\"\n");
    p.write("base.toml", "extend = \"neon-lint.toml\"\n");
    let out = p.run(&["."]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("circle"), "{}", out.all());
    p.write("base.toml", "[rules]\nwrong-prot = \"allow\"\n");
    let out = p.run(&["."]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(
        out.stderr.contains("did you mean `wrong-port`?"),
        "{}",
        out.all()
    );
}

#[test]
fn unknown_rule_names_get_a_suggestion_everywhere() {
    let p = errors_project();
    for args in [
        &["-D", "missing-sslmod", "."][..],
        &["-W", "missing-sslmod", "."],
        &["-A", "missing-sslmod", "."],
        &["--explain", "missing-sslmod"],
    ] {
        let out = p.run(args);
        assert_eq!(out.code, 2, "{args:?}: {}", out.all());
        assert!(
            out.stderr.contains("did you mean `missing-sslmode`?"),
            "{args:?}: {}",
            out.all()
        );
    }
    let out = p.run(&["-D", "warnigns", "."]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `warnings`?"),
        "{}",
        out.all()
    );
    let out = p.run(&["--explain", "NL0001"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `NL001`?"),
        "{}",
        out.all()
    );
}

#[test]
fn completions_and_man_page_come_from_the_flags() {
    let p = Project::new(&[]);
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = p.run(&["--generate-completions", shell]);
        assert_eq!(out.code, 0, "{shell}: {}", out.all());
        assert!(
            out.stdout.contains("neon-lint") && out.stdout.contains("exit-zero"),
            "{shell}: {}",
            out.all()
        );
    }
    let bad = p.run(&["--generate-completions", "tcsh"]);
    assert_eq!(bad.code, 2, "{}", bad.all());
    let man = p.run(&["--generate-man"]);
    assert_eq!(man.code, 0, "{}", man.all());
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH neon-lint"),
        "{}",
        man.stdout
    );
    assert!(man.stdout.contains("stdin\\-filename"), "{}", man.stdout);
    // Alone only: a lint run does not start with a man page.
    let mixed = p.run(&["--generate-man", "."]);
    assert_eq!(mixed.code, 2, "{}", mixed.all());
}
