//! `neon-lint url`: one connection string analysed, or one per stdin line with `-`.

use serde_json::{json, Map, Value};

use neon_lint_core::conninfo::Dialect;
use neon_lint_core::neon::{Cloud, HostClass};
use neon_lint_core::redact::{self, MASK};
use neon_lint_core::{UrlContext, UrlInput};

/// The JSON object for one string: `{"ok":true,"params":{...},...}` with libpq's keyword ->
/// value map (password shown as `****`), or `{"ok":false,"error":"..."}` when libpq would
/// reject the string.
pub fn analyse_json(text: &str, ctx: &UrlContext) -> Value {
    let input = UrlInput::new(text, ctx);
    // `ok`, `error` and `params` are libpq's verdict, exactly (the conformance contract);
    // the diagnostics judge the string as its reader would, and a reader other than libpq
    // may accept what libpq rejects (Prisma's `pgbouncer=true`).
    let libpq = neon_lint_core::conninfo::parse(text);
    let info = match &libpq {
        Err(e) => {
            return json!({
                "ok": false,
                "error": redact::redact(&e.message),
                "diagnostics": diagnostics(&input),
            })
        }
        Ok(info) => info,
    };
    if info.dialect != Dialect::Libpq {
        // libpq itself would not read a wrapper URL; report it as such, with what we know.
        let (wrapper, detail) = match &info.dialect {
            Dialect::SqlAlchemy { driver } => ("sqlalchemy", driver.clone()),
            Dialect::Jdbc => ("jdbc", String::new()),
            Dialect::Libpq => unreachable!("checked above"),
        };
        return json!({
            "ok": false,
            "error": format!("not a libpq connection string: a {wrapper} URL"),
            "wrapper": wrapper,
            "driver": detail,
            "diagnostics": diagnostics(&input),
        });
    }
    // A value can hold another connection string with its own password (`dbname` is
    // expanded by libpq's connect calls): every value shown is redacted with what the whole
    // string is known to hold.
    let known = redact::KnownSecrets::of(text);
    let mut params = Map::new();
    for (k, v) in info.libpq_params() {
        let shown = if k == "password" {
            MASK.to_string()
        } else {
            known.redact(&v)
        };
        params.insert(k, Value::String(shown));
    }
    let mut out = Map::new();
    out.insert("ok".into(), Value::Bool(true));
    out.insert("params".into(), Value::Object(params));
    if let Some(n) = input.neon() {
        out.insert(
            "neon".into(),
            json!({
                "endpoint_id": n.endpoint_id,
                "pooled": n.pooled,
                "region": n.region,
                "cell": n.cell,
                "cloud": n.cloud.map(|c| match c { Cloud::Aws => "aws", Cloud::Azure => "azure" }),
            }),
        );
    }
    let hosts: Vec<Value> = input
        .hosts
        .iter()
        .map(|(h, c)| {
            let class = match c {
                HostClass::Neon(n) if n.pooled => "neon-pooled",
                HostClass::Neon(_) => "neon-direct",
                HostClass::ConfiguredPooled => "pooled",
                HostClass::ConfiguredDirect => "direct",
                HostClass::Other => "other",
            };
            json!({"host": known.redact(h), "class": class})
        })
        .collect();
    out.insert("hosts".into(), Value::Array(hosts));
    out.insert("diagnostics".into(), diagnostics(&input));
    Value::Object(out)
}

fn diagnostics(input: &UrlInput) -> Value {
    let findings = neon_lint_core::rules::check_all(input);
    Value::Array(
        findings
            .into_iter()
            .map(|f| {
                json!({
                    "code": f.rule.code,
                    "rule": f.rule.name,
                    "severity": f.rule.default_level.as_str(),
                    "start": f.span.start,
                    "end": f.span.end,
                    "message": redact::redact(&f.message),
                    "help": f.help.as_deref().map(redact::redact),
                })
            })
            .collect(),
    )
}

/// Human rendering of one string's findings (ariadne over the masked string).
pub fn analyse_human(text: &str, ctx: &UrlContext, color: bool) -> (String, bool) {
    use ariadne::{Color, Config, IndexType, Label, Report, ReportKind, Source};
    let input = UrlInput::new(text, ctx);
    let findings = neon_lint_core::rules::check_all(&input);
    let masked = crate::report::RedactedText::new(text);
    let mut out = String::new();
    let mut failed = false;
    let mut cache = ("<url>".to_string(), Source::from(masked.text.clone()));
    for f in &findings {
        let (kind, c) = match f.rule.default_level {
            neon_lint_core::Level::Error => {
                failed = true;
                (ReportKind::Error, Color::Red)
            }
            neon_lint_core::Level::Warn => (ReportKind::Warning, Color::Yellow),
            _ => (ReportKind::Custom("Info", Color::Blue), Color::Blue),
        };
        let span = masked.map_range(f.span.clone());
        let mut r = Report::build(kind, ("<url>".to_string(), span.clone()))
            .with_config(
                Config::default()
                    .with_color(color)
                    .with_index_type(IndexType::Byte),
            )
            .with_code(f.rule.code)
            .with_message(format!("{} ({})", redact::redact(&f.message), f.rule.name))
            .with_label(
                Label::new(("<url>".to_string(), span))
                    .with_message(redact::redact(&f.label))
                    .with_color(c),
            );
        if let Some(h) = &f.help {
            r = r.with_help(redact::redact(h));
        }
        let mut one = Vec::new();
        let _ = r.finish().write(&mut cache, &mut one);
        // The header counts on the string as given, not on its masked copy.
        let before = text.get(..f.span.start).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let column = before
            .rsplit('\n')
            .next()
            .unwrap_or_default()
            .chars()
            .count()
            + 1;
        let one = String::from_utf8_lossy(&one);
        out.push_str(&crate::report::human::true_header(
            &one, "<url>", line, column,
        ));
    }
    let mut s = crate::report::terminal::tidy(&out, color);
    if findings.is_empty() {
        match &input.parsed {
            Ok(_) => s.push_str("no problems found\n"),
            Err(e) => s.push_str(&format!("error: {}\n", redact::redact(&e.message))),
        }
    }
    (s, failed)
}
