//! Papercuts of the human-facing output (issue 16, item 6), one regression test each. The
//! header column is `tests/ux_positions.rs`'s.

mod ux;

use std::process::{Command, Stdio};

use serde_json::Value;
use ux::{bin, repo_root, run_env, Project, NO_SSLMODE, UNVERIFIED, WITH_PASSWORD, WRONG_PORT};

fn mixed_project() -> Project {
    Project::new(&[
        (".env", &format!("DATABASE_URL={WITH_PASSWORD}\n")),
        ("config/app.toml", &format!("url = \"{UNVERIFIED}\"\n")),
        ("config/replica.toml", &format!("url = \"{WRONG_PORT}\"\n")),
    ])
}

#[test]
fn severities_are_capitalised_alike() {
    let out = mixed_project().run(&["."]);
    for kind in ["] Error: ", "] Warning: ", "] Info: "] {
        assert!(out.stdout.contains(kind), "{kind}\n{}", out.all());
    }
    assert!(!out.stdout.contains("] info:"), "{}", out.all());
}

#[test]
fn no_line_ends_in_a_space_with_or_without_colour() {
    let p = mixed_project();
    for color in ["never", "always"] {
        let out = p.run(&["--color", color, "."]);
        for line in out.stdout.lines() {
            let plain = line.strip_suffix("\u{1b}[0m").unwrap_or(line);
            assert!(
                !plain.ends_with(' ') && !plain.ends_with('\t'),
                "--color {color}: {line:?}"
            );
        }
    }
}

#[test]
fn summary_counts_are_plural_only_when_more_than_one_and_zeros_are_left_out() {
    let one = Project::new(&[("a.toml", &format!("url = \"{NO_SSLMODE}\"\n"))]);
    let out = one.run(&["a.toml"]);
    let last = out.stdout.lines().last().unwrap_or_default();
    assert_eq!(last, "found 1 error (1 file scanned)", "{}", out.all());
    let out = mixed_project().run(&["."]);
    let last = out.stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("found ") && !last.contains(" 0 ") && last.contains("1 warning,"),
        "{last}"
    );
    let clean = Project::new(&[("notes.txt", "nothing\n")]);
    let out = clean.run(&["."]);
    assert!(
        out.stdout.contains("no problems found (2 files scanned)"),
        "{}",
        out.all()
    );
}

/// The SGR runs of `s`: (escape sequences, text up to the next escape).
fn runs(s: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find('\u{1b}') {
        if let Some(last) = out.last_mut() {
            last.1.push_str(&rest[..i]);
        }
        let end = rest[i..].find('m').map_or(rest.len(), |e| i + e + 1);
        out.push((rest[i..end].to_string(), String::new()));
        rest = &rest[end..];
    }
    out
}

#[test]
fn colour_is_one_escape_per_span_not_per_character() {
    let p = Project::new(&[("config/app.toml", &format!("url = \"{NO_SSLMODE}\"\n"))]);
    let out = p.run(&["--color", "always", "."]);
    assert!(out.stdout.contains('\u{1b}'), "{}", out.all());
    // The source line is drawn in one piece.
    assert!(
        out.stdout.contains("url = \"postgresql://app@"),
        "{:?}",
        out.stdout
    );
    // A style is never closed to be opened again for the next character.
    let r = runs(&out.stdout);
    for w in r.windows(3) {
        let (a, reset, b) = (&w[0], &w[1], &w[2]);
        if reset.0 == "\u{1b}[0m" && reset.1.is_empty() && !a.0.ends_with("[0m") {
            assert_ne!(a.0, b.0, "same style reopened: {:?}", out.stdout);
        }
    }
    let escapes = out.stdout.matches('\u{1b}').count();
    let chars = out.stdout.chars().count();
    assert!(
        escapes * 10 < chars,
        "{escapes} escapes for {chars} characters"
    );
}

