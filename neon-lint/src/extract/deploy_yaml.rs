//! Where YAML runs commands: GitHub Actions workflows (`run:` steps with the workflow's,
//! job's and step's `env:`), GitLab CI (`script:` with `variables:`), and compose files
//! (`command:`/`entrypoint:` with `environment:` and `env_file:`). Each migration command
//! becomes a [`crate::site::MigrationCommand`] whose scope holds exactly the variables the
//! file gives it: `${{ secrets.X }}` and other expressions are unknown (inside a connection
//! string, only that piece: the host and role stay visible), and a variable the
//! file does not set is unknown too (CI runners and containers do not read the project's
//! `.env`). Compose's `${VAR}` interpolation does read the `.env` beside the compose file,
//! so those stay variable references.
//!
//! The scalar values and `env:` bindings themselves are recorded by `yaml.rs`.

use std::ops::Range;

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::shell::{self, Inherit, Word};
use super::yaml::Positions;
use super::Cx;
use crate::site::{OffsetMap, ScopedVar, UrlSource};

/// Words whose absence means no migration command can be in the file.
const TOOLS: &[&str] = &[
    "migrat",
    "alembic",
    "prisma",
    "drizzle",
    "flyway",
    "liquibase",
    "sqlx",
    "diesel",
    "pg_dump",
    "pg_restore",
];

pub(super) fn extract(cx: &mut Cx) {
    let text = cx.file.text.as_str();
    if !TOOLS
        .iter()
        .any(|t| memchr::memmem::find(text.as_bytes(), t.as_bytes()).is_some())
    {
        return;
    }
    let Some(root) = load(text) else { return };
    let path = cx.file.path.to_string_lossy().replace('\\', "/");
    let name = cx
        .file
        .path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if root.get("jobs").is_some()
        && (path.contains(".github/workflows/") || path.contains(".gitea/workflows/"))
    {
        github(cx, &root);
    } else if name.starts_with(".gitlab-ci")
        || (root.get("stages").is_some() && root.get("services").is_none())
    {
        gitlab(cx, &root);
    } else if let Some(services) = root.get("services").filter(|s| s.is_map()) {
        compose(cx, services);
    }
}

/// A YAML node with positions.
#[derive(Debug)]
enum Node {
    Map(Vec<(String, Range<usize>, Node)>),
    Seq(Vec<Node>),
    Scalar { value: String, map: OffsetMap },
    Other,
}

impl Node {
    fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(entries) => entries.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v),
            _ => None,
        }
    }

    fn is_map(&self) -> bool {
        matches!(self, Node::Map(_))
    }

    fn entries(&self) -> &[(String, Range<usize>, Node)] {
        match self {
            Node::Map(e) => e,
            _ => &[],
        }
    }

    fn items(&self) -> &[Node] {
        match self {
            Node::Seq(v) => v,
            _ => &[],
        }
    }

    fn scalar(&self) -> Option<(&str, &OffsetMap)> {
        match self {
            Node::Scalar { value, map } => Some((value, map)),
            _ => None,
        }
    }
}

fn load(text: &str) -> Option<Node> {
    let mut b = Builder {
        text,
        pos: Positions::new(text),
        stack: Vec::new(),
        done: None,
    };
    let mut parser = Parser::new_from_str(text);
    // A broken file still yields what was read before the error.
    let _ = parser.load(&mut b, false);
    while b.stack.len() > 1 {
        let top = b.stack.pop()?;
        b.attach(top.into_node());
    }
    match b.stack.pop() {
        Some(top) => Some(top.into_node()),
        None => b.done,
    }
}

enum Open {
    Map {
        entries: Vec<(String, Range<usize>, Node)>,
        key: Option<(String, Range<usize>)>,
    },
    Seq(Vec<Node>),
}

impl Open {
    fn into_node(self) -> Node {
        match self {
            Open::Map { entries, .. } => Node::Map(entries),
            Open::Seq(v) => Node::Seq(v),
        }
    }
}

struct Builder<'a> {
    text: &'a str,
    pos: Positions<'a>,
    stack: Vec<Open>,
    done: Option<Node>,
}

impl Builder<'_> {
    fn byte(&self, mark: &Marker) -> usize {
        self.pos.byte(mark)
    }

    fn attach(&mut self, node: Node) {
        match self.stack.last_mut() {
            Some(Open::Map { entries, key }) => match key.take() {
                Some((k, span)) => entries.push((k, span, node)),
                None => {
                    // A key: only scalars make useful keys.
                    if let Node::Scalar { value, map } = node {
                        let s = map.offset(0);
                        *key = Some((value.clone(), s..s + value.len()));
                    } else {
                        *key = Some((String::new(), 0..0));
                    }
                }
            },
            Some(Open::Seq(v)) => v.push(node),
            None => self.done = Some(node),
        }
    }

    /// Maps a scalar's value to the file: exactly for plain, quoted-without-escapes and
    /// block scalars whose lines can be found in order; to the whole line otherwise.
    fn scalar_map(&self, start: usize, value: &str, style: TScalarStyle) -> OffsetMap {
        let t = self.text;
        match style {
            TScalarStyle::Plain | TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted => {
                let content = if style != TScalarStyle::Plain
                    && matches!(t.as_bytes().get(start), Some(b'"' | b'\''))
                {
                    start + 1
                } else {
                    start
                };
                if t.get(content..).is_some_and(|s| s.starts_with(value)) {
                    return OffsetMap::Identity { start: content };
                }
            }
            TScalarStyle::Literal | TScalarStyle::Folded => {
                if let Some(table) = block_table(t, start, value) {
                    return OffsetMap::Table(table);
                }
            }
        }
        let end = t[start.min(t.len())..]
            .find('\n')
            .map(|e| start + e)
            .unwrap_or(t.len());
        OffsetMap::Opaque { span: start..end }
    }
}

