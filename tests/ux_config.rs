//! Configuration discovery and errors, rule levels, and exit codes (`-A/-W/-D`,
//! `-D warnings`).

mod ux;

use ux::{Project, NO_SSLMODE, UNVERIFIED, WRONG_PORT};

fn env_line(url: &str) -> String {
    format!("DATABASE_URL={url}\n")
}

fn severity_of(out: &ux::Out, code: &str) -> Option<String> {
    out.findings()
        .into_iter()
        .find(|f| f.0 == code)
        .map(|f| f.1)
}

#[test]
fn neon_lint_toml_is_found_from_a_subfolder() {
    let p = Project::new(&[
        ("neon-lint.toml", "[rules]\nmissing-sslmode = \"warn\"\n"),
        ("svc/api/.env", &env_line(NO_SSLMODE)),
    ]);
    let out = p.run_in("svc/api", &["--format", "json", "."]);
    assert_eq!(
        severity_of(&out, "NL001").as_deref(),
        Some("warning"),
        "{}",
        out.all()
    );
    assert_eq!(
        out.code,
        0,
        "a warning does not fail the run\n{}",
        out.all()
    );
}

#[test]
fn hidden_config_file_name_works_and_two_files_are_an_error() {
    let p = Project::new(&[
        (".neon-lint.toml", "[rules]\nNL001 = \"allow\"\n"),
        (".env", &env_line(NO_SSLMODE)),
    ]);
    let out = p.run(&["--format", "json", "."]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(!out.codes().contains(&"NL001".to_string()));

    p.write("neon-lint.toml", "");
    let out = p.run(&["."]);
    assert_eq!(out.code, 2, "{}", out.all());
    assert!(out.stderr.contains("keep one"), "{}", out.all());
}

#[test]
fn cargo_metadata_tables_configure_levels() {
    for table in ["workspace.metadata.neon-lint", "package.metadata.neon-lint"] {
        let manifest = format!(
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[{table}]\nrules = {{ missing-sslmode = \"allow\" }}\n"
        );
        let p = Project::new(&[("Cargo.toml", &manifest), (".env", &env_line(NO_SSLMODE))]);
        let out = p.run(&["--format", "json", "."]);
        assert_eq!(out.code, 0, "[{table}]\n{}", out.all());
        assert!(!out.codes().contains(&"NL001".to_string()), "[{table}]");
    }
}

#[test]
fn a_manifest_without_a_neon_lint_table_is_not_a_config() {
    // Cargo.toml names neon-lint as a dependency only: keep looking upward.
    let p = Project::new(&[
        ("neon-lint.toml", "[rules]\nmissing-sslmode = \"warn\"\n"),
        (
            "app/Cargo.toml",
            "[package]\nname = \"app\"\nversion = \"0.1.0\"\n[dev-dependencies]\nneon-lint = \"0.1\"\n",
        ),
        ("app/.env", &env_line(NO_SSLMODE)),
    ]);
    let out = p.run_in("app", &["--format", "json", "."]);
    assert_eq!(severity_of(&out, "NL001").as_deref(), Some("warning"));
}

#[test]
fn pyproject_tool_table_configures_levels() {
    let p = Project::new(&[
        (
            "pyproject.toml",
            "[project]\nname = \"app\"\n\n[tool.neon-lint.rules]\nwrong-port = \"error\"\n",
        ),
        (".env", &env_line(WRONG_PORT)),
    ]);
    let out = p.run(&["--format", "json", "."]);
    assert_eq!(severity_of(&out, "NL007").as_deref(), Some("error"));
    assert_eq!(out.code, 1, "{}", out.all());
}

#[test]
fn the_nearest_config_wins_and_parents_are_not_merged() {
    let p = Project::new(&[
        (
            "neon-lint.toml",
            "[rules]\nmissing-sslmode = \"allow\"\nwrong-port = \"allow\"\n",
        ),
        ("svc/neon-lint.toml", "[rules]\nwrong-port = \"error\"\n"),
        ("svc/.env", &(env_line(NO_SSLMODE) + &env_line(WRONG_PORT))),
    ]);
    let out = p.run_in("svc", &["--format", "json", "."]);
    assert_eq!(severity_of(&out, "NL007").as_deref(), Some("error"));
    assert_eq!(
        severity_of(&out, "NL001").as_deref(),
        Some("error"),
        "the parent's `allow` does not leak in\n{}",
        out.all()
    );
}

#[test]
fn discovery_stops_at_the_repository_root() {
    let outer = Project::bare(&[("neon-lint.toml", "[rules]\nmissing-sslmode = \"allow\"\n")]);
    std::fs::create_dir_all(outer.join("repo/.git")).expect(".git");
    outer.write("repo/.gitignore", ".env\n");
    outer.write("repo/.env", &env_line(NO_SSLMODE));
    let out = outer.run_in("repo", &["--format", "json", "."]);
    assert_eq!(severity_of(&out, "NL001").as_deref(), Some("error"));
}

#[test]
fn explicit_config_file_is_used_and_a_missing_one_fails() {
    let p = Project::new(&[
        ("ci/lint.toml", "[rules]\nmissing-sslmode = \"info\"\n"),
        (".env", &env_line(NO_SSLMODE)),
    ]);
    let out = p.run(&["--config", "ci/lint.toml", "--format", "json", "."]);
    assert_eq!(severity_of(&out, "NL001").as_deref(), Some("info"));
    assert_eq!(out.code, 0);
    let out = p.run(&["--config", "ci/nope.toml", "."]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("cannot read config"), "{}", out.all());
}

#[test]
fn config_errors_exit_2_with_a_suggestion() {
    let cases: &[(&str, &str)] = &[
        ("exlude = [\"x\"]\n", "did you mean `exclude`"),
        (
            "[rules]\nmissing-sslmod = \"warn\"\n",
            "did you mean `missing-sslmode`",
        ),
        (
            "[rules]\nmissing-sslmode = \"fatal\"\n",
            "unknown level \"fatal\"",
        ),
        ("[rules]\nmissing-sslmode = 3\n", "must be \"allow\""),
        ("exclude = \"fixtures\"\n", "`exclude` must be a list"),
        ("pooler-prepared-statements = \"yes\"\n", "true or false"),
        ("rules = [\n", "not valid TOML"),
        ("exclude = [\"a/[\"]\n", "invalid exclude glob"),
    ];
    for (toml, want) in cases {
        let p = Project::new(&[("neon-lint.toml", toml), (".env", &env_line(NO_SSLMODE))]);
        let out = p.run(&["."]);
        assert_eq!(out.code, 2, "{toml}\n{}", out.all());
        assert!(
            out.stderr.contains(want),
            "{toml}: want {want}\n{}",
            out.all()
        );
        assert!(
            out.stderr.contains("neon-lint.toml"),
            "the message names the file\n{}",
            out.all()
        );
        assert!(out.stdout.is_empty(), "no report on a config error");
    }
}

#[test]
fn exclude_globs_skip_walked_files_and_force_exclude_skips_named_ones() {
    let p = Project::new(&[
        ("neon-lint.toml", "exclude = [\"fixtures/**\"]\n"),
        ("fixtures/app.toml", &format!("url = \"{NO_SSLMODE}\"\n")),
        ("src/app.toml", &format!("url = \"{UNVERIFIED}\"\n")),
    ]);
    let out = p.run(&["--format", "json", "."]);
    assert_eq!(out.codes(), ["NL003"], "{}", out.all());
    // A named file is read anyway...
    let out = p.run(&["--format", "json", "fixtures/app.toml"]);
    assert_eq!(out.codes(), ["NL001"], "{}", out.all());
    // ...unless --force-exclude (what the pre-commit hook passes); then the run says it
    // scanned nothing.
    let out = p.run(&["--force-exclude", "fixtures/app.toml"]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert!(out.stdout.contains("no files to lint"), "{}", out.all());
    let out = p.run(&[
        "--force-exclude",
        "--format",
        "json",
        "fixtures/app.toml",
        "src/app.toml",
    ]);
    assert_eq!(out.codes(), ["NL003"], "{}", out.all());
}

#[test]
fn levels_and_exit_codes() {
    let p = Project::new(&[(
        ".env",
        &(env_line(NO_SSLMODE) + &env_line(WRONG_PORT) + &env_line(UNVERIFIED)),
    )]);
    // (args, exit status, severity of NL001, NL007, NL003)
    type Case<'a> = (
        &'a [&'a str],
        i32,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a str>,
    );
    let cases: &[Case] = &[
        (&[], 1, Some("error"), Some("warning"), Some("info")),
        (
            &["-A", "missing-sslmode"],
            0,
            None,
            Some("warning"),
            Some("info"),
        ),
        (&["-A", "NL001"], 0, None, Some("warning"), Some("info")),
        (&["-A", "nl001"], 0, None, Some("warning"), Some("info")),
        (
            &["-W", "missing-sslmode"],
            0,
            Some("warning"),
            Some("warning"),
            Some("info"),
        ),
        (
            &["-W", "NL001", "-D", "warnings"],
            1,
            Some("warning"),
            Some("warning"),
            Some("info"),
        ),
        (
            &["-A", "NL001", "-D", "warnings"],
            1,
            None,
            Some("warning"),
            Some("info"),
        ),
        (
            &["-A", "NL001", "-A", "NL007", "-D", "warnings"],
            0,
            None,
            None,
            Some("info"),
        ),
        (
            &["-A", "NL001", "-D", "wrong-port"],
            1,
            None,
            Some("error"),
            Some("info"),
        ),
        (
            &["-A", "NL001", "-D", "unverified-tls"],
            1,
            None,
            Some("warning"),
            Some("error"),
        ),
        (
            &["-A", "NL001", "--deny", "warnings", "--allow", "wrong-port"],
            0,
            None,
            None,
            Some("info"),
        ),
    ];
    for (args, code, s1, s7, s3) in cases {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        all.push(".");
        let out = p.run(&all);
        assert_eq!(out.code, *code, "{args:?}\n{}", out.all());
        assert_eq!(severity_of(&out, "NL001").as_deref(), *s1, "{args:?}");
        assert_eq!(severity_of(&out, "NL007").as_deref(), *s7, "{args:?}");
        assert_eq!(severity_of(&out, "NL003").as_deref(), *s3, "{args:?}");
    }
}

#[test]
fn command_line_levels_override_the_config_file() {
    let p = Project::new(&[
        ("neon-lint.toml", "[rules]\nwrong-port = \"error\"\n"),
        (".env", &env_line(WRONG_PORT)),
    ]);
    assert_eq!(p.run(&["."]).code, 1);
    let out = p.run(&["-W", "wrong-port", "--format", "json", "."]);
    assert_eq!(out.code, 0, "{}", out.all());
    assert_eq!(severity_of(&out, "NL007").as_deref(), Some("warning"));
}

#[test]
fn bad_level_flags_are_usage_errors() {
    let p = Project::new(&[(".env", &env_line(NO_SSLMODE))]);
    for (args, want) in [
        (
            &["-D", "missing-sslmod", "."][..],
            "did you mean `missing-sslmode`",
        ),
        (&["-W", "warnings", "."][..], "can only be denied"),
        (&["-A", "NL999", "."][..], "unknown rule `NL999`"),
        (&["--format", "xml", "."][..], "xml"),
        (&["--output", "sarif", "."][..], "FORMAT=FILE"),
        (&["--output", "pdf=x.pdf", "."][..], "unknown format `pdf`"),
        (
            &["--message-format", "yaml", "."][..],
            "unknown message format",
        ),
    ] {
        let out = p.run(args);
        assert_eq!(out.code, 2, "{args:?}\n{}", out.all());
        assert!(
            out.stderr.contains(want),
            "{args:?}: want {want}\n{}",
            out.all()
        );
    }
}
