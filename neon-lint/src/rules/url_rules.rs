//! Runs the core's URL rules on every connection string found, mapping spans and fixes from
//! string offsets to file bytes.

use neon_lint_core::rule::{Applicability, Fix, UrlFinding};
use neon_lint_core::{UrlContext, UrlInput};

use super::pooled_url_in_direct_variable::says_direct;
use crate::config::Config;
use crate::diagnostic::{Diagnostic, FileEdit, FileFix};
use crate::project::Project;
use crate::site::{Assembled, Inexact, UrlSite};

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    for site in &project.urls {
        let mut ctx = context(site, config);
        ctx.tls_beside = super::client_values::tls_beside(project, site);
        ctx.reader = reader_of(project, site);
        let input = UrlInput::new(&site.text, &ctx);
        for f in neon_lint_core::rules::check_all(&input) {
            // A pooled URL in a variable named for direct use is reported once, by
            // `pooled-url-in-direct-variable`, which can say more.
            if f.rule.code == "NL020" && site.key.as_deref().is_some_and(|k| says_direct(k, config))
            {
                continue;
            }
            // A password written beside its URL (Spring): the URL's own site has the rest.
            let assembled = site.assembled();
            if matches!(assembled, Assembled::PasswordBeside | Assembled::Pgpass)
                && f.rule.code != "NL060"
            {
                continue;
            }
            let mut d = to_diagnostic(site, f);
            reword(assembled, &mut d);
            // A `.pgpass` is the right place for a password, as long as git does not track it.
            if assembled == Assembled::Pgpass {
                if !project.git.is_tracked(&project.files[site.file].path) {
                    continue;
                }
                d.message = "`.pgpass` with a Neon password is tracked by git".into();
                d.help = Some("`git rm --cached` the file, add it to `.gitignore`, and rotate the password (it is in the history now)".into());
                out.push(d);
                continue;
            }
            if let Some(key) = site
                .key
                .as_deref()
                .filter(|_| assembled == Assembled::PasswordBeside)
            {
                d.message = format!("Neon password committed in `{key}`, beside its Neon URL");
                d.help = Some("take the value from the environment instead (Spring resolves `${...}` placeholders), give it from a secret store at run time, and rotate the password (it is in the history now)".into());
            }
            out.push(d);
        }
    }
}

/// The core's findings worded for a string assembled from other settings: there is no URL
/// to append to, the parameters are written where those settings are.
fn reword(assembled: Assembled, d: &mut Diagnostic) {
    let (help, message): (Option<&str>, Option<&str>) = match (assembled, d.rule.code) {
        // Django hands `OPTIONS` to the driver as connection parameters.
        (Assembled::DjangoDatabases, "NL001") => (
            Some("add `\"OPTIONS\": {\"sslmode\": \"require\"}` to this `DATABASES` entry (Django passes `OPTIONS` to the driver as connection parameters); Neon refuses plaintext connections"),
            None,
        ),
        (Assembled::DjangoDatabases, "NL003") => (
            Some("add `\"channel_binding\": \"require\"` to this entry's `OPTIONS`, or use `\"sslmode\": \"verify-full\"` (with `\"sslrootcert\": \"system\"` on libpq 16+)"),
            None,
        ),
        (Assembled::DjangoDatabases, "NL060") => (
            Some("read `PASSWORD` from the environment (`os.environ[...]`) or a secret store, and rotate the password (it is in the history now)"),
            Some("Neon password committed in a `DATABASES` entry"),
        ),
        // `psycopg.connect(host=..., ...)`: libpq parameters as keyword arguments.
        (Assembled::KeywordArguments, "NL001") => (
            Some("pass `sslmode=\"require\"` to the call: Neon refuses plaintext connections (\"connection is insecure\")"),
            Some("connection to a Neon host without `sslmode`"),
        ),
        (Assembled::KeywordArguments, "NL003") => (
            Some("pass `channel_binding=\"require\"` too, or `sslmode=\"verify-full\"` (with `sslrootcert=\"system\"` on libpq 16+)"),
            None,
        ),
        (Assembled::KeywordArguments, "NL060") => (
            Some("read the password from the environment or a secret store, and rotate it (it is in the history now)"),
            Some("Neon password committed in a keyword argument"),
        ),
        // libpq's `PG*` variables: the parameter is another variable of the same
        // environment.
        (Assembled::LibpqEnv, "NL001") => (
            Some("set `PGSSLMODE=require` (or `verify-full`) in the same environment as `PGHOST`; Neon refuses plaintext connections"),
            Some("`PGHOST` names a Neon host and no `PGSSLMODE` is set beside it: libpq then uses `sslmode=prefer`, which falls back to plaintext and never checks the server"),
        ),
        (Assembled::LibpqEnv, "NL002") => (
            Some("set `PGSSLMODE=require` (or `verify-full`): Neon refuses plaintext connections"),
            None,
        ),
        (Assembled::LibpqEnv, "NL003") => (
            Some("set `PGCHANNELBINDING=require` beside it, or `PGSSLMODE=verify-full` (with `PGSSLROOTCERT=system` on libpq 16+)"),
            None,
        ),
        (Assembled::LibpqEnv, "NL060") => (
            Some("set `PGPASSWORD` from a secret store at run time (CI secrets, the platform's environment), and rotate the password (it is in the history now)"),
            Some("Neon password committed in `PGPASSWORD`, beside a Neon `PGHOST`"),
        ),
        _ => (None, None),
    };
    // The whole help: `--fix` cannot edit an assembled string, and saying why would only
    // talk about its pieces.
    if let Some(h) = help {
        d.help = Some(h.to_string());
    }
    if let Some(m) = message {
        d.message = m.to_string();
    }
}

