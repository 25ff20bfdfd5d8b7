//! Data flow over one Rust file: the driver set-ups, migration runs and SQL it holds, and
//! where each one's connection string comes from.
//!
//! A small abstract interpreter over syn's tree. Every function body is walked once, in
//! order; each expression evaluates to a [`Val`]: what the value is as far as the driver
//! APIs say (a pool builder, a pool, a TLS connector...), where its connection string comes
//! from ([`Src`] alternatives: literal, environment variable, parameter, another function,
//! a struct field), and the settings gathered along a builder chain. Flow-insensitive
//! where that is enough (loops run once, both branches of an `if` are kept), and never a
//! guess: what cannot be followed stays unknown.
//!
//! Calls to functions of the same file use the callee's summary (its returned value, in
//! terms of its parameters); calls to anything else are written down as [`Src::Call`] for
//! the crate-wide pass (`resolve::rust_link`), which also resolves [`Src::Param`] through
//! every call site of the crate.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use proc_macro2::{Span, TokenTree};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::{Expr, Pat, Stmt};

use super::decode_str_literal;
use crate::site::rust::{RustFacts, RustField, RustFn, Src};
use crate::site::{Driver, OffsetMap, Setting};
use crate::source::SourceFile;

/// More alternatives than this for one value are cut (the first ones are kept).
const MAX_ALTERNATIVES: usize = 16;

/// What a value is, as far as the driver APIs say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Kind {
    /// Anything else: strings, numbers, user types.
    #[default]
    Unknown,
    /// Connect options: sqlx `PgConnectOptions`, tokio-postgres `Config`, deadpool
    /// `Config`, sea-orm `ConnectOptions`, refinery `Config` (driver unknown for an
    /// unresolved `Config`).
    Opts(Option<Driver>),
    /// A pool builder: sqlx `PgPoolOptions`, bb8/r2d2/deadpool `Pool::builder()`.
    PoolBuilder(Option<Driver>),
    /// A connection manager (bb8/r2d2/deadpool/diesel).
    Manager(Driver),
    /// A pool, client or connection.
    Handle(Driver),
    /// A TLS connector ready for a driver (`NoTls`, `MakeTlsConnector`...).
    Tls,
    /// A TLS configuration being built (native-tls, OpenSSL, rustls).
    TlsBuilder,
    /// A rustls `RootCertStore`.
    RootStore,
    /// A query builder carrying SQL (`sqlx::query`, diesel `sql_query`).
    Query,
    /// sqlx `Migrator` (`sqlx::migrate!()`).
    Migrator,
    /// refinery `Runner`.
    Runner,
    /// sqlx `PgAdvisoryLock`.
    AdvisoryLock,
}

/// The abstract value of an expression.
#[derive(Debug, Clone, Default)]
struct Val {
    kind: Kind,
    /// Where its connection string comes from (alternatives; empty: unknown).
    url: Vec<Src>,
    /// Builder settings gathered on the way.
    settings: Vec<Setting>,
    /// Connection parameters given piecewise (`.host("...")`, `cfg.dbname = ...`).
    parts: Vec<(String, String, Range<usize>)>,
    /// Struct fields, when built here.
    fields: Vec<(String, Val)>,
    /// Source text of a constant-like expression (`Duration::from_secs(2)`, `false`).
    text: Option<String>,
    /// The TLS connector's path (`tokio_postgres::NoTls`).
    tls: Option<String>,
    /// Certificate checks turned off along the way.
    weak: Vec<Setting>,
    /// A `RootCertStore::empty()` nothing was added to.
    empty_roots: Option<Range<usize>>,
    /// SQL carried by a query builder, with its file span.
    sql: Option<(String, Range<usize>)>,
    /// deadpool `Config` built here (`Config::new()`, a struct literal), not deserialized.
    known_config: bool,
}

impl Val {
    fn with_kind(kind: Kind) -> Val {
        Val {
            kind,
            ..Val::default()
        }
    }

    fn with_url(url: Vec<Src>) -> Val {
        Val {
            url,
            ..Val::default()
        }
    }

    /// Joins two alternatives (branches of an `if`, `unwrap_or`).
    fn merge(mut self, other: Val) -> Val {
        if self.kind == Kind::Unknown {
            self.kind = other.kind;
        }
        for s in other.url {
            push_src(&mut self.url, s);
        }
        // Both sides often share a prefix (`if c { b.x() } else { b.y() }`): keep one copy,
        // or nested branches would double it each time.
        for s in other.settings {
            if !self.settings.contains(&s) {
                self.settings.push(s);
            }
        }
        for p in other.parts {
            if !self.parts.contains(&p) {
                self.parts.push(p);
            }
        }
        for (name, v) in other.fields {
            match self.fields.iter().position(|(n, _)| *n == name) {
                Some(i) => {
                    let mine = std::mem::take(&mut self.fields[i].1);
                    self.fields[i].1 = mine.merge(v);
                }
                None => self.fields.push((name, v)),
            }
        }
        if self.text.is_none() {
            self.text = other.text;
        }
        if self.tls.is_none() {
            self.tls = other.tls;
        }
        for w in other.weak {
            if !self.weak.contains(&w) {
                self.weak.push(w);
            }
        }
        if self.empty_roots.is_none() {
            self.empty_roots = other.empty_roots;
        }
        if self.sql.is_none() {
            self.sql = other.sql;
        }
        self.known_config |= other.known_config;
        self
    }

    fn field(&self, name: &str) -> Option<&Val> {
        self.fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    fn driver(&self) -> Option<Driver> {
        match self.kind {
            Kind::Opts(d) | Kind::PoolBuilder(d) => d,
            Kind::Manager(d) | Kind::Handle(d) => Some(d),
            _ => None,
        }
    }

    /// The string literal this value is, when it is exactly one.
    fn literal(&self) -> Option<(&str, &OffsetMap)> {
        match self.url.as_slice() {
            [Src::Lit { text, map }] => Some((text, map)),
            _ => None,
        }
    }
}

fn push_src(v: &mut Vec<Src>, s: Src) {
    if v.len() < MAX_ALTERNATIVES && !v.contains(&s) {
        v.push(s);
    }
}

/// Local bindings, innermost scope last.
#[derive(Default)]
struct Env {
    scopes: Vec<HashMap<String, Val>>,
}

impl Env {
    fn get(&self, name: &str) -> Option<&Val> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    fn get_mut(&mut self, name: &str) -> Option<&mut Val> {
        self.scopes.iter_mut().rev().find_map(|s| s.get_mut(name))
    }

    fn bind(&mut self, name: String, v: Val) {
        if self.scopes.is_empty() {
            self.scopes.push(HashMap::new());
        }
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name, v);
        }
    }

    fn push(&mut self) {
        self.scopes.push(HashMap::new());
    }

    fn pop(&mut self) {
        self.scopes.pop();
    }
}

/// A function (or method) of the file.
struct FnItem<'a> {
    /// How calls name it: `make_pool`, `Db::new`.
    name: String,
    sig: &'a syn::Signature,
    block: &'a syn::Block,
    self_ty: Option<String>,
    in_test: bool,
    /// `#[sqlx::test]` that applies migrations: the attribute's span.
    sqlx_test: Option<Range<usize>>,
}

enum Summary {
    Todo,
    Busy,
    Done(Box<Val>),
}

