//! The one place that decides what is secret. Every renderer, message and log line that can
//! show user text goes through [`redact`] (or [`secret_spans`] to map spans around them).
//!
//! Redaction over-approximates on purpose: a `password_hint=` value shown as `****` costs
//! nothing; a password shown once is a leak.

use std::ops::Range;

use crate::conninfo::{self, ParamSource};

/// What a secret is replaced with, in every output format.
pub const MASK: &str = "****";

/// Byte ranges of everything secret in `text`: URI passwords, `password=` / `password:`
/// values (any key ending in `password`, e.g. `PGPASSWORD`), Neon password (`npg_...`) and
/// API key (`napi_...`) tokens. Sorted, merged, on char boundaries.
pub fn secret_spans(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    match conninfo::parse_unredacted(text) {
        Ok(info) => {
            for p in info.password_params() {
                spans.push(inner_value_span(text, p.source, p.value_span.clone()));
            }
        }
        Err(_) => spans.extend(whole_uri_password(text)),
    }
    uri_userinfo_passwords(text, &mut spans);
    keyed_passwords(text, &mut spans);
    prefixed_tokens(text, "npg_", 8, &mut spans);
    prefixed_tokens(text, "napi_", 16, &mut spans);
    merge(spans, text)
}

/// [`secret_spans`] for a whole file: each line that may hold one read as a connection
/// string of its own, URI passwords, keyed values (also on the line after their key) and
/// tokens. Sorted, merged, on char boundaries.
pub fn secret_spans_multiline(text: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        // Only a line with a URI or libpq's `password` keyword can have a password param.
        if body.contains("://") || body.contains("password") {
            if let Ok(info) = conninfo::parse_unredacted(body) {
                for p in info.password_params() {
                    let r = inner_value_span(body, p.source, p.value_span.clone());
                    spans.push(offset + r.start..offset + r.end);
                }
            }
        }
        offset += line.len();
    }
    uri_userinfo_passwords(text, &mut spans);
    keyed_passwords(text, &mut spans);
    prefixed_tokens(text, "npg_", 8, &mut spans);
    prefixed_tokens(text, "napi_", 16, &mut spans);
    merge(spans, text)
}

/// `text` with every secret span replaced by `****`.
///
/// ```
/// use neon_lint_core::redact::redact;
/// assert_eq!(
///     redact("postgresql://alex:AbC123dEf@ep-x.us-east-2.aws.neon.tech/db"),
///     "postgresql://alex:****@ep-x.us-east-2.aws.neon.tech/db"
/// );
/// assert_eq!(redact("host=h password='a b'"), "host=h password='****'");
/// ```
pub fn redact(text: &str) -> String {
    apply(text, &secret_spans(text))
}

/// Secrets shorter than this are masked only where they sit (by span), not wherever the
/// same characters occur in derived text: masking every `ab` of a message would garble it.
pub const MIN_WORD: usize = 4;

/// The secrets of some source text, to mask in text derived from it (an error message that
/// quotes the input, a value printed on its own, a line of a diff), where the redactor's
/// look at the derived text alone cannot tell what is secret.
#[derive(Debug, Clone, Default)]
pub struct KnownSecrets {
    words: Vec<String>,
}

impl KnownSecrets {
    /// The secrets [`secret_spans`] finds in `source`, as written and decoded.
    pub fn of(source: &str) -> KnownSecrets {
        let mut k = KnownSecrets::default();
        for s in secret_spans(source) {
            k.add(&source[s]);
        }
        k
    }

