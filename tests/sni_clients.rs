//! Clients too old to send TLS SNI (issue 19, `client-without-sni`, NL052): each fixture
//! project under `tests/fixtures/sni/` is linted by the built binary and must produce
//! exactly the listed (path, code, line, severity) findings. Every ecosystem has an old
//! pin flagged at its line, a current pin silent, and `not-neon` holds the same old pins
//! in a project that does not connect to Neon: silent.

mod common;

use common::run;

/// (path, code, line, severity) of one finding.
type Finding = (String, String, usize, String);

/// (path, code, line, severity) of the NL052 findings, plus their messages and helps.
fn lint(dir: &str, args: &[&str]) -> (Vec<Finding>, Vec<String>) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    all.push(".");
    let out = run(&all, dir);
    assert!(
        out.code == 0 || out.code == 1,
        "{dir}: exit {}\n{}",
        out.code,
        out.stderr
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let mut got = Vec::new();
    let mut texts = Vec::new();
    for d in v.as_array().expect("array") {
        if d["code"] != "NL052" {
            continue;
        }
        got.push((
            d["path"].as_str().unwrap_or("").to_string(),
            d["code"].as_str().unwrap_or("").to_string(),
            d["line"].as_u64().unwrap_or(0) as usize,
            d["severity"].as_str().unwrap_or("").to_string(),
        ));
        texts.push(format!(
            "{} | {}",
            d["message"].as_str().unwrap_or(""),
            d["help"].as_str().unwrap_or("")
        ));
    }
    (got, texts)
}

fn check(dir: &str, expected: &[(&str, usize, &str)]) -> Vec<String> {
    let (got, texts) = lint(&format!("tests/fixtures/sni/{dir}"), &[]);
    let want: Vec<_> = expected
        .iter()
        .map(|(p, l, s)| (p.to_string(), "NL052".to_string(), *l, s.to_string()))
        .collect();
    assert_eq!(got, want, "{dir}\n{texts:#?}");
    texts
}

#[test]
fn python_pins_too_old_for_sni_are_flagged_at_their_line_with_the_fixed_version() {
    let texts = check(
        "python-old",
        &[
            // Pipfile's PEP 440 specifier.
            ("Pipfile", 7, "error"),
            ("Pipfile.lock", 10, "error"),
            ("pdm.lock", 9, "error"),
            ("poetry.lock", 10, "error"),
            ("requirements.txt", 3, "error"),
            // TLS only when asked for: a warning.
            ("requirements.txt", 4, "warning"),
            // libpq < 14 only in the aarch64 / musllinux wheels, and no file shows those.
            ("uv.lock", 6, "warning"),
        ],
    );
    assert!(texts[1].contains("`asyncpg` 0.9.0") && texts[1].contains("0.10.0 or newer"));
    assert!(texts[4].contains("`psycopg2-binary` 2.8.6") && texts[4].contains("2.9.2 or newer"));
    // The workaround, with the project's own endpoint ID.
    assert!(
        texts[4].contains("options=endpoint%3Dep-broad-sun-a1b2c3d4"),
        "{}",
        texts[4]
    );
    assert!(texts[6].contains("aarch64 Linux") && texts[6].contains("3.0.15 or newer"));
}

#[test]
fn python_current_pins_are_silent() {
    check("python-current", &[]);
}

#[test]
fn platform_dependent_wheels_are_errors_where_the_project_shows_the_platform() {
    let texts = check(
        "python-arm64",
        &[
            ("requirements.txt", 1, "error"),
            ("requirements.txt", 2, "error"),
        ],
    );
    assert!(
        texts[0].contains("aarch64 Linux (`Dockerfile:1`)"),
        "{}",
        texts[0]
    );
    assert!(texts[0].contains("2.9.6 or newer"), "{}", texts[0]);
    let texts = check("python-alpine", &[("requirements.txt", 1, "error")]);
    assert!(texts[0].contains("musl Linux (Alpine)"), "{}", texts[0]);
}

#[test]
fn an_arm64_ci_runner_is_platform_evidence_too() {
    let texts = check(
        "python-ci-arm64",
        &[
            ("requirements.txt", 1, "error"),
            // `psycopg[binary]==3.0.14` installs psycopg-binary 3.0.14.
            ("requirements.txt", 2, "error"),
        ],
    );
    assert!(
        texts[0].contains("(`.github/workflows/deploy.yml:5`)"),
        "{}",
        texts[0]
    );
    assert!(
        texts[1].contains("`psycopg[binary,pool]` 3.0.14") && texts[1].contains("3.0.15 or newer"),
        "{}",
        texts[1]
    );
}

#[test]
fn node_lock_files_old_postgres_js_flagged_current_silent() {
    let texts = check(
        "node-old",
        &[
            ("package-lock.json", 15, "error"),
            // An exact version in package.json pins too.
            ("package.json", 5, "error"),
            ("web/yarn.lock", 6, "error"),
            ("worker/pnpm-lock.yaml", 13, "error"),
        ],
    );
    assert!(texts
        .iter()
        .all(|t| t.contains("`postgres` 3.3.4 or newer")));
    assert!(texts[0].contains("endpoint=ep-broad-sun-a1b2c3d4;<password>"));
    // `~3.3.0` in package.json can resolve 3.3.4: only the lock file (3.4.4 here) decides.
    check("node-current", &[]);
}

