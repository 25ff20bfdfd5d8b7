//! libpq's key/value syntax (`conninfo_parse` in `fe-connect.c`).

use super::LIBPQ_KEYWORDS;
use super::{
    did_you_mean, is_libpq_keyword, ConnInfo, Dialect, Param, ParamSource, ParseError, Syntax,
};

/// C's `isspace` in the C locale, which is what libpq's parser uses.
pub(crate) fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

pub(crate) fn parse(text: &str) -> Result<ConnInfo, ParseError> {
    let b = text.as_bytes();
    let mut params = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if is_c_space(b[i]) {
            i += 1;
            continue;
        }
        // Keyword: up to '=' or whitespace.
        let key_start = i;
        while i < b.len() && b[i] != b'=' && !is_c_space(b[i]) {
            i += 1;
        }
        let key_end = i;
        while i < b.len() && is_c_space(b[i]) {
            i += 1;
        }
        let keyword = &text[key_start..key_end];
        if i >= b.len() || b[i] != b'=' {
            return Err(ParseError {
                message: format!("missing \"=\" after \"{keyword}\" in connection info string"),
                span: key_start..key_end,
                suggestion: None,
            });
        }
        i += 1;
        while i < b.len() && is_c_space(b[i]) {
            i += 1;
        }
        let value_start = i;
        let mut value = Vec::new();
        if i < b.len() && b[i] == b'\'' {
            i += 1;
            loop {
                if i >= b.len() {
                    return Err(ParseError {
                        message: "unterminated quoted string in connection info string".into(),
                        span: value_start..b.len(),
                        suggestion: None,
                    });
                }
                match b[i] {
                    b'\\' => {
                        i += 1;
                        if i < b.len() {
                            value.push(b[i]);
                            i += 1;
                        }
                    }
                    b'\'' => {
                        i += 1;
                        break;
                    }
                    c => {
                        value.push(c);
                        i += 1;
                    }
                }
            }
        } else {
            while i < b.len() && !is_c_space(b[i]) {
                if b[i] == b'\\' {
                    i += 1;
                    if i < b.len() {
                        value.push(b[i]);
                        i += 1;
                    }
                } else {
                    value.push(b[i]);
                    i += 1;
                }
            }
        }
        let value_end = i;
        if !is_libpq_keyword(keyword) && keyword != "requiressl" {
            return Err(ParseError {
                message: format!("invalid connection option \"{keyword}\""),
                span: key_start..key_end,
                suggestion: did_you_mean(keyword, LIBPQ_KEYWORDS),
            });
        }
        params.push(Param {
            keyword: keyword.to_string(),
            value: String::from_utf8_lossy(&value).into_owned(),
            span: key_start..value_end,
            value_span: value_start..value_end,
            source: ParamSource::KeyValue,
            known: true,
        });
    }
    Ok(ConnInfo {
        syntax: Syntax::KeyValue,
        dialect: Dialect::Libpq,
        params,
        uri_hosts: Vec::new(),
        query: None,
        len: text.len(),
    })
}
