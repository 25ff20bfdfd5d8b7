//! A connection-string model that parses exactly what libpq's `PQconninfoParse` parses.
//!
//! libpq is the reference: every accept/reject decision and every decoded value follows
//! `fe-connect.c` (libpq 17), and `tests/conformance.rs` checks the parser against what real
//! libpq made of the vectors in `tests/data/libpq-conninfo.jsonl`. On top of libpq's two forms
//! (URI and key/value) the model recognises the wrappers users write around them: SQLAlchemy's
//! `postgresql+driver://` and JDBC's `jdbc:postgresql://`. Every parameter keeps the byte span
//! of its text in the input, so diagnostics can point at `sslmode=disable` and fixes can edit
//! exactly there.

mod decode;
pub mod keywords;
mod kv;
mod uri;

use std::collections::BTreeMap;
use std::ops::Range;

pub use keywords::{did_you_mean, is_libpq_keyword, LIBPQ_KEYWORDS, SSLMODES};

/// How many hosts of a host list the model keeps (libpq has no limit).
///
/// Every host costs a [`HostSpec`] and a classification; a `.env` of 8 million commas took
/// gigabytes. No real configuration lists a thousand hosts: the rest of the list is still
/// parsed (and must be valid), but only the first `MAX_HOSTS` are kept and judged, and
/// [`ConnInfo::host_count`] says how many there were, so callers can say so.
pub const MAX_HOSTS: usize = 1000;

/// Which of libpq's two syntaxes the string uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// `postgresql://...` (and the wrappers below).
    Uri,
    /// `host=... dbname=...`.
    KeyValue,
}

/// Who reads the string: libpq itself, or a wrapper with its own rules for the query part.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dialect {
    /// `postgresql://`, `postgres://` or key/value: libpq's rules, unknown keywords are errors.
    Libpq,
    /// SQLAlchemy `postgresql+<driver>://`: the query goes to the DBAPI driver as keyword
    /// arguments, so unknown keys are the driver's business, not libpq's.
    SqlAlchemy {
        /// The DBAPI driver after the `+` (`asyncpg`, `psycopg2`, `psycopg`...).
        driver: String,
    },
    /// `jdbc:postgresql://`: pgjdbc properties (`user`, `password`, `ssl`, `sslmode`...);
    /// pgjdbc ignores properties it does not know.
    Jdbc,
}

/// Where in the string a parameter was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamSource {
    /// URI user name (`postgresql://user@`).
    UriUser,
    /// URI password (`postgresql://user:password@`).
    UriPassword,
    /// URI host list (`@host1,host2/`).
    UriHost,
    /// URI port list.
    UriPort,
    /// URI path (`/dbname`).
    UriDbname,
    /// URI query parameter (`?key=value`).
    Query,
    /// Key/value pair (`key=value`).
    KeyValue,
}

/// One parameter as written in the string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// The keyword after percent-decoding, as written (before libpq's `requiressl` and
    /// JDBC-compatible `ssl=true` translations, which [`ConnInfo::libpq_params`] applies).
    pub keyword: String,
    /// The value after percent-decoding (URI) or unquoting (key/value). Bytes that are not
    /// UTF-8 are replaced with U+FFFD.
    pub value: String,
    /// The whole parameter's text: `key=value` for query and key/value parameters, the
    /// component itself for URI parts.
    pub span: Range<usize>,
    /// The value's text, quotes included for quoted key/value values.
    pub value_span: Range<usize>,
    /// Where it was written.
    pub source: ParamSource,
    /// Whether libpq knows the keyword. Only wrappers (SQLAlchemy, JDBC) keep unknown ones.
    pub known: bool,
}

/// One host of a URI host list, with its port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSpec {
    /// Decoded host name (IPv6 brackets removed). Empty when the URI gives none.
    pub name: String,
    /// The host's text in the input (inside brackets for IPv6).
    pub name_span: Range<usize>,
    /// Decoded port, when one was written after `:`.
    pub port: Option<String>,
    /// The port's text (after the `:`).
    pub port_span: Option<Range<usize>>,
}

/// A parsed connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnInfo {
    /// URI or key/value.
    pub syntax: Syntax,
    /// libpq, SQLAlchemy or JDBC.
    pub dialect: Dialect,
    /// Every parameter in the order written; a later one with the same keyword wins.
    pub params: Vec<Param>,
    /// URI host list with spans (empty for key/value strings: their hosts are in `host=`).
    pub uri_hosts: Vec<HostSpec>,
    /// URI: the span of the query text after `?`, when there is a `?`.
    pub query: Option<Range<usize>>,
    /// Length of the parsed text (the whole input).
    pub len: usize,
}

