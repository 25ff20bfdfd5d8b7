//! Any other text (scripts, Dockerfiles, Python until its own extractor, docs): connection
//! URIs found by their scheme, ended by whitespace, quotes or closing brackets. Lines that
//! are comments in the usual comment syntaxes are skipped. In the source of languages
//! without a front end of their own (Go, Java, Kotlin, C#, PHP, Ruby...), libpq key/value
//! strings in quotes too (`"host=... dbname=..."`).

use super::Cx;
use crate::classify::FileKind;
use crate::site::{mark_placeholders, Container, OffsetMap, PiecesBuilder, Quoting, Syntax};

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
    if cx.file.kind == FileKind::Script {
        for r in quoted_key_values(text) {
            if !found.iter().any(|f| f.start < r.end && r.start < f.end) {
                found.push(r);
            }
        }
    }
    for r in found {
        let value = text[r.clone()].to_string();
        // Without a parser, the found text is the whole value only when nothing joins it
        // to more (`'...' + x`, `${db}`, an unclosed quote): else it is a piece of one.
        let mut map = mark_placeholders(
            &value,
            OffsetMap::Identity { start: r.start },
            &[Syntax::Dollar],
        );
        if !stands_alone(b, r.clone()) {
            let mut pieces = PiecesBuilder::default();
            pieces.literal(value.len(), map, Quoting::Quoted);
            pieces.unknown(0, r.clone());
            map = pieces.build();
        }
        cx.string_value(&value, map, Container::Text, None);
    }
}

/// Whether the URI at `r` is a value on its own: in quotes, the same quote closes it
/// right at its end and no `+` joins the literal to another; unquoted, it ends at a blank
/// or the end of the text.
fn stands_alone(b: &[u8], r: std::ops::Range<usize>) -> bool {
    let before = r.start.checked_sub(1).map(|i| b[i]);
    let after = b.get(r.end).copied();
    let joined = |mut i: usize, forward: bool| -> bool {
        loop {
            let c = if forward {
                b.get(i).copied()
            } else {
                i.checked_sub(1).map(|k| b[k])
            };
            match c {
                Some(b' ' | b'\t') => {
                    if forward {
                        i += 1
                    } else {
                        i -= 1
                    }
                }
                Some(b'+' | b'.') => return true,
                _ => return false,
            }
        }
    };
    match before {
        Some(q @ (b'"' | b'\'' | b'`')) => {
            after == Some(q) && !joined(r.end + 1, true) && !joined(r.start - 1, false)
        }
        _ => after.is_none_or(|c| c.is_ascii_whitespace()),
    }
}

/// The insides of quoted strings on one line that are libpq key/value connection strings
/// (`"host=h dbname=d sslmode=require"`): found from their `host=` / `dbname=`.
fn quoted_key_values(text: &str) -> Vec<std::ops::Range<usize>> {
    let b = text.as_bytes();
    let mut out: Vec<std::ops::Range<usize>> = Vec::new();
    for needle in ["host=", "dbname="] {
        for at in memchr::memmem::find_iter(b, needle.as_bytes()) {
            if out.iter().any(|r| r.contains(&at)) || in_comment_line(text, at) {
                continue;
            }
            let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
            // The nearest quote before it opens the string; the same quote, unescaped,
            // closes it on the same line.
            let Some(open) = text[line_start..at]
                .rfind(['"', '\''])
                .map(|i| line_start + i)
            else {
                continue;
            };
            let q = b[open];
            let mut close = None;
            let mut i = at;
            while i < line_end {
                match b[i] {
                    b'\\' => i += 2,
                    c if c == q => {
                        close = Some(i);
                        break;
                    }
                    _ => i += 1,
                }
            }
            let Some(close) = close else { continue };
            let inner = open + 1..close;
            if super::looks_like_conninfo(&text[inner.clone()]) {
                out.push(inner);
            }
        }
    }
    out
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
