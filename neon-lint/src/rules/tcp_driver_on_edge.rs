use super::connection_values::project_on_neon;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::edge::{EdgeReason, EdgeTcpImport, EdgeTcpKind};

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds a TCP database driver (`pg`, `postgres`, `drizzle-orm/node-postgres`,
    /// `drizzle-orm/postgres-js`, `@prisma/adapter-pg`, Knex, TypeORM, Sequelize) imported
    /// by code that runs in an edge runtime:
    ///
    /// - a file that asks for the Edge Runtime: `export const runtime = "edge"` (Next.js
    ///   route segment config) or `export const config = { runtime: "edge" }` (Vercel
    ///   functions, pages API routes);
    /// - Next.js `middleware.ts` (or `.js`) at the app's root or in `src/`, which runs in
    ///   the Edge Runtime unless its config says `runtime: "nodejs"` (Next.js 15.5+);
    ///   Next.js 16's `proxy.ts` runs on Node.js and is not reported;
    /// - the `main` module of a Cloudflare Worker whose `wrangler.toml` (or `.json`,
    ///   `.jsonc`) has no `nodejs_compat` compatibility flag.
    ///
    /// It also finds Prisma Client created without a driver adapter
    /// (`new PrismaClient()` from `@prisma/client`, no `adapter:` nor `accelerateUrl:`) in
    /// such code: Prisma's own query engine connects over TCP.
    ///
    /// The import may be in the entry file or in a file it imports (relative and `@/`
    /// imports are followed through the files neon-lint reads); the finding is at the
    /// driver's import (at `new PrismaClient(...)` for Prisma), and names the entry. It
    /// fires in projects that connect to Neon (a Neon URL outside docs, or
    /// `@neondatabase/serverless` in use).
    ///
    /// ## Why is this bad?
    /// The Edge Runtime has Web APIs only: no `net`, `tls` or `fs`, so a driver that opens a
    /// TCP socket cannot connect. Next.js fails the build with
    /// `Module not found: Can't resolve 'net'` (or `'fs'`, through `pg-connection-string`),
    /// or the route fails when it first queries. A Worker gets TCP sockets only through
    /// `connect()` from `cloudflare:sockets`, which `pg` and `postgres` use when
    /// `nodejs_compat` is on; without it they cannot load.
    ///
    /// Neon's serverless driver (`@neondatabase/serverless`) connects over HTTP (`neon()`) or
    /// a WebSocket (`Pool`, `Client`), which every edge runtime has; Drizzle
    /// (`drizzle-orm/neon-http`, `drizzle-orm/neon-serverless`) and Prisma
    /// (`@prisma/adapter-neon`) use it.
    ///
    /// Prisma Client without a driver adapter cannot run on the edge in any version, but
    /// how it fails depends on the version. Prisma 5 and 6 throw when the client is created
    /// in an edge runtime: "PrismaClient is not configured to run in Edge Runtime (Vercel
    /// Edge Functions, Vercel Edge Middleware, ...). In order to run Prisma Client on edge
    /// runtime, either: Use Prisma Accelerate ... Use Driver Adapters" (early 5.x says "is
    /// unable to run in Vercel Edge Functions or Edge Middleware"; Workers get "... in
    /// Cloudflare Workers"). Prisma 7 needs an adapter (or `accelerateUrl`) everywhere:
    /// "PrismaClient requires a driver adapter to connect to your database, but none was
    /// provided." Driver adapters exist since Prisma 5.4, behind
    /// `previewFeatures = ["driverAdapters"]` until 6.16; Prisma still calls edge
    /// deployments a Preview.
    ///
    /// Not reported: `new PrismaClient({ adapter })` (an adapter on a TCP driver, such as
    /// `@prisma/adapter-pg`, is reported at its own import), `accelerateUrl`, a client
    /// imported from `@prisma/client/edge` (Prisma Accelerate, whose `prisma://` URL is
    /// HTTP), and options spread from an object neon-lint cannot see. A client imported
    /// from a generated path (`./generated/prisma`, Prisma 7's `prisma-client` generator)
    /// is not recognised.
    ///
    /// ## Example
    /// ```ts
    /// // app/api/users/route.ts
    /// import { Pool } from "pg";
    /// export const runtime = "edge";
    /// const pool = new Pool({ connectionString: process.env.DATABASE_URL });
    /// ```
    ///
    /// ## Use instead
    /// ```ts
    /// import { neon } from "@neondatabase/serverless";
    /// export const runtime = "edge";
    /// const sql = neon(process.env.DATABASE_URL!);
    /// ```
    /// or drop `runtime = "edge"` (Node.js is Next.js's default runtime). For a Worker, add
    /// `compatibility_flags = ["nodejs_compat"]` to `wrangler.toml`.
    ///
    /// Prisma on the edge, with Neon's adapter (Prisma 6.6 and later):
    /// ```ts
    /// import { PrismaClient } from "@prisma/client";
    /// import { PrismaNeon } from "@prisma/adapter-neon";
    /// const adapter = new PrismaNeon({ connectionString: process.env.DATABASE_URL });
    /// export const prisma = new PrismaClient({ adapter });
    /// ```
    ///
    /// ## References
    /// - Next.js: Route Segment Config, `runtime`; File conventions, `middleware` and `proxy`
    /// - Vercel: "Using a library or SDK compatible with the Edge Runtime"
    /// - Cloudflare: Hyperdrive, "Connect to PostgreSQL" (drivers need `nodejs_compat`)
    /// - Neon: serverless driver
    /// - Prisma: "Deploying edge functions with Prisma ORM"; "Deploy to Vercel Edge
    ///   Functions & Middleware"; driver adapters; upgrading to Prisma 7
    pub static TCP_DRIVER_ON_EDGE = {
        code: "NL035",
        name: "tcp-driver-on-edge",
        level: Error,
        group: RustDrivers,
        summary: "TCP database driver imported by code that runs in an edge runtime",
        fixable: false,
    };
}

