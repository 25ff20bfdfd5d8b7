use std::path::{Path, PathBuf};

use neon_lint_core::{Placement, UrlInput};

use super::url_rules::context_for;
use crate::classify::FileKind;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::pins::{Ecosystem, PackagePin, Platform, VersionReq};
use crate::sni_clients::{
    image_libpq, is_libpq_package, older_than, SniClient, Workaround, ASYNCPG_TLS_DEFAULT,
    BUNDLED_LIBPQ, LIBPQ_SNI_MAJOR, SNI_CLIENTS, SYSTEM_LIBPQ_CLIENTS,
};
use neon_lint_core::Level;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds, in a program that connects to Neon, a pinned PostgreSQL client too old to
    /// send TLS SNI, at the line that pins it. "Connects to Neon" means a connection string
    /// or variable value on a Neon host, outside the docs, in a file of the pin's directory,
    /// of a directory above it (a root `.env`) or below it (`app/settings.py` beside a root
    /// `requirements.txt`); CI configuration (`.github/`...) counts for the whole
    /// repository. A Neon URL of a sibling service does not count. The pins:
    ///
    /// - Python: `psycopg2-binary` before 2.9.2 and `psycopg-binary` wheels that bundle a
    ///   libpq older than 14; `asyncpg` before 0.10 (no TLS), and before 0.22 as a warning
    ///   (TLS only when asked for), in `requirements*.txt`, `pyproject.toml`, `Pipfile`, `setup.cfg`,
    ///   `poetry.lock`, `uv.lock`, `pdm.lock` and `Pipfile.lock`;
    /// - Node: `postgres` (postgres.js) before 3.3.4, `pg` before 0.8.3, in
    ///   `package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`, and `package.json` ranges that
    ///   cannot reach the fixed version (`"3.3.3"`, `"<3.3.4"`; `"~3.3.0"` can);
    /// - Go: `github.com/lib/pq` before v1.10.7, `github.com/jackc/pgx/v4` before v4.18.0
    ///   (unless `github.com/jackc/pgconn` v1.14.0 or newer is required), pgconn before
    ///   v1.14.0, pgx v5 before v5.0.0-beta.3, in `go.mod`;
    /// - Ruby: Windows binary `pg` gems before 1.3.0 in `Gemfile.lock`;
    /// - Elixir: `postgrex` before 0.18.0 in `mix.lock` (it needs
    ///   `ssl: [server_name_indication: ...]` before);
    /// - conda: `libpq` / `postgresql` held below 14 in `environment.yml` (and its `pip:`
    ///   list, read as requirements);
    /// - Dockerfiles: `apt-get install libpq5` / `libpq-dev` / `postgresql-client` (or
    ///   `apk add libpq` ...) on a base whose libpq is older than 14 (Debian 10 and 11,
    ///   Ubuntu 20.04, Alpine 3.14 and older) unless the PostgreSQL apt repository is
    ///   added, an explicit `libpq5=13.*` pin, and base images that already carry an old
    ///   libpq (`python:<v>-bullseye`, `buildpack-deps:bullseye`, `postgres:13-alpine`)
    ///   when the project has a client that loads the system's libpq (`psycopg2` from
    ///   source, `psycopg` without its binary package, `pg-native`, the `pg` source gem,
    ///   `pq-sys` without `bundled`).
    ///
    /// Some wheels bundled an old libpq on some platforms only (`psycopg2-binary` 2.9.2 to
    /// 2.9.5 on aarch64 Linux and musllinux; `psycopg-binary` before 3.0.15 there). Those
    /// are errors when the project's own files show the platform (a Dockerfile
    /// `--platform=linux/arm64`, an Alpine base image), and warnings otherwise.
    ///
    /// Rust crates are not reported: every `tokio-postgres` TLS connector, sqlx 0.4+ and
    /// pq-sys's bundled libpq (16+) send SNI. Cargo.lock is read for `pq-sys` / `pq-src`,
    /// which decide whether diesel loads the system libpq.
    ///
    /// ## Why is this bad?
    /// Neon's proxy routes each connection by the server name the client sends in the TLS
    /// handshake (SNI). libpq sends it only from PostgreSQL 14; older clients connect, the
    /// proxy cannot tell which endpoint is meant, and the connection fails. The proxy says
    /// (current wording, in its source):
    ///
    /// ```text
    /// ERROR: Endpoint ID is not specified. Either please upgrade the postgres client library (libpq) for SNI support or pass the endpoint ID (first part of the domain name) as a parameter: '?options=endpoint%3D<endpoint-id>'. See more at https://neon.tech/sni
    /// ```
    ///
    /// Neon's documentation prints it as `ERROR: The endpoint ID is not specified. Either
    /// upgrade the Postgres client library (libpq) for SNI support or pass the endpoint ID
    /// (the first part of the domain name) as a parameter: '&options=endpoint%3D'.` Older
    /// proxies said:
    ///
    /// ```text
    /// SNI info is missing, please upgrade the postgres client library
    /// SNI is missing. EITHER please upgrade the postgres client library OR pass the project name as a parameter: '...&options=project%3D<project-name>...'.
    /// Project name is not specified. EITHER please upgrade the postgres client library OR pass the project name as a parameter: '...&options=project%3D<project-name>...'.
    /// ```
    ///
    /// Drivers wrap the text: pgx prints `server error (ERROR: Endpoint ID is not
    /// specified. ... (SQLSTATE XX000))`, postgres.js `PostgresError: Endpoint ID is not
    /// specified`, psql 13 adds `connection is insecure (try using sslmode=require)` after
    /// retrying without TLS. With `channel_binding=require` an old libpq hides the cause:
    /// `channel binding required but not supported by server's authentication request`.
    ///
    /// ## Example
    /// ```text
    /// # requirements.txt
    /// psycopg2-binary==2.8.6
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// psycopg2-binary>=2.9.2
    /// ```
    ///
    /// Where an upgrade is impossible, name the endpoint another way: libpq-based clients
    /// take `options=endpoint%3D<endpoint-id>` in the connection string; Go drivers before
    /// their SNI release set the server name under `sslmode=verify-full`; any client that
    /// accepts a cleartext password request can send `endpoint=<endpoint-id>;<password>` as
    /// the password (Neon plans to deprecate that route).
    ///
    /// ## References
    /// - <https://neon.tech/docs/connect/connection-errors> ("The endpoint ID is not specified")
    /// - libpq `sslsni` (PostgreSQL 14): <https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-SSLSNI>
    /// - psycopg2 `NEWS` (2.9.2: "PostgreSQL 14.1 libpq"; 2.9.6: manylinux2014 aarch64 with libpq 15)
    /// - postgres.js 3.3.4 "Set servername on tls connect"; lib/pq v1.10.7; pgconn v1.14.0
    pub static CLIENT_WITHOUT_SNI = {
        code: "NL052",
        name: "client-without-sni",
        level: Error,
        group: Python,
        summary: "a pinned client or libpq too old to send TLS SNI, in a program that connects to Neon",
        fixable: false,
    };
}

