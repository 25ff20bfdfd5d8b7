//! `--fix` never breaks code nor lies (issue 18, items 5 to 8): a fix is offered only where
//! the edit provably changes the run-time value as meant; every fixture's fixes round-trip
//! (the finding goes, nothing new appears, a second run changes nothing, Python still
//! parses); writes keep the file safe; overlapping paths are read once.

mod ux;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ux::{fixture_trees, run, Project, NO_SSLMODE};

const HOST: &str = "ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech";

/// The findings of a `--format json` run as JSON values.
fn findings(dir: &Path) -> Vec<serde_json::Value> {
    let out = run(dir, &["--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", out.all()));
    v.as_array().expect("array").clone()
}

fn is_safe_fix(d: &serde_json::Value) -> bool {
    d["fix"]["applicability"] == "safe"
}

/// Every file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("ls").flatten() {
            let p = e.path();
            let t = e.file_type().expect("type");
            if t.is_dir() {
                stack.push(p);
            } else if t.is_file() {
                out.insert(p.clone(), std::fs::read(&p).expect("read"));
            }
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    for (p, bytes) in snapshot(from) {
        let rel = p.strip_prefix(from).expect("under");
        let dest = to.join(rel);
        std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
        std::fs::write(dest, bytes).expect("write");
    }
}

