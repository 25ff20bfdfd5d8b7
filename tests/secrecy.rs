//! A canary password, in every form it takes in real files (plain, percent-encoded,
//! quoted key/value with an escaped quote, JDBC query, Rust escapes, `PGPASSWORD=`, docs,
//! `vercel.json`/`netlify.toml`/`wrangler.toml` variables),
//! never appears in any output format, nor in `neon-lint url`.

mod common;

use common::{run, run_bin};

const CANARY: &str = "Cn4ry";

fn assert_clean(what: &str, out: &common::Output) {
    assert!(
        !out.stdout.contains(CANARY),
        "{what}: canary in stdout:\n{}",
        out.stdout
    );
    assert!(
        !out.stderr.contains(CANARY),
        "{what}: canary in stderr:\n{}",
        out.stderr
    );
}

#[test]
fn no_format_prints_the_canary() {
    let dir = "tests/fixtures/canary";
    for format in ["human", "short", "json", "github"] {
        for color in ["never", "always"] {
            let out = run(&["--format", format, "--color", color, "."], dir);
            assert_eq!(out.code, 1, "{format}: findings expected\n{}", out.stderr);
            assert!(
                out.stdout.len() > 100,
                "{format}: suspiciously little output"
            );
            assert_clean(format, &out);
        }
    }
}

#[test]
fn findings_are_reported_with_masked_snippets() {
    let out = run(
        &["--format", "human", "--color", "never", "."],
        "tests/fixtures/canary",
    );
    assert!(out.stdout.contains("****"), "{}", out.stdout);
    assert!(
        out.stdout.contains("hardcoded-credentials"),
        "{}",
        out.stdout
    );
}

#[test]
fn url_command_never_prints_the_canary() {
    let inputs = [
        "postgresql://app:Cn4ryPlainPw9@ep-quiet-lake-a1b2c3d4-pooler.us-east-2.aws.neon.tech/neondb?sslmode=disable",
        "postgresql://app:Cn4ry%40Encoded9@ep-x.us-east-2.aws.neon.tech/neondb?sslmdoe=require",
        "host=h password='Cn4ry quoted\\'pw' sslmode=prefer",
        "host=h password=Cn4ryKv nosuchkey=1",
        "postgresql://app:Cn4ry@h/db?password=Cn4ryQuery&password=Cn4ryOther",
        "jdbc:postgresql://h/db?user=a&password=Cn4ryJdbc",
        "postgresql://app:Cn4ry[broken@h:/db?%zz",
    ];
    for input in inputs {
        let out = run(&["url", "--json", input], ".");
        assert_clean(input, &out);
        let out = run(&["url", input], ".");
        assert_clean(input, &out);
    }
    let bin = env!("CARGO_BIN_EXE_neon-lint");
    let out = run_bin(bin, &["url", "--json", "-"], ".", Some(&inputs.join("\n")));
    assert_eq!(out.stdout.lines().count(), inputs.len());
    assert_clean("stdin", &out);
}

/// Every form of password the second attack used (`tests/fixtures/canary-forms`): invalid
/// percent-encodings in URI, query, JDBC and SQLAlchemy passwords (quoted by libpq's error
/// text), Alembic's `%%`, a URL split over adjacent Python literals, `password=os.getenv("PW",
/// "...")`, `cfg["password"] = ...`, Rust `.password("...")` and `format!` holes, YAML `''`
/// quoting and a value on the line after its key, JSON likewise, `ENV PGPASSWORD x`, a `.env`
/// value spanning lines.
const FORMS: &str = "tests/fixtures/canary-forms";

fn assert_no_canary(what: &str, text: &str) {
    assert!(!text.contains(CANARY), "{what}: canary printed:\n{text}");
}

#[test]
fn every_form_is_masked_in_every_format() {
    for format in ["human", "short", "json", "sarif", "github", "cargo"] {
        for color in ["never", "always"] {
            let out = run(&["--format", format, "--color", color, "."], FORMS);
            assert_eq!(out.code, 1, "{format}: findings expected\n{}", out.stderr);
            assert!(out.stdout.len() > 500, "{format}: little output");
            assert_clean(format, &out);
        }
    }
    // The invalid strings are still reported, with the mask where libpq quotes the token.
    let out = run(&["--format", "short", "."], FORMS);
    assert!(
        out.stdout
            .contains("invalid percent-encoded token: \"****\""),
        "{}",
        out.stdout
    );
}

