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
use std::sync::{Arc, Mutex};

use globset::GlobSet;
use ignore::{WalkBuilder, WalkState};

use crate::classify::{classify, FileKind};
use crate::fsread::{self, ReadError};
use crate::ignore_rules::IgnoreRules;
use crate::prefilter;

/// Files larger than this are not read (with a note).
pub use crate::fsread::MAX_FILE_BYTES;

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

/// What one walker thread (or the roots' loop) found. Each thread fills its own and hands it
/// over when its visitor is dropped, so the walk takes no lock per file.
#[derive(Debug, Default)]
struct Found {
    /// Candidates, with the identity of the file they were read from.
    candidates: Vec<(Option<FileIdentity>, Candidate)>,
    /// Every file read (candidate or not), by identity; `None` when it has none.
    read: Vec<Option<FileIdentity>>,
    /// Files walked past without reading (no kind).
    unread: usize,
    notes: Vec<(PathBuf, String)>,
    missing_roots: Vec<PathBuf>,
}

/// Hands a thread's [`Found`] to the walk's collection when dropped.
struct Handover<'a> {
    found: Found,
    to: &'a Mutex<Vec<Found>>,
}

impl Drop for Handover<'_> {
    fn drop(&mut self) {
        lock(self.to).push(std::mem::take(&mut self.found));
    }
}

