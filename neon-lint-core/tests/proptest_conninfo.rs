//! Property tests of the conninfo parser and of redaction.
//!
//! - any string parses or is rejected, never panics, and every span (parameters, values,
//!   hosts, ports, query, error) lies inside the input on char boundaries;
//! - `redact` masks every byte of every password libpq finds, in URIs (plain,
//!   percent-encoded, in the query, JDBC, SQLAlchemy) and key/value strings (plain with
//!   backslash escapes, quoted, spaces around `=`), and the password text is gone from
//!   the output;
//! - `append_param` gives a string that parses with the added parameter winning.
//!
//! The fuzz targets in `fuzz/` check the same things on unstructured input for longer.

use std::ops::Range;

use neon_lint_core::conninfo::{self, ConnInfo, ParamSource};
use neon_lint_core::redact::{redact, secret_spans};
use proptest::prelude::*;

/// Pieces that steer random strings into the parser's interesting paths.
const TOKENS: &[&str] = &[
    "postgresql://",
    "postgres://",
    "jdbc:postgresql://",
    "postgresql+asyncpg://",
    "host=",
    "hostaddr=",
    "dbname=",
    "user=",
    "password=",
    "sslmode=",
    "require",
    "options=",
    "-c search_path=x",
    "ssl=true",
    "requiressl=1",
    "ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech",
    "neondb",
    "alex",
    "p4ss",
    "'",
    "\\",
    "%",
    "%4",
    "%41",
    "%00",
    "%e2%9c%93",
    "%zz",
    "@",
    ":",
    "/",
    "?",
    "&",
    "=",
    "[",
    "]",
    "[::1]",
    ",",
    ":5432",
    " ",
    "  ",
    "\t",
    "\n",
    "\r",
    "\u{b}",
    "\u{c}",
    "é",
    "✓",
    "😀",
    "\0",
    "#",
    "+",
];

fn tokens() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..24).prop_map(|v| v.concat())
}

/// Any string: fully random, or assembled from parser-relevant tokens, or both mixed.
fn any_input() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        tokens(),
        (tokens(), any::<String>(), tokens()).prop_map(|(a, b, c)| format!("{a}{b}{c}")),
    ]
}

fn assert_span(s: &str, r: &Range<usize>, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        r.start <= r.end && r.end <= s.len(),
        "{} {:?} outside input of {} bytes: {:?}",
        what,
        r,
        s.len(),
        s
    );
    prop_assert!(
        s.is_char_boundary(r.start) && s.is_char_boundary(r.end),
        "{} {:?} not on char boundaries: {:?}",
        what,
        r,
        s
    );
    Ok(())
}

fn check_spans(s: &str, info: &ConnInfo) -> Result<(), TestCaseError> {
    prop_assert!(info.len <= s.len());
    for p in &info.params {
        assert_span(s, &p.span, "param span")?;
        assert_span(s, &p.value_span, "value span")?;
        prop_assert!(p.span.start <= p.value_span.start && p.value_span.end <= p.span.end);
    }
    for h in &info.uri_hosts {
        assert_span(s, &h.name_span, "host span")?;
        if let Some(ps) = &h.port_span {
            assert_span(s, ps, "port span")?;
        }
    }
    if let Some(q) = &info.query {
        assert_span(s, q, "query span")?;
    }
    Ok(())
}

/// The bytes redaction must mask: the value's text, inside the quotes of a quoted key/value
/// value (the quotes are syntax).
fn inner(s: &str, source: ParamSource, span: Range<usize>) -> Range<usize> {
    let v = &s[span.clone()];
    if source == ParamSource::KeyValue && v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        span.start + 1..span.end - 1
    } else {
        span
    }
}

/// Every password libpq finds in `s` is inside a masked span, and (when the password text
/// occurs nowhere else in `s` and has no `*`) absent from `redact(s)`. The second check is
/// sound: the redacted text is pieces of `s` that avoid the masked spans joined by `****`,
/// so a `*`-free password in it lies in one piece, which would be a substring of `s` with
/// the password spans blanked.
fn check_redacted(s: &str, info: &ConnInfo) -> Result<(), TestCaseError> {
    let masked = secret_spans(s);
    let redacted = redact(s);
    let mut blanked = s.as_bytes().to_vec();
    for p in info.password_params() {
        let r = inner(s, p.source, p.value_span.clone());
        if r.is_empty() {
            continue;
        }
        prop_assert!(
            masked.iter().any(|m| m.start <= r.start && r.end <= m.end),
            "password bytes {:?} not masked in {:?} -> {:?}",
            r,
            s,
            redacted
        );
        blanked[r].fill(0);
    }
    let blanked = String::from_utf8_lossy(&blanked);
    for p in info.password_params() {
        let v = p.value.as_str();
        if v.is_empty() || v.contains('*') || blanked.contains(v) {
            continue;
        }
        prop_assert!(
            !redacted.contains(v),
            "password {:?} survives: {:?} -> {:?}",
            v,
            s,
            redacted
        );
    }
    Ok(())
}

