//! The one redaction step between the project and every output.
//!
//! What is secret is decided once per run, from everything the extractors found:
//!
//! - per file, the byte spans of every password: of the connection strings (mapped back
//!   through escapes and assembled pieces), of variables and settings whose name is
//!   credential-shaped (`PGPASSWORD`, `DB_PASS`, `password=` keyword arguments), of bare
//!   tokens, and whatever the redactor's own look at the whole file finds (`password:` with
//!   its value on the next line, `ENV PGPASSWORD x`, `cfg["password"] = "x"`...);
//! - project-wide, the text of those secrets ("words"), masked wherever they occur in any
//!   message, label, help, snippet, diff line or note, whichever file it is about.
//!
//! Renderers never decide what is secret themselves: they ask [`Redaction::clean`] for
//! messages and [`Redaction::file_text`] for source text.

use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};
use neon_lint_core::redact::{self, MIN_WORD};
use rayon::prelude::*;

use crate::project::Project;
use crate::source::FileId;

/// Secrets of a whole run.
pub struct Redaction {
    /// Merged secret spans of each file (file offsets), by file id.
    spans: Vec<Vec<Range<usize>>>,
    /// Every secret text known (at least [`MIN_WORD`] characters), leftmost-longest.
    words: Option<AhoCorasick>,
}

impl std::fmt::Debug for Redaction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redaction")
            .field("files", &self.spans.len())
            .finish_non_exhaustive()
    }
}

/// Where a secret came from: structured sources (a parsed password, a credential variable)
/// are trusted whatever the text; the redactor's look at prose only for text that looks like
/// a password, so that `password: must be long` does not mask every "must" of every message.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Parsed,
    Heuristic,
}

/// A file's secret spans, each with where it came from.
type Tagged = Vec<(Range<usize>, Origin)>;

impl Redaction {
    /// Collects every secret of `project`.
    pub fn of(project: &Project) -> Redaction {
        let n = project.files.len();
        let mut parsed: Vec<Vec<Range<usize>>> = vec![Vec::new(); n];
        for site in &project.urls {
            let Some(spans) = parsed.get_mut(site.file) else {
                continue;
            };
            match neon_lint_core::conninfo::parse(&site.text) {
                Ok(info) => {
                    for p in info.password_params() {
                        spans.push(site.map.range(p.value_span.clone()));
                    }
                }
                // Rejected by libpq: its URI password still runs to the userinfo's last
                // `@`, spaces included.
                Err(_) => {
                    if let Some(pw) = redact::whole_uri_password(&site.text) {
                        spans.push(site.map.range(pw));
                    }
                }
            }
            for s in redact::secret_spans(&site.text) {
                spans.push(site.map.range(s));
            }
        }
        for b in &project.bindings {
            if redact::is_credential_key(&b.name) && !b.value.is_empty() {
                if let Some(spans) = parsed.get_mut(b.file) {
                    spans.push(b.map.range(0..b.value.len()));
                }
            }
        }
        for c in &project.clients {
            let Some(spans) = parsed.get_mut(c.file) else {
                continue;
            };
            for s in c
                .settings
                .iter()
                .filter(|s| redact::is_credential_key(&s.name))
            {
                spans.extend(literal_insides(&project.files[c.file].text, s.span.clone()));
            }
        }
        for t in &project.secrets {
            if let Some(spans) = parsed.get_mut(t.file) {
                spans.push(t.span.clone());
            }
        }
        let per_file: Vec<(Vec<Range<usize>>, Tagged)> = project
            .files
            .par_iter()
            .zip(parsed.into_par_iter())
            .map(|(file, known)| {
                let text = &file.text;
                let mut tagged: Vec<(Range<usize>, Origin)> =
                    known.into_iter().map(|r| (r, Origin::Parsed)).collect();
                tagged.extend(
                    redact::secret_spans_multiline(text)
                        .into_iter()
                        .map(|r| (r, Origin::Heuristic)),
                );
                tagged.retain(|(r, _)| r.start < r.end && r.end <= text.len());
                let spans = merge(text, tagged.iter().map(|(r, _)| r.clone()).collect());
                (spans, tagged)
            })
            .collect();
        let mut words: Vec<String> = Vec::new();
        let mut spans = Vec::with_capacity(n);
        for (file, (merged, tagged)) in project.files.iter().zip(per_file) {
            // Templates and docs hold placeholders (`postgres://user:password@host`): masked
            // in place, never wherever the same text occurs.
            let illustrative = matches!(
                crate::site::placement_of(file),
                neon_lint_core::Placement::Example | neon_lint_core::Placement::Docs
            );
            for (r, origin) in tagged {
                if illustrative {
                    continue;
                }
                if let Some(w) = file.text.get(r) {
                    if is_word(w, origin) {
                        let mut k = redact::KnownSecrets::default();
                        k.add(w);
                        words.extend(k.words().iter().cloned());
                    }
                }
            }
            spans.push(merged);
        }
        words.sort_unstable();
        words.dedup();
        let words = if words.is_empty() {
            None
        } else {
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(&words)
                .ok()
        };
        Redaction { spans, words }
    }