/// Whether every version `req` allows is older than `first`.
fn only_older(req: &VersionReq, first: &str) -> bool {
    match req {
        VersionReq::Exact(v) => older_than(v, first) == Some(true),
        VersionReq::Below { version, inclusive } => {
            if *inclusive {
                older_than(version, first) == Some(true)
            } else {
                older_than(first, version) == Some(false)
            }
        }
        VersionReq::Open => false,
    }
}

/// The versions a pin allows, for messages (`2.8.6`, `below 0.22`).
fn shown(req: &VersionReq) -> String {
    match req {
        VersionReq::Exact(v) => v.clone(),
        VersionReq::Below {
            version,
            inclusive: true,
        } => format!("up to {version}"),
        VersionReq::Below { version, .. } => format!("below {version}"),
        VersionReq::Open => "any".into(),
    }
}

fn platform_name(p: Platform) -> &'static str {
    match p {
        Platform::LinuxArm64 => "aarch64 Linux",
        Platform::Musl => "musl Linux (Alpine)",
    }
}

/// `path:line` of the first evidence for `p` in the program of `file`.
fn platform_evidence(project: &Project, file: usize, p: Platform) -> Option<String> {
    let h = project.platforms.iter().find(|h| {
        h.platform == p && same_program(&project.files[h.file].path, &project.files[file].path)
    })?;
    let f = &project.files[h.file];
    Some(format!(
        "`{}:{}`",
        f.display,
        f.lines.line_of(h.span.start) + 1
    ))
}

fn row_for(pin: &PackagePin) -> Option<&'static SniClient> {
    SNI_CLIENTS.iter().find(|r| {
        r.ecosystem == pin.ecosystem
            && r.package == pin.package
            && (r.variants.is_empty()
                || pin
                    .variant
                    .as_deref()
                    .is_some_and(|v| r.variants.iter().any(|w| v.contains(w))))
    })
}

