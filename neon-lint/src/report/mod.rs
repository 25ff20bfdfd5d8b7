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

/// File spans of every password in the connection strings found in `file` (mapped back
/// through escapes; a value assembled from pieces is masked whole).
pub fn file_secrets(project: &Project, file: crate::source::FileId) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    for site in project.urls.iter().filter(|u| u.file == file) {
        if let Ok(info) = neon_lint_core::conninfo::parse(&site.text) {
            for p in info.password_params() {
                out.push(site.map.range(p.value_span.clone()));
            }
        }
        for s in redact::secret_spans(&site.text) {
            out.push(site.map.range(s));
        }
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
        RedactedText::with_known(text, &[])
    }

    /// Masks every secret the redactor finds line by line, plus `known` secret spans (file
    /// offsets of passwords the extractors parsed, which a line-by-line look cannot see when
    /// a connection string spans lines). Line breaks are never masked, so line numbers stay.
    pub fn with_known(text: &str, known: &[Range<usize>]) -> RedactedText {
        let mut spans: Vec<Range<usize>> = Vec::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            for s in redact::secret_spans(line) {
                spans.push(offset + s.start..offset + s.end);
            }
            offset += line.len();
        }
        for k in known {
            let (start, end) = (k.start.min(text.len()), k.end.min(text.len()));
            let mut piece = start;
            for (i, c) in text[start..end].char_indices() {
                if c == '\n' || c == '\r' {
                    spans.push(piece..start + i);
                    piece = start + i + 1;
                }
            }
            spans.push(piece..end);
        }
        spans.retain(|s| s.start < s.end);
        for s in spans.iter_mut() {
            while !text.is_char_boundary(s.start) {
                s.start -= 1;
            }
            while !text.is_char_boundary(s.end) {
                s.end += 1;
            }
        }
        spans.sort_by_key(|s| (s.start, s.end));
        let mut merged: Vec<Range<usize>> = Vec::with_capacity(spans.len());
        for s in spans {
            match merged.last_mut() {
                Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
                _ => merged.push(s),
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut shifts = Vec::new();
        let mut last = 0;
        for s in merged {
            out.push_str(&text[last..s.start]);
            let new_start = out.len();
            out.push_str(redact::MASK);
            shifts.push((s.clone(), new_start..out.len()));
            last = s.end;
        }
        out.push_str(&text[last..]);
        RedactedText { text: out, shifts }
    }

    /// `file`'s text of `project`, masked, with the passwords its connection strings hold.
    pub fn of_file(project: &Project, file: crate::source::FileId) -> RedactedText {
        RedactedText::with_known(&project.files[file].text, &file_secrets(project, file))
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
