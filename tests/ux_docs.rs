//! Rule documentation: `--list-rules`, `--explain` for every rule (by code and by name),
//! and the committed `docs/rules/` pages generated from the same doc comments.

mod ux;

use std::path::Path;

use ux::repo_root;

/// Every rule as `--list-rules` prints it: (code, name).
fn rules() -> Vec<(String, String)> {
    let out = ux::run(repo_root(), &["--list-rules"]);
    assert_eq!(out.code, 0, "{}", out.all());
    out.stdout
        .lines()
        .map(|l| {
            let mut w = l.split_whitespace();
            (
                w.next().unwrap_or_default().to_string(),
                w.next().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn list_rules_names_every_rule_once_including_unused_suppression() {
    let rules = rules();
    assert!(rules.len() >= 17, "{rules:?}");
    assert!(rules.contains(&("NL090".into(), "unused-suppression".into())));
    let mut codes: Vec<&str> = rules.iter().map(|r| r.0.as_str()).collect();
    codes.dedup();
    assert_eq!(codes.len(), rules.len(), "codes are unique and sorted");
}

#[test]
fn explain_works_for_every_rule_by_code_and_by_name() {
    for (code, name) in rules() {
        let by_code = ux::run(repo_root(), &["--explain", &code]);
        let by_name = ux::run(repo_root(), &["--explain", &name]);
        assert_eq!(by_code.code, 0, "{code}: {}", by_code.all());
        assert_eq!(
            by_code.stdout, by_name.stdout,
            "{code} and {name} explain alike"
        );
        let text = &by_code.stdout;
        assert!(
            text.starts_with(&format!("{code} {name} (default level: ")),
            "{text}"
        );
        for section in ["## What it does", "## Why is this bad?"] {
            assert!(text.contains(section), "{code}: no `{section}`\n{text}");
        }
        assert!(
            text.contains(&format!("docs/rules/{name}.md")),
            "{code}: the page's address\n{text}"
        );
    }
    let lower = ux::run(repo_root(), &["--explain", "nl001"]);
    assert_eq!(lower.code, 0);
}

#[test]
fn explain_of_an_unknown_rule_suggests_one() {
    let out = ux::run(repo_root(), &["--explain", "insecure-sslmod"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("did you mean `insecure-sslmode`"),
        "{}",
        out.all()
    );
}

#[test]
fn committed_rule_pages_are_up_to_date() {
    let fresh = tempfile::tempdir().expect("tempdir");
    let out = ux::run(
        repo_root(),
        &["--write-rule-docs", fresh.path().to_str().expect("utf8")],
    );
    assert_eq!(out.code, 0, "{}", out.all());
    let committed = repo_root().join("docs/rules");
    let mut problems = Vec::new();
    let names = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .filter(|n| n.ends_with(".md"))
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    let want = names(fresh.path());
    let have = names(&committed);
    for n in &want {
        let new = std::fs::read_to_string(fresh.path().join(n)).expect("generated");
        match std::fs::read_to_string(committed.join(n)) {
            Ok(old) if old == new => {}
            Ok(_) => problems.push(format!("docs/rules/{n} is out of date")),
            Err(_) => problems.push(format!("docs/rules/{n} is missing")),
        }
    }
    for n in have.iter().filter(|n| !want.contains(n)) {
        problems.push(format!("docs/rules/{n} documents no rule"));
    }
    assert!(
        problems.is_empty(),
        "\n{}\n\nThe rule pages are generated from the rules' doc comments. Regenerate them with\n\n    cargo run -- --write-rule-docs docs/rules\n\nand commit the result.\n",
        problems.join("\n")
    );
    assert!(
        want.len() > rules().len(),
        "one page per rule plus the index"
    );
}

#[test]
fn every_finding_links_to_its_committed_page() {
    let out = ux::run(
        &repo_root().join("tests/fixtures/foundation"),
        &["--format", "json", "."],
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    for d in v.as_array().expect("array") {
        let url = d["url"].as_str().expect("url");
        let name = d["rule"].as_str().expect("rule");
        assert!(url.ends_with(&format!("/docs/rules/{name}.md")), "{url}");
        assert!(
            repo_root().join(format!("docs/rules/{name}.md")).is_file(),
            "{name}"
        );
    }
    // The human report says where to read more under every finding.
    let out = ux::run(&repo_root().join("tests/fixtures/foundation"), &["."]);
    assert!(
        out.stdout.contains("docs/rules/missing-sslmode.md"),
        "{}",
        out.stdout
    );
}
