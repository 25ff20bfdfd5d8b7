//! Baselines: recorded findings stay hidden across edits elsewhere in the file (they are
//! keyed by rule, path and a hash of the redacted finding, not by line), new ones show,
//! fixed ones are reported as stale, and the file never holds a password.

mod ux;

use ux::{Project, CANARY, NO_SSLMODE, WITH_PASSWORD, WRONG_PORT};

const BASELINE: &str = "neon-lint-baseline.json";

fn adopted() -> Project {
    let p = Project::new(&[
        (".env", &format!("# app\nDATABASE_URL={NO_SSLMODE}\n")),
        (
            "config/app.toml",
            &format!("[db]\nurl = \"{WITH_PASSWORD}\"\n"),
        ),
    ]);
    let before = p.run(&["--format", "json", "."]);
    assert_eq!(before.code, 1);
    assert!(before.codes().len() >= 3, "{}", before.all());
    let out = p.run(&["--write-baseline", BASELINE, "."]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stderr.contains("recorded"), "{}", out.all());
    p
}

fn with_baseline(p: &Project) -> ux::Out {
    p.run(&["--baseline", BASELINE, "--format", "json", "."])
}

#[test]
fn recorded_findings_are_hidden_and_the_file_holds_no_secret() {
    let p = adopted();
    let text = p.read(BASELINE);
    assert!(!text.contains(CANARY), "{text}");
    let v: serde_json::Value = serde_json::from_str(&text).expect("json");
    assert_eq!(v["neon-lint-baseline"], 1);
    for f in v["findings"].as_array().expect("findings") {
        for k in ["code", "rule", "path", "fingerprint"] {
            assert!(f[k].is_string(), "{k} in {f}");
        }
        assert!(f.get("line").is_none(), "no line numbers: {f}");
    }
    let out = with_baseline(&p);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.codes().is_empty(), "{}", out.all());
    assert!(
        out.stderr.contains("hidden by the baseline"),
        "{}",
        out.all()
    );
    // A rewrite gives the same file (stable order, stable hashes).
    p.run(&["--write-baseline", BASELINE, "."]);
    assert_eq!(p.read(BASELINE), text);
}

#[test]
fn an_edit_above_the_finding_does_not_resurrect_it() {
    let p = adopted();
    p.write(
        ".env",
        &format!("# app\n# new comment\nLOG_LEVEL=debug\n\n  \nDATABASE_URL={NO_SSLMODE}\n"),
    );
    p.write(
        "config/app.toml",
        &format!("# settings\n\n[server]\nport = 8080\n\n[db]\n    url = \"{WITH_PASSWORD}\"\n"),
    );
    let out = with_baseline(&p);
    assert!(out.codes().is_empty(), "{}", out.all());
    assert_eq!(out.code, 0);
}

#[test]
fn new_findings_show_even_identical_ones() {
    let p = adopted();
    p.write(
        ".env",
        &format!(
            "# app\nDATABASE_URL={NO_SSLMODE}\nREPLICA_URL={WRONG_PORT}\nCOPY_URL={NO_SSLMODE}\n"
        ),
    );
    let out = with_baseline(&p);
    let f = out.findings();
    assert_eq!(
        f.iter().map(|x| (x.0.as_str(), x.3)).collect::<Vec<_>>(),
        [("NL007", 3), ("NL001", 4)],
        "the wrong port is new, and a second copy of a recorded finding is new\n{}",
        out.all()
    );
    assert_eq!(out.code, 1);
}

#[test]
fn a_changed_connection_string_is_a_new_finding() {
    let p = adopted();
    p.write(
        ".env",
        &format!(
            "# app\nDATABASE_URL={}\n",
            NO_SSLMODE.replace("neondb", "otherdb")
        ),
    );
    let out = with_baseline(&p);
    assert_eq!(out.codes(), ["NL001"], "{}", out.all());
    assert!(out.stderr.contains("no longer occur"), "{}", out.all());
}

#[test]
fn fixed_findings_are_reported_as_stale() {
    let p = adopted();
    p.write(".env", "# app\n");
    let out = with_baseline(&p);
    assert!(out.codes().is_empty(), "{}", out.all());
    assert!(
        out.stderr.contains("1 recorded finding no longer occurs"),
        "{}",
        out.all()
    );
    assert!(out.stderr.contains("--write-baseline"), "{}", out.all());
}

#[test]
fn the_baseline_works_from_another_directory_and_for_single_files() {
    let p = adopted();
    std::fs::create_dir_all(p.join("sub")).expect("mkdir");
    let out = p.run_in(
        "sub",
        &[
            "--baseline",
            "../neon-lint-baseline.json",
            "--format",
            "json",
            "..",
        ],
    );
    assert!(out.codes().is_empty(), "{}", out.all());
    // pre-commit passes single files: entries of files not scanned are not stale.
    let out = p.run(&["--baseline", BASELINE, "--format", "json", ".env"]);
    assert!(out.codes().is_empty(), "{}", out.all());
    assert!(!out.stderr.contains("no longer occur"), "{}", out.all());
}

#[test]
fn a_bad_baseline_is_a_usage_error() {
    let p = adopted();
    for (text, want) in [
        ("{", "not a neon-lint baseline"),
        ("{\"findings\": []}", "no `neon-lint-baseline` version"),
        (
            "{\"neon-lint-baseline\": 9, \"findings\": []}",
            "format 9 is not supported",
        ),
        (
            "{\"neon-lint-baseline\": 1, \"findings\": [{\"code\": \"NL001\"}]}",
            "has no `path`",
        ),
    ] {
        p.write(BASELINE, text);
        let out = p.run(&["--baseline", BASELINE, "."]);
        assert_eq!(out.code, 2, "{text}\n{}", out.all());
        assert!(
            out.stderr.contains(want),
            "{text}: want {want}\n{}",
            out.all()
        );
    }
    let out = p.run(&["--baseline", "missing.json", "."]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot read baseline"), "{}", out.all());
}
