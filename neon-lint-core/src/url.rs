//! One connection string, parsed and classified, with what is known about how it is used:
//! the input every URL rule reads.

use crate::conninfo::{self, ConnInfo, Dialect, ParseError};
use crate::neon::{classify_host, HostClass, NeonHost};

/// What the connection is for, when the surroundings say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// The application's runtime connection.
    App,
    /// Schema migrations (Alembic, Prisma `directUrl`, `sqlx migrate`...).
    Migration,
    /// Nothing says.
    #[default]
    Unknown,
}

/// Where the string sits, as far as the secrets rules care.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Placement {
    /// A file meant for version control: source, config, CI, Dockerfile, docs.
    #[default]
    Tracked,
    /// A local `.env` file (the committed-env-file rule judges those).
    EnvFile,
    /// A template or example (`.env.example`, `*.sample`, docs examples): placeholders belong.
    Example,
    /// Documentation (Markdown, reStructuredText...): strings there illustrate; only the
    /// secrets rules judge them.
    Docs,
    /// Not in a file at all (`neon-lint url`, the runtime API).
    Standalone,
}

/// Hosts the project's configuration classifies (a self-hosted PgBouncer, a test server).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostOverrides {
    /// Hosts (optionally `host:port`) to treat as pooled.
    pub pooled: Vec<String>,
    /// Hosts (optionally `host:port`) to treat as direct.
    pub direct: Vec<String>,
}

impl HostOverrides {
    fn classify(&self, host: &str, port: Option<&str>) -> Option<HostClass> {
        let matches = |pattern: &String| -> bool {
            match pattern.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') || pattern.starts_with('[') => {
                    let h = h.trim_start_matches('[').trim_end_matches(']');
                    h.eq_ignore_ascii_case(host) && port.unwrap_or("5432") == p
                }
                _ => pattern.eq_ignore_ascii_case(host),
            }
        };
        if self.pooled.iter().any(matches) {
            Some(HostClass::ConfiguredPooled)
        } else if self.direct.iter().any(matches) {
            Some(HostClass::ConfiguredDirect)
        } else {
            None
        }
    }
}

/// What the code around a connection string says about it.
#[derive(Debug, Clone, Default)]
pub struct UrlContext {
    /// What the connection is for.
    pub role: Role,
    /// Why we think so ("alembic.ini `sqlalchemy.url`").
    pub role_evidence: Option<String>,
    /// Where the string sits.
    pub placement: Placement,
    /// TLS is configured beside the string in the same call (a TLS connector, `ssl=` kwarg).
    pub tls_beside: bool,
    /// Hosts configured as pooled or direct.
    pub overrides: HostOverrides,
    /// The software that reads the string (its own parameters are not libpq errors).
    pub reader: crate::reader::Reader,
}

/// A connection string, parsed and classified.
#[derive(Debug, Clone)]
pub struct UrlInput<'a> {
    /// The string as the program sees it.
    pub text: &'a str,
    /// The verdict of libpq's parser, with the parameters the reader accepts beyond libpq's
    /// kept as unknown ones (`Param::known == false`).
    pub parsed: Result<ConnInfo, ParseError>,
    /// When only an unknown query parameter failed the parse: the string read with it kept
    /// as unknown, for the rules that judge what it still holds (a committed password).
    pub recovered: Option<ConnInfo>,
    /// Each host libpq would try, with its class.
    pub hosts: Vec<(String, HostClass)>,
    /// The surroundings.
    pub ctx: &'a UrlContext,
}

impl<'a> UrlInput<'a> {
    /// Parses and classifies `text`.
    pub fn new(text: &'a str, ctx: &'a UrlContext) -> UrlInput<'a> {
        let parsed = conninfo::parse_for(text, ctx.reader);
        let recovered = match &parsed {
            Err(e) if e.message.starts_with("invalid URI query parameter") => {
                conninfo::parse_recovering(text)
            }
            _ => None,
        };
        let hosts = match parsed.as_ref().ok().or(recovered.as_ref()) {
            Some(info) => {
                let ports: Vec<Option<String>> = match info.get("port") {
                    Some(p) => p
                        .value
                        .split(',')
                        .take(conninfo::MAX_HOSTS)
                        .map(|s| Some(s.to_string()))
                        .collect(),
                    None => Vec::new(),
                };
                info.hosts()
                    .into_iter()
                    .enumerate()
                    .map(|(i, h)| {
                        let port = ports.get(i).cloned().flatten().filter(|p| !p.is_empty());
                        let class = ctx
                            .overrides
                            .classify(&h, port.as_deref())
                            .unwrap_or_else(|| classify_host(&h));
                        (h, class)
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        UrlInput {
            text,
            parsed,
            recovered,
            hosts,
            ctx,
        }
    }

    /// The parsed string, when libpq accepts it.
    pub fn info(&self) -> Option<&ConnInfo> {
        self.parsed.as_ref().ok()
    }

    /// The parsed string, or what is left of it when only an unknown parameter failed the
    /// parse ([`UrlInput::recovered`]).
    pub fn info_recovered(&self) -> Option<&ConnInfo> {
        self.info().or(self.recovered.as_ref())
    }

    /// The first Neon host, if any host is one.
    pub fn neon(&self) -> Option<&NeonHost> {
        self.hosts.iter().find_map(|(_, c)| c.neon())
    }

    /// Whether the string connects to Neon, or to a host the configuration maps to Neon's
    /// pooled or direct role (`pooled-hosts` / `direct-hosts`: a self-hosted PgBouncer, a
    /// test server), which is then linted exactly like Neon.
    pub fn is_neon(&self) -> bool {
        self.is_linted_host()
    }

    /// Whether the string goes through a transaction-mode pooler (Neon `-pooler` or configured).
    pub fn is_pooled(&self) -> bool {
        self.hosts.iter().any(|(_, c)| c.is_pooled())
    }

    /// Whether the string is one the rules should judge: Neon, or a configured host.
    pub fn is_linted_host(&self) -> bool {
        self.hosts.iter().any(|(_, c)| {
            matches!(
                c,
                HostClass::Neon(_) | HostClass::ConfiguredPooled | HostClass::ConfiguredDirect
            )
        })
    }

    /// The SQLAlchemy driver, if the string is a SQLAlchemy URL.
    pub fn sqlalchemy_driver(&self) -> Option<&str> {
        match self.info().map(|i| &i.dialect) {
            Some(Dialect::SqlAlchemy { driver }) => Some(driver),
            _ => None,
        }
    }

    /// The span of the host list (or of the whole string when there is none), where
    /// host-level findings point.
    pub fn host_span(&self) -> std::ops::Range<usize> {
        self.info()
            .and_then(|i| i.get("host"))
            .map(|p| p.value_span.clone())
            .unwrap_or(0..self.text.len())
    }
}
