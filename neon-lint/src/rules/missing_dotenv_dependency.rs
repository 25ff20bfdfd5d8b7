use std::path::{Path, PathBuf};

use crate::classify::FileKind;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::RequirementTarget;

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds Python code that imports `dotenv` (`from dotenv import load_dotenv`) in a
    /// project whose dependency manifests (`requirements*.txt`, `pyproject.toml`,
    /// `Pipfile`, `setup.cfg`, `setup.py`) exist and list neither `python-dotenv` nor a
    /// package that depends on it (`pydantic-settings`, `environs`, `uvicorn[standard]`,
    /// `fastapi[standard]`, `flask[dotenv]`, the `dotenv` shim). The manifests that count are
    /// the nearest ones above the file (`requirements/*.txt` count for the folder holding
    /// `requirements/`), with every requirements file they include (`-r base.txt`), and every
    /// group they declare (PEP 621 extras, PEP 735 groups, Poetry, PDM, uv and Pipenv dev
    /// groups). An import inside `try: ... except ImportError` is optional and is not
    /// reported. When a manifest installs something whose own dependencies the tree does not
    /// show (`git+https://...`, `-e ./lib`, a wheel path, Poetry `{ git = ... }`, an include
    /// that is not in the tree), `python-dotenv` may come from there: nothing is reported.
    ///
    /// ## Why is this bad?
    /// `python-dotenv` is what loads `DATABASE_URL` from `.env` in development; it is often
    /// installed by hand and never written down, so the deployed image fails at start-up:
    ///
    /// ```text
    /// ModuleNotFoundError: No module named 'dotenv'
    /// ```
    ///
    /// ## Example
    /// ```python
    /// from dotenv import load_dotenv   # requirements.txt: psycopg2-binary
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// # requirements.txt
    /// psycopg2-binary
    /// python-dotenv
    /// ```
    /// (The import name is `dotenv`; the package is `python-dotenv`.)
    pub static MISSING_DOTENV_DEPENDENCY = {
        code: "NL050",
        name: "missing-dotenv-dependency",
        level: Error,
        group: Python,
        summary: "`dotenv` imported but `python-dotenv` is not a declared dependency",
        fixable: false,
    };
}

/// Packages that bring `python-dotenv` with them (name, extra needed).
const PROVIDERS: &[(&str, Option<&str>)] = &[
    ("python-dotenv", None),
    ("dotenv", None),
    ("pydantic-settings", None),
    ("environs", None),
    ("uvicorn", Some("standard")),
    ("fastapi", Some("standard")),
    ("fastapi", Some("all")),
    ("flask", Some("dotenv")),
    ("pydantic", Some("dotenv")),
];

/// The folder a manifest declares dependencies for.
fn owner(path: &Path) -> PathBuf {
    let parent = path.parent().unwrap_or(Path::new(""));
    let in_requirements_dir = parent.file_name().is_some_and(|n| {
        n.to_string_lossy()
            .to_ascii_lowercase()
            .starts_with("requirements")
    });
    if in_requirements_dir {
        parent.parent().unwrap_or(Path::new("")).to_path_buf()
    } else {
        parent.to_path_buf()
    }
}

/// The manifests `ids` with every requirements file they include, transitively; `None` when
/// one of them installs something whose dependencies are unknown here (a VCS URL, a path, an
/// include that is not in the tree).
fn with_includes(project: &Project, ids: &[usize]) -> Option<Vec<usize>> {
    let mut set: Vec<usize> = ids.to_vec();
    let mut i = 0;
    while i < set.len() {
        let file = set[i];
        i += 1;
        for r in project.requirement_refs.iter().filter(|r| r.file == file) {
            let RequirementTarget::Include(path) = &r.target else {
                return None;
            };
            let dir = project.files[file].path.parent().unwrap_or(Path::new(""));
            let wanted = normalize_path(&dir.join(path));
            // An include neon-lint did not read as a manifest lists unknown packages.
            let found = project.files.iter().position(|f| {
                f.kind == FileKind::PythonManifest && normalize_path(&f.path) == wanted
            })?;
            if !set.contains(&found) {
                set.push(found);
            }
        }
    }
    Some(set)
}

/// `a/./b/../c` as `a/c`, lexically (include paths are written relative to their file).
fn normalize_path(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            c => out.push(c),
        }
    }
    out
}

pub(super) fn check(project: &Project, _config: &Config, out: &mut Vec<Diagnostic>) {
    let manifests: Vec<(usize, PathBuf)> = project
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == FileKind::PythonManifest)
        .map(|(id, f)| (id, owner(&f.path)))
        .collect();
    if manifests.is_empty() {
        return;
    }
    let mut reported = std::collections::HashSet::new();
    for import in project.imports.iter().filter(|i| i.module == "dotenv") {
        let file = &project.files[import.file];
        if file.kind != FileKind::Python || !reported.insert(import.file) {
            continue;
        }
        let dir = file.path.parent().unwrap_or(Path::new(""));
        // The nearest folder above the file that has manifests.
        let Some(nearest) = manifests
            .iter()
            .filter(|(_, o)| dir.starts_with(o))
            .map(|(_, o)| o)
            .max_by_key(|o| o.components().count())
        else {
            continue;
        };
        let mut ids: Vec<usize> = manifests
            .iter()
            .filter(|(_, o)| o == nearest)
            .map(|(id, _)| *id)
            .collect();
        let Some(included) = with_includes(project, &ids) else {
            // Something installed from a source this tree does not show: unknown.
            continue;
        };
        let provided = project.manifests.iter().any(|m| {
            included.contains(&m.file)
                && PROVIDERS.iter().any(|(name, extra)| {
                    m.package == *name && extra.is_none_or(|e| m.features.iter().any(|f| f == e))
                })
        });
        if provided {
            continue;
        }
        ids.sort_unstable();
        let names: Vec<String> = ids
            .iter()
            .map(|id| format!("`{}`", project.files[*id].display))
            .collect();
        out.push(
            Diagnostic::new(
                &MISSING_DOTENV_DEPENDENCY,
                import.file,
                import.span.clone(),
                format!(
                    "`dotenv` is imported, but {} `python-dotenv`",
                    match names.as_slice() {
                        [one] => format!("{one} does not list"),
                        [a, b] => format!("neither {a} nor {b} lists"),
                        [rest @ .., last] => format!("none of {} or {last} lists", rest.join(", ")),
                        [] => "nothing lists".to_string(),
                    }
                ),
                "fails with `ModuleNotFoundError: No module named 'dotenv'` where only the listed dependencies are installed",
            )
            .help(format!(
                "add `python-dotenv` to {} (the import is `dotenv`, the package `python-dotenv`)",
                names[0]
            )),
        );
    }
}
