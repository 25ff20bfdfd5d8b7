use crate::rule::UrlFinding;
use crate::url::UrlInput;

crate::declare_rule! {
    /// ## What it does
    /// Finds Neon connection strings with `sslmode=require` and neither
    /// `channel_binding=require` nor `sslmode=verify-full`.
    ///
    /// ## Why is this bad?
    /// `sslmode=require` encrypts the connection but does not check who is at the other end:
    /// libpq verifies the certificate only when a root certificate file exists, and sqlx sets
    /// `accept_invalid_certs` for `require`. A machine in the middle can present any
    /// certificate. `channel_binding=require` (libpq 13+) ties the SCRAM login to the TLS
    /// channel, and `sslmode=verify-full` checks the certificate and host name; Neon's
    /// certificates chain to Let's Encrypt's ISRG Root X1, which every system store has.
    ///
    /// This is advice (`info`): the connection works.
    ///
    /// Not reported where node-postgres reads the string (a literal given to `new Pool`,
    /// `new Client`, TypeORM, or `@neondatabase/serverless`): pg 8's connection-string
    /// parser treats `require` as `verify-full` (pg 8.17+ warns that pg 9 will adopt
    /// libpq's meaning), and the serverless driver's HTTPS/WebSocket transport is verified
    /// whatever `sslmode` says. postgres.js reads `require` as libpq does (no certificate
    /// check), so there it is reported.
    ///
    /// ## Example
    /// ```text
    /// postgresql://alex:****@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// postgresql://alex:****@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require
    /// postgresql://alex:****@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=verify-full&sslrootcert=system
    /// ```
    ///
    /// ## References
    /// - Neon: Connect securely ("Neon recommends that you always use verify-full")
    /// - Neon changelog 2025-06-27: console strings carry `channel_binding=require`
    pub static UNVERIFIED_TLS = {
        code: "NL003",
        name: "unverified-tls",
        level: Info,
        group: ConnectionString,
        summary: "`sslmode=require` encrypts but does not authenticate the server",
        fixable: false,
    };
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    let Some(info) = url.info() else { return };
    if !url.is_neon() || url.ctx.reader == crate::Reader::NodePostgres {
        return;
    }
    let Some(p) = info.get("sslmode") else { return };
    if p.keyword != "sslmode" || p.value != "require" {
        return;
    }
    if info
        .get("channel_binding")
        .is_some_and(|c| c.value == "require")
    {
        return;
    }
    out.push(UrlFinding {
        rule: &UNVERIFIED_TLS,
        span: p.span.clone(),
        message: "`sslmode=require` encrypts but does not authenticate the server".into(),
        label: "no certificate check, no channel binding".into(),
        help: Some(
            "add `channel_binding=require`, or use `sslmode=verify-full` (with `sslrootcert=system` on libpq 16+)"
                .into(),
        ),
        secondary: Vec::new(),
        fix: None,
    });
}
