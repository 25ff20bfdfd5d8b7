//! Python dependency manifests: `requirements*.txt` (and `requirements/*.txt|in`),
//! `Pipfile`, `pyproject.toml` (PEP 621 `dependencies` and `optional-dependencies`, PEP 735
//! `dependency-groups`, Poetry, uv and PDM dev dependencies), `setup.cfg`
//! (`install_requires`, `extras_require`) and `setup.py` (`install_requires=[...]`).
//!
//! Each requirement becomes a [`ManifestFact`] with its normalised name (PEP 503:
//! lower case, runs of `-_.` as `-`) and its extras in `features`. `pyproject.toml` is also
//! read as TOML for connection strings.

use std::ops::Range;

use toml_edit::{ImDocument, Item, Value};

use super::Cx;
use crate::site::pins::{Ecosystem, PackagePin, VersionReq};
use crate::site::{ManifestFact, RequirementRef, RequirementTarget};
use crate::version::Version;

pub(super) fn extract(cx: &mut Cx) {
    let name = cx
        .file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let text = cx.file.text.clone();
    let mut refs = Vec::new();
    let reqs: Vec<(String, Range<usize>)> = match name.as_str() {
        "pyproject.toml" => {
            super::toml::extract(cx);
            pyproject(&text, &mut refs)
        }
        "pipfile" => pipfile(&text, &mut refs),
        "setup.cfg" => setup_cfg(&text),
        "setup.py" => super::python::setup_py_requirements(&text),
        _ => requirements_txt(&text, &mut refs),
    };
    // `name @ https://...`, `name @ file:///...`: named, but built from a source whose
    // dependencies this tree does not show.
    for (spec, span) in &reqs {
        if spec.contains("://") || spec.contains(" @ ") {
            refs.push((RequirementTarget::Unreadable, span.clone()));
        }
    }
    for (target, span) in refs {
        cx.out.requirement_refs.push(RequirementRef {
            file: cx.file_id,
            span,
            target,
        });
    }
    for (spec, span) in reqs {
        let Some((package, extras)) = parse_requirement(&spec) else {
            continue;
        };
        let version = version_req(&spec);
        if version != VersionReq::Open {
            cx.out.pins.push(PackagePin {
                file: cx.file_id,
                span: span.clone(),
                ecosystem: Ecosystem::PyPi,
                package: package.clone(),
                version,
                // Extras select builds: `psycopg[binary]` brings the libpq-bundling wheel.
                variant: (!extras.is_empty()).then(|| extras.join(",")),
                base_image: None,
            });
        }
        cx.out.manifests.push(ManifestFact {
            file: cx.file_id,
            span,
            package,
            features: extras,
            default_features: true,
        });
    }
}

