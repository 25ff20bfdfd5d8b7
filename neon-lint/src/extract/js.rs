//! JavaScript and TypeScript sources (`.js .mjs .cjs .jsx .ts .mts .cts .tsx`), parsed with
//! tree-sitter-typescript: the TypeScript grammar for `.ts .mts .cts`, the TSX grammar
//! (which also reads plain JavaScript and JSX) for the rest.
//!
//! Why tree-sitter and not `oxc_parser` (measured on 3,041 `.js/.ts` files, 9.2 MB, from
//! `npm install pg postgres @neondatabase/serverless drizzle-orm kysely`, one thread):
//! oxc parses 20 times faster (59-83 MB/s against 2.8-4.6 MB/s), but its releases require
//! the newest Rust (0.146 needs 1.95, 0.157 needs 1.97, against this crate's 1.82), it adds
//! some 50 crates (a cold build of 1m39s CPU against about 6 s for this grammar's C), and
//! only files that pass the prefilter are parsed, so on application trees the parse is a
//! small part of the run. Staying with tree-sitter also keeps one tree-walking style for
//! Python and JavaScript, and error recovery that still yields the rest of a broken file.
//!
//! What comes out:
//!
//! - every string literal and hole-free template literal that is a connection string,
//!   keyed by what it is assigned to (`connectionString: "..."`, `const DATABASE_URL =
//!   "..."`), with an offset map through escapes; a template whose `${}` holes all resolve
//!   to module constants is assembled, with an opaque map (no fix is ever placed inside
//!   it); a template with an unknown hole is not a value we know, and is skipped;
//! - environment reads `process.env.X`, `process.env["X"]`, `import.meta.env.X`, and the
//!   `??` / `||` default beside them as a variable binding (both values are kept: the
//!   variable's, wherever it is set, and the default); as a connection string, also
//!   `env.X` where `env` is a parameter of an enclosing function (a Cloudflare Worker's
//!   handler: `fetch(request, env)`, whose `[vars]` `wrangler.*` sets);
//! - which package each identifier comes from: ES `import` (default, named, namespace),
//!   `require("...")`, and destructuring of either (`const { Pool } = pg`);
//! - SQL run through a recognised client (`pool.query("SET ...")`, `` sql`LISTEN x` ``,
//!   `(await pool.connect()).query(...)`), as connection uses, with the methods each
//!   driver file lists; a template's holes become `$1`, `$2`...;
//! - driver set-up calls and migration runs, recognised by the per-driver files of
//!   [`crate::drivers::js`] through the [`Call`] view below: this file knows JavaScript,
//!   the driver files know the drivers.
//!
//! Identifiers resolve through `const`/`let`/`var` declarations of the same file (the last
//! one before the use), object spreads of such constants, and TypeScript wrappers (`as`,
//! `satisfies`, `!`). Across files only clients go: the file's exported clients and
//! wrappers (`export const db = drizzle(pool)`, `export { x as y }`, `export default`)
//! whose URL is an environment variable, and the migration runs and SQL uses that wait for
//! an imported one, are left in [`JsFacts`] for the resolver (`resolve/js_link.rs`).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::ops::Range;

use tree_sitter::{Language, Node, Parser, Tree};

use super::tree_walk::walk;
use super::Cx;
use crate::drivers::js::{self, Found};
use crate::site::edge::{ModuleRef, RuntimeDecl, TcpClientRef};
use crate::site::{
    ClientSetup, ConnectionUse, Container, JsExport, JsFacts, JsPending, JsPendingSite,
    MigrationRun, OffsetMap, Setting, UrlSource,
};

/// How deep constant and expression resolution may go (chains of constants, wrappers).
const MAX_DEPTH: usize = 8;

/// Longest setting value kept as source text (the rest is elided).
const MAX_VALUE_LEN: usize = 80;

thread_local! {
    static TS: RefCell<Option<Parser>> = const { RefCell::new(None) };
    static TSX: RefCell<Option<Parser>> = const { RefCell::new(None) };
}

fn parse(text: &str, typescript: bool) -> Option<Tree> {
    crate::timings::parsing(crate::classify::FileKind::JavaScript, || {
        parse_uncounted(text, typescript)
    })
}

fn parse_uncounted(text: &str, typescript: bool) -> Option<Tree> {
    let (slot, language): (_, Language) = if typescript {
        (&TS, tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into())
    } else {
        (&TSX, tree_sitter_typescript::LANGUAGE_TSX.into())
    };
    slot.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut parser = Parser::new();
            parser.set_language(&language).ok()?;
            *slot = Some(parser);
        }
        // tree-sitter's error recovery can take minutes on a few hundred bytes of broken
        // code (found by the `extract_js` fuzz target). The parse gets a budget of progress
        // reports proportional to the file's size (counted, not timed, so every run
        // decides the same); past it the file is scanned as text, with a note.
        let budget = PARSE_BUDGET_BASE + text.len() / PARSE_BYTES_PER_REPORT;
        let mut reports = 0usize;
        let mut over = |_: &tree_sitter::ParseState| {
            reports += 1;
            reports > budget
        };
        let options = tree_sitter::ParseOptions::new().progress_callback(&mut over);
        let bytes = text.as_bytes();
        slot.as_mut()?.parse_with_options(
            &mut |at, _| bytes.get(at..).unwrap_or(&[]),
            None,
            Some(options),
        )
    })
}

/// Progress reports every parse may take, and one more per this many bytes of input: the
/// fixtures' JS files parse within it; the fuzz input that took minutes stops after a few
/// seconds (debug build).
const PARSE_BUDGET_BASE: usize = 20_000;
const PARSE_BYTES_PER_REPORT: usize = 2;

pub(super) fn extract(cx: &mut Cx) {
    let text = cx.file.text.as_str();
    // `<T>expr` casts exist only in the TypeScript grammar, JSX only in the TSX one.
    let ext = cx
        .file
        .path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let typescript = matches!(ext.as_str(), "ts" | "mts" | "cts");
    let Some(tree) = parse(text, typescript) else {
        cx.out
            .notes
            .push("JavaScript parser gave up on this file: scanned as text".into());
        return super::text::extract(cx);
    };
    let mut js = Js::new(text);
    js.index(tree.root_node());
    js.extract(cx);
}

/// The module specifiers `text` imports: for a file the run did not read, followed only to
/// see where its imports lead (`tcp-driver-on-edge`).
pub(crate) fn imported_modules(text: &str, typescript: bool) -> Vec<String> {
    let Some(tree) = parse(text, typescript) else {
        return Vec::new();
    };
    let mut js = Js::new(text);
    js.index(tree.root_node());
    js.module_refs().into_iter().map(|m| m.spec).collect()
}

/// A string literal, decoded.
pub(crate) struct Str {
    /// The value the program sees.
    pub value: String,
    /// How its offsets map to the file.
    pub map: OffsetMap,
}

