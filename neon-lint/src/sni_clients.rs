//! Which client versions send TLS SNI, the one place that knows it. Readers record which
//! versions files ask for ([`crate::site::pins`]); the `client-without-sni` rule asks this
//! table what those versions mean. Every row cites `reference/sni-clients.md` (the
//! section in brackets), which gives the primary sources.

use crate::site::pins::{Ecosystem, Platform};
use crate::version::Version;

/// How a Neon user gets the endpoint ID through when the client cannot send SNI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Workaround {
    /// libpq-based: `options=endpoint%3D<id>` in the URL (libpq forwards `options`), or
    /// the password form.
    LibpqOptions,
    /// Go drivers before their SNI release set the TLS server name under
    /// `sslmode=verify-full` [§5 C].
    GoVerifyFull,
    /// Postgrex before 0.18: `ssl: [server_name_indication: ~c"<host>"]` (Neon's driver
    /// table).
    PostgrexSslOpts,
    /// Only the password form `endpoint=<id>;<password>` [§5 D].
    Password,
}

impl Workaround {
    /// The workaround spelled out, for a help text.
    pub fn text(self) -> &'static str {
        match self {
            Workaround::LibpqOptions => {
                "add `options=endpoint%3D<endpoint-id>` to the connection string (`<endpoint-id>` is the first label of the host as written, `-pooler` included on a pooled host: Neon's proxy refuses an option that differs from the name a client sends as SNI), or give the password as `endpoint=<endpoint-id>;<password>`"
            }
            Workaround::GoVerifyFull => {
                "use `sslmode=verify-full` (these versions set the TLS server name only in that mode), or give the password as `endpoint=<endpoint-id>;<password>`"
            }
            Workaround::PostgrexSslOpts => {
                "pass the host name for SNI yourself: `ssl: [server_name_indication: ~c\"<your Neon host>\"]` (a charlist) in the Repo or Postgrex options, or give the password as `endpoint=<endpoint-id>;<password>`"
            }
            Workaround::Password => {
                "give the password as `endpoint=<endpoint-id>;<password>` (`$` instead of `;` where `;` is refused): Neon's proxy then asks for the password in cleartext, inside TLS, and reads the endpoint from it"
            }
        }
    }
}

/// A client package whose old versions send no SNI.
#[derive(Debug)]
pub struct SniClient {
    /// Registry.
    pub ecosystem: Ecosystem,
    /// Package name as [`crate::site::pins::PackagePin::package`] holds it.
    pub package: &'static str,
    /// Why old versions send no SNI, completing "`<package>` <version> ...".
    pub cause: &'static str,
    /// First version that sends SNI on the usual platform (glibc x86_64, macOS, Windows).
    pub fixed: &'static str,
    /// Later first versions on other platforms (wheels that bundled an old libpq there).
    pub platform_fixed: &'static [(Platform, &'static str)],
    /// Only builds whose variant (gem platform) contains one of these words; empty: all.
    pub variants: &'static [&'static str],
    /// A package that, pinned at this version or newer, fixes this one (pgx v4 gets SNI
    /// from pgconn).
    pub fixed_by: Option<(&'static str, &'static str)>,
    /// The package users upgrade instead, when the same file pins it too (pgconn is
    /// reported through pgx v4, which pins it).
    pub reported_through: Option<&'static str>,
    /// How to get through without upgrading.
    pub workaround: Workaround,
}

