//! `Cargo.toml`: one [`ManifestFact`] per dependency (`[dependencies]`,
//! `[dev-dependencies]`, `[build-dependencies]`, `[target.'cfg(..)'.dependencies]`), with
//! its features and `default-features`, spanned at its key (toml_edit keeps spans).
//! `workspace = true` entries are completed from `[workspace.dependencies]` of the workspace
//! root by the resolver; this extractor records what it needs for that.

use std::ops::Range;

use toml_edit::{ImDocument, Item, TableLike, Value};

use super::Cx;
use crate::site::rust::{CargoFacts, InheritedDep, RustFacts, WorkspaceDep};
use crate::site::ManifestFact;

const DEP_TABLES: &[&str] = &["dependencies", "dev-dependencies", "build-dependencies"];

pub(super) fn extract(cx: &mut Cx) {
    let Ok(doc) = ImDocument::parse(cx.file.text.as_str()) else {
        return; // the TOML extractor already noted the syntax error
    };
    let (facts, deps) = manifest(&doc);
    for d in deps {
        cx.out.manifests.push(ManifestFact {
            file: cx.file_id,
            span: d.span,
            package: d.package,
            features: d.features,
            default_features: d.default_features,
        });
    }
    let rust = cx
        .out
        .rust
        .get_or_insert_with(|| Box::new(RustFacts::default()));
    rust.cargo = Some(facts);
}

/// The workspace facts of a manifest's text (for a root the scan did not include).
pub(crate) fn cargo_facts(text: &str) -> Option<CargoFacts> {
    let doc = ImDocument::parse(text).ok()?;
    Some(manifest(&doc).0)
}

struct Dep {
    span: Range<usize>,
    package: String,
    features: Vec<String>,
    default_features: bool,
}

fn manifest(doc: &ImDocument<&str>) -> (CargoFacts, Vec<Dep>) {
    let root = doc.as_table();
    let mut facts = CargoFacts::default();
    let mut deps = Vec::new();
    let mut tables: Vec<&dyn TableLike> = Vec::new();
    for name in DEP_TABLES {
        if let Some(t) = root.get(name).and_then(Item::as_table_like) {
            tables.push(t);
        }
    }
    if let Some(targets) = root.get("target").and_then(Item::as_table_like) {
        for (_, target) in targets.iter() {
            let Some(target) = target.as_table_like() else {
                continue;
            };
            for name in DEP_TABLES {
                if let Some(t) = target.get(name).and_then(Item::as_table_like) {
                    tables.push(t);
                }
            }
        }
    }
    for t in tables {
        for (key, item) in t.iter() {
            let Some(span) = t.key(key).and_then(|k| k.span()) else {
                continue;
            };
            let entry = entry(key, item);
            if entry.workspace {
                facts.inherits.push(InheritedDep {
                    span: span.clone(),
                    key: key.to_string(),
                });
            }
            deps.push(Dep {
                span,
                package: entry.package,
                features: entry.features,
                default_features: entry.default_features,
            });
        }
    }
    if let Some(ws) = root.get("workspace").and_then(Item::as_table_like) {
        facts.workspace_root = true;
        if let Some(t) = ws.get("dependencies").and_then(Item::as_table_like) {
            for (key, item) in t.iter() {
                let e = entry(key, item);
                facts.workspace_deps.push(WorkspaceDep {
                    key: key.to_string(),
                    package: e.package,
                    features: e.features,
                    default_features: e.default_features,
                });
            }
        }
    }
    (facts, deps)
}

struct Entry {
    package: String,
    features: Vec<String>,
    default_features: bool,
    workspace: bool,
}

/// A dependency entry: `"0.8"`, `{ version, features, default-features, package,
/// workspace }`, or a `[dependencies.name]` table.
fn entry(key: &str, item: &Item) -> Entry {
    let mut e = Entry {
        package: key.to_string(),
        features: Vec::new(),
        default_features: true,
        workspace: false,
    };
    let Some(t) = item.as_table_like() else {
        return e;
    };
    if let Some(p) = t.get("package").and_then(Item::as_str) {
        e.package = p.to_string();
    }
    if let Some(Item::Value(Value::Array(a))) = t.get("features") {
        e.features = a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
    }
    for k in ["default-features", "default_features"] {
        if let Some(b) = t.get(k).and_then(Item::as_bool) {
            e.default_features = b;
        }
    }
    e.workspace = t.get("workspace").and_then(Item::as_bool) == Some(true);
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dependencies_with_spans() {
        let text = "[package]\nname = \"x\"\n\n[dependencies]\nsqlx = { version = \"0.8\", features = [\"postgres\"], default-features = false }\nserde = \"1\"\ntokio = { workspace = true, features = [\"rt\"] }\n\n[dependencies.sea-orm]\nversion = \"1\"\nfeatures = [\"runtime-tokio\"]\n\n[target.'cfg(unix)'.dev-dependencies]\npq-sys = { version = \"0.6\", features = [\"bundled_without_openssl\"] }\n\n[workspace.dependencies]\ntokio = { version = \"1\", features = [\"macros\"], default-features = false }\n";
        let doc = ImDocument::parse(text).unwrap();
        let (facts, deps) = manifest(&doc);
        let names: Vec<&str> = deps.iter().map(|d| d.package.as_str()).collect();
        assert_eq!(names, ["sqlx", "serde", "tokio", "sea-orm", "pq-sys"]);
        assert_eq!(&text[deps[0].span.clone()], "sqlx");
        assert!(!deps[0].default_features);
        assert_eq!(deps[0].features, ["postgres"]);
        assert_eq!(&text[deps[3].span.clone()], "sea-orm");
        assert_eq!(deps[4].features, ["bundled_without_openssl"]);
        assert!(facts.workspace_root);
        assert_eq!(facts.inherits.len(), 1);
        assert_eq!(facts.workspace_deps[0].features, ["macros"]);
    }
}
