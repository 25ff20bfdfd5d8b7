//! Where JavaScript runs: the facts behind `tcp-driver-on-edge`. Front ends record what a
//! file says about its runtime and which modules it imports; the resolver (`resolve/edge.rs`)
//! follows the imports from each edge entry point and keeps the TCP drivers it reaches.

use std::ops::Range;

use crate::source::FileId;

/// A module specifier a JavaScript file imports (`import`, `export ... from`, `require`,
/// `import()`), as written, with the span of its string.
#[derive(Debug, Clone)]
pub struct ModuleRef {
    /// `pg`, `./db`, `@/lib/db`.
    pub spec: String,
    /// File span of the specifier's string literal.
    pub span: Range<usize>,
}

/// What a file's route segment or function config says about its runtime:
/// `export const runtime = "edge"` (Next.js) or `export const config = { runtime: "edge" }`
/// (Vercel functions, Next.js middleware and pages API routes).
#[derive(Debug, Clone)]
pub struct RuntimeDecl {
    /// `edge`, `experimental-edge`, `nodejs`.
    pub value: String,
    /// File span of the declaration.
    pub span: Range<usize>,
}

/// A Cloudflare Workers configuration (`wrangler.toml`, `wrangler.json`, `wrangler.jsonc`).
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Which file.
    pub file: FileId,
    /// The Worker's entry module (`main`), relative to the configuration's folder.
    pub main: Option<String>,
    /// File span of `main` (else of the file's start).
    pub span: Range<usize>,
    /// Whether `compatibility_flags` (top level or any `[env.*]`) has `nodejs_compat`
    /// (or `nodejs_compat_v2`), which gives drivers Node's `net`/`tls` over Workers' sockets.
    pub nodejs_compat: bool,
}

/// Why code runs where only HTTP and WebSocket connections can be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EdgeReason {
    /// `export const runtime = "edge"` (or `config.runtime`) in this file.
    EdgeRuntime,
    /// Next.js `middleware.*`, which runs in the Edge Runtime unless its config says
    /// `runtime: "nodejs"` (Next.js 15.5+).
    Middleware,
    /// The entry module of a Worker whose configuration lacks `nodejs_compat`.
    WorkerWithoutNodejsCompat {
        /// The `wrangler.*` file.
        config: FileId,
    },
}

/// Where edge code starts.
#[derive(Debug, Clone)]
pub struct EdgeEntry {
    /// The entry file.
    pub file: FileId,
    /// The evidence: the runtime declaration, or the file's first byte.
    pub span: Range<usize>,
    /// Why it runs on the edge.
    pub reason: EdgeReason,
}

/// A client set up so that it connects over TCP whatever module it comes from: Prisma
/// Client without a driver adapter, whose query engine opens the database's sockets.
#[derive(Debug, Clone)]
pub struct TcpClientRef {
    /// What the set-up is (`new PrismaClient()`).
    pub api: String,
    /// File span of the call.
    pub span: Range<usize>,
}

/// What reaches TCP from edge code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeTcpKind {
    /// An import of a TCP driver's module.
    Import,
    /// Prisma Client created without a driver adapter (its own query engine).
    PrismaEngine,
}

/// A TCP driver imported (or a TCP client set up) by code that runs on the edge.
#[derive(Debug, Clone)]
pub struct EdgeTcpImport {
    /// The importing file.
    pub file: FileId,
    /// The import's specifier, or the set-up call.
    pub span: Range<usize>,
    /// The module imported (`pg`, `postgres`, `drizzle-orm/node-postgres`), or the set-up
    /// (`new PrismaClient()`).
    pub module: String,
    /// An import or a set-up.
    pub kind: EdgeTcpKind,
    /// The entry whose imports reach this file (the first one, in path order).
    pub entry: EdgeEntry,
}