impl Discovery {
    /// Joins what the threads found: a file met twice (overlapping roots, a path twice, a
    /// hard link) is read into the result once, the first by path.
    fn join(parts: Vec<Found>) -> Discovery {
        let mut d = Discovery::default();
        let mut all = Vec::new();
        let mut read_ids = HashSet::new();
        for part in parts {
            d.files_seen += part.unread;
            for id in part.read {
                match id {
                    Some(id) => {
                        if read_ids.insert(id) {
                            d.files_seen += 1;
                        }
                    }
                    None => d.files_seen += 1,
                }
            }
            all.extend(part.candidates);
            d.notes.extend(part.notes);
            d.missing_roots.extend(part.missing_roots);
        }
        all.sort_by(|a, b| a.1.path.cmp(&b.1.path));
        for (id, c) in all {
            if let Some(id) = id {
                if !d.taken.insert(id) {
                    continue;
                }
            }
            d.candidates.push(c);
        }
        // Files read but not kept are taken too: a context walk does not read them again.
        d.taken.extend(read_ids);
        d.notes.sort();
        d.notes.dedup();
        d
    }
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

/// Texts that stand in for files' on-disk bytes: an editor's unsaved buffers (the
/// language server lints what the user sees, not what was last saved). Keyed by the path
/// as the walk produces it (absolute roots give absolute keys).
pub type Overlay = std::sync::Arc<std::collections::HashMap<PathBuf, Vec<u8>>>;

/// Walk options.
#[derive(Debug, Default, Clone)]
pub struct WalkOptions {
    /// Config `exclude` globs, matched against paths relative to the walk root.
    pub exclude: Option<GlobSet>,
    /// Walker threads (0: one per core).
    pub threads: usize,
    /// In-memory texts read instead of the files at these paths (also when the file does
    /// not exist on disk yet: a new, unsaved buffer under a walked root).
    pub overlay: Overlay,
}

/// Walks `roots` (directories or files).
pub fn discover(roots: &[PathBuf], opts: &WalkOptions) -> Discovery {
    discover_where(roots, opts, &|_, _| true)
}

/// Which walked files to read: `(path, kind)` to `true` to read it. Files named as roots
/// and `.env*` files are read whatever it says.
pub type Want<'a> = &'a (dyn Fn(&Path, FileKind) -> bool + Sync);

/// Walks `roots` like [`discover`], reading only the walked files `want` accepts (the
/// others are not opened, so a context walk costs directory listings, not reads).
pub fn discover_where(roots: &[PathBuf], opts: &WalkOptions, want: Want<'_>) -> Discovery {
    let parts: Mutex<Vec<Found>> = Mutex::new(Vec::new());
    let mut at_roots = Handover {
        found: Found::default(),
        to: &parts,
    };
    let seen_env: Mutex<HashSet<PathBuf>> = Mutex::new(HashSet::new());
    let ignore_rules = Arc::new(IgnoreRules::new());
    let overlay = &opts.overlay;
    for root in roots {
        if overlay.contains_key(root) {
            let kind = classify(root).unwrap_or(FileKind::Script);
            visit_file(root, kind, &mut at_roots.found, true, overlay);
            continue;
        }
        let meta = std::fs::metadata(root);
        match meta {
            Ok(m) if m.is_file() => {
                let kind = classify(root).unwrap_or(FileKind::Script);
                visit_file(root, kind, &mut at_roots.found, true, overlay);
                continue;
            }
            Ok(m) if m.is_dir() => {}
            // A FIFO, socket or device named on the command line: the walker would pass it
            // over in silence, and the run would claim success.
            Ok(m) => {
                let d = &mut at_roots.found;
                let what = fsread::kind_name(&m.file_type());
                d.notes.push((
                    root.clone(),
                    format!("not read: not a regular file ({what})"),
                ));
                d.missing_roots.push(root.clone());
                continue;
            }
            Err(e) => {
                let d = &mut at_roots.found;
                d.notes.push((root.clone(), format!("cannot read: {e}")));
                d.missing_roots.push(root.clone());
                continue;
            }
        }
        let mut builder = WalkBuilder::new(root);
        // The ignore files are read by `ignore_rules` (bounded, regular files only), not
        // by the walker, which would open a FIFO `.gitignore` and wait forever.
        builder
            .hidden(false)
            .git_ignore(false)
            .git_global(false)
            .git_exclude(false)
            .ignore(false)
            .parents(false)
            .require_git(false)
            .follow_links(false)
            .threads(opts.threads);
        let root_for_filter = root.clone();
        let abs_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.clone());
        let rules = ignore_rules.clone();
        let exclude = opts.exclude.clone();
        builder.filter_entry(move |e| {
            let name = e.file_name().to_string_lossy();
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            let rel = e.path().strip_prefix(&root_for_filter).unwrap_or(e.path());
            if let Some(ex) = &exclude {
                if !rel.as_os_str().is_empty() && ex.is_match(rel) {
                    return false;
                }
            }
            if e.depth() > 0 && rules.is_ignored(&abs_root.join(rel), is_dir) {
                return false;
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
            let mut mine = Handover {
                found: Found::default(),
                to: &parts,
            };
            let seen_env = &seen_env;
            let exclude = opts.exclude.clone();
            let root = root.clone();
            Box::new(move |entry| {
                let out = &mut mine.found;
                let entry = match entry {
                    Ok(e) => e,
                    Err(err) => {
                        let path = err_path(&err).unwrap_or_default();
                        out.notes.push((path, format!("walk error: {err}")));
                        return WalkState::Continue;
                    }
                };
                let ft = entry.file_type();
                if ft.is_some_and(|t| t.is_dir()) {
                    // `.env*` files the ignore rules hid: read them anyway.
                    find_ignored_env_files(
                        entry.path(),
                        &root,
                        exclude.as_ref(),
                        out,
                        seen_env,
                        overlay,
                    );
                    return WalkState::Continue;
                }
                if !ft.is_some_and(|t| t.is_file()) {
                    return WalkState::Continue;
                }
                let path = entry.path();
                let Some(kind) = classify(path) else {
                    out.unread += 1;
                    return WalkState::Continue;
                };
                let env = matches!(kind, FileKind::DotEnv | FileKind::DotEnvTemplate);
                if env && !lock(seen_env).insert(path.to_path_buf()) {
                    return WalkState::Continue;
                }
                if !env && !want(path, kind) {
                    return WalkState::Continue;
                }
                visit_walked(path, kind, out, overlay);
                WalkState::Continue
            })
        });
    }
    // Buffers with no file on disk yet (a new `.env` the user has not saved): read where
    // the walk would have found them, unless excluded or inside a folder never walked.
    for path in overlay.keys() {
        if path.exists() || at_roots.found.candidates.iter().any(|c| &c.1.path == path) {
            continue;
        }
        let Some(root) = roots.iter().find(|r| path.starts_with(r)) else {
            continue;
        };
        let rel = path.strip_prefix(root).unwrap_or(path);
        let excluded = opts.exclude.as_ref().is_some_and(|ex| {
            rel.ancestors()
                .any(|a| !a.as_os_str().is_empty() && ex.is_match(a))
        });
        let skipped_dir = rel.parent().is_some_and(|p| {
            p.components()
                .any(|c| SKIPPED_DIRS.contains(&c.as_os_str().to_string_lossy().as_ref()))
        });
        let Some(kind) = classify(path) else {
            continue;
        };
        // `.env*` files are read even when ignored, as the walk reads them.
        let env = matches!(kind, FileKind::DotEnv | FileKind::DotEnvTemplate);
        if excluded || skipped_dir || (!env && ignore_rules.is_ignored(path, false)) {
            continue;
        }
        visit_file(path, kind, &mut at_roots.found, false, overlay);
    }
    drop(at_roots);
    let parts = parts.into_inner().unwrap_or_else(|p| p.into_inner());
    let mut d = Discovery::join(parts);
    d.notes.extend(ignore_rules.take_notes());
    d.notes.sort();
    d
}

impl Discovery {
    /// Adds the candidates of a context walk that are not already here (by file identity:
    /// a named file is also met by the walk of its project). Returns the paths added.
    pub fn absorb(&mut self, context: Discovery) -> Vec<PathBuf> {
        let mut added = Vec::new();
        for c in context.candidates {
            if let Some(id) = identity(&c.path) {
                if !self.taken.insert(id) {
                    continue;
                }
            }
            added.push(c.path.clone());
            self.candidates.push(c);
        }
        self.candidates.sort_by(|a, b| a.path.cmp(&b.path));
        added
    }
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
    out: &mut Found,
    seen_env: &Mutex<HashSet<PathBuf>>,
    overlay: &Overlay,
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
        visit_file(&path, kind, out, false, overlay);
    }
}

