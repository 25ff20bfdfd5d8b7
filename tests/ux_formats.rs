//! Output formats: GitHub workflow commands (escaping, columns only on one-line spans),
//! SARIF 2.1.0 (structure GitHub code scanning requires, stable fingerprints, relative
//! URIs), cargo/rustc JSON for rust-analyzer (parsed with the types rust-analyzer uses),
//! several formats in one run, the progress line, and the canary password in none of them.

mod ux;

use std::collections::HashSet;

use serde_json::Value;
use ux::{Project, CANARY, NO_SSLMODE, WITH_PASSWORD, WRONG_PORT};

fn canary_project() -> Project {
    Project::new(&[
        (
            ".env",
            &format!("DATABASE_URL={WITH_PASSWORD}\nPGPASSWORD={CANARY}Extra\n"),
        ),
        (
            "config/app.toml",
            &format!("[db]\nurl = \"{WITH_PASSWORD}\"\nreplica = \"{NO_SSLMODE}\"\n"),
        ),
        (
            "src/main.rs",
            &format!("const URL: &str = \"{WITH_PASSWORD}\";\nfn main() {{}}\n"),
        ),
    ])
}

#[test]
fn github_commands_escape_properties_and_data() {
    use neon_lint::report::github::{escape_data, escape_property};
    assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
    assert_eq!(escape_property("a,b:c%d\ne"), "a%2Cb%3Ac%25d%0Ae");

    let p = Project::new(&[("we,ird:dir/.env", &format!("DATABASE_URL={NO_SSLMODE}\n"))]);
    let out = p.run(&["--format", "github", "."]);
    assert_eq!(out.code, 1, "{}", out.all());
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("::error "))
        .unwrap_or_else(|| panic!("{}", out.all()));
    assert!(
        line.starts_with("::error file=we%2Cird%3Adir/.env,line=1,endLine=1,col="),
        "{line}"
    );
    assert!(
        line.contains(",endColumn=") && line.contains(",title=NL001 missing-sslmode::"),
        "{line}"
    );
    let (_, message) = line
        .split_once("::")
        .and_then(|(_, r)| r.split_once("::"))
        .expect("message");
    assert!(!message.contains('\n'));
    assert!(
        message.contains("%0Ahelp: "),
        "help on the next line, escaped: {message}"
    );
    assert_eq!(out.stdout.lines().count(), 1, "one command per finding");
}

#[test]
fn github_spans_over_several_lines_get_no_columns() {
    let p = Project::new(&[(
        "config/app.yaml",
        &format!("db:\n  url: >-\n    {NO_SSLMODE}\n"),
    )]);
    let out = p.run(&["--format", "github", "."]);
    for line in out.stdout.lines() {
        let props = line.split("::").nth(1).unwrap_or_default();
        let get = |k: &str| {
            props
                .split(',')
                .find_map(|kv| kv.strip_prefix(&format!("{k}=")))
                .map(str::to_string)
        };
        if get("line") != get("endLine") {
            assert!(get("col").is_none() && get("endColumn").is_none(), "{line}");
        }
    }
}

fn sarif(p: &Project) -> Value {
    let out = p.run(&["--format", "sarif", "."]);
    assert_eq!(out.code, 1, "{}", out.all());
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}\n{}", out.stdout))
}

#[test]
fn sarif_has_what_github_code_scanning_requires() {
    let p = canary_project();
    let log = sarif(&p);
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "neon-lint");
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    let unique: HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "rule ids are unique");
    for r in rules {
        for k in ["shortDescription", "fullDescription", "help"] {
            let t = r[k]["text"].as_str().unwrap_or_default();
            assert!(!t.trim().is_empty(), "{k} of {}", r["id"]);
        }
        assert!(r["help"]["markdown"]
            .as_str()
            .unwrap_or("")
            .contains("## What it does"));
        let name = r["name"].as_str().expect("name");
        assert!(
            r["helpUri"]
                .as_str()
                .unwrap_or("")
                .ends_with(&format!("docs/rules/{name}.md")),
            "{}",
            r["helpUri"]
        );
        assert!(["error", "warning", "note"]
            .contains(&r["defaultConfiguration"]["level"].as_str().unwrap_or("")));
    }
    let results = run["results"].as_array().expect("results");
    assert!(results.len() >= 5, "{results:?}");
    for res in results {
        let idx = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[idx]["id"], res["ruleId"]);
        assert!(!res["message"]["text"].as_str().unwrap_or("").is_empty());
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(
            !uri.starts_with('/') && !uri.contains("://"),
            "relative: {uri}"
        );
        assert_eq!(loc["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &loc["region"];
        for k in ["startLine", "startColumn", "endLine", "endColumn"] {
            assert!(region[k].as_u64().unwrap_or(0) >= 1, "{k} in {region}");
        }
        if region["startLine"] == region["endLine"] {
            assert!(region["endColumn"].as_u64() >= region["startColumn"].as_u64());
        }
        let fp = res["partialFingerprints"]["primaryLocationLineHash"]
            .as_str()
            .expect("fingerprint");
        assert!(fp.contains(':'), "{fp}");
    }
    let uris: HashSet<&str> = results
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(
        uris.contains("config/app.toml") && uris.contains(".env"),
        "{uris:?}"
    );
    // A safe fix travels as a SARIF fix.
    assert!(results
        .iter()
        .any(
            |r| r["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"]
                == "require"
        ));
}