    /// Adds one secret, with its percent-decoded and backslash-unescaped forms.
    pub fn add(&mut self, secret: &str) {
        for form in [
            Some(secret.to_string()),
            crate::conninfo::percent_decode_lossy(secret),
            unescape(secret),
        ]
        .into_iter()
        .flatten()
        {
            // A word-like secret (`postgres` in `postgres:postgres@localhost`) is masked in
            // derived text only where the redactor sees it as a secret there: masked
            // wherever it occurs, it would turn `postgresql://` into `****ql://`.
            let word_like = form.chars().all(char::is_alphabetic) && form.chars().count() < 12;
            if form.chars().count() >= MIN_WORD
                && !word_like
                && form.bytes().any(|c| c != b'*')
                && !self.words.contains(&form)
            {
                self.words.push(form);
            }
        }
    }

    /// The secret strings known (at least [`MIN_WORD`] characters each).
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// `derived` redacted on its own and with every known secret masked wherever it occurs.
    pub fn redact(&self, derived: &str) -> String {
        let mut spans = secret_spans(derived);
        for w in &self.words {
            spans.extend(
                derived
                    .match_indices(w.as_str())
                    .map(|(i, _)| i..i + w.len()),
            );
        }
        apply(derived, &merge(spans, derived))
    }
}

/// `s` with backslash escapes (`\'`, `\\`, `\"`) resolved, when it has any.
fn unescape(s: &str) -> Option<String> {
    if !s.contains('\\') {
        return None;
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// Replaces `spans` (sorted, non-overlapping) of `text` with the mask.
pub fn apply(text: &str, spans: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for s in spans {
        if s.start < last || s.end > text.len() {
            continue;
        }
        out.push_str(&text[last..s.start]);
        out.push_str(MASK);
        last = s.end;
    }
    out.push_str(&text[last..]);
    out
}

/// A quoted key/value value keeps its quotes; only the inside is secret. In a URI, quotes
/// are password characters like any other (`postgresql://u:'pw'@h`) and are masked too.
fn inner_value_span(text: &str, source: ParamSource, span: Range<usize>) -> Range<usize> {
    let v = &text[span.clone()];
    if source == ParamSource::KeyValue && v.len() >= 2 && v.starts_with('\'') && v.ends_with('\'') {
        span.start + 1..span.end - 1
    } else {
        span
    }
}

/// The password of `text` read as one URI that libpq may reject: everything between the
/// first `:` of the userinfo and its last `@` before the first `/`, spaces and quotes
/// included (inside a whole value nothing delimits the URL but its own syntax). For a
/// string that is a connection string as a whole (an extracted value, `neon_url!`'s
/// literal), where [`uri_userinfo_passwords`] must stop at the first space of prose.
pub fn whole_uri_password(text: &str) -> Option<Range<usize>> {
    let lead = text.len() - text.trim_start().len();
    let body = &text[lead..];
    let scheme_end = body.find("://")?;
    // `postgresql`, `postgres`, `postgresql+asyncpg`, `jdbc:postgresql`: a scheme, not prose.
    let scheme = &body[..scheme_end];
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.' | b':'))
    {
        return None;
    }
    let start = lead + scheme_end + 3;
    let rest = &text[start..];
    let authority = &rest[..rest.find('/').unwrap_or(rest.len())];
    let at = authority.rfind('@')?;
    let colon = authority[..at].find(':')?;
    let pw = start + colon + 1..start + at;
    (!pw.is_empty()).then_some(pw)
}

fn uri_userinfo_passwords(text: &str, spans: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(rel) = text[from..].find("://") {
        let start = from + rel + 3;
        let mut end = start;
        // libpq looks for the userinfo `@` up to the first `/` only: `?` and `#` can be
        // password characters (`postgresql://u:a?b#c@h`), so they do not end the search.
        // Quotes, brackets and whitespace end it: they delimit the URL in the surrounding text.
        while end < b.len()
            && !matches!(b[end], b'/' | b'"' | b'\'' | b'`' | b'<' | b'>')
            && !b[end].is_ascii_whitespace()
        {
            end += 1;
        }
        if let Some(at) = text[start..end].rfind('@') {
            let userinfo = &text[start..start + at];
            if let Some(colon) = userinfo.find(':') {
                let pw = start + colon + 1..start + at;
                if !pw.is_empty() {
                    spans.push(pw);
                }
            }
        }
        from = start;
    }
}

/// Whether `key` names a credential: `password`, `PGPASSWORD`, `db_pass`, `PWD`, `passwd`,
/// `DATABASE_PASSWORD`... (the last word of the key, split at `_`, `-`, `.`).
pub fn is_credential_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    let last = lower.rsplit(['_', '-', '.']).next().unwrap_or("");
    lower.ends_with("password")
        || lower.ends_with("passwd")
        || matches!(last, "pass" | "pwd" | "passphrase")
}

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.')
}

