//! Renderers: one per output format, all over the same diagnostics. Every piece of user
//! text they print passes through [`neon_lint_core::redact`].

pub mod cargo;
pub mod diff;
pub mod github;
pub mod human;
pub mod json;
pub mod redaction;
pub mod sarif;
pub mod short;
pub mod terminal;

pub use redaction::{escape_controls, RedactedText, Redaction};

use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::source::Position;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// rustc-like, with source snippets.
    Human,
    /// One line per finding: `path:line:col: level[code]: message`.
    Short,
    /// One JSON array (fields fixed by the design).
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// rustc-shaped JSON diagnostics, one per line (`--message-format json`), for
    /// rust-analyzer's `check.overrideCommand` and other cargo tooling.
    Cargo,
}

impl Format {
    /// Whether the format is for people (a progress line and summary may accompany it).
    pub fn is_human(self) -> bool {
        matches!(self, Format::Human | Format::Short)
    }

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Short => "short",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Cargo => "cargo",
        }
    }
}

/// A diagnostic's start and end positions (1-based, columns in characters, end exclusive).
pub fn positions(project: &Project, d: &Diagnostic) -> (Position, Position) {
    let f = &project.files[d.file];
    (
        f.lines.position(&f.text, d.span.start),
        f.lines.position(&f.text, d.span.end),
    )
}

/// The run's redaction (computed once, on first use).
pub fn redaction(project: &Project) -> &Redaction {
    project.redaction.get_or_init(|| Redaction::of(project))
}

/// A message or any other user-derived text, every secret of the run masked (for JSON and
/// SARIF, which escape control characters themselves).
pub fn clean(project: &Project, text: &str) -> String {
    redaction(project).clean(text)
}

/// [`clean`] with control characters made visible, for terminals and CI logs.
pub fn clean_line(project: &Project, text: &str) -> String {
    redaction(project).clean_line(text)
}

/// Removes ANSI escape sequences (ariadne colours custom report kinds even when colours
/// are off).
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}
