//! The software that reads a connection string. Readers differ in which query parameters
//! they accept beside libpq's (`../shared/reference/url-dialects.md` has the sources): a
//! string is judged by its reader, and a string whose reader is unknown is read as libpq
//! reads it, except that a parameter some known reader documents as its own is no error.

/// Who reads a connection string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reader {
    /// libpq itself (psql, pg_dump, psycopg, psycopg2, Django, diesel): its keywords only.
    Libpq,
    /// sqlx's `PgConnectOptions::from_str` (the sqlx crate, sqlx-cli, `sqlx::migrate!`).
    Sqlx,
    /// Prisma's engines (`url` / `directUrl` of `schema.prisma`, Prisma ≤ 6).
    Prisma,
    /// node-postgres' `pg-connection-string` (also `@neondatabase/serverless` `Pool`):
    /// every parameter is copied onto the config, pg uses the ones it knows.
    NodePostgres,
    /// postgres.js: its option names as parameters, the rest sent as startup parameters.
    PostgresJs,
    /// Nothing says which.
    #[default]
    Unknown,
}

/// Query parameters Prisma's engine (quaint) reads that libpq does not know
/// (url-dialects.md § 4a).
const PRISMA: &[&str] = &[
    "schema",
    "connection_limit",
    "pool_timeout",
    "socket_timeout",
    "max_connection_lifetime",
    "max_idle_connection_lifetime",
    "sslaccept",
    "sslidentity",
    "pgbouncer",
    "statement_cache_size",
];

/// Query parameters sqlx reads that libpq does not know (url-dialects.md § 2); sqlx also
/// takes `options[<guc>]=<value>`.
const SQLX: &[&str] = &[
    "ssl-mode",
    "ssl-root-cert",
    "ssl-ca",
    "ssl-cert",
    "ssl-key",
    "statement-cache-capacity",
];

/// Query parameters node-postgres reads that libpq does not know (url-dialects.md §§ 8-9).
const NODE_POSTGRES: &[&str] = &[
    "ssl",
    "uselibpqcompat",
    "statement_timeout",
    "lock_timeout",
    "idle_in_transaction_session_timeout",
    "query_timeout",
];

/// postgres.js options that may be given as query parameters (url-dialects.md § 10).
const POSTGRES_JS: &[&str] = &[
    "max",
    "ssl",
    "idle_timeout",
    "max_lifetime",
    "max_pipeline",
    "backoff",
    "keep_alive",
    "prepare",
    "debug",
    "fetch_types",
    "publications",
];

impl Reader {
    /// The reader's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Reader::Libpq => "libpq",
            Reader::Sqlx => "sqlx",
            Reader::Prisma => "Prisma",
            Reader::NodePostgres => "node-postgres",
            Reader::PostgresJs => "postgres.js",
            Reader::Unknown => "an unknown reader",
        }
    }

    /// Whether `key`, a query parameter libpq does not know, is one this reader accepts as
    /// its own. For an unknown reader: whether any known reader does.
    pub fn owns(self, key: &str) -> bool {
        match self {
            Reader::Libpq => false,
            Reader::Sqlx => SQLX.contains(&key) || is_sqlx_option(key),
            Reader::Prisma => PRISMA.contains(&key),
            Reader::NodePostgres => NODE_POSTGRES.contains(&key),
            Reader::PostgresJs => POSTGRES_JS.contains(&key),
            Reader::Unknown => Reader::owner_of(key).is_some(),
        }
    }

    /// The known reader that documents `key` as its own, if one does.
    pub fn owner_of(key: &str) -> Option<Reader> {
        [
            Reader::Prisma,
            Reader::Sqlx,
            Reader::NodePostgres,
            Reader::PostgresJs,
        ]
        .into_iter()
        .find(|r| r.owns(key))
    }
}

/// sqlx's `options[search_path]=...` form.
fn is_sqlx_option(key: &str) -> bool {
    key.strip_prefix("options[")
        .and_then(|r| r.strip_suffix(']'))
        .is_some_and(|guc| !guc.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reader_owns_its_parameters() {
        assert!(Reader::Prisma.owns("pgbouncer"));
        assert!(!Reader::Libpq.owns("pgbouncer"));
        assert!(!Reader::Sqlx.owns("pgbouncer"));
        assert!(Reader::Sqlx.owns("options[search_path]"));
        assert!(!Reader::Sqlx.owns("options[]"));
        assert!(Reader::Unknown.owns("statement-cache-capacity"));
        assert!(!Reader::Unknown.owns("sslmdoe"));
        assert_eq!(Reader::owner_of("connection_limit"), Some(Reader::Prisma));
        assert!(Reader::PostgresJs.owns("prepare"));
        assert!(!Reader::NodePostgres.owns("prepare"));
        assert!(Reader::Unknown.owns("prepare"));
    }
}
