//! YAML files (compose files, CI workflows, Kubernetes, app config): every scalar value,
//! keyed by its dotted path, through yaml-rust2's event parser (which reports positions).
//! Maps under `env:` / `environment:` (GitHub Actions, GitLab CI, compose) and compose's
//! list form `- KEY=value` are also variable bindings.

use std::ops::Range;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::Cx;
use crate::site::{Container, OffsetMap};

/// Turns yaml-rust2 markers into byte offsets.
///
/// `Marker::index()` cannot be trusted on non-ASCII text: it counts characters, except inside
/// block scalars (`run: |`), where yaml-rust2 (0.10 to 0.12, `scan_block_scalar_content_line`)
/// adds the *byte* length of each buffered line, so after one block scalar holding a
/// multi-byte character every later index is off (found by fuzzing: a workflow with `✓` in a
/// `run: |` step had its `env:` findings reported past the end of the file). Line and column
/// stay right, so non-ASCII text is located by line and column (with yaml-rust2's line
/// breaks: `\r\n`, `\r`, `\n`); ASCII text, where characters are bytes, by index.
pub(super) struct Positions<'a> {
    text: &'a str,
    /// Byte offset of each line start; empty for ASCII text.
    line_starts: Vec<usize>,
    /// The last answer (line, column, byte): events come in order, so walking on from it
    /// keeps a long line linear instead of quadratic.
    last: std::cell::Cell<(usize, usize, usize)>,
}

impl<'a> Positions<'a> {
    pub(super) fn new(text: &'a str) -> Positions<'a> {
        let mut line_starts = Vec::new();
        if !text.is_ascii() {
            line_starts.push(0);
            let b = text.as_bytes();
            let mut i = 0;
            while i < b.len() {
                match b[i] {
                    b'\r' if b.get(i + 1) == Some(&b'\n') => {
                        i += 1;
                        line_starts.push(i + 1);
                    }
                    b'\r' | b'\n' => line_starts.push(i + 1),
                    _ => {}
                }
                i += 1;
            }
        }
        Positions {
            text,
            line_starts,
            last: std::cell::Cell::new((usize::MAX, 0, 0)),
        }
    }

    /// The byte offset of `mark` (always on a char boundary, at most the text's length).
    pub(super) fn byte(&self, mark: &Marker) -> usize {
        let len = self.text.len();
        if self.line_starts.is_empty() {
            return mark.index().min(len);
        }
        let line = mark.line().saturating_sub(1);
        let Some(&line_start) = self.line_starts.get(line) else {
            return len;
        };
        let (last_line, last_col, last_at) = self.last.get();
        let (mut col, mut at) = if last_line == line && last_col <= mark.col() {
            (last_col, last_at)
        } else {
            (0, line_start)
        };
        let mut chars = self.text[at..].chars();
        while col < mark.col() {
            match chars.next() {
                Some(c) => {
                    at += c.len_utf8();
                    col += 1;
                }
                None => break,
            }
        }
        self.last.set((line, col, at));
        at
    }
}

pub(super) fn extract(cx: &mut Cx) {
    let text = cx.file.text.as_str();
    let mut r = Receiver {
        text,
        pos: Positions::new(text),
        stack: Vec::new(),
        scalars: Vec::new(),
        bindings: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    if let Err(e) = parser.load(&mut r, true) {
        cx.out.notes.push(format!(
            "not valid YAML ({e}): values before the error were read"
        ));
    }
    let Receiver {
        scalars, bindings, ..
    } = r;
    let env_file_owners: Vec<&str> = scalars
        .iter()
        .filter_map(|s| s.path.strip_suffix(".env_file"))
        .collect();
    libpq_environments(cx, &bindings, &env_file_owners);
    for b in bindings {
        cx.binding(&b.name, b.name_span, &b.value, b.map);
    }
    let spring: Vec<super::spring::Entry> = scalars
        .iter()
        .map(|s| super::spring::Entry {
            key: &s.path,
            value: &s.value,
            map: &s.map,
        })
        .collect();
    super::spring::record(cx, &spring);
    drop(spring);
    for s in scalars {
        cx.string_value(&s.value, s.map, Container::ConfigValue, Some(s.path));
    }
}

/// The connection strings libpq's `PG*` variables make in each environment that sets
/// `PGHOST`: its own map plus the maps of enclosing scopes (a workflow's and a job's `env:`
/// for a step; never a sibling step's or another compose service's).
fn libpq_environments(cx: &mut Cx, bindings: &[Binding], env_file_owners: &[&str]) {
    let parent = |scope: &str| scope.rsplit_once('.').map_or("", |(p, _)| p).to_string();
    let encloses = |outer: &str, inner: &str| {
        outer.is_empty() && !inner.is_empty() || inner.starts_with(&format!("{outer}."))
    };
    let mut seen = Vec::new();
    for host in bindings.iter().filter(|b| b.name == "PGHOST") {
        if seen.contains(&host.at) {
            continue;
        }
        seen.push(host.at);
        let here = parent(&host.scope);
        let mut env: Vec<&Binding> = bindings
            .iter()
            .filter(|b| b.at == host.at || encloses(&parent(&b.scope), &here))
            .collect();
        // Outermost first: the innermost binding of a name wins.
        env.sort_by_key(|b| (b.at == host.at, parent(&b.scope).len()));
        // A compose service that also loads `env_file:` may get `PGSSLMODE` from there
        // (`environment:` wins over it when it sets one): not judged rather than guessed.
        let loads_files = env_file_owners
            .iter()
            .any(|owner| host.scope.starts_with(&format!("{owner}.")));
        if loads_files && !env.iter().any(|b| b.name == "PGSSLMODE") {
            continue;
        }
        let vars: Vec<super::libpq_env::Var> = env
            .iter()
            .map(|b| super::libpq_env::Var {
                name: &b.name,
                name_span: b.name_span.clone(),
                value: &b.value,
                map: &b.map,
            })
            .collect();
        super::libpq_env::record(cx, &vars);
    }
}

struct Scalar {
    path: String,
    value: String,
    map: OffsetMap,
}

struct Binding {
    /// Path of the env map or list it is in (`jobs.build.env`).
    scope: String,
    /// Where that map or list starts (one per map: two steps' `env:` differ).
    at: usize,
    name: String,
    name_span: Range<usize>,
    value: String,
    map: OffsetMap,
}

enum Frame {
    Map {
        path: String,
        /// The key just read, waiting for its value, with its span.
        key: Option<(String, Range<usize>)>,
        env: bool,
        at: usize,
    },
    Seq {
        path: String,
        env: bool,
        at: usize,
    },
}

struct Receiver<'a> {
    text: &'a str,
    pos: Positions<'a>,
    stack: Vec<Frame>,
    scalars: Vec<Scalar>,
    bindings: Vec<Binding>,
}

fn is_env_key(key: &str) -> bool {
    matches!(key, "env" | "environment" | "variables")
}

impl Receiver<'_> {
    fn byte(&self, mark: &Marker) -> usize {
        self.pos.byte(mark)
    }

