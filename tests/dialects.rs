//! A URL is judged by the software that reads it: Prisma's and sqlx's own query parameters
//! are no libpq error where those tools read the string (or where nothing says who does),
//! libpq's readers still reject them, and `invalid-conninfo` never hides what else the string
//! holds.

mod common;

use common::{findings, run};

#[test]
fn each_url_is_judged_by_its_reader() {
    let out = run(&["--format", "json", "."], "tests/fixtures/dialects");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let got = findings(&out.stdout);
    let want: Vec<(String, String, usize)> = [
        // psycopg reads with libpq: `pgbouncer` is an error there.
        ("app.py", "NL004", 4),
        // The typo is reported, and so is the committed password beside it.
        ("app.py", "NL060", 7),
        ("app.py", "NL004", 7),
        // Prisma's `pgbouncer`, `connection_limit`, `pool_timeout`, `schema`: no error; the
        // other rules still judge the strings.
        ("prisma/schema.prisma", "NL003", 3),
        ("prisma/schema.prisma", "NL001", 4),
        // sqlx's `statement-cache-capacity` and `options[...]` (rust/src/main.rs): nothing.
        // `.env.example` with Prisma's parameters, reader unknown: nothing.
    ]
    .iter()
    .map(|(p, c, l)| (p.to_string(), c.to_string(), *l))
    .collect();
    assert_eq!(got, want, "{}", out.stdout);
}

#[test]
fn url_command_keeps_libpq_verdict_but_judges_with_any_reader() {
    let url = "postgresql://app@ep-quiet-lake-a1b2c3d4-pooler.us-east-2.aws.neon.tech/neondb?pgbouncer=true";
    let out = run(&["url", "--json", url], ".");
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    // `ok` is libpq's verdict (the conformance contract)...
    assert_eq!(v["ok"], false, "{v}");
    // ... and the diagnostics no longer call Prisma's parameter an error, so the missing
    // `sslmode` they hid is found.
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["NL001"], "{v}");
}