/// libpq's rejection of a string, with the byte span at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// libpq's own wording (without the `invalid dsn: ` prefix psycopg2 adds).
    pub message: String,
    /// The part of the input at fault.
    pub span: Range<usize>,
    /// For unknown keywords: the closest keyword libpq knows.
    pub suggestion: Option<&'static str>,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// The URI prefixes libpq recognises (case-sensitive, as libpq compares them).
const URI_PREFIXES: [&str; 2] = ["postgresql://", "postgres://"];
const JDBC_PREFIX: &str = "jdbc:postgresql://";
const SQLALCHEMY_SCHEME: &str = "postgresql+";

/// Parses a connection string the way libpq does, recognising SQLAlchemy and JDBC wrappers.
///
/// ```
/// use neon_lint_core::conninfo::parse;
/// let info = parse("postgresql://alex@ep-x-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require").unwrap();
/// assert_eq!(info.get("sslmode").unwrap().value, "require");
/// assert!(parse("host=h sslmode").is_err());
/// ```
pub fn parse(text: &str) -> Result<ConnInfo, ParseError> {
    // libpq's error texts quote the input (a percent-encoding error quotes the password
    // itself): a message built from input is redacted like every other output.
    parse_unredacted(text).map_err(|mut e| {
        e.message = crate::redact::KnownSecrets::of(text).redact(&e.message);
        e
    })
}

/// `s` percent-decoded as libpq decodes URI components, when it holds a valid escape and
/// decodes to text (None otherwise, or when there is nothing to decode).
pub fn percent_decode_lossy(s: &str) -> Option<String> {
    if !s.contains('%') {
        return None;
    }
    decode::uri_decode(s).ok().filter(|d| d != s)
}

/// [`parse`] with libpq's error texts as libpq writes them (they may quote a password). For
/// the redactor only, which needs the parse to find the secrets it then masks.
pub(crate) fn parse_unredacted(text: &str) -> Result<ConnInfo, ParseError> {
    parse_accepting(text, &|_| false)
}

/// Parses `text` as `reader` reads it: libpq's syntax, with the query parameters `reader`
/// accepts beyond libpq's kept as unknown parameters (`known == false`) instead of errors.
/// Errors are redacted as in [`parse`].
pub fn parse_for(text: &str, reader: crate::reader::Reader) -> Result<ConnInfo, ParseError> {
    parse_accepting(text, &|k| reader.owns(k)).map_err(|mut e| {
        e.message = crate::redact::KnownSecrets::of(text).redact(&e.message);
        e
    })
}

/// The string with every query parameter libpq does not know kept as an unknown one: what
/// the other rules still judge when only an unknown parameter made the parse fail (a
/// committed password stays a committed password beside a typo).
pub fn parse_recovering(text: &str) -> Option<ConnInfo> {
    parse_accepting(text, &|_| true).ok()
}

fn parse_accepting(text: &str, foreign: &dyn Fn(&str) -> bool) -> Result<ConnInfo, ParseError> {
    // libpq reads a C string: anything after a NUL byte does not exist for it.
    let text = match memchr_nul(text) {
        Some(nul) => &text[..nul],
        None => text,
    };
    if let Some(prefix) = URI_PREFIXES.iter().find(|p| text.starts_with(**p)) {
        return uri::parse(text, prefix.len(), Dialect::Libpq, foreign);
    }
    if text.starts_with(JDBC_PREFIX) {
        return uri::parse(text, JDBC_PREFIX.len(), Dialect::Jdbc, foreign);
    }
    if let Some(rest) = text.strip_prefix(SQLALCHEMY_SCHEME) {
        if let Some(end) = rest.find("://") {
            let driver = &rest[..end];
            if !driver.is_empty()
                && driver
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            {
                let dialect = Dialect::SqlAlchemy {
                    driver: driver.to_string(),
                };
                return uri::parse(text, SQLALCHEMY_SCHEME.len() + end + 3, dialect, foreign);
            }
        }
    }
    kv::parse(text)
}

/// Whether libpq would read `text` as a URI (and not as key/value pairs).
pub fn has_uri_prefix(text: &str) -> bool {
    URI_PREFIXES.iter().any(|p| text.starts_with(p))
}

fn memchr_nul(text: &str) -> Option<usize> {
    text.bytes().position(|b| b == 0)
}

