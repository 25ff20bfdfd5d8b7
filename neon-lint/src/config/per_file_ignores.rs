//! `per-file-ignores`: glob → rules that do not apply to the files it matches, like ruff's
//! `[lint.per-file-ignores]`:
//!
//! ```toml
//! [per-file-ignores]
//! "tests/**" = ["hardcoded-credentials", "NL007"]
//! "*.example.toml" = ["all"]
//! ```
//!
//! Globs are read relative to the configuration file's folder (like `exclude`); a glob
//! without `/` also matches the file name alone, wherever the file is.

use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use neon_lint_core::RuleMeta;

use super::ConfigError;

/// The rules one glob turns off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ignored {
    /// `"all"`.
    All,
    /// By rule name.
    Rules(Vec<&'static str>),
}

/// Every `per-file-ignores` entry, in the order written (an extending file's entry for
/// the same glob replaces the base's).
#[derive(Debug, Clone, Default)]
pub struct PerFileIgnores {
    entries: Vec<(String, Ignored)>,
}

impl PerFileIgnores {
    /// Adds (or replaces) the entry for `glob`.
    pub fn set(&mut self, glob: String, ignored: Ignored) {
        self.entries.retain(|(g, _)| *g != glob);
        self.entries.push((glob, ignored));
    }

    /// Whether there is no entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entries compiled against `root` (the configuration's folder).
    pub fn matcher(&self, root: &Path) -> Result<Matcher, ConfigError> {
        let mut paths = GlobSetBuilder::new();
        let mut names = GlobSetBuilder::new();
        let mut path_rules = Vec::new();
        let mut name_rules = Vec::new();
        for (g, ignored) in &self.entries {
            let glob = Glob::new(g)
                .map_err(|e| ConfigError(format!("invalid per-file-ignores glob `{g}`: {e}")))?;
            paths.add(glob.clone());
            path_rules.push(ignored.clone());
            if !g.contains('/') {
                names.add(glob);
                name_rules.push(ignored.clone());
            }
        }
        let build = |b: GlobSetBuilder| b.build().map_err(|e| ConfigError(e.to_string()));
        Ok(Matcher {
            paths: build(paths)?,
            path_rules,
            names: build(names)?,
            name_rules,
            root: root.to_path_buf(),
            cwd: std::env::current_dir().unwrap_or_default(),
        })
    }
}

/// `per-file-ignores` ready to match files.
pub struct Matcher {
    paths: GlobSet,
    path_rules: Vec<Ignored>,
    names: GlobSet,
    name_rules: Vec<Ignored>,
    root: PathBuf,
    cwd: PathBuf,
}

impl Matcher {
    /// Whether `rule`'s findings in the file at `path` are ignored.
    pub fn ignores(&self, path: &Path, rule: &RuleMeta) -> bool {
        if self.path_rules.is_empty() {
            return false;
        }
        let covers = |i: &Ignored| match i {
            Ignored::All => true,
            Ignored::Rules(r) => r.contains(&rule.name),
        };
        let abs = self.absolute(path);
        let rel = abs.strip_prefix(&self.root).unwrap_or(&abs);
        if self
            .paths
            .matches(rel)
            .into_iter()
            .any(|i| covers(&self.path_rules[i]))
        {
            return true;
        }
        rel.file_name().is_some_and(|name| {
            self.names
                .matches(name)
                .into_iter()
                .any(|i| covers(&self.name_rules[i]))
        })
    }

    /// `path` made absolute: canonical when it exists; otherwise (a `--stdin-filename`
    /// that names no file) joined to the working directory, `.` and `..` resolved.
    fn absolute(&self, path: &Path) -> PathBuf {
        if let Ok(p) = std::fs::canonicalize(path) {
            return p;
        }
        let mut out = std::fs::canonicalize(&self.cwd).unwrap_or_else(|_| self.cwd.clone());
        for c in path.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    out.pop();
                }
                Component::RootDir | Component::Prefix(_) => out = PathBuf::from(c.as_os_str()),
                Component::Normal(n) => out.push(n),
            }
        }
        out
    }
}
