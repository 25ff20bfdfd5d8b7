//! Renderers: one per output format, all over the same diagnostics. Every piece of user
//! text they print passes through [`neon_lint_core::redact`].

pub mod cargo;
pub mod diff;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
pub mod short;

use std::ops::Range;

use neon_lint_core::redact;

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

/// Redacts a message or any other user-derived text.
pub fn clean(text: &str) -> String {
    redact::redact(text)
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

/// A file's text with secrets masked, and a way to move offsets into it.
pub struct RedactedText {
    /// The masked text.
    pub text: String,
    /// (original range, masked range) of each replacement, in order.
    shifts: Vec<(Range<usize>, Range<usize>)>,
}

impl RedactedText {
    /// Masks every secret of `text`, line by line.
    pub fn new(text: &str) -> RedactedText {
        let mut out = String::with_capacity(text.len());
        let mut shifts = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let spans = redact::secret_spans(line);
            let mut last = 0;
            for s in spans {
                out.push_str(&line[last..s.start]);
                let new_start = out.len();
                out.push_str(redact::MASK);
                shifts.push((offset + s.start..offset + s.end, new_start..out.len()));
                last = s.end;
            }
            out.push_str(&line[last..]);
            offset += line.len();
        }
        RedactedText { text: out, shifts }
    }

    /// Where original offset `o` lands in the masked text.
    pub fn map(&self, o: usize) -> usize {
        let mut delta: isize = 0;
        for (orig, new) in &self.shifts {
            if o <= orig.start {
                break;
            }
            if o < orig.end {
                return new.start;
            }
            delta += new.len() as isize - orig.len() as isize;
        }
        (o as isize + delta).max(0) as usize
    }

    /// A range mapped into the masked text (a range covering a secret covers its mask).
    pub fn map_range(&self, r: Range<usize>) -> Range<usize> {
        let s = self.map(r.start);
        let mut e = self.map(r.end);
        for (orig, new) in &self.shifts {
            if r.end > orig.start && r.end <= orig.end {
                e = new.end;
            }
        }
        s..e.max(s)
    }
}