#[test]
fn sarif_fingerprints_survive_an_edit_above_the_finding() {
    let p = Project::new(&[(
        "config/app.toml",
        &format!("[db]\nurl = \"{NO_SSLMODE}\"\nother = \"{WRONG_PORT}\"\n"),
    )]);
    let fps = |p: &Project| -> Vec<(String, String)> {
        let out = p.run(&["--format", "sarif", "."]);
        let log: Value = serde_json::from_str(&out.stdout).expect("sarif");
        log["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .map(|r| {
                (
                    r["ruleId"].as_str().unwrap_or_default().to_string(),
                    r["partialFingerprints"]["primaryLocationLineHash"]
                        .as_str()
                        .unwrap_or_default()
                        .to_string(),
                )
            })
            .collect()
    };
    let before = fps(&p);
    assert_eq!(before.len(), 2);
    assert_ne!(before[0].1, before[1].1);
    p.write(
        "config/app.toml",
        &format!("# moved\n\n[db]\n  url = \"{NO_SSLMODE}\"\n\n  other = \"{WRONG_PORT}\"\n"),
    );
    assert_eq!(fps(&p), before);
}

#[test]
fn cargo_message_format_is_what_rust_analyzer_parses() {
    let p = canary_project();
    let out = p.run(&["--message-format", "json", "."]);
    let same = p.run(&["--format", "cargo", "."]);
    assert_eq!(out.stdout, same.stdout);
    assert_eq!(out.code, 1, "{}", out.all());
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines.len() >= 4, "{}", out.stdout);
    let mut diagnostics = 0;
    for line in &lines {
        // rust-analyzer's flycheck: `enum JsonMessage { Cargo(cargo_metadata::Message),
        // Rustc(cargo_metadata::diagnostic::Diagnostic) }`, untagged.
        if let Ok(d) = serde_json::from_str::<cargo_metadata::diagnostic::Diagnostic>(line) {
            diagnostics += 1;
            let primary = d.spans.iter().find(|s| s.is_primary).expect("primary span");
            assert!(!primary.file_name.starts_with('/'), "{}", primary.file_name);
            assert!(primary.line_start >= 1 && primary.column_start >= 1);
            assert!(d.code.as_ref().is_some_and(|c| c.code.starts_with("NL")));
            assert!(d.rendered.as_deref().unwrap_or("").contains("NL"));
            continue;
        }
        let msg: cargo_metadata::Message =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            matches!(msg, cargo_metadata::Message::BuildFinished(ref b) if !b.success),
            "{line}"
        );
    }
    assert_eq!(diagnostics, lines.len() - 1, "then one build-finished line");
    // A safe fix is a machine-applicable suggestion the editor can apply.
    let fix = lines
        .iter()
        .filter_map(|l| serde_json::from_str::<cargo_metadata::diagnostic::Diagnostic>(l).ok())
        .flat_map(|d| d.children)
        .flat_map(|c| c.spans)
        .find(|s| s.suggested_replacement.is_some())
        .expect("a suggestion");
    assert_eq!(
        fix.suggestion_applicability,
        Some(cargo_metadata::diagnostic::Applicability::MachineApplicable)
    );
    assert!(!out.stdout.contains(CANARY));
}