pub(super) fn check(project: &Project, config: &Config, out: &mut Vec<Diagnostic>) {
    if project.edge_tcp.is_empty() {
        return;
    }
    if !project_on_neon(project, config) {
        return;
    }
    for import in &project.edge_tcp {
        out.push(finding(project, import));
    }
}

fn finding(project: &Project, import: &EdgeTcpImport) -> Diagnostic {
    let entry = &import.entry;
    let here = entry.file == import.file;
    let entry_path = &project.files[entry.file].display;
    let (where_, label, help) = match &entry.reason {
        EdgeReason::EdgeRuntime => (
            if here {
                "this file runs in the Edge Runtime".to_string()
            } else {
                format!("it runs in the Edge Runtime (imported from `{entry_path}`, which asks for it)")
            },
            "a TCP driver in edge code",
            "use `@neondatabase/serverless` here (`neon()` over HTTP, or its `Pool` over a WebSocket), or remove `runtime = \"edge\"` so the code runs on Node.js".to_string(),
        ),
        EdgeReason::Middleware => (
            if here {
                "Next.js middleware runs in the Edge Runtime".to_string()
            } else {
                format!("it runs in the Edge Runtime (imported from the Next.js middleware `{entry_path}`)")
            },
            "a TCP driver in middleware",
            "use `@neondatabase/serverless` in middleware, or run it on Node.js: `export const config = { runtime: \"nodejs\" }` (Next.js 15.5+), or `proxy.ts` (Next.js 16)".to_string(),
        ),
        EdgeReason::WorkerWithoutNodejsCompat { config } => {
            let config = &project.files[*config].display;
            (
                format!("the Worker (`{config}`) has no `nodejs_compat` flag"),
                "a TCP driver in a Worker without Node.js compatibility",
                format!("add `compatibility_flags = [\"nodejs_compat\"]` to `{config}` (Workers' TCP sockets then carry the driver), or use `@neondatabase/serverless`"),
            )
        }
    };
    let (message, label, help) = match import.kind {
        EdgeTcpKind::Import => (
            format!(
                "`{}` opens TCP connections, but {where_}: it cannot connect there",
                import.module
            ),
            label.to_string(),
            help,
        ),
        EdgeTcpKind::PrismaEngine => (
            // What `nodejs_compat` gives Workers (Node's sockets) does not load Prisma's
            // engine: only the runtime matters here.
            format!(
                "`{}` without a driver adapter connects through Prisma's query engine over TCP, but {where_}: it cannot connect there",
                import.module,
                where_ = match &entry.reason {
                    EdgeReason::WorkerWithoutNodejsCompat { config } => format!(
                        "it runs in a Cloudflare Worker (`{}`)",
                        project.files[*config].display
                    ),
                    _ => where_,
                }
            ),
            "Prisma Client without a driver adapter".to_string(),
            "Prisma 5 and 6 throw \"PrismaClient is not configured to run in ...\" here, and Prisma 7 requires an adapter (or `accelerateUrl`) everywhere: give it Neon's adapter, `new PrismaClient({ adapter: new PrismaNeon({ connectionString }) })` with `PrismaNeon` from `@prisma/adapter-neon` (Prisma 5.4 to 6.15 also need `previewFeatures = [\"driverAdapters\"]`; before 6.6 `PrismaNeon` takes a `Pool`), or use Prisma Accelerate (`@prisma/client/edge`)".to_string(),
        ),
    };
    Diagnostic::new(
        &TCP_DRIVER_ON_EDGE,
        import.file,
        import.span.clone(),
        message,
        label,
    )
    .help(help)
    .secondary(if here && !entry.span.is_empty() {
        vec![(entry.span.clone(), "asks for the Edge Runtime".to_string())]
    } else {
        Vec::new()
    })
}
