//! Any other text (scripts, Dockerfiles, Python until its own extractor, docs): connection
//! URIs found by their scheme, ended by whitespace, quotes or closing brackets. Lines that
//! are comments in the usual comment syntaxes are skipped.

use super::Cx;
use crate::classify::FileKind;
use crate::site::{Container, OffsetMap};

const SCHEMES: [&str; 3] = ["postgres://", "postgresql://", "postgresql+"];

pub(super) fn extract(cx: &mut Cx) {
    let text = &cx.file.text;
    let b = text.as_bytes();
    let finder = memchr::memmem::Finder::new(b"postgres");
    let mut found = Vec::new();
    for at in finder.find_iter(b) {
        // Take the longest scheme spelled here, preceded by `jdbc:` when it is.
        let Some(scheme) = SCHEMES.iter().find(|s| text[at..].starts_with(**s)) else {
            continue;
        };
        if *scheme == "postgresql+" && !plausible_sqlalchemy(&text[at..]) {
            continue;
        }
        let start = if text[..at].ends_with("jdbc:") {
            at - 5
        } else {
            at
        };
        if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
            continue;
        }
        if cx.file.kind != FileKind::Docs && in_comment_line(text, start) {
            continue;
        }
        let mut end = at + scheme.len();
        while end < b.len() && !ends_uri(b[end]) {
            end += 1;
        }
        // Trailing sentence punctuation is not part of the URI.
        while end > start && matches!(b[end - 1], b'.' | b',' | b';' | b':') {
            end -= 1;
        }
        found.push(start..end);
    }
    for r in found {
        let value = text[r.clone()].to_string();
        cx.string_value(
            &value,
            OffsetMap::Identity { start: r.start },
            Container::Text,
            None,
        );
    }
}

fn plausible_sqlalchemy(s: &str) -> bool {
    let rest = &s["postgresql+".len()..];
    let n = rest
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
        .count();
    n > 0 && rest[n..].starts_with("://")
}

fn ends_uri(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(
            c,
            b'"' | b'\'' | b'`' | b')' | b'<' | b'>' | b'\\' | b'|' | b'}'
        )
}

/// Whether the line holding `at` starts (after indentation) with a comment marker.
fn in_comment_line(text: &str, at: usize) -> bool {
    let line_start = text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let head = text[line_start..at].trim_start();
    head.starts_with('#')
        || head.starts_with("//")
        || head.starts_with("--")
        || head.starts_with(';')
        || head.starts_with("/*")
        || head.starts_with('*')
}
