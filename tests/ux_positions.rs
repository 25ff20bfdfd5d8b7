//! Acceptance: every output format points at the same place. For every fixture tree, the
//! human report's headers (`╭─[ path:line:col ]`), the cargo format's `rendered` headers
//! and the JSON findings name identical (path, line, column) multisets, including findings
//! whose line holds a password before the span (the human snippet shows `****` there, and
//! its column used to be counted on that masked line).

mod ux;

use std::path::Path;

use serde_json::Value;
use ux::{fixture_trees, run, Project, CANARY, WITH_PASSWORD};

type Place = (String, u64, u64);

/// `path:line:col` of every header ariadne drew in `text`.
fn human_places(text: &str) -> Vec<Place> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.split_once("─[ ").map(|(_, r)| r) else {
            continue;
        };
        let Some(inner) = rest.strip_suffix(" ]") else {
            panic!("header without its end: {line:?}");
        };
        let mut parts = inner.rsplitn(3, ':');
        let col = parts.next().and_then(|c| c.parse().ok());
        let ln = parts.next().and_then(|c| c.parse().ok());
        let path = parts.next();
        match (path, ln, col) {
            (Some(p), Some(l), Some(c)) => out.push((p.to_string(), l, c)),
            _ => panic!("unreadable header: {line:?}"),
        }
    }
    out.sort();
    out
}

fn json_findings(dir: &Path) -> Vec<Value> {
    let out = run(dir, &["--format", "json", "."]);
    assert!(out.code == 0 || out.code == 1, "{}", out.all());
    let v: Value =
        serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.all()));
    v.as_array().expect("array").clone()
}

fn json_places(findings: &[Value]) -> Vec<Place> {
    let mut out: Vec<Place> = findings
        .iter()
        .map(|d| {
            (
                d["path"].as_str().expect("path").to_string(),
                d["line"].as_u64().expect("line"),
                d["column"].as_u64().expect("column"),
            )
        })
        .collect();
    out.sort();
    out
}

/// The headers of the cargo format's `rendered` texts, each checked against its own
/// primary span.
fn cargo_places(dir: &Path) -> Vec<Place> {
    let out = run(dir, &["--format", "cargo", "."]);
    let mut places = Vec::new();
    for line in out.stdout.lines() {
        let v: Value = serde_json::from_str(line).expect("cargo line");
        if v["reason"] == "build-finished" {
            continue;
        }
        let rendered = v["rendered"].as_str().expect("rendered");
        let mine = human_places(rendered);
        assert_eq!(mine.len(), 1, "{rendered}");
        let primary = v["spans"]
            .as_array()
            .expect("spans")
            .iter()
            .find(|s| s["is_primary"] == true)
            .expect("primary span");
        assert_eq!(
            (mine[0].1, mine[0].2),
            (
                primary["line_start"].as_u64().expect("line"),
                primary["column_start"].as_u64().expect("column")
            ),
            "rendered header vs span: {rendered}"
        );
        places.extend(mine);
    }
    places.sort();
    places
}

/// Whether the text before column `col` (1-based, characters) of `line` holds a
/// `user:password@` with a real password.
fn password_before(line: &str, col: u64) -> bool {
    let prefix: String = line.chars().take(col as usize - 1).collect();
    prefix.match_indices("://").any(|(i, _)| {
        let after = &prefix[i + 3..];
        let Some(at) = after.find('@') else {
            return false;
        };
        let userinfo = &after[..at];
        userinfo
            .split_once(':')
            .is_some_and(|(_, pw)| !pw.is_empty() && pw != "****" && !pw.contains('/'))
    })
}

#[test]
fn human_cargo_and_json_agree_on_every_position_of_every_fixture_tree() {
    let mut behind_a_password = 0;
    let mut total = 0;
    for tree in fixture_trees() {
        let findings = json_findings(&tree);
        let json = json_places(&findings);
        let human = run(&tree, &["."]);
        assert_eq!(
            human_places(&human.stdout),
            json,
            "human vs json in {}",
            tree.display()
        );
        assert_eq!(
            cargo_places(&tree),
            json,
            "cargo vs json in {}",
            tree.display()
        );
        for (path, line, col) in &json {
            let text = std::fs::read_to_string(tree.join(path)).unwrap_or_default();
            if let Some(l) = text.lines().nth(*line as usize - 1) {
                behind_a_password += usize::from(password_before(l, *col));
            }
        }
        total += json.len();
    }
    assert!(total > 100, "the fixtures hold findings: {total}");
    assert!(
        behind_a_password > 0,
        "some fixture finding has a password before it on its line"
    );
}

#[test]
fn a_column_after_a_long_password_is_the_real_one() {
    // Sixteen characters of password before `sslmode=disable`: the masked line is twelve
    // characters shorter.
    let url = WITH_PASSWORD.replace(CANARY, &format!("{CANARY}LongPw"));
    let p = Project::new(&[(".env", &format!("DATABASE_URL={url}\n"))]);
    let col = "DATABASE_URL=".len() + url.find("sslmode=disable").expect("sslmode") + 1;
    let human = p.run(&["."]);
    assert!(
        human.stdout.contains(&format!("─[ .env:1:{col} ]")),
        "{}",
        human.all()
    );
    assert!(!human.stdout.contains(CANARY), "{}", human.all());
    let json = json_places(&json_findings(p.path()));
    assert!(json.contains(&(".env".into(), 1, col as u64)), "{json:?}");
    assert_eq!(human_places(&human.stdout), json);
}
