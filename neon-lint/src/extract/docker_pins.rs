//! Dockerfiles, for the libpq a container gets: each stage's base image (`FROM
//! [--platform=...] image[:tag] [AS name]`, aliases of earlier stages followed), the
//! packages `RUN apt-get install` / `apt install` / `apk add` installs in it, and the
//! platform the file says it builds for (`--platform=linux/arm64`, an Alpine base: musl).
//! What an image or a package version means for SNI is in [`crate::sni_clients`].

use std::collections::HashMap;
use std::ops::Range;

use super::Cx;
use crate::site::pins::{Ecosystem, PackagePin, Platform, PlatformHint, VersionReq};

/// A word of an instruction and its file span.
struct Word<'a> {
    text: &'a str,
    span: Range<usize>,
}

/// Words of `text[range]`, with `\` line continuations read as blanks.
fn words(text: &str, range: Range<usize>) -> Vec<Word<'_>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = range.start;
    while i < range.end {
        if b[i].is_ascii_whitespace()
            || (b[i] == b'\\' && matches!(b.get(i + 1), Some(b'\n' | b'\r')))
        {
            i += 1;
            continue;
        }
        let s = i;
        while i < range.end && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        out.push(Word {
            text: &text[s..i],
            span: s..i,
        });
    }
    out
}

/// Instructions: (keyword upper-cased, span of the arguments), continuation lines joined.
fn instructions(text: &str) -> Vec<(String, Range<usize>)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let mut end = i;
        loop {
            let e = memchr::memchr(b'\n', &b[end..]).map_or(b.len(), |e| end + e);
            let line = text[end..e].trim_end_matches('\r');
            let comment = line.trim_start().starts_with('#') && end > start;
            if (line.ends_with('\\') || comment) && e < b.len() {
                end = e + 1;
                continue;
            }
            end = e;
            break;
        }
        i = end + 1;
        let instr = &text[start..end];
        let trimmed = instr.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let kw_len = trimmed.bytes().take_while(u8::is_ascii_alphabetic).count();
        let at = start + (instr.len() - trimmed.len());
        out.push((trimmed[..kw_len].to_ascii_uppercase(), at + kw_len..end));
    }
    out
}

pub(super) fn extract(cx: &mut Cx) {
    let text = cx.file.text.clone();
    let mut aliases: HashMap<String, String> = HashMap::new();
    let mut base: Option<String> = None;
    let mut pgdg = false;
    // `ARG NAME=default` before the first `FROM` may be used in `FROM` lines.
    let mut global_args: HashMap<String, String> = HashMap::new();
    let mut seen_from = false;
    for (keyword, range) in instructions(&text) {
        match keyword.as_str() {
            "ARG" if !seen_from => {
                for w in words(&text, range) {
                    if let Some((name, value)) = w.text.split_once('=') {
                        global_args.insert(name.to_string(), value.trim_matches('"').to_string());
                    }
                }
            }
            "FROM" => {
                seen_from = true;
                pgdg = false;
                let ws = words(&text, range);
                let mut image = None;
                let mut alias_next = false;
                for w in &ws {
                    if let Some(p) = w.text.strip_prefix("--platform=") {
                        let p = p.to_ascii_lowercase();
                        if p.contains("arm64") || p.contains("aarch64") {
                            cx.out.platforms.push(PlatformHint {
                                file: cx.file_id,
                                span: w.span.clone(),
                                platform: Platform::LinuxArm64,
                            });
                        }
                    } else if w.text.starts_with("--") {
                    } else if image.is_none() {
                        image = Some(w);
                    } else if w.text.eq_ignore_ascii_case("as") {
                        alias_next = true;
                    } else if alias_next {
                        if let Some(img) = image {
                            let resolved = aliases
                                .get(&img.text.to_ascii_lowercase())
                                .cloned()
                                .unwrap_or_else(|| img.text.to_string());
                            aliases.insert(w.text.to_ascii_lowercase(), resolved);
                        }
                        alias_next = false;
                    }
                }
                let Some(img) = image else {
                    base = None;
                    continue;
                };
                let expanded = expand_args(img.text, &global_args);
                let img = Word {
                    text: expanded.as_str(),
                    span: img.span.clone(),
                };
                if let Some(stage) = aliases.get(&img.text.to_ascii_lowercase()) {
                    // `FROM builder`: the earlier stage's base, recorded there already.
                    base = Some(stage.clone());
                    continue;
                }
                if img.text.contains('$') || img.text.eq_ignore_ascii_case("scratch") {
                    base = None;
                    continue;
                }
                base = Some(img.text.to_string());
                let (name, tag) = match img.text.rsplit_once(':') {
                    Some((n, t)) if !t.contains('/') => (n, t),
                    _ => (img.text, "latest"),
                };
                if crate::sni_clients::is_alpine(img.text) {
                    cx.out.platforms.push(PlatformHint {
                        file: cx.file_id,
                        span: img.span.clone(),
                        platform: Platform::Musl,
                    });
                }
                cx.out.pins.push(PackagePin {
                    file: cx.file_id,
                    span: img.span.clone(),
                    ecosystem: Ecosystem::DockerImage,
                    package: name.to_ascii_lowercase(),
                    version: VersionReq::Exact(tag.split('@').next().unwrap_or(tag).to_string()),
                    variant: None,
                    base_image: Some(img.text.to_string()),
                });
            }
            "RUN" => {
                if text[range.clone()].contains("apt.postgresql.org") {
                    pgdg = true;
                }
                let ws = words(&text, range);
                installs(cx, &ws, base.as_deref(), pgdg);
            }
            _ => {}
        }
    }
}

