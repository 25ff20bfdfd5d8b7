//! A canary password, in every form it takes in real files (plain, percent-encoded,
//! quoted key/value with an escaped quote, JDBC query, Rust escapes, `PGPASSWORD=`, docs),
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