/// Rows, by ecosystem.
pub static SNI_CLIENTS: &[SniClient] = &[
    // [§2, §4a] psycopg2-binary wheels bundle libpq: 11 (2.8.x), 13 (2.9.0-2.9.1), 14.1
    // from 2.9.2; aarch64 and musllinux wheels only from 2.9.6.
    SniClient {
        ecosystem: Ecosystem::PyPi,
        package: "psycopg2-binary",
        cause: "bundles a libpq older than 14 in its wheels, and libpq sends SNI only from 14",
        fixed: "2.9.2",
        platform_fixed: &[(Platform::LinuxArm64, "2.9.6"), (Platform::Musl, "2.9.6")],
        variants: &[],
        fixed_by: None,
        reported_through: None,
        workaround: Workaround::LibpqOptions,
    },
    // [§2, §4b] psycopg-binary: libpq 14 on glibc x86_64 and Windows from 3.0.0; aarch64 and
    // musllinux bundled 9.6 / 12 until 3.0.15.
    SniClient {
        ecosystem: Ecosystem::PyPi,
        package: "psycopg-binary",
        cause: "bundles a libpq older than 14 in its wheels, and libpq sends SNI only from 14",
        fixed: "3.0.0",
        platform_fixed: &[(Platform::LinuxArm64, "3.0.15"), (Platform::Musl, "3.0.15")],
        variants: &[],
        fixed_by: None,
        reported_through: None,
        workaround: Workaround::LibpqOptions,
    },
    // [§2] `psycopg[binary]==X` installs psycopg-binary X: the same wheels.
    SniClient {
        ecosystem: Ecosystem::PyPi,
        package: "psycopg",
        cause: "with the `binary` extra bundles a libpq older than 14 in its wheels, and libpq sends SNI only from 14",
        fixed: "3.0.0",
        platform_fixed: &[(Platform::LinuxArm64, "3.0.15"), (Platform::Musl, "3.0.15")],
        variants: &["binary"],
        fixed_by: None,
        reported_through: None,
        workaround: Workaround::LibpqOptions,
    },
    // [§2] asyncpg has no TLS before 0.10.0 (see `TLS_DEFAULT_ON` for 0.10-0.21).
    SniClient {
        ecosystem: Ecosystem::PyPi,
        package: "asyncpg",
        cause: "has no TLS support, so it cannot send SNI",
        fixed: "0.10.0",
        platform_fixed: &[],
        variants: &[],
        fixed_by: None,
        reported_through: None,
        workaround: Workaround::Password,
    },
    // [§2] postgres.js sets `servername` on its TLS upgrade from 3.3.4.
    SniClient {
        ecosystem: Ecosystem::Npm,
        package: "postgres",
        cause: "does not set `servername` on its TLS upgrade, and Node's `tls.connect` sends no SNI without it",
        fixed: "3.3.4",
        platform_fixed: &[],
        variants: &[],
        fixed_by: None,
        reported_through: None,
        workaround: Workaround::Password,
    },
    // [§2] node-postgres has passed `servername` since TLS support landed (0.8.3).
    SniClient {
        ecosystem: Ecosystem::Npm,
        package: "pg",
        cause: "predates node-postgres's TLS support, so it cannot send SNI",
        fixed: "0.8.3",
        platform_fixed: &[],
        variants: &[],
        fixed_by: None,
        reported_through: None,
        workaround: Workaround::Password,
    },
    // [§2] pgx v4 gets SNI from pgconn v1.14.0, which pgx v4.18.0 requires.
    SniClient {
        ecosystem: Ecosystem::Go,
        package: "github.com/jackc/pgx/v4",
        cause: "uses a pgconn older than v1.14.0, which sets the TLS server name only under `sslmode=verify-full`",
        fixed: "v4.18.0",
        platform_fixed: &[],
        variants: &[],
        fixed_by: Some(("github.com/jackc/pgconn", "v1.14.0")),
        reported_through: None,
        workaround: Workaround::GoVerifyFull,
    },
    SniClient {
        ecosystem: Ecosystem::Go,
        package: "github.com/jackc/pgconn",
        cause: "sets the TLS server name only under `sslmode=verify-full`",
        fixed: "v1.14.0",
        platform_fixed: &[],
        variants: &[],
        fixed_by: None,
        reported_through: Some("github.com/jackc/pgx/v4"),
        workaround: Workaround::GoVerifyFull,
    },
    // [§2] pgx v5 sets SNI from v5.0.0-beta.3.
    SniClient {
        ecosystem: Ecosystem::Go,
        package: "github.com/jackc/pgx/v5",
        cause: "sets the TLS server name only under `sslmode=verify-full`",
        fixed: "v5.0.0-beta.3",
        platform_fixed: &[],
        variants: &[],
        fixed_by: None,
        reported_through: None,
        workaround: Workaround::GoVerifyFull,
    },
    // [§2] lib/pq sets SNI from v1.10.7; before, only `verify-full` set `ServerName`.
    SniClient {
        ecosystem: Ecosystem::Go,
        package: "github.com/lib/pq",
        cause: "sets the TLS server name only under `sslmode=verify-full` (its default `require` does not)",
        fixed: "v1.10.7",
        platform_fixed: &[],
        variants: &[],
        fixed_by: None,
        reported_through: None,
        workaround: Workaround::GoVerifyFull,
    },
    // [§2] Postgrex sets SNI by default from v0.18.0 (CHANGELOG).
    SniClient {
        ecosystem: Ecosystem::Hex,
        package: "postgrex",
        cause: "sends no SNI unless `ssl: [server_name_indication: ...]` is given",
        fixed: "0.18.0",
        platform_fixed: &[],
        variants: &[],
        fixed_by: None,
        reported_through: None,
        workaround: Workaround::PostgrexSslOpts,
    },
    // [§2] Ruby `pg` Windows binary gems bundle libpq 12 (1.2.x) until 1.3.0 (14.1). The
    // source gem links the system libpq (see `SYSTEM_LIBPQ_CLIENTS`).
    SniClient {
        ecosystem: Ecosystem::RubyGems,
        package: "pg",
        cause: "is a Windows binary gem that bundles libpq 12, and libpq sends SNI only from 14",
        fixed: "1.3.0",
        platform_fixed: &[],
        variants: &["mingw", "mswin"],
        fixed_by: None,
        reported_through: None,
        workaround: Workaround::LibpqOptions,
    },
];

