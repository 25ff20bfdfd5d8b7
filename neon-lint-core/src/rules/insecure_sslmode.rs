use crate::rule::{Applicability, Edit, Fix, UrlFinding};
use crate::url::UrlInput;

crate::declare_rule! {
    /// ## What it does
    /// Finds Neon connection strings that allow a plaintext connection: `sslmode=disable`,
    /// `allow` or `prefer`, and `ssl=false` / `ssl=disable` in the driver spellings that use
    /// `ssl` (asyncpg, JDBC).
    ///
    /// ## Why is this bad?
    /// Neon rejects connections without TLS. With `disable` the connection fails at once:
    ///
    /// ```text
    /// ERROR: connection is insecure (try using sslmode=require&channel_binding=require)
    /// ```
    ///
    /// `allow` tries plaintext first; `prefer` falls back to plaintext whenever the client
    /// cannot do TLS. Neither protects the password or the data from anyone on the path.
    ///
    /// ## What was observed
    /// Against PostgreSQL with only `hostssl` lines (`docs/ground-truth.md`), `sslmode=disable`
    /// fails at once with psycopg, psycopg2 and sqlx:
    /// `FATAL: no pg_hba.conf entry for host "127.0.0.1", user "app", database "appdb", no encryption`
    /// (Neon's proxy words it `connection is insecure`); through PgBouncer, `FATAL: SSL required`.
    /// `allow` and `prefer` connected over TLS there: they are insecure (TLS can be stripped by
    /// anyone on the path), not broken, which is why the rule says "lets ... go without TLS".
    ///
    /// ## Example
    /// ```text
    /// postgresql://alex:****@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=disable
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// postgresql://alex:****@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require
    /// ```
    ///
    /// ## Fix
    /// `--fix` replaces the value with `require` (only the value's bytes change).
    ///
    /// A driver set-up that reads a variable named `*_NO_SSL` (Vercel's legacy
    /// `POSTGRES_URL_NO_SSL`, a connection string without `sslmode`) is
    /// reported too, at the set-up, when neon-lint cannot see the variable's value and the
    /// driver sets no TLS of its own; that needs a human to pick the right variable. Where
    /// the value is in the project (`.env`, `vercel.json`...), it is judged as a URL
    /// (`missing-sslmode` on its line).
    ///
    /// ## References
    /// - Neon: Connect securely; connection errors ("connection is insecure")
    pub static INSECURE_SSLMODE = {
        code: "NL002",
        name: "insecure-sslmode",
        level: Error,
        group: ConnectionString,
        summary: "`sslmode=disable|allow|prefer` (or `ssl=false`) on a Neon connection",
        fixable: true,
    };
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    let Some(info) = url.info() else { return };
    if !url.is_neon() {
        return;
    }
    let Some(p) = info
        .params
        .iter()
        .rev()
        .find(|p| p.keyword == "sslmode" || p.keyword == "ssl")
    else {
        return;
    };
    let value = p.value.to_ascii_lowercase();
    let insecure = match p.keyword.as_str() {
        "sslmode" => matches!(value.as_str(), "disable" | "allow" | "prefer"),
        _ => matches!(value.as_str(), "false" | "disable" | "0" | "off" | "no"),
    };
    if !insecure {
        return;
    }
    let replacement = if p.keyword == "ssl" && value != "disable" {
        "true"
    } else {
        "require"
    };
    out.push(UrlFinding {
        rule: &INSECURE_SSLMODE,
        span: p.span.clone(),
        message: format!(
            "`{}={}` lets this Neon connection go without TLS",
            p.keyword, p.value
        ),
        label: "Neon refuses plaintext connections".into(),
        help: Some(format!(
            "use `{}={replacement}` (or `sslmode=verify-full` to also authenticate the server)",
            p.keyword
        )),
        secondary: Vec::new(),
        fix: Some(Fix {
            applicability: Applicability::Safe,
            title: format!("set `{}={replacement}`", p.keyword),
            edits: vec![Edit {
                range: p.value_span.clone(),
                content: replacement.into(),
            }],
        }),
    });
}
