//! The project context of files named on the command line (what pre-commit passes).
//!
//! A staged `src/main.rs` that runs migrations on `env::var("DATABASE_URL")` is only judged
//! right with the `.env` beside its crate (often untracked, so never staged), the Prisma
//! schema, the workflow that runs the migrations, the manifests and lock files. So, for the
//! named files, the run also reads the files a full run of their project would read for
//! the cross-file rules, builds the same project model, and then reports only findings
//! located in the named files (as ruff and clippy do): a finding that a cross-file rule
//! places in a context file (a `.env` value, a workflow step) is left out, even when it is
//! about the named file's connection; staging that file, or a full run, shows it.
//!
//! What is read, per project root (the nearest folder at or above the file holding a
//! `neon-lint.toml` or `.git`, or the working directory if that comes first; else the
//! file's program root, else its folder):
//!
//! - everything a full run reads in the named file's own program (the nearest folder with a
//!   manifest, see `resolve::programs`): its other sources join crate- and package-wide;
//! - everywhere else under the root, only what gives values or facts to it: `.env*` (also
//!   gitignored ones), YAML (workflows, compose, `env:` maps), scripts and Makefiles,
//!   Dockerfiles, `.cargo/config.toml`, manifests and lock files, Prisma and Drizzle
//!   configuration. Other programs' sources, docs, and other TOML/JSON/INI are not opened.
//!
//! The walk lists the root's folders (with the full run's ignore rules and `exclude`
//! globs) but opens only those files, each through the same prefilter.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::classify::FileKind;
use crate::discover::{discover_where, Discovery, WalkOptions};
use crate::resolve::programs::program_root;

/// Reads the context of the named `files` (those that are regular files; folders are
/// walked in full anyway). `cwd` is absolute.
pub fn discover_context(files: &[PathBuf], opts: &WalkOptions, cwd: &Path) -> Discovery {
    let mut roots: Vec<PathBuf> = Vec::new();
    let mut programs: Vec<PathBuf> = Vec::new();
    // `pre-commit run --all-files` names every file: one look per folder, not per file.
    let mut cache = HashMap::new();
    for f in files {
        let Ok(abs) = std::path::absolute(cwd.join(f)) else {
            continue;
        };
        let Some(dir) = abs.parent() else {
            continue;
        };
        let program = program_root(dir, &mut cache);
        let root = project_root(dir, cwd, program.as_deref());
        // A file in no program (a `.env` above every manifest) reaches every program of its
        // project: then the whole project is its program.
        programs.push(program.unwrap_or_else(|| root.clone()));
        roots.push(root);
    }
    let roots = outermost(roots);
    let programs = outermost(programs);
    let want = |path: &Path, kind: FileKind| {
        wanted_outside_program(path, kind) || programs.iter().any(|p| path.starts_with(p))
    };
    let mut found = discover_where(&roots, opts, &want);
    // The named files are usually relative (pre-commit passes `src/main.rs`): context paths
    // take the same form, so that joins by path (Rust modules, JS imports) meet them.
    for c in &mut found.candidates {
        if let Ok(rel) = c.path.strip_prefix(cwd) {
            c.path = rel.to_path_buf();
        }
    }
    found
}

/// Whether a file outside the named files' programs is read: only what gives them values
/// or facts. Sources join within their own program (a crate, a package), never across;
/// other config (`config/*.toml`, JSON, INI) holds only its own connection strings.
fn wanted_outside_program(path: &Path, kind: FileKind) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase());
    match kind {
        FileKind::Rust
        | FileKind::Python
        | FileKind::JavaScript
        | FileKind::Script
        | FileKind::Docs
        | FileKind::Ini => false,
        // `.cargo/config.toml [env]` binds variables for every crate below it, and a
        // `netlify.toml` or `wrangler.toml` above every manifest for every program.
        FileKind::Toml => {
            path.parent()
                .and_then(Path::file_name)
                .is_some_and(|d| d == ".cargo")
                || crate::extract::platform_env::is_platform_env_file(path)
        }
        // A workspace's root `package.json`: versions and scripts; `vercel.json`'s
        // variables.
        FileKind::Json => {
            name.as_deref() == Some("package.json")
                || crate::extract::platform_env::is_platform_env_file(path)
        }
        // `.env*`, compose/CI/k8s `env:` maps, `export`s, Dockerfile `ENV`, manifests and
        // lock files (workspace roots, pins), Prisma and Drizzle configuration.
        FileKind::DotEnv
        | FileKind::DotEnvTemplate
        | FileKind::Yaml
        | FileKind::Shell
        | FileKind::Dockerfile
        | FileKind::CargoManifest
        | FileKind::PythonManifest
        | FileKind::LockFile
        | FileKind::Prisma
        | FileKind::JsConfig => true,
    }
}

/// Where a full run over the named file's project would start: the nearest folder at or
/// above the file holding a `neon-lint.toml` or `.git`, but never above the working
/// directory (pre-commit runs at the repository's top; a file named from `~` must not make
/// the run walk the home folder); else its program root; else its folder.
fn project_root(dir: &Path, cwd: &Path, program: Option<&Path>) -> PathBuf {
    for d in dir.ancestors() {
        let marked = ["neon-lint.toml", ".neon-lint.toml", ".git"]
            .iter()
            .any(|marker| d.join(marker).exists());
        if marked || d == cwd {
            return d.to_path_buf();
        }
    }
    program.unwrap_or(dir).to_path_buf()
}

/// `paths` without duplicates and without those inside another one (walked with it).
fn outermost(mut paths: Vec<PathBuf>) -> Vec<PathBuf> {
    paths.sort();
    paths.dedup();
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        // Sorted, so a folder comes before everything inside it.
        if !out.iter().any(|o| p.starts_with(o)) {
            out.push(p);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_roots_are_walked_once() {
        let got = outermost(vec![
            PathBuf::from("/r/a/b"),
            PathBuf::from("/r/a"),
            PathBuf::from("/r/ab"),
            PathBuf::from("/r/a"),
        ]);
        assert_eq!(got, vec![PathBuf::from("/r/a"), PathBuf::from("/r/ab")]);
    }

    #[test]
    fn the_root_is_the_nearest_config_or_repository_but_not_above_the_working_directory() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let repo = tmp.path().join("repo");
        let krate = repo.join("crates/api");
        let src = krate.join("src");
        std::fs::create_dir_all(&src).expect("mkdir");
        std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
        // From the repository's top (pre-commit), from above it (`~`), from inside it.
        assert_eq!(project_root(&src, &repo, None), repo);
        assert_eq!(project_root(&src, tmp.path(), None), repo);
        assert_eq!(project_root(&src, &krate, None), krate);
        let elsewhere = tmp.path().join("elsewhere");
        assert_eq!(project_root(&src, &elsewhere, None), repo);
        std::fs::write(krate.join("neon-lint.toml"), "").expect("write");
        assert_eq!(project_root(&src, &repo, None), krate);
        // No marker and outside the working directory: the program, else the folder.
        let loose = tmp.path().join("loose/src");
        std::fs::create_dir_all(&loose).expect("mkdir");
        let program = tmp.path().join("loose");
        assert_eq!(project_root(&loose, &elsewhere, Some(&program)), program);
        assert_eq!(project_root(&loose, &elsewhere, None), loose);
    }
}
