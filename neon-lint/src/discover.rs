//! Finding the files to lint: ripgrep's walker (the `ignore` crate: `.gitignore`, `.ignore`,
//! parallel), plus what a linter of connection settings needs on top:
//!
//! - `.env*` files are read even when hidden or gitignored: they hold the values the
//!   program really runs with.
//! - Hidden folders that configure things (`.github/`, `.cargo/`, `.circleci/`...) are
//!   walked; `.git/`, `target/`, `node_modules/` and virtualenvs never are.
//! - Files named on the command line are always read (that is what pre-commit passes).
//!
//! Each walker thread reads a file once, applies the prefilter and keeps only candidates.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};

use crate::classify::{classify, FileKind};
use crate::prefilter;

/// Files larger than this are not read (with a note): connection settings live in small
/// files, and a 50 MB data dump is not one.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Hidden directories that hold configuration worth linting.
const HIDDEN_DIRS_WALKED: &[&str] = &[
    ".github",
    ".cargo",
    ".circleci",
    ".gitlab",
    ".buildkite",
    ".devcontainer",
    ".config",
    ".docker",
    ".husky",
    ".vscode",
];

/// Directories never walked, whatever the ignore files say.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    "target",
    "node_modules",
    "__pycache__",
    ".venv",
    "venv",
    ".tox",
    ".nox",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "site-packages",
    ".hg",
    ".svn",
];

/// A file read and accepted by the prefilter.
#[derive(Debug)]
pub struct Candidate {
    /// Path as walked.
    pub path: PathBuf,
    /// Its kind.
    pub kind: FileKind,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// What the walk produced.
#[derive(Debug, Default)]
pub struct Discovery {
    /// Files to extract.
    pub candidates: Vec<Candidate>,
    /// Files looked at (for the "scanned N files" line).
    pub files_seen: usize,
    /// Problems (unreadable files, walk errors), each naming the path; the run goes on.
    pub notes: Vec<(PathBuf, String)>,
    /// Paths given on the command line that could not be read at all.
    pub missing_roots: Vec<PathBuf>,
    /// Files already taken, by identity: overlapping paths (`. .env`, `src src/x.py`, a
    /// path twice, a link and its target) are read once.
    taken: HashSet<FileIdentity>,
}

/// What makes two paths the same file: device and inode where there are such, else the
/// canonical path.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FileIdentity {
    #[cfg(unix)]
    Inode(u64, u64),
    #[cfg_attr(unix, allow(dead_code))]
    Path(PathBuf),
}

fn identity(path: &Path) -> Option<FileIdentity> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let m = std::fs::metadata(path).ok()?;
        Some(FileIdentity::Inode(m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        std::fs::canonicalize(path).ok().map(FileIdentity::Path)
    }
}

/// Walk options.
#[derive(Debug, Default, Clone)]
pub struct WalkOptions {
    /// Config `exclude` globs, matched against paths relative to the walk root.
    pub exclude: Option<GlobSet>,
    /// Walker threads (0: one per core).
    pub threads: usize,
}

