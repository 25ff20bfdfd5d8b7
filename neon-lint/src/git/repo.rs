//! Finding the repository that holds a folder, the way git does, without running git:
//! the nearest `.git` folder, or `.git` file (`gitdir: ...`, as worktrees and submodules
//! have), above it.
//!
//! Not honoured: `GIT_DIR`, `GIT_WORK_TREE`, `GIT_INDEX_FILE`, `GIT_CEILING_DIRECTORIES`
//! and file-system boundaries. The repository of a file is the one its folder is in.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::read::read_regular;

/// `.git` files and `commondir` hold one path: a few KB is plenty.
const MAX_POINTER_BYTES: u64 = 64 * 1024;
/// `config` is read only for the object format.
const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A repository's work tree and where its data lives.
#[derive(Debug, Clone)]
pub(crate) struct Repo {
    /// The work tree's top folder (the one holding `.git`), canonical.
    pub top: PathBuf,
    /// This work tree's git folder: its `index`.
    pub git_dir: PathBuf,
    /// The folder shared by all work trees: `config`, `info/exclude`.
    pub common_dir: PathBuf,
}

impl Repo {
    /// The length of object ids in the index: 20 (SHA-1) or 32 (SHA-256), from
    /// `extensions.objectFormat`; why not (the file and what is wrong), for a note.
    pub fn hash_len(&self) -> Result<usize, (PathBuf, String)> {
        let config = self.common_dir.join("config");
        let text = match read_regular(&config, MAX_CONFIG_BYTES) {
            Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
            Ok(None) => return Ok(20),
            Err(e) => return Err((config, e)),
        };
        match object_format(&text).as_deref() {
            None | Some("sha1") => Ok(20),
            Some("sha256") => Ok(32),
            Some(other) => Err((
                config,
                format!(
                    "unknown `extensions.objectFormat` `{}`",
                    other.escape_debug()
                ),
            )),
        }
    }
}

/// Finds repositories, remembering the answer for every folder it looked at, so that the
/// cost stays linear in the number of folders however many files they hold.
#[derive(Debug, Default)]
pub(crate) struct RepoFinder {
    /// Repositories found, in order.
    pub repos: Vec<Repo>,
    by_dir: HashMap<PathBuf, Option<usize>>,
}

impl RepoFinder {
    /// The repository holding `dir` (a canonical folder), as an index into `repos`.
    pub fn find(&mut self, dir: &Path) -> Option<usize> {
        let mut walked = Vec::new();
        let mut found = None;
        for d in dir.ancestors() {
            if let Some(known) = self.by_dir.get(d) {
                found = *known;
                break;
            }
            walked.push(d.to_path_buf());
            if let Some(repo) = repo_at(d) {
                self.repos.push(repo);
                found = Some(self.repos.len() - 1);
                break;
            }
        }
        for d in walked {
            self.by_dir.insert(d, found);
        }
        found
    }
}

/// The repository whose work tree's top is `dir`, if `dir/.git` is one.
fn repo_at(dir: &Path) -> Option<Repo> {
    let dot_git = dir.join(".git");
    let meta = std::fs::metadata(&dot_git).ok()?;
    let git_dir = if meta.is_dir() {
        dot_git
    } else {
        // A worktree's or a submodule's `.git` file: `gitdir: <path>`, relative to its folder.
        let bytes = read_regular(&dot_git, MAX_POINTER_BYTES).ok()??;
        let text = String::from_utf8_lossy(&bytes);
        let target = text.lines().next()?.strip_prefix("gitdir:")?.trim();
        if target.is_empty() {
            return None;
        }
        dir.join(target)
    };
    // What git checks before taking a folder for a repository (simplified): a `HEAD`.
    if !git_dir.join("HEAD").is_file() {
        return None;
    }
    let common_dir = match read_regular(&git_dir.join("commondir"), MAX_POINTER_BYTES) {
        Ok(Some(bytes)) => {
            let text = String::from_utf8_lossy(&bytes);
            let rel = text.lines().next().unwrap_or("").trim();
            if rel.is_empty() {
                git_dir.clone()
            } else {
                git_dir.join(rel)
            }
        }
        _ => git_dir.clone(),
    };
    Some(Repo {
        top: dir.to_path_buf(),
        git_dir,
        common_dir,
    })
}

/// `extensions.objectFormat` in git config text, lower-cased (a small reader: sections,
/// `key = value`, comments; enough for this one key, which git reads only from the
/// repository's own `config`, never from includes).
fn object_format(config: &str) -> Option<String> {
    let mut section = String::new();
    let mut format = None;
    for line in config.lines() {
        let line = line.trim();
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let name = rest.split([']', ' ', '"', '.']).next().unwrap_or("");
            section = name.to_ascii_lowercase();
            continue;
        }
        if section != "extensions" {
            continue;
        }
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        if key.trim().eq_ignore_ascii_case("objectformat") {
            let value = value.split(['#', ';']).next().unwrap_or("").trim();
            format = Some(value.trim_matches('"').to_ascii_lowercase());
        }
    }
    format
}

#[cfg(test)]
mod tests {
    use super::object_format;

    #[test]
    fn object_format_is_read_from_the_extensions_section() {
        assert_eq!(object_format("[core]\n\tbare = false\n"), None);
        assert_eq!(
            object_format("[core]\nobjectformat = md5\n[extensions]\n\tobjectFormat = sha256\n")
                .as_deref(),
            Some("sha256")
        );
        assert_eq!(
            object_format("[Extensions]\nobjectformat = \"SHA1\" # comment\n").as_deref(),
            Some("sha1")
        );
    }
}
