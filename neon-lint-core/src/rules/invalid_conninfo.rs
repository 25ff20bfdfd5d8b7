use crate::conninfo::{did_you_mean, Dialect, ParamSource, LIBPQ_KEYWORDS, SSLMODES};
use crate::rule::{Applicability, Edit, Fix, UrlFinding};
use crate::url::UrlInput;

crate::declare_rule! {
    /// ## What it does
    /// Finds PostgreSQL connection strings (Neon or not) that libpq would reject or misread:
    /// syntax errors (unterminated quote, missing `=`, bad `%` escape, `%00`), unknown
    /// parameters (`sslmdoe`: did you mean `sslmode`?), unknown `sslmode` values (`requires`),
    /// and the same parameter given twice with different values. Where node-postgres reads
    /// the string (a literal given to `new Pool`/`new Client`), its own
    /// `sslmode=no-verify` is valid (and reported by `tls-verification-disabled`).
    ///
    /// ## Why is this bad?
    /// libpq refuses the whole string before connecting, with errors such as
    ///
    /// ```text
    /// invalid URI query parameter: "sslmdoe"
    /// invalid sslmode value: "requires"
    /// ```
    ///
    /// and a parameter given twice silently takes the last value, which is rarely what the
    /// author of the first one meant (`?sslmode=require&sslmode=disable` connects in plaintext).
    /// The parser behind this rule agrees with libpq 17 on every string of the conformance
    /// suite and on random strings compared live against libpq.
    ///
    /// For SQLAlchemy (`postgresql+driver://`) and JDBC URLs the query belongs to the driver,
    /// so only near-misses of known keywords are reported there.
    ///
    /// A string is judged by the software that reads it. Where Prisma reads it
    /// (`schema.prisma`), or sqlx (a literal given to sqlx or sea-orm), their own parameters
    /// (`pgbouncer`, `connection_limit`, `pool_timeout`, `schema`; `statement-cache-capacity`,
    /// `options[search_path]`) are not errors. Where nothing says who reads it (a `.env`
    /// value several programs may load), a parameter that Prisma or sqlx documents is not an
    /// error either. Where a libpq-based driver reads it (psycopg, psycopg2, asyncpg,
    /// tokio-postgres, diesel), it is. An unknown parameter never hides the other findings
    /// on the same string: a committed password beside a typo is still reported.
    ///
    /// ## Example
    /// ```text
    /// postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmdoe=require
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require
    /// ```
    ///
    /// ## Fix
    /// A misspelt keyword or `sslmode` value with exactly one close match gets a fix that
    /// replaces it; it is marked unsafe, since only the author knows what was meant.
    pub static INVALID_CONNINFO = {
        code: "NL004",
        name: "invalid-conninfo",
        level: Error,
        group: ConnectionString,
        summary: "connection string libpq would reject, unknown parameter or value, or conflicting duplicate",
        fixable: false,
    };
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    let info = match &url.parsed {
        Err(e) => {
            let suggestion = e.suggestion;
            // A parameter another program documents (Prisma's `pgbouncer`), given to a
            // driver that reads the string with libpq.
            let key = url.text.get(e.span.clone()).unwrap_or_default();
            let foreign = crate::reader::Reader::owner_of(key).filter(|_| suggestion.is_none());
            out.push(UrlFinding {
                rule: &INVALID_CONNINFO,
                span: e.span.clone(),
                message: format!("libpq rejects this connection string: {}", e.message),
                label: match (suggestion, foreign) {
                    (Some(s), _) => format!("did you mean `{s}`?"),
                    (None, Some(owner)) => format!("{}'s parameter, not libpq's", owner.name()),
                    (None, None) => "libpq stops here".into(),
                },
                help: Some(match (suggestion, foreign) {
                    (Some(s), _) => {
                        format!("libpq knows `{s}`; unknown keywords fail before connecting")
                    }
                    (None, Some(owner)) => format!(
                        "remove `{key}` from the string this driver reads: it is {}'s parameter; libpq does not know it and refuses the whole string before connecting",
                        owner.name()
                    ),
                    (None, None) => {
                        "fix the syntax: libpq refuses the whole string before connecting".into()
                    }
                }),
                secondary: Vec::new(),
                fix: suggestion.map(|s| Fix {
                    applicability: Applicability::Unsafe,
                    title: format!("replace with `{s}`"),
                    edits: vec![Edit {
                        range: e.span.clone(),
                        content: s.to_string(),
                    }],
                }),
            });
            return;
        }
        Ok(info) => info,
    };

    // Near-miss keywords in wrapper URLs (their unknown keys go to the driver).
    if info.dialect != Dialect::Libpq {
        for p in info.params.iter().filter(|p| !p.known) {
            if DRIVER_KEYS.contains(&p.keyword.as_str()) {
                continue;
            }
            if let Some(s) = did_you_mean(&p.keyword, LIBPQ_KEYWORDS).filter(|s| *s != p.keyword) {
                let key_span = p.span.start..p.value_span.start.saturating_sub(1).max(p.span.start);
                out.push(UrlFinding {
                    rule: &INVALID_CONNINFO,
                    span: key_span.clone(),
                    message: format!("unknown connection parameter `{}`", p.keyword),
                    label: format!("did you mean `{s}`?"),
                    help: Some(format!(
                        "the driver does not know `{}`; `{s}` is the usual keyword",
                        p.keyword
                    )),
                    secondary: Vec::new(),
                    fix: Some(Fix {
                        applicability: Applicability::Unsafe,
                        title: format!("replace with `{s}`"),
                        edits: vec![Edit {
                            range: key_span,
                            content: s.to_string(),
                        }],
                    }),
                });
            }
        }
    }

    // Unknown sslmode values: libpq fails at connect time with `invalid sslmode value`.
    if let Some(p) = info.params.iter().rev().find(|p| p.keyword == "sslmode") {
        let v = p.value.as_str();
        // node-postgres' own `no-verify` (TLS without certificate checks): valid where pg
        // reads the string, and judged by `tls-verification-disabled` there.
        let pg_own = v == "no-verify" && url.ctx.reader == crate::Reader::NodePostgres;
        if !SSLMODES.contains(&v) && !pg_own {
            let suggestion = did_you_mean(v, SSLMODES);
            out.push(UrlFinding {
                rule: &INVALID_CONNINFO,
                span: p.value_span.clone(),
                message: format!("invalid sslmode value: \"{v}\""),
                label: match suggestion {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "not an sslmode".into(),
                },
                help: Some(format!("sslmode is one of {}", SSLMODES.join(", "))),
                secondary: Vec::new(),
                fix: suggestion.map(|s| Fix {
                    applicability: Applicability::Unsafe,
                    title: format!("replace with `{s}`"),
                    edits: vec![Edit {
                        range: p.value_span.clone(),
                        content: s.to_string(),
                    }],
                }),
            });
        }
    }

    // The same keyword written twice with different values: the last silently wins.
    for (i, later) in info.params.iter().enumerate() {
        if !matches!(later.source, ParamSource::Query | ParamSource::KeyValue) {
            continue;
        }
        let earlier = info.params[..i].iter().rev().find(|p| {
            p.keyword == later.keyword
                && matches!(p.source, ParamSource::Query | ParamSource::KeyValue)
        });
        if let Some(earlier) = earlier {
            if earlier.value != later.value {
                let shown = |p: &crate::conninfo::Param| {
                    if p.keyword == "password" {
                        "****".to_string()
                    } else {
                        p.value.clone()
                    }
                };
                out.push(UrlFinding {
                    rule: &INVALID_CONNINFO,
                    span: later.span.clone(),
                    message: format!(
                        "`{}` is given twice with different values; libpq uses the last (`{}`)",
                        later.keyword,
                        shown(later)
                    ),
                    label: "this one wins".into(),
                    help: Some(format!("keep one `{}`", later.keyword)),
                    secondary: vec![(earlier.span.clone(), "this one is ignored".into())],
                    fix: None,
                });
            }
        }
    }
}

/// Query keys that SQLAlchemy drivers and pgjdbc understand although libpq does not.
const DRIVER_KEYS: &[&str] = &[
    "ssl",
    "prepared_statement_cache_size",
    "statement_cache_size",
    "prepare_threshold",
    "currentSchema",
    "sslfactory",
    "sslcontext",
    "loginTimeout",
    "connectTimeout",
    "socketTimeout",
    "prepareThreshold",
    "ApplicationName",
    "pgbouncer",
    "connection_limit",
    "pool_timeout",
    "schema",
    "async_fallback",
];
