//! How a value's bytes map back to the file, and the one decision every fix goes through:
//! whether an edit to the value (as the rules see it) is an exact edit of file bytes.
//!
//! A value is often not one literal: Python adjacent literals and `+`, Rust `concat!` and
//! `format!`, `.env` `${VAR}` expansion, shell `$Q`, compose `${EXTRA}`. Such a value is
//! described as [`Piece`]s, and [`OffsetMap::edit`] offers a file edit only when it is
//! provably the same change of the run-time value: the value's text is all known, the edit
//! lies inside the bytes of ONE literal written for this value alone, an insertion at a
//! piece's end happens only at the end of the whole value, and the piece's quoting takes
//! the new text as it is. Anything else gets no fix (and the rule's help says what to do).

use std::ops::Range;

/// How offsets in a decoded string map back to the file (escapes and quotes make them
/// differ).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OffsetMap {
    /// The string is the file's bytes from `start` on, unchanged (one literal).
    Identity {
        /// File offset of the string's first byte.
        start: usize,
    },
    /// One file offset per string byte, plus one for the end (one literal with escapes:
    /// the end is the literal's end, inside its quotes).
    Table(Vec<usize>),
    /// The string was assembled in a way not described piece by piece (a call's keywords,
    /// a file read elsewhere): every offset maps to `span`, and no fix can be placed inside.
    Opaque {
        /// Where the whole value sits in the file.
        span: Range<usize>,
    },
    /// The string was assembled from pieces, in order; their lengths add up to the
    /// string's.
    Pieces(Vec<Piece>),
}

/// One run of bytes of an assembled value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// Its length in the value, in bytes (0 for an unknown piece the text leaves out).
    pub len: usize,
    /// What it is.
    pub kind: PieceKind,
}

/// What a piece of an assembled value is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PieceKind {
    /// Bytes of a literal written here for this value alone: an edit inside maps through
    /// `map` (an `Identity` or `Table` map of that literal), if `quoting` takes the new
    /// text as it is.
    Literal {
        /// How the piece's offsets (from 0) map to the file.
        map: OffsetMap,
        /// What the surrounding syntax does to characters written there.
        quoting: Quoting,
    },
    /// Known text that an edit here would not change alone: a variable's value expanded
    /// here, a value other values expand, a number in `concat!`. Spans map through `map`;
    /// never edited.
    Shared {
        /// How the piece's offsets (from 0) map to the file.
        map: OffsetMap,
    },
    /// Text not known before run time (`{q}` in `format!`, `$Q`, `${EXTRA}`, `+ x`): what
    /// the value's text says there is a placeholder (or nothing), so the run-time value's
    /// structure, and any edit to it, is unknown.
    Unknown {
        /// Where it is written.
        span: Range<usize>,
    },
}

/// What the syntax around a literal does to characters written into it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quoting {
    /// Inside quotes, or a value whose syntax takes URL characters as they are: only
    /// quotes, backslashes, `$`, `` ` ``, braces, `%` and control characters would change
    /// meaning.
    Quoted,
    /// An unquoted shell word: `&`, `?`, `;`, blanks and the like are shell syntax.
    ShellBare,
    /// Unquoted in a syntax that is not a shell (Dockerfile `ENV`): blanks and `#` are
    /// syntax too.
    Bare,
}

impl Quoting {
    /// Whether `c` written here stands for itself.
    pub fn takes(self, c: char) -> bool {
        match self {
            Quoting::Quoted => {
                !c.is_control() && !matches!(c, '\\' | '"' | '\'' | '`' | '$' | '{' | '}' | '%')
            }
            Quoting::Bare => Quoting::Quoted.takes(c) && !c.is_whitespace() && c != '#',
            Quoting::ShellBare => {
                c.is_ascii_alphanumeric()
                    || matches!(c, '_' | '.' | '/' | ':' | '=' | '@' | ',' | '+' | '-')
            }
        }
    }
}

/// Why an edit of the value is not an exact edit of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inexact {
    /// The value is not spelled out piece by piece here (a call's keywords, another file).
    NotSpelledOut,
    /// Part of the value is only known at run time (`{q}`, `$Q`, `${EXTRA}`, `+ x`).
    RunTimePart,
    /// The edit falls on bytes another value shares, or across pieces.
    SharedOrSplit,
    /// The surrounding syntax would not take the new text as it is (quotes, shell).
    Quoting,
    /// The edit is outside the value.
    OutOfRange,
}

