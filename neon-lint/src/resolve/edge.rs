//! Which JavaScript runs on the edge, and the TCP drivers it reaches there.
//!
//! Entry points: a file that asks for the Edge Runtime (`export const runtime = "edge"`,
//! `export const config = { runtime: "edge" }`); Next.js `middleware.*` at a Next.js
//! program's root or in its `src/` (Edge Runtime unless its config says `"nodejs"`; Next.js
//! 16's `proxy.*` runs on Node.js and is not one); the `main` module of a Cloudflare
//! Worker whose `wrangler.*` lacks `nodejs_compat`. From each, the local imports are
//! followed (relative and `@/`/`~/` specifiers, as `js_link` resolves them) through the
//! files the run read; each import of a TCP driver module (the drivers' `tcp_modules`),
//! and each client set up to connect over TCP whatever its module (Prisma Client without a
//! driver adapter), on the way is recorded once, with the first entry that reaches it.

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use super::js_link::{normalise, target, target_on_disk};
use crate::project::Project;
use crate::site::edge::{EdgeEntry, EdgeReason, EdgeTcpImport, EdgeTcpKind};
use crate::site::pins::Ecosystem;
use crate::site::JsFacts;
use crate::source::FileId;

/// How many files one entry's imports are followed through.
const MAX_FILES_PER_ENTRY: usize = 2_000;

pub(super) fn find(project: &mut Project, facts: &[(FileId, JsFacts)]) {
    let by_path: HashMap<PathBuf, usize> = facts
        .iter()
        .enumerate()
        .map(|(i, (id, _))| (normalise(&project.files[*id].path), i))
        .collect();
    let mut seen_imports: HashSet<(FileId, usize)> = HashSet::new();
    let mut found = Vec::new();
    for entry in entries(project, facts, &by_path) {
        let Some(&start) = by_path.get(&normalise(&project.files[entry.file].path)) else {
            continue;
        };
        let root = project.programs.root(entry.file).map(Path::to_path_buf);
        let mut visited: HashSet<Step> = HashSet::from([Step::Read(start)]);
        let mut queue = VecDeque::from([Step::Read(start)]);
        while let Some(step) = queue.pop_front() {
            let (from, modules) = match &step {
                Step::Read(i) => {
                    let (file, f) = (facts[*i].0, &facts[*i].1);
                    for m in &f.modules {
                        let Some(driver) = crate::drivers::js::tcp_module(&m.spec) else {
                            continue;
                        };
                        if seen_imports.insert((file, m.span.start)) {
                            found.push(EdgeTcpImport {
                                file,
                                span: m.span.clone(),
                                module: driver.to_string(),
                                kind: EdgeTcpKind::Import,
                                entry: entry.clone(),
                            });
                        }
                    }
                    for c in &f.tcp_clients {
                        if seen_imports.insert((file, c.span.start)) {
                            found.push(EdgeTcpImport {
                                file,
                                span: c.span.clone(),
                                module: c.api.clone(),
                                kind: EdgeTcpKind::PrismaEngine,
                                entry: entry.clone(),
                            });
                        }
                    }
                    let specs = f.modules.iter().map(|m| m.spec.clone()).collect();
                    (project.files[file].path.clone(), specs)
                }
                Step::Unread(path) => (path.clone(), unread_imports(path)),
            };
            for spec in modules {
                let next = match target(&from, &spec, &by_path) {
                    Some(i) => Step::Read(i),
                    // A file the prefilter passed over (it names no database) can still
                    // import one that does: read it only for its imports, inside the
                    // entry's program.
                    None => match (target_on_disk(&from, &spec), &root) {
                        (Some(p), Some(root)) if inside(&p, root) => Step::Unread(p),
                        _ => continue,
                    },
                };
                if visited.len() < MAX_FILES_PER_ENTRY && visited.insert(next.clone()) {
                    queue.push_back(next);
                }
            }
        }
    }
    project.edge_tcp = found;
}

/// A file on an import path: one the run read (an index into the facts), or one it did
/// not (read here for its imports only).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Step {
    Read(usize),
    Unread(PathBuf),
}

/// Largest file read for its imports alone.
const MAX_UNREAD_BYTES: u64 = 1024 * 1024;

/// The imports of a JavaScript file the run did not read; none when it cannot be read.
fn unread_imports(path: &Path) -> Vec<String> {
    let Ok(text) = crate::fsread::read_to_string(path, MAX_UNREAD_BYTES) else {
        return Vec::new();
    };
    let typescript = path
        .extension()
        .is_some_and(|e| matches!(e.to_str(), Some("ts" | "mts" | "cts")));
    crate::extract::js::imported_modules(&text, typescript)
}

/// Whether `path` is inside the program folder `root` (absolute).
fn inside(path: &Path, root: &Path) -> bool {
    std::path::absolute(path).is_ok_and(|p| normalise(&p).starts_with(root))
}

/// Every edge entry point, in file order.
fn entries(
    project: &Project,
    facts: &[(FileId, JsFacts)],
    by_path: &HashMap<PathBuf, usize>,
) -> Vec<EdgeEntry> {
    let mut out = Vec::new();
    for (file, f) in facts {
        let runtime = f.runtime.as_ref();
        if let Some(r) =
            runtime.filter(|r| matches!(r.value.as_str(), "edge" | "experimental-edge"))
        {
            out.push(EdgeEntry {
                file: *file,
                span: r.span.clone(),
                reason: EdgeReason::EdgeRuntime,
            });
        } else if runtime.is_none() && is_next_middleware(project, *file, f) {
            out.push(EdgeEntry {
                file: *file,
                span: 0..0,
                reason: EdgeReason::Middleware,
            });
        }
    }
    for w in project.workers.iter().filter(|w| !w.nodejs_compat) {
        let Some(main) = &w.main else { continue };
        let dir = project.files[w.file].path.parent().unwrap_or(Path::new(""));
        let Some(&i) = by_path.get(&normalise(&dir.join(main))) else {
            continue;
        };
        out.push(EdgeEntry {
            file: facts[i].0,
            span: 0..0,
            reason: EdgeReason::WorkerWithoutNodejsCompat { config: w.file },
        });
    }
    out.sort_by_key(|e| e.file);
    out
}

/// `middleware.{ts,js,...}` at a Next.js program's root or in its `src/`: the file imports
/// from `next`, or the program's `package.json` depends on it.
fn is_next_middleware(project: &Project, file: FileId, f: &JsFacts) -> bool {
    let path = &project.files[file].path;
    if path.file_stem().is_none_or(|s| s != "middleware") {
        return false;
    }
    let Some(root) = project.programs.root(file) else {
        return false;
    };
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.clone());
    let dir = abs.parent().unwrap_or(Path::new(""));
    if dir != root && dir != root.join("src") {
        return false;
    }
    let imports_next = f
        .modules
        .iter()
        .any(|m| m.spec == "next" || m.spec.starts_with("next/"));
    imports_next
        || project.pins.iter().any(|p| {
            p.ecosystem == Ecosystem::Npm && p.package == "next" && {
                let manifest = &project.files[p.file].path;
                let abs = std::path::absolute(manifest).unwrap_or_else(|_| manifest.clone());
                abs.parent() == Some(root)
            }
        })
}
