//! libpq's `conninfo_uri_decode`: percent-decoding of URI components, byte for byte.

/// Why a URI component could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecodeError {
    /// `%` not followed by two hex digits.
    BadToken,
    /// `%00`, which libpq forbids.
    Nul,
}

/// Percent-decodes `raw` exactly as libpq 17 does: `%XX` with two hex digits (either case)
/// becomes that byte, `%00` is refused, everything else is copied (spaces and `+` included).
pub(crate) fn uri_decode(raw: &str) -> Result<String, DecodeError> {
    let bytes = raw.as_bytes();
    if !bytes.contains(&b'%') {
        return Ok(raw.to_string());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let hi = bytes.get(i + 1).and_then(|b| hex(*b));
        let lo = bytes.get(i + 2).and_then(|b| hex(*b));
        match (hi, lo) {
            (Some(h), Some(l)) => {
                let c = (h << 4) | l;
                if c == 0 {
                    return Err(DecodeError::Nul);
                }
                out.push(c);
                i += 3;
            }
            _ => return Err(DecodeError::BadToken),
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The libpq error message for a failed decode of `raw`.
pub(crate) fn message(err: &DecodeError, raw: &str) -> String {
    match err {
        DecodeError::BadToken => format!("invalid percent-encoded token: \"{raw}\""),
        DecodeError::Nul => format!("forbidden value %00 in percent-encoded value: \"{raw}\""),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_libpq() {
        assert_eq!(uri_decode("a%20b").unwrap(), "a b");
        assert_eq!(uri_decode("%E2%9C%93").unwrap(), "✓");
        assert_eq!(uri_decode("a+b").unwrap(), "a+b");
        assert_eq!(uri_decode("%zz"), Err(DecodeError::BadToken));
        assert_eq!(uri_decode("%1"), Err(DecodeError::BadToken));
        assert_eq!(uri_decode("a%00b"), Err(DecodeError::Nul));
    }
}
