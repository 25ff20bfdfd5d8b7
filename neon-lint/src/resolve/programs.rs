//! Programs: a repository holds several (a monorepo's `apps/web` and `apps/api`, a backend
//! and its migration job), and a `.env` file belongs to the program whose folder holds it.
//!
//! A program's root is the nearest folder, from a file up, holding a manifest (`Cargo.toml`,
//! `pyproject.toml`, `requirements*.txt`, `package.json`, `manage.py`...). Dotenv loaders
//! (dotenvy, python-dotenv, Node's `dotenv`, Prisma, sqlx-cli) look for `.env` in the folder a
//! program runs from and its parents, so a value set in a `.env` file reaches the files of
//! the program that owns the file's folder (and of programs nested inside it), never a
//! sibling program. A `.env` above every manifest belongs to the whole repository.
//!
//! Not modelled (values then reach as before, or not at all, never a guess): a path given to
//! `load_dotenv(path)` / `dotenvy::from_path`, compose `env_file:`, a nearer `.env` shadowing
//! a farther one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::project::Project;
use crate::source::FileId;

/// Files whose folder is a program's root.
const MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Pipfile",
    "manage.py",
    "package.json",
    "deno.json",
    "go.mod",
    "Gemfile",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "composer.json",
];

fn is_manifest_dir(dir: &Path) -> bool {
    if MANIFESTS.iter().any(|m| dir.join(m).is_file()) {
        return true;
    }
    // `requirements.txt`, `requirements-dev.txt`, `requirements/base.txt` all mark Python.
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n.starts_with("requirements") && n.ends_with(".txt")
        })
    })
}

/// The program root of every file of a project.
#[derive(Debug, Default)]
pub struct Programs {
    /// Folder of each file (absolute), by file id.
    dirs: Vec<PathBuf>,
    /// Program root of each file, by file id (None: no manifest above it).
    roots: Vec<Option<PathBuf>>,
}

impl Programs {
    /// Finds the program root of every file of `project` (one look per folder).
    pub fn find(project: &Project) -> Programs {
        let mut cache: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
        let mut out = Programs::default();
        for file in &project.files {
            let abs = std::path::absolute(&file.path).unwrap_or_else(|_| file.path.clone());
            let dir = abs.parent().map(Path::to_path_buf).unwrap_or_default();
            let root = root_of(&dir, &mut cache);
            out.dirs.push(dir);
            out.roots.push(root);
        }
        out
    }

    /// The program root of `file`, if a manifest is above it.
    pub fn root(&self, file: FileId) -> Option<&Path> {
        self.roots.get(file).and_then(|r| r.as_deref())
    }

    /// Whether a value set in the `.env`-style file `env` reaches code in file `at`: `at` is
    /// inside the folder of the program that owns `env` (or `env` is above every program).
    pub fn env_reaches(&self, env: FileId, at: FileId) -> bool {
        let (Some(owner), Some(at_dir)) = (self.roots.get(env), self.dirs.get(at)) else {
            return true;
        };
        match owner {
            None => true,
            Some(root) => at_dir.starts_with(root),
        }
    }
}

/// Whether variables set in `file` reach only the program that owns its folder: `.env`
/// files, and the platform files that set a deployment's variables (`vercel.json`,
/// `netlify.toml`, `wrangler.*`).
pub fn program_scoped(file: &crate::source::SourceFile) -> bool {
    file.kind == crate::classify::FileKind::DotEnv
        || crate::extract::platform_env::is_platform_env_file(&file.path)
}

/// The program root of a file in folder `dir` (absolute): the nearest folder at or above it
/// holding a manifest. `cache` keeps the answer per folder across calls.
pub fn program_root(dir: &Path, cache: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    root_of(dir, cache)
}

fn root_of(dir: &Path, cache: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    let mut seen = Vec::new();
    let mut found = None;
    for d in dir.ancestors() {
        if let Some(r) = cache.get(d) {
            found = r.clone();
            break;
        }
        seen.push(d.to_path_buf());
        if is_manifest_dir(d) {
            found = Some(d.to_path_buf());
            break;
        }
    }
    for d in seen {
        cache.insert(d, found.clone());
    }
    found
}
