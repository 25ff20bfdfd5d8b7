//! Placeholders a value's text holds that are filled in at run time (`${EXTRA}`, `$Q`,
//! `{q}`, `%(here)s`): pieces of the value nobody knows before it runs.

use std::ops::Range;

use super::offsets::{sub_map, OffsetMap, PiecesBuilder, Quoting};

/// Placeholder syntaxes filled in at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `$NAME`, `${...}`, `$(...)`: shells, compose, `.env`, CI, JS template literals.
    Dollar,
    /// `{...}` (`{{`/`}}` are braces): Rust format templates.
    Braces,
    /// `%(name)s`: configparser interpolation (`alembic.ini`).
    Percent,
}

/// Marks the run-time placeholders of a literal's text as unknown pieces. Returns `map`
/// itself when there are none.
pub fn mark_placeholders(text: &str, map: OffsetMap, syntax: &[Syntax]) -> OffsetMap {
    let found = placeholders(text, syntax);
    if found.is_empty() {
        return map;
    }
    let mut b = PiecesBuilder::default();
    let mut at = 0;
    // A literal run `at..end` of the text as its own map (a table cut to its length).
    let run = |at: usize, end: usize| match sub_map(&map, at) {
        OffsetMap::Table(mut t) => {
            t.truncate(end - at + 1);
            OffsetMap::Table(t)
        }
        m => m,
    };
    for r in found {
        b.literal(r.start - at, run(at, r.start), Quoting::Quoted);
        b.unknown(r.len(), map.offset(r.start)..map.range(r.clone()).end);
        at = r.end;
    }
    b.literal(text.len() - at, run(at, text.len()), Quoting::Quoted);
    b.build()
}

/// Byte ranges of run-time placeholders in `text`.
pub fn placeholders(text: &str, syntax: &[Syntax]) -> Vec<Range<usize>> {
    let dollar = syntax.contains(&Syntax::Dollar);
    let braces = syntax.contains(&Syntax::Braces);
    let percent = syntax.contains(&Syntax::Percent);
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'$' if dollar => {
                let rest = &b[i + 1..];
                let used = match rest.first() {
                    Some(b'{') | Some(b'(') => {
                        let (open, close) = if rest[0] == b'{' {
                            (b'{', b'}')
                        } else {
                            (b'(', b')')
                        };
                        let mut depth = 0usize;
                        let mut n = 0;
                        for (k, &c) in rest.iter().enumerate() {
                            if c == open {
                                depth += 1;
                            } else if c == close {
                                depth -= 1;
                                if depth == 0 {
                                    n = k + 1;
                                    break;
                                }
                            }
                        }
                        // Unclosed: the rest of the value is the placeholder.
                        if n == 0 {
                            rest.len()
                        } else {
                            n
                        }
                    }
                    _ => rest
                        .iter()
                        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                        .count(),
                };
                if used > 0 {
                    out.push(i..i + 1 + used);
                }
                i += 1 + used;
            }
            b'%' if percent && b.get(i + 1) == Some(&b'%') => i += 2,
            b'%' if percent && b.get(i + 1) == Some(&b'(') => {
                let n = b[i..]
                    .iter()
                    .position(|&c| c == b')')
                    .map_or(b.len() - i, |e| e + 2);
                out.push(i..(i + n).min(b.len()));
                i += n;
            }
            b'{' | b'}' if braces && b.get(i + 1) == Some(&b[i]) => i += 2,
            b'{' if braces => {
                let n = b[i..]
                    .iter()
                    .position(|&c| c == b'}')
                    .map_or(b.len() - i, |e| e + 1);
                out.push(i..i + n);
                i += n;
            }
            _ => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::Inexact;

    #[test]
    fn placeholders_are_found() {
        let dollar = [Syntax::Dollar];
        assert_eq!(
            placeholders("a${B}c$D-e$(f)", &dollar),
            vec![1..5, 6..8, 10..14]
        );
        assert_eq!(
            placeholders("a{{b}}{c}{}", &[Syntax::Braces]),
            vec![6..9, 9..11]
        );
        assert_eq!(
            placeholders("a%%b%(here)s/x", &[Syntax::Percent]),
            vec![4..12]
        );
        let m = mark_placeholders("ab${X}", OffsetMap::Identity { start: 10 }, &dollar);
        assert_eq!(m.edit("ab${X}", 6..6, "?x"), Err(Inexact::RunTimePart));
        assert_eq!(m.range(0..6), 10..16);
    }
}