impl Inexact {
    /// What to tell users, after "not fixed automatically: ".
    pub fn reason(self) -> &'static str {
        match self {
            Inexact::NotSpelledOut => "its characters cannot be mapped back to the file one by one",
            Inexact::RunTimePart => "part of the value is only known at run time",
            Inexact::SharedOrSplit => {
                "the change falls on text that is shared with other values or split across pieces"
            }
            Inexact::Quoting => "the surrounding quoting would change the inserted text",
            Inexact::OutOfRange => "the change is outside the value",
        }
    }
}

impl OffsetMap {
    /// File offset of string offset `i`.
    pub fn offset(&self, i: usize) -> usize {
        match self {
            OffsetMap::Identity { start } => start + i,
            OffsetMap::Table(t) => t.get(i).or(t.last()).copied().unwrap_or(0),
            OffsetMap::Opaque { span } => span.start,
            OffsetMap::Pieces(pieces) => match locate(pieces, i, false) {
                Some((p, at)) => p.kind.offset(at),
                None => 0,
            },
        }
    }

    /// File offset where string offset `i` ends a range (the end of the piece holding byte
    /// `i - 1`, so a range never runs into the next piece's syntax).
    fn end_offset(&self, i: usize) -> usize {
        match self {
            OffsetMap::Opaque { span } => span.end,
            OffsetMap::Pieces(pieces) => match locate(pieces, i, true) {
                Some((p, at)) => p.kind.end_offset(at),
                None => 0,
            },
            _ => self.offset(i),
        }
    }

    /// File range of string range `r`.
    pub fn range(&self, r: Range<usize>) -> Range<usize> {
        match self {
            OffsetMap::Opaque { span } => span.clone(),
            _ => {
                let s = self.offset(r.start);
                let e = if r.end > r.start {
                    self.end_offset(r.end)
                } else {
                    s
                };
                s..e.max(s)
            }
        }
    }

    /// Whether spans inside the string can be pointed at in the file (the fixes' question is
    /// [`OffsetMap::edit`]'s).
    pub fn is_exact(&self) -> bool {
        !matches!(self, OffsetMap::Opaque { .. })
    }

    /// The file range whose replacement with `content` makes exactly the value edit
    /// "replace `r` of `value` (the string this map belongs to) with `content`", or why
    /// there is none. Every fix is mapped through here.
    pub fn edit(
        &self,
        value: &str,
        r: Range<usize>,
        content: &str,
    ) -> Result<Range<usize>, Inexact> {
        if r.start > r.end
            || r.end > value.len()
            || !value.is_char_boundary(r.start)
            || !value.is_char_boundary(r.end)
        {
            return Err(Inexact::OutOfRange);
        }
        match self {
            OffsetMap::Opaque { .. } => Err(Inexact::NotSpelledOut),
            OffsetMap::Identity { .. } | OffsetMap::Table(_) => {
                literal_edit(self, Quoting::Quoted, value, r, content)
            }
            OffsetMap::Pieces(pieces) => {
                if pieces
                    .iter()
                    .any(|p| matches!(p.kind, PieceKind::Unknown { .. }))
                {
                    return Err(Inexact::RunTimePart);
                }
                let mut start = 0;
                for (k, p) in pieces.iter().enumerate() {
                    let end = start + p.len;
                    let last = k + 1 == pieces.len();
                    // The piece that holds the edit: for an insertion at a piece boundary,
                    // the later piece (its start), or the last piece at the value's end.
                    let holds = if r.is_empty() {
                        (start <= r.start && r.start < end) || (last && r.start == end)
                    } else {
                        start <= r.start && r.end <= end
                    };
                    if !holds {
                        if r.start < end && r.end > end {
                            return Err(Inexact::SharedOrSplit);
                        }
                        start = end;
                        continue;
                    }
                    return match &p.kind {
                        PieceKind::Literal { map, quoting } => literal_edit(
                            map,
                            *quoting,
                            value.get(start..end).ok_or(Inexact::OutOfRange)?,
                            r.start - start..r.end - start,
                            content,
                        ),
                        PieceKind::Shared { .. } | PieceKind::Unknown { .. } => {
                            Err(Inexact::SharedOrSplit)
                        }
                    };
                }
                Err(Inexact::OutOfRange)
            }
        }
    }
}