/// [§2] asyncpg 0.10-0.21 sends SNI only when TLS is asked for (`ssl=`, `sslmode=`):
/// TLS became the default (`prefer`) in 0.22.0.
pub const ASYNCPG_TLS_DEFAULT: &str = "0.22.0";

/// Clients that load the libpq of the system they run on [§7.6]: what a base image's or
/// an `apt-get install`'s libpq decides. (Ecosystem, package, variant must be absent.)
pub static SYSTEM_LIBPQ_CLIENTS: &[(Ecosystem, &str)] = &[
    (Ecosystem::PyPi, "psycopg2"),
    (Ecosystem::PyPi, "psycopg"),
    (Ecosystem::PyPi, "psycopg-c"),
    (Ecosystem::Npm, "pg-native"),
    (Ecosystem::Npm, "libpq"),
    (Ecosystem::RubyGems, "pg"),
    (Ecosystem::Crates, "pq-sys"),
];

/// Packages that, present beside a system-libpq client, bring their own libpq instead
/// (`psycopg[binary]` pulls `psycopg-binary`; pq-sys `bundled` pulls `pq-src` ≥ 16).
pub static BUNDLED_LIBPQ: &[(Ecosystem, &str, &str)] = &[
    (Ecosystem::PyPi, "psycopg", "psycopg-binary"),
    (Ecosystem::Crates, "pq-sys", "pq-src"),
];

/// Distribution packages that install libpq (or a program linked with it) [§3.1].
pub fn is_libpq_package(ecosystem: Ecosystem, package: &str) -> bool {
    match ecosystem {
        Ecosystem::Apt => matches!(package, "libpq5" | "libpq-dev" | "postgresql-client"),
        Ecosystem::Apk => matches!(
            package,
            "libpq" | "libpq-dev" | "postgresql-client" | "postgresql-dev" | "postgresql-libs"
        ),
        // conda's `libpq` and `postgresql` packages carry the libpq of their version.
        Ecosystem::Conda => matches!(package, "libpq" | "postgresql"),
        _ => false,
    }
}

/// What a base image says about libpq.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageLibpq {
    /// The distribution release and the libpq major its packages install (`apt-get
    /// install libpq5`, `apk add libpq`).
    pub system: Option<(String, u32)>,
    /// The libpq major the image already carries, when it carries one.
    pub preinstalled: Option<u32>,
}

/// Debian and Ubuntu releases by code name and number, with their libpq major [§3.1].
const DEBIAN_LIKE: &[(&str, &str, u32)] = &[
    ("buster", "Debian 10 buster", 11),
    ("bullseye", "Debian 11 bullseye", 13),
    ("bookworm", "Debian 12 bookworm", 15),
    ("trixie", "Debian 13 trixie", 17),
    ("focal", "Ubuntu 20.04 focal", 12),
    ("jammy", "Ubuntu 22.04 jammy", 14),
    ("noble", "Ubuntu 24.04 noble", 16),
];

/// Alpine releases with their libpq major [§3.1] (3.21 is not confirmed).
const ALPINE: &[(&str, u32)] = &[
    ("3.11", 12),
    ("3.12", 12),
    ("3.13", 13),
    ("3.14", 13),
    ("3.15", 14),
    ("3.16", 14),
    ("3.17", 15),
    ("3.18", 15),
    ("3.19", 16),
    ("3.20", 16),
    ("3.22", 17),
    ("3.23", 18),
];

