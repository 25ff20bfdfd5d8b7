//! LSP positions and byte offsets.
//!
//! The pipeline speaks byte offsets; LSP speaks (line, character) where "character"
//! counts code units of the negotiated encoding: UTF-16 unless the client offered
//! something else (LSP 3.17 `general.positionEncodings`). Lines end at `\n`, `\r\n` or a
//! lone `\r` (the protocol's definition, which differs from the CLI's `\n`-only line
//! index). Nothing here trusts a client position: out-of-range lines and characters are
//! clamped as the specification asks, never a panic.

use lsp_types::{Position, PositionEncodingKind, Range};

/// The unit `Position::character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (the protocol's default, which every client supports, so the
    /// server never needs a third encoding).
    #[default]
    Utf16,
}

impl Encoding {
    /// The server's pick among what the client offers: UTF-8 first (no conversion, exact
    /// for the byte spans the pipeline has), then UTF-16 (always allowed), never one the
    /// client did not offer. `None` (the client said nothing) means UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        let offered = offered.unwrap_or_default();
        if offered.contains(&PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    /// The name sent back in `ServerCapabilities::position_encoding`.
    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn units(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        }
    }
}

/// Line starts of one text, by the protocol's line breaks.
#[derive(Debug, Clone)]
pub struct LineTable {
    starts: Vec<usize>,
}

impl LineTable {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineTable {
        let b = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < b.len() {
            match b[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if b.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineTable { starts }
    }

    /// Byte range of 0-based `line` without its line break (`None` past the last line).
    fn line_bounds(&self, text: &str, line: usize) -> Option<(usize, usize)> {
        let start = *self.starts.get(line)?;
        let mut end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let b = text.as_bytes();
        while end > start && matches!(b[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        Some((start, end))
    }

    /// The LSP position of byte `offset` (clamped to the text, moved back to a character
    /// boundary).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        };
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character: u32 = text
            .get(start..offset)
            .unwrap_or_default()
            .chars()
            .map(|c| enc.units(c))
            .sum();
        Position {
            line: line as u32,
            character,
        }
    }

    /// The LSP range of a byte range.
    pub fn range(&self, text: &str, r: std::ops::Range<usize>, enc: Encoding) -> Range {
        Range {
            start: self.position(text, r.start, enc),
            end: self.position(text, r.end.max(r.start), enc),
        }
    }

    /// The byte offset of an LSP position. A line past the end is the end of the text; a
    /// character past the end of its line is the end of the line (the protocol's rule); a
    /// character inside a multi-unit character (half a surrogate pair) is that
    /// character's start.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let Some((start, end)) = self.line_bounds(text, pos.line as usize) else {
            return text.len();
        };
        let mut left = pos.character;
        for (i, c) in text[start..end].char_indices() {
            let n = enc.units(c);
            if left < n {
                return start + i;
            }
            left -= n;
        }
        end
    }

    /// Byte range of an LSP range, ordered (a reversed range from a client is read as
    /// the same stretch of text).
    pub fn byte_range(&self, text: &str, r: Range, enc: Encoding) -> std::ops::Range<usize> {
        let a = self.offset(text, r.start, enc);
        let b = self.offset(text, r.end, enc);
        a.min(b)..a.max(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn utf16_counts_surrogate_pairs_and_utf8_counts_bytes() {
        // "é" is 2 bytes / 1 unit; "😀" 4 bytes / 2 UTF-16 units.
        let text = "é😀x\nsecond";
        let t = LineTable::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(t.position(text, x, Encoding::Utf16), pos(0, 3));
        assert_eq!(t.position(text, x, Encoding::Utf8), pos(0, 6));
        assert_eq!(t.offset(text, pos(0, 3), Encoding::Utf16), x);
        assert_eq!(t.offset(text, pos(0, 6), Encoding::Utf8), x);
        // Half a surrogate pair: the emoji's start, never a broken boundary.
        assert_eq!(t.offset(text, pos(0, 2), Encoding::Utf16), "é".len());
        // A byte inside "é" moves back to its start.
        assert_eq!(t.position(text, 1, Encoding::Utf16), pos(0, 0));
    }

    #[test]
    fn lines_end_at_lf_crlf_and_cr_and_clamp() {
        let text = "a\r\nbb\rc\nd";
        let t = LineTable::new(text);
        assert_eq!(
            t.position(text, text.find('c').unwrap(), Encoding::Utf16),
            pos(2, 0)
        );
        assert_eq!(
            t.position(text, text.find('d').unwrap(), Encoding::Utf16),
            pos(3, 0)
        );
        // Past the end of a line: the line's end (before `\r\n`).
        assert_eq!(t.offset(text, pos(0, 99), Encoding::Utf16), 1);
        // Past the last line: the end of the text.
        assert_eq!(t.offset(text, pos(99, 0), Encoding::Utf16), text.len());
        assert_eq!(t.position(text, 999, Encoding::Utf16), pos(3, 1));
        let r = Range {
            start: pos(1, 2),
            end: pos(1, 0),
        };
        assert_eq!(t.byte_range(text, r, Encoding::Utf16), 3..5);
    }

    #[test]
    fn negotiation_prefers_utf8_and_falls_back_to_utf16() {
        use PositionEncodingKind as K;
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        assert_eq!(
            Encoding::negotiate(Some(&[K::UTF16, K::UTF8])),
            Encoding::Utf8
        );
        assert_eq!(Encoding::negotiate(Some(&[K::UTF32])), Encoding::Utf16);
    }
}
