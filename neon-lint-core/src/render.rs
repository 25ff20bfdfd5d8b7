//! Plain-text rendering of one URL finding, for places that cannot draw on a source file:
//! the `neon_url!` macro's compile errors and warnings (on stable Rust a span cannot point
//! inside a string literal), and an application's start-up log.
//!
//! The string is drawn on one line with a caret line under the part at fault, in the words the
//! CLI uses (`[NL001] message (rule-name)`, the label, `help:`). Every secret goes through
//! [`crate::redact`]: passwords are drawn as `****` (the carets then cover the mask), and the
//! rule's message, label and help are redacted too, as the CLI does.
//!
//! ```
//! use neon_lint_core::render;
//!
//! let url = "postgresql://alex:Sup3rSecretPw@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb";
//! for finding in neon_lint_core::check_url(url) {
//!     eprint!("{}", render::report(url, &finding));
//! }
//! let text = render::report(url, &neon_lint_core::check_url(url)[0]);
//! let lines: Vec<&str> = text.lines().collect();
//! assert_eq!(lines[0], "error: [NL001] Neon connection string without `sslmode` (missing-sslmode)");
//! assert_eq!(lines[1], "  postgresql://alex:****@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb");
//! assert_eq!(lines[2].trim(), format!("{} Neon host, and nothing requires TLS", "^".repeat(43)));
//! assert_eq!(lines[2].find('^'), lines[1].find("ep-cool"));
//! assert!(lines[3].starts_with("  help: append `sslmode=require`"));
//! assert!(!text.contains("Sup3rSecretPw"));
//! ```
//!
//! prints
//!
//! ```text
//! error: [NL001] Neon connection string without `sslmode` (missing-sslmode)
//!   postgresql://alex:****@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb
//!                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ Neon host, and nothing requires TLS
//!   help: append `sslmode=require`: Neon refuses plaintext connections ("connection is insecure")
//! ```

use std::fmt::Write as _;
use std::ops::Range;

use crate::redact;
use crate::rule::{Applicability, UrlFinding};

/// How a string is shown: a text (for instance a Rust literal as written, quotes and escapes
/// included) and where each byte of the string's value sits in that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excerpt {
    text: String,
    offsets: Vec<usize>,
}

impl Excerpt {
    /// The value shown as itself, with control characters escaped (`\n`, `\t`, `\u{1b}`) so
    /// that it stays on one line.
    pub fn verbatim(value: &str) -> Excerpt {
        Excerpt::escaped(value, "", "", false)
    }

    /// The value shown as a Rust string literal (`"..."`, with `"`, `\` and control
    /// characters escaped), as `{:?}` would print it.
    pub fn quoted(value: &str) -> Excerpt {
        Excerpt::escaped(value, "\"", "\"", true)
    }

    /// A text that shows the value, and for each byte offset `0..=value.len()` of the value
    /// the byte offset in `text` where it is shown. `None` when `offsets` does not fit: wrong
    /// length, decreasing, past the end of `text`, not on a character boundary, or `text`
    /// spanning several lines (the caret line could not line up).
    pub fn mapped(text: String, offsets: Vec<usize>, value: &str) -> Option<Excerpt> {
        let fits = offsets.len() == value.len() + 1
            && offsets.windows(2).all(|w| w[0] <= w[1])
            && offsets
                .iter()
                .all(|&o| o <= text.len() && text.is_char_boundary(o))
            && !text.contains(|c: char| c.is_control());
        fits.then_some(Excerpt { text, offsets })
    }

    fn escaped(value: &str, open: &str, close: &str, quote: bool) -> Excerpt {
        let mut text = String::with_capacity(value.len() + 2);
        let mut offsets = Vec::with_capacity(value.len() + 1);
        text.push_str(open);
        for c in value.chars() {
            let at = text.len();
            offsets.extend(std::iter::repeat_n(at, c.len_utf8()));
            match c {
                '"' | '\\' if quote => {
                    text.push('\\');
                    text.push(c);
                }
                c if c.is_control() => {
                    let _ = write!(text, "{}", c.escape_debug());
                }
                c => text.push(c),
            }
        }
        offsets.push(text.len());
        text.push_str(close);
        Excerpt { text, offsets }
    }