/// An edit inside one literal's map (`value` is the literal's decoded text).
fn literal_edit(
    map: &OffsetMap,
    quoting: Quoting,
    value: &str,
    r: Range<usize>,
    content: &str,
) -> Result<Range<usize>, Inexact> {
    if !content.chars().all(|c| quoting.takes(c)) {
        return Err(Inexact::Quoting);
    }
    match map {
        OffsetMap::Identity { .. } => Ok(map.range(r)),
        OffsetMap::Table(t) if table_is_exact(t, value) => Ok(map.range(r)),
        OffsetMap::Table(_) | OffsetMap::Opaque { .. } => Err(Inexact::NotSpelledOut),
        OffsetMap::Pieces(_) => map.edit(value, r, content),
    }
}

/// Whether a table gives every character of `value`, and its end, a file offset of its
/// own, in order (a table built through a map that lost track, every byte at one
/// offset, must not place edits).
fn table_is_exact(t: &[usize], value: &str) -> bool {
    if t.len() != value.len() + 1 {
        return false;
    }
    let mut prev: Option<usize> = None;
    for (i, _) in value
        .char_indices()
        .chain(std::iter::once((value.len(), ' ')))
    {
        if prev.is_some_and(|p| t[i] <= p) {
            return false;
        }
        prev = Some(t[i]);
    }
    true
}

impl PieceKind {
    fn offset(&self, i: usize) -> usize {
        match self {
            PieceKind::Literal { map, .. } | PieceKind::Shared { map } => map.offset(i),
            PieceKind::Unknown { span } => span.start,
        }
    }

    fn end_offset(&self, i: usize) -> usize {
        match self {
            PieceKind::Literal { map, .. } | PieceKind::Shared { map } => map.end_offset(i),
            PieceKind::Unknown { span } => span.end,
        }
    }
}

/// The piece holding string offset `i`, and `i` relative to it. With `end`, offset `i` is
/// a range's end: the piece holding byte `i - 1`.
fn locate(pieces: &[Piece], i: usize, end: bool) -> Option<(&Piece, usize)> {
    let mut start = 0;
    for p in pieces {
        let stop = start + p.len;
        let inside = if end {
            start < i && i <= stop
        } else {
            start <= i && i < stop
        };
        if inside {
            return Some((p, i - start));
        }
        start = stop;
    }
    // Past the end (or an empty value): the end of the last piece.
    let last = pieces.last()?;
    Some((last, last.len))
}

/// Builds a [`OffsetMap::Pieces`] map piece by piece.
#[derive(Debug, Default)]
pub struct PiecesBuilder {
    pieces: Vec<Piece>,
}

impl PiecesBuilder {
    /// A literal written here for this value alone.
    pub fn literal(&mut self, len: usize, map: OffsetMap, quoting: Quoting) {
        self.push(len, PieceKind::Literal { map, quoting });
    }

    /// Known text an edit must not touch.
    pub fn shared(&mut self, len: usize, map: OffsetMap) {
        self.push(len, PieceKind::Shared { map });
    }

    /// Text only known at run time (`len` bytes of placeholder in the value, often 0).
    pub fn unknown(&mut self, len: usize, span: Range<usize>) {
        self.push(len, PieceKind::Unknown { span });
    }

    fn push(&mut self, len: usize, kind: PieceKind) {
        // Empty known pieces say nothing; empty unknown ones say "something runs here".
        if len == 0 && !matches!(kind, PieceKind::Unknown { .. }) {
            return;
        }
        self.pieces.push(Piece { len, kind });
    }

    /// The map: a single literal piece stays that literal's own map.
    pub fn build(mut self) -> OffsetMap {
        if self.pieces.len() == 1 {
            if let PieceKind::Literal {
                quoting: Quoting::Quoted,
                ..
            } = self.pieces[0].kind
            {
                let Some(Piece {
                    kind: PieceKind::Literal { map, .. },
                    ..
                }) = self.pieces.pop()
                else {
                    unreachable!("checked above")
                };
                return map;
            }
        }
        OffsetMap::Pieces(self.pieces)
    }
}

