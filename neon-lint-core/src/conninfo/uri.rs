//! libpq's URI syntax (`conninfo_uri_parse_options` and `conninfo_uri_parse_params` in
//! `fe-connect.c`), followed byte for byte, with spans kept.

use std::ops::Range;

use super::decode::{message, uri_decode};
use super::{
    did_you_mean, is_libpq_keyword, ConnInfo, Dialect, HostSpec, Param, ParamSource, ParseError,
    Syntax, LIBPQ_KEYWORDS, MAX_HOSTS,
};

fn err(message: String, span: Range<usize>) -> ParseError {
    ParseError {
        message,
        span,
        suggestion: None,
    }
}

fn decode(text: &str, span: Range<usize>) -> Result<String, ParseError> {
    let raw = &text[span.clone()];
    uri_decode(raw).map_err(|e| err(message(&e, raw), span))
}

/// [`decode`] for a password: libpq's message would quote the raw password; ours shows the
/// mask in its place, whatever its length.
fn decode_secret(text: &str, span: Range<usize>) -> Result<String, ParseError> {
    uri_decode(&text[span.clone()]).map_err(|e| err(message(&e, crate::redact::MASK), span))
}

/// Parses `text`, whose scheme ends at byte `start`.
///
/// `foreign` says which query parameters libpq does not know the reader of the string
/// accepts as its own (Prisma's `pgbouncer`, sqlx's `options[...]`): they are kept as
/// unknown parameters instead of failing the parse.
pub(crate) fn parse(
    text: &str,
    start: usize,
    dialect: Dialect,
    foreign: &dyn Fn(&str) -> bool,
) -> Result<ConnInfo, ParseError> {
    let b = text.as_bytes();
    let len = b.len();
    let at = |i: usize| -> u8 {
        if i < len {
            b[i]
        } else {
            0
        }
    };
    let mut params = Vec::new();

    // Credentials: libpq looks ahead for '@' before the first '/'.
    let mut p = start;
    while p < len && b[p] != b'@' && b[p] != b'/' {
        p += 1;
    }
    if at(p) == b'@' {
        let user_start = start;
        let mut q = user_start;
        while b[q] != b':' && b[q] != b'@' {
            q += 1;
        }
        if q > user_start {
            let value = decode(text, user_start..q)?;
            params.push(uri_param(
                "user",
                value,
                user_start..q,
                ParamSource::UriUser,
            ));
        }
        if b[q] == b':' {
            let pw_start = q + 1;
            q = pw_start;
            while b[q] != b'@' {
                q += 1;
            }
            if q > pw_start {
                let value = decode_secret(text, pw_start..q)?;
                params.push(uri_param(
                    "password",
                    value,
                    pw_start..q,
                    ParamSource::UriPassword,
                ));
            }
        }
        p = q + 1;
    } else {
        p = start;
    }

    // Host list: netloc[:port] separated by commas.
    let netloc_start = p;
    // The first MAX_HOSTS hosts with their spans; the list's last name, for its span.
    let mut hosts = Vec::new();
    let mut last_name_end;
    let mut last_port_end = None;
    let mut hostbuf = String::new();
    let mut portbuf = String::new();
    let mut prevchar;
    loop {
        let name_span;
        if at(p) == b'[' {
            let h = p + 1;
            p = h;
            while p < len && b[p] != b']' {
                p += 1;
            }
            if p >= len {
                return Err(err(
                    format!(
                        "end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"{text}\""
                    ),
                    h - 1..len,
                ));
            }
            if p == h {
                return Err(err(
                    format!("IPv6 host address may not be empty in URI: \"{text}\""),
                    h - 1..p + 1,
                ));
            }
            name_span = h..p;
            p += 1;
            let c = at(p);
            if c != 0 && c != b':' && c != b'/' && c != b'?' && c != b',' {
                let ch = text[p..].chars().next().unwrap_or('?');
                return Err(err(
                    format!(
                        "unexpected character \"{ch}\" at position {} in URI (expected \":\" or \"/\"): \"{text}\"",
                        p + 1
                    ),
                    p..p + ch.len_utf8(),
                ));
            }
        } else {
            let h = p;
            while p < len && !matches!(b[p], b':' | b'/' | b'?' | b',') {
                p += 1;
            }
            name_span = h..p;
        }
        hostbuf.push_str(&text[name_span.clone()]);
        prevchar = at(p);
        let mut port_span = None;
        if prevchar == b':' {
            p += 1;
            let ps = p;
            while p < len && !matches!(b[p], b'/' | b'?' | b',') {
                p += 1;
            }
            prevchar = at(p);
            portbuf.push_str(&text[ps..p]);
            port_span = Some(ps..p);
        }
        last_name_end = name_span.end;
        if let Some(ps) = &port_span {
            last_port_end = Some(ps.end);
        }
        if hosts.len() < MAX_HOSTS {
            hosts.push((name_span, port_span));
        }
        if prevchar != b',' {
            break;
        }
        p += 1;
        hostbuf.push(',');
        portbuf.push(',');
    }
    let netloc_end = p.min(len);
    if !hostbuf.is_empty() {
        let value = uri_decode(&hostbuf)
            .map_err(|e| err(message(&e, &hostbuf), netloc_start..netloc_end))?;
        let vspan = hosts.first().map(|(h, _)| h.start).unwrap_or(netloc_start)..last_name_end;
        params.push(uri_param("host", value, vspan, ParamSource::UriHost));
    }
    if !portbuf.is_empty() {
        let value = uri_decode(&portbuf)
            .map_err(|e| err(message(&e, &portbuf), netloc_start..netloc_end))?;
        let first = hosts.iter().find_map(|(_, ps)| ps.clone());
        let vspan = match (first, last_port_end) {
            (Some(f), Some(end)) => f.start..end,
            _ => netloc_start..netloc_end,
        };
        params.push(uri_param("port", value, vspan, ParamSource::UriPort));
    }
    let mut uri_hosts = Vec::with_capacity(hosts.len());
    for (name_span, port_span) in hosts {
        // Per-host decoding cannot fail once the joined list decoded; fall back to raw text.
        let name = uri_decode(&text[name_span.clone()])
            .unwrap_or_else(|_| text[name_span.clone()].to_string());
        let port = port_span.as_ref().map(|ps| {
            uri_decode(&text[ps.clone()]).unwrap_or_else(|_| text[ps.clone()].to_string())
        });
        uri_hosts.push(HostSpec {
            name,
            name_span,
            port,
            port_span,
        });
    }

    // Path: the database name, up to '?'.
    if prevchar != 0 && prevchar != b'?' {
        p += 1;
        let ds = p;
        while p < len && b[p] != b'?' {
            p += 1;
        }
        prevchar = at(p);
        if p > ds {
            let value = decode(text, ds..p)?;
            params.push(uri_param("dbname", value, ds..p, ParamSource::UriDbname));
        }
    }

    let mut query = None;
    if prevchar != 0 {
        p += 1;
        query = Some(p.min(len)..len);
        parse_query(text, p.min(len), &dialect, foreign, &mut params)?;
    }

    Ok(ConnInfo {
        syntax: Syntax::Uri,
        dialect,
        params,
        uri_hosts,
        query,
        len,
    })
}

