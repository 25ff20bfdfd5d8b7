//! npm lock files: `package-lock.json` / `npm-shrinkwrap.json` (lockfileVersion 1:
//! nested `dependencies`; 2 and 3: `packages` keyed by `node_modules/...` paths),
//! `yarn.lock` (classic v1 and Berry), `pnpm-lock.yaml` (v5/v6 `/name/1.0.0` and
//! `/name@1.0.0`, v9 `name@1.0.0` keys of `packages:`).

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::lockfiles::pin_exact;
use super::yaml::Positions;
use super::Cx;
use crate::site::pins::{Ecosystem, PackagePin, VersionReq};
use crate::version::Version;

pub(super) fn package_lock(cx: &mut Cx) {
    let text = cx.file.text.clone();
    if let Err(e) = serde_json::from_str::<serde_json::Value>(&text) {
        cx.out.notes.push(format!(
            "not valid JSON, so its package versions were not read: {e}"
        ));
        return;
    }
    let mut seen_packages = false;
    let mut found = Vec::new();
    for (key, value, map) in super::json::strings(&text) {
        let Some(path) = key.strip_suffix(".version") else {
            continue;
        };
        // v2/v3: `packages.node_modules/a/node_modules/pg`; the root is `packages.`.
        if let Some(p) = path.strip_prefix("packages.") {
            if let Some(i) = p.rfind("node_modules/") {
                seen_packages = true;
                found.push((true, p[i + "node_modules/".len()..].to_string(), value, map));
            }
            continue;
        }
        // v1: `dependencies.a.dependencies.pg`.
        if let Some(p) = path.strip_prefix("dependencies.") {
            let name = p.rsplit(".dependencies.").next().unwrap_or(p).to_string();
            found.push((false, name, value, map));
        }
    }
    // v2 lock files carry both forms; `packages` is the one npm 7+ reads.
    for (modern, name, version, map) in found {
        if seen_packages && !modern {
            continue;
        }
        // `npm:other@1.0.0` aliases and `file:` / git versions name no registry version.
        if !version.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let span = map.range(0..version.len());
        pin_exact(cx, span, Ecosystem::Npm, &name, &version, None);
    }
}

/// `package.json` dependencies whose range has an upper bound: `"postgres": "3.3.3"`,
/// `"~3.3.0"` (below 3.4.0), `"3.3.x"`, `"^3.3.0"` (below 4), `"<3.3.4"`. Open ranges
/// (`>=3`, `*`, tags, git URLs) are not recorded: only the lock file says what they install.
pub(super) fn package_json(cx: &mut Cx) {
    let text = cx.file.text.clone();
    for (key, value, map) in super::json::strings(&text) {
        let Some(name) = ["dependencies.", "devDependencies.", "optionalDependencies."]
            .iter()
            .find_map(|p| key.strip_prefix(p))
        else {
            continue;
        };
        let version = npm_range(&value);
        if version == VersionReq::Open {
            continue;
        }
        cx.out.pins.push(PackagePin {
            file: cx.file_id,
            span: map.range(0..value.len()),
            ecosystem: Ecosystem::Npm,
            package: name.to_string(),
            version,
            variant: None,
            base_image: None,
        });
    }
}

/// The newest versions an npm range allows (node-semver): the loosest alternative of a
/// `||` list; within one, the tightest bound.
pub(super) fn npm_range(range: &str) -> VersionReq {
    let mut loosest: Option<VersionReq> = None;
    for alt in range.split("||") {
        let req = npm_comparators(alt.trim());
        let looser = match (&loosest, &req) {
            (None, _) => true,
            (_, VersionReq::Open) => true,
            (Some(VersionReq::Open), _) => false,
            (Some(cur), new) => upper(new) > upper(cur),
        };
        if looser {
            loosest = Some(req);
        }
    }
    loosest.unwrap_or(VersionReq::Open)
}

/// The bound of a requirement, for comparing two (an exact version is its own bound).
fn upper(r: &VersionReq) -> Option<Version> {
    match r {
        VersionReq::Exact(v) | VersionReq::Below { version: v, .. } => Version::parse(v),
        VersionReq::Open => None,
    }
}

