//! Prisma Client itself (`new PrismaClient(options)` from `@prisma/client`), for what it
//! needs to connect, not for its URL (which `schema.prisma` or the adapter holds).
//!
//! Without a driver adapter (`adapter:`) Prisma Client connects through its own query
//! engine (the Rust engine loaded into Node.js, or the TypeScript one of `engineType =
//! "client"`), which opens TCP sockets: an edge runtime cannot run it. What each version
//! does there:
//!
//! | Prisma | `new PrismaClient()` with no adapter in an edge runtime |
//! |---|---|
//! | 5.x, 6.x | fails when created: "PrismaClient is not configured to run in Edge Runtime (...). In order to run Prisma Client on edge runtime, either: Use Prisma Accelerate ... Use Driver Adapters" (older 5.x: "PrismaClient is unable to run in Vercel Edge Functions or Edge Middleware") |
//! | 7.x | fails everywhere: "PrismaClient requires a driver adapter to connect to your database, but none was provided." (unless `accelerateUrl` is given) |
//!
//! Not this case, and silent: `adapter:` given (which adapter is the adapter's own driver
//! file's business: `@prisma/adapter-pg` is a TCP module), `accelerateUrl:` (Prisma 7's
//! Accelerate), the client imported from `@prisma/client/edge` (Accelerate's `prisma://`
//! URL before 7), and options that spread an unknown object (the adapter may be in it).
//! A client imported from a generated path (`./generated/prisma`, Prisma 7's
//! `prisma-client` generator) is not recognised.

use super::{Found, JsDriver};
use crate::extract::js::Call;

pub(super) static PRISMA_CLIENT: JsDriver = JsDriver {
    recognise,
    ..super::DEFAULTS
};

fn recognise(c: &Call) -> Option<Found> {
    if c.module != "@prisma/client" || c.export != "PrismaClient" || !c.is_new {
        return None;
    }
    if let Some(a) = c.arg(0) {
        // Options we cannot see may hold an adapter: never guess.
        let obj = c.object(a)?;
        if c.spreads_unknown(obj)
            || c.prop(obj, "adapter").is_some()
            || c.prop(obj, "accelerateUrl").is_some()
        {
            return None;
        }
    }
    Some(Found::TcpClient {
        api: "new PrismaClient()".into(),
    })
}
