//! JSON files: every string value, keyed by its dotted path, with exact spans. A small
//! tolerant scanner (JSON has no comments, but `tsconfig`-style files do; `//` and `/* */`
//! are skipped) rather than serde_json, which keeps no positions.

use super::Cx;
use crate::site::{Container, OffsetMap};

/// How deep arrays and objects may nest before the file is scanned as text instead (the
/// scanner recurses once per level).
const MAX_DEPTH: usize = 256;

pub(super) fn extract(cx: &mut Cx) {
    let (found, too_deep) = scan(&cx.file.text);
    if too_deep {
        // The values past the bound would be lost without a word: read them as text.
        cx.out.notes.push(format!(
            "JSON nested more than {MAX_DEPTH} levels deep: scanned as text"
        ));
        return super::text::extract(cx);
    }
    for (key, value, map) in found {
        cx.string_value(&value, map, Container::ConfigValue, Some(key));
    }
}

/// Every string value with its dotted key path (`scripts.migrate`) and offsets.
pub(super) fn strings(text: &str) -> Found {
    scan(text).0
}

/// The string values, and whether the nesting bound cut the scan short.
fn scan(text: &str) -> (Found, bool) {
    let mut found = Vec::new();
    let mut s = Scanner {
        b: text.as_bytes(),
        text,
        i: 0,
        too_deep: false,
    };
    s.value("", &mut found, 0);
    (found, s.too_deep)
}

struct Scanner<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
    /// The nesting bound was reached: what follows was not scanned.
    too_deep: bool,
}

type Found = Vec<(String, String, OffsetMap)>;

impl Scanner<'_> {
    fn ws(&mut self) {
        loop {
            while self.i < self.b.len() && self.b[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            if self.b[self.i..].starts_with(b"//") {
                while self.i < self.b.len() && self.b[self.i] != b'\n' {
                    self.i += 1;
                }
            } else if self.b[self.i..].starts_with(b"/*") {
                match self.text[self.i + 2..].find("*/") {
                    Some(e) => self.i += e + 4,
                    None => self.i = self.b.len(),
                }
            } else {
                return;
            }
        }
    }

    fn value(&mut self, path: &str, out: &mut Found, depth: usize) {
        self.ws();
        if self.i >= self.b.len() || depth > MAX_DEPTH {
            self.too_deep |= depth > MAX_DEPTH;
            self.i = self.b.len();
            return;
        }
        match self.b[self.i] {
            b'{' => {
                self.i += 1;
                loop {
                    self.ws();
                    if self.i >= self.b.len() {
                        return;
                    }
                    match self.b[self.i] {
                        b'}' => {
                            self.i += 1;
                            return;
                        }
                        b',' => self.i += 1,
                        b'"' => {
                            let key = self.string().map(|(k, _)| k).unwrap_or_default();
                            self.ws();
                            if self.i < self.b.len() && self.b[self.i] == b':' {
                                self.i += 1;
                            }
                            let child = if path.is_empty() {
                                key
                            } else {
                                format!("{path}.{key}")
                            };
                            self.value(&child, out, depth + 1);
                        }
                        _ => self.i += 1,
                    }
                }
            }
            b'[' => {
                self.i += 1;
                loop {
                    self.ws();
                    if self.i >= self.b.len() {
                        return;
                    }
                    match self.b[self.i] {
                        b']' => {
                            self.i += 1;
                            return;
                        }
                        b',' => self.i += 1,
                        _ => {
                            let before = self.i;
                            self.value(path, out, depth + 1);
                            if self.i == before {
                                self.i += 1;
                            }
                        }
                    }
                }
            }
            b'"' => {
                if let Some((v, map)) = self.string() {
                    out.push((path.to_string(), v, map));
                }
            }
            _ => {
                // Numbers, literals, junk: skip to the next structural byte.
                while self.i < self.b.len() && !matches!(self.b[self.i], b',' | b'}' | b']') {
                    self.i += 1;
                }
            }
        }
    }

    /// Reads a string at `self.i` (on the opening quote).
    fn string(&mut self) -> Option<(String, OffsetMap)> {
        let start = self.i + 1;
        let mut i = start;
        let mut value = String::new();
        let mut table = Vec::new();
        let mut escaped = false;
        while i < self.b.len() && self.b[i] != b'"' {
            if self.b[i] == b'\\' && i + 1 < self.b.len() {
                escaped = true;
                let (c, used) = match self.b[i + 1] {
                    b'n' => (Some('\n'), 2),
                    b't' => (Some('\t'), 2),
                    b'r' => (Some('\r'), 2),
                    b'b' => (Some('\u{8}'), 2),
                    b'f' => (Some('\u{c}'), 2),
                    b'u' => {
                        // Exactly four hex digits, or the escape is just `\u` (never step
                        // into the middle of a multi-byte character).
                        let v = self
                            .text
                            .get(i + 2..i + 6)
                            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                            .and_then(|h| u32::from_str_radix(h, 16).ok());
                        match v {
                            Some(v) => (Some(char::from_u32(v).unwrap_or('\u{FFFD}')), 6),
                            None => (Some('\u{FFFD}'), 2),
                        }
                    }
                    _ => {
                        // Any other escaped character stands for itself, whole (it may be
                        // a multi-byte one).
                        let c = self.text[i + 1..].chars().next().unwrap_or('\u{FFFD}');
                        (Some(c), 1 + c.len_utf8())
                    }
                };
                if let Some(c) = c {
                    for _ in 0..c.len_utf8() {
                        table.push(i);
                    }
                    value.push(c);
                }
                i += used;
                continue;
            }
            if self.b[i] == b'\n' {
                break;
            }
            let ch = self.text[i..].chars().next().unwrap_or('\u{FFFD}');
            for k in 0..ch.len_utf8() {
                table.push(i + k);
            }
            value.push(ch);
            i += ch.len_utf8();
        }
        let i = i.min(self.b.len());
        table.push(i);
        self.i = (i + 1).min(self.b.len());
        let map = if escaped {
            OffsetMap::Table(table)
        } else {
            OffsetMap::Identity { start }
        };
        Some((value, map))
    }
}
