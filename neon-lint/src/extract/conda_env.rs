//! conda `environment.yml`: the `dependencies:` list (`libpq=13.3`, `conda-forge::libpq 13.*`,
//! `postgresql>=12,<14`) as conda pins, and its `- pip:` list as PyPI requirements.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::pymanifest::{normalize, version_req};
use super::yaml::Positions;
use super::Cx;
use crate::site::pins::{Ecosystem, PackagePin, VersionReq};

struct Walker<'a> {
    pos: Positions<'a>,
    /// Open containers: (is a mapping, the next scalar is a key, the current key).
    stack: Vec<(bool, bool, String)>,
    /// (ecosystem, spec, byte offset, length).
    found: Vec<(Ecosystem, String, usize)>,
}

impl MarkedEventReceiver for Walker<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::MappingStart(..) => self.stack.push((true, true, String::new())),
            Event::SequenceStart(..) => {
                let key = self.stack.last().map(|t| t.2.clone()).unwrap_or_default();
                self.stack.push((false, false, key));
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                if let Some(parent) = self.stack.last_mut() {
                    parent.1 = parent.0;
                }
            }
            Event::Scalar(value, ..) => {
                let at = self.pos.byte(&mark);
                let depth = self.stack.len();
                let Some(top) = self.stack.last_mut() else {
                    return;
                };
                if top.0 {
                    if top.1 {
                        top.2 = value;
                    }
                    top.1 = !top.1;
                    return;
                }
                // `dependencies:` at the top: a sequence at depth 2; `- pip:` under it: 4.
                match (depth, top.2.as_str()) {
                    (2, "dependencies") => self.found.push((Ecosystem::Conda, value, at)),
                    (4, "pip") => self.found.push((Ecosystem::PyPi, value, at)),
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

/// `libpq=13.3`, `libpq==13`, `libpq 13.*`, `conda-forge::libpq>=12,<14`: (name, versions).
fn conda_spec(spec: &str) -> Option<(String, VersionReq)> {
    let spec = spec.rsplit("::").next().unwrap_or(spec).trim();
    let n = spec
        .find(['=', '<', '>', '!', '~', ' '])
        .unwrap_or(spec.len());
    let name = spec[..n].to_ascii_lowercase();
    if name.is_empty() {
        return None;
    }
    let rest = spec[n..].trim();
    // conda's `=13.3` and `13.*` mean 13.3.* / 13.*: what matters here is the major.
    let rest = rest.split_whitespace().next().unwrap_or("");
    let version = if let Some(v) = rest.strip_prefix("==").or_else(|| rest.strip_prefix('=')) {
        VersionReq::Exact(v.trim_end_matches(".*").to_string())
    } else if rest.starts_with(|c: char| c.is_ascii_digit()) {
        VersionReq::Exact(rest.trim_end_matches(".*").to_string())
    } else {
        version_req(&format!("x{rest}"))
    };
    Some((name, version))
}

pub(super) fn extract(cx: &mut Cx) {
    let text = cx.file.text.clone();
    let mut w = Walker {
        pos: Positions::new(&text),
        stack: Vec::new(),
        found: Vec::new(),
    };
    if Parser::new_from_str(&text).load(&mut w, false).is_err() {
        return; // the YAML extractor reports syntax errors
    }
    for (ecosystem, spec, at) in w.found {
        // Point at the item as written (it may be quoted).
        let span = text[at..]
            .find(spec.as_str())
            .filter(|&i| i < 2)
            .map_or(at..at, |i| at + i..at + i + spec.len());
        let (package, version) = match ecosystem {
            Ecosystem::PyPi => {
                let n = spec
                    .bytes()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
                    .count();
                (normalize(&spec[..n]), version_req(&spec))
            }
            _ => match conda_spec(&spec) {
                Some(p) => p,
                None => continue,
            },
        };
        if version == VersionReq::Open || package.is_empty() {
            continue;
        }
        cx.out.pins.push(PackagePin {
            file: cx.file_id,
            span,
            ecosystem,
            package,
            version,
            variant: None,
            base_image: None,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_conda_specs() {
        assert_eq!(
            conda_spec("libpq=13.3"),
            Some(("libpq".into(), VersionReq::Exact("13.3".into())))
        );
        assert_eq!(
            conda_spec("conda-forge::libpq 13.*"),
            Some(("libpq".into(), VersionReq::Exact("13".into())))
        );
        assert_eq!(
            conda_spec("postgresql>=12,<14"),
            Some((
                "postgresql".into(),
                VersionReq::Below {
                    version: "14".into(),
                    inclusive: false
                }
            ))
        );
        assert_eq!(
            conda_spec("python"),
            Some(("python".into(), VersionReq::Open))
        );
    }
}
