//! Rust string literals as written (`proc_macro::Literal::to_string()`), decoded by hand:
//! the value, and where each byte of the value sits in the written text, so that a caret can
//! be drawn under the right characters of `"...\"..."` or `r#"..."#`.
//!
//! rustc has already lexed the literal, so malformed input is not expected; it is still
//! rejected rather than guessed at.

/// A decoded string literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The string the program sees.
    pub value: String,
    /// For each byte offset `0..=value.len()` of the value, the byte offset in the written
    /// literal (quotes included) where that byte's character, or escape, starts.
    pub offsets: Vec<usize>,
}

/// Why a literal is not a string `neon_url!` can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotAString {
    /// Another kind of literal: `"a byte string literal"`, `"an integer literal"`...
    Kind(&'static str),
    /// A string literal with a suffix (`"..."foo`).
    Suffix,
    /// Not lexable as a string literal (not expected from rustc).
    Malformed,
}

/// What kind of literal `text` is, for messages.
fn kind(text: &str) -> &'static str {
    let b = text.as_bytes();
    match b.first() {
        Some(b'b') if b.get(1) == Some(&b'\'') => "a byte literal",
        Some(b'b') => "a byte string literal",
        Some(b'c') => "a C string literal",
        Some(b'\'') => "a character literal",
        Some(b'0'..=b'9') if text.contains(['.', 'e', 'E']) && !text.starts_with("0x") => {
            "a floating-point literal"
        }
        Some(b'0'..=b'9') => "an integer literal",
        _ => "not a string literal",
    }
}

/// Decodes a string literal (`"..."`, `r"..."`, `r#"..."#`) as written.
pub fn decode_str(text: &str) -> Result<Decoded, NotAString> {
    if let Some(rest) = text.strip_prefix('r') {
        let hashes = rest.bytes().take_while(|&b| b == b'#').count();
        let open = 1 + hashes + 1;
        if text.as_bytes().get(open - 1) != Some(&b'"') {
            return Err(NotAString::Malformed);
        }
        let close = format!("\"{}", "#".repeat(hashes));
        let body_end = text[open..]
            .find(&close)
            .map(|i| open + i)
            .ok_or(NotAString::Malformed)?;
        if body_end + close.len() != text.len() {
            return Err(NotAString::Suffix);
        }
        let value = text[open..body_end].to_string();
        let offsets = (open..=body_end).collect();
        return Ok(Decoded { value, offsets });
    }
    if !text.starts_with('"') {
        return Err(NotAString::Kind(kind(text)));
    }
    let (decoded, end) = decode_quoted(text, 1, b'"')?;
    if end + 1 != text.len() {
        return Err(NotAString::Suffix);
    }
    Ok(decoded)
}

/// Decodes a character literal (`'a'`, `'\n'`) as written: for `concat!`.
pub fn decode_char(text: &str) -> Result<Decoded, NotAString> {
    if !text.starts_with('\'') {
        return Err(NotAString::Kind(kind(text)));
    }
    let (decoded, end) = decode_quoted(text, 1, b'\'')?;
    if end + 1 != text.len() {
        return Err(NotAString::Suffix);
    }
    if decoded.value.chars().count() != 1 {
        return Err(NotAString::Malformed);
    }
    Ok(decoded)
}

