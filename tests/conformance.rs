//! The parser agrees with real libpq (17.0011, through psycopg2's `parse_dsn`) on every
//! vector of `tests/data/libpq-conninfo.jsonl`, through the same code path as
//! `neon-lint url --json`.

use neon_lint::url_cmd::analyse_json;
use neon_lint_core::{Placement, UrlContext};
use serde_json::Value;

#[test]
fn agrees_with_libpq_on_every_vector() {
    let data = include_str!("data/libpq-conninfo.jsonl");
    let ctx = UrlContext {
        placement: Placement::Standalone,
        ..UrlContext::default()
    };
    let mut checked = 0;
    let mut failures = Vec::new();
    for line in data.lines().skip(1) {
        let want: Value = serde_json::from_str(line).expect("valid jsonl");
        let input = want["input"].as_str().expect("input");
        let got = analyse_json(input, &ctx);
        let ok = want["ok"].as_bool().expect("ok");
        if got["ok"].as_bool() != Some(ok) || (ok && got["params"] != want["params"]) {
            failures.push(format!("{input:?}: libpq {want} / neon-lint {got}"));
        }
        checked += 1;
    }
    assert_eq!(checked, 107, "the conformance file has 107 vectors");
    assert!(
        failures.is_empty(),
        "disagreements:\n{}",
        failures.join("\n")
    );
}

#[test]
fn unknown_keyword_errors_suggest_the_real_one() {
    let err = neon_lint::conninfo::parse("postgresql://h/db?sslmdoe=require").unwrap_err();
    assert_eq!(err.message, "invalid URI query parameter: \"sslmdoe\"");
    assert_eq!(err.suggestion, Some("sslmode"));
    let err = neon_lint::conninfo::parse("host=h sslmdoe=require").unwrap_err();
    assert_eq!(err.message, "invalid connection option \"sslmdoe\"");
}
