//! The one place that decides what is secret. Every renderer, message and log line that can
//! show user text goes through [`redact`] (or [`secret_spans`] to map spans around them).
//!
//! Redaction over-approximates on purpose: a `password_hint=` value shown as `****` costs
//! nothing; a password shown once is a leak.

use std::ops::Range;

use crate::conninfo::{self, ParamSource};

/// What a secret is replaced with, in every output format.
pub const MASK: &str = "****";

/// Byte ranges of everything secret in `text`: URI passwords, `password=` / `password:`
/// values (any key ending in `password`, e.g. `PGPASSWORD`), Neon password (`npg_...`) and
/// API key (`napi_...`) tokens. Sorted, merged, on char boundaries.
pub fn secret_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    if let Ok(info) = conninfo::parse(text) {
        for p in info.password_params() {
            spans.push(inner_value_span(text, p.source, p.value_span.clone()));
        }
    }
    uri_userinfo_passwords(text, &mut spans);
    keyed_passwords(text, &mut spans);
    prefixed_tokens(text, "npg_", 8, &mut spans);
    prefixed_tokens(text, "napi_", 16, &mut spans);
    merge(spans, text)
}

/// `text` with every secret span replaced by `****`.
///
/// ```
/// use neon_lint_core::redact::redact;
/// assert_eq!(
///     redact("postgresql://alex:AbC123dEf@ep-x.us-east-2.aws.neon.tech/db"),
///     "postgresql://alex:****@ep-x.us-east-2.aws.neon.tech/db"
/// );
/// assert_eq!(redact("host=h password='a b'"), "host=h password='****'");
/// ```
pub fn redact(text: &str) -> String {
    apply(text, &secret_spans(text))
}

/// Replaces `spans` (sorted, non-overlapping) of `text` with the mask.
pub fn apply(text: &str, spans: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for s in spans {
        if s.start < last || s.end > text.len() {
            continue;
        }
        out.push_str(&text[last..s.start]);
        out.push_str(MASK);
        last = s.end;
    }
    out.push_str(&text[last..]);
    out
}

/// A quoted key/value value keeps its quotes; only the inside is secret. In a URI, quotes
/// are password characters like any other (`postgresql://u:'pw'@h`) and are masked too.
fn inner_value_span(text: &str, source: ParamSource, span: Range<usize>) -> Range<usize> {
    let v = &text[span.clone()];
    if source == ParamSource::KeyValue && v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        span.start + 1..span.end - 1
    } else {
        span
    }
}

fn uri_userinfo_passwords(text: &str, spans: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(rel) = text[from..].find("://") {
        let start = from + rel + 3;
        let mut end = start;
        // libpq looks for the userinfo `@` up to the first `/` only: `?` and `#` can be
        // password characters (`postgresql://u:a?b#c@h`), so they do not end the search.
        // Quotes, brackets and whitespace end it: they delimit the URL in the surrounding text.
        while end < b.len()
            && !matches!(b[end], b'/' | b'"' | b'\'' | b'`' | b'<' | b'>')
            && !b[end].is_ascii_whitespace()
        {
            end += 1;
        }
        if let Some(at) = text[start..end].rfind('@') {
            let userinfo = &text[start..start + at];
            if let Some(colon) = userinfo.find(':') {
                let pw = start + colon + 1..start + at;
                if !pw.is_empty() {
                    spans.push(pw);
                }
            }
        }
        from = start;
    }
}

fn keyed_passwords(text: &str, spans: &mut Vec<Range<usize>>) {
    let lower = text.to_ascii_lowercase();
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(rel) = lower[from..].find("password") {
        let key_start = from + rel;
        // `?password=` / `&password=`: a URL query value, which runs to the next `&` (libpq
        // takes `,;})` as password characters there).
        let in_query = key_start > 0 && matches!(b[key_start - 1], b'?' | b'&');
        let key_end = key_start + "password".len();
        from = key_end;
        let mut i = key_end;
        // Allow a closing quote of a quoted key (`"password": "x"`), then spaces.
        if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
            i += 1;
        }
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() || !(b[i] == b'=' || b[i] == b':') {
            continue;
        }
        i += 1;
        while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
            i += 1;
        }
        if i >= b.len() {
            continue;
        }
        let (start, end) = if b[i] == b'"' || b[i] == b'\'' {
            let q = b[i];
            let s = i + 1;
            let mut e = s;
            while e < b.len() && b[e] != q && b[e] != b'\n' {
                if b[e] == b'\\' {
                    e += 1;
                }
                e += 1;
            }
            (s, e.min(b.len()))
        } else {
            let s = i;
            let mut e = s;
            let ends = |c: u8| {
                if in_query {
                    matches!(c, b'&' | b'"' | b'\'' | b'`' | b'<' | b'>')
                } else {
                    matches!(c, b'&' | b',' | b';' | b'}' | b'"' | b'\'' | b')')
                }
            };
            while e < b.len() && !b[e].is_ascii_whitespace() && !ends(b[e]) {
                if b[e] == b'\\' {
                    e += 1;
                }
                e += 1;
            }
            (s, e.min(b.len()))
        };
        if end > start && &text[start..end] != MASK {
            spans.push(start..end);
        }
    }
}

fn prefixed_tokens(text: &str, prefix: &str, min: usize, spans: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(rel) = text[from..].find(prefix) {
        let start = from + rel;
        let body = start + prefix.len();
        let mut end = body;
        while end < b.len() && b[end].is_ascii_alphanumeric() {
            end += 1;
        }
        let word_start = start == 0 || !b[start - 1].is_ascii_alphanumeric();
        if word_start && end - body >= min {
            spans.push(body..end);
        }
        from = body;
    }
}

fn merge(mut spans: Vec<Range<usize>>, text: &str) -> Vec<Range<usize>> {
    spans.retain(|s| s.start < s.end && s.end <= text.len());
    for s in spans.iter_mut() {
        while !text.is_char_boundary(s.start) {
            s.start -= 1;
        }
        while !text.is_char_boundary(s.end) {
            s.end += 1;
        }
    }
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "Canary7pw9Zq";

    #[test]
    fn removes_every_password_form() {
        for s in [
            format!("postgresql://alex:{CANARY}@ep-x.us-east-2.aws.neon.tech/neondb"),
            format!("postgresql://alex:{CANARY}%40x@h/db"),
            format!("host=h password={CANARY} user=u"),
            format!("host=h password='{CANARY} x' user=u"),
            format!("host=h password='it\\'s{CANARY}' user=u"),
            format!("jdbc:postgresql://h/db?user=a&password={CANARY}"),
            format!("PGPASSWORD={CANARY}"),
            format!("{{\"password\": \"{CANARY}\"}}"),
            format!("password: {CANARY}"),
            format!("postgresql://h/db?p%61ssword={CANARY}"),
            format!("DB=npg_{CANARY}"),
            format!("key napi_{CANARY}{CANARY}{CANARY}"),
        ] {
            let r = redact(&s);
            assert!(!r.contains(CANARY), "{s} -> {r}");
            assert!(r.contains(MASK), "{s} -> {r}");
        }
    }

    #[test]
    fn leaves_other_text_alone() {
        let s = "postgresql://alex@ep-x.us-east-2.aws.neon.tech/neondb?sslmode=require";
        assert_eq!(redact(s), s);
    }
}