    /// `text` (a message, label, help, path or note) with every secret masked: what the
    /// redactor sees in it, and every secret known anywhere in the run.
    pub fn clean(&self, text: &str) -> String {
        let mut spans = redact::secret_spans(text);
        spans.extend(self.word_spans(text));
        redact::apply(text, &merge(text, spans))
    }

    /// [`Redaction::clean`], then control characters made visible: for text shown on a
    /// terminal or in a CI log, where an escape sequence, a carriage return or a line break
    /// in a file name or message could rewrite the screen or forge a workflow command.
    pub fn clean_line(&self, text: &str) -> String {
        escape_controls(&self.clean(text))
    }

    /// File `file`'s text with its secrets (and every known secret) masked.
    pub fn file_text(&self, project: &Project, file: FileId) -> RedactedText {
        let text = &project.files[file].text;
        let mut spans = self.spans.get(file).cloned().unwrap_or_default();
        spans.extend(self.word_spans(text));
        RedactedText::from_spans(text, spans)
    }

    /// Whether file `file`'s text holds anything redaction masks: a secret where it sits,
    /// or a secret known anywhere in the run. What holds one must never be printed whole.
    pub fn masks_any(&self, project: &Project, file: FileId) -> bool {
        self.spans.get(file).is_some_and(|s| !s.is_empty())
            || !self.word_spans(&project.files[file].text).is_empty()
    }

    fn word_spans(&self, text: &str) -> Vec<Range<usize>> {
        match &self.words {
            Some(ac) => ac.find_iter(text).map(|m| m.range()).collect(),
            None => Vec::new(),
        }
    }
}

/// Whether secret text `w` is masked wherever it occurs, not only where it sits.
fn is_word(w: &str, origin: Origin) -> bool {
    if w.chars().count() < MIN_WORD || w.contains('\n') {
        return false;
    }
    // A placeholder names where the secret comes from; it is no secret itself.
    let t = w.trim();
    let placeholder = (t.starts_with("${") && t.ends_with('}'))
        || (t.starts_with("{{") && t.ends_with("}}"))
        || (t.starts_with('$')
            && t[1..]
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'_'));
    if placeholder {
        return false;
    }
    // Masked wherever it occurs only when it cannot be an ordinary word: a local default
    // such as `postgres:postgres@localhost` must not mask every "postgres" of every message
    // and snippet (`postgresql://` would read `****ql://`). A word-like secret is still
    // masked where it sits, by span; the redactor's look at prose must show more (a digit
    // or a sign) before its finding is trusted anywhere else.
    let word_like = w.chars().all(char::is_alphabetic);
    match origin {
        Origin::Parsed => !word_like || w.chars().count() >= 12,
        Origin::Heuristic => !word_like,
    }
}

/// The insides of the string literals within `span` of `text` (a `password="x"` setting,
/// a `"PASSWORD": "x"` entry), dictionary keys left out.
fn literal_insides(text: &str, span: Range<usize>) -> Vec<Range<usize>> {
    let Some(s) = text.get(span.clone()) else {
        return Vec::new();
    };
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'"' || b[i] == b'\'' {
            let q = b[i];
            let start = i + 1;
            let mut e = start;
            while e < b.len() && b[e] != q {
                e += if b[e] == b'\\' { 2 } else { 1 };
            }
            let e = e.min(b.len());
            // A dictionary key (`"PASSWORD": "x"`) names the setting; its value follows.
            let is_key = b
                .get(e + 1..)
                .and_then(|rest| rest.iter().find(|c| !c.is_ascii_whitespace()))
                == Some(&b':');
            if e > start && !is_key {
                out.push(span.start + start..span.start + e);
            }
            i = e + 1;
        } else {
            i += 1;
        }
    }
    out
}

/// Sorted, merged, on char boundaries, never across a line break (so line numbers stay).
fn merge(text: &str, spans: Vec<Range<usize>>) -> Vec<Range<usize>> {
    let mut pieces: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for s in spans {
        let (start, end) = (s.start.min(text.len()), s.end.min(text.len()));
        if start >= end {
            continue;
        }
        let mut piece = start;
        for (i, c) in text[start..end].char_indices() {
            if c == '\n' || c == '\r' {
                pieces.push(piece..start + i);
                piece = start + i + 1;
            }
        }
        pieces.push(piece..end);
    }
    redact::merge(pieces, text)
}

