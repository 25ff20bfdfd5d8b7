//! `.env` files: `KEY=value`, `export KEY=value`, single quotes (literal), double quotes
//! (escapes, `${VAR}` expansion), unquoted values with ` #` comments, as python-dotenv and
//! dotenvy read them.

use std::collections::HashMap;
use std::ops::Range;

use super::Cx;
use crate::site::{Container, OffsetMap, PieceKind, PiecesBuilder, Quoting};

/// One assignment in a `.env` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvEntry {
    /// Variable name.
    pub name: String,
    /// Byte span of the name.
    pub name_span: Range<usize>,
    /// The value after unquoting and expansion.
    pub value: String,
    /// How value offsets map to the text.
    pub map: OffsetMap,
}

/// How many bytes `${VAR}` expansion may add to a file's values, all lines together.
///
/// Each line can double the last (`B=${A}${A}`, `C=${B}${B}`...): 60 lines made 2^60
/// bytes, and the run took all memory. Past the budget, references are left as written,
/// like unknown variables (never guessed), and a note says so.
const EXPANSION_BUDGET: usize = 16 * 1024 * 1024;

pub(super) fn extract(cx: &mut Cx) {
    let (entries, exhausted) = parse(&cx.file.text);
    if exhausted {
        cx.out.notes.push(format!(
            "`${{VAR}}` expansion past {} MB: later references were left unexpanded",
            EXPANSION_BUDGET / (1024 * 1024)
        ));
    }
    for e in entries {
        cx.string_value(
            &e.value,
            e.map.clone(),
            Container::EnvValue,
            Some(e.name.clone()),
        );
        cx.binding(&e.name, e.name_span, &e.value, e.map);
    }
}

/// Parses a `.env` text. Lines that are not assignments are skipped, never fatal.
pub fn parse_dotenv(text: &str) -> Vec<DotenvEntry> {
    parse(text).0
}

/// Earlier assignments, for `${VAR}`, and what expansion may still add.
struct Seen {
    values: HashMap<String, String>,
    /// The latest entry of each name (an index into the entries).
    latest: HashMap<String, usize>,
    budget: usize,
    /// A reference was left unexpanded for want of budget.
    exhausted: bool,
}

/// The entries, and whether the expansion budget ran out.
fn parse(text: &str) -> (Vec<DotenvEntry>, bool) {
    let b = text.as_bytes();
    let mut out: Vec<DotenvEntry> = Vec::new();
    let mut seen = Seen {
        values: HashMap::new(),
        latest: HashMap::new(),
        budget: EXPANSION_BUDGET,
        exhausted: false,
    };
    let mut expanded: Vec<String> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let line_end = memchr::memchr(b'\n', &b[i..])
            .map(|e| i + e)
            .unwrap_or(b.len());
        let mut p = i;
        let next_line = line_end + 1;
        skip_blanks(b, &mut p, line_end);
        if text[p..line_end].starts_with("export ") {
            p += "export ".len();
            skip_blanks(b, &mut p, line_end);
        }
        let name_start = p;
        while p < line_end && (b[p].is_ascii_alphanumeric() || matches!(b[p], b'_' | b'.' | b'-')) {
            p += 1;
        }
        let name_end = p;
        skip_blanks(b, &mut p, line_end);
        if name_end == name_start || p >= line_end || b[p] != b'=' || b[name_start] == b'#' {
            i = next_line;
            continue;
        }
        p += 1;
        skip_blanks(b, &mut p, line_end);
        let name = text[name_start..name_end].to_string();
        let (value, map, end) = match b.get(p) {
            Some(b'\'') => single_quoted(text, p),
            Some(b'"') => double_quoted(text, p, &mut seen, &mut expanded),
            _ => unquoted(text, p, line_end, &mut seen, &mut expanded),
        };
        // A value others expand is shared: editing it would change them too.
        for used in expanded.drain(..) {
            if let Some(e) = seen.latest.get(&used).and_then(|&i| out.get_mut(i)) {
                share(&mut e.map, e.value.len());
            }
        }
        seen.values.insert(name.clone(), value.clone());
        seen.latest.insert(name.clone(), out.len());
        out.push(DotenvEntry {
            name,
            name_span: name_start..name_end,
            value,
            map,
        });
        // A quoted value may span lines.
        let end_line = memchr::memchr(b'\n', &b[end.min(b.len())..])
            .map(|e| end + e + 1)
            .unwrap_or(b.len());
        i = end_line.max(next_line);
    }
    (out, seen.exhausted)
}

