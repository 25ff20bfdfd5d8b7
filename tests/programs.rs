//! Programs: a `.env` value reaches the program that owns its folder, not a sibling program
//! of the same repository (`tests/fixtures/monorepo`: `apps/web` with a pooled URL,
//! `apps/api` with the direct one, running its migrations).

mod common;

use std::path::Path;

use common::{findings, run};

const POOLED: &str = "ep-quiet-lake-a1b2c3d4-pooler.us-east-2.aws.neon.tech";

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn lint(dir: &str) -> Vec<(String, String, usize)> {
    let out = run(&["--format", "json", "."], dir);
    assert!(out.code == 0 || out.code == 1, "{}", out.stderr);
    findings(&out.stdout)
}

#[test]
fn a_sibling_programs_env_does_not_reach() {
    assert_eq!(lint("tests/fixtures/monorepo"), vec![]);
}

#[test]
fn the_programs_own_env_and_the_repositorys_reach() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/monorepo");
    // The API's own `.env` pooled: its migrations are on the pooler.
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root, dir.path());
    std::fs::write(
        dir.path().join("apps/api/.env"),
        format!("DATABASE_URL=postgresql://api@{POOLED}/neondb?sslmode=require\n"),
    )
    .unwrap();
    let got = lint(dir.path().to_str().unwrap());
    assert!(
        got.contains(&("apps/api/src/main.rs".into(), "NL020".into(), 6)),
        "{got:?}"
    );

    // No `.env` of its own, one at the repository's root: that one reaches it.
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root, dir.path());
    std::fs::remove_file(dir.path().join("apps/api/.env")).unwrap();
    std::fs::write(
        dir.path().join(".env"),
        format!("DATABASE_URL=postgresql://all@{POOLED}/neondb?sslmode=require\n"),
    )
    .unwrap();
    let got = lint(dir.path().to_str().unwrap());
    assert!(
        got.contains(&("apps/api/src/main.rs".into(), "NL020".into(), 6)),
        "{got:?}"
    );
}