/// `$NAME`, `${NAME}` and `${NAME:-default}` in a `FROM` image, from the `ARG` defaults
/// before the first `FROM`; unknown names stay as written (and the image is then ignored).
fn expand_args(image: &str, args: &HashMap<String, String>) -> String {
    let mut out = String::with_capacity(image.len());
    let mut rest = image;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let (name, default, len) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(e) => {
                    let body = &inner[..e];
                    let (n, d) = match body.split_once(":-") {
                        Some((n, d)) => (n, Some(d)),
                        None => (body, None),
                    };
                    (n, d, e + 2)
                }
                None => ("", None, 0),
            }
        } else {
            let n = after
                .bytes()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
                .count();
            (&after[..n], None, n)
        };
        match args.get(name).map(String::as_str).or(default) {
            Some(v) if len > 0 => {
                out.push_str(v);
                rest = &after[len..];
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `apt-get install`, `apt install`, `apk add` commands among `ws` (split at `&&`, `;`,
/// `|`): every package word, with `=version` pins.
fn installs(cx: &mut Cx, ws: &[Word], base: Option<&str>, pgdg: bool) {
    let mut i = 0;
    while i < ws.len() {
        let w = ws[i].text;
        let (ecosystem, skip) = match (w, ws.get(i + 1).map(|w| w.text)) {
            ("apt-get" | "apt", _) => (Some(Ecosystem::Apt), 1),
            ("apk", _) => (Some(Ecosystem::Apk), 1),
            _ => (None, 1),
        };
        i += skip;
        let Some(ecosystem) = ecosystem else { continue };
        // Options before the sub-command (`apt-get -y install`, `apk --no-cache add`).
        while i < ws.len() && ws[i].text.starts_with('-') {
            i += 1;
        }
        let sub = ws.get(i).map(|w| w.text);
        let installing = match ecosystem {
            Ecosystem::Apt => sub == Some("install"),
            _ => sub == Some("add"),
        };
        if !installing {
            continue;
        }
        i += 1;
        while i < ws.len() {
            let word = ws[i].text;
            if matches!(word, "&&" | "||" | ";" | "|") {
                break;
            }
            let ends = word.ends_with(';');
            let word = word.trim_end_matches(';');
            if word.starts_with('-') {
                // `apk add --virtual .build-deps` / `-t name` take the next word.
                if matches!(word, "--virtual" | "-t") {
                    i += 1;
                }
            } else if !word.contains('$') && !word.is_empty() {
                let (package, version) = match word.split_once('=') {
                    Some((p, v)) => (p, VersionReq::Exact(v.to_string())),
                    None => (word, VersionReq::Open),
                };
                cx.out.pins.push(PackagePin {
                    file: cx.file_id,
                    span: ws[i].span.start..ws[i].span.start + package.len(),
                    ecosystem,
                    package: package.to_ascii_lowercase(),
                    version,
                    variant: pgdg.then(|| "pgdg".to_string()),
                    base_image: base.map(str::to_string),
                });
            }
            i += 1;
            if ends {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::source::{LineIndex, SourceFile};
    use std::path::PathBuf;

    #[test]
    fn reads_bases_installs_and_platforms() {
        let text = "FROM --platform=linux/arm64 python:3.9-slim-bullseye AS base\nRUN apt-get update \\\n && apt-get install -y --no-install-recommends \\\n    gcc libpq-dev=13.* \\\n && rm -rf /var/lib/apt/lists/*\nFROM base\nRUN apk --no-cache add --virtual .deps libpq\nFROM alpine:3.13\n";
        let file = SourceFile {
            path: PathBuf::from("Dockerfile"),
            display: "Dockerfile".into(),
            kind: crate::classify::FileKind::Dockerfile,
            text: text.into(),
            lines: LineIndex::new(text),
        };
        let sites = crate::extract::extract(0, &file);
        let got: Vec<_> = sites
            .pins
            .iter()
            .map(|p| (p.package.as_str(), p.base_image.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("python", "python:3.9-slim-bullseye".to_string()),
                ("gcc", "python:3.9-slim-bullseye".to_string()),
                ("libpq-dev", "python:3.9-slim-bullseye".to_string()),
                ("libpq", "python:3.9-slim-bullseye".to_string()),
                ("alpine", "alpine:3.13".to_string()),
            ]
        );
        assert_eq!(sites.platforms.len(), 2);
    }

    #[test]
    fn expands_global_args_in_from() {
        let args = [("PY".to_string(), "3.9".to_string())]
            .into_iter()
            .collect();
        assert_eq!(
            super::expand_args("python:${PY}-bullseye", &args),
            "python:3.9-bullseye"
        );
        assert_eq!(
            super::expand_args("python:$PY-bullseye", &args),
            "python:3.9-bullseye"
        );
        assert_eq!(
            super::expand_args("debian:${D:-bullseye}", &args),
            "debian:bullseye"
        );
        assert_eq!(super::expand_args("x:${NOPE}", &args), "x:${NOPE}");
        assert_eq!(super::expand_args("x:${", &args), "x:${");
    }
}