/// Collects the items of a file: functions, constants, `use` paths, local type names,
/// struct fields filled from the environment.
struct Items<'a> {
    fns: Vec<FnItem<'a>>,
    consts: Vec<(String, &'a Expr, bool)>,
    uses: HashMap<String, Vec<String>>,
    local_types: HashSet<String>,
    env_fields: Vec<(String, String)>,
    self_ty: Vec<Option<String>>,
    test_depth: usize,
    file: &'a SourceFile,
}

impl<'a> Items<'a> {
    fn in_test(&self) -> bool {
        self.test_depth > 0
    }

    fn collect_use(&mut self, prefix: &mut Vec<String>, tree: &syn::UseTree) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.collect_use(prefix, &p.tree);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                let name = n.ident.to_string();
                if name == "self" {
                    if let Some(last) = prefix.last().cloned() {
                        self.uses.insert(last, clean_path(prefix.clone()));
                    }
                } else {
                    let mut full = prefix.clone();
                    full.push(name.clone());
                    self.uses.insert(name, clean_path(full));
                }
            }
            syn::UseTree::Rename(r) => {
                let mut full = prefix.clone();
                if r.ident != "self" {
                    full.push(r.ident.to_string());
                }
                self.uses.insert(r.rename.to_string(), clean_path(full));
            }
            syn::UseTree::Glob(_) => {}
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.collect_use(prefix, t);
                }
            }
        }
    }
}

fn clean_path(mut p: Vec<String>) -> Vec<String> {
    while p.len() > 1 && matches!(p[0].as_str(), "crate" | "self" | "super" | "") {
        p.remove(0);
    }
    p
}

fn has_cfg_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        let p = a.path();
        if p.is_ident("test") {
            return true;
        }
        let last = p
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if last == "test" {
            return true; // #[tokio::test], #[sqlx::test]
        }
        if p.is_ident("cfg") {
            if let syn::Meta::List(l) = &a.meta {
                return l
                    .tokens
                    .to_string()
                    .split(|c: char| !c.is_alphanumeric() && c != '_')
                    .any(|w| w == "test");
            }
        }
        false
    })
}

impl<'a> Visit<'a> for Items<'a> {
    fn visit_item_use(&mut self, u: &'a syn::ItemUse) {
        let mut prefix = Vec::new();
        if u.leading_colon.is_some() {
            prefix.push(String::new());
        }
        self.collect_use(&mut prefix, &u.tree);
    }

    fn visit_item_mod(&mut self, m: &'a syn::ItemMod) {
        let test = has_cfg_test(&m.attrs);
        self.test_depth += test as usize;
        syn::visit::visit_item_mod(self, m);
        self.test_depth -= test as usize;
    }

    fn visit_item_struct(&mut self, s: &'a syn::ItemStruct) {
        self.local_types.insert(s.ident.to_string());
        for f in &s.fields {
            let Some(name) = &f.ident else { continue };
            for a in &f.attrs {
                if let Some(var) = env_attr(a) {
                    self.env_fields.push((name.to_string(), var));
                }
            }
        }
        syn::visit::visit_item_struct(self, s);
    }

    fn visit_item_enum(&mut self, e: &'a syn::ItemEnum) {
        self.local_types.insert(e.ident.to_string());
        syn::visit::visit_item_enum(self, e);
    }

    fn visit_item_type(&mut self, t: &'a syn::ItemType) {
        self.local_types.insert(t.ident.to_string());
    }

    fn visit_item_trait(&mut self, t: &'a syn::ItemTrait) {
        self.local_types.insert(t.ident.to_string());
        self.self_ty.push(Some(t.ident.to_string()));
        syn::visit::visit_item_trait(self, t);
        self.self_ty.pop();
    }

    fn visit_trait_item_fn(&mut self, f: &'a syn::TraitItemFn) {
        if let Some(block) = &f.default {
            let self_ty = self.self_ty.last().cloned().flatten();
            self.push_fn(&f.attrs, &f.sig, block, self_ty);
        }
        syn::visit::visit_trait_item_fn(self, f);
    }

    fn visit_item_impl(&mut self, i: &'a syn::ItemImpl) {
        let name = match &*i.self_ty {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        self.self_ty.push(name);
        syn::visit::visit_item_impl(self, i);
        self.self_ty.pop();
    }

    fn visit_impl_item_fn(&mut self, f: &'a syn::ImplItemFn) {
        let self_ty = self.self_ty.last().cloned().flatten();
        self.push_fn(&f.attrs, &f.sig, &f.block, self_ty);
        syn::visit::visit_impl_item_fn(self, f);
    }

    fn visit_item_fn(&mut self, f: &'a syn::ItemFn) {
        self.self_ty.push(None);
        self.push_fn(&f.attrs, &f.sig, &f.block, None);
        syn::visit::visit_item_fn(self, f);
        self.self_ty.pop();
    }

    fn visit_item_const(&mut self, c: &'a syn::ItemConst) {
        self.consts
            .push((c.ident.to_string(), &c.expr, self.in_test()));
        syn::visit::visit_item_const(self, c);
    }

    fn visit_item_static(&mut self, s: &'a syn::ItemStatic) {
        self.consts
            .push((s.ident.to_string(), &s.expr, self.in_test()));
        syn::visit::visit_item_static(self, s);
    }
}

impl<'a> Items<'a> {
    fn push_fn(
        &mut self,
        attrs: &'a [syn::Attribute],
        sig: &'a syn::Signature,
        block: &'a syn::Block,
        self_ty: Option<String>,
    ) {
        let name = match &self_ty {
            Some(t) => format!("{t}::{}", sig.ident),
            None => sig.ident.to_string(),
        };
        // `#[sqlx::test(migrations = "./migrations")]` (or `migrator = ...`) on a Postgres
        // test: the harness runs them on a database it creates through `DATABASE_URL`.
        let other_db = sig.inputs.iter().any(|i| match i {
            syn::FnArg::Typed(t) => {
                let ty = match &*t.ty {
                    syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                    _ => None,
                };
                ty.is_some_and(|t| t.contains("MySql") || t.contains("Sqlite"))
            }
            _ => false,
        });
        let sqlx_test = attrs.iter().find_map(|a| {
            let segs: Vec<String> = a
                .path()
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if other_db || segs.len() != 2 || segs[0] != "sqlx" || segs[1] != "test" {
                return None;
            }
            let syn::Meta::List(l) = &a.meta else {
                return None;
            };
            let args = l.tokens.to_string().replace(' ', "");
            let explicit = (args.contains("migrations=\"") || args.contains("migrator="))
                && !args.contains("migrations=false");
            explicit.then(|| span_range(self.file, a.span()))
        });
        self.fns.push(FnItem {
            name,
            sig,
            block,
            self_ty,
            in_test: self.in_test() || has_cfg_test(attrs),
            sqlx_test,
        });
    }
}

/// `#[arg(long, env = "DATABASE_URL")]`, `#[clap(env = "X")]`, `#[structopt(env = "X")]`,
/// `#[envconfig(from = "X")]`: the variable that fills the field.
fn env_attr(a: &syn::Attribute) -> Option<String> {
    let name = a.path().segments.last()?.ident.to_string();
    let key = match name.as_str() {
        "arg" | "clap" | "structopt" | "argh" | "config" => "env",
        "envconfig" => "from",
        _ => return None,
    };
    let syn::Meta::List(l) = &a.meta else {
        return None;
    };
    let toks: Vec<TokenTree> = l.tokens.clone().into_iter().collect();
    for w in toks.windows(3) {
        if let (TokenTree::Ident(i), TokenTree::Punct(p), TokenTree::Literal(lit)) =
            (&w[0], &w[1], &w[2])
        {
            if *i == key && p.as_char() == '=' {
                let s = lit.to_string();
                if let Some(v) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                    return Some(v.to_string());
                }
            }
        }
    }
    None
}