/// Where an imported identifier comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Origin {
    /// The module specifier (`pg`, `drizzle-orm/node-postgres/migrator`).
    module: String,
    /// The export: a name, `default`, or `*` for the whole module (namespace import,
    /// `require`).
    export: String,
}

pub(crate) struct Js<'t> {
    text: &'t str,
    /// Local name -> where it is imported from.
    imports: HashMap<String, Origin>,
    /// Variable name -> (declaration start, initialiser), in file order.
    consts: HashMap<String, Vec<(usize, Node<'t>)>>,
    /// Calls and `new` expressions.
    calls: Vec<Node<'t>>,
    /// String and template literals.
    strings: Vec<Node<'t>>,
    /// `a ?? b` and `a || b`.
    defaults: Vec<Node<'t>>,
    /// `process.env.X = value`.
    env_sets: Vec<Node<'t>>,
    /// `export ...` statements at the top level.
    exports: Vec<Node<'t>>,
    /// The `source` strings of `import` and `export ... from` statements.
    module_sources: Vec<Node<'t>>,
    /// The tops of `+` chains (`a + b + c`, parentheses looked through).
    chains: Vec<Node<'t>>,
    /// Names used to build other values (`BASE + 'x'`, `` `${BASE}x` ``): a literal
    /// assigned to one is shared, and editing it would change every value built from it.
    assembled_names: std::collections::HashSet<String>,
    /// The parent of every named node (by node id), recorded by the indexing walk:
    /// tree-sitter's own `Node::parent` searches down from the root on every call.
    parents: HashMap<usize, Node<'t>>,
    /// Resolution depth, shared by the mutually recursive resolvers.
    depth: Cell<usize>,
    /// The last binding imported from another file of the project that a resolution
    /// stopped at: `(module, export)`. Cleared before each site.
    stopped_at_import: RefCell<Option<(String, String)>>,
}

/// Whether the node whose ancestors are `ancestors` (its parent last) is an operand of a
/// `+` expression (parentheses looked through).
fn is_plus_operand(ancestors: &[Node]) -> bool {
    for p in ancestors.iter().rev() {
        match p.kind() {
            "parenthesized_expression" => continue,
            "binary_expression" => {
                return p.child_by_field_name("operator").map(|o| o.kind()) == Some("+")
            }
            _ => return false,
        }
    }
    false
}

/// The named children of `n` that are not comments.
fn children<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    let mut c = n.walk();
    n.named_children(&mut c)
        .filter(|c| c.kind() != "comment")
        .collect()
}

