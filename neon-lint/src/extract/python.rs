//! Python sources, parsed with tree-sitter-python (only files that passed the prefilter).
//!
//! What comes out:
//!
//! - every string literal that is a connection string, keyed by what it is assigned to
//!   (`DATABASE_URL = "..."`, `"HOST": "..."`, `url=...`); comments and docstrings are not
//!   code and are skipped;
//! - driver set-up calls ([`ClientSetup`]): psycopg2/psycopg `connect` (and their pools),
//!   asyncpg `connect`/`create_pool`, SQLAlchemy `create_engine`/`create_async_engine`
//!   (SQLModel's too), Django `DATABASES` entries and `dj_database_url.config/parse`, with
//!   every keyword argument as a [`Setting`] (dict arguments flattened:
//!   `connect_args.statement_cache_size`, `OPTIONS.options`);
//! - where each URL comes from: a literal, `os.environ[...]`, `os.getenv`,
//!   `os.environ.get`, `decouple.config`, django-environ `env(...)`/`env.db()`,
//!   pydantic `BaseSettings` fields (`settings.database_url` reads `DATABASE_URL`), a
//!   variable assigned one of those, `URL.create(...)`; keyword-only connections
//!   (`connect(host=..., sslmode=...)`, Django `HOST`/`OPTIONS`) become key/value
//!   connection strings;
//! - defaults the program falls back to (`os.getenv("X", "postgresql://...")`,
//!   `os.environ.setdefault`, `BaseSettings` field defaults) as variable bindings;
//! - values built from module constants: f-strings, `+`, `.format(...)`, `%` (other parts
//!   kept as `{expr}`, known only at run time); values and connections kept on `self`
//!   (`self.url`, `self.conn` set in another method); a function of the file that returns
//!   one (`get_url()`);
//! - Alembic's `env.py`: `set_main_option("sqlalchemy.url", ...)`, `context.configure(url=
//!   ...)`, the URL of `create_engine`/`create_async_engine` and of `engine_from_config`/
//!   `async_engine_from_config` (their `sqlalchemy.url` key) as migration URLs; Django
//!   `call_command("migrate")` as a migration command;
//! - SQL run on connections ([`crate::site::ConnectionUse`]): `execute`/`fetch*` on a
//!   psycopg2, psycopg, asyncpg or SQLAlchemy connection, cursor, pool or engine followed
//!   back to its driver call (variables, `with ... as`, `await`, `cursor()`, `connect()`,
//!   `begin()`, `acquire()`, SQLAlchemy `@event.listens_for(engine, "connect")` hooks),
//!   asyncpg `add_listener`, psycopg2 `cursor(..., withhold=True)`;
//! - `engine.dispose()` in the scope that creates the engine (a one-shot script), as a
//!   setting named `dispose`;
//! - unconditional imports (an import inside `try: ... except ImportError` is optional).
//!
//! URL rewrites written on the value (`url.replace("postgresql://", "postgresql+asyncpg://")`)
//! are recorded as settings named `url.replace` whose value is `FROM\nTO`; an environment
//! read in a setting's value is recorded as `${NAME}`.

use std::cell::RefCell;
use std::collections::HashMap;

use neon_lint_core::Role;
use tree_sitter::{Node, Parser, Tree};

use super::tree_walk::walk;
use super::Cx;
use crate::drivers::python::{PyDriver, UrlArg};
use crate::site::{
    ClientSetup, CommandUrl, ConfigTool, Container, Driver, ImportSite, MigrationCommand,
    MigrationRun, OffsetMap, PieceKind, PiecesBuilder, Quoting, Setting, ToolUrl, ToolUrlKind,
    UrlSource,
};

/// How deep variable and expression resolution may go (assignment chains, nesting).
const MAX_DEPTH: usize = 8;

/// How many `opts = other` renamings a `**opts` spread is followed through.
const MAX_SPREAD_HOPS: usize = 4;

thread_local! {
    static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

fn parse(text: &str) -> Option<Tree> {
    crate::timings::parsing(crate::classify::FileKind::Python, || parse_uncounted(text))
}

fn parse_uncounted(text: &str) -> Option<Tree> {
    PARSER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser
                .set_language(&tree_sitter_python::LANGUAGE.into())
                .ok()?;
            *slot = Some(parser);
        }
        slot.as_mut()?.parse(text, None)
    })
}

/// How deep the syntax tree may nest before the file is scanned as text instead.
///
/// tree-sitter finds a node's parent by descending from the root, so every parent step
/// costs the depth: on a tree nested 8,000 deep (dicts in dicts, a chain of 8,000 `+`) the
/// extraction took seconds to minutes. Real code nests a few dozen levels; CPython itself
/// refuses more than 200 nested brackets. Under this bound each step is cheap and the
/// extraction stays linear in the file's size.
const MAX_TREE_DEPTH: usize = 400;

/// Whether tree-sitter reads `text` as Python without a syntax error (`--fix` checks that
/// an edit keeps a file that parsed parsing).
pub(crate) fn parses_cleanly(text: &str) -> bool {
    parse(text).is_some_and(|t| !t.root_node().has_error())
}

pub(super) fn extract(cx: &mut Cx) {
    let text = cx.file.text.as_str();
    let Some(tree) = parse(text) else {
        cx.out
            .notes
            .push("Python parser gave up on this file: scanned as text".into());
        return super::text::extract(cx);
    };
    if deeper_than(tree.root_node(), MAX_TREE_DEPTH) {
        cx.out.notes.push(format!(
            "Python code nested more than {MAX_TREE_DEPTH} levels deep: scanned as text"
        ));
        return super::text::extract(cx);
    }
    let mut py = Py::new(text);
    py.index(tree.root_node());
    py.extract(cx);
    py.export_constants(cx);
}

/// A string literal, decoded.
struct Str {
    value: String,
    map: OffsetMap,
}

/// Where an expression's value comes from, with what was done to it on the way.
struct Src {
    url: UrlSource,
    /// `.replace(FROM, TO)` calls applied to the value, in order.
    rewrites: Vec<(String, String)>,
    /// A name imported from another module (`app.config.DATABASE_URL`,
    /// `.config.DATABASE_URL`), whose value the resolver looks up there.
    imported: Option<String>,
}

impl Src {
    fn unknown() -> Src {
        Src::of(UrlSource::Unknown)
    }

    fn of(url: UrlSource) -> Src {
        Src {
            url,
            rewrites: Vec::new(),
            imported: None,
        }
    }
}

/// A pydantic `BaseSettings` field: the variable it reads.
struct SettingsField {
    env: String,
}

struct Py<'t> {
    text: &'t str,
    /// Local name -> qualified name (`pg` -> `psycopg2`, `create_engine` ->
    /// `sqlalchemy.create_engine`).
    imports: HashMap<String, String>,
    /// Variable name -> (start offset, right-hand side), in file order.
    assigns: HashMap<String, Vec<(usize, Node<'t>)>>,
    /// `BaseSettings` fields by lower-case name.
    settings_fields: HashMap<String, SettingsField>,
    calls: Vec<Node<'t>>,
    strings: Vec<Node<'t>>,
    /// Outermost operator expressions (`a + b`, `a % b`), whose literals are pieces.
    chains: Vec<Node<'t>>,
    /// Variables whose value is made part of another value in this file.
    used_in_values: std::collections::HashSet<String>,
    /// The right-hand sides of module-level assignments (by node id).
    module_level: std::collections::HashSet<usize>,
    import_nodes: Vec<Node<'t>>,
    databases: Vec<Node<'t>>,
    class_defs: Vec<Node<'t>>,
    /// `os.environ["X"] = value`: (key, value).
    environ_sets: Vec<(Node<'t>, Node<'t>)>,
    /// The parent of each node `string_key` and `is_docstring` ask about (by node id).
    parents: HashMap<usize, Node<'t>>,
    /// Imports inside a `try:` that catches their failure (by node id).
    optional_imports: std::collections::HashSet<usize>,
    /// Whether the text says `from sqlalchemy` (searched once, when first asked).
    says_from_sqlalchemy: std::cell::OnceCell<bool>,
    /// Functions defined in this file, by name (the first definition of each).
    functions: HashMap<String, Node<'t>>,
    /// `name["key"] = value` with a literal key: (name, key, value), in file order.
    key_sets: Vec<(String, String, Node<'t>)>,
    /// Whether this file is an Alembic `env.py` (asked once).
    alembic_env: std::cell::OnceCell<bool>,
}

/// Whether any node of the tree under `root` is more than `limit` levels down (one cursor
/// pass, stopping at the first such node).
fn deeper_than(root: Node, limit: usize) -> bool {
    let mut cursor = root.walk();
    let mut depth = 0usize;
    loop {
        if cursor.goto_first_child() {
            depth += 1;
            if depth > limit {
                return true;
            }
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return false;
            }
            depth -= 1;
        }
    }
}