impl ConnInfo {
    /// The parameter libpq would use for `keyword`: the last one written. Applies libpq's
    /// `requiressl` and `ssl=true` translations when `keyword` is `sslmode`.
    pub fn get(&self, keyword: &str) -> Option<&Param> {
        self.params
            .iter()
            .rev()
            .find(|p| p.keyword == keyword || (keyword == "sslmode" && self.is_sslmode_alias(p)))
    }

    /// The value libpq would use for `keyword`, with libpq's translations applied.
    pub fn value(&self, keyword: &str) -> Option<String> {
        let p = self.get(keyword)?;
        if keyword == "sslmode" && p.keyword != "sslmode" {
            return Some(translate_sslmode_alias(p).to_string());
        }
        Some(p.value.clone())
    }

    /// Every parameter written for `keyword`, in order (to find conflicting duplicates).
    pub fn all<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Param> + 'a {
        self.params.iter().filter(move |p| p.keyword == keyword)
    }

    /// The keyword -> value map `PQconninfoParse` reports (for the libpq dialect; for wrappers,
    /// the libpq-known part of it), passwords included: callers that print it must redact.
    pub fn libpq_params(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for p in &self.params {
            if !p.known {
                continue;
            }
            if self.is_sslmode_alias(p) {
                out.insert(
                    "sslmode".to_string(),
                    translate_sslmode_alias(p).to_string(),
                );
            } else {
                out.insert(p.keyword.clone(), p.value.clone());
            }
        }
        out
    }

    /// The host names libpq would try, in order (`host=` split on commas, or the URI hosts
    /// unless a query `host=` overrides them).
    ///
    /// At most [`MAX_HOSTS`] of them.
    pub fn hosts(&self) -> Vec<String> {
        match self.get("host") {
            Some(p) if !p.value.is_empty() => p
                .value
                .split(',')
                .take(MAX_HOSTS)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// How many hosts the string lists (all of them, also past [`MAX_HOSTS`]).
    pub fn host_count(&self) -> usize {
        match self.get("host") {
            Some(p) if !p.value.is_empty() => p.value.bytes().filter(|&b| b == b',').count() + 1,
            _ => 0,
        }
    }

    /// The password parameters written in the string (a later one wins, but every one is a
    /// secret to redact).
    pub fn password_params(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| p.keyword == "password")
    }

    fn is_sslmode_alias(&self, p: &Param) -> bool {
        p.keyword == "requiressl"
            || (p.keyword == "ssl" && p.source == ParamSource::Query && p.value == "true")
    }

    /// Where to insert a new parameter, and the text to insert for `key=value`: the end of
    /// the string (for key/value: right after the last parameter), with the separator this
    /// syntax needs. The result parses, the other parameters keep their values, and the new
    /// one is the last written (so it is the one libpq uses).
    pub fn append_param(&self, text: &str, key: &str, value: &str) -> (usize, String) {
        let end = self.len;
        match self.syntax {
            Syntax::KeyValue => {
                let Some(last) = self.params.last() else {
                    // Nothing but whitespace: put the parameter first.
                    return (0, format!("{key}={value}"));
                };
                let raw = &text[last.value_span.clone()];
                // A trailing `\` that escapes nothing is dropped by libpq; a space written
                // after it would be escaped. Insert before it: it then trails the new value
                // and is still dropped.
                let dangling = !raw.starts_with('\'') && ends_with_dangling_backslash(raw);
                let at = last.span.end - usize::from(dangling);
                if raw.len() == usize::from(dangling) {
                    // `host=` at the end: libpq skips the whitespace after `=`, so the new
                    // parameter would become the value. Write the empty value as `''`.
                    (at, format!("'' {key}={value}"))
                } else {
                    // Right after the value: trailing whitespace may be escaped (`a\ `) and
                    // belong to it; whatever follows stays after the new parameter.
                    (at, format!(" {key}={value}"))
                }
            }
            Syntax::Uri => {
                let insert = match &self.query {
                    None => format!("?{key}={value}"),
                    Some(q) if q.is_empty() || text[..end].ends_with('&') => {
                        format!("{key}={value}")
                    }
                    Some(_) => format!("&{key}={value}"),
                };
                (end, insert)
            }
        }
    }
}

