//! Python across modules: a set-up whose URL is a name imported from another module
//! (`from app.config import DATABASE_URL`) takes that module's value of the name.
//!
//! Modules resolve as Python finds them from the folders a program runs in: `app.config`
//! is `app/config.py` or `app/config/__init__.py` under the importing file's folder or any
//! folder above it (the project root, `src/`); a relative `.config` is beside the importing
//! file, `..config` one package up. Installed packages are not followed, and a name no
//! module of the tree defines stays unknown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::js_link::normalise;
use crate::project::Project;
use crate::site::{OffsetMap, PyFacts, UrlSource};

pub(crate) fn link(project: &mut Project) {
    let facts = std::mem::take(&mut project.py);
    if facts.iter().all(|(_, f)| f.pending.is_empty()) {
        return;
    }
    let by_path: HashMap<PathBuf, &PyFacts> = facts
        .iter()
        .map(|(id, f)| (normalise(&project.files[*id].path), f))
        .collect();
    for (id, f) in &facts {
        for (span, qualified) in &f.pending {
            let from = project.files[*id].path.clone();
            let Some(url) = lookup(&from, qualified, &by_path) else {
                continue;
            };
            // A literal stays in its module's file (its own site there carries the URL
            // rules); the set-up sees its text, placed at the call.
            let url = match url {
                UrlSource::Literal { text, .. } => UrlSource::Literal {
                    text,
                    map: OffsetMap::Opaque { span: span.clone() },
                },
                other => other,
            };
            if let Some(c) = project
                .clients
                .iter_mut()
                .find(|c| c.file == *id && c.span == *span)
            {
                c.url = url;
            }
        }
    }
}

/// The value module-level name `qualified` (`app.config.URL`, `.config.URL`) has in the
/// module it names from `from`, if a module of the tree defines it.
fn lookup(from: &Path, qualified: &str, by_path: &HashMap<PathBuf, &PyFacts>) -> Option<UrlSource> {
    let rest = qualified.trim_start_matches('.');
    let dots = qualified.len() - rest.len();
    let (module, name) = rest.rsplit_once('.').unwrap_or(("", rest));
    let module_path: PathBuf = module.split('.').filter(|s| !s.is_empty()).collect();
    let dir = from.parent()?;
    let bases: Vec<PathBuf> = if dots > 0 {
        // `.x` is this package, `..x` the one above.
        dir.ancestors()
            .nth(dots - 1)
            .map(|b| vec![b.join(&module_path)])
            .unwrap_or_default()
    } else if module.is_empty() {
        return None;
    } else {
        dir.ancestors().map(|a| a.join(&module_path)).collect()
    };
    bases.iter().find_map(|b| {
        let facts = [b.with_extension("py"), b.join("__init__.py")]
            .iter()
            .find_map(|c| by_path.get(&normalise(c)).copied())?;
        facts
            .constants
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, url)| url.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(name: &str, var: &str) -> PyFacts {
        PyFacts {
            constants: vec![(name.into(), UrlSource::EnvVar(var.into()))],
            pending: Vec::new(),
        }
    }

    #[test]
    fn finds_absolute_and_relative_modules() {
        let config = facts("URL", "DATABASE_URL");
        let pkg = facts("URL", "PKG_URL");
        let mut by_path = HashMap::new();
        by_path.insert(PathBuf::from("proj/app/config.py"), &config);
        by_path.insert(PathBuf::from("proj/app/__init__.py"), &pkg);
        let from = Path::new("proj/app/db/pool.py");
        let env = |u: Option<UrlSource>| match u {
            Some(UrlSource::EnvVar(v)) => Some(v),
            _ => None,
        };
        assert_eq!(
            env(lookup(from, "app.config.URL", &by_path)).as_deref(),
            Some("DATABASE_URL")
        );
        assert_eq!(
            env(lookup(from, "..config.URL", &by_path)).as_deref(),
            Some("DATABASE_URL")
        );
        assert_eq!(
            env(lookup(from, "..URL", &by_path)).as_deref(),
            Some("PKG_URL")
        );
        assert_eq!(
            env(lookup(from, "app.URL", &by_path)).as_deref(),
            Some("PKG_URL")
        );
        assert!(lookup(from, ".config.URL", &by_path).is_none());
        assert!(lookup(from, "app.config.OTHER", &by_path).is_none());
        assert!(lookup(from, "URL", &by_path).is_none());
    }
}