#[test]
fn every_form_is_masked_in_the_diff_the_fix_and_output_files() {
    let out = run(&["--diff", "."], FORMS);
    assert!(out.stdout.contains("+++ b/"), "no diff:\n{}", out.stdout);
    assert_clean("--diff", &out);

    let dir = tempfile::tempdir().unwrap();
    let outputs: Vec<String> = ["human", "short", "json", "sarif", "github", "cargo"]
        .iter()
        .map(|f| format!("{f}={}", dir.path().join(format!("out.{f}")).display()))
        .collect();
    let mut args = vec!["."];
    for o in &outputs {
        args.extend(["--output", o.as_str()]);
    }
    let out = run(&args, FORMS);
    assert_clean("--output run", &out);
    for f in ["human", "short", "json", "sarif", "github", "cargo"] {
        let text = std::fs::read_to_string(dir.path().join(format!("out.{f}"))).unwrap();
        assert!(!text.is_empty(), "{f}: empty output file");
        assert_no_canary(&format!("--output {f}"), &text);
    }

    // `--fix` on a copy: what it prints, and what a second run prints, hold no password.
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(FORMS).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, copy.path().join(p.file_name().unwrap())).unwrap();
    }
    let root = copy.path().to_str().unwrap();
    let out = run(&["--fix", "."], root);
    assert!(out.stderr.contains("fixed"), "{}", out.stderr);
    assert_clean("--fix", &out);
    let out = run(&["--fix", "--format", "human", "."], root);
    assert_clean("second --fix", &out);
}

#[test]
fn url_command_masks_passwords_quoted_by_errors_and_nested_strings() {
    let inputs = [
        // libpq quotes the raw token of an invalid percent-encoding.
        "postgresql://app:Cn4ry%zzPct@ep-x.us-east-2.aws.neon.tech/neondb",
        "postgresql://app:Cn4ry%2@ep-x.us-east-2.aws.neon.tech/neondb",
        "postgresql://app:Cn4ry%00Nul@ep-x.us-east-2.aws.neon.tech/neondb",
        "postgresql://ep-x.us-east-2.aws.neon.tech/neondb?password=Cn4ry%zzQuery",
        "jdbc:postgresql://ep-x.us-east-2.aws.neon.tech/neondb?user=a&password=Cn4ry%zzJdbc",
        "postgresql+asyncpg://app:Cn4ry%zzSqla@ep-x.us-east-2.aws.neon.tech/neondb",
        // ... and the whole string when an IPv6 bracket is left open.
        "postgresql://app:Cn4ryIpv6@[::1/neondb",
        // A `dbname` that is itself a connection string, with its own password.
        "host=ep-x.us-east-2.aws.neon.tech dbname=postgresql://u:Cn4ryNested@h/db",
        "host=h dbname='host=h2 password=Cn4ryInner'",
    ];
    for input in inputs {
        for args in [vec!["url", "--json", input], vec!["url", input]] {
            let out = run(&args, ".");
            assert_clean(input, &out);
        }
    }
}

/// File names and contents are the scanned repository's: an escape sequence, a carriage
/// return or a line break in them must not reach a terminal or a CI log raw, where it could
/// rewrite the screen or forge a workflow command.
#[test]
fn control_characters_from_the_tree_are_made_visible() {
    let dir = tempfile::tempdir().unwrap();
    let host = "ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech";
    let evil_name = ".env.\u{1b}]0;pwned\u{7}\u{1b}[2J\r\n::error file=x::forged";
    std::fs::write(
        dir.path().join(evil_name),
        format!("DATABASE_URL=postgresql://app@{host}/neondb\u{1b}[2J\u{202e}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".env"),
        format!("X=1\rDATABASE_URL=postgresql://app@{host}/db\u{1b}]8;;http://x\u{7}\n"),
    )
    .unwrap();
    let root = dir.path().to_str().unwrap();
    for format in ["human", "short", "github"] {
        let out = run(&["--format", format, "--color", "never", "."], root);
        assert_eq!(out.code, 1, "{format}: {}", out.stderr);
        for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'),
                "{format} {stream}: raw control character:\n{text:?}"
            );
            assert!(
                !text.replace("\r\n", "\n").contains('\r'),
                "{format} {stream}: raw carriage return:\n{text:?}"
            );
        }
        assert!(out.stdout.contains("\\u{1b}"), "{format}: {}", out.stdout);
        if format == "github" {
            for line in out.stdout.lines() {
                assert!(
                    line.starts_with("::error ")
                        || line.starts_with("::warning ")
                        || line.starts_with("::notice "),
                    "forged line: {line:?}"
                );
                assert!(!line.contains("::error file=x::forged"), "{line}");
            }
        }
    }
    // Colours on: the only escapes are the colours themselves (CSI ... m).
    let out = run(&["--format", "human", "--color", "always", "."], root);
    assert!(
        !out.stdout.contains("\u{1b}]") && !out.stdout.contains("\u{1b}[2J"),
        "{:?}",
        out.stdout
    );
}