    /// The text as written, before masking (it may hold a password: never print it).
    pub fn raw_text(&self) -> &str {
        &self.text
    }

    /// Where value bytes `range` are shown in the text.
    fn map(&self, range: &Range<usize>) -> Range<usize> {
        let last = self.offsets.len() - 1;
        let start = self.offsets[range.start.min(last)];
        let end = self.offsets[range.end.min(last)];
        start..end.max(start)
    }
}

/// Draws `value` (as `excerpt` shows it) on one line, secrets masked, and a caret line under
/// `span` (byte offsets in `value`) followed by `label`. Each line starts with `indent`.
/// An empty span (an insertion point) gets one caret.
pub fn snippet(
    value: &str,
    excerpt: &Excerpt,
    span: Range<usize>,
    label: &str,
    indent: &str,
) -> String {
    // Secret ranges of the value, moved into the shown text.
    let secrets: Vec<Range<usize>> = redact::secret_spans(value)
        .iter()
        .map(|r| excerpt.map(r))
        .filter(|r| !r.is_empty())
        .collect();
    let shown = redact::apply(&excerpt.text, &secrets);
    // Column (in characters of the masked text) of a byte offset of the unmasked text. An
    // offset inside a secret moves to the mask's start (`end == false`) or end (`end == true`).
    let column = |offset: usize, end: bool| -> usize {
        let mut col = 0;
        let mut last = 0;
        for s in &secrets {
            if offset <= s.start {
                break;
            }
            col += excerpt.text[last..s.start].chars().count();
            if offset < s.end {
                return col + if end { redact::MASK.chars().count() } else { 0 };
            }
            col += redact::MASK.chars().count();
            last = s.end;
        }
        col + excerpt.text[last..offset].chars().count()
    };
    let at = excerpt.map(&span);
    let start = column(at.start, false);
    let end = column(at.end, true);
    let width = end.saturating_sub(start).max(1);
    let label = redact::redact(label);
    let mut out = String::new();
    let _ = writeln!(out, "{indent}{shown}");
    let _ = write!(out, "{indent}{}{}", " ".repeat(start), "^".repeat(width));
    if !label.is_empty() {
        let _ = write!(out, " {label}");
    }
    out.push('\n');
    out
}

/// The first line the CLI prints for a finding, without the level:
/// `[NL001] Neon connection string without `sslmode` (missing-sslmode)`.
pub fn headline(finding: &UrlFinding) -> String {
    format!(
        "[{}] {} ({})",
        finding.rule.code,
        redact::redact(&finding.message),
        finding.rule.name
    )
}

/// The finding drawn under its headline: the string with a caret line and the label, then
/// `help:` and, when the finding carries a fix, `fix:`. Lines start with `indent`.
pub fn body(value: &str, excerpt: &Excerpt, finding: &UrlFinding, indent: &str) -> String {
    let mut out = snippet(value, excerpt, finding.span.clone(), &finding.label, indent);
    if let Some(help) = &finding.help {
        let _ = writeln!(out, "{indent}help: {}", redact::redact(help));
    }
    if let Some(fix) = &finding.fix {
        let how = match fix.applicability {
            Applicability::Safe => "`neon-lint --fix` can apply this",
            Applicability::Unsafe => "suggested; not applied automatically",
        };
        let _ = writeln!(out, "{indent}fix: {} ({how})", redact::redact(&fix.title));
    }
    out
}