/// Control characters as visible escapes (`\u{1b}`), C0 and C1 and DEL, and the Unicode
/// bidirectional overrides that reorder what a reader sees. Tabs stay, and so do line
/// breaks when `keep_newlines`.
fn escape_into(out: &mut String, c: char, keep_newlines: bool) -> bool {
    let visible = match c {
        '\t' => true,
        '\n' => keep_newlines,
        c if c.is_control() => false,
        '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' => false,
        _ => true,
    };
    if visible {
        out.push(c);
    } else {
        out.push_str(&format!("\\u{{{:x}}}", c as u32));
    }
    visible
}

/// `text` with every control character (line breaks included) made visible.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        escape_into(&mut out, c, false);
    }
    out
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}')
}

/// A file's text with secrets masked (and, for terminals, control characters made
/// visible), and a way to move offsets into it.
pub struct RedactedText {
    /// The masked text.
    pub text: String,
    /// (original range, masked range) of each replacement, in order.
    shifts: Vec<(Range<usize>, Range<usize>)>,
}

impl RedactedText {
    /// Masks what the redactor finds in `text` on its own (one connection string, say).
    pub fn new(text: &str) -> RedactedText {
        RedactedText::from_spans(text, redact::secret_spans_multiline(text))
    }

    /// Masks `spans` of `text` (any order, may overlap; line breaks are never masked) and
    /// makes control characters other than line breaks and tabs visible. Offsets of the
    /// original move with [`RedactedText::map`].
    pub fn from_spans(text: &str, spans: Vec<Range<usize>>) -> RedactedText {
        let merged = merge(text, spans);
        let mut out = String::with_capacity(text.len());
        let mut shifts = Vec::new();
        let mut last = 0;
        let copy = |out: &mut String, shifts: &mut Vec<_>, from: usize, to: usize| {
            let piece = &text[from..to];
            if !piece.chars().any(needs_escape) {
                out.push_str(piece);
                return;
            }
            for (i, c) in piece.char_indices() {
                let at = from + i;
                // Line breaks stay (`\r` only as part of `\r\n`): line numbers must not move.
                let line_break = c == '\n' || (c == '\r' && text[at + 1..].starts_with('\n'));
                if line_break || !needs_escape(c) {
                    out.push(c);
                    continue;
                }
                let new_start = out.len();
                escape_into(out, c, false);
                shifts.push((at..at + c.len_utf8(), new_start..out.len()));
            }
        };
        for s in merged {
            copy(&mut out, &mut shifts, last, s.start);
            let new_start = out.len();
            out.push_str(redact::MASK);
            shifts.push((s.clone(), new_start..out.len()));
            last = s.end;
        }
        copy(&mut out, &mut shifts, last, text.len());
        RedactedText { text: out, shifts }
    }

    /// Where original offset `o` lands in the masked text.
    pub fn map(&self, o: usize) -> usize {
        // Shifts are in order: find the last one starting before `o`.
        let idx = self.shifts.partition_point(|(orig, _)| orig.start < o);
        if idx == 0 {
            return o;
        }
        let (orig, new) = &self.shifts[idx - 1];
        if o < orig.end {
            return new.start;
        }
        new.end + (o - orig.end)
    }

    /// A range mapped into the masked text (a range covering a secret covers its mask).
    pub fn map_range(&self, r: Range<usize>) -> Range<usize> {
        let s = self.map(r.start);
        let idx = self.shifts.partition_point(|(orig, _)| orig.start < r.end);
        let e = match idx.checked_sub(1).map(|i| &self.shifts[i]) {
            Some((orig, new)) if r.end <= orig.end => new.end,
            _ => self.map(r.end),
        };
        s..e.max(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_and_escapes_with_offsets_that_follow() {
        let text = "a\u{1b}[2Jb\nURL=postgresql://u:Secr3tPw@h/db\r\nc";
        let r = RedactedText::from_spans(text, redact::secret_spans_multiline(text));
        assert_eq!(r.text, "a\\u{1b}[2Jb\nURL=postgresql://u:****@h/db\r\nc");
        let h = text.find("@h").unwrap();
        assert_eq!(&r.text[r.map(h)..r.map(h) + 2], "@h");
        let pw = text.find("Secr3tPw").unwrap();
        assert_eq!(&r.text[r.map_range(pw..pw + 8)], "****");
        assert_eq!(r.map(1), 1);
        assert_eq!(r.map(2), "a\\u{1b}".len());
    }

    #[test]
    fn escapes_terminal_controls() {
        assert_eq!(
            escape_controls("x\u{1b}]0;t\u{7}\ny"),
            "x\\u{1b}]0;t\\u{7}\\u{a}y"
        );
        assert_eq!(escape_controls("a\u{202e}b"), "a\\u{202e}b");
        assert_eq!(escape_controls("plain\ttab"), "plain\ttab");
    }
}
