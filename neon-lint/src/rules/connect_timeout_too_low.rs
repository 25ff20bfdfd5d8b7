use std::ops::Range;

use neon_lint_core::UrlInput;

use super::connection_values::{duration_secs, is_tls_connector, via, Judged, ResolvedUrl};
use super::url_rules::context_for;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::source::FileId;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds an explicit connect timeout under 5 seconds on a Neon connection: psycopg and
    /// psycopg2 `connect_timeout=`, asyncpg `timeout=`, SQLAlchemy
    /// `connect_args={"connect_timeout": ...}` / `{"timeout": ...}`, Django
    /// `OPTIONS["connect_timeout"]`; (Rust) sqlx and sea-orm `acquire_timeout` (a pool's
    /// first acquire includes connecting), sea-orm and tokio-postgres `connect_timeout`,
    /// deadpool `connect_timeout` / `create_timeout`, bb8 and r2d2 `connection_timeout`,
    /// and `connect_timeout=` in the URL given to the tokio-postgres family (sqlx ignores
    /// that parameter); (JavaScript) node-postgres and `@neondatabase/serverless` `Pool`
    /// `connectionTimeoutMillis` (milliseconds), postgres.js `connect_timeout` (seconds).
    ///
    /// ## Why is this bad?
    /// The first connection after a compute suspended wakes it up, which takes a few
    /// hundred milliseconds and sometimes seconds. A short timeout turns every cold start
    /// into an error (`timeout expired`, Prisma's `P1001: Can't reach database server`).
    ///
    /// ## Example
    /// ```python
    /// psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=2)
    /// ```
    ///
    /// ```js
    /// const pool = new Pool({ connectionString: process.env.DATABASE_URL, connectionTimeoutMillis: 2000 });
    /// ```
    ///
    /// ## Use instead
    /// 10 to 15 seconds, with retries and backoff, as Neon's connection-latency guide
    /// suggests.
    pub static CONNECT_TIMEOUT_TOO_LOW = {
        code: "NL041",
        name: "connect-timeout-too-low",
        level: Info,
        group: Reliability,
        summary: "connect timeout under 5 s on a Neon connection",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    // Rust: builder settings, and `connect_timeout=` in URLs tokio-postgres parses.
    for c in &project.clients {
        // JavaScript and Python: what the driver file says the timeout is.
        let javascript = crate::drivers::js::of(c.driver).is_some();
        if javascript || crate::drivers::python::of(c).is_some() {
            let Some((s, secs)) =
                crate::drivers::connect_timeout(c).filter(|(_, secs)| *secs < 5.0)
            else {
                continue;
            };
            let values = super::client_values::client_values(project, c);
            let Some(neon) = super::client_values::neon_value(project, config, &values) else {
                continue;
            };
            let written = if javascript {
                format!("`{}: {}` ({secs} s)", s.name, s.value)
            } else {
                format!("`{}={}` ({secs} s)", s.name, s.value)
            };
            out.push(too_low(c.file, s.span.clone(), &written, &neon));
            continue;
        }
        let Some(rs) = crate::drivers::rust::of(c.driver) else {
            continue;
        };
        let names = rs.connect_timeout_settings;
        if is_tls_connector(c) {
            continue;
        }
        let short = c.settings.iter().rev().find_map(|s| {
            let secs = duration_secs(&s.value)?;
            (names.contains(&s.name.as_str()) && secs > 0.0 && secs < 5.0).then_some(s)
        });
        let judged = Judged::of(project, &c.url, c.file);
        let Some(neon) = judged.neon(project, config) else {
            continue;
        };
        if let Some(s) = short {
            let written = format!("`{}({})`", s.name, s.value);
            out.push(too_low(c.file, s.span.clone(), &written, neon));
            continue;
        }
        // A parser that reads `connect_timeout` from the string (tokio-postgres).
        if !rs.url_parser.is_some_and(|p| p.reads_connect_timeout) {
            continue;
        }
        let ctx = context_for(project, neon.file, config);
        let input = UrlInput::new(&neon.text, &ctx);
        let Some(p) = input.info().and_then(|i| i.get("connect_timeout")) else {
            continue;
        };
        let Some(secs) = duration_secs(&p.value) else {
            continue;
        };
        if secs <= 0.0 || secs >= 5.0 {
            continue;
        }
        let span = if neon.file == c.file && neon.map.is_exact() {
            neon.map.range(p.span.clone())
        } else {
            c.span.clone()
        };
        let written = format!("`connect_timeout={}`", p.value);
        out.push(too_low(c.file, span, &written, neon));
    }
}

/// The finding at `span`: the timeout `written` (the setting with its value) is too short
/// for a cold start on the Neon connection `neon`.
fn too_low(file: FileId, span: Range<usize>, written: &str, neon: &ResolvedUrl) -> Diagnostic {
    Diagnostic::new(
        &CONNECT_TIMEOUT_TOO_LOW,
        file,
        span,
        format!(
            "{written} on a Neon connection{}: waking a suspended compute can take longer",
            via(neon)
        ),
        "cold starts take hundreds of milliseconds to seconds",
    )
    .help("use 10 to 15 seconds (with retries), as Neon recommends")
}