impl<'t> Js<'t> {
    fn new(text: &'t str) -> Js<'t> {
        Js {
            text,
            imports: HashMap::new(),
            consts: HashMap::new(),
            calls: Vec::new(),
            strings: Vec::new(),
            defaults: Vec::new(),
            env_sets: Vec::new(),
            exports: Vec::new(),
            module_sources: Vec::new(),
            chains: Vec::new(),
            assembled_names: Default::default(),
            parents: HashMap::new(),
            depth: Cell::new(0),
            stopped_at_import: RefCell::new(None),
        }
    }

    /// `n`'s parent: from the index walk's record, else (a node the walk did not see)
    /// from tree-sitter.
    fn parent(&self, n: Node<'t>) -> Option<Node<'t>> {
        match self.parents.get(&n.id()) {
            Some(p) => Some(*p),
            None => n.parent(),
        }
    }

    pub(crate) fn src(&self, n: Node) -> &'t str {
        self.text.get(n.byte_range()).unwrap_or("")
    }

    /// Runs `f` one level deeper, or gives `None` past [`MAX_DEPTH`] (cyclic constants).
    fn deeper<R>(&self, f: impl FnOnce() -> Option<R>) -> Option<R> {
        let d = self.depth.get();
        if d >= MAX_DEPTH {
            return None;
        }
        self.depth.set(d + 1);
        let r = f();
        self.depth.set(d);
        r
    }

    /// One pass over the tree collecting what the extraction needs.
    fn index(&mut self, root: Node<'t>) {
        let mut declarators = Vec::new();
        let mut imports = Vec::new();
        walk(root, |n, ancestors| {
            let parent = ancestors.last().copied();
            if let Some(p) = parent {
                if n.is_named() {
                    self.parents.insert(n.id(), p);
                }
            }
            match n.kind() {
                "call_expression" | "new_expression" => self.calls.push(n),
                "string" | "template_string" => self.strings.push(n),
                "binary_expression" => {
                    let op = n.child_by_field_name("operator").map(|o| o.kind());
                    if matches!(op, Some("??" | "||")) {
                        self.defaults.push(n);
                    }
                    if op == Some("+") && !is_plus_operand(ancestors) {
                        self.chains.push(n);
                    }
                }
                "identifier"
                    if is_plus_operand(ancestors)
                        || parent.is_some_and(|p| p.kind() == "template_substitution") =>
                {
                    self.assembled_names.insert(self.src(n).to_string());
                }
                "variable_declarator" => declarators.push(n),
                "assignment_expression" => self.env_sets.push(n),
                "import_statement" => {
                    self.module_sources.extend(n.child_by_field_name("source"));
                    imports.push(n)
                }
                "export_statement" if parent.is_some_and(|p| p.kind() == "program") => {
                    self.module_sources.extend(n.child_by_field_name("source"));
                    self.exports.push(n)
                }
                _ => {}
            }
        });
        for n in imports {
            self.index_import(n);
        }
        // Plain names first: destructuring (`const { Pool } = pg`) looks them up.
        for d in &declarators {
            let (Some(name), Some(value)) = (
                d.child_by_field_name("name"),
                d.child_by_field_name("value"),
            ) else {
                continue;
            };
            if name.kind() == "identifier" {
                let local = self.src(name).to_string();
                if let Some(module) = self.required_module(value) {
                    self.imports.insert(
                        local.clone(),
                        Origin {
                            module,
                            export: "*".into(),
                        },
                    );
                }
                self.consts
                    .entry(local)
                    .or_default()
                    .push((d.start_byte(), value));
            }
        }
        for d in &declarators {
            let (Some(name), Some(value)) = (
                d.child_by_field_name("name"),
                d.child_by_field_name("value"),
            ) else {
                continue;
            };
            if name.kind() == "object_pattern" {
                self.index_destructuring(name, value);
            }
        }
    }

    /// `import pg from "pg"`, `import { Pool as P } from "pg"`, `import * as pg from "pg"`.
    fn index_import(&mut self, n: Node<'t>) {
        let Some(module) = n
            .child_by_field_name("source")
            .and_then(|s| self.string_value(s))
        else {
            return;
        };
        let module = module.value;
        for clause in children(n) {
            if clause.kind() != "import_clause" {
                continue;
            }
            for part in children(clause) {
                match part.kind() {
                    "identifier" => self.import(part, &module, "default"),
                    "namespace_import" => {
                        if let Some(id) = children(part)
                            .into_iter()
                            .find(|c| c.kind() == "identifier")
                        {
                            self.import(id, &module, "*");
                        }
                    }
                    "named_imports" => {
                        for spec in children(part) {
                            let Some(name) = spec.child_by_field_name("name") else {
                                continue;
                            };
                            let local = spec.child_by_field_name("alias").unwrap_or(name);
                            let export = self.src(name).to_string();
                            self.import(local, &module, &export);
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    fn import(&mut self, local: Node, module: &str, export: &str) {
        self.imports.insert(
            self.src(local).to_string(),
            Origin {
                module: module.to_string(),
                export: export.to_string(),
            },
        );
    }

    /// `require("m")` or `await import("m")`: the module.
    fn required_module(&self, n: Node<'t>) -> Option<String> {
        let n = self.unwrap(n);
        if n.kind() != "call_expression" {
            return None;
        }
        let f = n.child_by_field_name("function")?;
        if !matches!(self.src(f), "require" | "import") {
            return None;
        }
        let arg = *children(n.child_by_field_name("arguments")?).first()?;
        Some(self.string_value(arg)?.value)
    }

    /// `const { Pool, Client: C } = pg` (or `= require("pg")`): each name comes from the
    /// module `pg` is.
    fn index_destructuring(&mut self, pattern: Node<'t>, value: Node<'t>) {
        let module = match self.required_module(value) {
            Some(m) => m,
            None => {
                let v = self.unwrap(value);
                if v.kind() != "identifier" {
                    return;
                }
                match self.imports.get(self.src(v)) {
                    Some(o) if o.export == "default" || o.export == "*" => o.module.clone(),
                    _ => return,
                }
            }
        };
        for p in children(pattern) {
            let (export, local) = match p.kind() {
                "shorthand_property_identifier_pattern" => (p, p),
                "pair_pattern" => {
                    let (Some(k), Some(v)) =
                        (p.child_by_field_name("key"), p.child_by_field_name("value"))
                    else {
                        continue;
                    };
                    if v.kind() != "identifier" {
                        continue;
                    }
                    (k, v)
                }
                _ => continue,
            };
            let export = self.src(export).to_string();
            self.import(local, &module, &export);
        }
    }

    /// The expression under parentheses, `await` and TypeScript's `as`, `satisfies`, `!`.
    pub(crate) fn unwrap(&self, mut n: Node<'t>) -> Node<'t> {
        for _ in 0..MAX_DEPTH {
            match n.kind() {
                "parenthesized_expression"
                | "await_expression"
                | "as_expression"
                | "satisfies_expression"
                | "non_null_expression"
                | "type_assertion" => {
                    let inner = children(n).into_iter().find(|c| {
                        !c.kind().ends_with("_type")
                            && c.kind() != "type_arguments"
                            && c.kind() != "type_identifier"
                    });
                    match inner {
                        Some(i) => n = i,
                        None => return n,
                    }
                }
                _ => return n,
            }
        }
        n
    }

    /// The initialiser of the variable `ident` names: the last declaration before the use,
    /// else the first one.
    fn const_value(&self, ident: Node<'t>) -> Option<Node<'t>> {
        let decls = self.consts.get(self.src(ident))?;
        let at = ident.start_byte();
        let (_, v) = decls
            .iter()
            .rev()
            .find(|(start, _)| *start < at)
            .or(decls.first())?;
        // `const x = x` and friends: never resolve a name to its own use.
        if v.byte_range().contains(&at) {
            return None;
        }
        Some(*v)
    }

    /// `n` through constants and wrappers, to the expression that gives its value.
    pub(crate) fn resolve(&self, n: Node<'t>) -> Node<'t> {
        let mut n = self.unwrap(n);
        for _ in 0..MAX_DEPTH {
            let next = match n.kind() {
                "identifier" | "shorthand_property_identifier" => self.const_value(n),
                _ => None,
            };
            match next {
                Some(v) => n = self.unwrap(v),
                None => break,
            }
        }
        n
    }

    /// Decodes a string literal or template literal; a template's holes must all be
    /// constant strings (the result is then opaque). Identifiers resolve through constants.
    pub(crate) fn string_value(&self, n: Node<'t>) -> Option<Str> {
        self.deeper(|| {
            let n = self.resolve(n);
            match n.kind() {
                "string" => Some(self.decode(n, &[])),
                "template_string" => {
                    let holes: Vec<Node> = children(n)
                        .into_iter()
                        .filter(|c| c.kind() == "template_substitution")
                        .collect();
                    if holes.is_empty() {
                        return Some(self.decode(n, &[]));
                    }
                    let mut values = Vec::new();
                    for h in &holes {
                        let inner = *children(*h).first()?;
                        values.push(self.string_value(inner)?.value);
                    }
                    let s = self.decode(n, &values);
                    Some(Str {
                        value: s.value,
                        map: OffsetMap::Opaque {
                            span: n.byte_range(),
                        },
                    })
                }
                "binary_expression" => {
                    // `"postgres://" + HOST + "/db"`: assembled, so opaque.
                    let op = n.child_by_field_name("operator")?;
                    if op.kind() != "+" {
                        return None;
                    }
                    let l = self.string_value(n.child_by_field_name("left")?)?;
                    let r = self.string_value(n.child_by_field_name("right")?)?;
                    Some(Str {
                        value: l.value + &r.value,
                        map: OffsetMap::Opaque {
                            span: n.byte_range(),
                        },
                    })
                }
                _ => None,
            }
        })
    }

    /// The value of a `string` or `template_string` node; `holes` are the values of the
    /// template's substitutions, in order. The map is exact (one entry per byte) when
    /// there are no holes.
    fn decode(&self, n: Node<'t>, holes: &[String]) -> Str {
        let mut value = String::new();
        let mut table = Vec::new();
        let mut holes = holes.iter();
        let mut escaped = false;
        for part in children(n) {
            let r = part.byte_range();
            let raw = self.src(part);
            match part.kind() {
                "string_fragment" => {
                    value.push_str(raw);
                    table.extend(r.clone());
                }
                "escape_sequence" => {
                    escaped = true;
                    let decoded = decode_escape(raw);
                    for _ in 0..decoded.len() {
                        table.push(r.start);
                    }
                    value.push_str(&decoded);
                }
                "template_substitution" => {
                    let h = holes.next().map(String::as_str).unwrap_or("");
                    for _ in 0..h.len() {
                        table.push(r.start);
                    }
                    value.push_str(h);
                }
                _ => {}
            }
        }
        let open = n.start_byte() + 1;
        // The closing quote, when there is one: an unterminated literal (tree-sitter
        // recovers with a zero-width closing quote) ends with its last character, which may
        // be several bytes long.
        let bytes = self.text.as_bytes();
        let quote = bytes.get(n.start_byte()).copied();
        let closed = n.end_byte() > open && bytes.get(n.end_byte() - 1).copied() == quote;
        let end = if closed {
            n.end_byte() - 1
        } else {
            n.end_byte()
        }
        .max(open);
        table.push(end);
        let contiguous = !escaped
            && table.first().is_none_or(|s| *s == open)
            && table.windows(2).all(|w| w[1] == w[0] + 1);
        let map = if contiguous {
            OffsetMap::Identity { start: open }
        } else {
            OffsetMap::Table(table)
        };
        Str { value, map }
    }

    /// `process.env.X`, `process.env["X"]`, `import.meta.env.X`: the variable's name and
    /// the file span of it.
    pub(crate) fn env_read(&self, n: Node<'t>) -> Option<(String, Range<usize>)> {
        let n = self.unwrap(n);
        let object = n.child_by_field_name("object")?;
        let object = self.unwrap(object);
        if object.kind() != "member_expression" {
            return None;
        }
        let base = object.child_by_field_name("object")?;
        let env = object.child_by_field_name("property")?;
        let base_ok = matches!(self.src(base), "process" | "import.meta");
        if !base_ok || self.src(env) != "env" {
            return None;
        }
        self.read_key(n)
    }

    /// The variable a read `obj.X` / `obj["X"]` names, with the span of its name.
    fn read_key(&self, n: Node<'t>) -> Option<(String, Range<usize>)> {
        match n.kind() {
            "member_expression" => {
                let p = n.child_by_field_name("property")?;
                Some((self.src(p).to_string(), p.byte_range()))
            }
            "subscript_expression" => {
                let i = n.child_by_field_name("index")?;
                let s = self.string_value(i)?;
                let span = s.map.range(0..s.value.len());
                Some((s.value, span))
            }
            _ => None,
        }
    }

    /// `env.X` (or `env["X"]`) where `env` is a parameter of an enclosing function: the
    /// bindings object a Cloudflare Worker's handlers receive (`fetch(request, env, ctx)`),
    /// whose `[vars]` the Worker's `wrangler.*` sets.
    fn handler_env_read(&self, n: Node<'t>) -> Option<(String, Range<usize>)> {
        let n = self.unwrap(n);
        let object = self.unwrap(n.child_by_field_name("object")?);
        if object.kind() != "identifier" || self.src(object) != "env" {
            return None;
        }
        let mut up = self.parent(object);
        let mut declared = false;
        while let Some(f) = up {
            if matches!(
                f.kind(),
                "function_declaration"
                    | "function_expression"
                    | "function"
                    | "arrow_function"
                    | "method_definition"
                    | "generator_function"
                    | "generator_function_declaration"
            ) && self.has_parameter(f, "env")
            {
                declared = true;
                break;
            }
            up = self.parent(f);
        }
        if !declared {
            return None;
        }
        self.read_key(n)
    }

    /// Whether function `f` takes a parameter called `name` (`env`, `env: Env`, `env = {}`).
    fn has_parameter(&self, f: Node<'t>, name: &str) -> bool {
        let params = match f.child_by_field_name("parameters") {
            Some(p) => children(p),
            // `env => ...`
            None => f.child_by_field_name("parameter").into_iter().collect(),
        };
        params.into_iter().any(|p| {
            let id = match p.kind() {
                "required_parameter" | "optional_parameter" => p.child_by_field_name("pattern"),
                "assignment_pattern" => p.child_by_field_name("left"),
                _ => Some(p),
            };
            id.is_some_and(|i| i.kind() == "identifier" && self.src(i) == name)
        })
    }

    /// Where a value used as a connection string comes from: a literal, an environment
    /// variable (through `??` / `||`, whose default is recorded as a binding), a constant
    /// holding either.
    pub(crate) fn url_source(&self, n: Node<'t>) -> UrlSource {
        self.deeper(|| {
            let n = self.resolve(n);
            if let Some((name, _)) = self.env_read(n).or_else(|| self.handler_env_read(n)) {
                return Some(UrlSource::EnvVar(name));
            }
            if n.kind() == "binary_expression" {
                let op = n.child_by_field_name("operator")?.kind();
                if matches!(op, "??" | "||") {
                    let left = self.url_source(n.child_by_field_name("left")?);
                    if left != UrlSource::Unknown {
                        return Some(left);
                    }
                    return Some(self.url_source(n.child_by_field_name("right")?));
                }
            }
            let s = self.string_value(n)?;
            Some(UrlSource::Literal {
                text: s.value,
                map: s.map,
            })
        })
        .unwrap_or(UrlSource::Unknown)
    }

    /// The object literal `n` is (through constants), if any.
    pub(crate) fn object(&self, n: Node<'t>) -> Option<Node<'t>> {
        let n = self.resolve(n);
        (n.kind() == "object").then_some(n)
    }

    /// The value of property `key` of object literal `obj` (the last one written wins,
    /// spreads of constant objects included), as the node to resolve.
    pub(crate) fn prop(&self, obj: Node<'t>, key: &str) -> Option<Node<'t>> {
        self.deeper(|| {
            let mut found = None;
            for p in children(obj) {
                match p.kind() {
                    "pair" => {
                        let k = p.child_by_field_name("key")?;
                        if self.key_name(k).as_deref() == Some(key) {
                            found = p.child_by_field_name("value");
                        }
                    }
                    "shorthand_property_identifier" if self.src(p) == key => found = Some(p),
                    "spread_element" => {
                        let inner = children(p).into_iter().next();
                        if let Some(o) = inner.and_then(|i| self.object(i)) {
                            if let Some(v) = self.prop(o, key) {
                                found = Some(v);
                            }
                        }
                    }
                    _ => {}
                }
            }
            found
        })
    }

    fn key_name(&self, k: Node<'t>) -> Option<String> {
        match k.kind() {
            "property_identifier" | "number" => Some(self.src(k).to_string()),
            "string" => self.string_value(k).map(|s| s.value),
            _ => None,
        }
    }

    /// Every property of `obj` as a [`Setting`], nested objects flattened with dotted
    /// names (`ssl.rejectUnauthorized`), both branches of a `cond ? {...} : ...` value
    /// included.
    pub(crate) fn settings(&self, obj: Node<'t>, prefix: &str, out: &mut Vec<Setting>) {
        self.deeper(|| {
            for p in children(obj) {
                let (key, value, span) = match p.kind() {
                    "pair" => {
                        let Some(k) = p.child_by_field_name("key").and_then(|k| self.key_name(k))
                        else {
                            continue;
                        };
                        let Some(v) = p.child_by_field_name("value") else {
                            continue;
                        };
                        (k, v, p.byte_range())
                    }
                    "shorthand_property_identifier" => (self.src(p).to_string(), p, p.byte_range()),
                    "spread_element" => {
                        if let Some(o) = children(p).into_iter().next().and_then(|i| self.object(i))
                        {
                            self.settings(o, prefix, out);
                        }
                        continue;
                    }
                    _ => continue,
                };
                let name = format!("{prefix}{key}");
                out.push(Setting {
                    name: name.clone(),
                    value: self.display(value),
                    span,
                });
                let v = self.resolve(value);
                let branches = if v.kind() == "ternary_expression" {
                    vec![
                        v.child_by_field_name("consequence"),
                        v.child_by_field_name("alternative"),
                    ]
                } else {
                    vec![Some(v)]
                };
                for b in branches.into_iter().flatten() {
                    if let Some(o) = self.object(b) {
                        self.settings(o, &format!("{name}."), out);
                    }
                }
            }
            Some(())
        });
    }

    /// A value as users would write it, normalised where obvious: strings in single
    /// quotes, environment reads as `${NAME}`, constants resolved, objects as `{…}`.
    pub(crate) fn display(&self, n: Node<'t>) -> String {
        let r = self.resolve(n);
        if let Some((name, _)) = self.env_read(r) {
            return format!("${{{name}}}");
        }
        if let Some(s) = self.string_value(r) {
            return format!("'{}'", s.value);
        }
        match r.kind() {
            "object" => "{…}".into(),
            "true" | "false" | "number" | "null" | "undefined" => self.src(r).to_string(),
            _ => {
                let s = self.src(n).trim();
                match s.char_indices().nth(MAX_VALUE_LEN) {
                    Some((i, _)) => format!("{}…", &s[..i]),
                    None => s.to_string(),
                }
            }
        }
    }

    /// Where the callee of a call or `new` comes from: `(module, export)`.
    fn callee_origin(&self, callee: Node<'t>) -> Option<Origin> {
        self.deeper(|| {
            let c = self.unwrap(callee);
            match c.kind() {
                "identifier" => match self.imports.get(self.src(c)) {
                    Some(o) => Some(o.clone()),
                    // `const Pool = pg.Pool`
                    None => self.callee_origin(self.const_value(c)?),
                },
                // `require("knex")({ ... })`
                "call_expression" => Some(Origin {
                    module: self.required_module(c)?,
                    export: "*".into(),
                }),
                "member_expression" => {
                    let object = self.unwrap(c.child_by_field_name("object")?);
                    let prop = self.src(c.child_by_field_name("property")?).to_string();
                    let base = match self.required_module(object) {
                        Some(module) => Origin {
                            module,
                            export: "*".into(),
                        },
                        None => self.callee_origin(object)?,
                    };
                    (base.export == "default" || base.export == "*").then_some(Origin {
                        module: base.module,
                        export: prop,
                    })
                }
                _ => None,
            }
        })
    }

    /// The [`Call`] view of a call or `new` expression whose callee is imported.
    fn call(&self, n: Node<'t>) -> Option<Call<'_, 't>> {
        let (callee, is_new) = match n.kind() {
            "call_expression" => (n.child_by_field_name("function")?, false),
            "new_expression" => (n.child_by_field_name("constructor")?, true),
            _ => return None,
        };
        let origin = self.callee_origin(callee)?;
        let args = n
            .child_by_field_name("arguments")
            .map(children)
            .unwrap_or_default();
        Some(Call {
            js: self,
            module: origin.module,
            export: origin.export,
            is_new,
            args,
        })
    }

    /// What the driver files make of the expression `n` (through constants). A binding
    /// imported from a file of the project is noted in `stopped_at_import`.
    fn recognise(&self, n: Node<'t>) -> Option<Found> {
        self.deeper(|| {
            let r = self.resolve(n);
            if r.kind() == "identifier" {
                if let Some(o) = self.imports.get(self.src(r)) {
                    let local = ["./", "../", "@/", "~/"]
                        .iter()
                        .any(|p| o.module.starts_with(p));
                    if local {
                        *self.stopped_at_import.borrow_mut() =
                            Some((o.module.clone(), o.export.clone()));
                    }
                }
            }
            js::recognise(&self.call(r)?)
        })
    }

    /// Every module specifier the file names: `import ... from`, `export ... from`,
    /// `require("m")` and `import("m")`, with the span of the string.
    fn module_refs(&self) -> Vec<ModuleRef> {
        let sources = self.module_sources.iter().copied();
        let calls = self.calls.iter().filter_map(|c| {
            let f = c.child_by_field_name("function")?;
            if !matches!(self.src(f), "require" | "import") {
                return None;
            }
            children(c.child_by_field_name("arguments")?)
                .first()
                .copied()
        });
        sources
            .chain(calls)
            .filter(|n| n.kind() == "string")
            .filter_map(|n| {
                Some(ModuleRef {
                    spec: self.string_value(n)?.value,
                    span: n.byte_range(),
                })
            })
            .collect()
    }

    /// `export const runtime = "edge"` or `export const config = { runtime: "edge" }`:
    /// the runtime the file asks for.
    fn runtime_decl(&self) -> Option<RuntimeDecl> {
        for e in &self.exports {
            let Some(d) = e.child_by_field_name("declaration") else {
                continue;
            };
            for decl in children(d) {
                let (Some(name), Some(value)) = (
                    decl.child_by_field_name("name"),
                    decl.child_by_field_name("value"),
                ) else {
                    continue;
                };
                let value = match self.src(name) {
                    "runtime" => value,
                    "config" => match self.object(value).and_then(|o| self.prop(o, "runtime")) {
                        Some(v) => v,
                        None => continue,
                    },
                    _ => continue,
                };
                if let Some(v) = self.string_value(value) {
                    return Some(RuntimeDecl {
                        value: v.value,
                        span: e.byte_range(),
                    });
                }
            }
        }
        None
    }

    /// `export const pool = new Pool(...)`, `export default drizzle(...)`,
    /// `export { db }`: the clients and wrappers other files can import, with the
    /// variables their URLs come from.
    fn export_facts(&self) -> Vec<JsExport> {
        let mut named: Vec<(String, Node<'t>)> = Vec::new();
        for e in &self.exports {
            if let Some(v) = e.child_by_field_name("value") {
                named.push(("default".into(), v));
            }
            if let Some(d) = e.child_by_field_name("declaration") {
                for decl in children(d) {
                    if decl.kind() != "variable_declarator" {
                        continue;
                    }
                    let (Some(name), Some(value)) = (
                        decl.child_by_field_name("name"),
                        decl.child_by_field_name("value"),
                    ) else {
                        continue;
                    };
                    named.push((self.src(name).to_string(), value));
                }
            }
            for clause in children(*e) {
                if clause.kind() != "export_clause" {
                    continue;
                }
                for spec in children(clause) {
                    let Some(name) = spec.child_by_field_name("name") else {
                        continue;
                    };
                    let alias = spec.child_by_field_name("alias").unwrap_or(name);
                    named.push((self.src(alias).to_string(), name));
                }
            }
        }
        named
            .into_iter()
            .filter_map(|(name, value)| {
                let (driver, url) = match self.recognise(value)? {
                    Found::Client { driver, url, .. } => (Some(driver), url),
                    Found::Handle { url } => (None, url),
                    Found::Migration { .. } | Found::TcpClient { .. } => return None,
                };
                // A literal's offsets belong to this file: importers could not place them.
                matches!(url, UrlSource::EnvVar(_)).then_some(JsExport { name, driver, url })
            })
            .collect()
    }

    /// The client whose method or tag `receiver` is: a recognised set-up (through
    /// constants), or `x.connect()` of one.
    fn client_of(&self, receiver: Node<'t>) -> Option<(crate::site::Driver, UrlSource)> {
        self.deeper(|| {
            let r = self.resolve(receiver);
            if r.kind() == "call_expression" {
                let f = r.child_by_field_name("function")?;
                if f.kind() == "member_expression"
                    && self.src(f.child_by_field_name("property")?) == "connect"
                {
                    return self.client_of(f.child_by_field_name("object")?);
                }
            }
            match self.recognise(r)? {
                Found::Client { driver, url, .. } => Some((driver, url)),
                _ => None,
            }
        })
    }

    /// The SQL text of a string, a template (holes as `$1`, `$2`...), or a pg query
    /// config object (`{ text, name }`).
    fn sql_text(&self, n: Node<'t>) -> Option<String> {
        self.deeper(|| {
            let r = self.resolve(n);
            if r.kind() == "template_string" {
                let mut out = String::new();
                let mut hole = 0;
                for part in children(r) {
                    match part.kind() {
                        "template_substitution" => {
                            hole += 1;
                            out.push_str(&format!("${hole}"));
                        }
                        _ => out.push_str(self.src(part)),
                    }
                }
                return Some(out);
            }
            if let Some(o) = self.object(r) {
                return self.sql_text(self.prop(o, "text")?);
            }
            self.string_value(r).map(|s| s.value)
        })
    }

    /// A call that may run SQL through a client: `client.query(sql)`, `` sql`...` ``, as
    /// (receiver, method or [`js::TAGGED`], SQL argument).
    fn sql_call(&self, n: Node<'t>) -> Option<(Node<'t>, String, Node<'t>)> {
        if n.kind() != "call_expression" {
            return None;
        }
        let f = n.child_by_field_name("function")?;
        let args = n.child_by_field_name("arguments")?;
        if args.kind() == "template_string" {
            return Some((f, js::TAGGED.to_string(), args));
        }
        if f.kind() != "member_expression" {
            return None;
        }
        let method = self.src(f.child_by_field_name("property")?).to_string();
        Some((
            f.child_by_field_name("object")?,
            method,
            *children(args).first()?,
        ))
    }

    /// SQL run through a client, with the client's driver and URL not yet checked.
    fn connection_use(
        &self,
        n: Node<'t>,
        sql_node: Node<'t>,
        method: &str,
        file: crate::source::FileId,
    ) -> Option<ConnectionUse> {
        let sql = self.sql_text(sql_node)?;
        let span = if sql_node.kind() == "object" {
            n.byte_range()
        } else {
            sql_node.byte_range()
        };
        Some(ConnectionUse {
            file,
            span,
            driver: None,
            api: if method == js::TAGGED {
                "tagged template".into()
            } else if self
                .object(sql_node)
                .is_some_and(|o| self.prop(o, "name").is_some())
            {
                // pg's named prepared statement: `query({ name, text, values })`.
                format!("{method}({{ name }})")
            } else {
                method.to_string()
            },
            sql: Some(sql),
            url: UrlSource::Unknown,
        })
    }

    /// SQL uses of `n`: recorded, or left pending on an imported client. Whether `n` was
    /// one.
    fn extract_use(&self, n: Node<'t>, cx: &mut Cx, facts: &mut JsFacts) -> bool {
        let Some((receiver, method, sql_node)) = self.sql_call(n) else {
            return false;
        };
        self.stopped_at_import.borrow_mut().take();
        match self.client_of(receiver) {
            Some((driver, url)) => {
                let runs_sql =
                    js::of(driver).is_some_and(|js| js.sql_methods.contains(&method.as_str()));
                let Some(mut u) = runs_sql
                    .then(|| self.connection_use(n, sql_node, &method, cx.file_id))
                    .flatten()
                else {
                    return false;
                };
                u.driver = Some(driver);
                u.url = url;
                cx.out.uses.push(u);
                true
            }
            None => {
                let Some((module, export)) = self.stopped_at_import.borrow_mut().take() else {
                    return false;
                };
                let Some(u) = self.connection_use(n, sql_node, &method, cx.file_id) else {
                    return false;
                };
                facts.pending.push(JsPending {
                    module,
                    export,
                    site: JsPendingSite::Use(u, method),
                });
                true
            }
        }
    }

    fn extract(&self, cx: &mut Cx) {
        let mut facts = JsFacts {
            exports: self.export_facts(),
            pending: Vec::new(),
            modules: self.module_refs(),
            runtime: self.runtime_decl(),
            tcp_clients: Vec::new(),
        };
        for n in &self.calls {
            if self.extract_use(*n, cx, &mut facts) {
                continue;
            }
            self.stopped_at_import.borrow_mut().take();
            let Some(found) = self.call(*n).and_then(|c| js::recognise(&c)) else {
                continue;
            };
            match found {
                Found::Client {
                    driver,
                    api,
                    url,
                    settings,
                } => {
                    let client = ClientSetup {
                        file: cx.file_id,
                        span: n.byte_range(),
                        driver,
                        api,
                        url,
                        settings,
                    };
                    // A client that runs the migrations when it starts (TypeORM's
                    // `migrationsRun: true`).
                    let runs = js::of(driver).and_then(|d| (d.runs_migrations)(&client));
                    if let Some((tool, setting)) = runs {
                        cx.out.migrations.push(MigrationRun {
                            file: cx.file_id,
                            span: setting.span.clone(),
                            tool,
                            work: crate::site::Work::Migration,
                            url: client.url.clone(),
                        });
                    }
                    cx.out.clients.push(client);
                }
                Found::Migration { tool, url } => {
                    let run = MigrationRun {
                        file: cx.file_id,
                        span: n.byte_range(),
                        tool,
                        work: crate::site::Work::Migration,
                        url,
                    };
                    let waiting = self.stopped_at_import.borrow_mut().take();
                    match waiting {
                        Some((module, export)) if run.url == UrlSource::Unknown => {
                            facts.pending.push(JsPending {
                                module,
                                export,
                                site: JsPendingSite::Migration(run),
                            })
                        }
                        _ => cx.out.migrations.push(run),
                    }
                }
                Found::TcpClient { api } => facts.tcp_clients.push(TcpClientRef {
                    api,
                    span: n.byte_range(),
                }),
                Found::Handle { .. } => {}
            }
        }
        if !facts.exports.is_empty()
            || !facts.pending.is_empty()
            || !facts.modules.is_empty()
            || facts.runtime.is_some()
            || !facts.tcp_clients.is_empty()
        {
            cx.out.js = Some(Box::new(facts));
        }
        for n in &self.defaults {
            let (Some(left), Some(right)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) else {
                continue;
            };
            let (Some((name, span)), Some(value)) = (self.env_read(left), self.string_value(right))
            else {
                continue;
            };
            cx.binding(&name, span, &value.value, value.map);
        }
        // `process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0"`: the program sets its own
        // environment.
        for n in &self.env_sets {
            let (Some(left), Some(right)) = (
                n.child_by_field_name("left"),
                n.child_by_field_name("right"),
            ) else {
                continue;
            };
            let Some((name, span)) = self.env_read(left) else {
                continue;
            };
            let right = self.resolve(right);
            let value = match right.kind() {
                "number" => Str {
                    value: self.src(right).to_string(),
                    map: OffsetMap::Identity {
                        start: right.start_byte(),
                    },
                },
                _ => match self.string_value(right) {
                    Some(s) => s,
                    None => continue,
                },
            };
            cx.binding(&name, span, &value.value, value.map);
        }
        for n in &self.strings {
            let Some(mut s) = self.literal(*n) else {
                continue;
            };
            let key = self.string_key(*n);
            if key
                .as_ref()
                .is_some_and(|k| self.assembled_names.contains(k))
            {
                s.map = OffsetMap::Opaque {
                    span: n.byte_range(),
                };
            }
            cx.string_value(&s.value, s.map, Container::Text, key);
        }
        // `BASE + 'neondb'`: a value whose first piece is a name, recorded whole (assembled).
        for top in &self.chains {
            if matches!(self.first_leaf(*top).kind(), "string" | "template_string") {
                continue;
            }
            if let Some(s) = self.string_value(*top) {
                cx.string_value(&s.value, s.map, Container::Text, None);
            }
        }
    }

    /// A string or template literal as written here (not through constants: each literal
    /// is recorded once, where it is).
    fn literal(&self, n: Node<'t>) -> Option<Str> {
        // A template nested in another template's hole is part of that one.
        if self
            .parent(n)
            .is_some_and(|p| p.kind() == "template_substitution")
        {
            return None;
        }
        // `'a' + 'b'`: one value, recorded once (at its first literal), assembled, so no
        // fix is placed in it; `'a' + x`: each literal is a piece of a value known only at
        // run time, judged but never edited.
        if let Some(top) = self.plus_chain_top(n) {
            if let Some(whole) = self.string_value(top) {
                return (self.first_leaf(top).id() == n.id()).then_some(whole);
            }
            let piece = self.string_value(n)?;
            return Some(Str {
                value: piece.value,
                map: OffsetMap::Opaque {
                    span: n.byte_range(),
                },
            });
        }
        self.string_value(n).or_else(|| {
            // `` `postgresql://h/${db}` ``: a hole known only at run time. The text is
            // judged as written (the hole kept as `${db}`), and never edited.
            let raw = self.src(n);
            (n.kind() == "template_string" && raw.len() >= 2).then(|| Str {
                value: raw[1..raw.len() - 1].to_string(),
                map: OffsetMap::Opaque {
                    span: n.byte_range(),
                },
            })
        })
    }

    /// The top of the `+` chain `n` is an operand of (parentheses looked through), if any.
    fn plus_chain_top(&self, n: Node<'t>) -> Option<Node<'t>> {
        let mut cur = n;
        let mut top = None;
        while let Some(p) = self.parent(cur) {
            match p.kind() {
                "parenthesized_expression" => cur = p,
                "binary_expression"
                    if p.child_by_field_name("operator").map(|o| o.kind()) == Some("+") =>
                {
                    top = Some(p);
                    cur = p;
                }
                _ => break,
            }
        }
        top
    }

    /// The leftmost operand of an expression (parentheses and `+` looked through).
    fn first_leaf(&self, mut n: Node<'t>) -> Node<'t> {
        loop {
            let next = match n.kind() {
                "binary_expression" => n.child_by_field_name("left"),
                "parenthesized_expression" => n.named_child(0),
                _ => None,
            };
            match next {
                Some(c) => n = c,
                None => return n,
            }
        }
    }

    /// What a literal is assigned to: a variable, a property, an environment variable it
    /// is the default of.
    fn string_key(&self, n: Node<'t>) -> Option<String> {
        let mut child = n;
        let mut parent = self.parent(n)?;
        while matches!(
            parent.kind(),
            "parenthesized_expression" | "as_expression" | "satisfies_expression"
        ) {
            child = parent;
            parent = self.parent(parent)?;
        }
        match parent.kind() {
            "variable_declarator" => {
                Some(self.src(parent.child_by_field_name("name")?).to_string())
            }
            "pair" => {
                if parent.child_by_field_name("value")?.id() != child.id() {
                    return None;
                }
                self.key_name(parent.child_by_field_name("key")?)
            }
            "binary_expression" => {
                let left = parent.child_by_field_name("left")?;
                self.env_read(left).map(|(name, _)| name)
            }
            "assignment_expression" => {
                let left = parent.child_by_field_name("left")?;
                self.env_read(left).map(|(name, _)| name)
            }
            _ => None,
        }
    }
}

/// The value of one JavaScript escape sequence (`\n`, `\x41`, `\u{1F600}`, a line
/// continuation).
fn decode_escape(raw: &str) -> String {
    let body = &raw[raw.len().min(1)..];
    let hex = |h: &str| {
        u32::from_str_radix(h, 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
    };
    match body.chars().next() {
        Some('n') => "\n".into(),
        Some('t') => "\t".into(),
        Some('r') => "\r".into(),
        Some('b') => "\u{8}".into(),
        Some('f') => "\u{c}".into(),
        Some('v') => "\u{b}".into(),
        Some('0') if body.len() == 1 => "\0".into(),
        Some('\n') | Some('\r') | Some('\u{2028}') | Some('\u{2029}') => String::new(),
        Some('x') => hex(&body[1..]).unwrap_or_default(),
        Some('u') => {
            let h = body[1..].trim_start_matches('{').trim_end_matches('}');
            hex(h).unwrap_or_default()
        }
        Some(_) => body.to_string(),
        None => String::new(),
    }
}

/// A call or `new` expression whose callee is imported from a module, as the driver files
/// see it.
pub(crate) struct Call<'a, 't> {
    js: &'a Js<'t>,
    /// The module the callee comes from (`pg`, `drizzle-orm/postgres-js`).
    pub module: String,
    /// The export called (`Pool`, `default`, `neon`, `migrate`).
    pub export: String,
    /// `new X(...)` rather than `X(...)`.
    pub is_new: bool,
    args: Vec<Node<'t>>,
}

impl<'t> Call<'_, 't> {
    /// Argument `i`.
    pub fn arg(&self, i: usize) -> Option<Node<'t>> {
        self.args.get(i).copied()
    }

    /// Where a connection string given as `n` comes from.
    pub fn url(&self, n: Node<'t>) -> UrlSource {
        self.js.url_source(n)
    }

    /// Property `key` of object literal `obj`.
    pub fn prop(&self, obj: Node<'t>, key: &str) -> Option<Node<'t>> {
        self.js.prop(obj, key)
    }

    /// The object literal `n` is (through constants).
    pub fn object(&self, n: Node<'t>) -> Option<Node<'t>> {
        self.js.object(n)
    }

    /// Whether object literal `obj` spreads a value that is not a known object literal
    /// (`{ ...options }`): then any key may be in it.
    pub fn spreads_unknown(&self, obj: Node<'t>) -> bool {
        children(obj).into_iter().any(|p| {
            p.kind() == "spread_element"
                && children(p)
                    .into_iter()
                    .next()
                    .is_none_or(|i| self.js.object(i).is_none_or(|o| self.spreads_unknown(o)))
        })
    }

    /// Every property of `obj`, flattened (`ssl.rejectUnauthorized`).
    pub fn settings(&self, obj: Node<'t>) -> Vec<Setting> {
        let mut out = Vec::new();
        self.js.settings(obj, "", &mut out);
        out
    }

    /// Whether `n` is a value a connection string can be (a string, an environment read,
    /// a template), rather than an options object or a client.
    pub fn is_string_like(&self, n: Node<'t>) -> bool {
        self.url(n) != UrlSource::Unknown
            || matches!(self.js.resolve(n).kind(), "template_string" | "string")
    }

    /// What another driver call `n` (through constants) is: used by wrappers
    /// (`drizzle(pool)`, `migrate(db)`) to reach the URL of the client they wrap.
    pub fn recognise(&self, n: Node<'t>) -> Option<Found> {
        self.js.recognise(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn js(text: &str, f: impl FnOnce(&Js, Node)) {
        let tree = parse(text, true).unwrap();
        let mut j = Js::new(text);
        j.index(tree.root_node());
        f(&j, tree.root_node());
    }

    #[test]
    fn decodes_strings_with_offset_maps() {
        let text = r#"const a = "po\x73tgres://h/d"; const b = 'x';"#;
        js(text, |j, _| {
            let s = j.string_value(j.strings[0]).unwrap();
            assert_eq!(s.value, "postgres://h/d");
            // `s` (decoded from `\x73`) maps to the escape, `t` to the byte after it.
            assert_eq!(s.map.offset(2), text.find("\\x73").unwrap());
            assert_eq!(s.map.offset(3), text.find("\\x73").unwrap() + 4);
            let b = j.string_value(j.strings[1]).unwrap();
            assert_eq!(
                b.map,
                OffsetMap::Identity {
                    start: text.find("'x'").unwrap() + 1
                }
            );
        });
    }

    #[test]
    fn templates_with_holes_are_opaque_or_unknown() {
        let text = "const H = 'h'; const a = `postgres://${H}/d`; const b = `postgres://${x}/d`;";
        js(text, |j, _| {
            let t: Vec<_> = j
                .strings
                .iter()
                .filter(|n| n.kind() == "template_string")
                .collect();
            let a = j.string_value(*t[0]).unwrap();
            assert_eq!(a.value, "postgres://h/d");
            assert!(!a.map.is_exact());
            assert!(j.string_value(*t[1]).is_none());
        });
    }

    #[test]
    fn env_reads_and_defaults() {
        let text = "const a = process.env.A ?? 'x'; const b = process.env['B']; const c = import.meta.env.C || d;";
        js(text, |j, _| {
            let v = |name: &str| j.url_source(j.consts[name][0].1);
            assert_eq!(v("a"), UrlSource::EnvVar("A".into()));
            assert_eq!(v("b"), UrlSource::EnvVar("B".into()));
            assert_eq!(v("c"), UrlSource::EnvVar("C".into()));
        });
    }

    #[test]
    fn a_handlers_env_parameter_is_the_environment() {
        let text = "const top = env.A;\nexport default { async fetch(req: Request, env: Env) { const x = env.B; const y = env['C']; const z = env.HYPERDRIVE.connectionString; } };\nconst f = (env) => { const w = env.D; };\nfunction g(options, env = {}) { const u = env.E; }";
        let tree = parse(text, true).unwrap();
        let mut j = Js::new(text);
        j.index(tree.root_node());
        let v = |name: &str| j.url_source(j.consts[name][0].1);
        assert_eq!(v("top"), UrlSource::Unknown);
        assert_eq!(v("x"), UrlSource::EnvVar("B".into()));
        assert_eq!(v("y"), UrlSource::EnvVar("C".into()));
        assert_eq!(v("z"), UrlSource::Unknown);
        assert_eq!(v("w"), UrlSource::EnvVar("D".into()));
        assert_eq!(v("u"), UrlSource::EnvVar("E".into()));
    }

    #[test]
    fn imports_and_requires() {
        let text = "import pg from 'pg'; import { Pool as P } from 'pg'; import * as ns from 'pg';\n\
                    const { Client } = require('pg'); const { Pool } = pg; const m = require('postgres');\n\
                    new pg.Pool(); new P(); new ns.Pool(); new Client(); new Pool(); m();";
        js(text, |j, _| {
            let calls: Vec<(String, String)> = j
                .calls
                .iter()
                .filter_map(|c| j.call(*c))
                .map(|c| (c.module, c.export))
                .collect();
            let calls: Vec<(&str, &str)> = calls
                .iter()
                .map(|(m, e)| (m.as_str(), e.as_str()))
                .collect();
            let want = [
                ("pg", "Pool"),
                ("pg", "Pool"),
                ("pg", "Pool"),
                ("pg", "Client"),
                ("pg", "Pool"),
                ("postgres", "*"),
            ];
            assert_eq!(calls, want);
        });
    }

    #[test]
    fn settings_flatten_objects_spreads_and_branches() {
        let text = "const base = { max: 1 }; const o = { ...base, ssl: prod ? { rejectUnauthorized: false } : false, 'k': process.env.K };";
        js(text, |j, _| {
            let obj = j.object(j.consts["o"][0].1).unwrap();
            let mut s = Vec::new();
            j.settings(obj, "", &mut s);
            let names: Vec<(&str, &str)> = s
                .iter()
                .map(|s| (s.name.as_str(), s.value.as_str()))
                .collect();
            assert_eq!(
                names,
                [
                    ("max", "1"),
                    ("ssl", "prod ? { rejectUnauthorized: false } : false"),
                    ("ssl.rejectUnauthorized", "false"),
                    ("k", "${K}"),
                ]
            );
        });
    }
}