impl<'t> Py<'t> {
    fn new(text: &'t str) -> Py<'t> {
        Py {
            text,
            imports: HashMap::new(),
            assigns: HashMap::new(),
            settings_fields: HashMap::new(),
            calls: Vec::new(),
            strings: Vec::new(),
            chains: Vec::new(),
            used_in_values: std::collections::HashSet::new(),
            module_level: std::collections::HashSet::new(),
            import_nodes: Vec::new(),
            databases: Vec::new(),
            class_defs: Vec::new(),
            environ_sets: Vec::new(),
            parents: HashMap::new(),
            optional_imports: std::collections::HashSet::new(),
            says_from_sqlalchemy: std::cell::OnceCell::new(),
            functions: HashMap::new(),
            key_sets: Vec::new(),
            alembic_env: std::cell::OnceCell::new(),
        }
    }

    /// The parent of a node the index recorded one for.
    fn parent(&self, n: Node<'t>) -> Option<Node<'t>> {
        self.parents.get(&n.id()).copied()
    }

    fn src(&self, n: Node) -> &'t str {
        self.text.get(n.byte_range()).unwrap_or("")
    }

    /// One pass over the tree collecting what the extraction needs.
    fn index(&mut self, root: Node<'t>) {
        let mut calls = Vec::new();
        let mut strings = Vec::new();
        let mut chains = Vec::new();
        let mut interpolations = Vec::new();
        let mut imports = Vec::new();
        let mut assignments = Vec::new();
        let mut classes = Vec::new();
        let mut functions = Vec::new();
        let mut with_items = Vec::new();
        let parents = &mut self.parents;
        let optional_imports = &mut self.optional_imports;
        let module_level = &mut self.module_level;
        walk(root, |n, ancestors| {
            let parent = ancestors.last().copied();
            match n.kind() {
                "call" => calls.push(n),
                "string" if parent.is_none_or(|p| p.kind() != "concatenated_string") => {
                    strings.push(n)
                }
                "concatenated_string" => strings.push(n),
                // The top of an operator chain (parentheses looked through).
                "binary_operator"
                    if ancestors
                        .iter()
                        .rev()
                        .find(|a| a.kind() != "parenthesized_expression")
                        .is_none_or(|p| p.kind() != "binary_operator") =>
                {
                    chains.push(n)
                }
                "interpolation" => interpolations.push(n),
                // `url += '?x=1'`: the variable's value changes after its assignment.
                "augmented_assignment" => {
                    if let Some(l) = n.child_by_field_name("left") {
                        interpolations.push(l)
                    }
                }
                "import_statement" | "import_from_statement" => {
                    if in_optional_import(ancestors) {
                        optional_imports.insert(n.id());
                    }
                    imports.push(n)
                }
                "assignment" => {
                    // `module > expression_statement > assignment`: a module constant,
                    // which other modules can import.
                    if ancestors.len() == 2 {
                        if let Some(right) = n.child_by_field_name("right") {
                            module_level.insert(right.id());
                        }
                    }
                    assignments.push(n)
                }
                "class_definition" => classes.push(n),
                "function_definition" => functions.push(n),
                "with_item" => with_items.push(n),
                _ => {}
            }
            // The parents `string_key`, `is_docstring` and `effective_parent` climb to
            // (tree-sitter's own `parent()` costs the depth times the siblings).
            if let (
                "string"
                | "concatenated_string"
                | "parenthesized_expression"
                | "keyword_argument"
                | "argument_list"
                | "binary_operator"
                | "attribute",
                Some(p),
            ) = (n.kind(), parent)
            {
                parents.insert(n.id(), p);
            }
        });
        for n in &imports {
            self.index_import(*n);
        }
        // `with psycopg.connect(url) as conn:`: `conn` holds what the expression gives (a
        // context manager's `__enter__` result is the connection, cursor or transaction).
        for w in with_items {
            let Some(value) = w.child_by_field_name("value") else {
                continue;
            };
            if value.kind() != "as_pattern" {
                continue;
            }
            let (Some(expr), Some(alias)) =
                (value.named_child(0), value.child_by_field_name("alias"))
            else {
                continue;
            };
            let target = if alias.kind() == "identifier" {
                Some(alias)
            } else {
                alias.named_child(0).filter(|t| t.kind() == "identifier")
            };
            if let Some(t) = target {
                self.assigns
                    .entry(self.src(t).to_string())
                    .or_default()
                    .push((w.start_byte(), expr));
            }
        }
        for f in functions {
            if let Some(name) = f.child_by_field_name("name") {
                self.functions
                    .entry(self.src(name).to_string())
                    .or_insert(f);
            }
        }
        for a in assignments {
            let (Some(left), Some(right)) = (
                a.child_by_field_name("left"),
                a.child_by_field_name("right"),
            ) else {
                continue;
            };
            match left.kind() {
                "identifier" => {
                    let name = self.src(left).to_string();
                    if name == "DATABASES" && right.kind() == "dictionary" {
                        self.databases.push(right);
                    }
                    self.assigns
                        .entry(name)
                        .or_default()
                        .push((a.start_byte(), right));
                }
                // `self.url = ...`: the instance attribute, by name (`self.url`).
                "attribute" => {
                    if let Some(key) = self.self_attribute(left) {
                        self.assigns
                            .entry(key)
                            .or_default()
                            .push((a.start_byte(), right));
                    }
                }
                // `DATABASES["default"] = {...}`, `os.environ["X"] = "..."`
                "subscript" => {
                    let base = left.child_by_field_name("value");
                    if base.map(|v| self.src(v)) == Some("DATABASES")
                        && right.kind() == "dictionary"
                    {
                        self.databases.push(a);
                    }
                    if base.and_then(|v| self.qualify(v)).as_deref() == Some("os.environ") {
                        if let Some(k) = left.child_by_field_name("subscript") {
                            self.environ_sets.push((k, right));
                        }
                    }
                    // `cfg["sqlalchemy.url"] = ...` (Alembic's `env.py` before
                    // `engine_from_config(cfg, ...)`).
                    let key = left
                        .child_by_field_name("subscript")
                        .and_then(|k| self.string_value(k));
                    // Also `DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True`.
                    if let (Some(b), Some(k)) = (
                        base.filter(|b| matches!(b.kind(), "identifier" | "subscript")),
                        key,
                    ) {
                        self.key_sets
                            .push((self.src(b).to_string(), k.value, right));
                    }
                }
                _ => {}
            }
        }
        for c in &classes {
            self.index_settings_class(*c);
        }
        self.calls = calls;
        self.strings = strings;
        // Variables whose value becomes part of another (`BASE + 'db'`, `f'{BASE}db'`,
        // `'{}'.format(BASE)`): their literal is shared, an edit there changes both.
        let mut pieces_of: Vec<Node<'t>> = Vec::new();
        for top in &chains {
            pieces_of.extend(operands(*top));
        }
        for i in &interpolations {
            if i.kind() == "identifier" {
                pieces_of.push(*i);
            } else if let Some(e) = i.named_child(0) {
                pieces_of.push(e);
            }
        }
        for call in &self.calls {
            let on_literal = call
                .child_by_field_name("function")
                .filter(|f| f.kind() == "attribute")
                .and_then(|f| f.child_by_field_name("object"))
                .is_some_and(|o| matches!(o.kind(), "string" | "concatenated_string"));
            if on_literal {
                pieces_of.extend(self.args(*call));
            }
        }
        for n in pieces_of {
            let n = if n.kind() == "keyword_argument" {
                match n.child_by_field_name("value") {
                    Some(v) => v,
                    None => continue,
                }
            } else {
                n
            };
            if n.kind() == "identifier" {
                self.used_in_values.insert(self.src(n).to_string());
            }
        }
        self.chains = chains;
        self.import_nodes = imports;
        self.class_defs = classes;
    }

    fn index_import(&mut self, n: Node<'t>) {
        let mut cursor = n.walk();
        if n.kind() == "import_statement" {
            for name in n.children_by_field_name("name", &mut cursor) {
                match name.kind() {
                    "dotted_name" => {
                        let full = self.src(name);
                        let top = full.split('.').next().unwrap_or(full);
                        self.imports.insert(top.to_string(), top.to_string());
                    }
                    "aliased_import" => {
                        if let (Some(m), Some(a)) = (
                            name.child_by_field_name("name"),
                            name.child_by_field_name("alias"),
                        ) {
                            self.imports
                                .insert(self.src(a).to_string(), self.src(m).to_string());
                        }
                    }
                    _ => {}
                }
            }
            return;
        }
        let Some(module) = n.child_by_field_name("module_name") else {
            return;
        };
        if !matches!(module.kind(), "dotted_name" | "relative_import") {
            return;
        }
        // `from .config import x` names `.config.x`; `from .. import x`, `..x`.
        let module = self.src(module);
        let prefix = if module.chars().all(|c| c == '.') {
            module.to_string()
        } else {
            format!("{module}.")
        };
        for name in n.children_by_field_name("name", &mut cursor) {
            match name.kind() {
                "dotted_name" => {
                    let local = self.src(name).to_string();
                    self.imports
                        .insert(local.clone(), format!("{prefix}{local}"));
                }
                "aliased_import" => {
                    if let (Some(m), Some(a)) = (
                        name.child_by_field_name("name"),
                        name.child_by_field_name("alias"),
                    ) {
                        self.imports
                            .insert(self.src(a).to_string(), format!("{prefix}{}", self.src(m)));
                    }
                }
                _ => {}
            }
        }
    }

    /// `class Settings(BaseSettings): database_url: str = ...` -> fields and their variables.
    fn index_settings_class(&mut self, class: Node<'t>) {
        let Some(supers) = class.child_by_field_name("superclasses") else {
            return;
        };
        let is_settings = {
            let mut c = supers.walk();
            let found = supers
                .named_children(&mut c)
                .any(|s| self.qualify(s).is_some_and(|q| q.ends_with("BaseSettings")));
            found
        };
        if !is_settings {
            return;
        }
        let Some(body) = class.child_by_field_name("body") else {
            return;
        };
        let mut prefix = String::new();
        let mut fields: Vec<(String, Option<Node<'t>>, Option<String>)> = Vec::new();
        let mut c = body.walk();
        for stmt in body.named_children(&mut c) {
            // `class Config: env_prefix = "APP_"` (pydantic 1).
            if stmt.kind() == "class_definition" {
                if let Some(b) = stmt.child_by_field_name("body") {
                    let mut c2 = b.walk();
                    for s in b.named_children(&mut c2) {
                        if let Some((name, Some(v))) = self.simple_assignment(s) {
                            if name == "env_prefix" {
                                if let Some(p) = self.string_value(v) {
                                    prefix = p.value;
                                }
                            }
                        }
                    }
                }
                continue;
            }
            let Some((name, value)) = self.simple_assignment(stmt) else {
                continue;
            };
            if name == "model_config" {
                // `model_config = SettingsConfigDict(env_prefix="APP_")`
                if let Some(call) = value.filter(|v| v.kind() == "call") {
                    if let Some(p) = self
                        .kwarg(call, "env_prefix")
                        .and_then(|v| self.string_value(v))
                    {
                        prefix = p.value;
                    }
                }
                continue;
            }
            // `Field(..., alias="DB_URL")`, `Field(..., env="DB_URL")` (pydantic 1).
            let alias = value.filter(|v| v.kind() == "call").and_then(|call| {
                ["validation_alias", "alias", "env"]
                    .iter()
                    .find_map(|k| self.kwarg(call, k).and_then(|v| self.string_value(v)))
                    .map(|s| s.value)
            });
            fields.push((name, value, alias));
        }
        for (name, _value, alias) in fields {
            let env = alias.unwrap_or_else(|| format!("{prefix}{name}").to_ascii_uppercase());
            self.settings_fields
                .insert(name.to_ascii_lowercase(), SettingsField { env });
        }
    }

    /// `name = value` or `name: type = value` as one statement.
    fn simple_assignment(&self, stmt: Node<'t>) -> Option<(String, Option<Node<'t>>)> {
        let a = if stmt.kind() == "expression_statement" {
            stmt.named_child(0)?
        } else {
            stmt
        };
        if a.kind() != "assignment" {
            return None;
        }
        let left = a.child_by_field_name("left")?;
        if left.kind() != "identifier" {
            return None;
        }
        Some((self.src(left).to_string(), a.child_by_field_name("right")))
    }

    /// The dotted name an expression refers to, through imports (`pg.connect` ->
    /// `psycopg2.connect`).
    fn qualify(&self, n: Node) -> Option<String> {
        match n.kind() {
            "identifier" => {
                let name = self.src(n);
                Some(
                    self.imports
                        .get(name)
                        .cloned()
                        .unwrap_or_else(|| name.to_string()),
                )
            }
            "attribute" => {
                let obj = self.qualify(n.child_by_field_name("object")?)?;
                let attr = self.src(n.child_by_field_name("attribute")?);
                Some(format!("{obj}.{attr}"))
            }
            _ => None,
        }
    }

    fn callee(&self, call: Node) -> Option<String> {
        self.qualify(call.child_by_field_name("function")?)
    }

    fn args(&self, call: Node<'t>) -> Vec<Node<'t>> {
        let Some(list) = call.child_by_field_name("arguments") else {
            return Vec::new();
        };
        let mut c = list.walk();
        list.named_children(&mut c)
            .filter(|n| n.kind() != "comment")
            .collect()
    }

    fn positional(&self, call: Node<'t>, i: usize) -> Option<Node<'t>> {
        self.args(call)
            .into_iter()
            .filter(|n| {
                !matches!(
                    n.kind(),
                    "keyword_argument" | "list_splat" | "dictionary_splat"
                )
            })
            .nth(i)
    }

    fn kwarg(&self, call: Node<'t>, name: &str) -> Option<Node<'t>> {
        self.args(call).into_iter().find_map(|n| {
            if n.kind() != "keyword_argument" {
                return None;
            }
            let k = n.child_by_field_name("name")?;
            if self.src(k) == name {
                n.child_by_field_name("value")
            } else {
                None
            }
        })
    }

    /// A plain string literal (or implicit concatenation of plain ones), decoded.
    fn string_value(&self, n: Node) -> Option<Str> {
        match n.kind() {
            "string" => decode_string(self.text, n),
            "concatenated_string" => {
                let mut c = n.walk();
                let parts: Vec<Node> = n
                    .named_children(&mut c)
                    .filter(|p| p.kind() == "string")
                    .collect();
                self.joined(&parts)
            }
            "binary_operator" => self.joined(&plus_operands(n)?),
            "parenthesized_expression" => self.string_value(n.named_child(0)?),
            _ => None,
        }
    }

    /// An f-string (`f"postgresql://{USER}@{HOST}/neondb"`): its literal text, each
    /// replacement field that names a variable holding a plain literal (a module constant)
    /// as that literal's text (shared: an edit never lands there; spans point at the field),
    /// any other field kept as
    /// written (`{password}`), a run-time part. `None` for f-strings whose literal text has
    /// escapes or doubled braces (not mapped byte for byte here).
    fn fstring_value(&self, n: Node<'t>, depth: usize) -> Option<Str> {
        if n.kind() != "string" || depth > MAX_DEPTH {
            return None;
        }
        let mut c = n.walk();
        let children: Vec<Node> = n.children(&mut c).collect();
        let start = children.first().filter(|s| s.kind() == "string_start")?;
        let end = children.last().filter(|s| s.kind() == "string_end")?;
        let prefix = self.src(*start).to_ascii_lowercase();
        if !prefix.contains('f') || !children.iter().any(|c| c.kind() == "interpolation") {
            return None;
        }
        let mut value = String::new();
        let mut pieces = PiecesBuilder::default();
        let mut at = start.end_byte();
        let mut based_on_url = false;
        let literal = |pieces: &mut PiecesBuilder, value: &mut String, from: usize, to: usize| {
            let body = self.text.get(from..to)?;
            if body.contains('\\') || body.contains("{{") || body.contains("}}") {
                return None;
            }
            if !body.is_empty() {
                pieces.literal(
                    body.len(),
                    OffsetMap::Identity { start: from },
                    Quoting::Quoted,
                );
                value.push_str(body);
            }
            Some(())
        };
        for i in children.iter().filter(|c| c.kind() == "interpolation") {
            literal(&mut pieces, &mut value, at, i.start_byte())?;
            let expr = i
                .child_by_field_name("expression")
                .or_else(|| i.named_child(0));
            let only_expr = i.named_child_count() == 1;
            let constant = expr
                .filter(|e| only_expr && e.kind() == "identifier")
                .and_then(|e| self.assigned(self.src(e), e.start_byte()))
                .and_then(|v| self.string_value(v));
            match constant {
                // Findings point at the field (`{HOST}`), where users read this value.
                Some(k) => {
                    based_on_url |= super::looks_like_conninfo(&k.value);
                    pieces.shared(
                        k.value.len(),
                        OffsetMap::Opaque {
                            span: i.byte_range(),
                        },
                    );
                    value.push_str(&k.value);
                }
                None => {
                    let raw = self.src(*i);
                    pieces.unknown(raw.len(), i.byte_range());
                    value.push_str(raw);
                }
            }
            at = i.end_byte();
        }
        literal(&mut pieces, &mut value, at, end.start_byte())?;
        let mut map = pieces.build();
        // `f"{BASE}neondb"` with `BASE` a URL itself: which of the two a fix belongs in is
        // not for a tool to decide, so no piece is editable.
        if based_on_url {
            if let OffsetMap::Pieces(list) = &mut map {
                for p in list.iter_mut() {
                    if let PieceKind::Literal { map, .. } = &p.kind {
                        p.kind = PieceKind::Shared { map: map.clone() };
                    }
                }
            }
        }
        Some(Str { value, map })
    }

    /// A value assembled from literals and module constants: `'postgresql://' + HOST`,
    /// `'postgresql://{}@{}/db'.format(USER, HOST)` (also `{0}`, `{name}`),
    /// `'postgresql://%s@%s/db' % (USER, HOST)`. At least one part must be a constant (a
    /// variable assigned a plain literal); other parts are kept as `{expr}`, a run-time part.
    /// Findings on a constant point where it is used; no piece is editable when a constant
    /// is a URL itself (which of the two a fix belongs in is not for a tool to decide).
    fn assembled(&self, n: Node<'t>, depth: usize) -> Option<Str> {
        if depth > MAX_DEPTH {
            return None;
        }
        enum Part<'t> {
            Lit(Str),
            Const(Str, std::ops::Range<usize>),
            Unknown(Node<'t>),
        }
        let constant = |e: Node<'t>| -> Option<Str> {
            if e.kind() != "identifier" {
                return None;
            }
            let v = self.assigned(self.src(e), e.start_byte())?;
            if v.id() == e.id() {
                return None;
            }
            self.string_value(v)
        };
        let operand = |e: Node<'t>| -> Part<'t> {
            if let Some(s) = self.string_value(e) {
                return Part::Lit(s);
            }
            match constant(e) {
                Some(k) => Part::Const(k, e.byte_range()),
                None => Part::Unknown(e),
            }
        };
        // The map of `t.value[at..end]` (one literal: an identity or a table cut to length).
        let slice = |t: &Str, at: usize, end: usize| -> OffsetMap {
            match crate::site::sub_map(&t.map, at) {
                OffsetMap::Table(mut table) => {
                    table.truncate(end - at + 1);
                    OffsetMap::Table(table)
                }
                m => m,
            }
        };
        // Splits a template's literal text at its fields; each field's argument by `arg`.
        let template = |t: &Str,
                        open: &str,
                        arg: &mut dyn FnMut(&str) -> Option<Node<'t>>|
         -> Option<Vec<Part<'t>>> {
            if !matches!(t.map, OffsetMap::Identity { .. } | OffsetMap::Table(_)) {
                return None;
            }
            let mut parts = Vec::new();
            let mut at = 0;
            let text = &t.value;
            while let Some(i) = text[at..].find(open).map(|i| i + at) {
                let (end, field) = if open == "{" {
                    let close = text[i..].find('}')? + i;
                    (close + 1, &text[i + 1..close])
                } else {
                    (i + 2, "")
                };
                if i > at {
                    parts.push(Part::Lit(Str {
                        value: text[at..i].to_string(),
                        map: slice(t, at, i),
                    }));
                }
                let node = arg(field)?;
                parts.push(operand(node));
                at = end;
            }
            if at < text.len() {
                parts.push(Part::Lit(Str {
                    value: text[at..].to_string(),
                    map: slice(t, at, text.len()),
                }));
            }
            Some(parts)
        };
        let parts: Vec<Part<'t>> = match n.kind() {
            "binary_operator" => {
                let op = n.child_by_field_name("operator").map(|o| o.kind());
                match op {
                    Some("+") => plus_operands(n)?.into_iter().map(operand).collect(),
                    Some("%") => {
                        let t = self.string_value(n.child_by_field_name("left")?)?;
                        if t.value.contains("%%") || t.value.contains("%(") {
                            return None;
                        }
                        let right = n.child_by_field_name("right")?;
                        let args: Vec<Node<'t>> = if right.kind() == "tuple" {
                            let mut c = right.walk();
                            right.named_children(&mut c).collect()
                        } else {
                            vec![right]
                        };
                        let mut next = args.into_iter();
                        let parts = template(&t, "%s", &mut |_| next.next())?;
                        if next.next().is_some() {
                            return None;
                        }
                        parts
                    }
                    _ => return None,
                }
            }
            "call" => {
                let f = n
                    .child_by_field_name("function")
                    .filter(|f| f.kind() == "attribute")?;
                if f.child_by_field_name("attribute").map(|a| self.src(a)) != Some("format") {
                    return None;
                }
                let t = self.string_value(f.child_by_field_name("object")?)?;
                if t.value.contains("{{") || t.value.contains("}}") {
                    return None;
                }
                let mut auto = 0usize;
                template(&t, "{", &mut |field| {
                    if field.is_empty() {
                        auto += 1;
                        self.positional(n, auto - 1)
                    } else if let Ok(i) = field.parse::<usize>() {
                        self.positional(n, i)
                    } else if field.chars().all(|c| c.is_alphanumeric() || c == '_') {
                        self.kwarg(n, field)
                    } else {
                        None
                    }
                })?
            }
            _ => return None,
        };
        if !parts.iter().any(|p| matches!(p, Part::Const(..))) {
            return None;
        }
        let based_on_url = parts
            .iter()
            .any(|p| matches!(p, Part::Const(k, _) if super::looks_like_conninfo(&k.value)));
        let mut value = String::new();
        let mut pieces = PiecesBuilder::default();
        for p in parts {
            match p {
                Part::Lit(s) => {
                    if based_on_url {
                        pieces.shared(s.value.len(), s.map.clone());
                    } else {
                        append_piece(&mut pieces, &s);
                    }
                    value.push_str(&s.value);
                }
                Part::Const(k, span) => {
                    pieces.shared(k.value.len(), OffsetMap::Opaque { span });
                    value.push_str(&k.value);
                }
                Part::Unknown(e) => {
                    let raw = format!("{{{}}}", self.src(e));
                    pieces.unknown(raw.len(), e.byte_range());
                    value.push_str(&raw);
                }
            }
        }
        Some(Str {
            value,
            map: pieces.build(),
        })
    }

    /// Literals joined into one value (`'a' 'b'`, `'a' + 'b'`): each literal is a piece of
    /// its own, so a fix lands inside the quotes of the one that ends the value.
    fn joined(&self, parts: &[Node]) -> Option<Str> {
        let mut value = String::new();
        let mut pieces = PiecesBuilder::default();
        for part in parts {
            let s = self.string_value(*part)?;
            append_piece(&mut pieces, &s);
            value.push_str(&s.value);
        }
        Some(Str {
            value,
            map: pieces.build(),
        })
    }

    /// The latest assignment to `name` before `at` (or the first one after it).
    fn assigned(&self, name: &str, at: usize) -> Option<Node<'t>> {
        let list = self.assigns.get(name)?;
        list.iter()
            .rev()
            .find(|(start, _)| *start < at)
            .or_else(|| list.first())
            .map(|(_, n)| *n)
    }