/// Values of credential-shaped keys: `password=x`, `password: "x"`, `"password": "x"`,
/// `cfg["password"] = "x"`, `.password("x")`, `password => 'x'`, `ENV PGPASSWORD x`, a YAML
/// or JSON value on the next line, and the literals of `password=os.getenv("PW", "x")`.
fn keyed_passwords(text: &str, spans: &mut Vec<Range<usize>>) {
    let lower = text.to_ascii_lowercase();
    let b = text.as_bytes();
    let mut from = 0;
    while from < b.len() {
        // Candidate keys hold `pass` or `pwd`; widen each hit to the whole key word.
        let hit = match (lower[from..].find("pass"), lower[from..].find("pwd")) {
            (Some(a), Some(p)) => a.min(p),
            (Some(a), None) => a,
            (None, Some(p)) => p,
            (None, None) => break,
        };
        let mut key_start = from + hit;
        while key_start > 0 && is_key_byte(b[key_start - 1]) {
            key_start -= 1;
        }
        let mut key_end = from + hit;
        while key_end < b.len() && is_key_byte(b[key_end]) {
            key_end += 1;
        }
        from = key_end.max(from + hit + 1);
        if !is_credential_key(&text[key_start..key_end]) {
            continue;
        }
        // `?password=` / `&password=`: a URL query value, which runs to the next `&` (libpq
        // takes `,;})` as password characters there).
        let in_query = key_start > 0 && matches!(b[key_start - 1], b'?' | b'&');
        if let Some(span) = assigned_value(text, key_start, key_end, in_query, spans) {
            if span.end > span.start && &text[span.clone()] != MASK {
                spans.push(span);
            }
        }
    }
}

