//! Whether ignore rules ignore a file, decided as git decides it, with the `ignore` crate's
//! gitignore matcher: the `.gitignore` files from the top down to the file's folder, then
//! `info/exclude`. The deepest file with a matching pattern decides (its last matching
//! pattern), and a file inside an ignored folder is ignored whatever a deeper rule says.
//!
//! Not honoured: the user's global `core.excludesFile` (and `~/.config/git/ignore`) and a
//! `core.excludesFile` in the repository's config. Both err on the side of reporting: the
//! finding says what the project's own rules let `git add .` commit, the same on every
//! machine and in CI.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::Match;

use super::read::read_regular;
use crate::discover::MAX_FILE_BYTES;

/// The ignore rules under one top folder, each folder's `.gitignore` read once.
#[derive(Debug)]
pub(crate) struct Excludes {
    top: PathBuf,
    /// `info/exclude` (rooted at the top), the lowest precedence.
    base: Option<Gitignore>,
    /// Each folder's `.gitignore`, `None` when it has none.
    by_dir: HashMap<PathBuf, Option<Gitignore>>,
    /// Ignore files that could not be read (path, why).
    pub notes: Vec<(PathBuf, String)>,
}

impl Excludes {
    /// The rules for files under `top`, with `exclude` (a repository's `info/exclude`).
    pub fn new(top: &Path, exclude: Option<&Path>) -> Excludes {
        let mut ex = Excludes {
            top: top.to_path_buf(),
            base: None,
            by_dir: HashMap::new(),
            notes: Vec::new(),
        };
        if let Some(path) = exclude {
            ex.base = ex.load(top, path);
        }
        ex
    }

    /// Whether the rules ignore `file` (a canonical path under the top).
    pub fn is_ignored(&mut self, file: &Path) -> bool {
        let Ok(rel) = file.strip_prefix(&self.top) else {
            return false;
        };
        // The folders from the top down to the file's, then the file.
        let mut dirs = vec![self.top.clone()];
        let parts: Vec<_> = rel.components().collect();
        for part in parts.iter().take(parts.len().saturating_sub(1)) {
            let next = dirs[dirs.len() - 1].join(part);
            dirs.push(next);
        }
        for d in &dirs {
            if !self.by_dir.contains_key(d) {
                let gi = self.load(d, &d.join(".gitignore"));
                self.by_dir.insert(d.clone(), gi);
            }
        }
        // Each folder below the top, then the file: matched against the rules of the
        // folders above it, deepest first.
        let paths = dirs.iter().skip(1).map(|d| (d.as_path(), true));
        for (depth, (path, is_dir)) in paths.chain([(file, false)]).enumerate() {
            let verdict = dirs[..=depth]
                .iter()
                .rev()
                .filter_map(|d| self.by_dir.get(d).and_then(Option::as_ref))
                .chain(self.base.as_ref())
                .map(|gi| gi.matched(path, is_dir))
                .find(|m| !m.is_none());
            if matches!(verdict, Some(Match::Ignore(_))) {
                return true;
            }
        }
        false
    }

    /// The patterns of ignore file `path`, rooted at `dir`; bad patterns are skipped (as
    /// git skips them).
    fn load(&mut self, dir: &Path, path: &Path) -> Option<Gitignore> {
        let bytes = match read_regular(path, MAX_FILE_BYTES) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return None,
            Err(e) => {
                self.notes
                    .push((path.to_path_buf(), format!("{e}: not read as ignore rules")));
                return None;
            }
        };
        let text = String::from_utf8_lossy(&bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let mut builder = GitignoreBuilder::new(dir);
        for line in text.lines() {
            let _ = builder.add_line(Some(path.to_path_buf()), line);
        }
        builder.build().ok()
    }
}