fn npm_comparators(alt: &str) -> VersionReq {
    if alt.contains(" - ") {
        // `1.0.0 - 1.2.0`: up to the second.
        let hi = alt.rsplit(" - ").next().unwrap_or("").trim();
        return VersionReq::Below {
            version: hi.to_string(),
            inclusive: true,
        };
    }
    let mut best = VersionReq::Open;
    for c in alt.split_whitespace() {
        let req = npm_comparator(c);
        let tighter = match (&req, &best) {
            (VersionReq::Exact(_), _) => return req,
            (VersionReq::Open, _) => false,
            (_, VersionReq::Open) => true,
            (new, cur) => upper(new) < upper(cur),
        };
        if tighter {
            best = req;
        }
    }
    best
}

fn npm_comparator(c: &str) -> VersionReq {
    let below = |v: String| VersionReq::Below {
        version: v,
        inclusive: false,
    };
    // Partial versions and wildcards: `3.3`, `3.3.x`, `3.3.*` allow 3.3.*.
    let partial = |v: &str| -> Option<Vec<u64>> {
        let v = v.trim_start_matches(['v', '=']);
        let parts: Vec<&str> = v.split('.').collect();
        let mut nums = Vec::new();
        for p in &parts {
            match p.parse::<u64>() {
                Ok(n) => nums.push(n),
                Err(_) if matches!(*p, "x" | "X" | "*") => break,
                Err(_) => return None,
            }
        }
        (nums.len() < 3 && !nums.is_empty()).then_some(nums)
    };
    // The next version up at `at`; past u64::MAX nothing is above, so the range is open.
    let bump = |mut nums: Vec<u64>, at: usize| -> VersionReq {
        nums.truncate(at + 1);
        let Some(next) = nums[at].checked_add(1) else {
            return VersionReq::Open;
        };
        nums[at] = next;
        below(
            nums.iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join("."),
        )
    };
    if let Some(v) = c.strip_prefix("<=") {
        return VersionReq::Below {
            version: v.to_string(),
            inclusive: true,
        };
    }
    if let Some(v) = c.strip_prefix('<') {
        return below(v.to_string());
    }
    if c.starts_with('>') || c == "*" || c.is_empty() || c == "latest" {
        return VersionReq::Open;
    }
    if let Some(v) = c.strip_prefix('~') {
        let v = v.trim_start_matches(['>', '=', 'v']);
        let nums: Vec<u64> = v.split('.').map_while(|p| p.parse().ok()).collect();
        return match nums.len() {
            0 => VersionReq::Open,
            1 => bump(nums, 0),
            _ => bump(nums, 1),
        };
    }
    if let Some(v) = c.strip_prefix('^') {
        // `^1.2.3` < 2, `^0.8.2` < 0.9, `^0.0.3` < 0.0.4.
        let nums: Vec<u64> = v.split('.').map_while(|p| p.parse().ok()).collect();
        let Some(first) = nums.iter().position(|&n| n != 0) else {
            return VersionReq::Open;
        };
        return bump(nums, first);
    }
    if let Some(nums) = partial(c) {
        let at = nums.len() - 1;
        return bump(nums, at);
    }
    let v = c.trim_start_matches('=').trim_start_matches('v');
    if Version::parse(v).is_some() {
        return VersionReq::Exact(v.to_string());
    }
    VersionReq::Open
}

/// The package name of a yarn/pnpm descriptor (`pg@^8.0.0`, `@scope/x@npm:1.0.0`).
fn descriptor_name(d: &str) -> &str {
    let d = d.trim().trim_matches('"');
    let search_from = usize::from(d.starts_with('@'));
    match d[search_from..].find('@') {
        Some(i) => &d[..search_from + i],
        None => d,
    }
}

