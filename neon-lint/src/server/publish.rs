//! Running the pipeline for a project and publishing what it found.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use lsp_types::notification::{PublishDiagnostics, ShowMessage};
use lsp_types::{MessageType, PublishDiagnosticsParams, ShowMessageParams, Url};

use super::{actions, documents, Linted, Server};
use crate::config::Config;
use crate::lint::{self, LintOptions};
use crate::progress::Progress;

impl Server {
    /// Marks the project of `path` to be linted once the waiting messages are handled.
    pub(super) fn mark(&mut self, path: &Path) {
        let root = documents::project_root(path, &self.workspace);
        self.dirty.insert(root);
    }

    /// The project of an open document, linted if it changed since its last run (a code
    /// action or hover must be computed on the text the client has now).
    pub(super) fn fresh(&mut self, uri: &Url) -> Option<PathBuf> {
        let path = self.docs.get(uri)?.path.clone();
        let root = documents::project_root(&path, &self.workspace);
        if self.dirty.remove(&root) || !self.projects.contains_key(&root) {
            self.lint(&root);
        }
        Some(root)
    }

    /// Lints the project at `root` and publishes its diagnostics.
    pub(super) fn lint(&mut self, root: &Path) {
        let previous = self
            .projects
            .remove(root)
            .map(|l| l.published)
            .unwrap_or_default();
        let config = match Config::load(root, None) {
            Ok(c) => c,
            Err(e) => {
                // Shown to the user: without its configuration, findings would be wrong.
                // (`ConfigError` redacts what it quotes.)
                self.fail(root, previous, format!("neon-lint: {e}"));
                return;
            }
        };
        // A root is a folder, or one document linted alone (see `project_root`).
        let base = if root.is_dir() {
            root
        } else {
            root.parent().unwrap_or(root)
        };
        let options = LintOptions {
            overlay: self.docs.overlay(root),
            base: Some(base.to_path_buf()),
        };
        let started = std::time::Instant::now();
        let run = catch_unwind(AssertUnwindSafe(|| {
            lint::lint_with(
                &[root.to_path_buf()],
                &config,
                &Progress::disabled(),
                &options,
            )
        }));
        let outcome = match run {
            Ok(Ok(o)) => o,
            Ok(Err(e)) => {
                self.fail(root, previous, format!("neon-lint: {e}"));
                return;
            }
            Err(_) => {
                let why = "neon-lint: internal error while linting (please report this)";
                self.fail(root, previous, why.into());
                return;
            }
        };
        self.failures.remove(root);
        let project = &outcome.project;
        for (path, note) in &outcome.notes {
            let line = format!(
                "{}: {}",
                crate::report::clean_line(project, path),
                crate::report::clean_line(project, note)
            );
            if self.logged.insert(line.clone()) {
                self.log(MessageType::WARNING, line);
            }
        }
        let mut published = HashSet::new();
        for (id, file) in project.files.iter().enumerate() {
            if !outcome.diagnostics.iter().any(|d| d.file == id) {
                continue;
            }
            let doc = self.docs.by_path(&file.path);
            let Some(uri) = doc
                .map(|d| d.uri.clone())
                .or_else(|| Url::from_file_path(&file.path).ok())
            else {
                continue;
            };
            let view = actions::View::of(file, doc);
            let diagnostics =
                actions::diagnostics_of(project, &outcome.diagnostics, id, &view, &uri, self.enc);
            self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics,
                version: doc.map(|d| d.version),
            });
            published.insert(uri);
        }
        let stale: Vec<Url> = previous.difference(&published).cloned().collect();
        self.clear(stale);
        // Open documents without findings hear so once (the client knows they were
        // checked); later runs send nothing new for them.
        let quiet: Vec<Url> = self
            .docs
            .under(root)
            .map(|d| d.uri.clone())
            .filter(|u| !published.contains(u) && !previous.contains(u))
            .collect();
        let first_time: Vec<Url> = quiet
            .into_iter()
            .filter(|u| self.checked.insert(u.clone()))
            .collect();
        self.clear(first_time);
        self.log(
            MessageType::LOG,
            format!(
                "neon-lint: linted {} ({} files read, {} findings) in {} ms",
                crate::report::clean_line(project, &root.display().to_string()),
                project.files.len(),
                outcome.diagnostics.len(),
                started.elapsed().as_millis()
            ),
        );
        self.projects
            .insert(root.to_path_buf(), Linted { outcome, published });
    }

    /// A run that could not be made: said once per root and message (not on every
    /// keystroke), and the root's findings cleared (they may no longer hold).
    pub(super) fn fail(&mut self, root: &Path, previous: HashSet<Url>, message: String) {
        if self.failures.get(root) != Some(&message) {
            self.notify::<ShowMessage>(ShowMessageParams {
                typ: MessageType::ERROR,
                message: neon_lint_core::redact::redact(&message),
            });
            self.failures.insert(root.to_path_buf(), message);
        }
        self.clear(previous);
    }

    pub(super) fn clear(&self, uris: impl IntoIterator<Item = Url>) {
        for uri in uris {
            let version = self.docs.get(&uri).map(|d| d.version);
            self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
                uri,
                diagnostics: Vec::new(),
                version,
            });
        }
    }
}
