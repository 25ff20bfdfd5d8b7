//! `neon_url!` compile-time reports: trybuild cases in `tests/ui/`, each with a reviewed
//! `.stderr`. They live in the macro crate so that trybuild builds only this crate and the
//! dependency-free core, not the whole CLI.
//!
//! Regenerate the snapshots after a deliberate change with
//! `TRYBUILD=overwrite cargo test -p neon-lint-macros --test ui`, then review the diff: the
//! snapshots are rustc's output, so a new compiler can change them too.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass.rs");
    t.compile_fail("tests/ui/url_rules.rs");
    t.compile_fail("tests/ui/roles.rs");
    t.compile_fail("tests/ui/warnings.rs");
    t.compile_fail("tests/ui/bad_input.rs");
    t.compile_fail("tests/ui/secrets.rs");
}

/// The canary password in the UI cases appears in the snapshots only where rustc echoes the
/// test's own source line (`12 |     let _ = neon_url!("...")`), never in a message.
#[test]
fn snapshots_never_echo_the_password() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "stderr") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines().filter(|l| l.contains("Sup3rSecretPw")) {
            let source_echo = line.split_once('|').is_some_and(|(n, _)| {
                !n.trim().is_empty() && n.trim().bytes().all(|b| b.is_ascii_digit())
            });
            assert!(
                source_echo,
                "{}: password in a message: {line}",
                path.display()
            );
            seen += 1;
        }
        seen += text.matches("****").count();
    }
    assert!(
        seen > 0,
        "the UI cases no longer contain the canary password"
    );
}
