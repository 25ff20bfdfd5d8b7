//! Replays every input the fuzzers (and the parser's property tests) ever failed on.
//!
//! `tests/data/fuzz-regressions/<target>/<case>` holds raw fuzz inputs, one file each, filed
//! under the fuzz target that found them (`conninfo`, `dotenv`, `extract_rust`, ...,
//! `pipeline`). Each is run through the very oracle the fuzz target runs: `fuzz/src/lib.rs`
//! is included here as a module, so a regression test checks exactly what the fuzzer
//! checked (no panic, spans inside the text on char boundaries, passwords redacted,
//! `append_param` re-parses...). To add a crash: minimise it (`cargo fuzz tmin`), copy the
//! artifact into the target's folder with a name saying what it was, fix, run this test.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod oracle;

use std::path::Path;

fn run_case(target: &str, data: &[u8]) {
    match target {
        "conninfo" => oracle::conninfo(data),
        "dotenv" => oracle::dotenv(data),
        "pipeline" => oracle::pipeline(data),
        t if t.starts_with("extract_") => oracle::extractor(t, data),
        t => panic!("tests/data/fuzz-regressions/{t}: no fuzz target of that name"),
    }
}

#[test]
fn fuzz_regressions_stay_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fuzz-regressions");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("tests/data/fuzz-regressions")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut cases = 0;
    let mut failures = Vec::new();
    for dir in dirs {
        let target = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            cases += 1;
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_case(&target, &data)));
            if result.is_err() {
                failures.push(file.strip_prefix(&root).unwrap().display().to_string());
            }
        }
    }
    assert!(
        cases > 0,
        "no regression inputs found under {}",
        root.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {cases} fuzz regressions fail (panic messages above): {failures:#?}",
        failures.len()
    );
}

/// Every target the regression folder may name exists in the oracle, and every
/// multi-file target's names classify (so a saved input means the same file kind later).
#[test]
fn oracle_targets_classify() {
    for (target, names) in oracle::TARGETS {
        for name in *names {
            assert!(
                neon_lint::classify::classify(Path::new(name)).is_some(),
                "{target}: {name} is not a scanned file kind"
            );
        }
    }
}

/// Writes seed corpora for the fuzz targets into `fuzz/corpus/<target>/` from the test
/// fixtures and the conformance vectors. Not a check: run it by hand before fuzzing,
/// `cargo test --test fuzz_regressions -- --ignored seed_fuzz_corpus`.
#[test]
#[ignore = "writes fuzz/corpus; run by hand before fuzzing"]
fn seed_fuzz_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("fuzz/corpus");
    let mut written = 0;
    let mut write = |target: &str, n: usize, data: &[u8]| {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("seed-{n:05}")), data).unwrap();
        written += 1;
    };

    // conninfo: every conformance input and every URL case.
    let mut strings: Vec<String> = Vec::new();
    let jsonl = std::fs::read_to_string(root.join("tests/data/libpq-conninfo.jsonl")).unwrap();
    for line in jsonl.lines() {
        if let Ok(serde_json::Value::Object(o)) = serde_json::from_str(line) {
            if let Some(serde_json::Value::String(s)) = o.get("input") {
                strings.push(s.clone());
            }
        }
    }
    let cases = std::fs::read_to_string(root.join("tests/data/url-cases.txt")).unwrap();
    strings.extend(
        cases
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
            .map(str::to_string),
    );
    for (n, s) in strings.iter().enumerate() {
        write("conninfo", n, s.as_bytes());
    }

    // Extractors, dotenv and pipeline: every fixture file, under each name of its kind.
    let mut fixtures = Vec::new();
    let mut stack = vec![root.join("tests/fixtures")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                fixtures.push(p);
            }
        }
    }
    fixtures.sort();
    for (target, _) in oracle::TARGETS {
        let mut n = 0;
        for f in &fixtures {
            let bytes = std::fs::read(f).unwrap();
            for input in oracle::seeds(target, f, &bytes) {
                write(target, n, &input);
                n += 1;
            }
        }
    }
    eprintln!("wrote {written} seed inputs under {}", corpus.display());
}