/// Whether another pin of the same file fixes this one (pgx v4 with pgconn v1.14.0+).
fn fixed_elsewhere(project: &Project, pin: &PackagePin, row: &SniClient) -> bool {
    let Some((package, first)) = row.fixed_by else {
        return false;
    };
    project.pins.iter().any(|p| {
        p.file == pin.file
            && p.ecosystem == pin.ecosystem
            && p.package == package
            && matches!(&p.version, VersionReq::Exact(v) if older_than(v, first) == Some(false))
    })
}

fn help(upgrade: String, workaround: Workaround) -> String {
    format!("{upgrade}; if you cannot upgrade, {}", workaround.text())
}

/// A connection string (or variable value) on a Neon host outside the docs: where it is,
/// and the endpoint ID it names.
struct NeonUse {
    /// The directory of the program it configures.
    dir: PathBuf,
    endpoint: Option<String>,
}

/// The directory a file configures: its own, except CI configuration (`.github/`,
/// `.circleci/`, `.gitlab/`, `.buildkite/`), which configures the repository it sits in.
fn program_dir(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new(""));
    for a in dir.ancestors() {
        let name = a
            .file_name()
            .map(|n| n.to_string_lossy().to_ascii_lowercase());
        if matches!(
            name.as_deref(),
            Some(".github" | ".circleci" | ".gitlab" | ".buildkite")
        ) {
            return a.parent().unwrap_or(Path::new("")).to_path_buf();
        }
    }
    dir.to_path_buf()
}

/// Whether two files belong to the same program: one's directory holds the other's.
fn same_program(a: &Path, b: &Path) -> bool {
    let (x, y) = (program_dir(a), program_dir(b));
    x.starts_with(&y) || y.starts_with(&x)
}

fn neon_uses(project: &Project, config: &Config) -> Vec<NeonUse> {
    let mut out = Vec::new();
    for u in &project.urls {
        if u.placement == Placement::Docs {
            continue;
        }
        let ctx = context_for(project, u.file, config);
        let input = UrlInput::new(&u.text, &ctx);
        if !input.is_neon() {
            continue;
        }
        out.push(NeonUse {
            dir: program_dir(&project.files[u.file].path),
            // The option must match the host's first label as written (`-pooler` included).
            endpoint: input
                .neon()
                .filter(|n| n.endpoint_id.is_some())
                .map(|n| n.first_label.clone()),
        });
    }
    out
}

/// The Neon evidence for a pin in `path`: a Neon use in the same program, i.e. in its
/// directory, one above it (a root `.env`) or one below it (`app/settings.py` beside a root
/// `requirements.txt`). `None`: none (a sibling service's Neon URL does not count);
/// `Some(id)`: the endpoint ID when those uses name one.
fn neon_for(uses: &[NeonUse], path: &Path) -> Option<Option<String>> {
    let dir = program_dir(path);
    let mut ids: Vec<&Option<String>> = Vec::new();
    for u in uses {
        if (dir.starts_with(&u.dir) || u.dir.starts_with(&dir)) && !ids.contains(&&u.endpoint) {
            ids.push(&u.endpoint);
        }
    }
    match ids.as_slice() {
        [] => None,
        [one] => Some((*one).clone()),
        _ => Some(None),
    }
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    if project.pins.is_empty() {
        return;
    }
    let mut uses = None;
    for pin in &project.pins {
        let found = match pin.ecosystem {
            Ecosystem::Apt | Ecosystem::Apk | Ecosystem::Conda => system_package(pin),
            Ecosystem::DockerImage => base_image(project, pin),
            _ => client(project, pin),
        };
        let Some((level, message, label, mut help)) = found else {
            continue;
        };
        let uses = uses.get_or_insert_with(|| neon_uses(project, config));
        let Some(id) = neon_for(uses, &project.files[pin.file].path) else {
            continue;
        };
        // The workaround with this program's endpoint ID filled in.
        if let Some(id) = id {
            help = help.replace("<endpoint-id>", &id);
        }
        out.push(
            Diagnostic::new(
                &CLIENT_WITHOUT_SNI,
                pin.file,
                pin.span.clone(),
                message,
                label,
            )
            .level(level)
            .help(help),
        );
    }
}

type Found = (Level, String, String, String);

