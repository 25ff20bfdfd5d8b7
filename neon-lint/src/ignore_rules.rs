//! `.gitignore`, `.ignore` and `.git/info/exclude` rules for the walk, read by neon-lint
//! instead of by the `ignore` crate's walker.
//!
//! The crate opens every ignore file it meets without a check: a FIFO named `.gitignore`
//! hangs the walk, a `.ignore` symlinked to `/dev/zero` takes all memory, and a
//! `.gitignore` of 100,000 wildcard lines compiles into more than a gigabyte of regexes.
//! Here each ignore file is read through [`crate::fsread`] (regular files only) and refused
//! past [`MAX_IGNORE_BYTES`] or [`MAX_IGNORE_LINES`], with a note naming it. A refused
//! file's rules are not applied: the walk reads more files, never fewer.
//!
//! The precedence is the crate's (and ripgrep's), as the walk configured it before
//! (`require_git(false)`, `parents(true)`): from the entry's folder upward to `/`, the
//! first `.ignore` rule that matches wins over the first `.gitignore` rule, which wins over
//! the `.git/info/exclude` of a folder holding `.git`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use crate::fsread;

/// The largest ignore file read, in bytes.
pub const MAX_IGNORE_BYTES: u64 = 1024 * 1024;
/// The most lines an ignore file may have: each line is a compiled glob, and 100,000
/// wildcard lines took 1.4 GB. Real ones have tens to hundreds.
pub const MAX_IGNORE_LINES: usize = 10_000;

/// Reads the ignore file `file`, whose patterns are relative to `dir`: `Ok(None)` when there
/// is none, `Err(note)` when it was refused (not a regular file, too large).
pub fn load(dir: &Path, file: &Path) -> Result<Option<Gitignore>, String> {
    if std::fs::symlink_metadata(file).is_err() {
        return Ok(None);
    }
    let bytes = match fsread::read(file, MAX_IGNORE_BYTES) {
        Ok(b) => b,
        // Gone since the look, or a dangling symlink: nothing to apply.
        Err(fsread::ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(None)
        }
        Err(e) => return Err(format!("ignore file not used: {e}")),
    };
    let text = String::from_utf8_lossy(&bytes);
    let lines = text.lines().count();
    if lines > MAX_IGNORE_LINES {
        return Err(format!(
            "ignore file not used: {lines} lines is over the limit of {MAX_IGNORE_LINES}; \
             the files it would hide are linted"
        ));
    }
    let mut b = GitignoreBuilder::new(dir);
    for (i, line) in text.lines().enumerate() {
        let line = if i == 0 {
            line.trim_start_matches('\u{feff}')
        } else {
            line
        };
        // A line that is not a valid glob is passed over, as git does.
        let _ = b.add_line(Some(file.to_path_buf()), line);
    }
    Ok(b.build().ok())
}

/// One folder's rules, linked to its parent folder's.
struct Level {
    ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
    exclude: Option<Gitignore>,
    parent: Option<Arc<Level>>,
}

/// The ignore rules of a walk, built folder by folder as the walk meets them (shared by the
/// walker's threads).
pub struct IgnoreRules {
    levels: Mutex<HashMap<PathBuf, Arc<Level>>>,
    notes: Mutex<Vec<(PathBuf, String)>>,
}

impl IgnoreRules {
    /// Rules for a walk; paths given to [`IgnoreRules::is_ignored`] must be absolute.
    pub fn new() -> IgnoreRules {
        IgnoreRules {
            levels: Mutex::new(HashMap::new()),
            notes: Mutex::new(Vec::new()),
        }
    }

    /// Whether the rules hide `path` (absolute), a folder when `is_dir`.
    pub fn is_ignored(&self, path: &Path, is_dir: bool) -> bool {
        let Some(dir) = path.parent() else {
            return false;
        };
        let mut level = Some(self.level(dir));
        let (mut m_ignore, mut m_git, mut m_exclude) = (Match::None, Match::None, Match::None);
        let first = |m: &mut Match<()>, g: &Option<Gitignore>| {
            if let (true, Some(g)) = (m.is_none(), g) {
                *m = g.matched(path, is_dir).map(|_| ());
            }
        };
        while let Some(l) = level {
            first(&mut m_ignore, &l.ignore);
            first(&mut m_git, &l.gitignore);
            first(&mut m_exclude, &l.exclude);
            level = l.parent.clone();
        }
        let decided = if !m_ignore.is_none() {
            m_ignore
        } else if !m_git.is_none() {
            m_git
        } else {
            m_exclude
        };
        decided.is_ignore()
    }