/// yarn.lock: an entry header (`pg@^8.0.0, "pg@^8.1":` or `"pg@npm:^8.0.0":`) at column
/// 0, then an indented `version "8.7.1"` (v1) or `version: 8.7.1` (Berry).
pub(super) fn yarn_lock(cx: &mut Cx) {
    let text = cx.file.text.clone();
    let mut current: Option<String> = None;
    let mut offset = 0;
    let mut pins = Vec::new();
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if content.is_empty() || content.starts_with('#') {
            continue;
        }
        if !content.starts_with(' ') {
            current = content
                .strip_suffix(':')
                .and_then(|h| h.split(',').next())
                .map(|d| descriptor_name(d).to_string())
                .filter(|n| !n.is_empty() && n != "__metadata");
            continue;
        }
        let Some(name) = &current else { continue };
        let trimmed = content.trim_start();
        let Some(v) = trimmed
            .strip_prefix("version ")
            .or_else(|| trimmed.strip_prefix("version: "))
        else {
            continue;
        };
        let v = v.trim();
        let version = v.trim_matches('"');
        let at = start + (content.len() - trimmed.len()) + (trimmed.len() - v.len());
        pins.push((at..at + v.len(), name.clone(), version.to_string()));
        current = None;
    }
    for (span, name, version) in pins {
        pin_exact(cx, span, Ecosystem::Npm, &name, &version, None);
    }
}

/// Collects the keys of the top-level `packages:` map with their byte offsets.
struct PackageKeys<'a> {
    pos: Positions<'a>,
    /// Open containers: (is a mapping, the next scalar is a key, the current key).
    stack: Vec<(bool, bool, String)>,
    keys: Vec<(String, usize)>,
}

impl MarkedEventReceiver for PackageKeys<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::MappingStart(..) => self.stack.push((true, true, String::new())),
            Event::SequenceStart(..) => self.stack.push((false, false, String::new())),
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                if let Some(parent) = self.stack.last_mut() {
                    parent.1 = parent.0;
                }
            }
            Event::Scalar(value, ..) => {
                let in_packages = self.stack.len() == 2 && self.stack[0].2 == "packages";
                let Some(top) = self.stack.last_mut() else {
                    return;
                };
                if !top.0 {
                    return;
                }
                if top.1 {
                    if in_packages {
                        self.keys.push((value.clone(), self.pos.byte(&mark)));
                    }
                    top.2 = value;
                    top.1 = false;
                } else {
                    top.1 = true;
                }
            }
            _ => {}
        }
    }
}

/// `pnpm-lock.yaml` keys of `packages:`: `/pg/8.7.1`, `/pg@8.7.1(peer)`, `pg@8.7.1`,
/// `/@scope/x/1.0.0`.
fn pnpm_key(key: &str) -> Option<(String, String)> {
    let k = key.strip_prefix('/').unwrap_or(key);
    let k = k.split(['(', '_']).next().unwrap_or(k);
    let from = usize::from(k.starts_with('@'));
    if let Some(i) = k[from..].find('@') {
        let (n, v) = k.split_at(from + i);
        return Some((n.to_string(), v[1..].to_string()));
    }
    // v5: `/name/version`, `/@scope/name/version`.
    let (n, v) = k.rsplit_once('/')?;
    Some((n.to_string(), v.to_string()))
}