const CONSEQUENCE: &str =
    "Neon's proxy cannot tell which endpoint is meant (`Endpoint ID is not specified`)";

fn client(project: &Project, pin: &PackagePin) -> Option<Found> {
    let row = row_for(pin)?;
    if fixed_elsewhere(project, pin, row) {
        return None;
    }
    if let Some(other) = row.reported_through {
        let pinned_too = project
            .pins
            .iter()
            .any(|p| p.file == pin.file && p.ecosystem == pin.ecosystem && p.package == other);
        if pinned_too {
            return None;
        }
    }
    // `psycopg[binary]`: the extras are what select the wheel.
    let name = &match (&pin.variant, pin.ecosystem) {
        (Some(extras), Ecosystem::PyPi) => format!("{}[{extras}]", pin.package),
        _ => pin.package.clone(),
    };
    let version = shown(&pin.version);
    if only_older(&pin.version, row.fixed) {
        return Some((
            Level::Error,
            format!("`{name}` {version} {}: {CONSEQUENCE}", row.cause),
            "sends no SNI".into(),
            help(
                format!(
                    "upgrade to `{name}` {} or newer, the first version that sends SNI",
                    row.fixed
                ),
                row.workaround,
            ),
        ));
    }
    let missing: Vec<(Platform, &str)> = row
        .platform_fixed
        .iter()
        .filter(|(_, first)| only_older(&pin.version, first))
        .copied()
        .collect();
    if !missing.is_empty() {
        let newest = missing.iter().map(|m| m.1).max_by(|a, b| {
            if older_than(a, b) == Some(true) {
                std::cmp::Ordering::Less
            } else {
                std::cmp::Ordering::Greater
            }
        })?;
        let shown_on: Vec<(Platform, String)> = missing
            .iter()
            .filter_map(|(p, _)| platform_evidence(project, pin.file, *p).map(|e| (*p, e)))
            .collect();
        let platforms = missing
            .iter()
            .map(|(p, _)| platform_name(*p))
            .collect::<Vec<_>>()
            .join(" and ");
        let upgrade = help(
            format!("upgrade to `{name}` {newest} or newer, the first version whose wheels for {platforms} bundle libpq 14 or newer"),
            row.workaround,
        );
        if let Some((p, evidence)) = shown_on.first() {
            return Some((
                Level::Error,
                format!(
                    "`{name}` {version} bundles a libpq older than 14 in its {} wheels, and this project builds for {} ({evidence}): {CONSEQUENCE}",
                    platform_name(*p),
                    platform_name(*p)
                ),
                format!("sends no SNI on {}", platform_name(*p)),
                upgrade,
            ));
        }
        return Some((
            Level::Warn,
            format!(
                "`{name}` {version} sends SNI on x86_64 Linux, macOS and Windows, but its {platforms} wheels bundle a libpq older than 14: if it runs there, {CONSEQUENCE}"
            ),
            format!("no SNI on {platforms}"),
            upgrade,
        ));
    }
    if row.package == "asyncpg" && only_older(&pin.version, ASYNCPG_TLS_DEFAULT) {
        return Some((
            Level::Warn,
            format!("`asyncpg` {version} uses TLS only when `ssl=` (or `sslmode=` in the DSN) asks for it, and without TLS no SNI reaches Neon"),
            "TLS off by default".into(),
            format!("upgrade to `asyncpg` {ASYNCPG_TLS_DEFAULT} or newer (TLS `prefer` by default), or ask for TLS at every `connect`/`create_pool`: `ssl=True` or an `ssl.SSLContext` (any version with TLS), or `ssl=\"require\"` / `sslmode=require` in the DSN (0.21)"),
        ));
    }
    None
}