/// The core's view of a site's surroundings.
///
/// A variable named for direct use (`DATABASE_URL_UNPOOLED`, `DIRECT_URL`) holds the URL
/// migrations and other session-level work use, so its role is Migration.
pub(crate) fn context(site: &UrlSite, config: &Config) -> UrlContext {
    let direct_key = site.key.as_deref().is_some_and(|k| says_direct(k, config));
    let role = if site.role == neon_lint_core::Role::Unknown && direct_key {
        neon_lint_core::Role::Migration
    } else {
        site.role
    };
    UrlContext {
        role,
        role_evidence: site.role_evidence.clone(),
        placement: site.placement,
        tls_beside: false,
        overrides: config.hosts.clone(),
        reader: neon_lint_core::Reader::Unknown,
    }
}

/// Who reads the string at `site`: the driver whose call takes it as a literal, Prisma for
/// `schema.prisma`; otherwise unknown (a value in `.env` may be read by several programs).
pub(crate) fn reader_of(project: &Project, site: &UrlSite) -> neon_lint_core::Reader {
    if project.files[site.file].kind == crate::classify::FileKind::Prisma {
        return neon_lint_core::Reader::Prisma;
    }
    project
        .clients
        .iter()
        .find(|c| {
            c.file == site.file
                && matches!(&c.url, crate::site::UrlSource::Literal { text, map }
                    if text == &site.text && map == &site.map)
        })
        .map_or(neon_lint_core::Reader::Unknown, |c| c.driver.reader())
}

/// The context for a value written in `file` whose use is otherwise unknown.
pub(crate) fn context_for(
    project: &Project,
    file: crate::source::FileId,
    config: &Config,
) -> UrlContext {
    UrlContext {
        placement: crate::site::placement_of(&project.files[file]),
        overrides: config.hosts.clone(),
        ..UrlContext::default()
    }
}

/// A URL finding placed in the site's file.
pub(crate) fn to_diagnostic(site: &UrlSite, f: UrlFinding) -> Diagnostic {
    let map = &site.map;
    let mut help = f.help;
    let fix = f.fix.and_then(|fix| {
        let safe = fix.applicability == Applicability::Safe;
        match file_fix(site, fix) {
            Ok(fix) => Some(fix),
            Err(why) => {
                // A suggestion shown for a human to judge just goes; a safe fix `--fix`
                // would have made is explained.
                if safe {
                    help = Some(not_fixed_help(help.take(), why));
                }
                None
            }
        }
    });
    Diagnostic::new(f.rule, site.file, map.range(f.span), f.message, f.label)
        .maybe_help(help)
        .secondary(
            f.secondary
                .into_iter()
                .map(|(r, l)| (map.range(r), l))
                .collect(),
        )
        .maybe_fix(fix)
}

/// A fix in the value's terms as file edits, when every edit maps exactly (the one check
/// is [`crate::site::OffsetMap::edit`]); the value the fix means to produce goes with it.
pub(crate) fn file_fix(site: &UrlSite, fix: Fix) -> Result<FileFix, Inexact> {
    let len = site.text.len();
    let mut edits = Vec::with_capacity(fix.edits.len());
    let mut sorted = fix.edits.clone();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let mut intended = String::with_capacity(len + 32);
    let mut last = 0;
    for e in &sorted {
        if e.range.start < last
            || site.text.get(last..e.range.start).is_none()
            || site.text.get(e.range.clone()).is_none()
        {
            return Err(Inexact::OutOfRange);
        }
        let range = site.map.edit(&site.text, e.range.clone(), &e.content)?;
        intended.push_str(&site.text[last..e.range.start]);
        intended.push_str(&e.content);
        last = e.range.end;
        edits.push(FileEdit {
            range,
            content: e.content.clone(),
        });
    }
    intended.push_str(&site.text[last..]);
    Ok(FileFix {
        applicability: fix.applicability,
        title: fix.title,
        edits,
        intended: Some(intended),
    })
}

/// The rule's help, and why `--fix` leaves this one to a human.
fn not_fixed_help(help: Option<String>, why: Inexact) -> String {
    let tail = format!(
        "not fixed automatically: {}; make the change where the whole value is written",
        why.reason()
    );
    // A sentence of its own: the help may end in a parenthesis already.
    match help {
        Some(h) => format!("{h}; {tail}"),
        None => tail,
    }
}