// ---- generated connection strings with a known password ---------------------------------

/// Passwords: printable ASCII (every URI and key/value metacharacter included) or any
/// Unicode; never NUL (libpq reads C strings) and at least 4 bytes.
fn password() -> impl Strategy<Value = String> {
    prop_oneof![
        "[ -~]{4,24}",
        "[a-zA-Z0-9]{4,24}",
        any::<String>().prop_filter("no NUL, 4+ bytes", |s| !s.contains('\0') && s.len() >= 4),
    ]
}

/// How a password is written into a URI.
#[derive(Debug, Clone, Copy)]
enum UriEncoding {
    /// Only what libpq needs (`%`, `@`, `/`, and `&`/`=` in a query).
    Minimal,
    /// Every byte as `%XX`.
    Full,
    /// Every byte as `%xx` (lowercase hex).
    FullLower,
    /// Each byte encoded or not by a coin flip (needed ones always).
    Mixed(u64),
}

fn uri_encoding() -> impl Strategy<Value = UriEncoding> {
    prop_oneof![
        Just(UriEncoding::Minimal),
        Just(UriEncoding::Full),
        Just(UriEncoding::FullLower),
        any::<u64>().prop_map(UriEncoding::Mixed),
    ]
}

fn percent_encode(pw: &str, enc: UriEncoding, in_query: bool) -> String {
    let mut out = String::new();
    let mut bits = match enc {
        UriEncoding::Mixed(b) => b,
        _ => 0,
    };
    for &b in pw.as_bytes() {
        let needed = matches!(b, b'%' | b'@' | b'/') || (in_query && matches!(b, b'&' | b'='));
        let coin = bits & 1 == 1;
        bits = bits.rotate_right(1);
        let encode = needed
            || !b.is_ascii()
            || match enc {
                UriEncoding::Minimal => false,
                UriEncoding::Full | UriEncoding::FullLower => true,
                UriEncoding::Mixed(_) => coin,
            };
        if encode {
            if matches!(enc, UriEncoding::FullLower) {
                out.push_str(&format!("%{b:02x}"));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(b as char);
        }
    }
    out
}

/// libpq key/value, unquoted: backslash escapes whitespace, quotes and backslashes.
fn kv_unquoted(pw: &str) -> String {
    let mut out = String::new();
    for c in pw.chars() {
        if c == '\\' || c == '\'' || (c.is_ascii() && is_c_space(c as u8)) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// libpq key/value, quoted: `'...'` with `\'` and `\\`.
fn kv_quoted(pw: &str) -> String {
    let mut out = String::from("'");
    for c in pw.chars() {
        if c == '\\' || c == '\'' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

fn is_c_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

const HOST: &str = "ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech";

/// A connection string holding `pw` in one of the forms users write.
fn with_password(pw: &str, form: u8, enc: UriEncoding) -> String {
    match form % 9 {
        0 => format!(
            "postgresql://alex:{}@{HOST}/neondb?sslmode=require",
            percent_encode(pw, enc, false)
        ),
        1 => format!("postgres://alex:{}@{HOST}", percent_encode(pw, enc, false)),
        2 => format!(
            "postgresql://{HOST}/neondb?user=alex&password={}&sslmode=require",
            percent_encode(pw, enc, true)
        ),
        3 => format!(
            "jdbc:postgresql://{HOST}/neondb?user=alex&password={}",
            percent_encode(pw, enc, true)
        ),
        4 => format!(
            "postgresql+asyncpg://alex:{}@{HOST}/neondb?ssl=require",
            percent_encode(pw, enc, false)
        ),
        5 => format!(
            "host={HOST} user=alex password={} dbname=neondb",
            kv_unquoted(pw)
        ),
        6 => format!(
            "host={HOST} user=alex password={} dbname=neondb",
            kv_quoted(pw)
        ),
        7 => format!("password = {} host={HOST}", kv_quoted(pw)),
        _ => format!("dbname=neondb password={}", kv_unquoted(pw)),
    }
}

/// How a URI sits in a line of a file: (text before, text after).
fn context(ctx: u8) -> (&'static str, &'static str) {
    match ctx % 7 {
        0 => ("DATABASE_URL=", ""),
        1 => ("DATABASE_URL=\"", "\"\n"),
        2 => ("  url: ", "  # production"),
        3 => ("let pool = connect(\"", "\").await?;"),
        4 => ("sqlalchemy.url = ", "\nother = 1"),
        5 => ("export DATABASE_URL='", "'; sqlx migrate run"),
        _ => ("see <", "> for the database"),
    }
}

/// A URI holding `pw` written into a line of a file, with the byte range of the password's
/// text. Characters that would end the URL in such a line (whitespace, quotes, `<>`) are
/// percent-encoded, as a working URL in a file has them.
fn embedded(pw: &str, form: u8, enc: UriEncoding, ctx: u8) -> (String, Range<usize>) {
    let in_query = form % 3 == 2;
    let mut raw = String::new();
    for c in pw.chars() {
        if c.is_ascii_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>') {
            raw.push_str(&format!("%{:02X}", c as u32));
        } else {
            raw.push_str(&percent_encode(c.encode_utf8(&mut [0; 4]), enc, in_query));
        }
    }
    let (before, after) = match form % 3 {
        0 => (
            "postgresql://alex:".to_string(),
            format!("@{HOST}/neondb?sslmode=require"),
        ),
        1 => ("postgres://alex:".to_string(), format!("@{HOST}")),
        _ => (
            format!("postgresql://{HOST}/neondb?user=alex&password="),
            "&sslmode=require".to_string(),
        ),
    };
    let (cb, ca) = context(ctx);
    let start = cb.len() + before.len();
    (
        format!("{cb}{before}{raw}{after}{ca}"),
        start..start + raw.len(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Any string parses or is rejected (no panic), with every span inside the input on
    /// char boundaries.
    #[test]
    fn parses_or_rejects_with_sound_spans(s in any_input()) {
        match conninfo::parse(&s) {
            Ok(info) => check_spans(&s, &info)?,
            Err(e) => {
                assert_span(&s, &e.span, "error span")?;
                prop_assert!(!e.message.is_empty());
            }
        }
    }

    /// Whatever the string, every password libpq finds in it is masked.
    #[test]
    fn redaction_masks_every_password_found(s in any_input()) {
        let _ = redact(&s);
        for m in secret_spans(&s) {
            assert_span(&s, &m, "secret span")?;
        }
        if let Ok(info) = conninfo::parse(&s) {
            check_redacted(&s, &info)?;
        }
    }

    /// A random password written in every form (URI userinfo, query, JDBC, SQLAlchemy,
    /// key/value plain or quoted; percent-encoded minimally, fully, or partly) is found by
    /// the parser and gone from the redacted text.
    #[test]
    fn redaction_removes_generated_passwords(
        pw in password(),
        form in any::<u8>(),
        enc in uri_encoding(),
    ) {
        let s = with_password(&pw, form, enc);
        let info = conninfo::parse(&s)
            .map_err(|e| TestCaseError::fail(format!("{s:?} does not parse: {e}")))?;
        let found: Vec<&str> = info.password_params().map(|p| p.value.as_str()).collect();
        prop_assert_eq!(found, vec![pw.as_str()], "generator wrote {:?}", s);
        check_redacted(&s, &info)?;
    }

    /// The same passwords in URIs written inside a line of a file (`.env`, YAML, code,
    /// docs), where the line as a whole is no connection string: redaction must still mask
    /// every byte of the password's text and the password must be gone.
    #[test]
    fn redaction_removes_passwords_of_embedded_uris(
        pw in password(),
        form in any::<u8>(),
        enc in uri_encoding(),
        ctx in any::<u8>(),
    ) {
        let (s, span) = embedded(&pw, form, enc, ctx);
        let masked = secret_spans(&s);
        let redacted = redact(&s);
        prop_assert!(
            masked.iter().any(|m| m.start <= span.start && span.end <= m.end),
            "password text {:?} not masked: {:?} -> {:?}",
            &s[span.clone()],
            s,
            redacted
        );
        let mut blanked = s.as_bytes().to_vec();
        blanked[span].fill(0);
        if !pw.contains('*') && !String::from_utf8_lossy(&blanked).contains(pw.as_str()) {
            prop_assert!(!redacted.contains(pw.as_str()), "{:?} -> {:?}", s, redacted);
        }
    }

    /// `append_param` output parses, and the added parameter is the one libpq uses.
    #[test]
    fn append_param_reparses(s in any_input(), value in "[a-z-]{1,12}") {
        if let Ok(info) = conninfo::parse(&s) {
            let (at, insert) = info.append_param(&s, "sslmode", &value);
            prop_assert!(at <= s.len() && s.is_char_boundary(at));
            let mut out = s.clone();
            out.insert_str(at, &insert);
            let again = conninfo::parse(&out)
                .map_err(|e| TestCaseError::fail(format!("{s:?} -> {out:?}: {e}")))?;
            prop_assert_eq!(again.value("sslmode"), Some(value.clone()), "{:?} -> {:?}", s, out);
        }
    }

    /// Same, on generated connection strings with passwords (realistic inputs).
    #[test]
    fn append_param_reparses_generated(
        pw in password(),
        form in any::<u8>(),
        enc in uri_encoding(),
    ) {
        let s = with_password(&pw, form, enc);
        let info = conninfo::parse(&s).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (at, insert) = info.append_param(&s, "application_name", "neon-lint");
        let mut out = s.clone();
        out.insert_str(at, &insert);
        let again = conninfo::parse(&out)
            .map_err(|e| TestCaseError::fail(format!("{s:?} -> {out:?}: {e}")))?;
        prop_assert_eq!(again.value("application_name"), Some("neon-lint".to_string()));
        prop_assert_eq!(again.value("password"), Some(pw.clone()));
    }
}
