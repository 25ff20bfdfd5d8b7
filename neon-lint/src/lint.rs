//! The engine: discover, prefilter, extract, resolve, rules, suppressions, sorted output.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSetBuilder};

use crate::classify::FileKind;
use crate::config::{Config, ConfigError};
use crate::diagnostic::Diagnostic;
use crate::discover::{discover, Discovery, WalkOptions};
use crate::progress::Progress;
use crate::project::{self, GitFacts, Project};
use crate::rules::unused_suppression;
use crate::{context, resolve, rules, suppress};

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
    /// Paths given on the command line that do not exist or cannot be read: the run goes
    /// on, but its exit status is 2.
    pub missing_paths: Vec<String>,
}

/// A note for each connection string whose host list is longer than the model keeps
/// (the rules judged only its first [`MAX_HOSTS`] hosts).
fn host_list_notes(project: &Project) -> Vec<(PathBuf, String)> {
    use neon_lint_core::conninfo::{self, MAX_HOSTS};
    let mut notes = Vec::new();
    for site in &project.urls {
        // Cheap test first: a list that long needs that many commas.
        if memchr::memchr_iter(b',', site.text.as_bytes()).count() < MAX_HOSTS {
            continue;
        }
        let Ok(info) = conninfo::parse(&site.text) else {
            continue;
        };
        let n = info.host_count();
        if n > MAX_HOSTS {
            notes.push((
                project.files[site.file].path.clone(),
                format!(
                    "a connection string lists {n} hosts: only the first {MAX_HOSTS} were checked"
                ),
            ));
        }
    }
    notes.sort();
    notes.dedup();
    notes
}

/// Lints `paths` with `config`.
pub fn lint(paths: &[PathBuf], config: &Config) -> Result<Outcome, ConfigError> {
    lint_with_progress(paths, config, &Progress::disabled())
}

/// Lints `paths` with `config`, naming each phase on `progress`.
pub fn lint_with_progress(
    paths: &[PathBuf],
    config: &Config,
    progress: &Progress,
) -> Result<Outcome, ConfigError> {
    lint_with(paths, config, progress, &LintOptions::default())
}

/// What a caller other than the command line changes about a run (the language server).
#[derive(Debug, Default, Clone)]
pub struct LintOptions {
    /// Texts read instead of the files at these paths (unsaved editor buffers).
    pub overlay: crate::discover::Overlay,
    /// The folder paths are shown relative to (default: the current directory). A server
    /// names files relative to the project, whatever folder it was started in.
    pub base: Option<PathBuf>,
}

/// Lints `paths` with `config` and `options`, naming each phase on `progress`.
pub fn lint_with(
    paths: &[PathBuf],
    config: &Config,
    progress: &Progress,
    options: &LintOptions,
) -> Result<Outcome, ConfigError> {
    let cwd = match &options.base {
        Some(b) => b.clone(),
        None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
    };
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
        overlay: options.overlay.clone(),
    };
    progress.phase("walking the tree");
    let mut found = discover(paths, &opts);
    crate::timings::phase_done("walk, read, prefilter");
    // Named files (pre-commit's staged files) are judged with their project's context,
    // read but not reported on (see `context`).
    let named: Vec<PathBuf> = paths.iter().filter(|p| p.is_file()).cloned().collect();
    let context_paths: HashSet<PathBuf> = if named.is_empty() {
        HashSet::new()
    } else {
        progress.phase("reading the named files' project context");
        let abs_cwd = std::path::absolute(&cwd).unwrap_or_else(|_| cwd.clone());
        let context = context::discover_context(&named, &opts, &abs_cwd);
        // Its walk notes (unreadable folders elsewhere in the project) are not about
        // what was asked.
        found.absorb(context).into_iter().collect()
    };
    lint_found_in(found, config, progress, &cwd, &context_paths)
}

/// Lints what a walk (or standard input, [`crate::discover::from_stdin`]) found.
pub fn lint_found(
    found: Discovery,
    config: &Config,
    progress: &Progress,
) -> Result<Outcome, ConfigError> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    lint_found_in(found, config, progress, &cwd, &HashSet::new())
}

/// [`lint_found`], with paths shown relative to `cwd`; the files at `context_paths` are
/// read for what they tell about the others, and not reported on.
fn lint_found_in(
    found: Discovery,
    config: &Config,
    progress: &Progress,
    cwd: &std::path::Path,
    context_paths: &HashSet<PathBuf>,
) -> Result<Outcome, ConfigError> {
    progress.phase(format!(
        "reading {} candidate files (of {})",
        found.candidates.len(),
        found.files_seen
    ));
    let files_seen = found.files_seen;
    let missing_paths = found
        .missing_roots
        .iter()
        .map(|p| project::display_path(p, cwd))
        .collect();
    let mut notes: Vec<(String, String)> = found
        .notes
        .iter()
        .map(|(p, m)| (project::display_path(p, cwd), m.clone()))
        .collect();
    let mut project = project::build(found.candidates, cwd);
    crate::timings::phase_done("extract");
    project.context = (0..project.files.len())
        .filter(|&id| context_paths.contains(&project.files[id].path))
        .collect();
    let env_files: Vec<&Path> = project
        .files
        .iter()
        .filter(|f| f.kind == FileKind::DotEnv || crate::extract::pgpass::is_pgpass(&f.path))
        .map(|f| f.path.as_path())
        .collect();
    progress.phase("resolving variables");
    project.git = GitFacts::probe(&env_files);
    project.notes.append(&mut project.git.notes);
    resolve::resolve(&mut project);
    crate::timings::phase_done("git facts, resolve");
    progress.phase(format!("checking {} files", project.files.len()));
    notes.extend(
        project
            .notes
            .iter()
            .chain(&host_list_notes(&project))
            .filter(|(p, _)| !context_paths.contains(p))
            .map(|(p, m)| (project::display_path(p, cwd), m.clone())),
    );
    let mut diagnostics = rules::run(&project, config);
    crate::timings::phase_done("rules");
    // `per-file-ignores` first: a suppression comment covering only an ignored finding is
    // then reported unused, as it is.
    let ignores = config.per_file_ignores.matcher(&config.root())?;
    let ignored = |d: &Diagnostic| ignores.ignores(&project.files[d.file].path, d.rule);
    diagnostics.retain(|d| !ignored(d));

    // Suppressions: every candidate file's, so that unused ones can be reported (NL090).
    let mut sups: Vec<Vec<suppress::Suppression>> =
        project.files.iter().map(suppress::parse).collect();
    let apply = |diags: &mut Vec<Diagnostic>, sups: &mut Vec<Vec<suppress::Suppression>>| {
        diags.retain(|d| !suppress::suppress(d, &project.files[d.file], &mut sups[d.file]));
    };
    apply(&mut diagnostics, &mut sups);
    // Unused suppressions may be suppressed (`allow(unused-suppression)`); then the entries
    // naming `unused-suppression` are judged, and cannot hide themselves.
    let mut unused = unused_suppression::check(&project, config, &sups, false);
    apply(&mut unused, &mut sups);
    unused.extend(unused_suppression::check(&project, config, &sups, true));
    unused.retain(|d| !ignored(d));
    diagnostics.extend(unused);
    // Only the named files (and walked folders) are reported on; context files were read
    // for what they tell about them.
    diagnostics.retain(|d| !project.context.contains(&d.file));

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
    crate::timings::phase_done("suppressions, sort");
    Ok(Outcome {
        project,
        diagnostics,
        files_seen,
        notes,
        missing_paths,
    })
}