fn python_parses(path: &Path) -> Result<(), String> {
    let out = std::process::Command::new("python3")
        .args(["-c", "import ast,sys; ast.parse(open(sys.argv[1]).read())"])
        .arg(path)
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// Applies `--fix` to a copy of `tree` and checks that (a) no safe fix is left, so every
/// fixed finding is gone, (b) no new `invalid-conninfo` finding or note appears, (c) a
/// second `--fix` changes nothing, (d) every Python file that parsed still parses.
/// Returns how many fixes the first run offered.
fn check_fix_round_trip(tree: &Path) -> usize {
    let work = tempfile::tempdir().expect("tempdir");
    let dir = work.path();
    copy_tree(tree, dir);
    let before = findings(dir);
    let offered = before.iter().filter(|d| is_safe_fix(d)).count();
    if offered == 0 {
        return 0;
    }
    let parsed_before: Vec<PathBuf> = snapshot(dir)
        .into_keys()
        .filter(|p| p.extension().is_some_and(|e| e == "py") && python_parses(p).is_ok())
        .collect();
    let invalid = |ds: &[serde_json::Value]| {
        ds.iter()
            .filter(|d| d["rule"] == "invalid-conninfo")
            .count()
    };
    let notes = |s: &str| -> Vec<String> {
        s.lines()
            .filter(|l| l.starts_with("note:") || l.contains(": note:"))
            .map(str::to_string)
            .collect()
    };
    let plain = run(dir, &["."]);
    let fixed = run(dir, &["--fix", "--format", "json", "."]);
    let after = findings(dir);
    let what = format!("{}\n{}", tree.display(), fixed.all());
    assert!(
        !fixed.stderr.contains("could not apply fixes"),
        "every offered fix applies: {what}"
    );
    let left: Vec<_> = after.iter().filter(|d| is_safe_fix(d)).collect();
    assert!(
        left.is_empty(),
        "(a) fixed findings are gone: {left:?}\n{what}"
    );
    assert!(
        invalid(&after) <= invalid(&before),
        "(b) no new invalid-conninfo: {what}"
    );
    let plain_after = run(dir, &["."]);
    for n in notes(&plain_after.stderr) {
        assert!(
            notes(&plain.stderr).contains(&n),
            "(b) no new note `{n}`: {what}"
        );
    }
    let once = snapshot(dir);
    let again = run(dir, &["--fix", "."]);
    assert_eq!(
        snapshot(dir),
        once,
        "(c) a second --fix changes nothing: {}",
        again.all()
    );
    for p in parsed_before {
        if let Err(e) = python_parses(&p) {
            panic!(
                "(d) {} no longer parses after --fix: {e}\n{what}",
                p.display()
            );
        }
    }
    offered
}

#[test]
fn every_fixture_with_fixes_round_trips() {
    let trees = fixture_trees();
    let offered: usize = trees.iter().map(|t| check_fix_round_trip(t)).sum();
    assert!(offered > 0, "some fixture offers fixes");
}

/// One file, its findings in JSON.
fn lint_one(rel: &str, text: &str) -> (Project, Vec<serde_json::Value>) {
    let p = Project::new(&[(rel, text)]);
    let f = findings(p.path());
    (p, f)
}

fn missing_sslmode(ds: &[serde_json::Value]) -> Vec<&serde_json::Value> {
    ds.iter()
        .filter(|d| d["rule"] == "missing-sslmode")
        .collect()
}

/// Shapes whose run-time value is assembled so that no edit is provably right: the finding
/// stays, says what to change, offers no fix, and `--fix` leaves the file alone.
#[test]
fn assembled_values_get_no_fix_but_say_what_to_change() {
    let h = HOST;
    let shapes: &[(&str, String)] = &[
        ("app.py", format!("URL = 'postgresql://app@{h}/' + db\n")),
        ("app.py", format!("URL = 'postgresql://app@{h}/{{}}'.format(db)\n")),
        (
            "src/main.rs",
            format!("fn main() {{ let u = concat!(\"postgresql://app@{h}:\", 5432); }}\n"),
        ),
        (
            "src/main.rs",
            format!("fn main() {{ let u = format!(\"postgresql://app@{h}/neondb{{q}}\"); }}\n"),
        ),
        (
            "src/main.rs",
            format!(
                "fn main() {{ let u = \"postgresql://app@{h}/\".to_owned() + \"neondb\"; }}\n"
            ),
        ),
        (".env", format!("BASE=postgresql://app@{h}/\nDATABASE_URL=${{BASE}}\n")),
        (".env", format!("DATABASE_URL=\"postgresql://app@{h}/neondb${{EXTRA}}\"\n")),
        ("scripts/db.sh", format!("psql \"postgresql://app@{h}/neondb$Q\"\n")),
        // Unquoted, `?` and `&` would be shell syntax.
        ("scripts/db.sh", format!("psql postgresql://app@{h}/neondb\n")),
        // Siblings: the same shapes in other syntaxes, and values reused or changed later.
        ("src/db.ts", format!("const u = 'postgresql://app@{h}/' + 'neondb';\n")),
        ("src/db.ts", format!("const u = `postgresql://app@{h}/${{db}}`;\n")),
        (
            "src/db.ts",
            format!("const BASE = 'postgresql://app@{h}/';\nconst u = BASE + 'neondb';\n"),
        ),
        ("src/db.ts", format!("const u = ('postgresql://app@{h}/neondb') + suffix;\n")),
        (
            "scripts/db.sh",
            format!("BASE=\"postgresql://app@{h}/\"\npsql \"${{BASE}}neondb\"\n"),
        ),
        ("Makefile", format!("DATABASE_URL = postgresql://app@{h}/$(DB)\n")),
        ("app.py", format!("BASE = 'postgresql://app@{h}/'\nURL = BASE + 'neondb'\n")),
        ("app.py", format!("BASE = 'postgresql://app@{h}/'\nURL = f'{{BASE}}neondb'\n")),
        ("app.py", format!("url = 'postgresql://app@{h}/neondb'\nurl += '?application_name=x'\n")),
        (
            "src/main.rs",
            format!("const BASE: &str = \"postgresql://app@{h}/\";\nfn main() {{ let u = format!(\"{{BASE}}neondb\"); }}\n"),
        ),
        (
            "src/main.rs",
            format!("fn main() {{ let mut u = String::from(\"postgresql://app@{h}/neondb\"); u.push_str(\"?application_name=x\"); }}\n"),
        ),
        (
            "docker-compose.yml",
            format!(
                "services:\n  app:\n    environment:\n      DATABASE_URL: postgresql://app@{h}/neondb${{EXTRA}}\n"
            ),
        ),
    ];
    for (rel, text) in shapes {
        let (p, ds) = lint_one(rel, text);
        let found = missing_sslmode(&ds);
        assert!(!found.is_empty(), "{rel}: {text}\n{ds:#?}");
        for d in &found {
            assert!(
                d["fix"].is_null(),
                "{rel}: no fix offered for {text}\n{d:#}"
            );
            let help = d["help"].as_str().unwrap_or_default();
            assert!(
                help.contains("sslmode=require") && help.contains("not fixed automatically"),
                "{rel}: the help says what to change and why it is not fixed: {help}"
            );
        }
        let out = p.run(&["--fix", "."]);
        assert_eq!(
            &p.read(rel),
            text,
            "{rel}: --fix leaves it alone\n{}",
            out.all()
        );
    }
}

/// `BASE` expanded by another value: fixing `BASE` would change that value too
/// (`sslmode=requireneondb`); the value that ends in its own literal is fixed there.
#[test]
fn a_value_others_expand_is_not_edited() {
    let h = HOST;
    let text = format!("BASE=postgresql://app@{h}/\nDATABASE_URL=${{BASE}}neondb\n");
    let p = Project::new(&[(".env", &text)]);
    p.run(&["--fix", "."]);
    assert_eq!(
        p.read(".env"),
        format!("BASE=postgresql://app@{h}/\nDATABASE_URL=${{BASE}}neondb?sslmode=require\n")
    );
}

/// Item 5: adjacent Python literals are one value; the fix goes inside the last literal's
/// quotes, the file stays Python, and a second run changes nothing.
#[test]
fn adjacent_python_literals_are_fixed_inside_the_last_one() {
    let h = HOST;
    let text = format!(
        "URL = 'postgresql://app@' '{h}/neondb'\nX = ('postgresql://app@{h}/'\n     \"neondb\")\n"
    );
    let p = Project::new(&[("app/settings.py", &text)]);
    let out = p.run(&["--fix", "."]);
    let want = format!("URL = 'postgresql://app@' '{h}/neondb?sslmode=require'\nX = ('postgresql://app@{h}/'\n     \"neondb?sslmode=require\")\n");
    assert_eq!(p.read("app/settings.py"), want, "{}", out.all());
    python_parses(&p.join("app/settings.py")).expect("still Python");
    p.run(&["--fix", "."]);
    assert_eq!(p.read("app/settings.py"), want, "idempotent");
}

/// Where the edit is provable: a single literal, the last literal of a concatenation
/// that ends the value, a value ending in its own literal after an expansion.
#[test]
fn provable_shapes_are_fixed_exactly() {
    let h = HOST;
    let cases: &[(&str, String, String)] = &[
        (
            "app.py",
            format!("URL = 'postgresql://app@{h}/' + 'neondb'\n"),
            format!("URL = 'postgresql://app@{h}/' + 'neondb?sslmode=require'\n"),
        ),
        (
            "src/main.rs",
            format!("fn main() {{ let u = concat!(\"postgresql://app@{h}\", \"/neondb\"); }}\n"),
            format!("fn main() {{ let u = concat!(\"postgresql://app@{h}\", \"/neondb?sslmode=require\"); }}\n"),
        ),
        (
            "src/main.rs",
            format!("fn main() {{ let u = \"postgresql://app@{h}/neondb\"; }}\n"),
            format!("fn main() {{ let u = \"postgresql://app@{h}/neondb?sslmode=require\"; }}\n"),
        ),
        (
            "scripts/db.sh",
            format!("psql 'postgresql://app@{h}/neon'\"db\"\n"),
            format!("psql 'postgresql://app@{h}/neon'\"db?sslmode=require\"\n"),
        ),
        (
            "Dockerfile",
            format!("FROM x\nENV DATABASE_URL=postgresql://app@{h}/neondb\n"),
            format!("FROM x\nENV DATABASE_URL=postgresql://app@{h}/neondb?sslmode=require\n"),
        ),
        (
            ".env",
            format!("DATABASE_URL=\"postgresql://app@{h}/n\\tdb\"\n"),
            format!("DATABASE_URL=\"postgresql://app@{h}/n\\tdb?sslmode=require\"\n"),
        ),
    ];
    for (rel, before, want) in cases {
        let (p, ds) = lint_one(rel, before);
        assert!(
            missing_sslmode(&ds).iter().all(|d| is_safe_fix(d)),
            "{rel}: a fix is offered for {before}\n{ds:#?}"
        );
        let out = p.run(&["--fix", "."]);
        assert_eq!(&p.read(rel), want, "{rel}\n{}", out.all());
        if rel.ends_with(".py") {
            python_parses(&p.join(rel)).expect("still Python");
        }
    }
}

/// Item 8: overlapping paths name one file once: no duplicate finding, no false "changed
/// on disk", one fix.
#[test]
fn overlapping_paths_are_linted_once() {
    let env = format!("DATABASE_URL={NO_SSLMODE}\n");
    let py = format!("URL = '{NO_SSLMODE}'\n");
    let p = Project::new(&[(".env", &env), ("src/x.py", &py)]);
    let once = p.run(&["--format", "json", "."]).codes().len();
    for args in [
        &[".", ".env"][..],
        &["src", "src/x.py", ".env"],
        &[".env", ".env", "src"],
    ] {
        let mut a = vec!["--format", "json"];
        a.extend_from_slice(args);
        let out = p.run(&a);
        assert_eq!(out.codes().len(), once, "{args:?}\n{}", out.all());
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink(p.join(".env"), p.join("link.env")).expect("symlink");
    let out = p.run(&["--fix", ".", ".env", "link.env", "src/x.py"]);
    assert!(!out.stderr.contains("changed on disk"), "{}", out.all());
    assert!(
        out.stderr.contains("fixed 2 findings in 2 files"),
        "{}",
        out.all()
    );
    assert_eq!(
        p.read(".env"),
        format!("DATABASE_URL={NO_SSLMODE}?sslmode=require\n")
    );
}

/// Item 7: read-only files are not replaced behind the user's back; the mode, owner and
/// group stay; no temporary file is left; names too long for a temporary name are refused.
#[cfg(unix)]
#[test]
fn fix_refuses_read_only_files_and_keeps_mode() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let env = format!("DATABASE_URL={NO_SSLMODE}\n");
    let p = Project::new(&[("ro/.env", &env), ("rw/.env", &env)]);
    std::fs::set_permissions(p.join("ro/.env"), std::fs::Permissions::from_mode(0o444))
        .expect("chmod");
    std::fs::set_permissions(p.join("rw/.env"), std::fs::Permissions::from_mode(0o600))
        .expect("chmod");
    let before = std::fs::metadata(p.join("rw/.env")).expect("meta");
    let out = p.run(&["--fix", "."]);
    assert!(out.stderr.contains("read-only"), "{}", out.all());
    assert_eq!(p.read("ro/.env"), env, "the read-only file is unchanged");
    let after = std::fs::metadata(p.join("rw/.env")).expect("meta");
    assert_ne!(p.read("rw/.env"), env, "the writable one is fixed");
    assert_eq!(after.permissions().mode() & 0o7777, 0o600);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    let stray: Vec<_> = snapshot(p.path())
        .into_keys()
        .filter(|k| k.to_string_lossy().contains("neon-lint"))
        .collect();
    assert!(stray.is_empty(), "no temporary file left: {stray:?}");

    // As root (CI containers), a file owned by someone else keeps its owner and group.
    if runs_as_root(&p) {
        let other = p.join("rw/.env");
        std::os::unix::fs::chown(&other, Some(1234), Some(4321)).expect("chown");
        std::fs::write(&other, &env).expect("write");
        let out = p.run(&["--fix", "."]);
        let m = std::fs::metadata(&other).expect("meta");
        assert_eq!((m.uid(), m.gid()), (1234, 4321), "{}", out.all());
        assert_ne!(p.read("rw/.env"), env, "fixed");
    }

    let long = format!("{}.env", "x".repeat(240));
    let q = Project::new(&[(&long, &env)]);
    let out = q.run(&["--fix", "."]);
    assert!(out.stderr.contains("too long"), "{}", out.all());
    assert_eq!(q.read(&long), env);
}

/// Whether the tests run as root (a file they create is owned by uid 0).
#[cfg(unix)]
fn runs_as_root(p: &Project) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(p.path()).is_ok_and(|m| m.uid() == 0)
}