/// Runs `neon-lint ARGS` on a pseudo-terminal (util-linux `script`) with `NO_COLOR` set to
/// `no_color`; `None` when `script` is not there.
fn on_a_terminal(p: &Project, no_color: &str) -> Option<String> {
    let out = Command::new("script")
        .args(["-qec", &format!("{} .", bin()), "/dev/null"])
        .current_dir(p.path())
        .env("NO_COLOR", no_color)
        .stdin(Stdio::null())
        .output()
        .ok()?;
    out.status.code()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn an_empty_no_color_does_not_turn_colour_off() {
    let p = Project::new(&[("a.toml", &format!("url = \"{NO_SSLMODE}\"\n"))]);
    let Some(empty) = on_a_terminal(&p, "") else {
        eprintln!("SKIPPED an_empty_no_color_does_not_turn_colour_off: no `script` (util-linux)");
        return;
    };
    assert!(empty.contains("[NL001]"), "{empty:?}");
    assert!(
        empty.contains('\u{1b}'),
        "NO_COLOR= keeps colour: {empty:?}"
    );
    let set = on_a_terminal(&p, "1").expect("script");
    assert!(
        set.contains("[NL001]") && !set.contains('\u{1b}'),
        "{set:?}"
    );
}

#[test]
fn explain_pages_leave_internal_notes_out() {
    let p = Project::new(&[]);
    let mut with_notes = 0;
    for r in neon_lint::rules::all() {
        let out = p.run(&["--explain", r.code]);
        assert_eq!(out.code, 0, "{}", out.all());
        for internal in [
            "Internal notes",
            "RULES.md",
            "seed card",
            "rust-drivers reference",
            "tests/",
        ] {
            assert!(
                !out.stdout.contains(internal),
                "{}: `{internal}` in --explain:\n{}",
                r.code,
                out.stdout
            );
        }
        let page = std::fs::read_to_string(repo_root().join(format!("docs/rules/{}.md", r.name)))
            .expect("rule page");
        assert!(!page.contains("Internal notes"), "{}", r.name);
        if !r.internal_notes().is_empty() {
            with_notes += 1;
            assert!(r.docs.contains("## Internal notes"));
        }
    }
    assert!(with_notes > 0, "the convention is in use");
}

#[test]
fn sarif_help_is_a_paragraph_of_its_own() {
    let out = mixed_project().run(&["--format", "sarif", "."]);
    let log: Value = serde_json::from_str(&out.stdout).expect("sarif");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let texts: Vec<&str> = results
        .iter()
        .filter_map(|r| r["message"]["text"].as_str())
        .collect();
    assert!(texts.iter().any(|t| t.contains("\n\nHelp: ")), "{texts:?}");
    for t in texts {
        assert!(!t.contains(" Help:"), "{t}");
    }
}

#[test]
fn diff_exits_0_when_there_is_nothing_to_change() {
    // A warning without a fix: nothing to change, whatever is found.
    let p = Project::new(&[("config/replica.toml", &format!("url = \"{WRONG_PORT}\"\n"))]);
    let out = p.run(&["--diff", "-D", "warnings", "."]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.is_empty(), "{}", out.all());
    let fixable = Project::new(&[("a.toml", &format!("url = \"{NO_SSLMODE}\"\n"))]);
    assert_eq!(fixable.run(&["--diff", "."]).code, 1);
}

#[test]
fn no_message_or_help_of_any_fixture_has_a_run_of_spaces() {
    // A string literal broken over lines without `\` keeps the next line's indentation
    // (NL033's help had forty spaces mid-sentence).
    let fixtures = repo_root().join("tests/fixtures");
    let mut trees: Vec<_> = std::fs::read_dir(&fixtures)
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    trees.sort();
    let mut helps = 0;
    for tree in trees {
        let out = run_env(&tree, &["--format", "json", "."], &[]);
        let v: Value = serde_json::from_str(&out.stdout).expect("json");
        for d in v.as_array().expect("array") {
            for k in ["message", "help"] {
                let t = d[k].as_str().unwrap_or_default();
                helps += usize::from(k == "help" && !t.is_empty());
                assert!(!t.contains("  "), "{} {k}: {t:?}", d["code"]);
            }
        }
    }
    assert!(helps > 50);
}

#[test]
fn url_command_reports_are_tidy_too() {
    let p = Project::new(&[]);
    let url = "postgresql://alex:Secr3tPwLong@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require";
    let out = p.run(&["url", url]);
    // `unverified-tls` points at `sslmode=require`, after the twelve-character password.
    let col = url.find("sslmode").expect("sslmode") + 1;
    assert!(
        out.stdout.contains(&format!("─[ <url>:1:{col} ]")),
        "{}",
        out.all()
    );
    assert!(out.stdout.contains("] Info: "), "{}", out.all());
    assert!(!out.stdout.contains("Secr3tPwLong"), "{}", out.all());
    for line in out.stdout.lines() {
        assert!(!line.ends_with(' '), "{line:?}");
    }
}