/// For a block scalar (`run: |`), the file offset of each value byte: each value line is
/// found, in order, after the indicator.
fn block_table(text: &str, start: usize, value: &str) -> Option<Vec<usize>> {
    let mut table = Vec::with_capacity(value.len() + 1);
    // The parser's mark is the `|`/`>` indicator or already the first content line.
    let start = start.min(text.len());
    let mut cursor = if matches!(text.as_bytes().get(start), Some(b'|' | b'>')) {
        text[start..].find('\n').map(|e| start + e + 1)?
    } else {
        start
    };
    for line in value.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        if content.is_empty() {
            if line.ends_with('\n') {
                table.push(cursor.min(text.len()));
                cursor = text[cursor.min(text.len())..]
                    .find('\n')
                    .map(|e| cursor + e + 1)
                    .unwrap_or(text.len());
            }
            continue;
        }
        let at = cursor + text.get(cursor..)?.find(content)?;
        table.extend((0..content.len()).map(|k| at + k));
        let line_end = at + content.len();
        if line.ends_with('\n') {
            table.push(line_end);
        }
        cursor = (line_end + 1).min(text.len());
    }
    let end = table.last().map(|e| e + 1).unwrap_or(start);
    table.push(end.min(text.len()));
    (table.len() == value.len() + 1).then_some(table)
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::MappingStart(..) => self.stack.push(Open::Map {
                entries: Vec::new(),
                key: None,
            }),
            Event::SequenceStart(..) => self.stack.push(Open::Seq(Vec::new())),
            Event::MappingEnd | Event::SequenceEnd => {
                if let Some(top) = self.stack.pop() {
                    self.attach(top.into_node());
                }
            }
            Event::Scalar(value, style, ..) => {
                let start = self.byte(&mark);
                let map = self.scalar_map(start, &value, style);
                self.attach(Node::Scalar { value, map });
            }
            Event::Alias(_) => self.attach(Node::Other),
            _ => {}
        }
    }
}

/// An `env:`/`variables:`/`environment:` map (or compose's `- KEY=value` list) as scope.
fn env_scope(node: Option<&Node>, expressions_unknown: bool) -> Vec<ScopedVar> {
    let mut out = Vec::new();
    let Some(node) = node else { return out };
    let value_of = |value: &str, map: &OffsetMap| -> UrlSource {
        let word = word_of(value, map);
        // `${{ secrets.X }}` is unknown, but a connection string with one inside (the
        // password, typically) still shows its host: `scoped_value` keeps that one.
        if expressions_unknown && value.contains("${{") && !super::looks_like_conninfo(value) {
            return UrlSource::Unknown;
        }
        shell::scoped_value(&word)
    };
    match node {
        Node::Map(entries) => {
            for (k, _, v) in entries {
                let value = match v {
                    Node::Scalar { value, map } => value_of(value, map),
                    // GitLab `VAR: {value: "...", description: ...}`.
                    Node::Map(_) => match v.get("value").and_then(|x| x.scalar()) {
                        Some((value, map)) => value_of(value, map),
                        None => UrlSource::Unknown,
                    },
                    _ => UrlSource::Unknown,
                };
                out.push(ScopedVar {
                    name: k.clone(),
                    value,
                });
            }
        }
        Node::Seq(items) => {
            for item in items {
                let Some((s, map)) = item.scalar() else {
                    continue;
                };
                match s.split_once('=') {
                    Some((name, v)) => {
                        let vmap = shift(map, name.len() + 1);
                        out.push(ScopedVar {
                            name: name.trim().to_string(),
                            value: value_of(v, &vmap),
                        });
                    }
                    // `- NAME` passes the variable through from the host: unknown here.
                    None => out.push(ScopedVar {
                        name: s.trim().to_string(),
                        value: UrlSource::Unknown,
                    }),
                }
            }
        }
        _ => {}
    }
    out
}

fn shift(map: &OffsetMap, by: usize) -> OffsetMap {
    match map {
        OffsetMap::Identity { start } => OffsetMap::Identity { start: start + by },
        OffsetMap::Table(t) => {
            OffsetMap::Table(t.get(by..).map(<[usize]>::to_vec).unwrap_or_default())
        }
        other => other.clone(),
    }
}

