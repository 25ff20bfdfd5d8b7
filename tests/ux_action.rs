//! The GitHub Action (`action.yml`) and the example workflow the README quotes.
//!
//! - Both pass a real validator: `check-jsonschema` from PyPI with its vendored
//!   `github-actions` and `github-workflows` schemas (`.ci/run` installs it; set
//!   `NEON_LINT_CHECK_JSONSCHEMA`, or have it on `PATH`). Without it those checks print
//!   `SKIP: <reason>`.
//! - The action's shell steps are run here, as the runner would run them (bash, with
//!   `GITHUB_OUTPUT` and `RUNNER_TEMP`), against the built binary: annotations, SARIF, and
//!   the exit status `fail-on` asks for.
//! - The README's copy of the workflow is the file, byte for byte.

mod ux;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use ux::{repo_root, Project, NO_SSLMODE, WRONG_PORT};
use yaml_rust2::{Yaml, YamlLoader};

const EXAMPLE: &str = "docs/examples/neon-lint.yml";

fn say(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// `check-jsonschema`, or `None` after printing why the check is skipped.
fn validator() -> Option<PathBuf> {
    let candidate = std::env::var_os("NEON_LINT_CHECK_JSONSCHEMA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("check-jsonschema"));
    match Command::new(&candidate).arg("--version").output() {
        Ok(o) if o.status.success() => Some(candidate),
        _ => {
            say(&format!(
                "SKIP: `{}` does not run (pip install check-jsonschema, or set \
                 NEON_LINT_CHECK_JSONSCHEMA as .ci/run does)",
                candidate.display()
            ));
            None
        }
    }
}

fn validate(validator: &Path, schema: &str, file: &Path) -> (bool, String) {
    let out = Command::new(validator)
        .args(["--builtin-schema", schema])
        .arg(file)
        .output()
        .expect("run check-jsonschema");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_action_and_the_example_workflow_pass_the_schema_validator() {
    let Some(v) = validator() else { return };
    let root = repo_root();
    let (ok, text) = validate(&v, "vendor.github-actions", &root.join("action.yml"));
    assert!(ok, "action.yml:\n{text}");
    let (ok, text) = validate(&v, "vendor.github-workflows", &root.join(EXAMPLE));
    assert!(ok, "{EXAMPLE}:\n{text}");

    // The validator really checks: a misspelt key in each is rejected.
    let tmp = tempfile::tempdir().expect("tempdir");
    let action = std::fs::read_to_string(root.join("action.yml")).expect("read");
    let broken = tmp.path().join("action.yml");
    std::fs::write(
        &broken,
        action.replacen("using: composite", "using: compsite", 1),
    )
    .expect("write");
    assert!(!validate(&v, "vendor.github-actions", &broken).0);
    let workflow = std::fs::read_to_string(root.join(EXAMPLE)).expect("read");
    let broken = tmp.path().join("workflow.yml");
    std::fs::write(&broken, workflow.replacen("runs-on:", "run-on:", 1)).expect("write");
    assert!(!validate(&v, "vendor.github-workflows", &broken).0);
}

#[test]
fn the_readme_quotes_the_example_workflow_verbatim() {
    let readme = std::fs::read_to_string(repo_root().join("README.md")).expect("README");
    let marker = format!("<!-- quoted from {EXAMPLE} -->");
    let at = readme
        .find(&marker)
        .unwrap_or_else(|| panic!("README.md has no `{marker}`"));
    let rest = &readme[at + marker.len()..];
    let open = rest
        .find("```yaml\n")
        .expect("a yaml block after the marker")
        + 8;
    let close = rest[open..].find("\n```").expect("closed block") + open + 1;
    let file = std::fs::read_to_string(repo_root().join(EXAMPLE)).expect("example");
    assert_eq!(&rest[open..close], file, "README copy != {EXAMPLE}");
}

/// The action's steps, by name.
fn steps() -> HashMap<String, Yaml> {
    let text = std::fs::read_to_string(repo_root().join("action.yml")).expect("action.yml");
    let doc = YamlLoader::load_from_str(&text).expect("YAML").remove(0);
    assert_eq!(doc["runs"]["using"].as_str(), Some("composite"));
    doc["runs"]["steps"]
        .as_vec()
        .expect("steps")
        .iter()
        .map(|s| (s["name"].as_str().unwrap_or("").to_string(), s.clone()))
        .collect()
}

struct StepRun {
    code: i32,
    stdout: String,
    outputs: HashMap<String, String>,
}

/// Runs the `run:` script of step `name` in `dir` as the runner does (bash, the step's
/// `env:` replaced by `env`), with the built neon-lint first on `PATH`.
fn run_step(name: &str, dir: &Path, env: &[(&str, &str)]) -> StepRun {
    let steps = steps();
    let step = steps
        .get(name)
        .unwrap_or_else(|| panic!("no step `{name}`"));
    let script = step["run"].as_str().expect("a run step");
    let tmp = tempfile::tempdir().expect("tempdir");
    let output_file = tmp.path().join("github_output");
    std::fs::write(&output_file, "").expect("write");
    let bin_dir = Path::new(ux::bin()).parent().expect("bin dir");
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("bash");
    cmd.args([
        "--noprofile",
        "--norc",
        "-e",
        "-o",
        "pipefail",
        "-c",
        script,
    ])
    .current_dir(dir)
    .env("PATH", path)
    .env("NO_COLOR", "1")
    .env("GITHUB_OUTPUT", &output_file)
    .env("RUNNER_TEMP", tmp.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("bash");
    let outputs = std::fs::read_to_string(&output_file)
        .expect("outputs")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut outputs: HashMap<String, String> = outputs;
    // The SARIF lives in RUNNER_TEMP, gone with `tmp`: keep its text.
    if let Some(p) = outputs.get("sarif-file").cloned() {
        outputs.insert(
            "sarif".into(),
            std::fs::read_to_string(p).unwrap_or_default(),
        );
    }
    StepRun {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        outputs,
    }
}

fn lint_step(p: &Project, fail_on: &str, extra: &[(&str, &str)]) -> StepRun {
    let mut env = vec![
        ("NL_PATHS", "."),
        ("NL_CONFIG", ""),
        ("NL_FAIL_ON", fail_on),
        ("NL_ARGS", ""),
    ];
    env.extend_from_slice(extra);
    run_step("Run neon-lint", p.path(), &env)
}

fn fail_step(code: &str, fail_on: &str) -> i32 {
    let dir = tempfile::tempdir().expect("tempdir");
    run_step(
        "Fail on findings",
        dir.path(),
        &[("NL_CODE", code), ("NL_FAIL_ON", fail_on)],
    )
    .code
}

#[test]
fn the_lint_step_annotates_writes_sarif_and_reports_the_exit_status() {
    let p = Project::new(&[(".env", &format!("DATABASE_URL={NO_SSLMODE}\n"))]);
    let run = lint_step(&p, "error", &[]);
    // The step itself succeeds: failing is the last step's job, after the SARIF upload.
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.outputs["exit-code"], "1");
    assert!(
        run.stdout.contains("::error file=.env,line=1"),
        "workflow commands on stdout:\n{}",
        run.stdout
    );
    let sarif: serde_json::Value = serde_json::from_str(&run.outputs["sarif"]).expect("SARIF");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"][0]["ruleId"], "NL001");

    // `config` and `args` reach the command line; a path list is split on spaces.
    p.write("neon-lint.toml", "[rules]\nmissing-sslmode = \"warn\"\n");
    p.write("other/.env", &format!("DATABASE_URL={NO_SSLMODE}\n"));
    let run = lint_step(
        &p,
        "error",
        &[
            ("NL_PATHS", ".env other"),
            ("NL_CONFIG", "neon-lint.toml"),
            ("NL_ARGS", "-A unverified-tls"),
        ],
    );
    assert_eq!(run.outputs["exit-code"], "0", "{}", run.stdout);
    assert_eq!(
        run.stdout.matches("::warning file=").count(),
        2,
        "{}",
        run.stdout
    );
}

#[test]
fn fail_on_warning_counts_warnings_and_a_bad_value_is_refused() {
    let p = Project::new(&[(".env", &format!("DATABASE_URL={WRONG_PORT}\n"))]);
    assert_eq!(lint_step(&p, "error", &[]).outputs["exit-code"], "0");
    assert_eq!(lint_step(&p, "warning", &[]).outputs["exit-code"], "1");
    let bad = lint_step(&p, "sometimes", &[]);
    assert_eq!(bad.code, 2, "{}", bad.stdout);
    assert!(bad.stdout.contains("::error title=neon-lint::fail-on"));
}

#[test]
fn the_last_step_fails_as_fail_on_says() {
    assert_eq!(fail_step("0", "error"), 0);
    assert_eq!(fail_step("1", "error"), 1);
    assert_eq!(fail_step("1", "warning"), 1);
    assert_eq!(fail_step("1", "never"), 0);
    // A failed run (usage, configuration, I/O) fails whatever fail-on says.
    assert_eq!(fail_step("2", "never"), 2);
    assert_eq!(fail_step("", "never"), 2);
}

#[test]
fn the_action_installs_from_its_checkout_and_uploads_sarif() {
    let steps = steps();
    let install = steps["Install neon-lint"]["run"].as_str().expect("run");
    assert!(install.contains("cargo install --locked --force --path \"$ACTION_PATH\""));
    assert_eq!(
        steps["Install neon-lint"]["env"]["ACTION_PATH"].as_str(),
        Some("${{ github.action_path }}")
    );
    let cache = &steps["Cache the neon-lint build"];
    assert_eq!(cache["uses"].as_str(), Some("actions/cache@v4"));
    assert!(cache["with"]["key"]
        .as_str()
        .is_some_and(|k| k.contains("steps.version.outputs.version")));
    let upload = &steps["Upload SARIF to code scanning"];
    assert_eq!(
        upload["uses"].as_str(),
        Some("github/codeql-action/upload-sarif@v3")
    );
    // Inputs reach scripts through `env:` only: no `${{ }}` inside a script.
    for (name, step) in &steps {
        if let Some(script) = step["run"].as_str() {
            assert!(
                !script.contains("${{"),
                "step `{name}` splices an expression"
            );
        }
    }
}