/// `map` seen from string offset `at` on.
pub fn sub_map(map: &OffsetMap, at: usize) -> OffsetMap {
    match map {
        OffsetMap::Identity { start } => OffsetMap::Identity { start: start + at },
        OffsetMap::Table(t) => {
            OffsetMap::Table(t.get(at..).map(<[usize]>::to_vec).unwrap_or_default())
        }
        OffsetMap::Opaque { span } => OffsetMap::Opaque { span: span.clone() },
        OffsetMap::Pieces(pieces) => {
            let mut b = PiecesBuilder::default();
            let mut start = 0;
            for p in pieces {
                let end = start + p.len;
                if end > at || (p.len == 0 && start >= at) {
                    let skip = at.saturating_sub(start);
                    let kind = match &p.kind {
                        PieceKind::Literal { map, quoting } => PieceKind::Literal {
                            map: sub_map(map, skip),
                            quoting: *quoting,
                        },
                        PieceKind::Shared { map } => PieceKind::Shared {
                            map: sub_map(map, skip),
                        },
                        PieceKind::Unknown { span } => PieceKind::Unknown { span: span.clone() },
                    };
                    b.pieces.push(Piece {
                        len: p.len - skip,
                        kind,
                    });
                }
                start = end;
            }
            OffsetMap::Pieces(b.pieces)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_literals() -> OffsetMap {
        // `'ab' 'cd'` at file offsets 1..3 and 7..9.
        let mut b = PiecesBuilder::default();
        b.literal(2, OffsetMap::Identity { start: 1 }, Quoting::Quoted);
        b.literal(2, OffsetMap::Identity { start: 7 }, Quoting::Quoted);
        b.build()
    }

    #[test]
    fn the_end_of_the_value_is_inside_the_last_literal() {
        let m = two_literals();
        assert_eq!(m.edit("abcd", 4..4, "?x=1"), Ok(9..9));
        assert_eq!(m.range(0..4), 1..9);
        assert_eq!(m.range(0..2), 1..3, "a range ends inside its piece");
        assert_eq!(
            m.edit("abcd", 2..2, "x"),
            Ok(7..7),
            "a boundary insertion starts the next piece"
        );
        assert_eq!(m.edit("abcd", 1..3, "x"), Err(Inexact::SharedOrSplit));
    }

    #[test]
    fn unknown_and_shared_pieces_refuse() {
        let mut b = PiecesBuilder::default();
        b.literal(2, OffsetMap::Identity { start: 1 }, Quoting::Quoted);
        b.unknown(0, 5..8);
        assert_eq!(b.build().edit("ab", 2..2, "x"), Err(Inexact::RunTimePart));
        let mut b = PiecesBuilder::default();
        b.shared(2, OffsetMap::Identity { start: 1 });
        b.literal(2, OffsetMap::Identity { start: 7 }, Quoting::Quoted);
        let m = b.build();
        assert_eq!(m.edit("abcd", 0..1, "x"), Err(Inexact::SharedOrSplit));
        assert_eq!(m.edit("abcd", 4..4, "x"), Ok(9..9));
        let mut b = PiecesBuilder::default();
        b.literal(2, OffsetMap::Identity { start: 7 }, Quoting::Quoted);
        b.shared(2, OffsetMap::Identity { start: 1 });
        assert_eq!(
            b.build().edit("abcd", 4..4, "x"),
            Err(Inexact::SharedOrSplit)
        );
    }

    #[test]
    fn tables_that_lost_track_place_no_edit() {
        // Every byte at one offset: a word tokenized through an opaque map.
        let lost = OffsetMap::Table(vec![5; 5]);
        assert_eq!(lost.edit("abcd", 4..4, "x"), Err(Inexact::NotSpelledOut));
        // `\u{e9}` decoded: two value bytes at one offset is one character, fine.
        let esc = OffsetMap::Table(vec![10, 11, 11, 18]);
        assert_eq!(esc.edit("aé", 3..3, "x"), Ok(18..18));
    }

    #[test]
    fn shell_words_take_only_plain_characters() {
        let mut b = PiecesBuilder::default();
        b.literal(2, OffsetMap::Identity { start: 0 }, Quoting::ShellBare);
        let m = b.build();
        assert_eq!(
            m.edit("ab", 2..2, "&sslmode=require"),
            Err(Inexact::Quoting)
        );
        assert_eq!(m.edit("ab", 2..2, "sslmode=require"), Ok(2..2));
    }
}