/// The libpq major of a version string (`13.*`, `13.16-0+deb11u1`, `14.4-1.pgdg20.04+1`).
fn major(v: &str) -> Option<u32> {
    // Debian epochs (`1:13.3-1`) come first.
    let v = v.split_once(':').map_or(v, |(_, r)| r);
    v.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

fn system_package(pin: &PackagePin) -> Option<Found> {
    if !is_libpq_package(pin.ecosystem, &pin.package) {
        return None;
    }
    let pkg = &pin.package;
    let libpq_help = || {
        let upgrade = if pin.ecosystem == Ecosystem::Conda {
            "pin libpq 14 or newer (`libpq>=14`)".to_string()
        } else {
            "build on a release whose libpq is 14 or newer (Debian 12 bookworm, Ubuntu 22.04, Alpine 3.15 or later), or install libpq from the PostgreSQL apt repository (apt.postgresql.org)".to_string()
        };
        help(upgrade, Workaround::LibpqOptions)
    };
    if let VersionReq::Exact(v) = &pin.version {
        // An explicit `libpq5=13.*` (or conda `libpq=13.3`) decides whatever the base.
        if let Some(m) = major(v).filter(|&m| m < LIBPQ_SNI_MAJOR && m > 0) {
            return Some((
                Level::Error,
                format!("`{pkg}={v}` installs libpq {m}, and libpq sends SNI only from 14: {CONSEQUENCE}"),
                "libpq older than 14".into(),
                libpq_help(),
            ));
        }
        return None;
    }
    if matches!(pin.version, VersionReq::Below { .. }) {
        if only_older(&pin.version, "14") {
            return Some((
                Level::Error,
                format!(
                    "`{pkg}` is held {}, and libpq sends SNI only from 14: {CONSEQUENCE}",
                    shown(&pin.version)
                ),
                "libpq older than 14".into(),
                libpq_help(),
            ));
        }
        return None;
    }
    if pin.variant.as_deref() == Some("pgdg") {
        return None;
    }
    let (release, m) = image_libpq(pin.base_image.as_deref()?).system?;
    if m >= LIBPQ_SNI_MAJOR {
        return None;
    }
    Some((
        Level::Error,
        format!("`{pkg}` on {release} installs libpq {m}, and libpq sends SNI only from 14: {CONSEQUENCE}"),
        format!("libpq {m}"),
        libpq_help(),
    ))
}

/// The first client of the program of `file` that loads the system's libpq, for messages.
fn system_libpq_client(project: &Project, file: usize) -> Option<String> {
    let here = &project.files[file].path;
    let near = |f: usize| same_program(&project.files[f].path, here);
    let bundled = |eco: Ecosystem, pkg: &str| {
        BUNDLED_LIBPQ
            .iter()
            .filter(|(e, p, _)| *e == eco && *p == pkg)
            .any(|(_, _, with)| {
                project
                    .pins
                    .iter()
                    .any(|p| p.ecosystem == eco && p.package == *with && near(p.file))
                    || (eco == Ecosystem::PyPi
                        && project.manifests.iter().any(|m| {
                            near(m.file)
                                && (m.package == *with
                                    || (m.package == pkg
                                        && m.features.iter().any(|f| f == "binary")))
                        }))
            })
    };
    for (eco, pkg) in SYSTEM_LIBPQ_CLIENTS {
        let pinned = project.pins.iter().find(|p| {
            p.ecosystem == *eco && p.package == *pkg && p.variant.is_none() && near(p.file)
        });
        let file = pinned.map(|p| p.file).or_else(|| {
            (*eco == Ecosystem::PyPi)
                .then(|| {
                    project
                        .manifests
                        .iter()
                        .find(|m| {
                            m.package == *pkg
                                && project.files[m.file].kind == FileKind::PythonManifest
                                && near(m.file)
                        })
                        .map(|m| m.file)
                })
                .flatten()
        });
        if let Some(file) = file {
            if !bundled(*eco, pkg) {
                return Some(format!("`{pkg}` (`{}`)", project.files[file].display));
            }
        }
    }
    None
}

fn base_image(project: &Project, pin: &PackagePin) -> Option<Found> {
    let image = pin.base_image.as_deref()?;
    let info = image_libpq(image);
    let m = info.preinstalled.filter(|&m| m < LIBPQ_SNI_MAJOR)?;
    // An install of libpq in the same file is reported at its own line.
    let installs = project.pins.iter().any(|p| {
        p.file == pin.file
            && p.base_image.as_deref() == Some(image)
            && is_libpq_package(p.ecosystem, &p.package)
    });
    if installs {
        return None;
    }
    let user = system_libpq_client(project, pin.file)?;
    let release = info
        .system
        .map(|(r, _)| format!(" ({r})"))
        .unwrap_or_default();
    Some((
        Level::Error,
        format!("`{image}`{release} carries libpq {m}, which {user} loads, and libpq sends SNI only from 14: {CONSEQUENCE}"),
        format!("libpq {m}"),
        help(
            "use a base whose libpq is 14 or newer (`-bookworm`, `-trixie`, Alpine 3.15 or later, `postgres:14-alpine` or newer)".into(),
            Workaround::LibpqOptions,
        ),
    ))
}
