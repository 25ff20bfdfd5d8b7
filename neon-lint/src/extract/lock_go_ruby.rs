//! `go.mod` (`require path version` lines, alone or in `require ( ... )` blocks) and
//! `Gemfile.lock` (the `specs:` entries `    name (version[-platform])` of `GEM`
//! sections; a platform suffix marks a binary gem), and `mix.lock` (Elixir: one
//! `"name": {:hex, :name, "version", ...}` entry per line).

use super::lockfiles::pin_exact;
use super::Cx;
use crate::site::pins::Ecosystem;

/// `go.mod`: `require` entries, and `replace` directives, which win over them: a replaced
/// module is pinned by its replacement's version (at the `replace` line), or not at all when
/// it is replaced by a local directory.
pub(super) fn go_mod(cx: &mut Cx) {
    let text = cx.file.text.clone();
    let mut block: Option<&str> = None;
    let mut offset = 0;
    let mut requires = Vec::new();
    let mut replaced: Vec<String> = Vec::new();
    let mut replacements = Vec::new();
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.split("//").next().unwrap_or("").trim_end();
        let trimmed = content.trim_start();
        let (directive, spec) = if let Some(d) = block {
            if trimmed.starts_with(')') {
                block = None;
                continue;
            }
            (d, trimmed)
        } else {
            let Some((d, rest)) = ["require", "replace"].iter().find_map(|d| {
                let rest = trimmed.strip_prefix(d)?;
                rest.starts_with([' ', '\t', '('])
                    .then(|| (*d, rest.trim_start()))
            }) else {
                continue;
            };
            if rest.starts_with('(') {
                block = Some(d);
                continue;
            }
            (d, rest)
        };
        let words: Vec<&str> = spec.split_whitespace().collect();
        let at = |w: &str| content.rfind(w).map(|i| start + i..start + i + w.len());
        if directive == "require" {
            if let (Some(path), Some(version)) = (words.first(), words.get(1)) {
                if let Some(span) = at(version) {
                    requires.push((
                        span,
                        path.trim_matches('"').to_string(),
                        version.to_string(),
                    ));
                }
            }
            continue;
        }
        // `replace old [v] => new [v]`.
        let Some(arrow) = words.iter().position(|w| *w == "=>") else {
            continue;
        };
        let Some(old) = words.first() else { continue };
        replaced.push(old.trim_matches('"').to_string());
        if let (Some(new), Some(version)) = (words.get(arrow + 1), words.get(arrow + 2)) {
            if let Some(span) = at(version) {
                replacements.push((span, new.trim_matches('"').to_string(), version.to_string()));
            }
        }
    }
    for (span, path, version) in requires {
        if !replaced.contains(&path) {
            pin_exact(cx, span, Ecosystem::Go, &path, &version, None);
        }
    }
    for (span, path, version) in replacements {
        pin_exact(cx, span, Ecosystem::Go, &path, &version, None);
    }
}

pub(super) fn gemfile_lock(cx: &mut Cx) {
    let text = cx.file.text.clone();
    let mut in_specs = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        if !content.starts_with(' ') {
            in_specs = false; // a new section (`GEM`, `PLATFORMS`, `DEPENDENCIES`)
            continue;
        }
        if content.trim() == "specs:" {
            in_specs = true;
            continue;
        }
        // Gems sit at four spaces; their own dependencies at six.
        if !in_specs || !content.starts_with("    ") || content.starts_with("     ") {
            continue;
        }
        let entry = content.trim();
        let Some((name, rest)) = entry.split_once(" (") else {
            continue;
        };
        let Some(inner) = rest.strip_suffix(')') else {
            continue;
        };
        // Gem versions never hold `-`; what follows one is the platform.
        let (version, variant) = match inner.split_once('-') {
            Some((v, p)) => (v, Some(p.to_string())),
            None => (inner, None),
        };
        let at = start + content.find(inner).unwrap_or(0);
        pin_exact(
            cx,
            at..at + inner.len(),
            Ecosystem::RubyGems,
            name,
            version,
            variant,
        );
    }
}

pub(super) fn mix_lock(cx: &mut Cx) {
    let text = cx.file.text.clone();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(i) = line.find("{:hex, :") else {
            continue;
        };
        let rest = &line[i + "{:hex, :".len()..];
        let Some((name, rest)) = rest.split_once(',') else {
            continue;
        };
        let Some(q) = rest.find('"') else { continue };
        let Some(len) = rest[q + 1..].find('"') else {
            continue;
        };
        let version = &rest[q + 1..q + 1 + len];
        let at = start + i + "{:hex, :".len() + name.len() + 1 + q + 1;
        pin_exact(cx, at..at + len, Ecosystem::Hex, name.trim(), version, None);
    }
}

#[cfg(test)]
mod tests {
    use super::super::lockfiles::tests::pins_of;

    #[test]
    fn reads_go_mod_and_gemfile_lock() {
        let go = "module x\n\ngo 1.20\n\nrequire github.com/lib/pq v1.10.6\n\nrequire (\n\tgithub.com/jackc/pgx/v4 v4.17.2\n\tgithub.com/jackc/pgconn v1.13.0 // indirect\n)\n";
        assert_eq!(
            pins_of("go.mod", go),
            vec![
                (
                    "github.com/lib/pq".into(),
                    "v1.10.6".into(),
                    "v1.10.6".into()
                ),
                (
                    "github.com/jackc/pgx/v4".into(),
                    "v4.17.2".into(),
                    "v4.17.2".into()
                ),
                (
                    "github.com/jackc/pgconn".into(),
                    "v1.13.0".into(),
                    "v1.13.0".into()
                ),
            ]
        );
        let replaced = "module x\n\nrequire github.com/lib/pq v1.10.6\nrequire github.com/jackc/pgx/v4 v4.17.2\n\nreplace github.com/lib/pq => github.com/lib/pq v1.10.9\nreplace (\n\tgithub.com/jackc/pgx/v4 v4.17.2 => ../pgx\n)\n";
        assert_eq!(
            pins_of("go.mod", replaced),
            vec![(
                "github.com/lib/pq".into(),
                "v1.10.9".into(),
                "v1.10.9".into()
            )]
        );
        let mix = "%{\n  \"postgrex\": {:hex, :postgrex, \"0.17.5\", \"abc\", [:mix], [], \"hexpm\", \"def\"},\n}\n";
        assert_eq!(
            pins_of("mix.lock", mix),
            vec![("postgrex".into(), "0.17.5".into(), "0.17.5".into())]
        );
        let gems = "GEM\n  remote: https://rubygems.org/\n  specs:\n    pg (1.2.3-x64-mingw32)\n    rails (7.0.0)\n      actionpack (= 7.0.0)\n\nPLATFORMS\n  x64-mingw32\n";
        assert_eq!(
            pins_of("Gemfile.lock", gems),
            vec![
                ("pg".into(), "1.2.3".into(), "1.2.3-x64-mingw32".into()),
                ("rails".into(), "7.0.0".into(), "7.0.0".into()),
            ]
        );
    }
}
