//! The project: every candidate file with its sites, joined project-wide (resolve).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::discover::Candidate;
use crate::extract;
use crate::site::{
    ClientSetup, EnvBinding, FileSites, ImportSite, ManifestFact, MigrationCommand, MigrationRun,
    SecretToken, ToolUrl, UrlSite,
};
use crate::source::{decode, FileId, LineIndex, SourceFile};

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
    /// Migration commands (the resolver turns them into migration runs).
    pub commands: Vec<MigrationCommand>,
    /// URL settings of migration tools' configuration.
    pub tool_urls: Vec<ToolUrl>,
    /// Imported modules (Python).
    pub imports: Vec<ImportSite>,
    /// Uses of connections (SQL text, session features).
    pub uses: Vec<crate::site::ConnectionUse>,
    /// Rust and Cargo facts per file, joined crate-wide by the resolver (which empties it).
    pub rust: Vec<(crate::source::FileId, crate::site::rust::RustFacts)>,
    /// JavaScript exports and pending imports, per file, until the resolver joins them.
    pub js: Vec<(crate::source::FileId, crate::site::JsFacts)>,
    /// Per-file notes (path, message).
    pub notes: Vec<(PathBuf, String)>,
    /// What git knows about the files (tracked / ignored).
    pub git: GitFacts,
    /// `bindings` indices by variable name, built on first use (bindings are final by then).
    pub binding_index: std::sync::OnceLock<std::collections::HashMap<String, Vec<usize>>>,
    /// The program each file belongs to (filled by the resolver).
    pub programs: crate::resolve::programs::Programs,
    /// What every output masks, collected on first use (after the project is final).
    pub redaction: std::sync::OnceLock<crate::report::Redaction>,
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
    // Candidates arrive sorted by path, so a file's id is its index, known before extraction.
    let work = |(id, c): (FileId, Candidate)| -> (SourceFile, FileSites) {
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
        let sites =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| extract::extract(id, &file)))
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
        Ok(pool) => pool.install(|| candidates.into_par_iter().enumerate().map(work).collect()),
        Err(_) => candidates.into_iter().enumerate().map(work).collect(),
    };
    let mut project = Project::default();
    for (id, (file, mut sites)) in results.into_iter().enumerate() {
        project.uses.extend(sites.uses);
        if let Some(facts) = sites.rust.take() {
            project.rust.push((id, *facts));
        }
        if let Some(facts) = sites.js.take() {
            project.js.push((id, *facts));
        }
        project.commands.extend(sites.commands);
        project.tool_urls.extend(sites.tool_urls);
        project.imports.extend(sites.imports);
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
        // Rules ask once per set-up call: index the bindings by name on first use so that
        // the cost stays linear in the size of the tree.
        let index = self.binding_index.get_or_init(|| {
            let mut m: std::collections::HashMap<String, Vec<usize>> = Default::default();
            for (i, b) in self.bindings.iter().enumerate() {
                if b.placement != neon_lint_core::Placement::Example {
                    m.entry(b.name.clone()).or_default().push(i);
                }
            }
            m
        });
        index
            .get(name)
            .map(|ids| ids.iter().map(|&i| &self.bindings[i]).collect())
            .unwrap_or_default()
    }
}

impl GitFacts {
    /// Asks git about the `.env` files among `paths` (the only files whose tracked state a
    /// rule needs): one `git ls-files` and one `git check-ignore --stdin` per repository,
    /// however many files. Without git, `.gitignore` files are read directly.
    pub fn probe(paths: &[&Path]) -> GitFacts {
        let mut facts = GitFacts::default();
        // Group the files by the repository that holds them.
        let mut by_repo: std::collections::BTreeMap<PathBuf, Vec<PathBuf>> = Default::default();
        let mut toplevels: std::collections::HashMap<PathBuf, Option<PathBuf>> = Default::default();
        for path in paths {
            let canon = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            let dir = canon.parent().unwrap_or(Path::new("/")).to_path_buf();
            let top = toplevels
                .entry(dir.clone())
                .or_insert_with(|| git_toplevel(&dir))
                .clone();
            match top {
                Some(top) => by_repo.entry(top).or_default().push(canon),
                None => {
                    if gitignore_matches(&canon) {
                        facts.ignored.insert(canon);
                    }
                }
            }
        }
        for (top, files) in by_repo {
            facts.available = true;
            let rel: Vec<String> = files
                .iter()
                .map(|f| {
                    f.strip_prefix(&top)
                        .unwrap_or(f)
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            if let Some(out) = git_with_stdin(&top, &["ls-files", "-z", "--"], None, &rel) {
                for name in out.split('\0').filter(|n| !n.is_empty()) {
                    let p = top.join(name);
                    if files.contains(&p) {
                        facts.tracked.insert(p);
                    }
                }
            }
            let input = rel.join("\0");
            if let Some(out) =
                git_with_stdin(&top, &["check-ignore", "-z", "--stdin"], Some(&input), &[])
            {
                for name in out.split('\0').filter(|n| !n.is_empty()) {
                    facts.ignored.insert(top.join(name));
                }
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

fn git_toplevel(dir: &Path) -> Option<PathBuf> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["rev-parse", "--show-toplevel"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let top = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Some(std::fs::canonicalize(&top).unwrap_or_else(|_| PathBuf::from(top)))
}

/// Runs git in `top` with `args` (plus `extra` arguments), feeding `stdin`; its stdout.
fn git_with_stdin(
    top: &Path,
    args: &[&str],
    stdin: Option<&str>,
    extra: &[String],
) -> Option<String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut cmd = Command::new("git");
    cmd.arg("-C").arg(top).args(args);
    // `ls-files -- .` lists everything; narrow it to the files we ask about.
    if !extra.is_empty() {
        cmd.args(extra);
    }
    let mut child = cmd
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    if let Some(input) = stdin {
        let mut w = child.stdin.take()?;
        let _ = w.write_all(input.as_bytes());
    }
    let out = child.wait_with_output().ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}