fn uri_param(keyword: &str, value: String, span: Range<usize>, source: ParamSource) -> Param {
    Param {
        keyword: keyword.to_string(),
        value,
        span: span.clone(),
        value_span: span,
        source,
        known: true,
    }
}

/// `conninfo_uri_parse_params`: `key=value` pairs separated by `&`.
fn parse_query(
    text: &str,
    start: usize,
    dialect: &Dialect,
    foreign: &dyn Fn(&str) -> bool,
    params: &mut Vec<Param>,
) -> Result<(), ParseError> {
    let b = text.as_bytes();
    let len = b.len();
    let mut p = start;
    while p < len {
        let key_start = p;
        let mut eq: Option<usize> = None;
        loop {
            if p < len && b[p] == b'=' {
                if eq.is_some() {
                    let key = &text[key_start..eq.unwrap_or(p)];
                    return Err(err(
                        format!(
                            "extra key/value separator \"=\" in URI query parameter: \"{key}\""
                        ),
                        key_start..p + 1,
                    ));
                }
                eq = Some(p);
                p += 1;
            } else if p >= len || b[p] == b'&' {
                break;
            } else {
                p += 1;
            }
        }
        let end = p;
        if p < len {
            p += 1; // past '&'
        }
        let Some(eq) = eq else {
            let key = &text[key_start..end];
            return Err(err(
                format!("missing key/value separator \"=\" in URI query parameter: \"{key}\""),
                key_start..end,
            ));
        };
        let keyword = decode(text, key_start..eq)?;
        let value = if keyword == "password" {
            decode_secret(text, eq + 1..end)?
        } else {
            decode(text, eq + 1..end)?
        };
        let known = is_libpq_keyword(&keyword) || keyword == "requiressl";
        let ssl_alias = keyword == "ssl" && value == "true";
        if !known && !ssl_alias && *dialect == Dialect::Libpq && !foreign(&keyword) {
            return Err(ParseError {
                message: format!("invalid URI query parameter: \"{keyword}\""),
                span: key_start..eq,
                suggestion: did_you_mean(&keyword, LIBPQ_KEYWORDS),
            });
        }
        params.push(Param {
            keyword,
            value,
            span: key_start..end,
            value_span: eq + 1..end,
            source: ParamSource::Query,
            known: known || (ssl_alias && *dialect == Dialect::Libpq),
        });
    }
    Ok(())
}