/// Found by probing `extract_rust` with long operator chains (not by the fuzzer: its inputs
/// stay under 4 KiB). When `extract/rust.rs` guarded syn against deep *bracket* nesting
/// only, generics (`V<V<...>>`, 10,000 deep) and 50,000-long chains of `+`, `.m()`,
/// `else if` or unary `!` recursed as deep in syn (parse, visit, drop), overflowed the
/// 64 MiB extraction stack and aborted the whole run (SIGABRT, exit 134, nothing reported);
/// `.m()` and `+ "x"` chains were also quadratic. `MAX_CHAIN` now sends them to the text scan.
/// Each case runs the real binary in a child process, since a stack overflow cannot be
/// caught in-process.
#[test]
fn long_rust_chains_do_not_abort_the_run() {
    let chains: [(&str, String); 6] = [
        (
            "generics",
            format!("type T = {}u8{};", "V<".repeat(10_000), ">".repeat(10_000)),
        ),
        (
            "binop",
            format!("fn f() {{ let x = a{}; }}", " + a".repeat(50_000)),
        ),
        (
            "method_chain",
            format!("fn f() {{ let x = a{}; }}", ".b()".repeat(50_000)),
        ),
        (
            "else_if",
            format!("fn f() {{ if a {{}} {}}}", "else if a {} ".repeat(50_000)),
        ),
        (
            "unary",
            format!("fn f() {{ let x = {}a; }}", "!".repeat(50_000)),
        ),
        (
            "string_concat",
            format!(
                "fn f() {{ let x = String::new(){}; }}",
                " + \"x\"".repeat(50_000)
            ),
        ),
    ];
    let mut failed = Vec::new();
    for (name, body) in chains {
        let dir = tempfile::tempdir().unwrap();
        let src = format!(
            "fn g() {{ let u = \"postgresql://ep-x.us-east-2.aws.neon.tech/db\"; }}\n{body}\n"
        );
        std::fs::write(dir.path().join("deep.rs"), src).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_neon-lint"))
            .args(["--format", "short"])
            .arg(dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        // Exit 1 with the missing-sslmode finding on the literal: the file was still linted.
        if out.status.code() != Some(1) || !stdout.contains("NL001") {
            failed.push(format!(
                "{name}: status {:?}, stderr: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            ));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

/// The fuzz finding behind `extract_yaml/workflow-multibyte-in-block-scalar`, checked for
/// exact positions (the oracle only checks bounds): yaml-rust2's `Marker::index()` drifts
/// after a block scalar holding multi-byte characters, so everything after a `run: |` step
/// with a `✓` in it used to be located past the end of the file.
#[test]
fn yaml_positions_survive_multibyte_block_scalars() {
    use neon_lint::classify::FileKind;
    use neon_lint::source::{LineIndex, SourceFile};
    for nl in ["\n", "\r\n"] {
        let text = [
            "jobs:",
            "  migrate:",
            "    steps:",
            "      - run: |",
            "          echo \"✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓ déjà vu ✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓✓\"",
            "    env:",
            "      DATABASE_URL: postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/db",
            "",
        ]
        .join(nl);
        let file = SourceFile {
            path: ".github/workflows/ci.yml".into(),
            display: ".github/workflows/ci.yml".into(),
            kind: FileKind::Yaml,
            lines: LineIndex::new(&text),
            text,
        };
        let sites = neon_lint::extract::extract(0, &file);
        let b = sites
            .bindings
            .iter()
            .find(|b| b.name == "DATABASE_URL")
            .expect("DATABASE_URL binding");
        assert_eq!(&file.text[b.name_span.clone()], "DATABASE_URL");
        let url = sites
            .urls
            .iter()
            .find(|u| u.text.starts_with("postgresql://"))
            .expect("URL site");
        let r = url.map.range(0..url.text.len());
        assert_eq!(&file.text[r], url.text);
    }
}