/// Byte range of a span in the file.
fn span_range(file: &SourceFile, span: Span) -> Range<usize> {
    let s = span.start();
    let e = span.end();
    let start = file.lines.offset(&file.text, s.line, s.column);
    let end = file.lines.offset(&file.text, e.line, e.column);
    start..end.max(start)
}

/// Runs the data flow over a parsed file and records its facts.
pub(crate) fn analyze(file: &SourceFile, ast: &syn::File) -> RustFacts {
    let mut items = Items {
        fns: Vec::new(),
        consts: Vec::new(),
        uses: HashMap::new(),
        local_types: HashSet::new(),
        env_fields: Vec::new(),
        self_ty: Vec::new(),
        test_depth: 0,
        file,
    };
    items.visit_file(ast);
    let mut fn_index: HashMap<String, Vec<usize>> = HashMap::new();
    for (i, f) in items.fns.iter().enumerate() {
        fn_index.entry(f.name.clone()).or_default().push(i);
    }
    let mut consts = HashMap::new();
    for (name, expr, test) in &items.consts {
        consts.insert(name.clone(), (*expr, *test));
    }
    let mut facts = RustFacts {
        uses_envy: file.text.contains("envy::"),
        ..RustFacts::default()
    };
    for (field, var) in &items.env_fields {
        facts.fields.push(RustField {
            name: field.clone(),
            value: vec![Src::Env(var.clone())],
        });
    }
    let n = items.fns.len();
    let mut flow = Flow {
        file,
        uses: items.uses,
        local_types: items.local_types,
        fns: items.fns,
        fn_index,
        consts,
        const_vals: HashMap::new(),
        summaries: (0..n).map(|_| Summary::Todo).collect(),
        facts,
        cur: None,
        self_ty: None,
        in_test: false,
        returns: Vec::new(),
        capture: None,
    };
    for i in 0..n {
        flow.summary(i);
    }
    // Constants: those that can hold a set-up (`static POOL: Lazy<PgPool> = Lazy::new(..)`)
    // or a connection string for other files. Plain numbers and tables are read only when
    // referenced.
    let const_names: Vec<String> = flow
        .consts
        .iter()
        .filter(|(_, (e, _))| !trivial_const(e))
        .map(|(n, _)| n.clone())
        .collect();
    for name in &const_names {
        flow.const_val(name);
    }
    let mut fns = Vec::with_capacity(n + const_names.len());
    for i in 0..n {
        let returns = match &flow.summaries[i] {
            Summary::Done(v) => v.url.clone(),
            _ => Vec::new(),
        };
        fns.push(RustFn {
            name: flow.fns[i].name.clone(),
            returns,
        });
    }
    for name in const_names {
        let returns = flow
            .const_vals
            .get(&name)
            .and_then(|v| v.as_ref())
            .map(|v| v.url.clone())
            .unwrap_or_default();
        if !returns.is_empty() {
            fns.push(RustFn { name, returns });
        }
    }
    flow.facts.fns = fns;
    flow.facts
}

struct Flow<'a> {
    file: &'a SourceFile,
    uses: HashMap<String, Vec<String>>,
    local_types: HashSet<String>,
    fns: Vec<FnItem<'a>>,
    fn_index: HashMap<String, Vec<usize>>,
    consts: HashMap<String, (&'a Expr, bool)>,
    const_vals: HashMap<String, Option<Box<Val>>>,
    summaries: Vec<Summary>,
    facts: RustFacts,
    cur: Option<usize>,
    self_ty: Option<String>,
    in_test: bool,
    returns: Vec<Val>,
    /// SQL run inside a closure being scanned (`after_connect`).
    capture: Option<Vec<(String, Range<usize>)>>,
}

/// A path as written, resolved through the file's `use` items.
struct PathInfo {
    /// Canonical segments (`["tokio_postgres", "connect"]`).
    segs: Vec<String>,
    /// Whether the first segment came from a `use` item (so the crate is known).
    resolved: bool,
    /// Type names given as generic arguments anywhere in the path (`AsyncPgConnection`).
    generics: Vec<String>,
}

impl PathInfo {
    fn last(&self) -> &str {
        self.segs.last().map(String::as_str).unwrap_or("")
    }

    fn prev(&self) -> &str {
        if self.segs.len() >= 2 {
            &self.segs[self.segs.len() - 2]
        } else {
            ""
        }
    }

    fn full(&self) -> String {
        self.segs.join("::")
    }

    fn has(&self, seg: &str) -> bool {
        self.segs.iter().any(|s| s == seg)
    }

    fn ends(&self, tail: &[&str]) -> bool {
        self.segs.len() >= tail.len()
            && self.segs[self.segs.len() - tail.len()..]
                .iter()
                .zip(tail)
                .all(|(a, b)| a == b)
    }
}

fn sql_methods_on_handle(m: &str) -> bool {
    matches!(
        m,
        "execute"
            | "execute_many"
            | "fetch"
            | "fetch_all"
            | "fetch_one"
            | "fetch_optional"
            | "fetch_many"
            | "query"
            | "query_one"
            | "query_opt"
            | "query_raw"
            | "query_typed"
            | "query_typed_raw"
            | "batch_execute"
            | "simple_query"
            | "prepare"
            | "prepare_typed"
            | "prepare_cached"
            | "prepare_typed_cached"
            | "execute_unprepared"
            | "query_all"
    )
}

fn pass_through_method(m: &str) -> bool {
    matches!(
        m,
        "unwrap"
            | "expect"
            | "unwrap_unchecked"
            | "clone"
            | "to_string"
            | "to_owned"
            | "into"
            | "as_str"
            | "as_ref"
            | "as_deref"
            | "as_mut"
            | "borrow"
            | "borrow_mut"
            | "ok"
            | "context"
            | "with_context"
            | "wrap_err"
            | "wrap_err_with"
            | "map_err"
            | "trim"
            | "deref"
            | "deref_mut"
            | "lock"
            | "read"
            | "write"
            | "get_ref"
            | "into_inner"
            | "leak"
            | "into_owned"
            | "to_str"
            | "cloned"
            | "copied"
            | "unwrap_or_default"
            | "expect_err"
            | "into_string"
            | "as_string"
    )
}

impl<'a> Flow<'a> {
    // ---------------------------------------------------------------------------------
    // Spans and text
    // ---------------------------------------------------------------------------------

    fn range(&self, span: Span) -> Range<usize> {
        span_range(self.file, span)
    }

