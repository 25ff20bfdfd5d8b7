//! The project: every candidate file with its sites, joined project-wide (resolve).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover::Candidate;
use crate::extract;
use crate::site::{
    ClientSetup, EnvBinding, FileSites, ManifestFact, MigrationRun, SecretToken, UrlSite,
};
use crate::source::{decode, LineIndex, SourceFile};

/// Everything the rules read.
#[derive(Debug, Default)]
pub struct Project {
    /// Candidate files, sorted by path.
    pub files: Vec<SourceFile>,
    /// Connection strings.
    pub urls: Vec<UrlSite>,
    /// Variable bindings.
    pub bindings: Vec<EnvBinding>,
    /// Bare secrets.
    pub secrets: Vec<SecretToken>,
    /// Driver set-up calls.
    pub clients: Vec<ClientSetup>,
    /// Migration runs.
    pub migrations: Vec<MigrationRun>,
    /// Dependency facts.
    pub manifests: Vec<ManifestFact>,
    /// Per-file notes (path, message).
    pub notes: Vec<(PathBuf, String)>,
    /// What git knows about the files (tracked / ignored).
    pub git: GitFacts,
}

/// Which files git tracks, and which the ignore rules ignore.
#[derive(Debug, Default)]
pub struct GitFacts {
    /// Canonical paths of tracked files (empty when not a git work tree).
    pub tracked: HashSet<PathBuf>,
    /// Canonical paths of scanned files that `.gitignore` rules ignore.
    pub ignored: HashSet<PathBuf>,
    /// Whether git information was available at all.
    pub available: bool,
}

/// Extracts sites from every candidate, in parallel (with a generous stack for syn).
pub fn build(candidates: Vec<Candidate>, cwd: &Path) -> Project {
    let pool = rayon::ThreadPoolBuilder::new()
        .stack_size(64 * 1024 * 1024)
        .build();
    let work = |c: Candidate| -> (SourceFile, FileSites) {
        let (text, _) = decode(&c.bytes);
        drop(c.bytes);
        let lines = LineIndex::new(&text);
        let file = SourceFile {
            display: display_path(&c.path, cwd),
            path: c.path,
            kind: c.kind,
            text,
            lines,
        };
        // File ids are assigned after sorting; extract with a placeholder id.
        let sites =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract::extract(0, &file)))
                .unwrap_or_else(|_| FileSites {
                    notes: vec![
                        "internal error while extracting this file; it was skipped (please report)"
                            .into(),
                    ],
                    ..FileSites::default()
                });
        (file, sites)
    };
    let results: Vec<(SourceFile, FileSites)> = match pool {
        Ok(pool) => pool.install(|| candidates.into_par_iter().map(work).collect()),
        Err(_) => candidates.into_iter().map(work).collect(),
    };
    let mut project = Project::default();
    for (id, (file, mut sites)) in results.into_iter().enumerate() {
        for u in &mut sites.urls {
            u.file = id;
        }
        for b in &mut sites.bindings {
            b.file = id;
        }
        for s in &mut sites.secrets {
            s.file = id;
        }
        for c in &mut sites.clients {
            c.file = id;
        }
        for m in &mut sites.migrations {
            m.file = id;
        }
        for m in &mut sites.manifests {
            m.file = id;
        }
        project.clients.extend(sites.clients);
        project.migrations.extend(sites.migrations);
        project.manifests.extend(sites.manifests);
        for n in sites.notes {
            project.notes.push((file.path.clone(), n));
        }
        project.urls.extend(sites.urls);
        project.bindings.extend(sites.bindings);
        project.secrets.extend(sites.secrets);
        project.files.push(file);
    }
    project
}

/// `path` relative to `cwd` when under it, with `/` separators.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    let rel = rel.strip_prefix("./").unwrap_or(rel);
    let s = rel.to_string_lossy().replace('\\', "/");
    if s.is_empty() {
        ".".into()
    } else {
        s
    }
}

impl Project {
    /// The values the project gives variable `name` (in `.env` files, compose, CI,
    /// `.cargo/config.toml`), templates and examples excluded. Empty means unknown: rules
    /// never guess.
    pub fn values_of(&self, name: &str) -> Vec<&EnvBinding> {
        self.bindings
            .iter()
            .filter(|b| b.name == name && b.placement != neon_lint_core::Placement::Example)
            .collect()
    }
}

impl GitFacts {
    /// Asks git about the `.env` files among `paths` (the only files whose tracked state a
    /// rule needs). Without git, nothing is known and `available` is false.
    pub fn probe(paths: &[&Path]) -> GitFacts {
        let mut facts = GitFacts::default();
        for path in paths {
            let Some(dir) = path.parent() else { continue };
            let dir = if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            };
            let Some(name) = path.file_name() else {
                continue;
            };
            let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            let run = |args: &[&std::ffi::OsStr]| {
                std::process::Command::new("git")
                    .arg("-C")
                    .arg(dir)
                    .args(args)
                    .stdin(std::process::Stdio::null())
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .status()
                    .ok()
            };
            let inside = run(&["rev-parse".as_ref(), "--is-inside-work-tree".as_ref()]);
            if !inside.is_some_and(|s| s.success()) {
                // Not a git work tree: judge by the `.gitignore` files above the file.
                if gitignore_matches(path) {
                    facts.ignored.insert(canon);
                }
                continue;
            }
            facts.available = true;
            if run(&[
                "ls-files".as_ref(),
                "--error-unmatch".as_ref(),
                "--".as_ref(),
                name,
            ])
            .is_some_and(|s| s.success())
            {
                facts.tracked.insert(canon.clone());
            }
            if run(&["check-ignore".as_ref(), "-q".as_ref(), "--".as_ref(), name])
                .is_some_and(|s| s.success())
            {
                facts.ignored.insert(canon);
            }
        }
        facts
    }

    /// Whether git tracks `path`.
    pub fn is_tracked(&self, path: &Path) -> bool {
        let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.tracked.contains(&canon)
    }

    /// Whether the ignore rules ignore `path`.
    pub fn is_ignored(&self, path: &Path) -> bool {
        let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        self.ignored.contains(&canon)
    }
}

/// Whether any `.gitignore` in `path`'s folder or above ignores it (used without git).
fn gitignore_matches(path: &Path) -> bool {
    let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    for dir in canon.ancestors().skip(1) {
        let gi = dir.join(".gitignore");
        if !gi.is_file() {
            continue;
        }
        let mut b = ignore::gitignore::GitignoreBuilder::new(dir);
        if b.add(&gi).is_some() {
            continue;
        }
        if let Ok(m) = b.build() {
            if m.matched_path_or_any_parents(&canon, false).is_ignore() {
                return true;
            }
        }
    }
    false
}
