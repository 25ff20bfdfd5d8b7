//! Baselines (`--write-baseline FILE`, `--baseline FILE`): adopt neon-lint on a large tree
//! by recording today's findings and showing only new ones.
//!
//! A finding is keyed by its rule code, its path (relative to the baseline file's folder, so
//! the file works from any working directory) and a fingerprint: a stable hash of the
//! *redacted* text it is about (the connection string holding it, or the span's text with
//! secrets masked). Never the line number, so edits elsewhere in the file do not resurrect
//! recorded findings; never the password, which is masked before hashing. Identical keys
//! are counted: two recorded findings hide two, a third is new.
//!
//! The same fingerprint feeds SARIF `partialFingerprints`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::report::RedactedText;

/// The format version written in the file.
pub const VERSION: u64 = 1;

/// 64-bit FNV-1a: explicitly specified, so fingerprints stay the same across Rust versions
/// and platforms (unlike `DefaultHasher`).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The redacted text a finding is about: the connection string whose span holds it (with
/// its password masked), or else the finding's own span with secrets masked. Whitespace is
/// collapsed so re-indenting does not change it.
pub fn finding_text(project: &Project, d: &Diagnostic) -> String {
    let file = &project.files[d.file];
    let site = project
        .urls
        .iter()
        .filter(|u| u.file == d.file)
        .filter_map(|u| {
            let r = u.map.range(0..u.text.len());
            (r.start <= d.span.start && d.span.end <= r.end).then_some((r.len(), u))
        })
        .min_by_key(|(len, _)| *len);
    let text = match site {
        Some((_, u)) => neon_lint_core::redact::redact(&u.text),
        None => {
            // Mask the whole lines the span touches, then cut the span out of the mask:
            // a span inside a password must not be hashed in the clear.
            let first = file.lines.line_of(d.span.start);
            let last = file.lines.line_of(d.span.end.max(d.span.start));
            let start = file.lines.line_range(&file.text, first).start;
            let end = file
                .lines
                .line_range(&file.text, last)
                .end
                .max(d.span.end)
                .min(file.text.len());
            let lines = &file.text[start..end];
            let masked = RedactedText::new(lines);
            let local = d.span.start.saturating_sub(start)..d.span.end.saturating_sub(start);
            let r = masked.map_range(local);
            masked.text.get(r).unwrap_or_default().to_string()
        }
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The fingerprint of a finding at `path` (as recorded: relative to the baseline or the
/// repository root): hex of FNV-1a over rule code, path and redacted text.
pub fn fingerprint(project: &Project, d: &Diagnostic, path: &str) -> String {
    let text = finding_text(project, d);
    let mut key = Vec::with_capacity(text.len() + path.len() + 16);
    key.extend_from_slice(d.rule.code.as_bytes());
    key.push(0);
    key.extend_from_slice(path.as_bytes());
    key.push(0);
    key.extend_from_slice(text.as_bytes());
    format!("{:016x}", fnv1a(&key))
}

/// `path` relative to `base` (both made absolute), with `/` separators; the display path
/// when it is not under `base`.
pub fn relative_to(path: &Path, display: &str, base: &Path) -> String {
    let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let (p, b) = (abs(path), abs(base));
    match p.strip_prefix(&b) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_string_lossy().replace('\\', "/"),
        _ => display.to_string(),
    }
}

fn base_dir(baseline: &Path) -> PathBuf {
    match baseline.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Key {
    code: String,
    path: String,
    fingerprint: String,
}

fn key_of(project: &Project, d: &Diagnostic, base: &Path) -> Key {
    let f = &project.files[d.file];
    let path = relative_to(&f.path, &f.display, base);
    Key {
        code: d.rule.code.to_string(),
        fingerprint: fingerprint(project, d, &path),
        path,
    }
}

/// The baseline file's text for `diags`.
pub fn render(project: &Project, diags: &[Diagnostic], baseline: &Path) -> String {
    let base = base_dir(baseline);
    let mut entries: Vec<(Key, &'static str)> = diags
        .iter()
        .map(|d| (key_of(project, d, &base), d.rule.name))
        .collect();
    entries.sort();
    let findings: Vec<Value> = entries
        .iter()
        .map(|(k, name)| {
            json!({"code": k.code, "rule": name, "path": k.path, "fingerprint": k.fingerprint})
        })
        .collect();
    let doc = json!({
        "neon-lint-baseline": VERSION,
        "about": "findings recorded by `neon-lint --write-baseline`; `--baseline FILE` hides them. \
                  Keyed by rule, path and a hash of the redacted finding, not by line.",
        "findings": findings,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Writes the baseline atomically.
pub fn write(project: &Project, diags: &[Diagnostic], baseline: &Path) -> Result<usize, String> {
    let text = render(project, diags, baseline);
    crate::out::write_file(baseline, text.as_bytes())
        .map_err(|e| format!("{}: cannot write baseline: {e}", baseline.display()))?;
    Ok(diags.len())
}

/// A loaded baseline.
#[derive(Debug)]
pub struct Baseline {
    path: PathBuf,
    counts: HashMap<Key, usize>,
}

/// What applying a baseline did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings hidden because they were recorded.
    pub hidden: usize,
    /// Recorded findings in scanned (or deleted) files that matched nothing now: fixed, or
    /// changed beyond recognition.
    pub stale: usize,
}

impl Baseline {
    /// Reads a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        // A baseline can be large (every finding of a big tree), but not unbounded.
        let text = crate::fsread::read_to_string(path, crate::fsread::MAX_FILE_BYTES)
            .map_err(|e| format!("{}: cannot read baseline: {e}", path.display()))?;
        let v: Value = serde_json::from_str(&text)
            .map_err(|e| format!("{}: not a neon-lint baseline: {e}", path.display()))?;
        match v.get("neon-lint-baseline").and_then(Value::as_u64) {
            Some(VERSION) => {}
            Some(n) => {
                return Err(format!(
                    "{}: baseline format {n} is not supported (this neon-lint writes {VERSION})",
                    path.display()
                ))
            }
            None => {
                return Err(format!(
                    "{}: not a neon-lint baseline (no `neon-lint-baseline` version)",
                    path.display()
                ))
            }
        }
        let mut counts = HashMap::new();
        let items = v
            .get("findings")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("{}: baseline has no `findings` list", path.display()))?;
        for (i, item) in items.iter().enumerate() {
            let field = |k: &str| {
                item.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| format!("{}: finding {} has no `{k}`", path.display(), i + 1))
            };
            let key = Key {
                code: field("code")?,
                path: field("path")?,
                fingerprint: field("fingerprint")?,
            };
            *counts.entry(key).or_insert(0) += 1;
        }
        Ok(Baseline {
            path: path.to_path_buf(),
            counts,
        })
    }

    /// Removes recorded findings from `diags`.
    pub fn apply(&self, project: &Project, diags: &mut Vec<Diagnostic>) -> Applied {
        let base = base_dir(&self.path);
        let mut left = self.counts.clone();
        let mut applied = Applied::default();
        diags.retain(|d| {
            let k = key_of(project, d, &base);
            match left.get_mut(&k) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    applied.hidden += 1;
                    false
                }
                _ => true,
            }
        });
        // Context files (read for named files' sake) were not judged: their entries wait.
        let scanned: HashSet<String> = project
            .files
            .iter()
            .enumerate()
            .filter(|(id, _)| !project.context.contains(id))
            .map(|(_, f)| relative_to(&f.path, &f.display, &base))
            .collect();
        let mut stale_by_path: BTreeMap<&str, usize> = BTreeMap::new();
        for (k, n) in &left {
            if *n > 0 && (scanned.contains(&k.path) || !base.join(&k.path).exists()) {
                *stale_by_path.entry(&k.path).or_insert(0) += n;
            }
        }
        applied.stale = stale_by_path.values().sum();
        applied
    }

    /// Whether `path` is this baseline file (its findings are never reported).
    pub fn is_file(baseline: &Path, path: &Path) -> bool {
        let abs = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
        abs(baseline) == abs(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_is_the_published_function() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