    /// The notes about refused ignore files.
    pub fn take_notes(&self) -> Vec<(PathBuf, String)> {
        let mut notes = std::mem::take(&mut *lock(&self.notes));
        notes.sort();
        notes.dedup();
        notes
    }

    /// The rules in force in folder `dir` (absolute), reading its ignore files (and its
    /// parents') the first time.
    fn level(&self, dir: &Path) -> Arc<Level> {
        if let Some(l) = lock(&self.levels).get(dir) {
            return l.clone();
        }
        // Folders above first; iterative, so a deep tree cannot overflow the stack.
        let mut missing = Vec::new();
        let mut parent = None;
        for a in dir.ancestors() {
            if let Some(l) = lock(&self.levels).get(a) {
                parent = Some(l.clone());
                break;
            }
            missing.push(a.to_path_buf());
        }
        for d in missing.into_iter().rev() {
            let level = Arc::new(self.read_level(&d, parent.take()));
            lock(&self.levels).insert(d, level.clone());
            parent = Some(level);
        }
        parent.expect("at least `dir` itself was built")
    }

    fn read_level(&self, dir: &Path, parent: Option<Arc<Level>>) -> Level {
        let read = |file: PathBuf| match load(dir, &file) {
            Ok(g) => g,
            Err(note) => {
                lock(&self.notes).push((file, note));
                None
            }
        };
        Level {
            ignore: read(dir.join(".ignore")),
            gitignore: read(dir.join(".gitignore")),
            exclude: git_common_dir(dir).and_then(|g| read(g.join("info/exclude"))),
            parent,
        }
    }
}

/// The git folder holding `info/exclude` for a repository whose top is `dir`: `.git`, or
/// for a linked worktree (`.git` is a file saying `gitdir: ...`) the common folder its
/// `commondir` names, as the crate resolved it (read bounded: `.git` may be a FIFO too).
fn git_common_dir(dir: &Path) -> Option<PathBuf> {
    let dot_git = dir.join(".git");
    if std::fs::metadata(&dot_git).ok()?.is_dir() {
        return Some(dot_git);
    }
    let first_line = |p: &Path| -> Option<String> {
        let bytes = fsread::read(p, 64 * 1024).ok()?;
        Some(String::from_utf8_lossy(&bytes).lines().next()?.to_string())
    };
    let line = first_line(&dot_git)?;
    let real = dir.join(line.strip_prefix("gitdir: ")?);
    let common = first_line(&real.join("commondir"))?;
    Some(real.join(common))
}

impl Default for IgnoreRules {
    fn default() -> IgnoreRules {
        IgnoreRules::new()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_follows_ripgrep() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join(".git/info")).unwrap();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join(".gitignore"), "*.log\nbuild/\n").unwrap();
        std::fs::write(root.join("sub/.gitignore"), "!keep.log\n").unwrap();
        std::fs::write(root.join(".ignore"), "secret.txt\n").unwrap();
        std::fs::write(root.join(".git/info/exclude"), "local.txt\n").unwrap();
        let r = IgnoreRules::new();
        assert!(r.is_ignored(&root.join("a.log"), false));
        assert!(r.is_ignored(&root.join("sub/a.log"), false));
        assert!(!r.is_ignored(&root.join("sub/keep.log"), false));
        assert!(r.is_ignored(&root.join("build"), true));
        assert!(!r.is_ignored(&root.join("build"), false));
        assert!(r.is_ignored(&root.join("sub/secret.txt"), false));
        assert!(r.is_ignored(&root.join("local.txt"), false));
        assert!(!r.is_ignored(&root.join("a.toml"), false));
        assert!(r.take_notes().is_empty());
    }

    #[test]
    fn a_linked_worktree_uses_the_common_exclude_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        let wt_git = root.join("main/.git/worktrees/wt");
        std::fs::create_dir_all(&wt_git).unwrap();
        std::fs::create_dir_all(root.join("main/.git/info")).unwrap();
        std::fs::write(root.join("main/.git/info/exclude"), "local.txt\n").unwrap();
        std::fs::write(wt_git.join("commondir"), "../..\n").unwrap();
        std::fs::create_dir_all(root.join("wt")).unwrap();
        std::fs::write(
            root.join("wt/.git"),
            format!("gitdir: {}\n", wt_git.display()),
        )
        .unwrap();
        let r = IgnoreRules::new();
        assert!(r.is_ignored(&root.join("wt/local.txt"), false));
        assert!(!r.is_ignored(&root.join("wt/other.txt"), false));
    }
}