/// PEP 503 normalisation.
pub(crate) fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut dash = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            dash = true;
            continue;
        }
        if dash && !out.is_empty() {
            out.push('-');
        }
        dash = false;
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// `name[extra1,extra2]>=1.0; marker` -> (normalised name, extras).
fn parse_requirement(spec: &str) -> Option<(String, Vec<String>)> {
    let s = spec.trim();
    let n = s
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
        .count();
    if n == 0 {
        return None;
    }
    let name = normalize(&s[..n]);
    let rest = s[n..].trim_start();
    let extras = rest
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .map(|(inner, _)| {
            inner
                .split(',')
                .map(|e| normalize(e.trim()))
                .filter(|e| !e.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Some((name, extras))
}

/// The newest versions a PEP 508 requirement allows (PEP 440 specifiers, markers after
/// `;` ignored): `==2.8.6` exact; `<0.22`, `<=2.8.6`, `~=2.8.0` (below 2.9), `==2.8.*`
/// (below 2.9) bounded; anything else open. The tightest bound wins.
pub(crate) fn version_req(spec: &str) -> VersionReq {
    let spec = spec.split(';').next().unwrap_or(spec);
    let n = spec
        .bytes()
        .position(|c| matches!(c, b'=' | b'<' | b'>' | b'~' | b'!'))
        .unwrap_or(spec.len());
    let mut best = VersionReq::Open;
    for clause in spec[n..].split(',') {
        let c = clause.trim();
        let op_len = c
            .bytes()
            .take_while(|b| matches!(b, b'=' | b'<' | b'>' | b'~' | b'!'))
            .count();
        // The version ends at a blank or a `\` continuation (pip-compile's `--hash` lines).
        let v = c[op_len..].trim_start();
        let v = v.split([' ', '\t', '\\']).next().unwrap_or(v);
        let op = &c[..op_len];
        let req = match op {
            "==" | "===" if v.ends_with(".*") => bump(v.trim_end_matches(".*"), 0),
            "==" | "===" => VersionReq::Exact(v.to_string()),
            "<" => VersionReq::Below {
                version: v.to_string(),
                inclusive: false,
            },
            "<=" => VersionReq::Below {
                version: v.to_string(),
                inclusive: true,
            },
            // `~=2.8.0` allows 2.8.*: below 2.9.
            "~=" => bump(v, 1),
            _ => continue,
        };
        if matches!(req, VersionReq::Exact(_)) {
            return req;
        }
        if tighter(&req, &best) {
            best = req;
        }
    }
    best
}

/// The bound "below `v` with its last component bumped" (`drop` components removed
/// first): `bump("2.8", 0)` is below 2.9, `bump("2.8.0", 1)` is below 2.9.
fn bump(v: &str, drop: usize) -> VersionReq {
    let Some(parsed) = Version::parse(v) else {
        return VersionReq::Open;
    };
    let mut parts: Vec<u64> = parsed.release().to_vec();
    if parts.len() > drop {
        parts.truncate(parts.len() - drop);
    }
    if let Some(last) = parts.last_mut() {
        // Past u64::MAX nothing is above: the range is open.
        match last.checked_add(1) {
            Some(next) => *last = next,
            None => return VersionReq::Open,
        }
    }
    VersionReq::Below {
        version: parts
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join("."),
        inclusive: false,
    }
}

fn tighter(a: &VersionReq, than: &VersionReq) -> bool {
    let bound = |r: &VersionReq| match r {
        VersionReq::Below { version, .. } => Version::parse(version),
        _ => None,
    };
    match (bound(a), bound(than)) {
        (Some(x), Some(y)) => x < y,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Requirement lines of a `requirements*.txt`; includes (`-r`, `--requirement`) and
/// requirements with unknown dependencies (`-e`, VCS URLs, archives, local paths) go to
/// `refs`.
fn requirements_txt(
    text: &str,
    refs: &mut Vec<(RequirementTarget, Range<usize>)>,
) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.split(" #").next().unwrap_or(line).trim();
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        let lead = line.len() - line.trim_start().len();
        let span = start + lead..start + lead + content.len();
        if content.starts_with('-') {
            if let Some(path) = option_value(content, &["-r", "--requirement"]) {
                refs.push((RequirementTarget::Include(path.to_string()), span));
            } else if option_value(content, &["-e", "--editable"]).is_some() {
                refs.push((RequirementTarget::Unreadable, span));
            }
            continue;
        }
        // `name @ https://...` and `...#egg=name` keep their name; bare URLs, archives and
        // local paths name no package, and what they depend on is unknown.
        if content.contains("://") && !content.contains(" @ ") && !content.contains("#egg=") {
            refs.push((RequirementTarget::Unreadable, span));
            continue;
        }
        if is_local_path(content) {
            refs.push((RequirementTarget::Unreadable, span));
            continue;
        }
        let spec = match content.split_once("#egg=") {
            Some((_, egg)) => egg.to_string(),
            None => content.to_string(),
        };
        out.push((spec, span));
    }
    out
}

/// The value of a pip option line (`-r base.txt`, `-rbase.txt`, `--requirement=base.txt`).
fn option_value<'a>(line: &'a str, names: &[&str]) -> Option<&'a str> {
    names.iter().find_map(|name| {
        let rest = line.strip_prefix(name)?;
        let value = if name.starts_with("--") {
            rest.strip_prefix('=')
                .or_else(|| rest.strip_prefix([' ', '\t']))?
        } else {
            rest
        };
        let value = value.trim();
        (!value.is_empty()).then_some(value)
    })
}

/// `./pkg`, `../libs/x`, `/opt/wheels/x.whl`, `dist/app-1.0.tar.gz`: installed from a path.
fn is_local_path(spec: &str) -> bool {
    let first = spec.split([' ', ';']).next().unwrap_or("");
    first.starts_with(['.', '/', '~'])
        || [".whl", ".tar.gz", ".zip", ".tgz"]
            .iter()
            .any(|ext| first.ends_with(ext))
}

fn item_span(item: &Item) -> Range<usize> {
    item.span().unwrap_or(0..0)
}

/// Poetry and Pipfile dependency tables: one requirement per key. A table value with a
/// `git`, `path`, `url` or `file` key is built from a source whose dependencies are
/// unknown here: it also goes to `refs`.
fn toml_table_keys(
    doc: &ImDocument<&str>,
    path: &[&str],
    out: &mut Vec<(String, Range<usize>)>,
    refs: &mut Vec<(RequirementTarget, Range<usize>)>,
) {
    let mut item = doc.as_item();
    for p in path {
        match item.get(p) {
            Some(i) => item = i,
            None => return,
        }
    }
    if let Some(t) = item.as_table_like() {
        for (k, v) in t.iter() {
            if k == "python" {
                continue;
            }
            let span = t
                .key(k)
                .and_then(|key| key.span())
                .unwrap_or_else(|| item_span(v));
            if ["git", "path", "url", "file"]
                .iter()
                .any(|source| v.get(source).is_some())
            {
                refs.push((RequirementTarget::Unreadable, span.clone()));
            }
            // `"==2.8.6"` or `{ version = "<2.9" }` (Pipfile's PEP 440 specifiers; Poetry's
            // `==`/`<` forms). Poetry's bare and `^`/`~` versions keep only the name: their
            // bounds are not PEP 440's, and the lock file has the exact version.
            let constraint = v
                .as_str()
                .or_else(|| v.get("version").and_then(Item::as_str))
                .map(str::trim)
                .filter(|c| c.starts_with("==") || c.starts_with('<') || c.starts_with("~="));
            match constraint {
                Some(c) => out.push((format!("{k}{c}"), span)),
                None => out.push((k.to_string(), span)),
            }
        }
    }
}

fn toml_string_array(item: Option<&Item>, out: &mut Vec<(String, Range<usize>)>) {
    let Some(arr) = item.and_then(|i| i.as_array()) else {
        return;
    };
    for v in arr.iter() {
        if let Value::String(s) = v {
            out.push((s.value().clone(), s.span().unwrap_or(0..0)));
        }
    }
}

fn pyproject(
    text: &str,
    refs: &mut Vec<(RequirementTarget, Range<usize>)>,
) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let Ok(doc) = ImDocument::parse(text) else {
        return out;
    };
    let root = doc.as_item();
    let project = root.get("project");
    toml_string_array(project.and_then(|p| p.get("dependencies")), &mut out);
    for groups in [
        project.and_then(|p| p.get("optional-dependencies")),
        root.get("dependency-groups"),
        root.get("tool")
            .and_then(|t| t.get("pdm"))
            .and_then(|p| p.get("dev-dependencies")),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(t) = groups.as_table_like() {
            for (_, v) in t.iter() {
                toml_string_array(Some(v), &mut out);
            }
        }
    }
    toml_string_array(
        root.get("tool")
            .and_then(|t| t.get("uv"))
            .and_then(|u| u.get("dev-dependencies")),
        &mut out,
    );
    toml_table_keys(&doc, &["tool", "poetry", "dependencies"], &mut out, refs);
    toml_table_keys(
        &doc,
        &["tool", "poetry", "dev-dependencies"],
        &mut out,
        refs,
    );
    if let Some(groups) = root
        .get("tool")
        .and_then(|t| t.get("poetry"))
        .and_then(|p| p.get("group"))
        .and_then(|g| g.as_table_like())
    {
        let names: Vec<String> = groups.iter().map(|(k, _)| k.to_string()).collect();
        for g in names {
            toml_table_keys(
                &doc,
                &["tool", "poetry", "group", &g, "dependencies"],
                &mut out,
                refs,
            );
        }
    }
    out
}

