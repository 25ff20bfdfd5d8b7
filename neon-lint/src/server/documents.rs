//! Open documents (the editor's text, not the disk's) and the project each belongs to.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{TextDocumentContentChangeEvent, Url};

use super::positions::{Encoding, LineTable};

/// One open document.
#[derive(Debug, Clone)]
pub struct Document {
    /// The URI as the client sent it (published diagnostics must name it the same way).
    pub uri: Url,
    /// The file it stands for, as the walk will name it.
    pub path: PathBuf,
    /// The editor's text.
    pub text: String,
    /// The client's version, echoed in published diagnostics.
    pub version: i32,
}

impl Document {
    /// Applies one change event: a whole new text, or a range replaced (positions in the
    /// negotiated encoding, clamped: a stale or hostile range edits what it can reach).
    pub fn apply(&mut self, change: TextDocumentContentChangeEvent, enc: Encoding) {
        match change.range {
            None => self.text = change.text,
            Some(range) => {
                let table = LineTable::new(&self.text);
                let r = table.byte_range(&self.text, range, enc);
                self.text.replace_range(r, &change.text);
            }
        }
    }
}

/// The open documents, by path.
#[derive(Debug, Default)]
pub struct Documents {
    by_path: HashMap<PathBuf, Document>,
}

impl Documents {
    /// Opens (or reopens) a document. `None` for URIs that are not files on this machine
    /// (`untitled:`, remote schemes): nothing to lint them with.
    pub fn open(&mut self, uri: Url, text: String, version: i32) -> Option<PathBuf> {
        let path = file_path(&uri)?;
        self.by_path.insert(
            path.clone(),
            Document {
                uri,
                path: path.clone(),
                text,
                version,
            },
        );
        Some(path)
    }

    /// The document at `uri`, if open.
    pub fn get_mut(&mut self, uri: &Url) -> Option<&mut Document> {
        let path = file_path(uri)?;
        self.by_path.get_mut(&path)
    }

    /// The document at `uri`, if open.
    pub fn get(&self, uri: &Url) -> Option<&Document> {
        self.by_path.get(&file_path(uri)?)
    }

    /// The document for `path`, if open.
    pub fn by_path(&self, path: &Path) -> Option<&Document> {
        self.by_path.get(path)
    }

    /// Closes a document; its path when it was open.
    pub fn close(&mut self, uri: &Url) -> Option<PathBuf> {
        let path = file_path(uri)?;
        self.by_path.remove(&path).map(|d| d.path)
    }

    /// The open documents under `root` (a folder, or one document's own path).
    pub fn under<'a>(&'a self, root: &'a Path) -> impl Iterator<Item = &'a Document> + 'a {
        self.by_path
            .iter()
            .filter(move |(p, _)| p.starts_with(root))
            .map(|(_, d)| d)
    }

    /// The editor texts of the open documents under `root`, for the pipeline to read
    /// instead of the disk.
    pub fn overlay(&self, root: &Path) -> crate::discover::Overlay {
        Arc::new(
            self.by_path
                .iter()
                .filter(|(p, _)| p.starts_with(root))
                .map(|(p, d)| (p.clone(), d.text.clone().into_bytes()))
                .collect(),
        )
    }
}

/// The path a `file:` URI names, made canonical the way the walk of a canonical root
/// names files (symlinked folders resolved), also for a file not saved yet.
pub fn file_path(uri: &Url) -> Option<PathBuf> {
    if uri.scheme() != "file" {
        return None;
    }
    let path = uri.to_file_path().ok()?;
    Some(canonical(&path))
}

fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

/// Files whose folder is a program's root (the resolver's manifests).
const MANIFESTS: &[&str] = &[
    "Cargo.toml",
    "pyproject.toml",
    "package.json",
    "requirements.txt",
    "setup.py",
    "manage.py",
    "go.mod",
];