fn skip_blanks(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

/// The span of the value assigned to the key at `key_start..key_end`, if the text after the
/// key is an assignment. Literals inside a call expression are pushed to `spans` directly.
fn assigned_value(
    text: &str,
    key_start: usize,
    key_end: usize,
    in_query: bool,
    spans: &mut Vec<Range<usize>>,
) -> Option<Range<usize>> {
    let b = text.as_bytes();
    let mut i = key_end;
    // The closing quote of a quoted key (`"password": "x"`) and a subscript's bracket
    // (`cfg["password"] = "x"`), then spaces.
    if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
        i += 1;
    }
    if i < b.len() && b[i] == b']' {
        i += 1;
    }
    i = skip_blanks(b, i);
    let marker = *b.get(i)?;
    let line_start = text[..key_start].rfind('\n').map_or(0, |n| n + 1);
    let dockerfile_env = text[line_start..key_start]
        .trim()
        .eq_ignore_ascii_case("env")
        && i > key_end
        && marker != b'=';
    // A call's argument list follows its name directly (`.password("x")`); prose puts a
    // space first ("the password (shown as ****)"), which is no assignment.
    let call = marker == b'(';
    if call && i > key_end {
        return None;
    }
    match marker {
        b'=' | b':' | b'(' => {
            i += 1;
            // `=>`, `:=`, `==` (a comparison is masked too: over-approximation is fine).
            if i < b.len() && matches!(b[i], b'>' | b'=') {
                i += 1;
            }
        }
        _ if dockerfile_env => {}
        _ => return None,
    }
    i = skip_blanks(b, i);
    if i >= b.len() {
        return None;
    }
    if b[i] == b'\n' || b[i] == b'\r' {
        if marker == b'(' {
            return None;
        }
        return next_line_value(text, line_start, key_start, i);
    }
    // A reference or a string prefix before a literal: `&"x"`, `r"x"`, `b'x'`, `f"x"`.
    let mut j = i;
    if b[j] == b'&' {
        j += 1;
    }
    let mut k = j;
    while k < b.len()
        && k - j < 2
        && matches!(b[k], b'r' | b'b' | b'f' | b'u' | b'R' | b'B' | b'F' | b'U')
    {
        k += 1;
    }
    if k < b.len() && (b[k] == b'"' || b[k] == b'\'') {
        return Some(quoted(b, k));
    }
    if k < b.len() && b[k] == b'#' && j < k {
        // Rust raw string `r#"..."#`.
        let hashes = b[k..].iter().take_while(|&&c| c == b'#').count();
        let q = k + hashes;
        if b.get(q) == Some(&b'"') {
            let close = format!("\"{}", "#".repeat(hashes));
            let s = q + 1;
            let e = text[s..].find(&close).map_or(b.len(), |e| s + e);
            return Some(s..e);
        }
    }
    if !in_query && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
        // An expression: `os.getenv("PW", "fallback")`, `env::var("PW").unwrap_or("x")`.
        // Without a literal in it, the text itself is what is masked (`password=A(Aa`).
        let mut id_end = i;
        while id_end < b.len() && (is_key_byte(b[id_end]) || b[id_end] == b':') {
            id_end += 1;
        }
        if id_end < b.len() && matches!(b[id_end], b'(' | b'[') {
            let before = spans.len();
            expression_literals(text, i, spans);
            if spans.len() > before {
                return None;
            }
        }
    }
    // `.password(pw)`: a variable or a word, not a secret (only literals are).
    if call {
        return None;
    }
    let s = i;
    let mut e = s;
    let ends = |c: u8| {
        if in_query {
            matches!(c, b'&' | b'"' | b'\'' | b'`' | b'<' | b'>')
        } else {
            matches!(c, b'&' | b',' | b';' | b'}' | b'"' | b'\'' | b')')
        }
    };
    while e < b.len() && !b[e].is_ascii_whitespace() && !ends(b[e]) {
        if b[e] == b'\\' {
            e += 1;
        }
        e += 1;
    }
    Some(s..e.min(b.len()))
}

/// The inside of the quoted string opening at `q`: backslash escapes and a doubled quote
/// (`'ab''cd'`, YAML and SQL) stay inside; it ends at its closing quote or the line's end.
fn quoted(b: &[u8], q: usize) -> Range<usize> {
    let quote = b[q];
    let s = q + 1;
    let mut e = s;
    while e < b.len() && b[e] != b'\n' {
        if b[e] == b'\\' {
            e += 2;
            continue;
        }
        if b[e] == quote {
            if e > s && b.get(e + 1) == Some(&quote) {
                e += 2;
                continue;
            }
            break;
        }
        e += 1;
    }
    s..e.min(b.len())
}

/// A value written on the line after its key (`password:` then an indented scalar in YAML,
/// `"password":` then `"x"` in JSON). The next line counts when it is a quoted string, or
/// an indented plain value that is not itself a key.
fn next_line_value(
    text: &str,
    line_start: usize,
    key_start: usize,
    eol: usize,
) -> Option<Range<usize>> {
    let b = text.as_bytes();
    let key_indent =
        text[line_start..key_start].len() - text[line_start..key_start].trim_start().len();
    let next = text[eol..].find('\n').map(|n| eol + n + 1)?;
    let line_end = text[next..].find('\n').map_or(b.len(), |n| next + n);
    let line = &text[next..line_end];
    let indent = line.len() - line.trim_start().len();
    let body = line.trim();
    if body.is_empty() {
        return None;
    }
    let s = next + indent;
    if body.starts_with('"') || body.starts_with('\'') {
        return Some(quoted(b, s));
    }
    let looks_like_key = body.contains(": ") || body.ends_with(':') || body.starts_with('-');
    if indent > key_indent
        && !looks_like_key
        && !matches!(body.as_bytes()[0], b'|' | b'>' | b'{' | b'[')
    {
        return Some(s..s + body.trim_end_matches(',').len());
    }
    None
}