fn pipfile(
    text: &str,
    refs: &mut Vec<(RequirementTarget, Range<usize>)>,
) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let Ok(doc) = ImDocument::parse(text) else {
        return out;
    };
    toml_table_keys(&doc, &["packages"], &mut out, refs);
    toml_table_keys(&doc, &["dev-packages"], &mut out, refs);
    out
}

/// `[options] install_requires =` and `[options.extras_require]` values, one requirement
/// per continuation line (or `;`-separated on one line).
fn setup_cfg(text: &str) -> Vec<(String, Range<usize>)> {
    let mut out = Vec::new();
    let mut section = String::new();
    let mut in_list = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        let trimmed = content.trim();
        if trimmed.starts_with('[') {
            section = trimmed.trim_matches(['[', ']']).trim().to_string();
            in_list = false;
            continue;
        }
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let indented = content.starts_with(' ') || content.starts_with('\t');
        let mut value = None;
        if !indented {
            in_list = false;
            if let Some((k, v)) = content.split_once('=') {
                let k = k.trim();
                if (section == "options" && k == "install_requires")
                    || section == "options.extras_require"
                {
                    in_list = true;
                    value = Some(v);
                }
            }
        } else if in_list {
            value = Some(content);
        }
        let Some(v) = value else { continue };
        for part in v.split(';') {
            let p = part.trim();
            if p.is_empty() {
                continue;
            }
            let at = start + content.find(p).unwrap_or(0);
            out.push((p.to_string(), at..at + p.len()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_bounds_at_u64_max_are_open() {
        assert_eq!(
            version_req("psycopg2~=18446744073709551615.0"),
            VersionReq::Open
        );
        assert_eq!(
            version_req("psycopg2==18446744073709551615.*"),
            VersionReq::Open
        );
    }

    #[test]
    fn reads_version_specifiers() {
        let below = |v: &str, inclusive| VersionReq::Below {
            version: v.into(),
            inclusive,
        };
        assert_eq!(
            version_req("psycopg2-binary==2.8.6"),
            VersionReq::Exact("2.8.6".into())
        );
        assert_eq!(
            version_req("psycopg2-binary[x] == 2.8.6 ; python_version < \"3.10\""),
            VersionReq::Exact("2.8.6".into())
        );
        assert_eq!(version_req("asyncpg<0.22"), below("0.22", false));
        assert_eq!(version_req("asyncpg>=0.18,<=0.21.0"), below("0.21.0", true));
        assert_eq!(version_req("asyncpg<1,<0.22"), below("0.22", false));
        assert_eq!(version_req("psycopg2-binary~=2.8.0"), below("2.9", false));
        assert_eq!(version_req("psycopg2-binary~=2.8"), below("3", false));
        assert_eq!(version_req("psycopg2-binary==2.8.*"), below("2.9", false));
        assert_eq!(version_req("psycopg2-binary>=2.8"), VersionReq::Open);
        assert_eq!(
            version_req("psycopg2-binary==2.9.2 \\"),
            VersionReq::Exact("2.9.2".into())
        );
        assert_eq!(version_req("psycopg2-binary"), VersionReq::Open);
    }

    #[test]
    fn reads_pipfile_and_poetry_constraints() {
        let p = pipfile("[packages]\npsycopg2-binary = \"==2.8.6\"\nasyncpg = {version = \"<0.22\"}\nflask = \"*\"\n", &mut Vec::new());
        let specs: Vec<_> = p.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(specs, ["psycopg2-binary==2.8.6", "asyncpg<0.22", "flask"]);
        let p = pyproject("[tool.poetry.dependencies]\npython = \"^3.11\"\npsycopg2-binary = \"2.8.6\"\nasyncpg = \"==0.21.0\"\n", &mut Vec::new());
        let specs: Vec<_> = p.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(specs, ["psycopg2-binary", "asyncpg==0.21.0"]);
    }

    #[test]
    fn reads_requirements() {
        let mut refs = Vec::new();
        let r = requirements_txt(
            "# c\nPython_Dotenv[cli]==1.0 # pinned\n-r base.txt\nasyncpg\n-e ./lib\ngit+https://example.com/x.git\n./wheels/y.whl\n--requirement=dev.txt\n",
            &mut refs,
        );
        let targets: Vec<_> = refs.iter().map(|(t, _)| t.clone()).collect();
        assert_eq!(
            targets,
            vec![
                RequirementTarget::Include("base.txt".into()),
                RequirementTarget::Unreadable,
                RequirementTarget::Unreadable,
                RequirementTarget::Unreadable,
                RequirementTarget::Include("dev.txt".into()),
            ]
        );
        let names: Vec<_> = r.iter().filter_map(|(s, _)| parse_requirement(s)).collect();
        assert_eq!(
            names,
            vec![
                ("python-dotenv".to_string(), vec!["cli".to_string()]),
                ("asyncpg".to_string(), vec![])
            ]
        );
        let p = pyproject(
            "[project]\ndependencies = [\"python-dotenv>=1\"]\n[tool.poetry.dependencies]\npython = \"^3.11\"\nasyncpg = \"*\"\n",
            &mut refs,
        );
        let names: Vec<_> = p.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names, vec!["python-dotenv>=1", "asyncpg"]);
        let c = setup_cfg(
            "[options]\ninstall_requires =\n    python-dotenv\n    psycopg2\n[x]\ny = z\n",
        );
        let names: Vec<_> = c.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names, vec!["python-dotenv", "psycopg2"]);
    }
}
