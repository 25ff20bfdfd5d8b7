//! Platforms YAML files say a project runs on: GitHub Actions `runs-on:` (`ubuntu-24.04-arm`,
//! `[self-hosted, ARM64]`), compose `platform: linux/arm64`, and build actions'
//! `platforms: linux/amd64,linux/arm64`. Only 64-bit ARM Linux is recorded: it is the one
//! platform some wheels bundled an old libpq for (see [`crate::sni_clients`]).

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use super::yaml::Positions;
use super::Cx;
use crate::site::pins::{Platform, PlatformHint};

struct Walker<'a> {
    pos: Positions<'a>,
    /// Open containers: (is a mapping, the next scalar is a key, the current key).
    stack: Vec<(bool, bool, String)>,
    found: Vec<(usize, usize)>,
}

/// Whether a `runs-on` / `platform(s)` value names 64-bit ARM Linux.
fn is_arm64_linux(key: &str, value: &str) -> bool {
    let v = value.to_ascii_lowercase();
    match key {
        "runs-on" => {
            !v.contains("macos")
                && (v.contains("arm64") || v.contains("aarch64") || v.ends_with("-arm"))
        }
        "platform" | "platforms" => v.contains("linux/arm64") || v.contains("linux/aarch64"),
        _ => false,
    }
}

impl MarkedEventReceiver for Walker<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::MappingStart(..) => self.stack.push((true, true, String::new())),
            Event::SequenceStart(..) => {
                // A list value keeps its key: `runs-on: [self-hosted, arm64]`.
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
                let Some(top) = self.stack.last_mut() else {
                    return;
                };
                if top.0 && top.1 {
                    top.2 = value;
                    top.1 = false;
                    return;
                }
                if is_arm64_linux(&top.2, &value) {
                    self.found.push((at, value.len()));
                }
                if top.0 {
                    top.1 = true;
                }
            }
            _ => {}
        }
    }
}

pub(super) fn extract(cx: &mut Cx) {
    let text = cx.file.text.as_str();
    let mut w = Walker {
        pos: Positions::new(text),
        stack: Vec::new(),
        found: Vec::new(),
    };
    // Syntax errors are the YAML extractor's to report.
    if Parser::new_from_str(text).load(&mut w, true).is_err() {
        return;
    }
    for (at, len) in w.found {
        let end = if text.get(at..at + len).is_some() {
            at + len
        } else {
            at
        };
        cx.out.platforms.push(PlatformHint {
            file: cx.file_id,
            span: at..end,
            platform: Platform::LinuxArm64,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::source::{LineIndex, SourceFile};
    use std::path::PathBuf;

    fn hints(path: &str, text: &str) -> Vec<String> {
        let file = SourceFile {
            path: PathBuf::from(path),
            display: path.into(),
            kind: crate::classify::FileKind::Yaml,
            text: text.into(),
            lines: LineIndex::new(text),
        };
        let sites = crate::extract::extract(0, &file);
        sites
            .platforms
            .iter()
            .map(|h| text[h.span.clone()].to_string())
            .collect()
    }

    #[test]
    fn finds_arm64_runners_and_platforms() {
        let wf = "jobs:\n  test:\n    runs-on: ubuntu-24.04-arm\n  other:\n    runs-on: [self-hosted, ARM64]\n  mac:\n    runs-on: macos-14-arm64\n  x86:\n    runs-on: ubuntu-latest\n";
        assert_eq!(
            hints(".github/workflows/ci.yml", wf),
            ["ubuntu-24.04-arm", "ARM64"]
        );
        let compose = "services:\n  app:\n    platform: linux/arm64\n    image: app\n";
        assert_eq!(hints("docker-compose.yml", compose), ["linux/arm64"]);
        assert!(hints("x.yml", "platform: linux/amd64\n").is_empty());
    }
}