    fn source(&self, r: Range<usize>) -> String {
        self.file
            .text
            .get(r)
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn expr_text(&self, e: &Expr) -> String {
        self.source(self.range(e.span()))
    }

    /// `.method(...)`: from the method name to the closing parenthesis.
    fn method_span(&self, m: &syn::ExprMethodCall) -> Range<usize> {
        let start = self.range(m.method.span()).start;
        let end = self.range(m.paren_token.span.close()).end;
        start..end.max(start)
    }

    /// `path(...)`: the whole call.
    fn call_span(&self, c: &syn::ExprCall) -> Range<usize> {
        let first = match &*c.func {
            Expr::Path(p) => p
                .path
                .leading_colon
                .map(|t| t.spans[0])
                .or_else(|| p.path.segments.first().map(|s| s.ident.span())),
            _ => None,
        };
        let start = self.range(first.unwrap_or_else(|| c.func.span())).start;
        let end = self.range(c.paren_token.span.close()).end;
        start..end.max(start)
    }

    fn setting(&self, name: &str, value: String, span: Range<usize>) -> Setting {
        Setting {
            name: name.to_string(),
            value,
            span,
        }
    }

    fn arg_text(&self, e: &Expr, v: &Val) -> String {
        v.text.clone().unwrap_or_else(|| self.expr_text(e))
    }

    // ---------------------------------------------------------------------------------
    // Paths
    // ---------------------------------------------------------------------------------

    fn path_info(&self, path: &syn::Path) -> PathInfo {
        let mut generics = Vec::new();
        for seg in &path.segments {
            if let syn::PathArguments::AngleBracketed(a) = &seg.arguments {
                for g in &a.args {
                    if let syn::GenericArgument::Type(syn::Type::Path(tp)) = g {
                        if let Some(l) = tp.path.segments.last() {
                            generics.push(l.ident.to_string());
                        }
                    }
                }
            }
        }
        let mut segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        if path.leading_colon.is_none() {
            while segs.len() > 1 && matches!(segs[0].as_str(), "crate" | "self" | "super") {
                segs.remove(0);
            }
        }
        if segs.first().map(String::as_str) == Some("Self") {
            if let Some(t) = &self.self_ty {
                segs[0] = t.clone();
            }
        }
        let mut resolved = false;
        if let Some(full) = segs.first().and_then(|f| self.uses.get(f)) {
            let mut v = full.clone();
            v.extend(segs.into_iter().skip(1));
            segs = v;
            resolved = true;
        }
        PathInfo {
            segs,
            resolved,
            generics,
        }
    }

    /// Whether `p` names the API type `ty` of one of `crates`: either the path says so, or
    /// the type is unresolved (a glob import) and not a type of this file.
    fn is_api(&self, p: &PathInfo, ty: &str, crates: &[&str]) -> bool {
        if p.prev() != ty {
            return false;
        }
        if crates.iter().any(|c| p.has(c)) {
            return true;
        }
        let explicit = p.resolved || p.segs.len() > 2;
        !explicit && !self.local_types.contains(ty)
    }

    /// The name a call uses for a function of the crate (`make_pool`, `Db::new`).
    fn call_key(&self, p: &PathInfo, raw: &syn::Path) -> String {
        let last = p.last().to_string();
        let segs: Vec<String> = raw.segments.iter().map(|s| s.ident.to_string()).collect();
        if segs.len() >= 2 {
            let ty = &segs[segs.len() - 2];
            let ty = if ty == "Self" {
                self.self_ty.clone().unwrap_or_else(|| ty.clone())
            } else {
                ty.clone()
            };
            if ty.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                return format!("{ty}::{last}");
            }
        }
        last
    }

    // ---------------------------------------------------------------------------------
    // Functions and constants
    // ---------------------------------------------------------------------------------

    fn summary(&mut self, i: usize) -> Option<Val> {
        match &self.summaries[i] {
            Summary::Done(v) => return Some((**v).clone()),
            Summary::Busy => return None,
            Summary::Todo => {}
        }
        self.summaries[i] = Summary::Busy;
        let saved = (
            self.cur.replace(i),
            std::mem::replace(&mut self.self_ty, self.fns[i].self_ty.clone()),
            std::mem::replace(&mut self.in_test, self.fns[i].in_test),
            std::mem::take(&mut self.returns),
            self.capture.take(),
        );
        let sig = self.fns[i].sig;
        let block = self.fns[i].block;
        let mut env = Env::default();
        env.push();
        let mut index = 0;
        for input in &sig.inputs {
            if let syn::FnArg::Typed(pt) = input {
                let mut v = Val::with_url(vec![Src::Param { func: i, index }]);
                v.kind = self.type_kind(&pt.ty);
                self.bind_pat(&pt.pat, v, &mut env);
                index += 1;
            }
        }
        if let Some(span) = self.fns[i].sqlx_test.clone() {
            self.emit_migration("#[sqlx::test]", span, vec![Src::Env("DATABASE_URL".into())]);
        }
        let tail = self.block(block, &mut env);
        let mut result = tail;
        for r in std::mem::take(&mut self.returns) {
            result = result.merge(r);
        }
        self.cur = saved.0;
        self.self_ty = saved.1;
        self.in_test = saved.2;
        self.returns = saved.3;
        self.capture = saved.4;
        self.summaries[i] = Summary::Done(Box::new(result.clone()));
        Some(result)
    }

    fn const_val(&mut self, name: &str) -> Option<Val> {
        match self.const_vals.get(name) {
            Some(Some(v)) => return Some((**v).clone()),
            Some(None) => return None,
            None => {}
        }
        let (expr, test) = *self.consts.get(name)?;
        self.const_vals.insert(name.to_string(), None);
        let saved = (
            self.cur.take(),
            std::mem::replace(&mut self.in_test, test),
            std::mem::take(&mut self.returns),
        );
        let mut env = Env::default();
        let v = self.eval(expr, &mut env);
        self.cur = saved.0;
        self.in_test = saved.1;
        self.returns = saved.2;
        self.const_vals
            .insert(name.to_string(), Some(Box::new(v.clone())));
        Some(v)
    }

    /// What a parameter or `let` type annotation says a value is.
    fn type_kind(&self, ty: &syn::Type) -> Kind {
        let ty = match ty {
            syn::Type::Reference(r) => &*r.elem,
            other => other,
        };
        let syn::Type::Path(tp) = ty else {
            return Kind::Unknown;
        };
        let p = self.path_info(&tp.path);
        let last = p.last();
        // Wrappers: Arc<PgPool>, Option<Config>, web::Data<Pool>...
        if matches!(
            last,
            "Arc" | "Rc" | "Box" | "Option" | "Data" | "State" | "Extension"
        ) {
            if let Some(syn::PathSegment {
                arguments: syn::PathArguments::AngleBracketed(a),
                ..
            }) = tp.path.segments.last()
            {
                if let Some(syn::GenericArgument::Type(inner)) = a.args.first() {
                    return self.type_kind(inner);
                }
            }
            return Kind::Unknown;
        }
        if self.local_types.contains(last) && !p.resolved {
            return Kind::Unknown;
        }
        match last {
            "PgPool" => Kind::Handle(Driver::Sqlx),
            "PgConnectOptions" => Kind::Opts(Some(Driver::Sqlx)),
            "PgPoolOptions" => Kind::PoolBuilder(Some(Driver::Sqlx)),
            "PgConnection" if p.has("diesel") => Kind::Handle(Driver::Diesel),
            "PgConnection" if p.has("sqlx") => Kind::Handle(Driver::Sqlx),
            "AsyncPgConnection" => Kind::Handle(Driver::DieselAsync),
            "DatabaseConnection" => Kind::Handle(Driver::SeaOrm),
            "ConnectOptions" if p.has("sea_orm") => Kind::Opts(Some(Driver::SeaOrm)),
            "Config" if p.has("deadpool_postgres") => Kind::Opts(Some(Driver::Deadpool)),
            "Config" if p.has("tokio_postgres") => Kind::Opts(Some(Driver::TokioPostgres)),
            "Config" if p.has("postgres") => Kind::Opts(Some(Driver::Postgres)),
            "Client" if p.has("tokio_postgres") => Kind::Handle(Driver::TokioPostgres),
            "Client" if p.has("postgres") => Kind::Handle(Driver::Postgres),
            "Client" | "Object" | "Pool" if p.has("deadpool_postgres") => {
                Kind::Handle(Driver::Deadpool)
            }
            "Migrator" if p.has("sqlx") => Kind::Migrator,
            _ => Kind::Unknown,
        }
    }

