//! Lock files: which exact version of each package a project installs. One reader per
//! format, syntax only; [`crate::sni_clients`] decides what the versions mean.
//!
//! - `poetry.lock`, `uv.lock`, `pdm.lock`, `Cargo.lock`: TOML `[[package]]` tables with
//!   `name` and `version` (toml_edit keeps spans);
//! - `Pipfile.lock`: JSON `default`/`develop` maps of `"name": {"version": "==x"}`;
//! - `package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`: [`super::lock_js`];
//! - `go.mod`, `Gemfile.lock`, `mix.lock`: [`super::lock_go_ruby`].
//!
//! Each pin is spanned at its version value (the line that says which version).

use std::ops::Range;

use toml_edit::{ImDocument, Item, Value};

use super::pymanifest::normalize;
use super::Cx;
use crate::site::pins::{Ecosystem, PackagePin, VersionReq};

pub(super) fn extract(cx: &mut Cx) {
    let name = cx
        .file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match name.as_str() {
        "poetry.lock" | "uv.lock" | "pdm.lock" => toml_packages(cx, Ecosystem::PyPi),
        "cargo.lock" => toml_packages(cx, Ecosystem::Crates),
        "pipfile.lock" => pipfile_lock(cx),
        "package-lock.json" | "npm-shrinkwrap.json" => super::lock_js::package_lock(cx),
        "yarn.lock" => super::lock_js::yarn_lock(cx),
        "pnpm-lock.yaml" => super::lock_js::pnpm_lock(cx),
        "go.mod" => super::lock_go_ruby::go_mod(cx),
        "gemfile.lock" => super::lock_go_ruby::gemfile_lock(cx),
        "mix.lock" => super::lock_go_ruby::mix_lock(cx),
        _ => {}
    }
}

/// Records an exact pin.
pub(super) fn pin_exact(
    cx: &mut Cx,
    span: Range<usize>,
    ecosystem: Ecosystem,
    package: &str,
    version: &str,
    variant: Option<String>,
) {
    let package = match ecosystem {
        Ecosystem::PyPi => normalize(package),
        _ => package.to_string(),
    };
    cx.out.pins.push(PackagePin {
        file: cx.file_id,
        span,
        ecosystem,
        package,
        version: VersionReq::Exact(version.to_string()),
        variant,
        base_image: None,
    });
}

fn toml_packages(cx: &mut Cx, ecosystem: Ecosystem) {
    let text = cx.file.text.clone();
    let doc = match ImDocument::parse(text.as_str()) {
        Ok(d) => d,
        Err(e) => {
            cx.out.notes.push(format!(
                "not valid TOML, so its package versions were not read: {}",
                e.message()
            ));
            return;
        }
    };
    let Some(packages) = doc
        .as_table()
        .get("package")
        .and_then(Item::as_array_of_tables)
    else {
        return;
    };
    for table in packages.iter() {
        let Some(name) = table.get("name").and_then(Item::as_str) else {
            continue;
        };
        let Some(Item::Value(Value::String(version))) = table.get("version") else {
            continue;
        };
        let span = version.span().unwrap_or(0..0);
        pin_exact(cx, span, ecosystem, name, version.value(), None);
    }
}

/// `Pipfile.lock`: `{"default": {"psycopg2-binary": {"version": "==2.8.6", ...}}}`.
fn pipfile_lock(cx: &mut Cx) {
    let text = cx.file.text.clone();
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
        cx.out.notes.push(format!(
            "not valid JSON, so its package versions were not read: {e}"
        ));
        return;
    }
    for (key, value, map) in super::json::strings(&text) {
        let Some(rest) = key
            .strip_prefix("default.")
            .or_else(|| key.strip_prefix("develop."))
        else {
            continue;
        };
        let Some(package) = rest.strip_suffix(".version") else {
            continue;
        };
        let Some(version) = value.strip_prefix("==") else {
            continue;
        };
        let span = map.range(0..value.len());
        pin_exact(cx, span, Ecosystem::PyPi, package, version, None);
    }
}