pub(super) fn pnpm_lock(cx: &mut Cx) {
    let text = cx.file.text.clone();
    let mut keys = PackageKeys {
        pos: Positions::new(&text),
        stack: Vec::new(),
        keys: Vec::new(),
    };
    if let Err(e) = Parser::new_from_str(&text).load(&mut keys, false) {
        cx.out.notes.push(format!(
            "not valid YAML, so its package versions were not read: {e}"
        ));
        return;
    }
    let found: Vec<(String, usize)> = keys.keys;
    for (key, at) in found {
        let Some((name, version)) = pnpm_key(&key) else {
            continue;
        };
        if !version.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        // Point at the key as written (quoted keys start one byte later); a key written
        // with escapes is pointed at by its first byte.
        let span = text[at..]
            .find(key.as_str())
            .filter(|&i| i < 2)
            .map_or(at..at, |i| at + i..at + i + key.len());
        pin_exact(cx, span, Ecosystem::Npm, &name, &version, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::lockfiles::tests::pins_of;
    use super::*;

    #[test]
    fn reads_npm_ranges() {
        let below = |v: &str| VersionReq::Below {
            version: v.into(),
            inclusive: false,
        };
        assert_eq!(npm_range("3.3.3"), VersionReq::Exact("3.3.3".into()));
        assert_eq!(npm_range("=v3.3.3"), VersionReq::Exact("3.3.3".into()));
        assert_eq!(npm_range("~3.3.0"), below("3.4"));
        assert_eq!(npm_range("3.3.x"), below("3.4"));
        assert_eq!(npm_range("3.3"), below("3.4"));
        assert_eq!(npm_range("^3.3.0"), below("4"));
        assert_eq!(npm_range("^0.8.2"), below("0.9"));
        assert_eq!(npm_range(">=3.0.0 <3.3.4"), below("3.3.4"));
        assert_eq!(npm_range("3.3.3 || ^3.4.0"), below("4"));
        assert_eq!(npm_range("3.3.3 || *"), VersionReq::Open);
        assert_eq!(npm_range("latest"), VersionReq::Open);
        assert_eq!(npm_range("github:porsager/postgres"), VersionReq::Open);
        let pkg = r#"{"name": "x", "dependencies": {"postgres": "3.3.3", "pg": "^8.0.0"}, "devDependencies": {"postgres-x": "~1.0.0"}}"#;
        assert_eq!(
            pins_of("package.json", pkg),
            vec![
                ("postgres".into(), "3.3.3".into(), "3.3.3".into()),
                (
                    "pg".into(),
                    "Below { version: \"9\", inclusive: false }".into(),
                    "^8.0.0".into()
                ),
                (
                    "postgres-x".into(),
                    "Below { version: \"1.1\", inclusive: false }".into(),
                    "~1.0.0".into()
                ),
            ]
        );
    }

    #[test]
    fn reads_npm_locks() {
        let v3 = r#"{"name": "app", "lockfileVersion": 3, "packages": {"": {"name": "app", "version": "1.0.0", "dependencies": {"postgres": "3.3.3"}}, "node_modules/postgres": {"version": "3.3.3"}, "node_modules/a/node_modules/pg": {"version": "8.11.0"}}}"#;
        assert_eq!(
            pins_of("package-lock.json", v3),
            vec![
                ("postgres".into(), "3.3.3".into(), "3.3.3".into()),
                ("pg".into(), "8.11.0".into(), "8.11.0".into())
            ]
        );
        let v1 = r#"{"lockfileVersion": 1, "dependencies": {"postgres": {"version": "3.3.3"}, "x": {"version": "1.0.0", "dependencies": {"pg": {"version": "0.8.2"}}}}}"#;
        let got: Vec<_> = pins_of("package-lock.json", v1)
            .into_iter()
            .map(|p| (p.0, p.1))
            .collect();
        assert_eq!(
            got,
            vec![
                ("postgres".into(), "3.3.3".into()),
                ("x".into(), "1.0.0".into()),
                ("pg".into(), "0.8.2".into())
            ]
        );
        let yarn = "# yarn lockfile v1\n\n\"@scope/x@^1.0.0\":\n  version \"1.0.0\"\n\npostgres@^3.3.0, postgres@^3.3.3:\n  version \"3.3.3\"\n  resolved \"https://x\"\n";
        assert_eq!(
            pins_of("yarn.lock", yarn),
            vec![
                ("@scope/x".into(), "1.0.0".into(), "\"1.0.0\"".into()),
                ("postgres".into(), "3.3.3".into(), "\"3.3.3\"".into())
            ]
        );
        let berry = "__metadata:\n  version: 6\n\n\"postgres@npm:^3.3.0\":\n  version: 3.3.3\n";
        assert_eq!(
            pins_of("yarn.lock", berry),
            vec![("postgres".into(), "3.3.3".into(), "3.3.3".into())]
        );
        let pnpm9 = "lockfileVersion: '9.0'\nimporters:\n  .:\n    dependencies:\n      postgres:\n        specifier: 3.3.3\n        version: 3.3.3\npackages:\n  postgres@3.3.3:\n    resolution: {integrity: sha512-x}\n  '@scope/x@1.0.0':\n    resolution: {integrity: sha512-y}\n";
        assert_eq!(
            pins_of("pnpm-lock.yaml", pnpm9),
            vec![
                ("postgres".into(), "3.3.3".into(), "postgres@3.3.3".into()),
                ("@scope/x".into(), "1.0.0".into(), "@scope/x@1.0.0".into())
            ]
        );
        let pnpm5 = "lockfileVersion: 5.4\npackages:\n  /postgres/3.3.3:\n    resolution: {integrity: sha512-x}\n";
        assert_eq!(
            pins_of("pnpm-lock.yaml", pnpm5),
            vec![("postgres".into(), "3.3.3".into(), "/postgres/3.3.3".into())]
        );
    }
}