    // ---------------------------------------------------------------------------------
    // Statements and patterns
    // ---------------------------------------------------------------------------------

    fn block(&mut self, b: &syn::Block, env: &mut Env) -> Val {
        env.push();
        let mut last = Val::default();
        let n = b.stmts.len();
        for (i, s) in b.stmts.iter().enumerate() {
            let v = self.stmt(s, env);
            if i + 1 == n {
                if let Stmt::Expr(_, None) = s {
                    last = v;
                }
            }
        }
        env.pop();
        last
    }

    fn stmt(&mut self, s: &Stmt, env: &mut Env) -> Val {
        match s {
            Stmt::Local(l) => {
                let Some(init) = &l.init else {
                    self.bind_pat(&l.pat, Val::default(), env);
                    return Val::default();
                };
                let mut v = self.eval(&init.expr, env);
                if let Some((_, diverge)) = &init.diverge {
                    self.eval(diverge, env);
                }
                if let Pat::Type(pt) = &l.pat {
                    let k = self.type_kind(&pt.ty);
                    if k != Kind::Unknown {
                        v.kind = k;
                    }
                }
                self.bind_pat(&l.pat, v, env);
                Val::default()
            }
            Stmt::Expr(e, semi) => {
                let v = self.eval(e, env);
                if semi.is_some() {
                    self.write_back(e, &v, env);
                }
                v
            }
            Stmt::Macro(m) => self.macro_val(&m.mac, env),
            Stmt::Item(_) => Val::default(),
        }
    }

    /// `opt.max_connections(5).set_schema_search_path("x");`, `roots.add(cert)?;`,
    /// `builder.set_verify(SslVerifyMode::NONE);`: setters that take `&mut self` change
    /// the binding they are called on.
    fn write_back(&mut self, e: &Expr, v: &Val, env: &mut Env) {
        let mut cur = e;
        let mut is_method = false;
        loop {
            match cur {
                Expr::Try(t) => cur = &t.expr,
                Expr::Await(a) => cur = &a.base,
                Expr::Paren(p) => cur = &p.expr,
                Expr::Reference(r) => cur = &r.expr,
                Expr::Unary(u) => cur = &u.expr,
                Expr::MethodCall(m) => {
                    if matches!(m.method.to_string().as_str(), "unwrap" | "expect") {
                        cur = &m.receiver;
                        continue;
                    }
                    is_method = true;
                    cur = &m.receiver;
                }
                _ => break,
            }
        }
        if !is_method {
            return;
        }
        let Expr::Path(p) = cur else { return };
        let Some(name) = p.path.get_ident().map(|i| i.to_string()) else {
            return;
        };
        if let Some(b) = env.get_mut(&name) {
            if b.kind == Kind::Unknown && v.kind == Kind::Unknown {
                return;
            }
            if v.kind == b.kind || b.kind == Kind::Unknown {
                *b = v.clone();
            }
        }
    }

    fn bind_pat(&mut self, p: &Pat, v: Val, env: &mut Env) {
        match p {
            Pat::Ident(i) => {
                if let Some((_, sub)) = &i.subpat {
                    self.bind_pat(sub, v.clone(), env);
                }
                env.bind(i.ident.to_string(), v);
            }
            Pat::Type(t) => {
                let mut v = v;
                let k = self.type_kind(&t.ty);
                if k != Kind::Unknown {
                    v.kind = k;
                }
                self.bind_pat(&t.pat, v, env)
            }
            Pat::Reference(r) => self.bind_pat(&r.pat, v, env),
            Pat::Paren(p) => self.bind_pat(&p.pat, v, env),
            Pat::Tuple(t) => {
                for e in &t.elems {
                    self.bind_pat(e, v.clone(), env);
                }
            }
            Pat::TupleStruct(t) => {
                for e in &t.elems {
                    self.bind_pat(e, v.clone(), env);
                }
            }
            Pat::Struct(s) => {
                for f in &s.fields {
                    let fv = match &f.member {
                        syn::Member::Named(n) => {
                            let n = n.to_string();
                            v.field(&n)
                                .cloned()
                                .unwrap_or_else(|| Val::with_url(vec![Src::Field(n)]))
                        }
                        syn::Member::Unnamed(_) => v.clone(),
                    };
                    self.bind_pat(&f.pat, fv, env);
                }
            }
            Pat::Or(o) => {
                for c in &o.cases {
                    self.bind_pat(c, v.clone(), env);
                }
            }
            Pat::Slice(s) => {
                for e in &s.elems {
                    self.bind_pat(e, Val::default(), env);
                }
            }
            _ => {}
        }
    }

    // ---------------------------------------------------------------------------------
    // Expressions
    // ---------------------------------------------------------------------------------

    fn eval(&mut self, e: &Expr, env: &mut Env) -> Val {
        match e {
            Expr::Lit(l) => self.lit(&l.lit),
            Expr::Path(p) => self.path_val(&p.path, env),
            Expr::Reference(r) => self.eval(&r.expr, env),
            Expr::Paren(p) => self.eval(&p.expr, env),
            Expr::Group(g) => self.eval(&g.expr, env),
            Expr::Try(t) => self.eval(&t.expr, env),
            Expr::Await(a) => self.eval(&a.base, env),
            Expr::Cast(c) => self.eval(&c.expr, env),
            Expr::Unary(u) => {
                let v = self.eval(&u.expr, env);
                if let syn::UnOp::Neg(_) = u.op {
                    return Val {
                        text: v.text.map(|t| format!("-{t}")),
                        ..Val::default()
                    };
                }
                v
            }
            Expr::Call(c) => self.call(c, env),
            Expr::MethodCall(m) => self.method_call(m, env),
            Expr::Macro(m) => self.macro_val(&m.mac, env),
            Expr::Field(f) => {
                let base = self.eval(&f.base, env);
                match &f.member {
                    syn::Member::Named(n) => {
                        let n = n.to_string();
                        match base.field(&n) {
                            Some(v) => v.clone(),
                            None => Val::with_url(vec![Src::Field(n)]),
                        }
                    }
                    syn::Member::Unnamed(_) => base,
                }
            }
            Expr::Struct(s) => self.struct_lit(s, env),
            Expr::Block(b) => self.block(&b.block, env),
            Expr::Unsafe(b) => self.block(&b.block, env),
            Expr::Async(b) => self.block(&b.block, env),
            Expr::TryBlock(b) => self.block(&b.block, env),
            Expr::Const(b) => self.block(&b.block, env),
            Expr::If(i) => {
                env.push();
                self.eval(&i.cond, env);
                let then = self.block(&i.then_branch, env);
                env.pop();
                match &i.else_branch {
                    Some((_, els)) => {
                        let other = self.eval(els, env);
                        then.merge(other)
                    }
                    None => then,
                }
            }
            Expr::Let(l) => {
                let v = self.eval(&l.expr, env);
                self.bind_pat(&l.pat, v, env);
                Val::default()
            }
            Expr::Match(m) => {
                let scrutinee = self.eval(&m.expr, env);
                let mut out: Option<Val> = None;
                for arm in &m.arms {
                    env.push();
                    self.bind_pat(&arm.pat, scrutinee.clone(), env);
                    if let Some((_, g)) = &arm.guard {
                        self.eval(g, env);
                    }
                    let v = self.eval(&arm.body, env);
                    env.pop();
                    out = Some(match out {
                        Some(o) => o.merge(v),
                        None => v,
                    });
                }
                out.unwrap_or_default()
            }
            Expr::Closure(c) => {
                env.push();
                for p in &c.inputs {
                    self.bind_pat(p, Val::default(), env);
                }
                let v = self.eval(&c.body, env);
                env.pop();
                v
            }
            Expr::Assign(a) => {
                let v = self.eval(&a.right, env);
                self.assign(&a.left, v, env);
                Val::default()
            }
            Expr::Tuple(t) => {
                let mut out = Val::default();
                for x in &t.elems {
                    let v = self.eval(x, env);
                    out = out.merge(v);
                }
                out
            }
            Expr::Array(a) => {
                // Tables of literals (`static WORDS: [&str; 5000]`) lead nowhere.
                for x in a.elems.iter().filter(|x| !matches!(x, Expr::Lit(_))) {
                    self.eval(x, env);
                }
                Val::default()
            }
            Expr::Binary(b) => {
                self.eval(&b.left, env);
                self.eval(&b.right, env);
                Val::default()
            }
            Expr::Index(i) => {
                self.eval(&i.expr, env);
                self.eval(&i.index, env);
                Val::default()
            }
            Expr::Return(r) => {
                if let Some(x) = &r.expr {
                    let v = self.eval(x, env);
                    self.returns.push(v);
                }
                Val::default()
            }
            Expr::Break(b) => {
                if let Some(x) = &b.expr {
                    self.eval(x, env);
                }
                Val::default()
            }
            Expr::ForLoop(f) => {
                let it = self.eval(&f.expr, env);
                env.push();
                self.bind_pat(
                    &f.pat,
                    Val {
                        url: it.url,
                        ..Val::default()
                    },
                    env,
                );
                self.block(&f.body, env);
                env.pop();
                Val::default()
            }
            Expr::While(w) => {
                env.push();
                self.eval(&w.cond, env);
                self.block(&w.body, env);
                env.pop();
                Val::default()
            }
            Expr::Loop(l) => {
                self.block(&l.body, env);
                Val::default()
            }
            Expr::Range(r) => {
                if let Some(s) = &r.start {
                    self.eval(s, env);
                }
                if let Some(s) = &r.end {
                    self.eval(s, env);
                }
                Val::default()
            }
            Expr::Repeat(r) => {
                self.eval(&r.expr, env);
                Val::default()
            }
            Expr::Yield(y) => {
                if let Some(x) = &y.expr {
                    self.eval(x, env);
                }
                Val::default()
            }
            _ => Val::default(),
        }
    }

