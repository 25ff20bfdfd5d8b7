//! The engine: discover, prefilter, extract, resolve, rules, suppressions, sorted output.

use std::path::{Path, PathBuf};

use globset::{Glob, GlobSetBuilder};

use crate::classify::FileKind;
use crate::config::{Config, ConfigError};
use crate::diagnostic::Diagnostic;
use crate::discover::{discover, WalkOptions};
use crate::project::{self, GitFacts, Project};
use crate::{resolve, rules, suppress};

/// The result of linting a tree.
#[derive(Debug)]
pub struct Outcome {
    /// Files and sites.
    pub project: Project,
    /// Findings, sorted by path, position and code; suppressed ones removed.
    pub diagnostics: Vec<Diagnostic>,
    /// Files the walk looked at.
    pub files_seen: usize,
    /// Problems that did not stop the run (path as printed, message).
    pub notes: Vec<(String, String)>,
}

/// Lints `paths` with `config`.
pub fn lint(paths: &[PathBuf], config: &Config) -> Result<Outcome, ConfigError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let mut exclude = GlobSetBuilder::new();
    for g in &config.exclude {
        let glob =
            Glob::new(g).map_err(|e| ConfigError(format!("invalid exclude glob `{g}`: {e}")))?;
        exclude.add(glob);
    }
    let opts = WalkOptions {
        exclude: if config.exclude.is_empty() {
            None
        } else {
            Some(exclude.build().map_err(|e| ConfigError(e.to_string()))?)
        },
        threads: 0,
    };
    let found = discover(paths, &opts);
    let files_seen = found.files_seen;
    let mut notes: Vec<(String, String)> = found
        .notes
        .iter()
        .map(|(p, m)| (project::display_path(p, &cwd), m.clone()))
        .collect();
    let mut project = project::build(found.candidates, &cwd);
    let env_files: Vec<&Path> = project
        .files
        .iter()
        .filter(|f| f.kind == FileKind::DotEnv)
        .map(|f| f.path.as_path())
        .collect();
    project.git = GitFacts::probe(&env_files);
    resolve::resolve(&mut project);
    notes.extend(
        project
            .notes
            .iter()
            .map(|(p, m)| (project::display_path(p, &cwd), m.clone())),
    );
    let mut diagnostics = rules::run(&project, config);

    // Suppressions, parsed only for files with findings.
    let mut sups_cache: std::collections::HashMap<usize, Vec<suppress::Suppression>> =
        Default::default();
    diagnostics.retain(|d| {
        let file = &project.files[d.file];
        let sups = sups_cache
            .entry(d.file)
            .or_insert_with(|| suppress::parse(file));
        !suppress::is_suppressed(d, file, sups)
    });

    diagnostics.sort_by(|a, b| {
        let fa = &project.files[a.file];
        let fb = &project.files[b.file];
        (fa.display.as_str(), a.span.start, a.rule.code, a.span.end).cmp(&(
            fb.display.as_str(),
            b.span.start,
            b.rule.code,
            b.span.end,
        ))
    });
    diagnostics.dedup_by(|a, b| a.file == b.file && a.span == b.span && a.rule == b.rule);
    notes.sort();
    Ok(Outcome {
        project,
        diagnostics,
        files_seen,
        notes,
    })
}