#[test]
fn several_formats_in_one_run() {
    let p = canary_project();
    let out = p.run(&[
        "--format",
        "json",
        "--output",
        "sarif=reports/neon-lint.sarif",
        "-o",
        "github=reports/annotations.txt",
        "--output",
        "human=reports/report.txt",
        "--output",
        "cargo=reports/cargo.jsonl",
        "--output",
        "short=reports/short.txt",
        ".",
    ]);
    assert_eq!(out.code, 1, "{}", out.all());
    let n = out.codes().len();
    assert!(n >= 5);
    let sarif: Value =
        serde_json::from_str(&p.read("reports/neon-lint.sarif")).expect("sarif file");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(n)
    );
    assert_eq!(p.read("reports/annotations.txt").lines().count(), n);
    assert_eq!(p.read("reports/short.txt").lines().count(), n);
    assert_eq!(p.read("reports/cargo.jsonl").lines().count(), n + 1);
    let human = p.read("reports/report.txt");
    assert!(
        human.contains("files scanned") && !human.contains('\u{1b}'),
        "{human}"
    );
    for f in [
        "neon-lint.sarif",
        "annotations.txt",
        "report.txt",
        "cargo.jsonl",
        "short.txt",
    ] {
        assert!(!p.read(&format!("reports/{f}")).contains(CANARY), "{f}");
    }
}

#[test]
fn the_canary_is_in_no_format_no_output_file_and_no_baseline() {
    let p = canary_project();
    let mut runs = Vec::new();
    for f in ["human", "short", "json", "sarif", "github", "cargo"] {
        runs.push(p.run(&["--format", f, "--color", "always", "."]));
    }
    runs.push(p.run(&["--diff", "."]));
    runs.push(p.run(&["--write-baseline", "b.json", "."]));
    runs.push(p.run(&["--baseline", "b.json", "."]));
    for out in &runs {
        assert!(out.stdout.len() + out.stderr.len() > 20, "{}", out.all());
        assert!(!out.stdout.contains(CANARY), "{}", out.all());
        assert!(!out.stderr.contains(CANARY), "{}", out.all());
    }
    assert!(!p.read("b.json").contains(CANARY));
    let diff = &runs[6].stdout;
    assert!(
        diff.contains("+DATABASE_URL=postgresql://app:****@"),
        "{diff}"
    );
}

#[test]
fn zero_files_are_announced_in_every_format() {
    let p = Project::new(&[]);
    std::fs::create_dir_all(p.join("empty")).expect("mkdir");
    let out = p.run(&["empty"]);
    assert_eq!(out.code, 0);
    assert!(out.stdout.contains("no files to lint"), "{}", out.all());
    for f in ["json", "sarif", "short", "github", "cargo"] {
        let out = p.run(&["--format", f, "empty"]);
        assert_eq!(out.code, 0);
        assert!(
            out.stderr.contains("no files to lint"),
            "{f}: {}",
            out.all()
        );
    }
}

/// Runs `neon-lint ARGS` under a pseudo-terminal (`script`), so stderr is a TTY.
#[cfg(unix)]
fn run_on_tty(p: &Project, args: &str) -> Option<String> {
    let script = std::process::Command::new("script")
        .arg("--version")
        .output()
        .ok()?;
    if !script.status.success() {
        return None;
    }
    let cmd = format!("{} {args}", ux::bin());
    let out = std::process::Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .current_dir(p.path())
        .env("NEON_LINT_PROGRESS_DELAY_MS", "0")
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(unix)]
#[test]
fn progress_shows_on_a_terminal_for_humans_only() {
    let mut files: Vec<(String, String)> = Vec::new();
    for i in 0..400 {
        files.push((
            format!("svc{i}/config.toml"),
            format!("url = \"{NO_SSLMODE}\"\n"),
        ));
    }
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let p = Project::new(&refs);
    let Some(human) = run_on_tty(&p, "--format human .") else {
        eprintln!("SKIPPED progress_shows_on_a_terminal_for_humans_only: `script` (util-linux) is not available to make a terminal");
        return;
    };
    assert!(human.contains("neon-lint: "), "{human}");
    assert!(
        human.contains("\u{1b}[2K"),
        "the line is drawn and erased: {human:?}"
    );
    let json = run_on_tty(&p, "--format json .").expect("script ran before");
    assert!(
        !json.contains("\u{1b}[2K"),
        "no progress with a machine format"
    );
    let v: Value = serde_json::from_str(json.trim()).expect("clean JSON on the terminal");
    assert_eq!(v.as_array().map(Vec::len), Some(400));
    // Not a terminal: never.
    let out = p.run(&["."]);
    assert!(!out.stderr.contains("\u{1b}[2K"), "{}", out.stderr);
}