    fn lit(&self, l: &syn::Lit) -> Val {
        let text = match l {
            syn::Lit::Int(i) => Some(i.to_string()),
            syn::Lit::Float(f) => Some(f.to_string()),
            syn::Lit::Bool(b) => Some(b.value.to_string()),
            syn::Lit::Str(_) => None,
            _ => return Val::default(),
        };
        match l {
            syn::Lit::Str(s) => {
                let r = self.range(s.span());
                let raw = self.file.text.get(r.clone()).unwrap_or("");
                let text = Some(raw.to_string());
                match decode_str_literal(raw, r.start) {
                    Some(lit) => Val {
                        url: vec![Src::Lit {
                            text: lit.value,
                            map: lit.map,
                        }],
                        text,
                        ..Val::default()
                    },
                    None => Val {
                        text,
                        ..Val::default()
                    },
                }
            }
            _ => Val {
                text,
                ..Val::default()
            },
        }
    }

    fn path_val(&mut self, path: &syn::Path, env: &mut Env) -> Val {
        if let Some(id) = path.get_ident() {
            let name = id.to_string();
            if let Some(v) = env.get(&name) {
                return v.clone();
            }
            if self.consts.contains_key(&name) {
                if let Some(v) = self.const_val(&name) {
                    return v;
                }
                return Val::default();
            }
        }
        let p = self.path_info(path);
        let text = Some(path_text(path));
        if p.last() == "NoTls" {
            return Val {
                kind: Kind::Tls,
                tls: Some(p.full()),
                text,
                ..Val::default()
            };
        }
        let last = p.last();
        // A constant of another module: `config::DATABASE_URL`, `crate::MIGRATOR`.
        let is_const_name = last.len() > 1
            && last
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if is_const_name {
            if self.consts.contains_key(last) {
                let last = last.to_string();
                if let Some(v) = self.const_val(&last) {
                    return v;
                }
            }
            let mut v = Val::with_url(vec![Src::Call {
                func: last.to_string(),
                args: Vec::new(),
            }]);
            if last.contains("MIGRAT") {
                v.kind = Kind::Migrator;
            }
            v.text = text;
            return v;
        }
        Val {
            text,
            ..Val::default()
        }
    }

    fn assign(&mut self, left: &Expr, v: Val, env: &mut Env) {
        match left {
            Expr::Path(p) => {
                if let Some(id) = p.path.get_ident() {
                    let name = id.to_string();
                    if let Some(b) = env.get_mut(&name) {
                        *b = v;
                    } else {
                        env.bind(name, v);
                    }
                }
            }
            Expr::Field(f) => {
                let syn::Member::Named(n) = &f.member else {
                    return;
                };
                let field = n.to_string();
                if !v.url.is_empty() {
                    self.facts.fields.push(RustField {
                        name: field.clone(),
                        value: v.url.clone(),
                    });
                }
                let span = self.range(left.span());
                let span = span.start..self.range(f.member.span()).end;
                let Expr::Path(base) = &*f.base else { return };
                let Some(id) = base.path.get_ident() else {
                    return;
                };
                let text = v.text.clone();
                let literal = v.literal().map(|(t, _)| t.to_string());
                if let Some(b) = env.get_mut(&id.to_string()) {
                    set_field(b, &field, v, text, literal, span);
                }
            }
            _ => {}
        }
    }

    fn struct_lit(&mut self, s: &syn::ExprStruct, env: &mut Env) -> Val {
        let p = self.path_info(&s.path);
        let mut out = Val::default();
        if p.last() == "Config"
            && (p.has("deadpool_postgres") || (!p.resolved && !self.local_types.contains("Config")))
        {
            out.kind = Kind::Opts(Some(Driver::Deadpool));
            out.known_config = true;
        }
        if p.last() == "RootCertStore" {
            out.kind = Kind::RootStore;
        }
        if let Some(rest) = &s.rest {
            self.eval(rest, env);
        }
        for f in &s.fields {
            let v = self.eval(&f.expr, env);
            let syn::Member::Named(n) = &f.member else {
                continue;
            };
            let name = n.to_string();
            if !v.url.is_empty() {
                self.facts.fields.push(RustField {
                    name: name.clone(),
                    value: v.url.clone(),
                });
            }
            let text = v.text.clone();
            let literal = v.literal().map(|(t, _)| t.to_string());
            let member = self.range(f.member.span());
            // The value's span is only needed for constant-like values (small).
            let span = if text.is_some() || literal.is_some() {
                member.start..self.range(f.expr.span()).end.max(member.end)
            } else {
                member
            };
            set_field(&mut out, &name, v, text, literal, span);
        }
        out
    }