/// Whether an unquoted key/value value ends in a backslash that escapes nothing.
fn ends_with_dangling_backslash(raw: &str) -> bool {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            if i + 1 == b.len() {
                return true;
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    false
}

fn translate_sslmode_alias(p: &Param) -> &'static str {
    if p.keyword == "ssl" || p.value.starts_with('1') {
        "require"
    } else {
        "prefer"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_host_list_keeps_max_hosts_and_counts_the_rest() {
        // Issue 18, item 13: 8 million commas took gigabytes, one record per host.
        let n = 100_000;
        let s = format!("postgresql://u@{}h:5432/db", "a:1,".repeat(n));
        let info = parse(&s).unwrap();
        assert_eq!(info.uri_hosts.len(), MAX_HOSTS);
        assert_eq!(info.hosts().len(), MAX_HOSTS);
        assert_eq!(info.host_count(), n + 1);
        // The host and port parameters still span the whole list.
        let host = info.get("host").unwrap();
        assert_eq!(host.span.end, s.find(":5432").unwrap());
        assert_eq!(info.get("port").unwrap().span.end, s.find("/db").unwrap());
        let kv = parse(&format!("host={} sslmode=require", ",".repeat(n))).unwrap();
        assert_eq!(kv.hosts().len(), MAX_HOSTS);
        assert_eq!(kv.host_count(), n + 1);
    }

    #[test]
    fn spans_point_at_parameters() {
        let s = "postgresql://u:pw@ep-a-1.us-east-2.aws.neon.tech:5432/neondb?sslmode=disable";
        let info = parse(s).unwrap();
        let p = info.get("sslmode").unwrap();
        assert_eq!(&s[p.span.clone()], "sslmode=disable");
        assert_eq!(&s[p.value_span.clone()], "disable");
        let pw = info.get("password").unwrap();
        assert_eq!(&s[pw.value_span.clone()], "pw");
        assert_eq!(
            &s[info.uri_hosts[0].name_span.clone()],
            "ep-a-1.us-east-2.aws.neon.tech"
        );
        assert_eq!(&s[info.uri_hosts[0].port_span.clone().unwrap()], "5432");
    }

    #[test]
    fn kv_spans_include_quotes() {
        let s = "host=h password='a b' sslmode=require";
        let info = parse(s).unwrap();
        let pw = info.get("password").unwrap();
        assert_eq!(&s[pw.value_span.clone()], "'a b'");
        assert_eq!(pw.value, "a b");
    }

    #[test]
    fn wrappers_record_driver() {
        let info = parse("postgresql+asyncpg://u@h/db?ssl=require&prepared_statement_cache_size=0")
            .unwrap();
        assert_eq!(
            info.dialect,
            Dialect::SqlAlchemy {
                driver: "asyncpg".into()
            }
        );
        assert_eq!(info.get("ssl").unwrap().value, "require");
        let jdbc = parse("jdbc:postgresql://h/db?user=alex&password=x&sslmode=require").unwrap();
        assert_eq!(jdbc.dialect, Dialect::Jdbc);
        assert_eq!(jdbc.get("user").unwrap().value, "alex");
    }

    #[test]
    fn append_param_uses_the_right_separator() {
        for (s, want) in [
            ("postgresql://h/db", "postgresql://h/db?sslmode=require"),
            ("postgresql://h/db?", "postgresql://h/db?sslmode=require"),
            (
                "postgresql://h/db?user=b",
                "postgresql://h/db?user=b&sslmode=require",
            ),
            (
                "postgresql://h/db?user=b&",
                "postgresql://h/db?user=b&sslmode=require",
            ),
            ("host=h dbname=d", "host=h dbname=d sslmode=require"),
            ("host=h dbname=d  ", "host=h dbname=d sslmode=require  "),
            ("host=h dbname=", "host=h dbname='' sslmode=require"),
            ("host=h dbname= ", "host=h dbname= '' sslmode=require"),
            (
                "host=h password=a\\ ",
                "host=h password=a\\  sslmode=require",
            ),
            ("host=h password=a\\", "host=h password=a sslmode=require\\"),
            ("host=h password=\\", "host=h password='' sslmode=require\\"),
            (
                "host=h password='a b'",
                "host=h password='a b' sslmode=require",
            ),
            (
                "host=h application_name=a\u{a0}",
                "host=h application_name=a\u{a0} sslmode=require",
            ),
            ("  ", "sslmode=require  "),
        ] {
            let info = parse(s).unwrap();
            let (at, ins) = info.append_param(s, "sslmode", "require");
            let mut out = s.to_string();
            out.insert_str(at, &ins);
            assert_eq!(out, want);
            assert_eq!(parse(&out).unwrap().value("sslmode").unwrap(), "require");
        }
    }
}
