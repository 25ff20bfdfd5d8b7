//! The crate-wide half of the Rust data flow: joins what each file's extractor wrote down
//! symbolically ([`Src::Param`], [`Src::Call`], [`Src::Field`]) across the files of one
//! crate, so that `let pool = db::make_pool().await; sqlx::migrate!().run(&pool)` knows the
//! URL `make_pool` connects with. Then completes `workspace = true` dependencies from the
//! workspace root manifest.
//!
//! A crate is the nearest folder above a file that holds a `Cargo.toml`. Functions are
//! matched by name (`make_pool`, `Db::new`) within the crate; parameters resolve through
//! every call site (context-insensitively when not reached through a call), with a depth
//! limit. What cannot be followed stays unknown.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::project::Project;
use crate::site::rust::{PendingSite, RustCall, RustFacts, Src, WorkspaceDep};
use crate::site::{OffsetMap, UrlSource};

/// How deep calls and parameters are followed.
const MAX_DEPTH: usize = 12;

/// Expansion steps allowed per site (many call sites of many callers multiply).
const BUDGET: usize = 20_000;

/// Resolves the project's pending Rust sites and Cargo inheritance.
pub(crate) fn link(project: &mut Project) {
    let facts = std::mem::take(&mut project.rust);
    if facts.is_empty() {
        return;
    }
    let mut roots: HashMap<PathBuf, Option<PathBuf>> = HashMap::new();
    let crate_of: Vec<Option<PathBuf>> = facts
        .iter()
        .map(|(id, _)| crate_root(&project.files[*id].path, &mut roots))
        .collect();
    let mut groups: HashMap<Option<PathBuf>, Vec<usize>> = HashMap::new();
    for (i, c) in crate_of.iter().enumerate() {
        groups.entry(c.clone()).or_default().push(i);
    }
    for members in groups.values() {
        let linker = Linker::new(&facts, members);
        for &e in members {
            let (file, f) = &facts[e];
            for site in &f.sites {
                let mut values: Vec<UrlSource> = Vec::new();
                let mut out = Vec::new();
                linker.budget.set(BUDGET);
                for s in &site.url {
                    linker.expand(s, e, None, 0, &mut out);
                }
                let site_span = match &site.site {
                    PendingSite::Client(c) => c.span.clone(),
                    PendingSite::Migration(m) => m.span.clone(),
                    PendingSite::Use(u) => u.span.clone(),
                };
                for (src, from) in out {
                    let v = match src {
                        Resolved::Lit { text, map } => UrlSource::Literal {
                            text,
                            // A literal of another file enters this one at the site.
                            map: if from == e {
                                map
                            } else {
                                OffsetMap::Opaque {
                                    span: site_span.clone(),
                                }
                            },
                        },
                        Resolved::Env(n) => UrlSource::EnvVar(n),
                    };
                    if !values.contains(&v) {
                        values.push(v);
                    }
                }
                if values.is_empty() {
                    values.push(UrlSource::Unknown);
                }
                for url in values {
                    match &site.site {
                        PendingSite::Client(c) => {
                            let mut c = c.clone();
                            c.file = *file;
                            c.url = url;
                            project.clients.push(c);
                        }
                        PendingSite::Migration(m) => {
                            let mut m = m.clone();
                            m.file = *file;
                            m.url = url;
                            project.migrations.push(m);
                        }
                        PendingSite::Use(u) => {
                            let mut u = u.clone();
                            u.file = *file;
                            u.url = url;
                            project.uses.push(u);
                        }
                    }
                }
            }
        }
    }
    inherit_workspace_deps(project, &facts);
}

/// The folder of the nearest `Cargo.toml` above `path` (cached per folder).
fn crate_root(path: &Path, cache: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    let dir = path.parent()?.to_path_buf();
    if let Some(r) = cache.get(&dir) {
        return r.clone();
    }
    let mut found = None;
    for a in dir.ancestors() {
        let a = if a.as_os_str().is_empty() {
            Path::new(".")
        } else {
            a
        };
        if a.join("Cargo.toml").is_file() {
            // Canonical: a crate's files may be named relative and absolute in one run.
            found = Some(canonical(a));
            break;
        }
    }
    cache.insert(dir, found.clone());
    found
}