    /// Whether `call` reads an environment variable; returns its name and default.
    fn env_read(&self, call: Node<'t>) -> Option<(Str, Option<Node<'t>>)> {
        let f = self.callee(call)?;
        let default = || {
            self.positional(call, 1)
                .or_else(|| self.kwarg(call, "default"))
        };
        match f.as_str() {
            "os.getenv" | "os.environ.get" | "decouple.config" | "os.environ.setdefault" => {
                let name = self.string_value(self.positional(call, 0)?)?;
                Some((name, default()))
            }
            _ => {
                // django-environ: `env("X")`, `env.str("X")`, `env.db("X")`.
                let func = call.child_by_field_name("function")?;
                let (obj, method) = match func.kind() {
                    "identifier" => (func, None),
                    "attribute" => (
                        func.child_by_field_name("object")?,
                        Some(self.src(func.child_by_field_name("attribute")?)),
                    ),
                    _ => return None,
                };
                if obj.kind() != "identifier" || !self.is_environ_env(obj) {
                    return None;
                }
                let name = match self.positional(call, 0).and_then(|n| self.string_value(n)) {
                    Some(s) => s,
                    None if matches!(method, Some("db" | "db_url")) => Str {
                        value: "DATABASE_URL".into(),
                        map: OffsetMap::Opaque {
                            span: call.byte_range(),
                        },
                    },
                    None => return None,
                };
                Some((name, default()))
            }
        }
    }

    /// Whether identifier `n` is bound to `environ.Env(...)` (django-environ).
    fn is_environ_env(&self, n: Node<'t>) -> bool {
        self.assigned(self.src(n), n.start_byte())
            .filter(|v| v.kind() == "call")
            .and_then(|v| self.callee(v))
            .is_some_and(|q| q == "environ.Env")
    }

    /// Where the value of expression `n` comes from.
    fn source(&self, n: Node<'t>, depth: usize) -> Src {
        if depth > MAX_DEPTH {
            return Src::unknown();
        }
        if let Some(s) = self
            .string_value(n)
            .or_else(|| self.fstring_value(n, depth))
        {
            return Src::of(UrlSource::Literal {
                text: s.value,
                map: s.map,
            });
        }
        match n.kind() {
            "parenthesized_expression" | "await" => match n.named_child(0) {
                Some(inner) => self.source(inner, depth + 1),
                None => Src::unknown(),
            },
            "identifier" => match self.assigned(self.src(n), n.start_byte()) {
                Some(v) if v.id() != n.id() => self.source(v, depth + 1),
                // `from app.config import DATABASE_URL`: the resolver looks it up there.
                _ => Src {
                    imported: self
                        .imports
                        .get(self.src(n))
                        .filter(|q| q.contains('.'))
                        .cloned(),
                    ..Src::unknown()
                },
            },
            "subscript" => {
                let base = n.child_by_field_name("value").and_then(|v| self.qualify(v));
                let key = n
                    .child_by_field_name("subscript")
                    .and_then(|k| self.string_value(k));
                match (base.as_deref(), key) {
                    (Some("os.environ"), Some(k)) => Src::of(UrlSource::EnvVar(k.value)),
                    _ => Src::unknown(),
                }
            }
            "attribute" => match self
                .self_attribute(n)
                .and_then(|k| self.assigned(&k, n.start_byte()))
            {
                Some(v) if v.id() != n.id() => self.source(v, depth + 1),
                _ => self.attribute_source(n),
            },
            "boolean_operator" => {
                // `os.getenv("X") or "default"`: the variable decides.
                let left = n
                    .child_by_field_name("left")
                    .map(|l| self.source(l, depth + 1));
                match left {
                    Some(s) if s.url != UrlSource::Unknown => s,
                    _ => n
                        .child_by_field_name("right")
                        .map(|r| self.source(r, depth + 1))
                        .unwrap_or_else(Src::unknown),
                }
            }
            "binary_operator" => match self.assembled(n, depth) {
                Some(s) => Src::of(UrlSource::Literal {
                    text: s.value,
                    map: s.map,
                }),
                None => Src::unknown(),
            },
            "call" => match self.assembled(n, depth) {
                Some(s) => Src::of(UrlSource::Literal {
                    text: s.value,
                    map: s.map,
                }),
                None => self.call_source(n, depth),
            },
            _ => Src::unknown(),
        }
    }

