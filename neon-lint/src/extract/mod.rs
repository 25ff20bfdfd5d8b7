//! Extractors: one per file kind, each turning a file's text into sites. They know file
//! formats and nothing of rules.

mod cargo;
mod ci_platform;
mod conda_env;
mod deploy_yaml;
mod docker_pins;
mod dotenv;
mod ini;
pub(crate) mod js;
mod jsconfig;
mod json;
pub(crate) mod libpq_env;
mod lock_go_ruby;
mod lock_js;
mod lockfiles;
pub(crate) mod pgpass;
pub(crate) mod platform_env;
mod prisma;
mod pymanifest;
mod python;
mod rust;
mod shell;
pub(crate) mod spring;
mod text;
mod tokens;
mod toml;
mod tree_walk;
mod wrangler;
mod yaml;

use neon_lint_core::conninfo;
use neon_lint_core::{Placement, Role};

use crate::classify::FileKind;
use crate::site::{
    mark_placeholders, Container, EnvBinding, FileSites, OffsetMap, Syntax, UrlSite,
};
use crate::source::{FileId, SourceFile};

pub(crate) use cargo::cargo_facts;
pub use dotenv::parse_dotenv;
pub(crate) use python::parses_cleanly as python_parses_cleanly;

/// Runs the extractor for the file's kind, plus the format-independent token scan.
pub fn extract(file_id: FileId, file: &SourceFile) -> FileSites {
    let mut out = FileSites::default();
    let mut cx = Cx {
        file_id,
        file,
        out: &mut out,
    };
    match file.kind {
        FileKind::DotEnv | FileKind::DotEnvTemplate => dotenv::extract(&mut cx),
        FileKind::Rust => rust::extract(&mut cx),
        FileKind::CargoManifest => {
            toml::extract(&mut cx);
            cargo::extract(&mut cx);
        }
        FileKind::Toml => {
            toml::extract(&mut cx);
            if wrangler::is_wrangler(&file_name(file)) {
                wrangler::extract(&mut cx);
            }
            platform_env::extract(&mut cx);
        }
        FileKind::Yaml => {
            yaml::extract(&mut cx);
            deploy_yaml::extract(&mut cx);
            ci_platform::extract(&mut cx);
            let name = file
                .path
                .file_name()
                .map(|n| n.to_string_lossy().to_ascii_lowercase());
            if matches!(
                name.as_deref(),
                Some("environment.yml" | "environment.yaml")
            ) {
                conda_env::extract(&mut cx);
            }
        }
        FileKind::Json => {
            json::extract(&mut cx);
            shell::extract_package_json(&mut cx);
            if file.path.file_name().is_some_and(|n| n == "package.json") {
                lock_js::package_json(&mut cx);
            }
            if wrangler::is_wrangler(&file_name(file)) {
                wrangler::extract(&mut cx);
            }
            platform_env::extract(&mut cx);
        }
        FileKind::Ini => ini::extract(&mut cx),
        FileKind::Python => python::extract(&mut cx),
        FileKind::Shell => shell::extract(&mut cx),
        FileKind::Dockerfile => {
            shell::extract_dockerfile(&mut cx);
            docker_pins::extract(&mut cx);
        }
        FileKind::LockFile => lockfiles::extract(&mut cx),
        FileKind::Prisma => prisma::extract(&mut cx),
        FileKind::JsConfig => jsconfig::extract(&mut cx),
        FileKind::PythonManifest => pymanifest::extract(&mut cx),
        FileKind::JavaScript => js::extract(&mut cx),
        FileKind::Script | FileKind::Docs => {
            text::extract(&mut cx);
            if pgpass::is_pgpass(&file.path) {
                pgpass::extract(&mut cx);
            }
        }
    }
    if matches!(
        file.kind,
        FileKind::DotEnv | FileKind::DotEnvTemplate | FileKind::Dockerfile | FileKind::Shell
    ) {
        libpq_env::record_file(&mut cx);
    }
    tokens::extract(&mut cx);
    out
}

/// The file's name in lower case.
fn file_name(file: &SourceFile) -> String {
    file.path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

/// What every extractor writes into.
pub(crate) struct Cx<'a> {
    pub file_id: FileId,
    pub file: &'a SourceFile,
    pub out: &'a mut FileSites,
}

impl Cx<'_> {
    /// Where strings in this file sit, for the secrets rules.
    pub fn placement(&self) -> Placement {
        placement_of(self.file)
    }

    /// Records `value` as a connection string when it looks like one.
    pub fn string_value(
        &mut self,
        value: &str,
        map: OffsetMap,
        container: Container,
        key: Option<String>,
    ) {
        if !looks_like_conninfo(value) {
            return;
        }
        // Configuration values are often interpolated (compose `${EXTRA}`, CI, Spring,
        // configparser's `%(here)s`): those parts are only known at run time.
        let map = if container == Container::ConfigValue {
            let mut syntax = vec![Syntax::Dollar];
            if self.file.kind == FileKind::Ini {
                syntax.push(Syntax::Percent);
            }
            mark_placeholders(value, map, &syntax)
        } else {
            map
        };
        let placement = self.placement();
        self.out.urls.push(UrlSite {
            file: self.file_id,
            text: value.to_string(),
            map,
            container,
            key,
            role: Role::Unknown,
            role_evidence: None,
            placement,
        });
    }

    /// Records a variable binding (and its value as a connection string when it is one).
    pub fn binding(
        &mut self,
        name: &str,
        name_span: std::ops::Range<usize>,
        value: &str,
        map: OffsetMap,
    ) {
        let placement = self.placement();
        self.out.bindings.push(EnvBinding {
            file: self.file_id,
            name: name.to_string(),
            name_span,
            value: value.to_string(),
            map,
            placement,
        });
    }
}

pub use crate::site::placement_of;

/// Whether a string is (meant to be) a PostgreSQL connection string: a PostgreSQL URI
/// scheme (libpq's, SQLAlchemy's, JDBC's), or libpq key/value pairs naming a host or a
/// database.
pub fn looks_like_conninfo(s: &str) -> bool {
    let t = s.trim_start();
    if t.starts_with("postgresql://")
        || t.starts_with("postgres://")
        || t.starts_with("jdbc:postgresql://")
        || (t.starts_with("postgresql+") && t.contains("://"))
    {
        return true;
    }
    // Key/value: at least two known keywords, one of them host/hostaddr/dbname.
    if !(t.contains("host=") || t.contains("dbname=") || t.contains("hostaddr=")) {
        return false;
    }
    match conninfo::parse(t) {
        Ok(info) => {
            info.syntax == conninfo::Syntax::KeyValue
                && info.params.len() >= 2
                && info
                    .params
                    .iter()
                    .any(|p| matches!(p.keyword.as_str(), "host" | "hostaddr" | "dbname"))
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_connection_strings() {
        assert!(looks_like_conninfo("postgresql://h/db"));
        assert!(looks_like_conninfo("postgresql+asyncpg://h/db"));
        assert!(looks_like_conninfo("jdbc:postgresql://h/db"));
        assert!(looks_like_conninfo("host=h dbname=d sslmode=require"));
        assert!(!looks_like_conninfo("host=h"));
        assert!(!looks_like_conninfo("https://neon.tech"));
        assert!(!looks_like_conninfo("mysql://h/db"));
    }
}