/// Walks `roots` (directories or files).
pub fn discover(roots: &[PathBuf], opts: &WalkOptions) -> Discovery {
    let out = Mutex::new(Discovery::default());
    let seen_env: Mutex<HashSet<PathBuf>> = Mutex::new(HashSet::new());
    for root in roots {
        let meta = std::fs::metadata(root);
        match meta {
            Ok(m) if m.is_file() => {
                let kind = classify(root).unwrap_or(FileKind::Script);
                visit_file(root, kind, &out, true);
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                let mut d = lock(&out);
                d.notes.push((root.clone(), format!("cannot read: {e}")));
                d.missing_roots.push(root.clone());
                continue;
            }
        }
        let mut builder = WalkBuilder::new(root);
        builder
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .ignore(true)
            .parents(true)
            .require_git(false)
            .follow_links(false)
            .threads(opts.threads);
        let root_for_filter = root.clone();
        let exclude = opts.exclude.clone();
        builder.filter_entry(move |e| {
            let name = e.file_name().to_string_lossy();
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            if let Some(ex) = &exclude {
                let rel = e.path().strip_prefix(&root_for_filter).unwrap_or(e.path());
                if !rel.as_os_str().is_empty() && ex.is_match(rel) {
                    return false;
                }
            }
            if is_dir && e.depth() > 0 {
                if SKIPPED_DIRS.contains(&name.as_ref()) {
                    return false;
                }
                if name.starts_with('.') && !HIDDEN_DIRS_WALKED.contains(&name.as_ref()) {
                    return false;
                }
                // Virtualenvs under other names: only names that suggest one cost a stat.
                if name.contains("env") && e.path().join("pyvenv.cfg").exists() {
                    return false;
                }
            }
            true
        });
        builder.build_parallel().run(|| {
            let out = &out;
            let seen_env = &seen_env;
            let exclude = opts.exclude.clone();
            let root = root.clone();
            Box::new(move |entry| {
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        let path = err_path(&err).unwrap_or_default();
                        lock(out).notes.push((path, format!("walk error: {err}")));
                        return WalkState::Continue;
                    }
                };
                let ft = entry.file_type();
                if ft.is_some_and(|t| t.is_dir()) {
                    // `.env*` files the ignore rules hid: read them anyway.
                    find_ignored_env_files(entry.path(), &root, exclude.as_ref(), out, seen_env);
                    return WalkState::Continue;
                }
                if !ft.is_some_and(|t| t.is_file()) {
                    return WalkState::Continue;
                }
                let path = entry.path();
                let Some(kind) = classify(path) else {
                    lock(out).files_seen += 1;
                    return WalkState::Continue;
                };
                if matches!(kind, FileKind::DotEnv | FileKind::DotEnvTemplate)
                    && !lock(seen_env).insert(path.to_path_buf())
                {
                    return WalkState::Continue;
                }
                visit_file(path, kind, out, false);
                WalkState::Continue
            })
        });
    }
    let mut d = out.into_inner().unwrap_or_else(|p| p.into_inner());
    d.candidates.sort_by(|a, b| a.path.cmp(&b.path));
    d.notes.sort();
    d
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn err_path(err: &ignore::Error) -> Option<PathBuf> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            err_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

fn find_ignored_env_files(
    dir: &Path,
    root: &Path,
    exclude: Option<&GlobSet>,
    out: &Mutex<Discovery>,
    seen_env: &Mutex<HashSet<PathBuf>>,
) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for ent in rd.flatten() {
        let name = ent.file_name();
        let name = name.to_string_lossy();
        if !(name.starts_with(".env") || name.ends_with(".env")) {
            continue;
        }
        let path = ent.path();
        if !ent.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        if let Some(ex) = exclude {
            if ex.is_match(path.strip_prefix(root).unwrap_or(&path)) {
                continue;
            }
        }
        let Some(kind) = classify(&path) else {
            continue;
        };
        if !lock(seen_env).insert(path.clone()) {
            continue;
        }
        visit_file(&path, kind, out, false);
    }
}

thread_local! {
    /// One read buffer per walker thread: most files are read, searched and dropped, so
    /// reusing the allocation avoids an allocation storm on large trees.
    static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn visit_file(path: &Path, kind: FileKind, out: &Mutex<Discovery>, explicit: bool) {
    use std::io::Read;
    if let Some(id) = identity(path) {
        if !lock(out).taken.insert(id) {
            return;
        }
    }
    let result = BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        buf.clear();
        let mut f = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
        let size = f.metadata().map(|m| m.len()).unwrap_or(0);
        if size > MAX_FILE_BYTES {
            return Err(format!(
                "skipped: {} MB is over the {} MB size limit for files that hold settings",
                size / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ));
        }
        // Read at most one byte past the limit, in case the file grew since the stat.
        (&mut f)
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut buf)
            .map_err(|e| format!("cannot read: {e}"))?;
        if buf.len() as u64 > MAX_FILE_BYTES {
            return Err(format!(
                "skipped: over the {} MB size limit for files that hold settings",
                MAX_FILE_BYTES / (1024 * 1024)
            ));
        }
        let keep = !prefilter::is_binary(&buf) && prefilter::is_candidate(kind, &buf);
        let keep =
            keep || (explicit && matches!(kind, FileKind::DotEnv | FileKind::DotEnvTemplate));
        Ok(keep.then(|| buf.clone()))
    });
    let mut d = lock(out);
    d.files_seen += 1;
    match result {
        Ok(Some(bytes)) => d.candidates.push(Candidate {
            path: path.to_path_buf(),
            kind,
            bytes,
        }),
        Ok(None) => {}
        Err(note) => d.notes.push((path.to_path_buf(), note)),
    }
}
