use neon_lint_core::UrlInput;

use super::client_values::{value_context, via};
use super::connection_values::Judged;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::ToolUrlKind;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds a `schema.prisma` datasource whose `url` is a pooled (`-pooler`) URL and that
    /// has no `directUrl`, in a project without `prisma.config.ts` (Prisma 4.10 to 6). The
    /// `url` may be a literal or `env("VAR")` with the variable's value set in the project
    /// (`.env`, compose, CI).
    ///
    /// ## Why is this bad?
    /// Without `directUrl`, Prisma Migrate (`prisma migrate deploy|dev|reset`,
    /// `prisma db push`) connects to `url`: through Neon's pooler, PgBouncer in transaction
    /// mode. Migrate relies on a session advisory lock and on named prepared statements and
    /// fails with errors such as
    ///
    /// ```text
    /// Error: P3006 / Error undefined: Database error
    /// prepared statement "s0" already exists
    /// ```
    ///
    /// Neon's Prisma guide: the application uses the pooled string in `url`, and
    /// `directUrl` points Migrate at the direct host.
    ///
    /// ## Example
    /// ```prisma
    /// datasource db {
    ///   provider = "postgresql"
    ///   url      = env("DATABASE_URL") // ep-cool-rain-123456-pooler...
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```prisma
    /// datasource db {
    ///   provider  = "postgresql"
    ///   url       = env("DATABASE_URL")        // pooled, for the application
    ///   directUrl = env("DATABASE_URL_UNPOOLED") // direct, for Prisma Migrate
    /// }
    /// ```
    /// Prisma 7 moves the CLI's URL to `prisma.config.ts` (`datasource.url`, direct).
    ///
    /// ## References
    /// - Neon: Connect from Prisma ("Use connection pooling with Prisma", `directUrl`)
    /// - Neon: connection errors ("prepared statement \"s0\" already exists")
    pub static MISSING_DIRECT_URL = {
        code: "NL021",
        name: "missing-direct-url",
        level: Error,
        group: Migrations,
        summary: "Prisma datasource on a pooled `url` without `directUrl`",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    // Prisma 7: the CLI reads `prisma.config.ts`, not the schema.
    if project
        .tool_urls
        .iter()
        .any(|t| t.kind == ToolUrlKind::PrismaConfig)
    {
        return;
    }
    for url in project
        .tool_urls
        .iter()
        .filter(|t| t.kind == ToolUrlKind::PrismaUrl)
    {
        let has_direct = project
            .tool_urls
            .iter()
            .any(|t| t.file == url.file && t.kind == ToolUrlKind::PrismaDirectUrl);
        if has_direct {
            continue;
        }
        let values = Judged::of(project, &url.url, url.file).values;
        let Some(pooled) = values.iter().find(|v| {
            let ctx = value_context(project, v, config);
            UrlInput::new(&v.text, &ctx).is_pooled()
        }) else {
            continue;
        };
        let ctx = value_context(project, pooled, config);
        let input = UrlInput::new(&pooled.text, &ctx);
        let direct_host = input
            .neon()
            .and_then(|n| n.endpoint_id.clone())
            .map(|ep| format!(" (`{ep}`, without `-pooler`)"))
            .unwrap_or_default();
        out.push(
            Diagnostic::new(
                &MISSING_DIRECT_URL,
                url.file,
                url.span.clone(),
                format!(
                    "Prisma Migrate will run through the pooler: `url` is pooled{} and there is no `directUrl`",
                    via(pooled)
                ),
                "pooled `url`, no `directUrl` beside it",
            )
            .help(format!(
                "add `directUrl = env(\"DATABASE_URL_UNPOOLED\")` set to the direct host{direct_host}"
            )),
        );
    }
}