fn word_of(value: &str, map: &OffsetMap) -> Word {
    Word {
        text: value.to_string(),
        offsets: (0..=value.len()).map(|i| map.offset(i)).collect(),
        single_quoted: false,
        quotes: Vec::new(),
    }
}

/// Runs a `run:`/`script:`/`command:` string as shell commands in `scope`.
fn run_script(cx: &mut Cx, node: &Node, scope: &[ScopedVar]) {
    let Some((value, map)) = node.scalar() else {
        return;
    };
    let cmds = shell::tokenize(value, map);
    shell::commands_in(cx, &cmds, scope.to_vec(), Inherit::Nothing);
}

fn github(cx: &mut Cx, root: &Node) {
    let top = env_scope(root.get("env"), true);
    let Some(jobs) = root.get("jobs") else { return };
    for (_, _, job) in jobs.entries() {
        let mut job_scope = top.clone();
        job_scope.extend(env_scope(job.get("env"), true));
        if let Some(steps) = job.get("steps") {
            for step in steps.items() {
                let mut scope = job_scope.clone();
                scope.extend(env_scope(step.get("env"), true));
                if let Some(run) = step.get("run") {
                    run_script(cx, run, &scope);
                }
            }
        }
    }
}

fn gitlab(cx: &mut Cx, root: &Node) {
    let top = env_scope(root.get("variables"), true);
    for (name, _, job) in root.entries() {
        if !job.is_map() || name == "variables" || name == "default" {
            continue;
        }
        let mut scope = top.clone();
        scope.extend(env_scope(job.get("variables"), true));
        for key in ["before_script", "script", "after_script"] {
            match job.get(key) {
                Some(Node::Seq(lines)) => {
                    for line in lines {
                        run_script(cx, line, &scope);
                    }
                }
                Some(n @ Node::Scalar { .. }) => run_script(cx, n, &scope),
                _ => {}
            }
        }
    }
}

fn compose(cx: &mut Cx, services: &Node) {
    for (_, _, svc) in services.entries() {
        let mut scope = Vec::new();
        // `env_file:` first: `environment:` overrides it.
        for (path, span) in env_files(svc.get("env_file")) {
            scope.extend(read_env_file(cx, &path, span));
        }
        scope.extend(env_scope(svc.get("environment"), false));
        for key in ["entrypoint", "command"] {
            match svc.get(key) {
                Some(n @ Node::Scalar { .. }) => run_script(cx, n, &scope),
                Some(Node::Seq(items)) => {
                    // Exec form: each item one word; `sh -c "..."` is a script.
                    let words: Vec<Word> = items
                        .iter()
                        .filter_map(|i| i.scalar())
                        .map(|(v, m)| {
                            let mut w = word_of(v, m);
                            w.single_quoted = true;
                            w
                        })
                        .collect();
                    let script = words
                        .iter()
                        .position(|w| w.text == "-c" || w.text == "-lc")
                        .and_then(|p| words.get(p + 1));
                    let before = cx.out.urls.len();
                    let cmds = match script {
                        Some(s) => shell::tokenize(&s.text, &OffsetMap::Table(s.offsets.clone())),
                        None => vec![shell::Cmd { words }],
                    };
                    shell::commands_in(cx, &cmds, scope.clone(), Inherit::Nothing);
                    cx.out.urls.truncate(before);
                }
                _ => {}
            }
        }
    }
}

/// `env_file: .env`, `env_file: [a, b]`, `env_file: [{path: a, required: false}]`.
fn env_files(node: Option<&Node>) -> Vec<(String, Range<usize>)> {
    let one = |n: &Node| -> Option<(String, Range<usize>)> {
        let (v, m) = n
            .scalar()
            .or_else(|| n.get("path").and_then(|p| p.scalar()))?;
        Some((v.to_string(), m.range(0..v.len())))
    };
    match node {
        Some(n @ Node::Scalar { .. }) => one(n).into_iter().collect(),
        Some(Node::Seq(items)) => items.iter().filter_map(one).collect(),
        _ => Vec::new(),
    }
}

/// Reads an `env_file` that sits in the compose file's folder (or below it) through the
/// `.env` parser. Its values point at the `env_file:` entry (they are written elsewhere).
fn read_env_file(cx: &Cx, rel: &str, span: Range<usize>) -> Vec<ScopedVar> {
    let Some(dir) = cx.file.path.parent() else {
        return Vec::new();
    };
    let rel_path = std::path::Path::new(rel);
    if rel_path.is_absolute()
        || rel_path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
    {
        return Vec::new();
    }
    // Read like any other file (regular, bounded): it is named by the scanned tree. Text
    // whatever it holds, as compose reads it.
    let Ok(bytes) = crate::fsread::read(&dir.join(rel_path), crate::fsread::MAX_FILE_BYTES) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&bytes);
    super::parse_dotenv(&text)
        .into_iter()
        .map(|e| ScopedVar {
            name: e.name,
            value: UrlSource::Literal {
                text: e.value,
                map: OffsetMap::Opaque { span: span.clone() },
            },
        })
        .collect()
}