enum Resolved {
    Lit { text: String, map: OffsetMap },
    Env(String),
}

/// The arguments a function was reached with, while expanding its returned value.
struct Frame<'a> {
    entry: usize,
    func: usize,
    args: &'a [Vec<Src>],
    args_entry: usize,
    parent: Option<&'a Frame<'a>>,
}

struct Linker<'a> {
    facts: &'a [(usize, RustFacts)],
    /// Set-ups by the function their TLS connector comes from.
    tls_users: HashMap<&'a str, Vec<(usize, &'a [Src])>>,
    fns: HashMap<&'a str, Vec<(usize, usize)>>,
    calls: HashMap<&'a str, Vec<(usize, &'a RustCall)>>,
    fields: HashMap<&'a str, Vec<(usize, &'a [Src])>>,
    envy: bool,
    budget: std::cell::Cell<usize>,
}

impl<'a> Linker<'a> {
    fn new(facts: &'a [(usize, RustFacts)], members: &[usize]) -> Linker<'a> {
        let mut l = Linker {
            facts,
            tls_users: HashMap::new(),
            fns: HashMap::new(),
            calls: HashMap::new(),
            fields: HashMap::new(),
            envy: false,
            budget: std::cell::Cell::new(BUDGET),
        };
        for &e in members {
            let f = &facts[e].1;
            l.envy |= f.uses_envy;
            for (i, func) in f.fns.iter().enumerate() {
                l.fns.entry(func.name.as_str()).or_default().push((e, i));
            }
            for c in &f.calls {
                l.calls.entry(c.callee.as_str()).or_default().push((e, c));
            }
            for site in &f.sites {
                if let PendingSite::Client(c) = &site.site {
                    for s in c.settings.iter().filter(|s| s.name == "tls_from") {
                        l.tls_users
                            .entry(s.value.as_str())
                            .or_default()
                            .push((e, site.url.as_slice()));
                    }
                }
            }
            for fld in &f.fields {
                l.fields
                    .entry(fld.name.as_str())
                    .or_default()
                    .push((e, fld.value.as_slice()));
            }
        }
        l
    }

    /// Every concrete value `src` (written in `entry`) can take, with the entry holding it.
    fn expand(
        &self,
        src: &Src,
        entry: usize,
        frame: Option<&Frame>,
        depth: usize,
        out: &mut Vec<(Resolved, usize)>,
    ) {
        if depth > MAX_DEPTH || out.len() > 64 || self.budget.get() == 0 {
            return;
        }
        self.budget.set(self.budget.get() - 1);
        match src {
            Src::Lit { text, map } => out.push((
                Resolved::Lit {
                    text: text.clone(),
                    map: map.clone(),
                },
                entry,
            )),
            Src::Env(n) => out.push((Resolved::Env(n.clone()), entry)),
            Src::Param { func, index } => {
                if let Some(f) = frame.filter(|f| f.entry == entry && f.func == *func) {
                    if let Some(arg) = f.args.get(*index) {
                        for a in arg {
                            self.expand(a, f.args_entry, f.parent, depth + 1, out);
                        }
                    }
                    return;
                }
                let Some(name) = self.facts[entry].1.fns.get(*func).map(|f| f.name.as_str()) else {
                    return;
                };
                for (centry, call) in self.calls.get(name).into_iter().flatten() {
                    if let Some(arg) = call.args.get(*index) {
                        for a in arg {
                            self.expand(a, *centry, None, depth + 1, out);
                        }
                    }
                }
            }
            Src::Call { func, args } => {
                let short = func.rsplit("::").next().unwrap_or(func);
                let defs = self
                    .fns
                    .get(func.as_str())
                    .or_else(|| self.fns.get(short))
                    .filter(|d| !d.is_empty());
                let Some(defs) = defs else {
                    // Not a function of the crate: a wrapper of its only argument at best
                    // (`Url::parse(&s)`, `Secret::new(url)`).
                    if args.len() == 1 {
                        for a in &args[0] {
                            self.expand(a, entry, frame, depth + 1, out);
                        }
                    }
                    return;
                };
                for &(dentry, dfn) in defs {
                    let f = Frame {
                        entry: dentry,
                        func: dfn,
                        args,
                        args_entry: entry,
                        parent: frame,
                    };
                    for r in &self.facts[dentry].1.fns[dfn].returns {
                        self.expand(r, dentry, Some(&f), depth + 1, out);
                    }
                }
            }
            Src::TlsUsers(func) => {
                for (uentry, url) in self.tls_users.get(func.as_str()).into_iter().flatten() {
                    for s in url.iter() {
                        self.expand(s, *uentry, None, depth + 1, out);
                    }
                }
            }
            Src::Field(name) => {
                let before = out.len();
                for (fentry, value) in self.fields.get(name.as_str()).into_iter().flatten() {
                    for s in value.iter() {
                        self.expand(s, *fentry, None, depth + 1, out);
                    }
                }
                if out.len() == before && self.envy {
                    out.push((Resolved::Env(name.to_ascii_uppercase()), entry));
                }
            }
        }
    }
}

/// Completes `workspace = true` dependencies with the features and `default-features` of
/// the nearest workspace root above them: a manifest of the project when it was scanned,
/// else read from disk.
fn inherit_workspace_deps(project: &mut Project, facts: &[(usize, RustFacts)]) {
    let roots: Vec<(PathBuf, &Vec<WorkspaceDep>)> = facts
        .iter()
        .filter_map(|(id, f)| {
            let c = f.cargo.as_ref()?;
            if !c.workspace_root {
                return None;
            }
            let dir = project.files[*id].path.parent()?;
            Some((canonical(dir), &c.workspace_deps))
        })
        .collect();
    let mut from_disk: HashMap<PathBuf, Option<Vec<WorkspaceDep>>> = HashMap::new();
    for (id, f) in facts {
        let Some(c) = &f.cargo else { continue };
        if c.inherits.is_empty() {
            continue;
        }
        let Some(dir) = project.files[*id].path.parent() else {
            continue;
        };
        let dir = canonical(dir);
        let mut deps: Option<Vec<WorkspaceDep>> = None;
        for a in dir.ancestors() {
            if let Some((_, d)) = roots.iter().find(|(r, _)| r == a) {
                deps = Some((*d).clone());
                break;
            }
            let cached = from_disk.entry(a.to_path_buf()).or_insert_with(|| {
                // Bounded and regular files only: a FIFO `Cargo.toml` above the tree
                // must not hang the run.
                let text = crate::fsread::read_to_string(
                    &a.join("Cargo.toml"),
                    crate::fsread::MAX_FILE_BYTES,
                )
                .ok()?;
                let facts = crate::extract::cargo_facts(&text)?;
                facts.workspace_root.then_some(facts.workspace_deps)
            });
            if let Some(d) = cached {
                deps = Some(d.clone());
                break;
            }
        }
        let Some(deps) = deps else { continue };
        for inh in &c.inherits {
            let Some(ws) = deps.iter().find(|d| d.key == inh.key) else {
                continue;
            };
            for m in project
                .manifests
                .iter_mut()
                .filter(|m| m.file == *id && m.span == inh.span)
            {
                m.package = ws.package.clone();
                for feat in &ws.features {
                    if !m.features.contains(feat) {
                        m.features.push(feat.clone());
                    }
                }
                m.default_features = ws.default_features;
            }
        }
    }
}

fn canonical(p: &Path) -> PathBuf {
    let p = if p.as_os_str().is_empty() {
        Path::new(".")
    } else {
        p
    };
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}