/// Decodes from `start` up to the unescaped `quote`; returns the value and the quote's offset.
fn decode_quoted(text: &str, start: usize, quote: u8) -> Result<(Decoded, usize), NotAString> {
    let b = text.as_bytes();
    let mut value = String::new();
    let mut offsets = Vec::new();
    let mut i = start;
    let push = |value: &mut String, offsets: &mut Vec<usize>, c: char, at: usize| {
        offsets.extend(std::iter::repeat_n(at, c.len_utf8()));
        value.push(c);
    };
    loop {
        let Some(&byte) = b.get(i) else {
            return Err(NotAString::Malformed);
        };
        if byte == quote {
            offsets.push(i);
            return Ok((Decoded { value, offsets }, i));
        }
        if byte != b'\\' {
            let c = text[i..].chars().next().ok_or(NotAString::Malformed)?;
            push(&mut value, &mut offsets, c, i);
            i += c.len_utf8();
            continue;
        }
        let at = i;
        let Some(&e) = b.get(i + 1) else {
            return Err(NotAString::Malformed);
        };
        i += 2;
        let c = match e {
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'\\' => '\\',
            b'0' => '\0',
            b'\'' => '\'',
            b'"' => '"',
            b'x' => {
                let hex = text.get(i..i + 2).ok_or(NotAString::Malformed)?;
                let v = u8::from_str_radix(hex, 16).map_err(|_| NotAString::Malformed)?;
                if v > 0x7f {
                    return Err(NotAString::Malformed);
                }
                i += 2;
                char::from(v)
            }
            b'u' => {
                if b.get(i) != Some(&b'{') {
                    return Err(NotAString::Malformed);
                }
                let close = text[i..].find('}').ok_or(NotAString::Malformed)? + i;
                let digits: String = text[i + 1..close].chars().filter(|&c| c != '_').collect();
                if digits.is_empty() || digits.len() > 6 {
                    return Err(NotAString::Malformed);
                }
                let v = u32::from_str_radix(&digits, 16).map_err(|_| NotAString::Malformed)?;
                i = close + 1;
                char::from_u32(v).ok_or(NotAString::Malformed)?
            }
            b'\n' | b'\r' if quote == b'"' => {
                // Line continuation: the newline and the whitespace after it vanish.
                while matches!(b.get(i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                    i += 1;
                }
                continue;
            }
            _ => return Err(NotAString::Malformed),
        };
        push(&mut value, &mut offsets, c, at);
    }
}

/// The text `concat!` makes of an unsuffixed decimal integer literal (`1_000` -> `1000`).
pub fn decimal_integer(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.trim_start_matches('0').to_string())
        .map(|d| if d.is_empty() { "0".to_string() } else { d })
}

/// Why a literal was refused, in words.
pub fn describe(err: NotAString) -> String {
    match err {
        NotAString::Kind(k) => format!("this is {k}"),
        NotAString::Suffix => "a string literal cannot carry a suffix here".to_string(),
        NotAString::Malformed => "this literal could not be read".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> String {
        decode_str(text).unwrap().value
    }

    #[test]
    fn plain_and_escaped_strings() {
        assert_eq!(value(r#""host=h""#), "host=h");
        assert_eq!(
            value(r#""a\"b\\c\n\t\r\0\x41\u{e9}\u{1_F600}""#),
            "a\"b\\c\n\t\r\0A\u{e9}\u{1F600}"
        );
        assert_eq!(value("\"a\\\n    b\""), "ab");
        assert_eq!(value("\"é\""), "é");
    }

    #[test]
    fn raw_strings() {
        assert_eq!(value(r#"r"a\b""#), r"a\b");
        assert_eq!(value(r###"r#"a"b"#"###), r#"a"b"#);
        assert_eq!(value(r####"r##"a"#b"##"####), r##"a"#b"##);
    }

    #[test]
    fn offsets_point_at_the_written_characters() {
        let text = r#""a\x62\"é""#;
        let d = decode_str(text).unwrap();
        assert_eq!(d.value, "ab\"é");
        // a at 1, b from `\x62` at 2, quote from `\"` at 6, é (2 bytes) at 8, close at 10.
        assert_eq!(d.offsets, vec![1, 2, 6, 8, 8, 10]);
        let raw = decode_str(r##"r#"ab"#"##).unwrap();
        assert_eq!(raw.offsets, vec![3, 4, 5]);
    }

    #[test]
    fn other_literals_are_named() {
        assert_eq!(
            decode_str(r#"b"x""#),
            Err(NotAString::Kind("a byte string literal"))
        );
        assert_eq!(
            decode_str(r#"br"x""#),
            Err(NotAString::Kind("a byte string literal"))
        );
        assert_eq!(
            decode_str(r#"c"x""#),
            Err(NotAString::Kind("a C string literal"))
        );
        assert_eq!(
            decode_str("'x'"),
            Err(NotAString::Kind("a character literal"))
        );
        assert_eq!(
            decode_str("42"),
            Err(NotAString::Kind("an integer literal"))
        );
        assert_eq!(
            decode_str("4.2"),
            Err(NotAString::Kind("a floating-point literal"))
        );
        assert_eq!(decode_str(r#""x"suffix"#), Err(NotAString::Suffix));
        assert_eq!(decode_str(r#""x"#), Err(NotAString::Malformed));
    }

    #[test]
    fn chars_and_integers_for_concat() {
        assert_eq!(decode_char("'a'").unwrap().value, "a");
        assert_eq!(decode_char(r"'\''").unwrap().value, "'");
        assert_eq!(decimal_integer("5_432"), Some("5432".into()));
        assert_eq!(decimal_integer("007"), Some("7".into()));
        assert_eq!(decimal_integer("0"), Some("0".into()));
        assert_eq!(decimal_integer("5432u16"), None);
        assert_eq!(decimal_integer("0x10"), None);
    }
}