/// What `image` (`python:3.9-bullseye`, `docker.io/library/alpine:3.13`,
/// `postgres:13-alpine`) says about libpq [§3.2]. Tags that name no release (`python:3.12`,
/// `alpine:latest`) say nothing: which release they meant depends on when they were built.
pub fn image_libpq(image: &str) -> ImageLibpq {
    let image = image
        .split('@')
        .next()
        .unwrap_or(image)
        .to_ascii_lowercase();
    let (repo, tag) = match image.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r, t),
        _ => (image.as_str(), ""),
    };
    let name = repo.rsplit('/').next().unwrap_or(repo);
    let mut out = ImageLibpq {
        system: None,
        preinstalled: None,
    };
    let words: Vec<&str> = tag.split(['-', '.']).collect();
    let debian = DEBIAN_LIKE
        .iter()
        .find(|(code, _, _)| {
            words.contains(code)
                || (name == "debian" && debian_number(code) == Some(tag))
                || (name == "ubuntu" && ubuntu_number(code).is_some_and(|n| tag.starts_with(n)))
        })
        .or_else(|| {
            (name == "ubuntu" || name == "debian")
                .then(|| DEBIAN_LIKE.iter().find(|(code, _, _)| tag == *code))
                .flatten()
        });
    if let Some((_, release, major)) = debian {
        out.system = Some((release.to_string(), *major));
        // python:<v>-<release> (not slim) and buildpack-deps are built on buildpack-deps,
        // which installs libpq-dev.
        let full_python = name == "python" && !words.contains(&"slim");
        if full_python || name == "buildpack-deps" {
            out.preinstalled = Some(*major);
        }
    }
    let alpine_version = if name == "alpine" {
        Some(tag)
    } else {
        tag.find("alpine").map(|i| &tag[i + "alpine".len()..])
    };
    if let Some(v) = alpine_version {
        let minor = v.split('.').take(2).collect::<Vec<_>>().join(".");
        if let Some((_, major)) = ALPINE.iter().find(|(a, _)| *a == minor) {
            out.system = Some((format!("Alpine {minor}"), *major));
        }
    }
    // postgres:N-alpine builds PostgreSQL N from source, libpq included; the Debian
    // variants carry the newest PGDG libpq5 whatever N is.
    if name == "postgres" && tag.contains("alpine") {
        if let Some(n) = tag.split(['.', '-']).next().and_then(|n| n.parse().ok()) {
            out.preinstalled = Some(n);
        }
    }
    out
}

fn debian_number(code: &str) -> Option<&'static str> {
    Some(match code {
        "buster" => "10",
        "bullseye" => "11",
        "bookworm" => "12",
        "trixie" => "13",
        _ => return None,
    })
}

fn ubuntu_number(code: &str) -> Option<&'static str> {
    Some(match code {
        "focal" => "20.04",
        "jammy" => "22.04",
        "noble" => "24.04",
        _ => return None,
    })
}

/// Whether `image` is an Alpine (musl) image.
pub fn is_alpine(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    let name = lower.split([':', '@']).next().unwrap_or("");
    name.rsplit('/').next() == Some("alpine")
        || lower
            .rsplit_once(':')
            .is_some_and(|(_, t)| t.contains("alpine"))
}

/// The first libpq major that sends SNI [§2].
pub const LIBPQ_SNI_MAJOR: u32 = 14;

/// Whether `v` is older than `first` (both version strings); `None` when either does
/// not parse.
pub fn older_than(v: &str, first: &str) -> Option<bool> {
    Some(Version::parse(v)? < Version::parse(first)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every version in the table parses, platform-specific firsts are not older than the
    /// usual one, and no row is shadowed by another.
    #[test]
    fn the_table_is_coherent() {
        for r in SNI_CLIENTS {
            assert!(Version::parse(r.fixed).is_some(), "{}", r.package);
            for (_, first) in r.platform_fixed {
                assert_eq!(older_than(first, r.fixed), Some(false), "{}", r.package);
            }
            if let Some((_, v)) = r.fixed_by {
                assert!(Version::parse(v).is_some(), "{}", r.package);
            }
            let same = SNI_CLIENTS
                .iter()
                .filter(|o| {
                    o.ecosystem == r.ecosystem && o.package == r.package && o.variants == r.variants
                })
                .count();
            assert_eq!(same, 1, "{} appears twice", r.package);
        }
        assert!(Version::parse(ASYNCPG_TLS_DEFAULT).is_some());
    }

    #[test]
    fn images() {
        let i = image_libpq("python:3.9-bullseye");
        assert_eq!(i.system, Some(("Debian 11 bullseye".into(), 13)));
        assert_eq!(i.preinstalled, Some(13));
        let i = image_libpq("python:3.9-slim-bullseye");
        assert_eq!(i.preinstalled, None);
        assert_eq!(i.system.map(|s| s.1), Some(13));
        assert_eq!(image_libpq("ubuntu:20.04").system.map(|s| s.1), Some(12));
        assert_eq!(image_libpq("debian:11").system.map(|s| s.1), Some(13));
        assert_eq!(
            image_libpq("debian:bookworm-slim").system.map(|s| s.1),
            Some(15)
        );
        assert_eq!(image_libpq("alpine:3.13").system.map(|s| s.1), Some(13));
        assert_eq!(
            image_libpq("python:3.9-alpine3.14").system.map(|s| s.1),
            Some(13)
        );
        assert_eq!(image_libpq("postgres:13-alpine").preinstalled, Some(13));
        assert_eq!(image_libpq("postgres:13").preinstalled, None);
        assert_eq!(
            image_libpq("python:3.12"),
            ImageLibpq {
                system: None,
                preinstalled: None
            }
        );
        assert!(is_alpine("python:3.12-alpine"));
        assert!(is_alpine("docker.io/library/alpine:3.19"));
        assert!(!is_alpine("python:3.12-slim"));
    }
}