/// Configuration errors quote what the configuration says: redacted like every output.
#[test]
fn configuration_errors_mask_passwords() {
    for toml in [
        "exclude = [\"postgresql://u:Cn4ryGlob@h/[z\"]\n",
        "[rules]\n\"postgresql://u:Cn4ryRule@h\" = \"warn\"\n",
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("neon-lint.toml"), toml).unwrap();
        let out = run(&["."], dir.path().to_str().unwrap());
        assert_eq!(out.code, 2, "{}", out.stderr);
        assert!(out.stderr.contains("****"), "{}", out.stderr);
        assert_clean(toml, &out);
    }
    let out = run(
        &["-D", "postgresql://u:Cn4ryFlag@h", "."],
        "tests/fixtures/canary",
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_clean("-D", &out);
}

#[test]
fn explain_of_an_unknown_rule_masks_its_name() {
    let out = run(&["--explain", "postgresql://u:Cn4ryExplain@h"], ".");
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert_clean("--explain", &out);
}

/// A local default password that is an ordinary word (`postgres:postgres@localhost` in a
/// template, or in a real `.env`) is masked where it sits, not in every message and snippet
/// of the run (`postgresql://` must not read `****ql://`).
#[test]
fn word_like_passwords_do_not_garble_other_text() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env.example"),
        "DATABASE_URL=postgres://postgres:postgres@localhost:5432/app\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "LOCAL_URL=postgres://app:secret@localhost/app\n\
         DATABASE_URL=postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb\n",
    )
    .unwrap();
    let out = run(&["--color", "never", "."], dir.path().to_str().unwrap());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout
            .contains("postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("****ql"), "{}", out.stdout);
}

/// Every canary form given on standard input (`- --stdin-filename NAME`), in every format,
/// with `--fix` (whose fixed text would hold the password: refused) and `--diff`.
#[test]
fn every_form_on_stdin_is_masked_and_never_echoed_by_fix() {
    let bin = env!("CARGO_BIN_EXE_neon-lint");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FORMS);
    let mut names: Vec<String> = std::fs::read_dir(&root)
        .expect("forms")
        .flatten()
        .filter(|e| e.path().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 5, "{names:?}");
    for name in &names {
        let text = std::fs::read_to_string(root.join(name)).expect("read");
        if !text.contains(CANARY) {
            continue;
        }
        let mut runs: Vec<Vec<&str>> = ["human", "short", "json", "sarif", "github", "cargo"]
            .iter()
            .map(|f| vec!["--format", f, "--color", "always"])
            .collect();
        runs.push(vec!["--fix"]);
        runs.push(vec!["--diff"]);
        runs.push(vec!["--statistics"]);
        for extra in runs {
            let mut args = vec!["-", "--stdin-filename", name.as_str()];
            args.extend(extra.iter().copied());
            let out = run_bin(bin, &args, FORMS, Some(&text));
            assert!(out.code <= 2, "{name} {extra:?}: {}", out.stderr);
            assert_clean(&format!("{name} {extra:?}"), &out);
            if extra == ["--fix"] {
                assert!(out.stdout.is_empty(), "{name}: --fix echoed the text");
            }
        }
    }
}

/// Passwords outside URLs (issue 14, item 3): `PGPASSWORD` in `.env`, a Dockerfile `ENV`,
/// compose `environment:` (quoted, with an escaped quote), a CI job's `env:`, a
/// `password=` keyword beside a Neon `host=`, Spring's `spring.datasource.password` and
/// `spring.flyway.password` (`.properties`, `.yml`), a tracked `.pgpass` line: reported, and
/// masked in every format and in `--diff`.
#[test]
fn libpq_variables_and_keyword_passwords_are_masked_everywhere() {
    let dir = "tests/fixtures/canary-libpq";
    for format in ["human", "short", "json", "sarif", "github", "cargo"] {
        for color in ["never", "always"] {
            let out = run(&["--format", format, "--color", color, "."], dir);
            assert_eq!(out.code, 1, "{format}: findings expected\n{}", out.stderr);
            assert_clean(format, &out);
        }
    }
    let out = run(&["--format", "short", "."], dir);
    assert!(
        out.stdout.matches("hardcoded-credentials").count() >= 7,
        "{}",
        out.stdout
    );
    let out = run(&["--diff", "."], dir);
    assert_clean("--diff", &out);
}
