//! Inline suppressions: used, unused, unknown (`unused-suppression`, NL090), file-level,
//! reasons, codes, comment syntaxes, and text that only looks like a suppression.

mod ux;

use ux::{Project, CLEAN, NO_SSLMODE, WRONG_PORT};

fn json(p: &Project) -> ux::Out {
    p.run(&["--format", "json", "."])
}

#[test]
fn a_used_suppression_hides_the_finding_and_nothing_else() {
    for env in [
        format!("# neon-lint: allow(missing-sslmode) -- the tunnel adds TLS\nDATABASE_URL={NO_SSLMODE}\n"),
        format!("DATABASE_URL={NO_SSLMODE} # neon-lint: allow(NL001)\n"),
        format!("# neon-lint: allow(nl001, wrong-port)\nDATABASE_URL={NO_SSLMODE}\nOTHER={WRONG_PORT}\n"),
        format!("# neon-lint: allow-file(missing-sslmode)\n\nA={NO_SSLMODE}\n\nB={NO_SSLMODE}\n"),
        format!("# neon-lint: allow(all)\nDATABASE_URL={NO_SSLMODE}\n"),
    ] {
        let p = Project::new(&[(".env", &env)]);
        let out = json(&p);
        let codes = out.codes();
        assert!(!codes.contains(&"NL001".to_string()), "{env}\n{}", out.all());
        if env.contains("wrong-port") {
            // The comment covers only the next line: line 3 keeps its finding, and the
            // `wrong-port` name suppressed nothing.
            assert_eq!(codes, ["NL090", "NL007"], "{env}\n{}", out.all());
        } else {
            assert!(codes.is_empty(), "{env}\n{}", out.all());
            assert_eq!(out.code, 0);
        }
    }
}

#[test]
fn a_trailing_comment_covers_only_its_own_line() {
    let p = Project::new(&[(
        ".env",
        &format!("A={CLEAN} # neon-lint: allow(missing-sslmode)\nB={NO_SSLMODE}\n"),
    )]);
    let out = json(&p);
    let f = out.findings();
    assert!(
        f.iter().any(|x| x.0 == "NL001" && x.3 == 2),
        "line 2 is not covered\n{}",
        out.all()
    );
    assert!(
        f.iter().any(|x| x.0 == "NL090" && x.3 == 1),
        "and the comment suppressed nothing\n{}",
        out.all()
    );
}

#[test]
fn an_unused_suppression_is_a_warning_that_fails_only_under_deny_warnings() {
    let p = Project::new(&[(
        ".env",
        &format!("# neon-lint: allow(wrong-port) -- moved to 5432 since\nDATABASE_URL={CLEAN}\n"),
    )]);
    let out = json(&p);
    assert_eq!(out.code, 0, "{}", out.all());
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let d = &v[0];
    assert_eq!(d["code"], "NL090");
    assert_eq!(d["rule"], "unused-suppression");
    assert_eq!(d["severity"], "warning");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(20))
    );
    assert_eq!(
        d["end_column"].as_u64(),
        Some(30),
        "the span is the rule name"
    );
    assert!(d["message"]
        .as_str()
        .unwrap_or("")
        .contains("suppresses nothing"));
    assert_eq!(p.run(&["-D", "warnings", "."]).code, 1);
    // Turned off like any rule.
    let out = p.run(&["-A", "unused-suppression", "--format", "json", "."]);
    assert!(out.codes().is_empty(), "{}", out.all());
}

#[test]
fn an_unknown_rule_name_is_reported_with_a_suggestion_and_suppresses_nothing() {
    let p = Project::new(&[(
        ".env",
        &format!("# neon-lint: allow(missing-sslmod)\nDATABASE_URL={NO_SSLMODE}\n"),
    )]);
    let out = json(&p);
    assert_eq!(out.codes(), ["NL090", "NL001"], "{}", out.all());
    assert_eq!(out.code, 1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    assert!(v[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("unknown rule `missing-sslmod`"));
    assert!(
        v[0]["help"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean `missing-sslmode`"),
        "{}",
        out.all()
    );
}

#[test]
fn suppressions_of_rules_turned_off_are_not_judged() {
    let p = Project::new(&[(
        ".env",
        &format!("# neon-lint: allow(missing-sslmode)\nDATABASE_URL={NO_SSLMODE}\n"),
    )]);
    let out = p.run(&["-A", "missing-sslmode", "--format", "json", "."]);
    assert!(out.codes().is_empty(), "{}", out.all());
}

#[test]
fn unused_suppression_can_itself_be_suppressed() {
    let p = Project::new(&[(
        ".env",
        &format!("# neon-lint: allow(wrong-port, unused-suppression) -- kept for the next migration\nDATABASE_URL={CLEAN}\n"),
    )]);
    let out = json(&p);
    assert!(out.codes().is_empty(), "{}", out.all());
    // But a lone `allow(unused-suppression)` that hides nothing is reported.
    let p = Project::new(&[(
        ".env",
        &format!("# neon-lint: allow(unused-suppression)\nDATABASE_URL={CLEAN}\n"),
    )]);
    assert_eq!(json(&p).codes(), ["NL090"]);
}

#[test]
fn rust_comments_suppress_and_strings_do_not() {
    let src = format!(
        "fn main() {{\n    // neon-lint: allow(missing-sslmode) -- tunnel\n    let a = \"{NO_SSLMODE}\";\n    let b = \"# neon-lint: allow(missing-sslmode)\"; let c = \"{NO_SSLMODE}\";\n    /* neon-lint: allow(NL001) */ let d = \"{NO_SSLMODE}\";\n}}\n"
    );
    let p = Project::new(&[("src/main.rs", &src)]);
    let out = json(&p);
    let f = out.findings();
    let lines: Vec<u64> = f.iter().filter(|x| x.0 == "NL001").map(|x| x.3).collect();
    assert_eq!(
        lines,
        [4],
        "only the line whose 'comment' is a string\n{}",
        out.all()
    );
    assert!(!f.iter().any(|x| x.0 == "NL090"), "{}", out.all());
}

#[test]
fn other_comment_syntaxes() {
    let cases = [
        (
            "config/app.yaml",
            format!("db:\n  # neon-lint: allow(missing-sslmode)\n  url: \"{NO_SSLMODE}\"\n"),
        ),
        (
            "config/app.toml",
            format!("url = \"{NO_SSLMODE}\" # neon-lint: allow(missing-sslmode)\n"),
        ),
        (
            "alembic.ini",
            format!("[alembic]\n; neon-lint: allow(missing-sslmode)\nsqlalchemy.url = {NO_SSLMODE}\n"),
        ),
        (
            "scripts/migrate.sh",
            format!("#!/bin/sh\n# neon-lint: allow(missing-sslmode)\npsql \"{NO_SSLMODE}\" -f seed.sql\n"),
        ),
    ];
    for (name, text) in cases {
        let p = Project::new(&[(name, &text)]);
        let out = json(&p);
        assert!(
            !out.codes().iter().any(|c| c == "NL001" || c == "NL090"),
            "{name}\n{}",
            out.all()
        );
    }
}

#[test]
fn docs_that_quote_the_syntax_are_not_suppressions() {
    let p = Project::new(&[(
        "README.md",
        "Suppress with `# neon-lint: allow(rule-name)`:\n\n```sh\n# neon-lint: allow(missing-sslmod)\n```\n\nConnect to postgresql://localhost/db.\n",
    )]);
    let out = json(&p);
    assert!(out.codes().is_empty(), "{}", out.all());
}
