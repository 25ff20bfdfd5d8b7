//! The foundation rules on a fixture project: each fires where it should, at the right
//! line, and stays silent on its near-misses (comments, docs, templates, local databases,
//! format holes, non-Neon hosts, suppressed lines).

mod common;

use common::{findings, run};

#[test]
fn each_rule_fires_at_its_line_and_nowhere_else() {
    let out = run(&["--format", "json", "."], "tests/fixtures/foundation");
    assert_eq!(out.code, 1, "errors found => exit 1\n{}", out.stderr);
    let got = findings(&out.stdout);
    let want: Vec<(&str, &str, usize)> = vec![
        (".env", "NL064", 2),
        (".env", "NL061", 2),
        (".env", "NL001", 2),
        (".env", "NL022", 3),
        (".env", "NL062", 4),
        ("config/app.json", "NL009", 3),
        ("config/app.json", "NL004", 4),
        ("config/app.json", "NL006", 5),
        ("config/app.yaml", "NL008", 3),
        ("config/app.yaml", "NL005", 4),
        ("config/settings.toml", "NL060", 2),
        ("config/settings.toml", "NL002", 2),
        ("config/settings.toml", "NL007", 3),
        ("migrations/alembic.ini", "NL020", 3),
        ("src/main.rs", "NL060", 4),
        ("src/main.rs", "NL003", 4),
        ("src/main.rs", "NL002", 11),
        ("src/main.rs", "NL063", 12),
    ];
    let want: Vec<(String, String, usize)> = want
        .into_iter()
        .map(|(p, c, l)| (p.to_string(), c.to_string(), l))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn json_output_has_the_fixed_fields() {
    let out = run(
        &["--format", "json", "config/settings.toml"],
        "tests/fixtures/foundation",
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("one JSON array");
    let items = v.as_array().expect("array");
    let d = items
        .iter()
        .find(|d| d["code"] == "NL002")
        .expect("NL002 finding");
    for key in [
        "code",
        "rule",
        "severity",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "message",
        "help",
        "fix",
    ] {
        assert!(d.get(key).is_some(), "missing `{key}` in {d}");
    }
    assert_eq!(d["rule"], "insecure-sslmode");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["path"], "config/settings.toml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(92))
    );
    assert_eq!(
        (d["end_line"].as_u64(), d["end_column"].as_u64()),
        (Some(2), Some(107))
    );
    let edit = &d["fix"]["edits"][0];
    assert_eq!(d["fix"]["applicability"], "safe");
    assert_eq!(edit["content"], "require");
    assert_eq!(
        (edit["column"].as_u64(), edit["end_column"].as_u64()),
        (Some(100), Some(107))
    );
    let no_fix = items.iter().find(|d| d["code"] == "NL060").expect("NL060");
    assert!(no_fix["fix"].is_null());
}

#[test]
fn clean_tree_exits_zero_and_says_so() {
    let out = run(&["docs"], "tests/fixtures/foundation");
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert!(out.stdout.contains("no problems found"), "{}", out.stdout);
}

#[test]
fn warnings_fail_only_under_deny_warnings() {
    let out = run(
        &["--format", "json", "config/app.yaml", "-A", "missing-sni"],
        "tests/fixtures/foundation",
    );
    assert_eq!(out.code, 0, "only a warning left\n{}", out.stdout);
    let out = run(
        &[
            "--format",
            "json",
            "config/app.yaml",
            "-A",
            "missing-sni",
            "-D",
            "warnings",
        ],
        "tests/fixtures/foundation",
    );
    assert_eq!(out.code, 1);
}

#[test]
fn unknown_rule_is_a_usage_error_with_a_suggestion() {
    let out = run(&["-A", "missing-sslmod", "."], "tests/fixtures/foundation");
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `missing-sslmode`"),
        "{}",
        out.stderr
    );
}

#[test]
fn explain_prints_every_rules_documentation() {
    let list = run(&["--list-rules"], ".");
    assert_eq!(list.code, 0);
    let codes: Vec<&str> = list
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(codes.len() >= 16, "{}", list.stdout);
    for code in codes {
        let out = run(&["--explain", code], ".");
        assert_eq!(out.code, 0, "{code}");
        assert!(
            out.stdout.contains("## What it does"),
            "{code}: {}",
            out.stdout
        );
        assert!(
            out.stdout.contains("## Why is this bad?"),
            "{code}: {}",
            out.stdout
        );
    }
}

#[test]
fn fix_appends_sslmode_and_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let env = dir.path().join(".env");
    let before = "# comment\r\nDATABASE_URL=postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb\r\nOTHER=1\r\n";
    std::fs::write(&env, before).expect("write");
    let out = run(
        &["--fix", "--format", "json", "."],
        dir.path().to_str().expect("utf8"),
    );
    let after = std::fs::read_to_string(&env).expect("read");
    assert_eq!(
        after,
        "# comment\r\nDATABASE_URL=postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb?sslmode=require\r\nOTHER=1\r\n"
    );
    assert!(
        !findings(&out.stdout).iter().any(|(_, c, _)| c == "NL001"),
        "{}",
        out.stdout
    );
    run(&["--fix", "."], dir.path().to_str().expect("utf8"));
    assert_eq!(
        std::fs::read_to_string(&env).expect("read"),
        after,
        "second run changes nothing"
    );
}

#[test]
fn fix_lands_inside_shell_quotes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("run.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\npsql \"postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb\" -c 'select 1'\n",
    )
    .expect("write");
    run(&["--fix", "."], dir.path().to_str().expect("utf8"));
    assert_eq!(
        std::fs::read_to_string(&script).expect("read"),
        "#!/bin/sh\npsql \"postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb?sslmode=require\" -c 'select 1'\n"
    );
}