thread_local! {
    /// One read buffer per walker thread: most files are read, searched and dropped, so
    /// reusing the allocation avoids an allocation storm on large trees.
    static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads a file the walker met as a regular file (the hot path: see
/// [`fsread::read_walked`]).
fn visit_walked(path: &Path, kind: FileKind, out: &mut Found, overlay: &Overlay) {
    if overlay.contains_key(path) {
        return visit_file(path, kind, out, false, overlay);
    }
    let result = BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        let id = fsread::read_walked(path, MAX_FILE_BYTES, &mut buf)?;
        #[cfg(unix)]
        let id = id.map(|(dev, ino)| FileIdentity::Inode(dev, ino));
        #[cfg(not(unix))]
        let id = id.and(identity(path));
        Ok((id, keep(kind, &buf, false)))
    });
    record(path, kind, out, false, result);
}

/// Reads a file named on the command line, met at a path given as a root, or held in the
/// overlay: these may be anything (a FIFO, a device), so the path is looked at first.
fn visit_file(path: &Path, kind: FileKind, out: &mut Found, explicit: bool, overlay: &Overlay) {
    let id = identity(path);
    let result = BUF.with(|buf| {
        let mut buf = buf.borrow_mut();
        match overlay.get(path) {
            // The same limit as on disk: an editor buffer is no excuse for 50 MB.
            Some(text) if text.len() as u64 > MAX_FILE_BYTES => {
                return Err(ReadError::TooBig {
                    size: Some(text.len() as u64),
                    limit: MAX_FILE_BYTES,
                })
            }
            Some(text) => {
                buf.clear();
                buf.extend_from_slice(text);
            }
            None => fsread::read_into(path, MAX_FILE_BYTES, &mut buf)?,
        }
        Ok((id, keep(kind, &buf, explicit)))
    });
    record(path, kind, out, explicit, result);
}

/// The bytes to keep of a file of `kind` just read into `buf`: `None` when the prefilter
/// rejects it.
fn keep(kind: FileKind, buf: &[u8], explicit: bool) -> Option<Vec<u8>> {
    // `.env` files and the other kinds their tools read as text are text whatever
    // bytes they hold: a NUL must not hide the password on the next line.
    let binary = !is_text_whatever_it_holds(kind) && prefilter::is_binary(buf);
    let keep = !binary && prefilter::is_candidate(kind, buf);
    let keep = keep || (explicit && matches!(kind, FileKind::DotEnv | FileKind::DotEnvTemplate));
    crate::timings::file_read(kind, keep.then_some(buf.len()));
    keep.then(|| buf.to_vec())
}

type ReadResult = Result<(Option<FileIdentity>, Option<Vec<u8>>), ReadError>;

fn record(path: &Path, kind: FileKind, d: &mut Found, explicit: bool, result: ReadResult) {
    match result {
        Ok((id, bytes)) => {
            d.read.push(id.clone());
            if let Some(bytes) = bytes {
                let c = Candidate {
                    path: path.to_path_buf(),
                    kind,
                    bytes,
                };
                d.candidates.push((id, c));
            }
        }
        Err(e) => {
            d.read.push(None);
            // A file named on the command line that cannot be read (or is not a regular
            // file) fails the run; one over the size limit is a deliberate skip.
            if explicit && !matches!(e, ReadError::TooBig { .. }) {
                d.missing_roots.push(path.to_path_buf());
            }
            let note = match e {
                ReadError::Io(e) => format!("cannot read: {e}"),
                big @ ReadError::TooBig { .. } => {
                    format!("skipped: {big} for files that hold settings")
                }
                refused => format!("skipped: {refused}"),
            };
            d.notes.push((path.to_path_buf(), note))
        }
    }
}

/// What the walk would make of one file given on standard input (`neon-lint -
/// --stdin-filename PATH`): the file at `path` with `bytes` as its content, judged like a
/// file named on the command line (its kind from its name, then the same prefilter).
pub fn from_stdin(path: &Path, bytes: Vec<u8>) -> Discovery {
    let kind = classify(path).unwrap_or(FileKind::Script);
    let binary = !is_text_whatever_it_holds(kind) && prefilter::is_binary(&bytes);
    let keep = (!binary && prefilter::is_candidate(kind, &bytes))
        || matches!(kind, FileKind::DotEnv | FileKind::DotEnvTemplate);
    let mut d = Discovery {
        files_seen: 1,
        ..Discovery::default()
    };
    if keep {
        d.candidates.push(Candidate {
            path: path.to_path_buf(),
            kind,
            bytes,
        });
    }
    d
}

/// File kinds whose tools read them as text lines whatever they hold (python-dotenv,
/// docker compose's `env_file`, shells, `configparser`, Docker's Dockerfile parser): the
/// "a NUL means binary" guess does not apply to them.
fn is_text_whatever_it_holds(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::DotEnv
            | FileKind::DotEnvTemplate
            | FileKind::Shell
            | FileKind::Dockerfile
            | FileKind::Ini
    )
}