/// Marks a value as read by other values: its spans still map, no edit is offered.
fn share(map: &mut OffsetMap, len: usize) {
    if !matches!(map, OffsetMap::Pieces(p) if p.len() == 1 && matches!(p[0].kind, PieceKind::Shared { .. }))
    {
        let mut b = PiecesBuilder::default();
        b.shared(len, map.clone());
        *map = match b.build() {
            OffsetMap::Pieces(p) if p.is_empty() => map.clone(),
            m => m,
        };
    }
}

fn skip_blanks(b: &[u8], p: &mut usize, end: usize) {
    while *p < end && (b[*p] == b' ' || b[*p] == b'\t' || b[*p] == b'\r') {
        *p += 1;
    }
}

fn single_quoted(text: &str, open: usize) -> (String, OffsetMap, usize) {
    let start = open + 1;
    match text[start..].find('\'') {
        Some(len) => (
            text[start..start + len].to_string(),
            OffsetMap::Identity { start },
            start + len + 1,
        ),
        None => {
            let end = text[start..]
                .find('\n')
                .map(|e| start + e)
                .unwrap_or(text.len());
            let v = text[start..end].trim_end_matches('\r');
            (v.to_string(), OffsetMap::Identity { start }, end)
        }
    }
}

fn double_quoted(
    text: &str,
    open: usize,
    seen: &mut Seen,
    expanded: &mut Vec<String>,
) -> (String, OffsetMap, usize) {
    let b = text.as_bytes();
    let start = open + 1;
    let mut value = Assembled::default();
    let mut p = start;
    while p < b.len() && b[p] != b'"' {
        if b[p] == b'\\' && p + 1 < b.len() {
            let c = match b[p + 1] {
                b'n' => Some('\n'),
                b't' => Some('\t'),
                b'r' => Some('\r'),
                b'"' => Some('"'),
                b'\\' => Some('\\'),
                b'$' => Some('$'),
                _ => None,
            };
            if let Some(c) = c {
                value.char_at(c, p);
                p += 2;
                continue;
            }
        }
        if b[p] == b'$' {
            if let Some(used) = value.expansion(&text[p..], p, seen, expanded) {
                p += used;
                continue;
            }
        }
        let ch = text[p..].chars().next().unwrap_or('\u{FFFD}');
        value.char_at(ch, p);
        p += ch.len_utf8();
    }
    let (value, map) = value.finish(p);
    (value, map, (p + 1).min(b.len()))
}

fn unquoted(
    text: &str,
    start: usize,
    line_end: usize,
    seen: &mut Seen,
    expanded: &mut Vec<String>,
) -> (String, OffsetMap, usize) {
    let b = text.as_bytes();
    // A ` #` (whitespace then hash) starts a comment.
    let mut end = start;
    while end < line_end {
        if b[end] == b'#' && end > start && (b[end - 1] == b' ' || b[end - 1] == b'\t') {
            break;
        }
        end += 1;
    }
    while end > start && matches!(b[end - 1], b' ' | b'\t' | b'\r') {
        end -= 1;
    }
    let raw = &text[start..end];
    if !raw.contains('$') {
        return (raw.to_string(), OffsetMap::Identity { start }, end);
    }
    let mut value = Assembled::default();
    let mut p = 0;
    while p < raw.len() {
        if raw.as_bytes()[p] == b'$' {
            if let Some(used) = value.expansion(&raw[p..], start + p, seen, expanded) {
                p += used;
                continue;
            }
        }
        let ch = raw[p..].chars().next().unwrap_or('\u{FFFD}');
        value.char_at(ch, start + p);
        p += ch.len_utf8();
    }
    let (value, map) = value.finish(end);
    (value, map, end)
}

/// A value being decoded: its text, and its pieces (literal runs, expansions).
#[derive(Default)]
struct Assembled {
    value: String,
    pieces: PiecesBuilder,
    /// File offset of each byte of the current literal run.
    run: Vec<usize>,
}