    /// `settings.database_url`: a `BaseSettings` field reads its variable.
    fn attribute_source(&self, n: Node<'t>) -> Src {
        let Some(attr) = n.child_by_field_name("attribute").map(|a| self.src(a)) else {
            return Src::unknown();
        };
        if let Some(f) = self.settings_fields.get(&attr.to_ascii_lowercase()) {
            return Src::of(UrlSource::EnvVar(f.env.clone()));
        }
        // A settings object defined in another module: pydantic and Django settings read
        // the variable named like the field.
        let obj = n.child_by_field_name("object").map(|o| self.src(o));
        let settings_like = obj.is_some_and(|o| {
            let o = o.to_ascii_lowercase();
            o.ends_with("settings") || o.ends_with("settings()") || o == "config"
        });
        let upper = attr.to_ascii_uppercase();
        if settings_like
            && (upper.contains("URL") || upper.contains("URI") || upper.contains("DSN"))
        {
            return Src::of(UrlSource::EnvVar(upper));
        }
        Src::unknown()
    }

    fn call_source(&self, call: Node<'t>, depth: usize) -> Src {
        if let Some((name, _)) = self.env_read(call) {
            return Src::of(UrlSource::EnvVar(name.value));
        }
        let func = call.child_by_field_name("function");
        let q = self.callee(call).unwrap_or_default();
        match q.as_str() {
            "str"
            | "sqlalchemy.make_url"
            | "sqlalchemy.engine.make_url"
            | "sqlalchemy.engine.url.make_url" => {
                return match self.positional(call, 0) {
                    Some(a) => self.source(a, depth + 1),
                    None => Src::unknown(),
                }
            }
            "dj_database_url.config" => {
                let var = self
                    .kwarg(call, "env")
                    .and_then(|v| self.string_value(v))
                    .map(|s| s.value)
                    .unwrap_or_else(|| "DATABASE_URL".into());
                return Src::of(UrlSource::EnvVar(var));
            }
            "dj_database_url.parse" => {
                return match self.positional(call, 0) {
                    Some(a) => self.source(a, depth + 1),
                    None => Src::unknown(),
                }
            }
            _ => {}
        }
        if q.ends_with("URL.create") {
            return self.url_create(call);
        }
        // `x.replace(FROM, TO)`, `x.unicode_string()`, `x.render_as_string(...)`.
        if let Some(f) = func.filter(|f| f.kind() == "attribute") {
            let method = f.child_by_field_name("attribute").map(|a| self.src(a));
            let Some(obj) = f.child_by_field_name("object") else {
                return Src::unknown();
            };
            match method {
                Some("replace") => {
                    let mut inner = self.source(obj, depth + 1);
                    let from = self.positional(call, 0).and_then(|a| self.string_value(a));
                    let to = self.positional(call, 1).and_then(|a| self.string_value(a));
                    match (from, to) {
                        (Some(from), Some(to)) => inner.rewrites.push((from.value, to.value)),
                        _ => return Src::unknown(),
                    }
                    return inner;
                }
                Some("unicode_string" | "render_as_string" | "strip") => {
                    return self.source(obj, depth + 1)
                }
                _ => {}
            }
        }
        // `get_url()` defined in this file: what it returns.
        if let Some(f) = func.filter(|f| f.kind() == "identifier") {
            if let Some(value) = self.returned(self.src(f)) {
                return self.source(value, depth + 1);
            }
        }
        Src::unknown()
    }

