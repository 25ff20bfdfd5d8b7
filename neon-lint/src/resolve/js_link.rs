//! JavaScript across files: a migration run or SQL use whose client is imported
//! (`import { db } from "./db"`) takes the URL of what that file exports.
//!
//! Module specifiers resolve as bundlers and TypeScript do for relative paths: `./db`
//! tries `db.ts`, `db.tsx`, `db.js`... and `db/index.*`; `./db.js` also tries `db.ts` (the
//! TypeScript ESM convention). `@/x` and `~/x` (the usual `paths` aliases) try `x` under each
//! folder above the importing file. Package imports and other aliases are not followed.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use crate::project::Project;
use crate::site::{JsExport, JsFacts, JsPendingSite};

const EXTENSIONS: &[&str] = &["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"];

pub(crate) fn link(project: &mut Project) {
    let facts = std::mem::take(&mut project.js);
    if facts.is_empty() {
        return;
    }
    super::edge::find(project, &facts);
    let by_path: HashMap<PathBuf, &JsFacts> = facts
        .iter()
        .map(|(id, f)| (normalise(&project.files[*id].path), f))
        .collect();
    for (id, f) in &facts {
        let from = project.files[*id].path.clone();
        for p in &f.pending {
            let export = target(&from, &p.module, &by_path)
                .and_then(|t| t.exports.iter().find(|e| e.name == p.export));
            match &p.site {
                JsPendingSite::Migration(m) => {
                    let mut m = m.clone();
                    if let Some(e) = export {
                        m.url = e.url.clone();
                    }
                    project.migrations.push(m);
                }
                JsPendingSite::Use(u, method) => {
                    let Some(JsExport {
                        driver: Some(driver),
                        url,
                        ..
                    }) = export
                    else {
                        continue;
                    };
                    let runs_sql = crate::drivers::js::of(*driver)
                        .is_some_and(|js| js.sql_methods.contains(&method.as_str()));
                    if runs_sql {
                        let mut u = u.clone();
                        u.driver = Some(*driver);
                        u.url = url.clone();
                        project.uses.push(u);
                    }
                }
            }
        }
    }
}

/// What `by_path` holds for the file `spec` names from `from` (keys are [`normalise`]d).
pub(super) fn target<T: Copy>(from: &Path, spec: &str, by_path: &HashMap<PathBuf, T>) -> Option<T> {
    bases(from, spec)
        .iter()
        .flat_map(|b| candidates(b))
        .find_map(|c| by_path.get(&normalise(&c)).copied())
}

/// The JavaScript file on disk that `spec` names from `from`, for a project file the run
/// did not read (its path, normalised).
pub(super) fn target_on_disk(from: &Path, spec: &str) -> Option<PathBuf> {
    bases(from, spec)
        .iter()
        .flat_map(|b| candidates(b))
        .map(|c| normalise(&c))
        .find(|c| {
            c.extension()
                .is_some_and(|e| EXTENSIONS.iter().any(|x| e == *x))
                && c.is_file()
        })
}

/// The paths (without extension resolution) a local specifier may start from: the
/// importing file's folder for `./` and `../`, each folder above it for `@/` and `~/`;
/// none for packages.
fn bases(from: &Path, spec: &str) -> Vec<PathBuf> {
    let dir = from.parent().unwrap_or(Path::new(""));
    if spec.starts_with("./") || spec.starts_with("../") {
        vec![dir.join(spec)]
    } else if let Some(rest) = spec.strip_prefix("@/").or(spec.strip_prefix("~/")) {
        dir.ancestors().map(|a| a.join(rest)).collect()
    } else {
        Vec::new()
    }
}

/// The files a specifier without or with an extension may mean.
fn candidates(base: &Path) -> Vec<PathBuf> {
    let mut out = vec![base.to_path_buf()];
    let s = base.to_string_lossy();
    for (js, ts) in [
        (".js", ".ts"),
        (".jsx", ".tsx"),
        (".mjs", ".mts"),
        (".cjs", ".cts"),
    ] {
        if let Some(stem) = s.strip_suffix(js) {
            out.push(PathBuf::from(format!("{stem}{ts}")));
        }
    }
    for ext in EXTENSIONS {
        out.push(PathBuf::from(format!("{s}.{ext}")));
        out.push(base.join(format!("index.{ext}")));
    }
    out
}

/// `a/./b/../c` as `a/c`, without touching the file system (paths may not exist as
/// written, and symlinks are not the point).
pub(super) fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_lists_candidates() {
        assert_eq!(
            normalise(Path::new("a/./b/../c.ts")),
            PathBuf::from("a/c.ts")
        );
        let c = candidates(Path::new("lib/db.js"));
        assert!(c.contains(&PathBuf::from("lib/db.ts")));
        let c = candidates(Path::new("lib/db"));
        assert!(c.contains(&PathBuf::from("lib/db/index.ts")));
    }
}