impl Assembled {
    /// A character written at file offset `at` (escapes decode to ASCII).
    fn char_at(&mut self, c: char, at: usize) {
        for k in 0..c.len_utf8() {
            self.run.push(at + k);
        }
        self.value.push(c);
    }

    /// `${VAR}`/`$VAR` at file offset `at`: a piece holding the variable's value (never
    /// edited: the text belongs to the variable), or, for a variable not set earlier in
    /// the file, the reference as written, known only at run time.
    fn expansion(
        &mut self,
        s: &str,
        at: usize,
        seen: &mut Seen,
        expanded: &mut Vec<String>,
    ) -> Option<usize> {
        let (name, used) = reference(s)?;
        self.flush(at);
        // Past the budget a reference stays as written, like an unknown variable.
        let known = match seen.values.get(name) {
            Some(v) if v.len() <= seen.budget => {
                seen.budget -= v.len();
                Some(v)
            }
            Some(_) => {
                seen.exhausted = true;
                None
            }
            None => None,
        };
        match known {
            Some(v) => {
                self.pieces.shared(
                    v.len(),
                    OffsetMap::Opaque {
                        span: at..at + used,
                    },
                );
                self.value.push_str(v);
                expanded.push(name.to_string());
            }
            None => {
                self.pieces.unknown(used, at..at + used);
                self.value.push_str(&s[..used]);
            }
        }
        Some(used)
    }

    /// Ends the current literal run at file offset `end`.
    fn flush(&mut self, end: usize) {
        let run = std::mem::take(&mut self.run);
        let Some(&first) = run.first() else {
            return;
        };
        let len = run.len();
        let map = if run.iter().enumerate().all(|(k, &o)| o == first + k) && first + len == end {
            OffsetMap::Identity { start: first }
        } else {
            let mut table = run;
            table.push(end);
            OffsetMap::Table(table)
        };
        self.pieces.literal(len, map, Quoting::Quoted);
    }

    fn finish(mut self, end: usize) -> (String, OffsetMap) {
        let empty_start = (self.value.is_empty()).then_some(end);
        self.flush(end);
        let map = self.pieces.build();
        match (map, empty_start) {
            (OffsetMap::Pieces(p), Some(at)) if p.is_empty() => {
                (self.value, OffsetMap::Identity { start: at })
            }
            (map, _) => (self.value, map),
        }
    }
}

/// `${VAR}` or `$VAR` at the start of `s`: the name and the bytes it takes.
fn reference(s: &str) -> Option<(&str, usize)> {
    let b = s.as_bytes();
    let (name, used) = if b.get(1) == Some(&b'{') {
        let close = s.find('}')?;
        (&s[2..close], close + 1)
    } else {
        let n = s[1..]
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
            .count();
        if n == 0 {
            return None;
        }
        (&s[1..1 + n], 1 + n)
    };
    if name.is_empty() || !name.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
        return None;
    }
    Some((name, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(text: &str) -> Vec<(String, String)> {
        parse_dotenv(text)
            .into_iter()
            .map(|e| (e.name, e.value))
            .collect()
    }

    #[test]
    fn parses_the_common_forms() {
        let text = "# c\nA=1\nexport B = two # note\nC='x # y'\nD=\"a\\nb\"\nE=${A}-x\nF=\"$B\"\nG=$NOPE\nH=#x\n";
        assert_eq!(
            values(text),
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "two".into()),
                ("C".into(), "x # y".into()),
                ("D".into(), "a\nb".into()),
                ("E".into(), "1-x".into()),
                ("F".into(), "two".into()),
                ("G".into(), "$NOPE".into()),
                ("H".into(), "#x".into()),
            ]
        );
    }

    #[test]
    fn spans_map_back_to_the_file() {
        let text = "DATABASE_URL=\"postgresql://h/db\"\n";
        let e = &parse_dotenv(text)[0];
        let r = e.map.range(0..e.value.len());
        assert_eq!(&text[r], "postgresql://h/db");
        assert_eq!(&text[e.name_span.clone()], "DATABASE_URL");
    }

    #[test]
    fn crlf_and_multiline_quotes() {
        let text = "A=1\r\nB='line1\nline2'\r\nC=3\r\n";
        assert_eq!(
            values(text),
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "line1\nline2".into()),
                ("C".into(), "3".into())
            ]
        );
    }
}
