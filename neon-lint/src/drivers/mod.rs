//! What each driver is, one file per driver, grouped by language: how its set-up calls
//! look, which argument holds the URL, and what its options mean as driver-neutral facts
//! (TLS, statement cache, health checks, connect timeout, startup parameters). Extractors
//! ask these files which calls are set-ups; rules read the facts and never spell a
//! driver's option names.

pub(crate) mod js;
pub(crate) mod python;
pub(crate) mod rust;

use std::ops::Range;

use crate::site::{ClientSetup, Setting};

/// Whether a set-up keeps named prepared statements per server connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StatementCache {
    /// It keeps none (or its settings switch them off).
    Off,
    /// It keeps them.
    On {
        /// The cache, as a message names it ("asyncpg's statement cache").
        what: &'static str,
        /// The settings, as written, that would switch it off and are missing.
        switch_off: Vec<&'static str>,
    },
}

/// Named prepared statements a Rust driver keeps per server connection, as a finding
/// says it.
#[derive(Debug, Clone)]
pub(crate) struct NamedStatements {
    /// What the driver does ("sqlx prepares named statements (`sqlx_s_N`)").
    pub does: &'static str,
    /// The label at the set-up.
    pub label: &'static str,
    /// What in the driver avoids it, if anything does.
    pub driver_fix: Option<&'static str>,
    /// Why nothing in the driver does, when nothing does.
    pub why_no_fix: Option<&'static str>,
    /// A setting written to avoid it that does not: where, its label, and what the
    /// message adds.
    pub ineffective: Option<(Range<usize>, &'static str, &'static str)>,
}

/// A pool that hands out idle connections without testing them first.
#[derive(Debug, Clone)]
pub(crate) struct UntestedPool {
    /// Where to point: the call, or the setting that keeps connections.
    pub span: Range<usize>,
    /// What the pool does, as a message says it ("SQLAlchemy engine without
    /// `pool_pre_ping=True`").
    pub what: String,
    /// What it does, for the label.
    pub label: &'static str,
    /// The setting to change, for the help.
    pub help: &'static str,
    /// It does notice a connection the server closed cleanly; only one dropped without a
    /// close reaching the client gets through.
    pub notices_closed: bool,
}

/// A setting a driver sends in the startup packet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StartupParam<'a> {
    /// Where it is written.
    pub setting: &'a Setting,
    /// What goes in the packet.
    pub sends: Sends<'a>,
}

/// What a [`StartupParam`] puts in the startup packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sends<'a> {
    /// The `options` parameter with this text (`-c search_path=app`).
    Options(&'a str),
    /// A parameter of its own name (`search_path`, `application_name`).
    Parameter(&'a str),
    /// Server settings, however written (`-c` pairs from a Rust builder).
    ServerSettings,
}

impl<'a> StartupParam<'a> {
    /// An `options` string.
    pub fn options(setting: &'a Setting, text: &'a str) -> Self {
        StartupParam {
            setting,
            sends: Sends::Options(text),
        }
    }

    /// A named parameter.
    pub fn parameter(setting: &'a Setting, name: &'a str) -> Self {
        StartupParam {
            setting,
            sends: Sends::Parameter(name),
        }
    }
}

/// Whether a set-up configures TLS in its own settings (beside its URL).
pub(crate) fn sets_tls(c: &ClientSetup) -> bool {
    if let Some(js) = js::of(c.driver) {
        return matches!((js.tls)(c), js::Tls::On { .. } | js::Tls::Transport);
    }
    // Rust drivers: TLS connectors are judged by the Rust rules.
    python::of(c).is_some_and(|py| c.settings.iter().any(py.sets_tls))
}

/// An explicit connect timeout of a JavaScript or Python set-up, in seconds, with the
/// setting that gives it.
pub(crate) fn connect_timeout(c: &ClientSetup) -> Option<(&Setting, f64)> {
    if let Some(js) = js::of(c.driver) {
        return (js.connect_timeout)(c);
    }
    (python::of(c)?.connect_timeout)(c)
}

/// What a Python set-up's statement cache does, given what its URL says.
pub(crate) fn statement_cache(c: &ClientSetup, url: &python::UrlFacts) -> StatementCache {
    python::of(c).map_or(StatementCache::Off, |py| (py.statement_cache)(c, url))
}

/// The pool that hands out idle connections untested, if a Python set-up is one.
pub(crate) fn untested_pool(c: &ClientSetup, cx: &python::SetupContext) -> Option<UntestedPool> {
    if let Some(rs) = rust::of(c.driver) {
        return (rs.untested_pool)(c);
    }
    (python::of(c)?.untested_pool)(c, cx)
}

/// The settings a set-up sends in the startup packet.
pub(crate) fn startup_parameters(c: &ClientSetup) -> Vec<StartupParam<'_>> {
    if let Some(js) = js::of(c.driver) {
        return (js.startup_parameters)(c)
            .into_iter()
            .map(|s| {
                let param = s.name.rsplit('.').next().unwrap_or(&s.name);
                if param == "options" {
                    StartupParam::options(s, js::unquoted(&s.value))
                } else {
                    StartupParam::parameter(s, param)
                }
            })
            .collect();
    }
    if let Some(rs) = rust::of(c.driver) {
        return (rs.startup_parameters)(c);
    }
    python::of(c).map_or_else(Vec::new, |py| (py.startup_parameters)(c))
}