/// The folder to lint for a document at `path`: what `neon-lint` run from the project's
/// top would scan, so that a pool sees the `.env` it reads and an env file the Prisma
/// schema it feeds.
///
/// - the nearest folder with a `neon-lint.toml` / `.neon-lint.toml` (the configuration's
///   root is where the CLI's globs are relative to), or with `.git` (the repository:
///   a `.env` at its top reaches every program in it);
/// - else the outermost folder with a manifest, within the client's workspace folder
///   when the document is inside one (a monorepo without git: the top program owns the
///   `.env` files above the nested ones);
/// - else the client's workspace folder holding the document;
/// - else the document alone (a `.env` opened on its own from a home folder must not
///   start a walk of the whole home folder).
pub fn project_root(path: &Path, workspace_folders: &[PathBuf]) -> PathBuf {
    let dir = path.parent().unwrap_or(path);
    let workspace = workspace_folders
        .iter()
        .filter(|w| dir.starts_with(w))
        .max_by_key(|w| w.components().count());
    let mut outermost_manifest = None;
    for d in dir.ancestors() {
        let has = |n: &str| d.join(n).exists();
        if has("neon-lint.toml") || has(".neon-lint.toml") || has(".git") {
            return d.to_path_buf();
        }
        if MANIFESTS.iter().any(|m| has(m)) {
            outermost_manifest = Some(d.to_path_buf());
        }
        if Some(d) == workspace.map(PathBuf::as_path) {
            break;
        }
    }
    outermost_manifest
        .or_else(|| workspace.cloned())
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    #[test]
    fn incremental_changes_use_the_negotiated_units() {
        let mut d = Document {
            uri: Url::parse("file:///tmp/x/.env").unwrap(),
            path: PathBuf::from("/tmp/x/.env"),
            text: "K=é😀1\n".into(),
            version: 1,
        };
        // Replace "1" (UTF-16 column 4: é is 1 unit, 😀 is 2).
        let change = |c1, c2, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range {
                start: Position {
                    line: 0,
                    character: c1,
                },
                end: Position {
                    line: 0,
                    character: c2,
                },
            }),
            range_length: None,
            text: text.into(),
        };
        d.apply(change(5, 6, "2"), Encoding::Utf16);
        assert_eq!(d.text, "K=é😀2\n");
        // In UTF-8 the same character sits at byte 8.
        d.apply(change(8, 9, "3"), Encoding::Utf8);
        assert_eq!(d.text, "K=é😀3\n");
        // A range past the end appends at the end of the line, never panics.
        d.apply(change(50, 99, "!"), Encoding::Utf16);
        assert_eq!(d.text, "K=é😀3!\n");
    }

    #[test]
    fn the_root_is_the_configured_or_repository_folder_else_the_top_program() {
        let tmp = tempfile::tempdir().unwrap();
        let top = std::fs::canonicalize(tmp.path()).unwrap();
        let app = top.join("apps/api");
        std::fs::create_dir_all(&app).unwrap();
        std::fs::write(top.join("package.json"), "{}").unwrap();
        std::fs::write(app.join("package.json"), "{}").unwrap();
        assert_eq!(
            project_root(&app.join(".env"), std::slice::from_ref(&top)),
            top
        );
        std::fs::create_dir(top.join("apps/.git")).unwrap();
        assert_eq!(
            project_root(&app.join(".env"), std::slice::from_ref(&top)),
            top.join("apps")
        );
        std::fs::write(app.join("neon-lint.toml"), "").unwrap();
        assert_eq!(project_root(&app.join(".env"), &[]), app);
        let other = tempfile::tempdir().unwrap();
        let lone = std::fs::canonicalize(other.path()).unwrap();
        let marked = |d: &Path| {
            MANIFESTS
                .iter()
                .chain(&[".git"])
                .any(|m| d.join(m).exists())
        };
        if !lone.ancestors().any(marked) {
            assert_eq!(project_root(&lone.join(".env"), &[]), lone.join(".env"));
        }
    }
}