/// A finding as a program can print it at start-up: level, headline, the string with a caret
/// line (passwords masked) and the help. No fix line: there is no file to fix.
///
/// A start-up check of `DATABASE_URL` (call it with `&std::env::var("DATABASE_URL")?`):
///
/// ```
/// use neon_lint_core::{check_url, render, Level};
///
/// fn check_database_url(url: &str) -> Result<(), String> {
///     let findings = check_url(url);
///     for f in &findings {
///         eprint!("{}", render::report(url, f));
///     }
///     if findings.iter().any(|f| f.rule.default_level == Level::Error) {
///         return Err("DATABASE_URL fails neon-lint's URL rules (see above)".into());
///     }
///     Ok(())
/// }
///
/// let pooled = "postgresql://alex:Sup3rSecretPw@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb";
/// assert!(check_database_url(pooled).is_err()); // missing-sslmode
/// assert!(check_database_url(&format!("{pooled}?sslmode=require&channel_binding=require")).is_ok());
/// ```
pub fn report(value: &str, finding: &UrlFinding) -> String {
    let excerpt = Excerpt::verbatim(value);
    let mut out = format!(
        "{}: {}\n",
        finding.rule.default_level.as_str(),
        headline(finding)
    );
    let mut body = snippet(value, &excerpt, finding.span.clone(), &finding.label, "  ");
    if let Some(help) = &finding.help {
        let _ = writeln!(body, "  help: {}", redact::redact(help));
    }
    out.push_str(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn carets(s: &str) -> (usize, usize) {
        let line = s.lines().nth(1).unwrap();
        let start = line.find('^').unwrap();
        let end = line[start..]
            .find(|c| c != '^')
            .map_or(line.len(), |e| start + e);
        (start, end)
    }

    #[test]
    fn caret_under_span_in_plain_text() {
        let v = "host=h port=6432";
        let s = snippet(v, &Excerpt::verbatim(v), 7..16, "here", "");
        assert_eq!(s, "host=h port=6432\n       ^^^^^^^^^ here\n");
    }

    #[test]
    fn quoted_excerpt_escapes_and_maps() {
        let v = "a\"b\\c";
        let e = Excerpt::quoted(v);
        assert_eq!(e.raw_text(), r#""a\"b\\c""#);
        let s = snippet(v, &e, 4..5, "c", "");
        assert_eq!(s.lines().next().unwrap(), r#""a\"b\\c""#);
        assert_eq!(carets(&s), (7, 8));
    }

    #[test]
    fn password_is_masked_and_carets_move() {
        let v = "postgresql://alex:Sup3rSecretPw@h.neon.tech:6432/db";
        let port = v.find("6432").unwrap();
        let s = snippet(v, &Excerpt::verbatim(v), port..port + 4, "port", "");
        assert!(!s.contains("Sup3rSecretPw"), "{s}");
        let shown = s.lines().next().unwrap();
        assert_eq!(
            carets(&s),
            (shown.find("6432").unwrap(), shown.find("6432").unwrap() + 4)
        );
        // A span on the password itself covers the mask.
        let pw = v.find("Sup3r").unwrap();
        let s = snippet(v, &Excerpt::verbatim(v), pw..pw + 13, "password", "");
        let shown = s.lines().next().unwrap();
        let mask = shown.find("****").unwrap();
        assert_eq!(carets(&s), (mask, mask + 4));
    }

    #[test]
    fn mapped_excerpt_follows_escapes() {
        // The Rust literal "a\x62c" shows value "abc".
        let text = r#""a\x62c""#.to_string();
        let e = Excerpt::mapped(text, vec![1, 2, 6, 7], "abc").unwrap();
        let s = snippet("abc", &e, 1..2, "b", "");
        assert_eq!(carets(&s), (2, 6));
        assert!(Excerpt::mapped("ab".into(), vec![0, 1], "abc").is_none());
        assert!(Excerpt::mapped("a\nb".into(), vec![0, 1, 2, 3], "abc").is_none());
    }

    #[test]
    fn empty_span_gets_one_caret_and_control_chars_stay_on_one_line() {
        let v = "host=h\nx";
        let s = snippet(v, &Excerpt::verbatim(v), 6..6, "", "");
        assert_eq!(s, "host=h\\nx\n      ^\n");
    }
}
