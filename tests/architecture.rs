//! The layering the design promises (issue 12): rules read typed facts and never reach
//! into the extractors or the resolver; every driver is one file under `drivers/<language>/`
//! and is registered in its language's list. These read the source tree, not the binary.

use std::fs;
use std::path::{Path, PathBuf};

fn src(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("neon-lint/src")
        .join(rel)
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rs"))
        .collect();
    out.sort();
    out
}

#[test]
fn rules_import_neither_extract_nor_resolve() {
    let mut offenders = Vec::new();
    for file in rust_files(&src("rules")) {
        let text = fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("crate::extract") || code.contains("crate::resolve") {
                offenders.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "rules reach into extract/resolve:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn every_driver_file_is_registered_in_its_language_list() {
    for language in ["js", "python", "rust"] {
        let dir = src(&format!("drivers/{language}"));
        let registry = fs::read_to_string(dir.join("mod.rs")).unwrap();
        let files: Vec<String> = rust_files(&dir)
            .iter()
            .filter_map(|p| p.file_stem()?.to_str().map(str::to_string))
            .filter(|stem| stem != "mod")
            .collect();
        assert!(files.len() >= 3, "{language}: {files:?}");
        for stem in files {
            assert!(
                registry.contains(&format!("mod {stem};")),
                "drivers/{language}/{stem}.rs is not a module of drivers/{language}/mod.rs"
            );
            assert!(
                registry.contains(&format!("&{stem}::")),
                "drivers/{language}/{stem}.rs is not in the DRIVERS list of drivers/{language}/mod.rs"
            );
        }
    }
}

#[test]
fn driver_files_do_not_depend_on_rules() {
    for language in ["js", "python", "rust"] {
        for file in rust_files(&src(&format!("drivers/{language}"))) {
            let text = fs::read_to_string(&file).unwrap();
            assert!(
                !text.contains("crate::rules"),
                "{} depends on the rules",
                file.display()
            );
        }
    }
}