    fn macro_val(&mut self, mac: &syn::Macro, env: &mut Env) -> Val {
        let p = self.path_info(&mac.path);
        let name = p.last().to_string();
        // Only the macros below are read; parsing every `println!` body would double the
        // cost of parsing the file.
        const READ: &[&str] = &[
            "env",
            "option_env",
            "dotenv",
            "format",
            "concat",
            "migrate",
            "query",
            "query_as",
            "query_scalar",
            "query_unchecked",
            "query_as_unchecked",
            "query_scalar_unchecked",
            "join",
            "try_join",
        ];
        if !READ.contains(&name.as_str()) {
            return Val::default();
        }
        let args: Option<Punctuated<Expr, syn::Token![,]>> =
            mac.parse_body_with(Punctuated::parse_terminated).ok();
        match name.as_str() {
            "env" | "option_env" | "dotenv" => {
                let var = args
                    .as_ref()
                    .and_then(|a| a.first())
                    .and_then(|e| self.lit_str(e));
                match var {
                    Some(v) => Val::with_url(vec![Src::Env(v)]),
                    None => Val::default(),
                }
            }
            "format" | "concat" => {
                let Some(args) = args else {
                    return Val::default();
                };
                self.format_val(&name, mac, &args, env)
            }
            "migrate" if p.has("sqlx") || !p.resolved => Val::with_kind(Kind::Migrator),
            "query"
            | "query_as"
            | "query_scalar"
            | "query_unchecked"
            | "query_as_unchecked"
            | "query_scalar_unchecked"
                if p.has("sqlx") =>
            {
                let Some(args) = args else {
                    return Val::default();
                };
                let mut sql = None;
                for a in &args {
                    let v = self.eval(a, env);
                    if sql.is_none() {
                        if let Some((t, m)) = v.literal() {
                            sql = Some((t.to_string(), m.range(0..t.len())));
                        }
                    }
                }
                Val {
                    kind: Kind::Query,
                    sql,
                    ..Val::default()
                }
            }
            _ => {
                // `tokio::join!(make_pool(), ...)`: the futures may set up connections.
                if let Some(args) = args {
                    for a in &args {
                        self.eval(a, env);
                    }
                }
                Val::default()
            }
        }
    }

    fn lit_str(&mut self, e: &Expr) -> Option<String> {
        match e {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            Expr::Path(p) => {
                let id = p.path.get_ident()?.to_string();
                let v = self.const_val(&id)?;
                v.literal().map(|(t, _)| t.to_string())
            }
            Expr::Reference(r) => self.lit_str(&r.expr),
            _ => None,
        }
    }

    /// `format!("{}?sslmode=require", url)` and `concat!(...)`: assembled from literals when
    /// every piece is one; `format!("{}", url)` is `url`; otherwise unknown, except that
    /// placeholders in a URL template whose host is written out stand for unknown parts
    /// (a password, a database name).
    fn format_val(
        &mut self,
        name: &str,
        mac: &syn::Macro,
        args: &Punctuated<Expr, syn::Token![,]>,
        env: &mut Env,
    ) -> Val {
        let span = self.range(mac.span());
        let vals: Vec<(Option<String>, Val)> = args
            .iter()
            .map(|a| match a {
                Expr::Assign(asg) => {
                    let n = match &*asg.left {
                        Expr::Path(p) => p.path.get_ident().map(|i| i.to_string()),
                        _ => None,
                    };
                    (n, self.eval(&asg.right, env))
                }
                other => (None, self.eval(other, env)),
            })
            .collect();
        if name == "concat" {
            let mut text = String::new();
            for (_, v) in &vals {
                match v.literal() {
                    Some((t, _)) => text.push_str(t),
                    None => match &v.text {
                        Some(t) if !t.starts_with('"') => text.push_str(t),
                        _ => return Val::default(),
                    },
                }
            }
            return Val::with_url(vec![Src::Lit {
                text,
                map: OffsetMap::Opaque { span },
            }]);
        }
        let Some((template, _)) = vals.first().and_then(|(_, v)| v.literal()) else {
            return Val::default();
        };
        let template = template.to_string();
        let mut positional = vals[1..]
            .iter()
            .filter(|(n, _)| n.is_none())
            .map(|(_, v)| v);
        let mut out = String::new();
        let mut pieces: Vec<Option<String>> = Vec::new();
        let mut only: Option<Val> = None;
        let mut holes = 0;
        let b = template.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'{' {
                if b.get(i + 1) == Some(&b'{') {
                    out.push('{');
                    i += 2;
                    continue;
                }
                let Some(close) = template[i..].find('}').map(|c| i + c) else {
                    return Val::default();
                };
                let inner = &template[i + 1..close];
                let arg_name = inner.split(':').next().unwrap_or("").trim();
                let v: Option<Val> = if arg_name.is_empty() {
                    positional.next().cloned()
                } else if let Ok(n) = arg_name.parse::<usize>() {
                    vals.get(n + 1).map(|(_, v)| v.clone())
                } else {
                    vals.iter()
                        .find(|(n, _)| n.as_deref() == Some(arg_name))
                        .map(|(_, v)| v.clone())
                        .or_else(|| env.get(arg_name).cloned())
                };
                holes += 1;
                let piece = v
                    .as_ref()
                    .and_then(|v| v.literal().map(|(t, _)| t.to_string()).or(v.text.clone()));
                if let Some(v) = v {
                    only = Some(v);
                }
                out.push_str(piece.as_deref().unwrap_or("\u{0}"));
                pieces.push(piece);
                i = close + 1;
                continue;
            }
            if b[i] == b'}' && b.get(i + 1) == Some(&b'}') {
                out.push('}');
                i += 2;
                continue;
            }
            let ch = template[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
        if holes == 1
            && template.trim()
                == format!(
                    "{{{}}}",
                    template.trim().trim_matches(|c| c == '{' || c == '}')
                )
        {
            // format!("{}", url), format!("{url}")
            return only.unwrap_or_default();
        }
        if pieces.iter().all(Option::is_some) {
            return Val::with_url(vec![Src::Lit {
                text: out,
                map: OffsetMap::Opaque { span },
            }]);
        }
        if crate::extract::looks_like_conninfo(&template) {
            // Unknown pieces become a neutral placeholder; a URL whose host is unknown is
            // then simply not a Neon URL.
            let text = out.replace('\u{0}', "x");
            return Val::with_url(vec![Src::Lit {
                text,
                map: OffsetMap::Opaque { span },
            }]);
        }
        Val::default()
    }
}

/// Whether a constant's value cannot set anything up: numbers, paths, operators, tables
/// of literals (a string literal may be a URL other files use, so it is not trivial).
fn trivial_const(e: &Expr) -> bool {
    match e {
        Expr::Lit(l) => !matches!(l.lit, syn::Lit::Str(_)),
        Expr::Reference(r) => trivial_const(&r.expr),
        Expr::Path(_) | Expr::Unary(_) | Expr::Binary(_) | Expr::Cast(_) | Expr::Range(_) => true,
        Expr::Array(a) => a
            .elems
            .iter()
            .all(|x| matches!(x, Expr::Lit(_)) || trivial_const(x)),
        Expr::Repeat(_) => true,
        _ => false,
    }
}

/// Records a struct field's value on a struct value, and the connection parameters a
/// deadpool `Config` field names.
fn set_field(
    out: &mut Val,
    name: &str,
    v: Val,
    text: Option<String>,
    literal: Option<String>,
    span: Range<usize>,
) {
    if let Some(t) = &text {
        out.settings.push(Setting {
            name: name.to_string(),
            value: t.clone(),
            span: span.clone(),
        });
    }
    // Nested settings (`manager: Some(ManagerConfig { recycling_method: ... })`).
    for s in &v.settings {
        out.settings.push(Setting {
            name: format!("{name}.{}", s.name),
            value: s.value.clone(),
            span: s.span.clone(),
        });
    }
    let part = match name {
        "host" | "hosts" => Some("host"),
        "port" => Some("port"),
        "user" => Some("user"),
        "dbname" => Some("dbname"),
        "options" => Some("options"),
        "application_name" => Some("application_name"),
        _ => None,
    };
    if let (Some(part), Some(lit)) = (
        part,
        literal
            .clone()
            .or_else(|| text.as_deref().and_then(unquote_some)),
    ) {
        out.parts.push((part.to_string(), lit, span.clone()));
    }
    if name == "ssl_mode" {
        if let Some(mode) = text.as_deref().and_then(sslmode_of) {
            out.parts
                .push(("sslmode".into(), mode.into(), span.clone()));
        }
    }
    if name == "url" && !v.url.is_empty() {
        out.url = v.url.clone();
    }
    out.fields.retain(|(n, _)| n != name);
    out.fields.push((name.to_string(), v));
}

/// A path as written (`RecyclingMethod::Fast`), without building its token stream.
fn path_text(path: &syn::Path) -> String {
    let mut s = String::new();
    if path.leading_colon.is_some() {
        s.push_str("::");
    }
    for (i, seg) in path.segments.iter().enumerate() {
        if i > 0 {
            s.push_str("::");
        }
        s.push_str(&seg.ident.to_string());
    }
    s
}

/// `Some("h".to_string())` -> `h` (a literal written inside a wrapper).
fn unquote_some(t: &str) -> Option<String> {
    let a = t.find('"')?;
    let b = t.rfind('"')?;
    (b > a).then(|| t[a + 1..b].to_string())
}

/// `SslMode::Require`, `PgSslMode::VerifyFull` -> `require`, `verify-full`.
fn sslmode_of(text: &str) -> Option<&'static str> {
    let last = text.trim_end_matches(')').rsplit("::").next()?.trim();
    Some(match last {
        "Disable" => "disable",
        "Allow" => "allow",
        "Prefer" => "prefer",
        "Require" => "require",
        "VerifyCa" => "verify-ca",
        "VerifyFull" => "verify-full",
        _ => return None,
    })
}

