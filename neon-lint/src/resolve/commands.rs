//! Migration commands -> migration runs: which URL a `sqlx migrate run`, `prisma migrate
//! deploy` or `alembic upgrade` in a script, Dockerfile, compose file or CI step really
//! runs on.
//!
//! A tool reads either a URL given on its command line, a fixed variable (`sqlx` and
//! `diesel` read `DATABASE_URL`), or the variable its own configuration names (Prisma's
//! `directUrl`, else `url`, or `prisma.config.ts`; Alembic's `env.py`; Django's
//! `DATABASES`; Drizzle's `dbCredentials.url`). That variable is looked up in the
//! command's scope (what the file sets around it); when the scope does not set it, a local
//! script inherits the project's values and a CI step or container knows nothing. An
//! unknowable value (`${{ secrets.X }}`) is never guessed.

use crate::project::Project;
use crate::site::{CommandUrl, ConfigTool, MigrationRun, ScopedVar, ToolUrlKind, UrlSource};

/// Turns every migration command into the migration runs its values give.
pub(super) fn resolve(project: &mut Project) {
    let mut runs = Vec::new();
    for cmd in &project.commands {
        let vars: Vec<String> = match &cmd.url {
            CommandUrl::Given(UrlSource::EnvVar(v)) | CommandUrl::Var(v) => vec![v.clone()],
            CommandUrl::Given(src) => {
                if !matches!(src, UrlSource::Unknown) {
                    runs.push(MigrationRun {
                        file: cmd.file,
                        span: cmd.span.clone(),
                        tool: cmd.tool.clone(),
                        work: cmd.work,
                        url: src.clone(),
                    });
                }
                continue;
            }
            CommandUrl::Config(tool) => config_vars(project, *tool),
        };
        for var in vars {
            let url = lookup(&cmd.env, &var, cmd.inherits_project_env, 0);
            if var == LIBPQ_HOST && url != UrlSource::Unknown {
                runs.extend(libpq_host_runs(project, cmd, &url));
                continue;
            }
            if url != UrlSource::Unknown {
                runs.push(MigrationRun {
                    file: cmd.file,
                    span: cmd.span.clone(),
                    tool: cmd.tool.clone(),
                    work: cmd.work,
                    url,
                });
            }
        }
    }
    project.migrations.extend(runs);
}

/// The variable libpq (`pg_dump`, `pg_restore`) reads its host from when no connection
/// string is given.
pub(crate) const LIBPQ_HOST: &str = "PGHOST";

/// `pg_dump` with no connection string: the host `PGHOST` names, as `host=...` (a bare
/// host is not a connection string). Mapped into the value's own file only when that is
/// the command's; elsewhere the run's findings point at the command.
fn libpq_host_runs(
    project: &Project,
    cmd: &crate::site::MigrationCommand,
    url: &UrlSource,
) -> Vec<MigrationRun> {
    let mut out = Vec::new();
    for v in super::resolve_source(project, url, cmd.file) {
        let host = v.text.trim();
        if host.is_empty() || host.contains(['=', '/', ' ', '$', '{']) {
            continue;
        }
        let map = if v.file == cmd.file {
            let mut b = crate::site::PiecesBuilder::default();
            b.shared(
                5,
                crate::site::OffsetMap::Opaque {
                    span: v.map.range(0..v.text.len()),
                },
            );
            b.shared(v.text.len(), v.map.clone());
            b.build()
        } else {
            crate::site::OffsetMap::Opaque {
                span: cmd.span.clone(),
            }
        };
        out.push(MigrationRun {
            file: cmd.file,
            span: cmd.span.clone(),
            tool: cmd.tool.clone(),
            work: cmd.work,
            url: UrlSource::Literal {
                text: format!("host={}", v.text),
                map,
            },
        });
    }
    out
}

/// The value of `name` for a command: its scope first (last setting wins), then the
/// project's values when the command inherits them.
fn lookup(scope: &[ScopedVar], name: &str, inherits: bool, depth: usize) -> UrlSource {
    match scope.iter().rev().find(|v| v.name == name) {
        Some(v) => match &v.value {
            // `DATABASE_URL: ${DIRECT_URL}`: follow, within the scope first.
            UrlSource::EnvVar(other) if depth < 4 && other != name => {
                match scope.iter().any(|s| &s.name == other) {
                    true => lookup(scope, other, inherits, depth + 1),
                    false => UrlSource::EnvVar(other.clone()),
                }
            }
            UrlSource::EnvVar(_) => UrlSource::Unknown,
            other => other.clone(),
        },
        None if inherits => UrlSource::EnvVar(name.to_string()),
        None => UrlSource::Unknown,
    }
}

/// The variables a tool's configuration in this project reads its migration URL from.
fn config_vars(project: &Project, tool: ConfigTool) -> Vec<String> {
    let of = |kinds: &[ToolUrlKind]| -> Vec<String> {
        let mut v: Vec<String> = project
            .tool_urls
            .iter()
            .filter(|t| kinds.contains(&t.kind))
            .filter_map(|t| match &t.url {
                UrlSource::EnvVar(n) => Some(n.clone()),
                _ => None,
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    match tool {
        ConfigTool::Prisma => {
            // Prisma 7's config file wins; then `directUrl`; then `url` (Prisma <= 6).
            for kinds in [
                &[ToolUrlKind::PrismaConfig][..],
                &[ToolUrlKind::PrismaDirectUrl],
                &[ToolUrlKind::PrismaUrl],
            ] {
                let v = of(kinds);
                if !v.is_empty() {
                    return v;
                }
            }
            Vec::new()
        }
        ConfigTool::Drizzle => of(&[ToolUrlKind::DrizzleConfig]),
        ConfigTool::Alembic => of(&[ToolUrlKind::AlembicMainOption]),
        ConfigTool::Django => of(&[ToolUrlKind::DjangoDatabases]),
    }
}