#[cfg(test)]
pub(super) mod tests {
    use crate::classify::classify;
    use crate::source::{LineIndex, SourceFile};
    use std::path::PathBuf;

    pub(crate) fn pins_of(path: &str, text: &str) -> Vec<(String, String, String)> {
        let file = SourceFile {
            path: PathBuf::from(path),
            display: path.to_string(),
            kind: classify(std::path::Path::new(path)).expect("lock kind"),
            text: text.to_string(),
            lines: LineIndex::new(text),
        };
        let sites = crate::extract::extract(0, &file);
        sites
            .pins
            .iter()
            .map(|p| {
                let v = match &p.version {
                    crate::site::pins::VersionReq::Exact(v) => v.clone(),
                    other => format!("{other:?}"),
                };
                (p.package.clone(), v, text[p.span.clone()].to_string())
            })
            .collect()
    }

    /// Truncated, non-UTF-8-looking, deeply nested and binary-ish input: every reader
    /// returns (a note at worst), none panics, and every span is a char boundary.
    #[test]
    fn readers_survive_broken_input() {
        let names = [
            "poetry.lock",
            "uv.lock",
            "pdm.lock",
            "Cargo.lock",
            "Pipfile.lock",
            "package-lock.json",
            "yarn.lock",
            "pnpm-lock.yaml",
            "go.mod",
            "Gemfile.lock",
            "requirements.txt",
            "Dockerfile",
        ];
        let inputs = [
            "",
            "[[package]]\nname = \"psycopg2-binary\"\nversion = ",
            "{\"packages\": {\"node_modules/pg\": {\"version\": \"8",
            "packages:\n  '\\u00e9@1.0.0':\n  \"pg@\u{e9}\":\n",
            "require (\n\tgithub.com/lib/pq v1.10.6 \u{e9}\nrequire\n",
            "GEM\n  specs:\n    pg (\n    pg ()\n    é (1.0-)\n",
            "psycopg2-binary==\u{e9}\nasyncpg<\n~=\n==.*\n",
            "FROM\nFROM --platform=\nRUN apt-get install \\\nRUN apk add --virtual\nFROM é:é AS\n",
            "\u{feff}\u{0}\u{1b}[31m pg@ \"pg\" postgres",
        ];
        for name in names {
            for input in inputs {
                let deep = format!("{}{}", "[".repeat(300), input);
                for text in [input.to_string(), deep] {
                    let file = SourceFile {
                        path: PathBuf::from(name),
                        display: name.to_string(),
                        kind: classify(std::path::Path::new(name)).expect("kind"),
                        text: text.clone(),
                        lines: LineIndex::new(&text),
                    };
                    let sites = crate::extract::extract(0, &file);
                    for p in &sites.pins {
                        assert!(text.get(p.span.clone()).is_some(), "{name}: {:?}", p.span);
                    }
                }
            }
        }
    }

    #[test]
    fn reads_toml_and_pipfile_locks() {
        let poetry = "[[package]]\nname = \"psycopg2-binary\"\nversion = \"2.8.6\"\n\n[[package]]\nname = \"SQLAlchemy\"\nversion = \"1.4.0\"\n";
        assert_eq!(
            pins_of("poetry.lock", poetry),
            vec![
                ("psycopg2-binary".into(), "2.8.6".into(), "\"2.8.6\"".into()),
                ("sqlalchemy".into(), "1.4.0".into(), "\"1.4.0\"".into()),
            ]
        );
        let pipfile = "{\"_meta\": {}, \"default\": {\"psycopg2-binary\": {\"hashes\": [], \"version\": \"==2.8.6\"}}}";
        assert_eq!(
            pins_of("Pipfile.lock", pipfile),
            vec![("psycopg2-binary".into(), "2.8.6".into(), "==2.8.6".into())]
        );
    }
}
