//! The SARIF of every fixture tree passes Microsoft's official validator
//! (`npx @microsoft/sarif-multitool validate`, from npm) with no error and no warning.
//!
//! Needs `npx` (Node.js) and the npm registry; SKIPPED, and says so, without `npx` or with
//! `NEON_LINT_SARIF_VALIDATE=0`. The validator exits 0 even when it finds errors, so its
//! own SARIF report is read instead.

mod ux;

use std::io::Write;
use std::process::Command;

fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

#[test]
fn fixture_sarif_passes_the_official_validator() {
    if std::env::var("NEON_LINT_SARIF_VALIDATE").is_ok_and(|v| v == "0") {
        say("SKIPPED fixture_sarif_passes_the_official_validator: NEON_LINT_SARIF_VALIDATE=0");
        return;
    }
    let npx_ok = Command::new("npx")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !npx_ok {
        say(
            "SKIPPED fixture_sarif_passes_the_official_validator: `npx` (Node.js) is not installed",
        );
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let fixtures = ux::repo_root().join("tests/fixtures");
    let mut trees: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("fixtures")
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    trees.sort();
    assert!(!trees.is_empty());
    // One validator run over every file (it takes seconds to start).
    let mut files = Vec::new();
    for tree in &trees {
        let name = tree
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let out = ux::run(tree, &["--format", "sarif", "."]);
        assert!(out.code == 0 || out.code == 1, "{name}: {}", out.all());
        let sarif = tmp.path().join(format!("{name}.sarif"));
        std::fs::write(&sarif, &out.stdout).expect("write");
        files.push(sarif);
    }
    let report = tmp.path().join("validation.sarif");
    let run = Command::new("npx")
        .args(["--yes", "@microsoft/sarif-multitool", "validate"])
        .args(&files)
        .arg("--output")
        .arg(&report)
        .output()
        .expect("npx runs");
    let console = format!(
        "{}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        run.status.success(),
        "the validator failed to run\n{console}"
    );
    let text = std::fs::read_to_string(&report)
        .unwrap_or_else(|e| panic!("no validation report ({e})\n{console}"));
    let v: serde_json::Value = serde_json::from_str(&text).expect("validator output");
    let results = v["runs"][0]["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let problems: Vec<String> = results
        .iter()
        .filter(|r| matches!(r["level"].as_str(), Some("error" | "warning") | None))
        .map(|r| {
            format!(
                "{} {} in {}: {}",
                r["level"],
                r["ruleId"],
                r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["message"]
            )
        })
        .collect();
    assert!(
        problems.is_empty(),
        "the SARIF validator reports:\n{}\n{console}",
        problems.join("\n")
    );
    say(&format!(
        "SARIF of {} fixture trees: valid (no error or warning from the validator)",
        files.len()
    ));
}
