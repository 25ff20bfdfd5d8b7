//! A finding located in a file, as every renderer receives it.

use std::ops::Range;

use neon_lint_core::rule::{Applicability, RuleMeta};
use neon_lint_core::Level;

use crate::source::FileId;

/// One edit to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdit {
    /// Byte range in the file.
    pub range: Range<usize>,
    /// Replacement text.
    pub content: String,
}

/// A fix in file coordinates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFix {
    /// Safe (applied by `--fix`) or not.
    pub applicability: Applicability,
    /// What it does.
    pub title: String,
    /// Non-overlapping edits.
    pub edits: Vec<FileEdit>,
    /// The connection string as it reads once the fix is applied: `--fix` re-reads the
    /// edited text and writes it only if the file still yields this value (and no new
    /// problem), see [`crate::fix::verify`].
    pub intended: Option<String>,
}

/// One finding.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Which rule.
    pub rule: &'static RuleMeta,
    /// Level after configuration.
    pub level: Level,
    /// Which file.
    pub file: FileId,
    /// Primary span (file bytes).
    pub span: Range<usize>,
    /// What is wrong (never a password).
    pub message: String,
    /// Label under the primary span.
    pub label: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Other places worth pointing at (file bytes, possibly in the same file only).
    pub secondary: Vec<(Range<usize>, String)>,
    /// A fix, when known.
    pub fix: Option<FileFix>,
}

impl Diagnostic {
    /// A finding of `rule` at `span` in `file`, at the rule's default level, with no help,
    /// no secondary spans and no fix; the chained methods below add those.
    pub fn new(
        rule: &'static RuleMeta,
        file: FileId,
        span: Range<usize>,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            level: rule.default_level,
            file,
            span,
            message: message.into(),
            label: label.into(),
            help: None,
            secondary: Vec::new(),
            fix: None,
        }
    }

    /// At `level` instead of the rule's default level.
    pub fn level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    /// With `help` on how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// With `help` on how to fix it, when there is some.
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// With `secondary`: other places worth pointing at, each with its label.
    pub fn secondary(mut self, secondary: Vec<(Range<usize>, String)>) -> Self {
        self.secondary = secondary;
        self
    }

    /// With `fix`, when there is one.
    pub fn maybe_fix(mut self, fix: Option<FileFix>) -> Self {
        self.fix = fix;
        self
    }
}
