//! libpq's environment variables (`PGHOST`, `PGUSER`, `PGPASSWORD`, `PGSSLMODE`...) set
//! together in one environment: a `.env` file, a compose service's `environment:`, a CI
//! workflow's, job's and step's `env:`, a Dockerfile's `ENV`s, a script's `export`s.
//!
//! libpq (and every tool built on it: `psql`, `pg_dump`, psycopg, asyncpg, node-postgres)
//! builds its connection from them when no URL says otherwise, so they are a connection
//! string written one parameter per line. It is recorded as a key/value [`UrlSite`] keyed
//! [`LIBPQ_ENV`], each value mapped to where its variable is set, so the URL rules judge it
//! (missing or insecure `sslmode`, a committed password, the endpoint option...) and the
//! redaction step masks its password where it is written. Only when `PGHOST` names a Neon
//! host: elsewhere the variables are someone else's database, and a value nobody can read
//! here (`PGSSLMODE=${MODE}`) leaves the environment unjudged.

use std::ops::Range;

use neon_lint_core::Role;

use super::Cx;
use crate::site::{Container, OffsetMap, PiecesBuilder, UrlSite};

/// The key of a [`UrlSite`] assembled from libpq's `PG*` variables.
pub use crate::site::LIBPQ_ENV;

/// One variable of an environment, as the extractor found it.
pub(super) struct Var<'a> {
    pub name: &'a str,
    pub name_span: Range<usize>,
    pub value: &'a str,
    pub map: &'a OffsetMap,
}

/// libpq's variables and the parameters they stand for, in the order the string lists them.
const VARS: &[(&str, &str)] = &[
    ("PGHOST", "host"),
    ("PGHOSTADDR", "hostaddr"),
    ("PGPORT", "port"),
    ("PGDATABASE", "dbname"),
    ("PGUSER", "user"),
    ("PGPASSWORD", "password"),
    ("PGSSLMODE", "sslmode"),
    ("PGREQUIRESSL", "requiressl"),
    ("PGCHANNELBINDING", "channel_binding"),
    ("PGSSLROOTCERT", "sslrootcert"),
    ("PGSSLSNI", "sslsni"),
    ("PGOPTIONS", "options"),
    ("PGCONNECT_TIMEOUT", "connect_timeout"),
    ("PGAPPNAME", "application_name"),
];

/// Whether a value is only known at run time (`${X}`, `$X`, `${{ secrets.X }}`).
fn run_time(value: &str) -> bool {
    value.contains('$')
}

/// Records the connection string one environment's `PG*` variables make (outermost first:
/// the last binding of a name wins).
pub(super) fn record(cx: &mut Cx, env: &[Var]) {
    let last = |name: &str| env.iter().rev().find(|v| v.name == name);
    let Some(host) = last("PGHOST") else {
        return;
    };
    if run_time(host.value) || !host.value.to_ascii_lowercase().contains(".neon.tech") {
        return;
    }
    let mut text = String::new();
    let mut pieces = PiecesBuilder::default();
    for (var, keyword) in VARS {
        let Some(v) = last(var) else {
            continue;
        };
        if run_time(v.value) && *var != "PGPASSWORD" {
            // A parameter the rules would read, unknown here: no judgement at all.
            return;
        }
        let glue = |pieces: &mut PiecesBuilder, s: &str| {
            pieces.shared(
                s.len(),
                OffsetMap::Opaque {
                    span: v.name_span.clone(),
                },
            )
        };
        let mut head = String::new();
        if !text.is_empty() {
            head.push(' ');
        }
        head.push_str(keyword);
        head.push('=');
        let plain = !v.value.is_empty()
            && !v
                .value
                .contains(|c: char| c.is_whitespace() || c == '\'' || c == '\\');
        let value_span = v.map.range(0..v.value.len());
        glue(&mut pieces, &head);
        text.push_str(&head);
        // The quotes around a value belong to the value (a finding on a quoted value,
        // quotes included, then points at the value, not at the variable's name).
        let quote = |pieces: &mut PiecesBuilder| {
            pieces.shared(
                1,
                OffsetMap::Opaque {
                    span: value_span.clone(),
                },
            )
        };
        if !plain {
            quote(&mut pieces);
            text.push('\'');
        }
        let escaped: String = v
            .value
            .chars()
            .flat_map(|c| {
                let esc = (c == '\'' || c == '\\').then_some('\\');
                esc.into_iter().chain(std::iter::once(c))
            })
            .collect();
        if run_time(v.value) {
            // `${{ secrets.PGPASSWORD }}`: filled in at run time.
            pieces.unknown(escaped.len(), value_span.clone());
        } else if escaped.len() == v.value.len() {
            pieces.shared(v.value.len(), v.map.clone());
        } else {
            pieces.shared(
                escaped.len(),
                OffsetMap::Opaque {
                    span: value_span.clone(),
                },
            );
        }
        text.push_str(&escaped);
        if !plain {
            quote(&mut pieces);
            text.push('\'');
        }
    }
    if neon_lint_core::conninfo::parse(&text).is_err() {
        return;
    }
    let placement = cx.placement();
    let container = match cx.file.kind {
        crate::classify::FileKind::DotEnv | crate::classify::FileKind::DotEnvTemplate => {
            Container::EnvValue
        }
        _ => Container::ConfigValue,
    };
    cx.out.urls.push(UrlSite {
        file: cx.file_id,
        text,
        map: pieces.build(),
        container,
        key: Some(LIBPQ_ENV.into()),
        role: Role::Unknown,
        role_evidence: None,
        placement,
    });
}

/// Records the connection strings of the variables bound in this file, taken as one
/// environment (`.env`, Dockerfile, script).
pub(super) fn record_file(cx: &mut Cx) {
    if !cx.out.bindings.iter().any(|b| b.name == "PGHOST") {
        return;
    }
    let bindings = std::mem::take(&mut cx.out.bindings);
    let env: Vec<Var> = bindings
        .iter()
        .filter(|b| b.file == cx.file_id)
        .map(|b| Var {
            name: &b.name,
            name_span: b.name_span.clone(),
            value: &b.value,
            map: &b.map,
        })
        .collect();
    record(cx, &env);
    drop(env);
    cx.out.bindings = bindings;
}