    /// The value the first `return` of function `name` (defined in this file) returns,
    /// when it takes no required arguments here (its result does not depend on the call).
    fn returned(&self, name: &str) -> Option<Node<'t>> {
        let def = self.functions.get(name)?;
        let body = def.child_by_field_name("body")?;
        let mut found = None;
        walk(body, |n, ancestors| {
            if found.is_some() || n.kind() != "return_statement" {
                return;
            }
            // A nested function's return is not this function's.
            if ancestors
                .iter()
                .any(|a| a.id() != def.id() && a.kind() == "function_definition")
            {
                return;
            }
            found = n.named_child(0);
        });
        found
    }

    /// `URL.create("postgresql+asyncpg", username=..., host=..., query={...})` with a
    /// literal host: the URL it builds (its pieces are spread over the call, so findings
    /// point at the call).
    fn url_create(&self, call: Node<'t>) -> Src {
        let lit = |name: &str, pos: Option<usize>| -> Option<String> {
            let n = self
                .kwarg(call, name)
                .or_else(|| pos.and_then(|p| self.positional(call, p)))?;
            self.literal_text(n)
        };
        let Some(host) = lit("host", None) else {
            return Src::unknown();
        };
        let driver = lit("drivername", Some(0)).unwrap_or_else(|| "postgresql".into());
        let mut url = format!("{driver}://");
        if let Some(u) = lit("username", None) {
            url.push_str(&pct(&u));
            if let Some(p) = lit("password", None) {
                url.push(':');
                url.push_str(&pct(&p));
            }
            url.push('@');
        }
        url.push_str(&host);
        if let Some(port) = lit("port", None) {
            url.push(':');
            url.push_str(&port);
        }
        url.push('/');
        if let Some(db) = lit("database", None) {
            url.push_str(&pct(&db));
        }
        if let Some(q) = self
            .kwarg(call, "query")
            .filter(|q| q.kind() == "dictionary")
        {
            let mut sep = '?';
            let mut c = q.walk();
            for pair in q.named_children(&mut c).filter(|p| p.kind() == "pair") {
                let k = pair
                    .child_by_field_name("key")
                    .and_then(|k| self.string_value(k));
                let v = pair
                    .child_by_field_name("value")
                    .and_then(|v| self.literal_text(v));
                if let (Some(k), Some(v)) = (k, v) {
                    url.push(sep);
                    sep = '&';
                    url.push_str(&pct(&k.value));
                    url.push('=');
                    url.push_str(&pct(&v));
                }
            }
        }
        Src::of(UrlSource::Literal {
            text: url,
            map: OffsetMap::Opaque {
                span: call.byte_range(),
            },
        })
    }

    /// A literal string or number, as text.
    fn literal_text(&self, n: Node) -> Option<String> {
        if let Some(s) = self.string_value(n) {
            return Some(s.value);
        }
        match n.kind() {
            "integer" | "float" => Some(self.src(n).to_string()),
            _ => None,
        }
    }

    /// A setting's value as recorded: strings decoded, environment reads as `${NAME}`,
    /// variables holding a literal followed, anything else as written.
    fn setting_value(&self, n: Node<'t>, depth: usize) -> String {
        if let Some(s) = self.string_value(n) {
            return s.value;
        }
        match n.kind() {
            "call" => {
                if let Some((name, _)) = self.env_read(n) {
                    return format!("${{{}}}", name.value);
                }
            }
            "subscript" => {
                if let UrlSource::EnvVar(name) = self.source(n, depth).url {
                    return format!("${{{name}}}");
                }
            }
            "identifier" if depth < MAX_DEPTH => {
                if let Some(v) = self.assigned(self.src(n), n.start_byte()) {
                    if matches!(
                        v.kind(),
                        "string" | "integer" | "float" | "true" | "false" | "none"
                    ) {
                        return self.setting_value(v, depth + 1);
                    }
                }
            }
            _ => {}
        }
        let raw = self.src(n);
        let mut out = String::with_capacity(raw.len().min(200));
        for w in raw.split_whitespace() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(w);
            if out.len() > 200 {
                break;
            }
        }
        out
    }

    /// Records `prefix.key` settings for a dict (literal, `dict(...)`, or a variable
    /// holding one), recursively.
    fn dict_settings(&self, n: Node<'t>, prefix: &str, out: &mut Vec<Setting>, depth: usize) {
        if depth > 4 {
            return;
        }
        match n.kind() {
            "dictionary" => {
                let mut c = n.walk();
                for pair in n.named_children(&mut c).filter(|p| p.kind() == "pair") {
                    let (Some(k), Some(v)) = (
                        pair.child_by_field_name("key")
                            .and_then(|k| self.string_value(k)),
                        pair.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let name = format!("{prefix}.{}", k.value);
                    out.push(Setting {
                        name: name.clone(),
                        value: self.setting_value(v, 0),
                        span: pair.byte_range(),
                    });
                    self.dict_settings(v, &name, out, depth + 1);
                }
            }
            "call" if self.callee(n).as_deref() == Some("dict") => {
                for a in self.args(n) {
                    if a.kind() != "keyword_argument" {
                        continue;
                    }
                    let (Some(k), Some(v)) = (
                        a.child_by_field_name("name"),
                        a.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    let name = format!("{prefix}.{}", self.src(k));
                    out.push(Setting {
                        name: name.clone(),
                        value: self.setting_value(v, 0),
                        span: a.byte_range(),
                    });
                    self.dict_settings(v, &name, out, depth + 1);
                }
            }
            "identifier" => {
                if let Some(v) = self.assigned(self.src(n), n.start_byte()) {
                    if v.id() != n.id() {
                        self.dict_settings(v, prefix, out, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// Every keyword argument of a call as settings; `**options` spreads whose dictionary
    /// is known (a literal or `dict(...)` assigned in this file) give their entries, an
    /// unknown one gives a [`crate::site::UNKNOWN_OPTIONS`] marker.
    fn call_settings(&self, call: Node<'t>) -> Vec<Setting> {
        let mut out = Vec::new();
        for a in self.args(call) {
            if a.kind() == "dictionary_splat" {
                self.spread_settings(a, &mut out);
                continue;
            }
            if a.kind() != "keyword_argument" {
                continue;
            }
            let (Some(k), Some(v)) = (
                a.child_by_field_name("name"),
                a.child_by_field_name("value"),
            ) else {
                continue;
            };
            let name = self.src(k).to_string();
            out.push(Setting {
                name: name.clone(),
                value: self.setting_value(v, 0),
                span: a.byte_range(),
            });
            self.dict_settings(v, &name, &mut out, 0);
        }
        out
    }

    /// The entries of a `**options` argument as top-level settings.
    fn spread_settings(&self, splat: Node<'t>, out: &mut Vec<Setting>) {
        let unknown = |out: &mut Vec<Setting>| {
            out.push(Setting {
                name: crate::site::UNKNOWN_OPTIONS.into(),
                value: self.src(splat).to_string(),
                span: splat.byte_range(),
            })
        };
        let Some(mut dict) = splat.named_child(0) else {
            return unknown(out);
        };
        // `**opts` with `opts = {...}` (or `dict(...)`) assigned before.
        for _ in 0..MAX_SPREAD_HOPS {
            if dict.kind() != "identifier" {
                break;
            }
            match self.assigned(self.src(dict), dict.start_byte()) {
                Some(v) if v.id() != dict.id() => dict = v,
                _ => return unknown(out),
            }
        }
        let mut nested = Vec::new();
        self.dict_settings(dict, "", &mut nested, 0);
        if nested.is_empty() && !matches!(dict.kind(), "dictionary" | "call") {
            return unknown(out);
        }
        // A spread of a dict that itself spreads (`{**base, "x": 1}`) is not fully known.
        let mut c = dict.walk();
        if dict
            .named_children(&mut c)
            .any(|p| p.kind() == "dictionary_splat")
        {
            unknown(out);
        }
        for mut st in nested {
            st.name = st.name.trim_start_matches('.').to_string();
            out.push(st);
        }
    }

    fn extract(&self, cx: &mut Cx) {
        self.extract_imports(cx);
        self.extract_bindings(cx);
        self.extract_strings(cx);
        for call in &self.calls {
            self.extract_call(cx, *call);
        }
        for d in &self.databases {
            self.extract_databases(cx, *d);
        }
        for call in &self.calls {
            self.extract_use(cx, *call);
        }
        // `DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True` after the entry.
        for (base, key, value) in &self.key_sets {
            if key != "DISABLE_SERVER_SIDE_CURSORS" || !base.starts_with("DATABASES") {
                continue;
            }
            let v = self.setting_value(*value, 0);
            for c in cx
                .out
                .clients
                .iter_mut()
                .filter(|c| c.driver == Driver::Django && c.file == cx.file_id)
            {
                c.settings.push(Setting {
                    name: key.clone(),
                    value: v.clone(),
                    span: value.byte_range(),
                });
            }
        }
    }

    /// SQL run on a connection (`cur.execute("SET ...")`, `await conn.execute(...)`,
    /// `conn.execute(text(...))`) and session features (`add_listener`, `WITH HOLD` cursors),
    /// when the connection can be followed back to a driver call of this file.
    fn extract_use(&self, cx: &mut Cx, call: Node<'t>) {
        let Some(f) = call
            .child_by_field_name("function")
            .filter(|f| f.kind() == "attribute")
        else {
            return;
        };
        let (Some(obj), Some(method)) = (
            f.child_by_field_name("object"),
            f.child_by_field_name("attribute").map(|a| self.src(a)),
        ) else {
            return;
        };
        let (sql, span) = match method {
            "execute" | "executemany" | "exec_driver_sql" | "fetch" | "fetchrow" | "fetchval"
            | "copy_expert" => {
                let Some(arg) = self
                    .positional(call, 0)
                    .or_else(|| self.kwarg(call, "query"))
                    .or_else(|| self.kwarg(call, "statement"))
                else {
                    return;
                };
                // `text("...")`, `sql.SQL("...")`: the SQL is their argument.
                let arg = if arg.kind() == "call"
                    && self.callee(arg).is_some_and(|q| {
                        q == "text" || q.ends_with(".text") || q.ends_with("sql.SQL")
                    }) {
                    match self.positional(arg, 0) {
                        Some(a) => a,
                        None => return,
                    }
                } else {
                    arg
                };
                // `SQL = "SET ..."; cur.execute(SQL)`: the literal it holds.
                let arg = match arg.kind() {
                    "identifier" => match self.assigned(self.src(arg), arg.start_byte()) {
                        Some(v) if v.id() != arg.id() => v,
                        _ => return,
                    },
                    _ => arg,
                };
                let Some(s) = self.string_value(arg) else {
                    return;
                };
                (s.value, arg.byte_range())
            }
            // asyncpg's `add_listener` runs `LISTEN` on this connection.
            "add_listener" => {
                let chan = self
                    .positional(call, 0)
                    .and_then(|c| self.string_value(c))
                    .map_or_else(|| "channel".to_string(), |c| c.value);
                (format!("LISTEN {chan}"), call.byte_range())
            }
            // psycopg2 `conn.cursor(name, withhold=True)`: a `WITH HOLD` server cursor.
            "cursor"
                if self
                    .kwarg(call, "withhold")
                    .is_some_and(|v| self.src(v) == "True") =>
            {
                (
                    "DECLARE c CURSOR WITH HOLD FOR".to_string(),
                    call.byte_range(),
                )
            }
            _ => return,
        };
        let Some((driver, url)) = self.client_of(obj, 0) else {
            return;
        };
        cx.out.uses.push(crate::site::ConnectionUse {
            file: cx.file_id,
            span,
            driver: Some(driver),
            api: method.to_string(),
            sql: Some(sql),
            url,
        });
    }

    /// The driver call a connection, cursor, pool or engine expression comes from, followed
    /// through variables, `with ... as` names, `await` and the methods that hand out a
    /// connection (`cursor()`, `connect()`, `begin()`, `acquire()`, `getconn()`...).
    fn client_of(&self, n: Node<'t>, depth: usize) -> Option<(Driver, UrlSource)> {
        if depth > MAX_DEPTH {
            return None;
        }
        match n.kind() {
            "identifier" => {
                // A parameter of the function around it: only that function's own
                // assignments count (a module-level `conn` is another variable).
                let v = match self.enclosing_with_param(n) {
                    Some(f) => self.assigned(self.src(n), n.start_byte()).filter(|v| {
                        f.start_byte() <= v.start_byte() && v.start_byte() < n.start_byte()
                    }),
                    None => self.assigned(self.src(n), n.start_byte()),
                };
                let Some(v) = v else {
                    return self.hooked_client(n, depth);
                };
                if v.id() == n.id() {
                    return None;
                }
                self.client_of(v, depth + 1)
            }
            "await" | "parenthesized_expression" => self.client_of(n.named_child(0)?, depth + 1),
            // `self.conn`, assigned elsewhere in the class.
            "attribute" if self.self_attribute(n).is_some() => {
                let key = self.self_attribute(n)?;
                let v = self.assigned(&key, n.start_byte())?;
                self.client_of(v, depth + 1)
            }
            // `engine.sync_engine` (an async engine's hooks are set on it).
            "attribute"
                if n.child_by_field_name("attribute").map(|a| self.src(a))
                    == Some("sync_engine") =>
            {
                self.client_of(n.child_by_field_name("object")?, depth + 1)
            }
            "call" => {
                if let Some(found) = self.client_call(n) {
                    return Some(found);
                }
                let f = n
                    .child_by_field_name("function")
                    .filter(|f| f.kind() == "attribute")?;
                let method = self.src(f.child_by_field_name("attribute")?);
                if matches!(
                    method,
                    "cursor"
                        | "connect"
                        | "begin"
                        | "acquire"
                        | "getconn"
                        | "connection"
                        | "raw_connection"
                        | "execution_options"
                        | "transaction"
                ) {
                    return self.client_of(f.child_by_field_name("object")?, depth + 1);
                }
                None
            }
            _ => None,
        }
    }

    /// `self.x` as the name its assignments are indexed under (`self.x`).
    fn self_attribute(&self, n: Node<'t>) -> Option<String> {
        if n.kind() != "attribute" {
            return None;
        }
        let obj = n.child_by_field_name("object")?;
        if obj.kind() != "identifier" || self.src(obj) != "self" {
            return None;
        }
        let attr = self.src(n.child_by_field_name("attribute")?);
        Some(format!("self.{attr}"))
    }

    /// The innermost function defined here around `n` that has a parameter named like `n`.
    fn enclosing_with_param(&self, n: Node<'t>) -> Option<Node<'t>> {
        let name = self.src(n);
        let f = self
            .functions
            .values()
            .filter(|f| f.start_byte() <= n.start_byte() && n.end_byte() <= f.end_byte())
            .min_by_key(|f| f.end_byte() - f.start_byte())?;
        let params = f.child_by_field_name("parameters")?;
        let mut c = params.walk();
        let found = params.named_children(&mut c).any(|p| {
            let id = match p.kind() {
                "identifier" => Some(p),
                _ => p
                    .child_by_field_name("name")
                    .or_else(|| p.named_child(0))
                    .filter(|i| i.kind() == "identifier"),
            };
            id.is_some_and(|i| self.src(i) == name)
        });
        found.then_some(*f)
    }

    /// The first parameter of a SQLAlchemy connection hook (`@event.listens_for(engine,
    /// "connect") def f(dbapi_connection, record):`): a connection of that engine.
    fn hooked_client(&self, param: Node<'t>, depth: usize) -> Option<(Driver, UrlSource)> {
        let name = self.src(param);
        let f = self
            .functions
            .values()
            .filter(|f| f.start_byte() <= param.start_byte() && param.end_byte() <= f.end_byte())
            .min_by_key(|f| f.end_byte() - f.start_byte())?;
        let params = f.child_by_field_name("parameters")?;
        let first = params.named_child(0)?;
        if first.kind() != "identifier" || self.src(first) != name {
            return None;
        }
        let decorated = f.parent().filter(|p| p.kind() == "decorated_definition")?;
        let mut c = decorated.walk();
        let decorators: Vec<Node<'t>> = decorated
            .named_children(&mut c)
            .filter(|d| d.kind() == "decorator")
            .collect();
        decorators.into_iter().find_map(|d| {
            let call = d.named_child(0).filter(|e| e.kind() == "call")?;
            if !self.callee(call)?.ends_with("listens_for") {
                return None;
            }
            let event = self
                .positional(call, 1)
                .and_then(|e| self.string_value(e))?;
            if !matches!(
                event.value.as_str(),
                "connect" | "first_connect" | "checkout" | "engine_connect"
            ) {
                return None;
            }
            self.client_of(self.positional(call, 0)?, depth + 1)
        })
    }

    /// A driver set-up call's driver and URL source, without recording anything.
    fn client_call(&self, call: Node<'t>) -> Option<(Driver, UrlSource)> {
        let q = self.callee(call)?;
        let q = match q.as_str() {
            "create_engine" => "sqlalchemy.create_engine".to_string(),
            "create_async_engine" => "sqlalchemy.ext.asyncio.create_async_engine".to_string(),
            _ => q,
        };
        let (py, _, url_arg) = client_api(&q)?;
        let driver = py.driver;
        let url_node = match url_arg {
            UrlArg::First(kw) => self.kwarg(call, kw).or_else(|| self.positional(call, 0)),
            UrlArg::Third(kw) => self.kwarg(call, kw).or_else(|| self.positional(call, 2)),
            UrlArg::EnvOrDefault => return Some((driver, self.call_source(call, 0).url)),
        };
        let url = match url_node {
            Some(n) => self.source(n, 0).url,
            None => match self.kwargs_text(call, py) {
                Some((text, map)) => UrlSource::Literal { text, map },
                None => UrlSource::Unknown,
            },
        };
        Some((driver, url))
    }

    fn extract_imports(&self, cx: &mut Cx) {
        for n in &self.import_nodes {
            if self.optional_imports.contains(&n.id()) {
                continue;
            }
            let modules: Vec<String> = if n.kind() == "import_statement" {
                let mut c = n.walk();
                n.children_by_field_name("name", &mut c)
                    .filter_map(|name| {
                        let m = if name.kind() == "aliased_import" {
                            name.child_by_field_name("name")?
                        } else {
                            name
                        };
                        Some(self.src(m).to_string())
                    })
                    .collect()
            } else {
                n.child_by_field_name("module_name")
                    .filter(|m| m.kind() == "dotted_name")
                    .map(|m| vec![self.src(m).to_string()])
                    .unwrap_or_default()
            };
            for m in modules {
                let top = m.split('.').next().unwrap_or(&m).to_string();
                cx.out.imports.push(ImportSite {
                    file: cx.file_id,
                    span: n.byte_range(),
                    module: top,
                });
            }
        }
    }

    /// Defaults and assignments that give environment variables values.
    fn extract_bindings(&self, cx: &mut Cx) {
        for call in &self.calls {
            let Some((name, default)) = self.env_read(*call) else {
                continue;
            };
            let Some(value) = default.and_then(|d| self.string_value(d)) else {
                continue;
            };
            let span = name.map.range(0..name.value.len());
            cx.binding(&name.value, span, &value.value, value.map);
        }
        // `os.environ["X"] = "..."`
        for (key, right) in &self.environ_sets {
            let (Some(name), Some(value)) = (self.string_value(*key), self.string_value(*right))
            else {
                continue;
            };
            let span = name.map.range(0..name.value.len());
            cx.binding(&name.value, span, &value.value, value.map);
        }
        // pydantic field defaults: the value used when the variable is unset.
        for class in &self.class_defs {
            let Some(body) = class.child_by_field_name("body") else {
                continue;
            };
            let mut c = body.walk();
            for stmt in body.named_children(&mut c) {
                let Some((field, Some(value))) = self.simple_assignment(stmt) else {
                    continue;
                };
                let Some(f) = self.settings_fields.get(&field.to_ascii_lowercase()) else {
                    continue;
                };
                let default = if value.kind() == "call" {
                    self.positional(value, 0)
                        .or_else(|| self.kwarg(value, "default"))
                } else {
                    Some(value)
                };
                if let Some(s) = default.and_then(|d| self.string_value(d)) {
                    cx.binding(&f.env, stmt.byte_range(), &s.value, s.map);
                }
            }
        }
    }

    fn extract_strings(&self, cx: &mut Cx) {
        // `'a' + 'b'`: one value; `'a' + x`, `'a%s' % x`: each literal is only a piece of a
        // value that is known at run time.
        let mut in_chain = std::collections::HashSet::new();
        for top in &self.chains {
            let leaves = operands(*top);
            for l in &leaves {
                in_chain.insert(l.id());
            }
            if let Some(s) = self.string_value(*top).or_else(|| self.assembled(*top, 0)) {
                let key = self.string_key(*top);
                cx.string_value(&s.value, s.map, Container::Text, key);
                continue;
            }
            for l in leaves {
                let Some(s) = self.string_value(l) else {
                    continue;
                };
                let mut pieces = PiecesBuilder::default();
                append_piece(&mut pieces, &s);
                pieces.unknown(0, top.byte_range());
                cx.string_value(&s.value, pieces.build(), Container::Text, None);
            }
        }
        for n in &self.strings {
            if self.is_docstring(*n) || in_chain.contains(&n.id()) {
                continue;
            }
            let Some(mut s) = self.string_value(*n).or_else(|| self.fstring_value(*n, 0)) else {
                continue;
            };
            // `'...{}'.format(x)`, `'...'.replace(...)`: changed at run time, unless the
            // fields are module constants.
            if let Some(a) = self
                .method_call_on(*n)
                .and_then(|call| self.assembled(call, 0))
            {
                let key = self
                    .method_call_on(*n)
                    .and_then(|call| self.string_key(call));
                cx.string_value(&a.value, a.map, Container::Text, key);
                continue;
            }
            if let Some(call) = self.method_call_on(*n) {
                let mut pieces = PiecesBuilder::default();
                append_piece(&mut pieces, &s);
                pieces.unknown(0, call.byte_range());
                s.map = pieces.build();
            } else if self.assigned_to_shared(*n) {
                let mut pieces = PiecesBuilder::default();
                pieces.shared(s.value.len(), s.map);
                s.map = pieces.build();
            }
            let key = self.string_key(*n);
            cx.string_value(&s.value, s.map, Container::Text, key);
        }
    }

    /// Whether literal `n` is assigned to a variable another value is made from.
    fn assigned_to_shared(&self, n: Node<'t>) -> bool {
        self.effective_parent(n)
            .filter(|p| p.kind() == "assignment")
            .and_then(|a| a.child_by_field_name("left"))
            .is_some_and(|l| l.kind() == "identifier" && self.used_in_values.contains(self.src(l)))
    }

    /// What a string is assigned to: a variable, a dict key, a keyword, an environment
    /// variable it is the default of.
    fn string_key(&self, n: Node<'t>) -> Option<String> {
        let mut child = n;
        let mut parent = self.parent(n)?;
        while parent.kind() == "parenthesized_expression" {
            child = parent;
            parent = self.parent(parent)?;
        }
        match parent.kind() {
            "assignment" => {
                let left = parent.child_by_field_name("left")?;
                match left.kind() {
                    "identifier" => Some(self.src(left).to_string()),
                    "attribute" => {
                        Some(self.src(left.child_by_field_name("attribute")?).to_string())
                    }
                    "subscript" => self
                        .string_value(left.child_by_field_name("subscript")?)
                        .map(|s| s.value),
                    _ => None,
                }
            }
            "pair" => {
                if parent.child_by_field_name("value")?.id() != child.id() {
                    return None;
                }
                self.string_value(parent.child_by_field_name("key")?)
                    .map(|s| s.value)
            }
            "keyword_argument" => {
                let name = self.src(parent.child_by_field_name("name")?).to_string();
                if name == "default" {
                    // `Field(default="...")` in a settings class, `config("X", default=...)`.
                    let call = self.parent(self.parent(parent)?)?;
                    if let Some((var, _)) = self.env_read(call) {
                        return Some(var.value);
                    }
                }
                Some(name)
            }
            "argument_list" => {
                let call = self.parent(parent)?;
                let (var, default) = self.env_read(call)?;
                (default?.id() == child.id()).then_some(var.value)
            }
            _ => None,
        }
    }

    fn extract_call(&self, cx: &mut Cx, call: Node<'t>) {
        let Some(q) = self.callee(call) else {
            // `config.set_main_option(...)` on any object.
            return;
        };
        let method = q.rsplit('.').next().unwrap_or("");
        if method == "set_main_option" || method == "set_section_option" {
            self.alembic_option(cx, call, method == "set_section_option");
            return;
        }
        if self.is_alembic_env() {
            if q.ends_with("context.configure") {
                // Offline mode: `context.configure(url=...)` emits SQL for that URL; online
                // mode passes `connection=` from an engine judged where it is created.
                if let Some(u) = self.kwarg(call, "url") {
                    let src = self.source(u, 0);
                    self.alembic_url(
                        cx,
                        call,
                        src.url,
                        "Alembic env.py context.configure(url=...)",
                    );
                }
                return;
            }
            if matches!(method, "engine_from_config" | "async_engine_from_config") {
                if let Some(u) = self.engine_config_url(call) {
                    let src = self.source(u, 0);
                    let tool = format!("Alembic env.py {method}");
                    self.alembic_url(cx, call, src.url, &tool);
                }
                return;
            }
        }
        if let Some((name, value)) = self.environ_setdefault(call) {
            let span = name.map.range(0..name.value.len());
            cx.binding(&name.value, span, &value.value, value.map);
        }
        if matches!(q.as_str(), "django.core.management.call_command") {
            let first = self.positional(call, 0).and_then(|a| self.string_value(a));
            if first.is_some_and(|s| s.value == "migrate") {
                cx.out.commands.push(MigrationCommand {
                    file: cx.file_id,
                    span: call.byte_range(),
                    tool: "call_command(\"migrate\")".into(),
                    work: crate::site::Work::Migration,
                    url: CommandUrl::Config(ConfigTool::Django),
                    env: Vec::new(),
                    inherits_project_env: true,
                });
            }
            return;
        }
        // `from sqlalchemy import *` leaves the bare names.
        let uses_sqlalchemy = || {
            self.imports
                .values()
                .any(|v| v.starts_with("sqlalchemy") || v.starts_with("sqlmodel"))
                || *self
                    .says_from_sqlalchemy
                    .get_or_init(|| self.text.contains("from sqlalchemy"))
        };
        let q = match q.as_str() {
            "create_engine" if uses_sqlalchemy() => "sqlalchemy.create_engine".to_string(),
            "create_async_engine" if uses_sqlalchemy() => {
                "sqlalchemy.ext.asyncio.create_async_engine".to_string()
            }
            _ => q,
        };
        let Some((py, api, url_arg)) = client_api(&q) else {
            return;
        };
        let driver = py.driver;
        let url_node = match url_arg {
            UrlArg::First(kw) => self.kwarg(call, kw).or_else(|| self.positional(call, 0)),
            UrlArg::Third(kw) => self.kwarg(call, kw).or_else(|| self.positional(call, 2)),
            UrlArg::EnvOrDefault => None,
        };
        let mut settings = self.call_settings(call);
        let src = match url_arg {
            UrlArg::EnvOrDefault => self.call_source(call, 0),
            _ => match url_node {
                Some(n) => self.source(n, 0),
                None => self.kwargs_conninfo(cx, call, py),
            },
        };
        for (from, to) in &src.rewrites {
            settings.push(Setting {
                name: "url.replace".into(),
                value: format!("{from}\n{to}"),
                span: url_node
                    .map(|n| n.byte_range())
                    .unwrap_or(call.byte_range()),
            });
        }
        if driver == Driver::Django {
            cx.out.tool_urls.push(ToolUrl {
                file: cx.file_id,
                span: call.byte_range(),
                kind: ToolUrlKind::DjangoDatabases,
                url: src.url.clone(),
                percent_escaped: false,
            });
        }
        if driver == Driver::SqlAlchemy {
            if let Some(at) = self.disposed_in_scope(call) {
                settings.push(Setting {
                    name: "dispose".into(),
                    value: "same scope".into(),
                    span: at,
                });
            }
        }
        if self.is_alembic_env() {
            let tool = format!("Alembic env.py {api}");
            self.alembic_url(cx, call, src.url.clone(), &tool);
        }
        if let Some(q) = src.imported {
            cx.out
                .py
                .get_or_insert_with(Default::default)
                .pending
                .push((call.byte_range(), q));
        }
        cx.out.clients.push(ClientSetup {
            file: cx.file_id,
            span: call.byte_range(),
            driver,
            api: api.to_string(),
            url: src.url,
            settings,
        });
    }

    /// The module-level names whose value is a connection string or an environment
    /// variable, for the modules that import them.
    fn export_constants(&self, cx: &mut Cx) {
        let mut constants = Vec::new();
        for (name, list) in &self.assigns {
            if name.contains('.') {
                continue;
            }
            let Some((_, value)) = list
                .iter()
                .rev()
                .find(|(_, v)| self.module_level.contains(&v.id()))
            else {
                continue;
            };
            let src = self.source(*value, 0);
            let url = match src.url {
                UrlSource::Literal { ref text, .. } if super::looks_like_conninfo(text) => src.url,
                UrlSource::EnvVar(_) => src.url,
                _ => continue,
            };
            constants.push((name.clone(), url));
        }
        if !constants.is_empty() {
            constants.sort_by(|a, b| a.0.cmp(&b.0));
            cx.out.py.get_or_insert_with(Default::default).constants = constants;
        }
    }

    /// `engine = create_engine(...)` followed by `engine.dispose()` in the same function (or
    /// at module level when it is created there): a one-shot script's engine. The span of
    /// the `dispose()` call.
    fn disposed_in_scope(&self, call: Node<'t>) -> Option<std::ops::Range<usize>> {
        let (name, _) = self.assigns.iter().find_map(|(name, list)| {
            list.iter()
                .find(|(_, v)| {
                    v.id() == call.id()
                        || (v.kind() == "await"
                            && v.named_child(0).is_some_and(|c| c.id() == call.id()))
                })
                .map(|entry| (name, entry))
        })?;
        // The innermost function around the call (module level when none).
        let scope = self
            .functions
            .values()
            .filter(|f| f.start_byte() <= call.start_byte() && call.end_byte() <= f.end_byte())
            .min_by_key(|f| f.end_byte() - f.start_byte())
            .map(|f| f.byte_range());
        let dispose = format!("{name}.dispose");
        self.calls
            .iter()
            .filter(|c| c.start_byte() > call.end_byte())
            .filter(|c| match &scope {
                Some(r) => r.start <= c.start_byte() && c.end_byte() <= r.end,
                // Module level: not inside any function.
                None => !self
                    .functions
                    .values()
                    .any(|f| f.start_byte() <= c.start_byte() && c.end_byte() <= f.end_byte()),
            })
            .find(|c| {
                c.child_by_field_name("function")
                    .is_some_and(|f| self.src(f) == dispose)
            })
            .map(|c| c.byte_range())
    }

    /// Whether this file is an Alembic `env.py`: it imports `alembic` and calls
    /// `context.configure`. Every connection it makes runs migrations.
    fn is_alembic_env(&self) -> bool {
        *self.alembic_env.get_or_init(|| {
            self.imports.values().any(|v| v.starts_with("alembic"))
                && self.calls.iter().any(|c| {
                    self.callee(*c)
                        .is_some_and(|q| q.ends_with("context.configure"))
                })
        })
    }

    /// The URL `engine_from_config(cfg, prefix="sqlalchemy.")` reads: `cfg["sqlalchemy.url"]`
    /// when `cfg` is a dictionary written here or gets that key assigned before the call.
    /// A section read from `alembic.ini` (`config.get_section(...)`) is judged there.
    fn engine_config_url(&self, call: Node<'t>) -> Option<Node<'t>> {
        let cfg = self
            .kwarg(call, "configuration")
            .or_else(|| self.positional(call, 0))?;
        let prefix = self
            .kwarg(call, "prefix")
            .and_then(|p| self.string_value(p))
            .map_or_else(|| "sqlalchemy.".to_string(), |p| p.value);
        let key = format!("{prefix}url");
        match cfg.kind() {
            "dictionary" => {
                let mut c = cfg.walk();
                let found = cfg
                    .named_children(&mut c)
                    .filter(|p| p.kind() == "pair")
                    .find(|p| {
                        p.child_by_field_name("key")
                            .and_then(|k| self.string_value(k))
                            .is_some_and(|k| k.value == key)
                    })
                    .and_then(|p| p.child_by_field_name("value"));
                found
            }
            "identifier" => {
                let name = self.src(cfg);
                self.key_sets
                    .iter()
                    .rev()
                    .find(|(b, k, v)| b == name && *k == key && v.start_byte() < call.start_byte())
                    .map(|(_, _, v)| *v)
            }
            _ => None,
        }
    }

    /// A URL an Alembic `env.py` connects with: a migration URL. A literal site is marked
    /// as one (the URL rules judge it); a variable or a value assembled here becomes a
    /// migration run (judged where the variable is set). One run per URL source and file:
    /// offline and online mode usually read the same variable.
    fn alembic_url(&self, cx: &mut Cx, call: Node<'t>, url: UrlSource, tool: &str) {
        if let UrlSource::Literal { text, map } = &url {
            if let Some(site) = cx
                .out
                .urls
                .iter_mut()
                .find(|u| &u.map == map && &u.text == text)
            {
                site.role = Role::Migration;
                site.role_evidence = Some(tool.to_string());
                return;
            }
        }
        if url == UrlSource::Unknown
            || cx
                .out
                .migrations
                .iter()
                .any(|m| m.file == cx.file_id && m.url == url)
        {
            return;
        }
        cx.out.migrations.push(MigrationRun {
            file: cx.file_id,
            span: call.byte_range(),
            tool: tool.to_string(),
            work: crate::site::Work::Migration,
            url,
        });
    }

    /// `os.environ.setdefault("X", "...")`, `os.environ["X"] = "..."` are handled as
    /// bindings; this finds the first form.
    fn environ_setdefault(&self, call: Node<'t>) -> Option<(Str, Str)> {
        if self.callee(call)? != "os.environ.setdefault" {
            return None;
        }
        let name = self.string_value(self.positional(call, 0)?)?;
        let value = self.string_value(self.positional(call, 1)?)?;
        Some((name, value))
    }

    /// `connect(host="...", dbname="...", sslmode="...")`: the key/value connection string
    /// the keywords describe, when the host is a literal.
    fn kwargs_conninfo(&self, cx: &mut Cx, call: Node<'t>, py: &PyDriver) -> Src {
        let Some((text, map)) = self.kwargs_text(call, py) else {
            return Src::unknown();
        };
        cx.string_value(
            &text,
            map.clone(),
            Container::Text,
            Some(crate::site::KEYWORD_ARGUMENTS.into()),
        );
        Src::of(UrlSource::Literal { text, map })
    }

    /// The key/value text of `connect(host="...", ...)` keywords, mapped to the host.
    fn kwargs_text(&self, call: Node<'t>, py: &PyDriver) -> Option<(String, OffsetMap)> {
        let host = self.kwarg(call, "host")?;
        self.string_value(host)?;
        let mut parts: Vec<(&str, String, Node<'t>, Node<'t>)> = Vec::new();
        for a in self.args(call) {
            if a.kind() != "keyword_argument" {
                continue;
            }
            let (Some(k), Some(v)) = (
                a.child_by_field_name("name"),
                a.child_by_field_name("value"),
            ) else {
                continue;
            };
            let key = match self.src(k) {
                "database" => "dbname",
                // The driver's own keyword of a libpq parameter's name (asyncpg's `ssl`).
                k if py.own_kwargs.contains(&k) => continue,
                // Startup options are judged as a setting beside the URL, where they are.
                "options" => continue,
                k if neon_lint_core::conninfo::is_libpq_keyword(k) => k,
                _ => continue,
            };
            if let Some(v_text) = self.literal_text(v) {
                parts.push((key, kv_quote(&v_text), k, v));
            }
        }
        // The host first: findings on the whole string start at it.
        parts.sort_by_key(|(key, ..)| *key != "host");
        Some(keyword_conninfo(parts.iter().map(|(key, value, k, v)| {
            (*key, value.as_str(), k.byte_range(), v.byte_range())
        })))
    }

    /// `DATABASES = {"default": {...}}` (or `DATABASES["default"] = {...}`).
    fn extract_databases(&self, cx: &mut Cx, n: Node<'t>) {
        if n.kind() == "assignment" {
            let (Some(left), Some(right)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) else {
                return;
            };
            let alias = left
                .child_by_field_name("subscript")
                .and_then(|k| self.string_value(k))
                .map(|s| s.value)
                .unwrap_or_default();
            self.django_entry(cx, n, &alias, right);
            return;
        }
        let mut c = n.walk();
        for pair in n.named_children(&mut c).filter(|p| p.kind() == "pair") {
            let (Some(k), Some(v)) = (
                pair.child_by_field_name("key")
                    .and_then(|k| self.string_value(k)),
                pair.child_by_field_name("value"),
            ) else {
                continue;
            };
            if v.kind() == "dictionary" {
                self.django_entry(cx, pair, &k.value, v);
            } else if v.kind() != "call"
                || !self
                    .callee(v)
                    .is_some_and(|q| q.starts_with("dj_database_url."))
            {
                // `"default": env.db()`: the URL, no settings.
                let src = self.source(v, 0);
                if src.url == UrlSource::Unknown {
                    continue;
                }
                self.push_django(cx, pair, &k.value, src.url, Vec::new());
            }
        }
    }

    fn django_entry(&self, cx: &mut Cx, at: Node<'t>, alias: &str, dict: Node<'t>) {
        let mut settings = Vec::new();
        let mut values: HashMap<String, Node<'t>> = HashMap::new();
        let mut c = dict.walk();
        for pair in dict.named_children(&mut c).filter(|p| p.kind() == "pair") {
            let (Some(k), Some(v)) = (
                pair.child_by_field_name("key")
                    .and_then(|k| self.string_value(k)),
                pair.child_by_field_name("value"),
            ) else {
                continue;
            };
            settings.push(Setting {
                name: k.value.clone(),
                value: self.setting_value(v, 0),
                span: pair.byte_range(),
            });
            self.dict_settings(v, &k.value, &mut settings, 0);
            values.insert(k.value, v);
        }
        let engine = values.get("ENGINE").and_then(|e| self.string_value(*e));
        if engine.is_some_and(|e| !e.value.contains("postg")) {
            return;
        }
        let url = match values.get("HOST").and_then(|h| self.string_value(*h)) {
            Some(host) => {
                let Some(host_node) = values.get("HOST") else {
                    return;
                };
                let mut parts: Vec<(String, String, std::ops::Range<usize>)> =
                    vec![("host".into(), kv_quote(&host.value), host_node.byte_range())];
                for (key, kw) in [
                    ("PORT", "port"),
                    ("NAME", "dbname"),
                    ("USER", "user"),
                    ("PASSWORD", "password"),
                ] {
                    if let Some(node) = values.get(key) {
                        if let Some(v) = self.literal_text(*node) {
                            parts.push((kw.into(), kv_quote(&v), node.byte_range()));
                        }
                    }
                }
                if let Some(opts) = values.get("OPTIONS").filter(|o| o.kind() == "dictionary") {
                    let mut c = opts.walk();
                    for pair in opts.named_children(&mut c).filter(|p| p.kind() == "pair") {
                        let k = pair
                            .child_by_field_name("key")
                            .and_then(|k| self.string_value(k));
                        let v = pair.child_by_field_name("value");
                        let v_text = v.and_then(|v| self.literal_text(v));
                        if let (Some(k), Some(v), Some(v_text)) = (k, v, v_text) {
                            if neon_lint_core::conninfo::is_libpq_keyword(&k.value)
                                && k.value != "options"
                            {
                                parts.push((k.value, kv_quote(&v_text), v.byte_range()));
                            }
                        }
                    }
                }
                let (text, map) = keyword_conninfo(
                    parts
                        .iter()
                        .map(|(k, v, span)| (k.as_str(), v.as_str(), span.clone(), span.clone())),
                );
                cx.string_value(
                    &text,
                    map.clone(),
                    Container::Text,
                    Some(crate::site::DJANGO_DATABASES.into()),
                );
                UrlSource::Literal { text, map }
            }
            None => UrlSource::Unknown,
        };
        self.push_django(cx, at, alias, url, settings);
    }

    fn push_django(
        &self,
        cx: &mut Cx,
        at: Node<'t>,
        alias: &str,
        url: UrlSource,
        settings: Vec<Setting>,
    ) {
        if alias == "default" {
            cx.out.tool_urls.push(ToolUrl {
                file: cx.file_id,
                span: at.byte_range(),
                kind: ToolUrlKind::DjangoDatabases,
                url: url.clone(),
                percent_escaped: false,
            });
        }
        cx.out.clients.push(ClientSetup {
            file: cx.file_id,
            span: at.byte_range(),
            driver: Driver::Django,
            api: format!("DATABASES[\"{alias}\"]"),
            url,
            settings,
        });
    }

    /// Alembic `config.set_main_option("sqlalchemy.url", value)`.
    fn alembic_option(&self, cx: &mut Cx, call: Node<'t>, section: bool) {
        let (key_at, value_at) = if section { (1, 2) } else { (0, 1) };
        let key = self
            .positional(call, key_at)
            .and_then(|k| self.string_value(k));
        if key.is_none_or(|k| k.value != "sqlalchemy.url") {
            return;
        }
        let Some(value) = self.positional(call, value_at) else {
            return;
        };
        let src = self.source(value, 0);
        let percent_escaped = src
            .rewrites
            .iter()
            .any(|(from, to)| from == "%" && to == "%%");
        let evidence = "Alembic `set_main_option(\"sqlalchemy.url\", ...)`";
        match &src.url {
            UrlSource::Literal { text, map } => {
                // The literal is a string site; mark it as the migration URL.
                if let Some(site) = cx
                    .out
                    .urls
                    .iter_mut()
                    .find(|u| &u.map == map && &u.text == text)
                {
                    site.role = Role::Migration;
                    site.role_evidence = Some(evidence.into());
                    site.key = Some("sqlalchemy.url".into());
                }
            }
            UrlSource::EnvVar(_) => {
                cx.out.migrations.push(MigrationRun {
                    file: cx.file_id,
                    span: call.byte_range(),
                    tool: "Alembic env.py set_main_option".into(),
                    work: crate::site::Work::Migration,
                    url: src.url.clone(),
                });
            }
            UrlSource::Unknown => {}
        }
        cx.out.tool_urls.push(ToolUrl {
            file: cx.file_id,
            span: call.byte_range(),
            kind: ToolUrlKind::AlembicMainOption,
            url: src.url,
            percent_escaped,
        });
    }
}

/// `setup(install_requires=[...], extras_require={...: [...]})` in a `setup.py`: the
/// requirement strings with their spans.
pub(super) fn setup_py_requirements(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let Some(tree) = parse(text) else {
        return Vec::new();
    };
    let py = Py::new(text);
    let mut lists = Vec::new();
    walk(tree.root_node(), |n, _| {
        if n.kind() != "keyword_argument" {
            return;
        }
        let name = n.child_by_field_name("name").map(|k| py.src(k));
        if matches!(name, Some("install_requires" | "extras_require")) {
            if let Some(v) = n.child_by_field_name("value") {
                lists.push(v);
            }
        }
    });
    let mut out = Vec::new();
    for l in lists {
        walk(l, |n, ancestors| {
            if n.kind() == "string" && ancestors.last().is_some_and(|p| p.kind() == "list") {
                if let Some(s) = py.string_value(n) {
                    out.push((s.value, n.byte_range()));
                }
            }
        });
    }
    out
}

/// The driver calls neon-lint knows, by qualified name (the driver files list them):
/// the driver file, the call's name for messages, where its URL is.
fn client_api(q: &str) -> Option<(&'static PyDriver, &'static str, UrlArg)> {
    let (driver, entry) = crate::drivers::python::entry(q)?;
    Some((driver, entry.api, entry.url))
}

/// Whether a string statement is a docstring (or any bare string statement: it has no
/// effect, so it documents).
impl<'t> Py<'t> {
    fn is_docstring(&self, n: Node<'t>) -> bool {
        self.parent(n)
            .is_some_and(|p| p.kind() == "expression_statement" && p.named_child_count() == 1)
    }
}

/// Whether an import whose ancestors are these sits in a `try:` whose handlers catch its
/// failure.
fn in_optional_import(ancestors: &[Node]) -> bool {
    for p in ancestors.iter().rev() {
        if p.kind() == "try_statement" {
            let mut c = p.walk();
            let catches = p
                .named_children(&mut c)
                .any(|h| h.kind() == "except_clause");
            if catches {
                return true;
            }
        }
        if matches!(p.kind(), "function_definition" | "class_definition") {
            return false;
        }
    }
    false
}

/// Adds a decoded literal to an assembled value as one piece.
fn append_piece(pieces: &mut PiecesBuilder, s: &Str) {
    match &s.map {
        OffsetMap::Identity { .. } | OffsetMap::Table(_) => {
            pieces.literal(s.value.len(), s.map.clone(), Quoting::Quoted)
        }
        OffsetMap::Pieces(inner) => {
            for p in inner {
                match &p.kind {
                    PieceKind::Literal { map, quoting } => {
                        pieces.literal(p.len, map.clone(), *quoting)
                    }
                    PieceKind::Shared { map } => pieces.shared(p.len, map.clone()),
                    PieceKind::Unknown { span } => pieces.unknown(p.len, span.clone()),
                }
            }
        }
        OffsetMap::Opaque { span } => {
            pieces.shared(s.value.len(), OffsetMap::Opaque { span: span.clone() })
        }
    }
}

impl<'t> Py<'t> {
    /// `n` without the parentheses around it: its parent (for the node kinds the index
    /// records a parent of).
    fn effective_parent(&self, n: Node<'t>) -> Option<Node<'t>> {
        let mut p = self.parent(n)?;
        while p.kind() == "parenthesized_expression" {
            p = self.parent(p)?;
        }
        Some(p)
    }

    /// The call when literal `n` is the object of a method call (`'...'.format(x)`).
    fn method_call_on(&self, n: Node<'t>) -> Option<Node<'t>> {
        let attr = self
            .effective_parent(n)
            .filter(|p| p.kind() == "attribute")?;
        self.parent(attr).filter(|c| c.kind() == "call")
    }
}

/// The leaves of an operator chain, left to right (parentheses looked through), walked
/// without recursion: chains can be thousands long.
fn operands(top: Node) -> Vec<Node> {
    let mut out = Vec::new();
    let mut stack = vec![top];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "binary_operator" => {
                if let Some(r) = n.child_by_field_name("right") {
                    stack.push(r);
                }
                if let Some(l) = n.child_by_field_name("left") {
                    stack.push(l);
                }
            }
            "parenthesized_expression" if n.named_child_count() == 1 => {
                if let Some(inner) = n.named_child(0) {
                    stack.push(inner);
                }
            }
            _ => out.push(n),
        }
    }
    out
}

/// The operands of a chain of `+` only, or `None` when another operator joins them.
fn plus_operands(top: Node) -> Option<Vec<Node>> {
    let mut stack = vec![top];
    let mut out = Vec::new();
    while let Some(n) = stack.pop() {
        match n.kind() {
            "binary_operator" => {
                if n.child_by_field_name("operator").map(|o| o.kind()) != Some("+") {
                    return None;
                }
                stack.push(n.child_by_field_name("right")?);
                stack.push(n.child_by_field_name("left")?);
            }
            "parenthesized_expression" if n.named_child_count() == 1 => {
                stack.push(n.named_child(0)?)
            }
            _ => out.push(n),
        }
    }
    Some(out)
}

/// Decodes a Python string literal (not f-strings with replacement fields).
fn decode_string(text: &str, n: Node) -> Option<Str> {
    let mut c = n.walk();
    let children: Vec<Node> = n.children(&mut c).collect();
    let start = children.first().filter(|s| s.kind() == "string_start")?;
    let end = children.last().filter(|s| s.kind() == "string_end")?;
    if children.iter().any(|c| c.kind() == "interpolation") {
        return None;
    }
    let prefix = text.get(start.byte_range())?.to_ascii_lowercase();
    let raw = prefix.contains('r');
    let body_start = start.end_byte();
    let body_end = end.start_byte();
    let body = text.get(body_start..body_end)?;
    if raw || !body.contains('\\') {
        return Some(Str {
            value: body.to_string(),
            map: OffsetMap::Identity { start: body_start },
        });
    }
    let b = body.as_bytes();
    let mut value = String::with_capacity(body.len());
    let mut table = Vec::with_capacity(body.len() + 1);
    let mut i = 0;
    while i < b.len() {
        let at = body_start + i;
        if b[i] != b'\\' || i + 1 >= b.len() {
            let ch = body[i..].chars().next().unwrap_or('\u{FFFD}');
            for _ in 0..ch.len_utf8() {
                table.push(at);
            }
            value.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let (ch, used): (Option<char>, usize) = match b[i + 1] {
            b'\n' => (None, 2),
            b'\\' => (Some('\\'), 2),
            b'\'' => (Some('\''), 2),
            b'"' => (Some('"'), 2),
            b'n' => (Some('\n'), 2),
            b't' => (Some('\t'), 2),
            b'r' => (Some('\r'), 2),
            b'0'..=b'7' => {
                let n = body[i + 1..]
                    .bytes()
                    .take(3)
                    .take_while(|c| (b'0'..=b'7').contains(c))
                    .count();
                let v = u32::from_str_radix(&body[i + 1..i + 1 + n], 8).ok();
                (v.and_then(char::from_u32), 1 + n)
            }
            b'x' => hex_escape(body, i, 2),
            b'u' => hex_escape(body, i, 4),
            b'U' => hex_escape(body, i, 8),
            _ => {
                // Unknown escapes keep their backslash.
                table.push(at);
                value.push('\\');
                i += 1;
                continue;
            }
        };
        if let Some(ch) = ch {
            for _ in 0..ch.len_utf8() {
                table.push(at);
            }
            value.push(ch);
        }
        i += used;
    }
    table.push(body_end);
    Some(Str {
        value,
        map: OffsetMap::Table(table),
    })
}

fn hex_escape(body: &str, i: usize, digits: usize) -> (Option<char>, usize) {
    let v = body
        .get(i + 2..i + 2 + digits)
        .and_then(|h| u32::from_str_radix(h, 16).ok())
        .and_then(char::from_u32);
    match v {
        Some(c) => (Some(c), 2 + digits),
        None => (Some('\u{FFFD}'), 2),
    }
}

/// Quotes a key/value conninfo value when libpq needs it.
fn kv_quote(v: &str) -> String {
    if !v.is_empty() && !v.contains(|c: char| c.is_whitespace() || c == '\'' || c == '\\') {
        return v.to_string();
    }
    let mut out = String::from("'");
    for c in v.chars() {
        if c == '\'' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// A key/value connection string made of keywords written one by one (`connect(host=...,
/// password=...)`, Django's `HOST`/`PASSWORD`): each keyword and each value maps to where
/// it is written (a finding on the password points at the password), and none is editable.
fn keyword_conninfo<'a>(
    parts: impl Iterator<
        Item = (
            &'a str,
            &'a str,
            std::ops::Range<usize>,
            std::ops::Range<usize>,
        ),
    >,
) -> (String, OffsetMap) {
    let mut text = String::new();
    let mut pieces = PiecesBuilder::default();
    for (key, value, key_span, value_span) in parts {
        let head = if text.is_empty() {
            format!("{key}=")
        } else {
            format!(" {key}=")
        };
        pieces.shared(head.len(), OffsetMap::Opaque { span: key_span });
        text.push_str(&head);
        pieces.shared(value.len(), OffsetMap::Opaque { span: value_span });
        text.push_str(value);
    }
    (text, pieces.build())
}

/// Percent-encodes the characters that would end a URI component.
fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::FileKind;
    use crate::site::FileSites;
    use crate::source::{LineIndex, SourceFile};

    fn run(src: &str) -> FileSites {
        let file = SourceFile {
            path: "app/db.py".into(),
            display: "app/db.py".into(),
            kind: FileKind::Python,
            text: src.to_string(),
            lines: LineIndex::new(src),
        };
        super::super::extract(0, &file)
    }

    #[test]
    fn finds_clients_and_their_sources() {
        let out = run(r#"
import os
import asyncpg as apg
from sqlalchemy.ext.asyncio import create_async_engine

URL = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+asyncpg://")
pool = await apg.create_pool(
    os.getenv("DATABASE_URL"),
    statement_cache_size=0,
)
engine = create_async_engine(URL, connect_args={"statement_cache_size": 0, "server_settings": {"search_path": "app"}})
"#);
        assert_eq!(out.clients.len(), 2);
        let pool = &out.clients[0];
        assert_eq!(pool.driver, Driver::Asyncpg);
        assert_eq!(pool.url, UrlSource::EnvVar("DATABASE_URL".into()));
        assert!(pool
            .settings
            .iter()
            .any(|s| s.name == "statement_cache_size" && s.value == "0"));
        let engine = &out.clients[1];
        assert_eq!(engine.driver, Driver::SqlAlchemy);
        assert_eq!(engine.url, UrlSource::EnvVar("DATABASE_URL".into()));
        let names: Vec<(&str, &str)> = engine
            .settings
            .iter()
            .map(|s| (s.name.as_str(), s.value.as_str()))
            .collect();
        assert!(names.contains(&("connect_args.statement_cache_size", "0")));
        assert!(names.contains(&("connect_args.server_settings.search_path", "app")));
        assert!(names.contains(&("url.replace", "postgresql://\npostgresql+asyncpg://")));
    }

    #[test]
    fn strings_are_keyed_and_escapes_mapped() {
        let src = "DATABASE_URL_UNPOOLED = 'postgresql://u:p@ep-a-1.us-east-2.aws.neon.tech/db?sslmode=require'\nX = \"postgresql://h/d\\x3fsslmode=require\"\n# 'postgresql://in-a-comment/db'\n\"\"\"postgresql://in-a-docstring/db\"\"\"\n";
        let out = run(src);
        assert_eq!(out.urls.len(), 2);
        assert_eq!(out.urls[0].key.as_deref(), Some("DATABASE_URL_UNPOOLED"));
        assert_eq!(out.urls[1].text, "postgresql://h/d?sslmode=require");
        let q = out.urls[1].text.find('?').unwrap();
        let at = out.urls[1].map.offset(q);
        assert_eq!(&src[at..at + 4], "\\x3f");
    }

    #[test]
    fn django_databases_and_alembic() {
        let out = run(r#"
import os
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": "ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech",
        "NAME": "neondb",
        "OPTIONS": {"sslmode": "require", "options": "-c search_path=app"},
        "CONN_MAX_AGE": None,
    }
}
config.set_main_option("sqlalchemy.url", os.environ["DIRECT_URL"])
"#);
        let dj = out
            .clients
            .iter()
            .find(|c| c.driver == Driver::Django)
            .unwrap();
        match &dj.url {
            UrlSource::Literal { text, .. } => {
                assert!(text.contains("host=ep-cool-rain-123456-pooler"));
                assert!(text.contains("sslmode=require"));
                // Startup options are a setting beside the URL, judged there.
                assert!(!text.contains("options"));
            }
            other => panic!("{other:?}"),
        }
        assert!(dj
            .settings
            .iter()
            .any(|s| s.name == "CONN_MAX_AGE" && s.value == "None"));
        assert!(dj.settings.iter().any(|s| s.name == "OPTIONS.options"));
        assert_eq!(out.migrations.len(), 1);
        assert_eq!(
            out.migrations[0].url,
            UrlSource::EnvVar("DIRECT_URL".into())
        );
        assert!(out
            .tool_urls
            .iter()
            .any(|t| t.kind == ToolUrlKind::AlembicMainOption && !t.percent_escaped));
    }

    #[test]
    fn settings_classes_and_optional_imports() {
        let out = run(r#"
from pydantic_settings import BaseSettings, SettingsConfigDict
try:
    from dotenv import load_dotenv
except ImportError:
    load_dotenv = None
import dotenv

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="APP_")
    database_url: str = "postgresql://localhost/dev"

settings = Settings()
engine = create_engine(settings.database_url, pool_pre_ping=True)
"#);
        let dotenv: Vec<_> = out
            .imports
            .iter()
            .filter(|i| i.module == "dotenv")
            .collect();
        assert_eq!(dotenv.len(), 1);
        assert!(out.bindings.iter().any(|b| b.name == "APP_DATABASE_URL"));
    }
}