    fn scalar_map(&self, start: usize, value: &str, style: TScalarStyle) -> OffsetMap {
        let t = self.text;
        let quoted = matches!(
            style,
            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
        );
        let content = if quoted && matches!(t.as_bytes().get(start), Some(b'"' | b'\'')) {
            start + 1
        } else {
            start
        };
        if (matches!(style, TScalarStyle::Plain) || quoted)
            && t.get(content..).is_some_and(|s| s.starts_with(value))
        {
            return OffsetMap::Identity { start: content };
        }
        let end = t[start.min(t.len())..]
            .find('\n')
            .map(|e| start + e)
            .unwrap_or(t.len());
        OffsetMap::Opaque { span: start..end }
    }

    /// The path for a child of the current container, and whether it is an env map/list.
    fn child(&self) -> (String, bool) {
        match self.stack.last() {
            Some(Frame::Map {
                path,
                key: Some((k, _)),
                ..
            }) => {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                (p, is_env_key(k))
            }
            Some(Frame::Map { path, .. }) | Some(Frame::Seq { path, .. }) => (path.clone(), false),
            None => (String::new(), false),
        }
    }

    fn value_done(&mut self) {
        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
            *key = None;
        }
    }
}

impl MarkedEventReceiver for Receiver<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::MappingStart(..) => {
                let (path, env) = self.child();
                let at = self.byte(&mark);
                self.stack.push(Frame::Map {
                    path,
                    key: None,
                    env,
                    at,
                });
            }
            Event::SequenceStart(..) => {
                let (path, env) = self.child();
                let at = self.byte(&mark);
                self.stack.push(Frame::Seq { path, env, at });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.value_done();
            }
            Event::Scalar(value, style, ..) => {
                let start = self.byte(&mark);
                // A key?
                if matches!(self.stack.last(), Some(Frame::Map { key: None, .. })) {
                    // The key's text in the file: exact when it is written as parsed, else
                    // the rest of its line (a quoted key with escapes differs in length, and
                    // `start + value.len()` could end inside a character).
                    let span = self.scalar_map(start, &value, style).range(0..value.len());
                    if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                        *key = Some((value, span));
                    }
                    return;
                }
                let map = self.scalar_map(start, &value, style);
                let (path, _) = self.child();
                match self.stack.last() {
                    Some(Frame::Map {
                        env: true,
                        key: Some((k, kspan)),
                        path: scope,
                        at,
                    }) => {
                        self.bindings.push(Binding {
                            scope: scope.clone(),
                            at: *at,
                            name: k.clone(),
                            name_span: kspan.clone(),
                            value: value.clone(),
                            map: map.clone(),
                        });
                    }
                    Some(Frame::Seq {
                        env: true,
                        path: scope,
                        at,
                    }) => {
                        let (scope, at) = (scope.clone(), *at);
                        if let Some((name, v)) = value.split_once('=') {
                            let vmap = match &map {
                                OffsetMap::Identity { start } => OffsetMap::Identity {
                                    start: start + name.len() + 1,
                                },
                                other => other.clone(),
                            };
                            self.bindings.push(Binding {
                                scope,
                                at,
                                name: name.trim().to_string(),
                                name_span: map.range(0..name.len()),
                                value: v.to_string(),
                                map: vmap.clone(),
                            });
                            let p = format!("{path}.{}", name.trim());
                            self.scalars.push(Scalar {
                                path: p,
                                value: v.to_string(),
                                map: vmap,
                            });
                            return;
                        }
                    }
                    _ => {}
                }
                self.scalars.push(Scalar { path, value, map });
                self.value_done();
            }
            Event::Alias(_) => self.value_done(),
            _ => {}
        }
    }
}