/// Quotes a key/value conninfo value when it needs it.
fn kv_quote(v: &str) -> String {
    if !v.is_empty() && !v.contains([' ', '\'', '\\']) {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\\', "\\\\").replace('\'', "\\'"))
    }
}

mod calls;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::FileKind;
    use crate::site::rust::PendingSite;
    use crate::source::LineIndex;

    fn facts(src: &str) -> RustFacts {
        let file = SourceFile {
            path: "src/main.rs".into(),
            display: "src/main.rs".into(),
            kind: FileKind::Rust,
            text: src.to_string(),
            lines: LineIndex::new(src),
        };
        let ast = syn::parse_file(src).expect("valid Rust");
        analyze(&file, &ast)
    }

    fn clients(f: &RustFacts) -> Vec<(&crate::site::ClientSetup, &Vec<Src>)> {
        f.sites
            .iter()
            .filter_map(|s| match &s.site {
                PendingSite::Client(c) => Some((c, &s.url)),
                _ => None,
            })
            .collect()
    }

    fn texts(url: &[Src]) -> Vec<String> {
        url.iter()
            .map(|s| match s {
                Src::Lit { text, .. } => format!("lit:{text}"),
                Src::Env(n) => format!("env:{n}"),
                Src::Param { index, .. } => format!("param:{index}"),
                Src::Call { func, .. } => format!("call:{func}"),
                Src::Field(n) => format!("field:{n}"),
                Src::TlsUsers(n) => format!("tls-users:{n}"),
            })
            .collect()
    }

    #[test]
    fn rebinding_a_by_value_builder_keeps_its_settings() {
        let f = facts(
            r#"
            use sqlx::postgres::{PgConnectOptions, PgPool};
            async fn f() {
                let url = std::env::var("DATABASE_URL").unwrap();
                let o = PgConnectOptions::from_str(&url).unwrap();
                let o = o.statement_cache_capacity(0);
                let pool = PgPool::connect_with(o).await.unwrap();
            }
            "#,
        );
        let c = clients(&f);
        assert_eq!(c.len(), 1);
        assert_eq!(texts(c[0].1), ["env:DATABASE_URL"]);
        assert!(c[0]
            .0
            .settings
            .iter()
            .any(|s| s.name == "statement_cache_capacity" && s.value == "0"));
    }

    #[test]
    fn fallbacks_are_alternatives_and_aliases_resolve() {
        let f = facts(
            r#"
            use tokio_postgres::NoTls as Plain;
            async fn f() {
                let url = std::env::var("DB").unwrap_or_else(|_| "postgres://localhost/x".into());
                let (c, conn) = tokio_postgres::connect(&url, Plain).await.unwrap();
            }
            "#,
        );
        let c = clients(&f);
        assert_eq!(texts(c[0].1), ["env:DB", "lit:postgres://localhost/x"]);
        let tls = c[0].0.settings.iter().find(|s| s.name == "tls").unwrap();
        assert_eq!(tls.value, "tokio_postgres::NoTls");
    }

    #[test]
    fn format_assembles_literals_and_constants() {
        let f = facts(
            r#"
            const HOST: &str = "ep-x-123-pooler.us-east-2.aws.neon.tech";
            async fn f(password: String) {
                let url = format!("postgres://app:{password}@{}/db?sslmode=require", HOST);
                let pool = sqlx::PgPool::connect(&url).await.unwrap();
            }
            "#,
        );
        let c = clients(&f);
        assert_eq!(
            texts(c[0].1),
            ["lit:postgres://app:x@ep-x-123-pooler.us-east-2.aws.neon.tech/db?sslmode=require"]
        );
    }

    #[test]
    fn mut_setters_change_the_binding() {
        let f = facts(
            r#"
            use sea_orm::{ConnectOptions, Database};
            async fn f() {
                let mut opt = ConnectOptions::new(std::env::var("DATABASE_URL").unwrap());
                opt.max_connections(5).set_schema_search_path("tenant");
                let db = Database::connect(opt).await.unwrap();
            }
            "#,
        );
        let c = clients(&f);
        assert!(c[0]
            .0
            .settings
            .iter()
            .any(|s| s.name == "set_schema_search_path"));
    }

    #[test]
    fn unknown_stays_symbolic_for_the_crate_pass() {
        let f = facts(
            r#"
            async fn f() {
                let pool = sqlx::PgPool::connect(config::DATABASE_URL).await.unwrap();
                let other = sqlx::PgPool::connect(&settings().url).await.unwrap();
                let third = sqlx::PgPool::connect(&load()).await.unwrap();
            }
            "#,
        );
        let c = clients(&f);
        assert_eq!(texts(c[0].1), ["call:DATABASE_URL"]);
        assert_eq!(texts(c[1].1), ["field:url"]);
        assert_eq!(texts(c[2].1), ["call:load"]);
    }

    #[test]
    fn functions_of_the_file_are_summarised() {
        let f = facts(
            r#"
            async fn make_pool(url: &str) -> sqlx::PgPool {
                sqlx::postgres::PgPoolOptions::new().connect(url).await.unwrap()
            }
            async fn main() {
                let pool = make_pool(&std::env::var("DATABASE_URL").unwrap()).await;
                sqlx::migrate!().run(&pool).await.unwrap();
            }
            "#,
        );
        let migration = f
            .sites
            .iter()
            .find(|s| matches!(s.site, PendingSite::Migration(_)))
            .unwrap();
        assert_eq!(texts(&migration.url), ["env:DATABASE_URL"]);
        // The set-up inside the function waits for its callers, which were recorded.
        assert_eq!(texts(clients(&f)[0].1), ["param:0"]);
        assert!(f.calls.iter().any(|c| c.callee == "make_pool"));
    }
}
