//! A file's text and the line index that turns byte offsets into rustc-style positions.

use std::ops::Range;
use std::path::PathBuf;

use crate::classify::FileKind;

/// Index of a file in [`crate::project::Project::files`].
pub type FileId = usize;

/// One scanned file.
#[derive(Debug)]
pub struct SourceFile {
    /// Path as found by the walk (or given on the command line).
    pub path: PathBuf,
    /// Path as printed: relative to the current directory when possible, `/` separators.
    pub display: String,
    /// What kind of file it is.
    pub kind: FileKind,
    /// The text (invalid UTF-8 replaced, a leading BOM removed).
    pub text: String,
    /// Start offset of each line.
    pub lines: LineIndex,
}

/// Byte offsets of line starts.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

/// A 1-based line and column (columns in characters), as JSON output prints them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Byte range of 0-based `line`, without its line break.
    pub fn line_range(&self, text: &str, line: usize) -> Range<usize> {
        let start = self.starts.get(line).copied().unwrap_or(text.len());
        let mut end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let b = text.as_bytes();
        while end > start && (b[end - 1] == b'\n' || b[end - 1] == b'\r') {
            end -= 1;
        }
        start..end
    }

    /// 1-based line and character column of `offset`.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or(offset - start)
            + 1;
        Position {
            line: line + 1,
            column,
        }
    }

    /// Byte offset of a 1-based line and 0-based character column (proc-macro2's convention).
    pub fn offset(&self, text: &str, line: usize, column: usize) -> usize {
        let Some(&start) = self.starts.get(line.saturating_sub(1)) else {
            return text.len();
        };
        let rest = &text[start..];
        rest.char_indices()
            .nth(column)
            .map(|(i, _)| start + i)
            .unwrap_or(text.len())
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there are no lines (never: an empty file has one empty line).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

/// Decodes file bytes: UTF-8 (lossily, so a stray byte costs one character, not the file),
/// with a UTF-8 BOM dropped. Returns the text and the number of bytes dropped at the front.
pub fn decode(bytes: &[u8]) -> (String, usize) {
    let (bytes, skipped) = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => (rest, 3),
        None => (bytes, 0),
    };
    (String::from_utf8_lossy(bytes).into_owned(), skipped)
}

/// [`decode`] of bytes the caller gives up: valid UTF-8 without a BOM (nearly every file)
/// becomes the text without a copy.
pub fn decode_owned(bytes: Vec<u8>) -> (String, usize) {
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        return decode(&bytes);
    }
    match String::from_utf8(bytes) {
        Ok(text) => (text, 0),
        Err(e) => decode(e.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters() {
        let text = "é=1\nab\r\ncd";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(idx.position(text, 2), Position { line: 1, column: 2 });
        assert_eq!(idx.position(text, 9), Position { line: 3, column: 1 });
        assert_eq!(idx.offset(text, 3, 1), 10);
        assert_eq!(&text[idx.line_range(text, 1)], "ab");
    }

    #[test]
    fn owned_decoding_matches_borrowed() {
        for bytes in [&b"plain"[..], b"\xEF\xBB\xBFbom", b"bad \xff byte", b""] {
            assert_eq!(decode_owned(bytes.to_vec()), decode(bytes));
        }
    }
}