#[test]
fn go_mod_old_lib_pq_and_pgx_v4_flagged_with_verify_full_workaround() {
    let texts = check("go-old", &[("go.mod", 5, "error"), ("go.mod", 8, "error")]);
    assert!(texts[0].contains("v1.10.7 or newer") && texts[0].contains("sslmode=verify-full"));
    assert!(texts[1].contains("v4.18.0 or newer"));
    // pgx v4.17.2 with pgconn v1.14.3 sends SNI; v5 and lib/pq v1.10.9 too.
    check("go-current", &[]);
}

#[test]
fn gemfile_lock_old_windows_pg_gem_flagged_source_gem_silent() {
    let texts = check("ruby-old", &[("Gemfile.lock", 4, "error")]);
    assert!(texts[0].contains("1.3.0 or newer"));
    check("ruby-current", &[]);
}

#[test]
fn dockerfiles_installing_or_carrying_an_old_libpq_are_flagged() {
    let texts = check(
        "docker-old",
        &[
            // `apt-get install libpq-dev` on a bullseye stage (followed through `FROM base`).
            ("Dockerfile", 5, "error"),
            // `libpq5=13.*`: the version decides whatever the base.
            ("ci/Dockerfile", 2, "error"),
            ("tools/Dockerfile", 2, "error"),
            // python:${PYTHON_VERSION}-bullseye (an ARG default) carries libpq 13, and psycopg2
            // (source) loads it.
            ("worker.Dockerfile", 2, "error"),
        ],
    );
    assert!(
        texts[0].contains("Debian 11 bullseye installs libpq 13"),
        "{}",
        texts[0]
    );
    assert!(
        texts[3].contains("`psycopg2` (`requirements.txt`)"),
        "{}",
        texts[3]
    );
    // bookworm, Alpine 3.19, and bullseye with the PGDG repository added.
    check("docker-current", &[]);
}

#[test]
fn cargo_lock_decides_whether_diesel_loads_the_system_libpq() {
    check("rust-diesel-old", &[("Dockerfile", 1, "error")]);
    // pq-src bundles libpq 17: the old base image does not matter.
    check("rust-current", &[]);
}

#[test]
fn only_the_program_that_connects_to_neon_is_judged() {
    // `api/` has a Neon URL; `legacy/` (same old pin, and an arm64 Dockerfile) does not. The
    // arm64 Dockerfile of `legacy/` is no evidence for `api/` either: 2.9.3 stays a warning.
    check(
        "monorepo",
        &[
            ("api/requirements.txt", 1, "error"),
            ("api/requirements.txt", 2, "warning"),
        ],
    );
}

#[test]
fn mix_lock_old_postgrex_flagged_with_its_ssl_option() {
    let texts = check("elixir-old", &[("mix.lock", 3, "error")]);
    assert!(texts[0].contains("0.18.0 or newer") && texts[0].contains("server_name_indication"));
    check("elixir-current", &[]);
}

#[test]
fn conda_environment_libpq_and_pip_pins() {
    let texts = check(
        "conda-old",
        &[
            ("environment.yml", 6, "error"),
            ("environment.yml", 9, "error"),
        ],
    );
    assert!(
        texts[0].contains("`libpq=13.3` installs libpq 13") && texts[0].contains("`libpq>=14`")
    );
    check("conda-current", &[]);
}

#[test]
fn a_project_that_does_not_connect_to_neon_is_silent() {
    check("not-neon", &[]);
}

#[test]
fn a_configured_level_applies_to_every_finding_of_the_rule() {
    let (got, _) = lint(
        "tests/fixtures/sni/python-old",
        &["-W", "client-without-sni"],
    );
    assert_eq!(got.len(), 7);
    assert!(got.iter().all(|g| g.3 == "warning"), "{got:?}");
    let (got, _) = lint("tests/fixtures/sni/python-old", &["-A", "NL052"]);
    assert!(got.is_empty());
}

#[test]
fn an_inline_allow_silences_one_pin() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(
        root.join(".env"),
        "DATABASE_URL=postgresql://app@ep-broad-sun-a1b2c3d4.us-east-2.aws.neon.tech/neondb?sslmode=require\n",
    )
    .expect("write");
    std::fs::write(
        root.join("requirements.txt"),
        "# neon-lint: allow(client-without-sni)\npsycopg2-binary==2.8.6\npsycopg2-binary==2.9.1\n",
    )
    .expect("write");
    let (got, _) = lint(root.to_str().expect("utf8"), &[]);
    let lines: Vec<usize> = got.iter().map(|g| g.2).collect();
    assert_eq!(lines, [3]);
}

#[test]
fn the_rule_doc_quotes_the_proxy_error_texts() {
    let out = run(&["--explain", "client-without-sni"], ".");
    for text in [
        "Endpoint ID is not specified",
        "The endpoint ID is not specified",
        "SNI info is missing, please upgrade the postgres client library",
        "SNI is missing. EITHER please upgrade the postgres client library",
        "Project name is not specified",
    ] {
        assert!(out.stdout.contains(text), "{text}\n{}", out.stdout);
    }
}
