//! The connection keywords libpq 17 knows (`PQconninfoOptions` in `fe-connect.c`).
//!
//! `PQconninfoParse` rejects any other keyword in a key/value string and any other query
//! parameter in a URI. The list was checked against libpq 17.0011 through psycopg2's
//! `parse_dsn` (see `tests/conformance`).

/// Every keyword libpq 17 accepts, in libpq's own order.
pub const LIBPQ_KEYWORDS: &[&str] = &[
    "service",
    "user",
    "password",
    "passfile",
    "channel_binding",
    "connect_timeout",
    "dbname",
    "host",
    "hostaddr",
    "port",
    "client_encoding",
    "options",
    "application_name",
    "fallback_application_name",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
    "tcp_user_timeout",
    "sslmode",
    "sslnegotiation",
    "sslcompression",
    "sslcert",
    "sslkey",
    "sslcertmode",
    "sslpassword",
    "sslrootcert",
    "sslcrl",
    "sslcrldir",
    "sslsni",
    "requirepeer",
    "require_auth",
    "ssl_min_protocol_version",
    "ssl_max_protocol_version",
    "gssencmode",
    "krbsrvname",
    "gsslib",
    "gssdelegation",
    "replication",
    "target_session_attrs",
    "load_balance_hosts",
];

/// The values libpq accepts for `sslmode` (checked at connect time, not by the parser).
pub const SSLMODES: &[&str] = &[
    "disable",
    "allow",
    "prefer",
    "require",
    "verify-ca",
    "verify-full",
];

/// Whether libpq knows `keyword` (case-sensitive, as libpq compares).
pub fn is_libpq_keyword(keyword: &str) -> bool {
    LIBPQ_KEYWORDS.contains(&keyword)
}

/// The closest known word to `word` among `candidates`, if it is close enough to be a typo
/// (Damerau-Levenshtein distance at most 2, and less than half the word).
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    // The distance is at least the difference in length: most words (a `.env` line read as
    // a key/value string, `DATABASE_URL=...`) are ruled out without the quadratic table.
    let len = word.chars().count();
    if candidates.iter().all(|c| len.abs_diff(c.len()) > 2) {
        return None;
    }
    let lower = word.to_ascii_lowercase();
    let mut best: Option<(usize, &'a str)> = None;
    for &cand in candidates {
        if len.abs_diff(cand.chars().count()) > 2 {
            continue;
        }
        let d = edit_distance(&lower, cand);
        if d <= 2 && d * 2 < cand.len().max(1) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), so that
/// `sslmdoe` is one edit from `sslmode`.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (n, m) = (a.len(), b.len());
    let mut d = vec![vec![0usize; m + 1]; n + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=n {
        for j in 1..=m {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[n][m]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_transposed_keyword() {
        assert_eq!(did_you_mean("sslmdoe", LIBPQ_KEYWORDS), Some("sslmode"));
        assert_eq!(did_you_mean("SSLMODE", LIBPQ_KEYWORDS), Some("sslmode"));
        assert_eq!(did_you_mean("requires", SSLMODES), Some("require"));
        assert_eq!(did_you_mean("zzzzzzzz", LIBPQ_KEYWORDS), None);
    }
}