/// Masks the string literals of an expression assigned to a credential key, up to the end
/// of its line, except a literal that names an environment variable read by a call
/// (`getenv("PW"`, `environ["PW"]`, `env::var("PW"`).
fn expression_literals(text: &str, from: usize, spans: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let end = text[from..].find('\n').map_or(b.len(), |n| from + n);
    let mut i = from;
    while i < end {
        if b[i] == b'"' || b[i] == b'\'' {
            let r = quoted(b, i);
            let before = text[from..i].trim_end();
            let reads_env = (before.ends_with('(') || before.ends_with('['))
                && before
                    .trim_end_matches(['(', '['])
                    .to_ascii_lowercase()
                    .rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .next()
                    .is_some_and(|f| {
                        matches!(f, "getenv" | "environ" | "var" | "env" | "get" | "var_os")
                    });
            let env_name = text[r.clone()]
                .bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_');
            if !(reads_env && env_name) && r.end > r.start {
                spans.push(r.clone());
            }
            i = r.end + 1;
            continue;
        }
        i += 1;
    }
}

fn prefixed_tokens(text: &str, prefix: &str, min: usize, spans: &mut Vec<Range<usize>>) {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(rel) = text[from..].find(prefix) {
        let start = from + rel;
        let body = start + prefix.len();
        let mut end = body;
        while end < b.len() && b[end].is_ascii_alphanumeric() {
            end += 1;
        }
        let word_start = start == 0 || !b[start - 1].is_ascii_alphanumeric();
        if word_start && end - body >= min {
            spans.push(body..end);
        }
        from = body;
    }
}

