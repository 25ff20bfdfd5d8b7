//! What git knows about the scanned files (tracked, ignored), read in-process: the index
//! and the ignore files, never a `git` process. Running git in a cloned repository runs
//! that repository's configuration (`core.fsmonitor`, `core.hooksPath`, filters,
//! `diff.external`, `include.path`...), so neon-lint reads git's data files instead, as
//! plain data: regular files of bounded size, parsed without trusting their structure.

mod excludes;
mod index;
mod read;
mod repo;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use excludes::Excludes;
use repo::RepoFinder;

/// Which files git tracks, and which the ignore rules ignore.
#[derive(Debug, Default)]
pub struct GitFacts {
    /// Canonical paths of tracked files (empty when not a git work tree).
    pub tracked: HashSet<PathBuf>,
    /// Canonical paths of scanned files that the ignore rules ignore.
    pub ignored: HashSet<PathBuf>,
    /// Whether git information was available at all.
    pub available: bool,
    /// Git files that could not be read (path, why): what is unknown because of them.
    pub notes: Vec<(PathBuf, String)>,
}

impl GitFacts {
    /// Looks up the `.env` files among `paths` (the only files whose tracked state a rule
    /// needs): one index read per repository, however many files; each folder's ignore
    /// rules read once. Outside any repository, `.gitignore` files are read all the same.
    pub fn probe(paths: &[&Path]) -> GitFacts {
        let mut facts = GitFacts::default();
        let mut finder = RepoFinder::default();
        let mut by_repo: BTreeMap<usize, Vec<PathBuf>> = BTreeMap::new();
        let mut outside: Vec<PathBuf> = Vec::new();
        for path in paths {
            let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            let dir = canon.parent().unwrap_or(Path::new("/"));
            match finder.find(dir) {
                Some(repo) => by_repo.entry(repo).or_default().push(canon),
                None => outside.push(canon),
            }
        }
        for (id, files) in by_repo {
            facts.available = true;
            facts.in_repository(&finder.repos[id], files);
        }
        // Outside a repository: every `.gitignore` from the file-system root down.
        let mut by_root: HashMap<PathBuf, Excludes> = HashMap::new();
        for file in outside {
            let root = file
                .ancestors()
                .last()
                .unwrap_or(Path::new("/"))
                .to_path_buf();
            let ex = by_root
                .entry(root.clone())
                .or_insert_with(|| Excludes::new(&root, None));
            if ex.is_ignored(&file) {
                facts.ignored.insert(file);
            }
        }
        for ex in by_root.into_values() {
            facts.notes.extend(ex.notes);
        }
        facts.notes.sort();
        facts.notes.dedup();
        facts
    }

    fn in_repository(&mut self, repo: &repo::Repo, files: Vec<PathBuf>) {
        let by_name: HashMap<Vec<u8>, &PathBuf> = files
            .iter()
            .filter_map(|f| Some((index_name(f.strip_prefix(&repo.top).ok()?), f)))
            .collect();
        let wanted: HashSet<Vec<u8>> = by_name.keys().cloned().collect();
        let tracked = repo
            .hash_len()
            .and_then(|hash_len| index::tracked(&repo.git_dir, hash_len, &wanted));
        match tracked {
            Ok(names) => {
                for name in names {
                    if let Some(f) = by_name.get(&name) {
                        self.tracked.insert((*f).clone());
                    }
                }
            }
            Err((file, why)) => self.notes.push((
                file,
                format!("{why}; whether git tracks the `.env` files of this repository is unknown"),
            )),
        }
        let mut ex = Excludes::new(&repo.top, Some(&repo.common_dir.join("info/exclude")));
        for f in &files {
            if ex.is_ignored(f) {
                self.ignored.insert(f.clone());
            }
        }
        self.notes.extend(ex.notes);
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

/// A path relative to the work tree's top as the index spells it: bytes, `/`-separated.
fn index_name(rel: &Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        rel.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        rel.to_string_lossy().replace('\\', "/").into_bytes()
    }
}