/// `spans` of `text` sorted, merged and widened to char boundaries: the one span merge of
/// redaction (the CLI's redaction splits its spans at line breaks, then calls this).
pub fn merge(mut spans: Vec<Range<usize>>, text: &str) -> Vec<Range<usize>> {
    spans.retain(|s| s.start < s.end && s.end <= text.len());
    for s in spans.iter_mut() {
        while !text.is_char_boundary(s.start) {
            s.start -= 1;
        }
        while !text.is_char_boundary(s.end) {
            s.end += 1;
        }
    }
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out: Vec<Range<usize>> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CANARY: &str = "Canary7pw9Zq";

    #[test]
    fn removes_every_password_form() {
        for s in [
            format!("postgresql://alex:{CANARY}@ep-x.us-east-2.aws.neon.tech/neondb"),
            format!("postgresql://alex:{CANARY}%40x@h/db"),
            format!("host=h password={CANARY} user=u"),
            format!("host=h password='{CANARY} x' user=u"),
            format!("host=h password='it\\'s{CANARY}' user=u"),
            format!("jdbc:postgresql://h/db?user=a&password={CANARY}"),
            format!("PGPASSWORD={CANARY}"),
            format!("{{\"password\": \"{CANARY}\"}}"),
            format!("password: {CANARY}"),
            format!("postgresql://h/db?p%61ssword={CANARY}"),
            format!("DB=npg_{CANARY}"),
            format!("key napi_{CANARY}{CANARY}{CANARY}"),
        ] {
            let r = redact(&s);
            assert!(!r.contains(CANARY), "{s} -> {r}");
            assert!(r.contains(MASK), "{s} -> {r}");
        }
    }

    #[test]
    fn rejected_uris_keep_their_password_masked_whole() {
        // libpq rejects these (a bad keyword, a bad escape); the whole userinfo password,
        // spaces included, is still masked.
        for s in [
            "postgresql://av.CA } : true,e } : true,pp@ep-x.us-east-2.aws.neon.tech/db?sslr\u{ff}otcert=x",
            "postgresql://u:pa ss word@h/db?bogus=1",
            "  postgres://u:a%zzb c@h/db",
        ] {
            let r = redact(s);
            for leaked in ["true,pp", "ss word", "b c"] {
                assert!(!r.contains(leaked), "{s} -> {r}");
            }
        }
        assert_eq!(whole_uri_password("see postgresql://u:p q@h"), None);
    }

    #[test]
    fn prose_about_a_password_keeps_its_words() {
        for s in [
            "password (shown as ****)",
            "rotate the password (it is in the history now)",
            "cfg.password(pw) reads it from a variable",
        ] {
            assert_eq!(redact(s), s);
        }
        assert_eq!(
            redact(&format!(".password(\"{CANARY}\")")),
            ".password(\"****\")"
        );
    }

    #[test]
    fn masks_credential_values_in_code_and_config() {
        for (s, kept) in [
            (
                format!("cfg.host(h).password(\"{CANARY}\")"),
                "cfg.host(h).password(",
            ),
            (
                format!("password=os.getenv(\"PW\", \"{CANARY}\")"),
                "os.getenv(\"PW\"",
            ),
            (
                format!("env::var(\"X\").unwrap_or(x); pass = r#\"{CANARY}\"#"),
                "env::var",
            ),
            (
                format!("cfg[\"password\"] = \"{CANARY}\""),
                "cfg[\"password\"]",
            ),
            (format!("password: 'ab''{CANARY}'"), "password: '"),
            (format!("password:\n    {CANARY}\nother: 1"), "other: 1"),
            (format!("\"password\":\n  \"{CANARY}\"\n"), "\"password\":"),
            (format!("ENV PGPASSWORD {CANARY}"), "ENV PGPASSWORD"),
            (format!("DB_PASS={CANARY}"), "DB_PASS="),
            (format!("Server=h;Pwd={CANARY};"), "Server=h;Pwd="),
            (format!("$conf['passwd'] => '{CANARY}'"), "$conf"),
        ] {
            let r = apply(&s, &secret_spans_multiline(&s));
            assert!(!r.contains(CANARY), "{s:?} -> {r:?}");
            assert!(r.contains(kept), "{s:?} -> {r:?}");
        }
        // Keys that only contain the letters are no credentials.
        for s in [
            "bypass: x",
            "compass = north",
            "passes: 3",
            "password_hint=x",
        ] {
            assert_eq!(apply(s, &secret_spans_multiline(s)), s);
        }
    }

    #[test]
    fn known_secrets_mask_derived_text() {
        let src = format!("postgresql://u:{CANARY}%zz@h/db");
        let k = KnownSecrets::of(&src);
        let msg = format!("invalid percent-encoded token: \"{CANARY}%zz\"");
        assert_eq!(k.redact(&msg), "invalid percent-encoded token: \"****\"");
        let err = crate::conninfo::parse(&src).unwrap_err();
        assert!(!err.message.contains(CANARY), "{}", err.message);
        for text in [
            src.clone(),
            format!("postgresql://h/db?password={CANARY}%2"),
            format!("postgresql://u:{CANARY}@[::1/db"),
        ] {
            for f in crate::check_url(&text) {
                assert!(!f.message.contains(CANARY), "{}", f.message);
                let shown = crate::render::report(&text, &f);
                assert!(!shown.contains(CANARY), "{shown}");
            }
        }
    }

    #[test]
    fn leaves_other_text_alone() {
        let s = "postgresql://alex@ep-x.us-east-2.aws.neon.tech/neondb?sslmode=require";
        assert_eq!(redact(s), s);
    }
}
