//! `neon_url!`: compile-time validation of Neon connection strings.
//!
//! `neon_url!("...")` runs neon-lint's URL rules (the same code the CLI runs, from
//! `neon-lint-core`) over a string literal while your crate compiles. It expands to the
//! literal itself, a `&'static str`, when no error-level rule fires, and to a compile error on
//! the literal when one does. The error names the parameter at fault and the fix, in the CLI's
//! words, and draws a caret under the part of the string at fault (stable Rust cannot point a
//! compiler span inside a literal, so the caret is drawn in the message).
//!
//! ```
//! use neon_lint_macros::neon_url;
//!
//! const DATABASE_URL: &str = neon_url!(
//!     "postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require"
//! );
//! assert!(DATABASE_URL.starts_with("postgresql://"));
//! ```
//!
//! A Neon URL without `sslmode` does not compile:
//!
//! ```compile_fail
//! use neon_lint_macros::neon_url;
//! let url = neon_url!("postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb");
//! ```
//!
//! ```text
//! error: [NL001] Neon connection string without `sslmode` (missing-sslmode)
//!          "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb"
//!                             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ Neon host, and nothing requires TLS
//!          help: append `sslmode=require`: Neon refuses plaintext connections ("connection is insecure")
//!          fix: append `sslmode=require` (`neon-lint --fix` can apply this)
//!  --> src/main.rs:2:21
//!   |
//! 2 | let url = neon_url!("postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb");
//!   |                     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//! ```
//!
//! # Role forms
//!
//! - `neon_url!(direct, "...")`: for migrations. A pooled (`-pooler`) host is an error
//!   (`pooled-migration-url`, NL020, exactly as the CLI reports a pooled URL given to a
//!   migration tool).
//! - `neon_url!(pooled, "...")`: for serverless application code. A Neon host that is not the
//!   pooler is an error. No CLI rule corresponds to this one: the CLI cannot know that a
//!   string was meant for the pooler. Non-Neon hosts (a local test database) pass: nothing
//!   says whether they are pooled.
//!
//! ```
//! use neon_lint_macros::neon_url;
//! let migrations = neon_url!(direct, "postgresql://alex@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require");
//! let app = neon_url!(pooled, "postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require");
//! # let _ = (migrations, app);
//! ```
//!
//! ```compile_fail
//! use neon_lint_macros::neon_url;
//! let migrations = neon_url!(direct, "postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require");
//! ```
//!
//! # What the macro accepts
//!
//! - A string literal: `"..."` (escapes, `\` line continuations) or raw `r"..."`, `r#"..."#`.
//!   The expansion is the literal token itself.
//! - `concat!` of literals: string, raw string, character, unsuffixed decimal integer and
//!   `true`/`false`, nested `concat!` too. The macro evaluates it as rustc would and expands
//!   to one string literal; an error points at the piece that holds the fault.
//! - Anything else is a compile error that says so: a variable or constant (`neon_url!(url)`:
//!   a procedural macro receives tokens, not values), another macro call (`env!`,
//!   `include_str!`, `format!`: the macro cannot see their expansion), byte and C strings,
//!   suffixed literals, extra arguments. Values known only at run time are checked with
//!   `neon_lint_core::check_url` at start-up.
//!
//! # Levels
//!
//! The rules and their levels are the CLI's defaults: neither configuration files nor
//! `// neon-lint: allow(...)` comments reach a procedural macro.
//!
//! - `error` rules (`missing-sslmode`, `insecure-sslmode`, `invalid-conninfo`, `missing-sni`,
//!   `endpoint-mismatch`, `startup-options-on-pooler`, `pooled-migration-url` in the `direct`
//!   form): a compile error per finding.
//! - `warn` rules (`wrong-port`, `deprecated-region`, `placeholder-credentials`): a compiler
//!   warning per finding, on stable Rust, through a deprecated item (the only warning a
//!   procedural macro can raise on stable; `proc_macro::Diagnostic` is unstable). It reads
//!   ``warning: use of deprecated constant `neon_url::NL007_WRONG_PORT`: [NL007] ...``; it is
//!   an error under `-D warnings`, and `#[allow(deprecated)]` on the enclosing item silences
//!   it.
//! - `hardcoded-credentials` (NL060, an error in the CLI): a **warning** here. A password in
//!   the literal still compiles, with a warning that never shows the password (`****`), so that
//!   a local throwaway database does not stop the build; the CLI and the pre-commit hook keep
//!   it an error, and that is where commits are stopped.
//! - `info` rules (`unverified-tls`, `owner-role-in-app`): nothing. They are advice and would
//!   warn on most strings Neon's console hands out.
//!
//! No message ever contains a password: the string is drawn with `****` in its place. rustc
//! itself still prints the source line of the call under each diagnostic, as it always does;
//! that is your own file, not output of the macro.

mod literal;

use std::ops::Range;

use neon_lint_core::render::{self, Excerpt};
use neon_lint_core::rule::UrlFinding;
use neon_lint_core::{Level, Placement, Role, UrlContext, UrlInput};
use proc_macro::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// Checks a Neon connection string literal at compile time and expands to it
/// (`&'static str`). See the [crate documentation](crate) for the forms and levels.
///
/// ```
/// # use neon_lint_macros::neon_url;
/// let url: &'static str = neon_url!(r"host=ep-cool-rain-123456.us-east-2.aws.neon.tech dbname=neondb sslmode=verify-full sslrootcert=system");
/// # let _ = url;
/// ```
#[proc_macro]
pub fn neon_url(input: TokenStream) -> TokenStream {
    match parse_call(input) {
        Ok(call) => expand(&call),
        Err(e) => compile_error(&e.message, e.span),
    }
}

/// What the call says the string is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `neon_url!("...")`.
    Any,
    /// `neon_url!(direct, "...")`: migrations.
    Direct,
    /// `neon_url!(pooled, "...")`: serverless application code.
    Pooled,
}

/// One literal the string was made of, and where its bytes are in the value.
struct Piece {
    range: Range<usize>,
    span: Span,
}

/// A parsed call.
struct Call {
    form: Form,
    value: String,
    /// How the value is drawn in messages.
    excerpt: Excerpt,
    /// The literals it came from (one, unless `concat!`).
    pieces: Vec<Piece>,
    /// What the call expands to.
    output: TokenTree,
}

struct Error {
    span: Span,
    message: String,
}

fn error(span: Span, message: impl Into<String>) -> Error {
    Error {
        span,
        message: message.into(),
    }
}

const USAGE: &str = "expected a connection string literal: `neon_url!(\"postgresql://...\")`, \
                     `neon_url!(direct, \"...\")` or `neon_url!(pooled, \"...\")`";

const RUNTIME_HINT: &str = "a value known only at run time is checked at start-up with \
                            `neon_lint_core::check_url(&url)`";

/// Top-level tokens, with the invisible groups a `macro_rules!` fragment (`$url:literal`,
/// `$e:expr`) arrives in opened up.
fn flatten(stream: TokenStream, out: &mut Vec<TokenTree>) {
    for tt in stream {
        match tt {
            TokenTree::Group(g) if g.delimiter() == Delimiter::None => flatten(g.stream(), out),
            tt => out.push(tt),
        }
    }
}

fn is_punct(tt: Option<&TokenTree>, c: char) -> bool {
    matches!(tt, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

fn parse_call(input: TokenStream) -> Result<Call, Error> {
    let mut tokens = Vec::new();
    flatten(input, &mut tokens);
    let mut rest: &[TokenTree] = &tokens;
    let mut form = Form::Any;
    // `word, <something>`: a form. (`url,` alone is a variable with a trailing comma.)
    if let (Some(TokenTree::Ident(word)), true, true) =
        (rest.first(), is_punct(rest.get(1), ','), rest.len() > 2)
    {
        form = match word.to_string().as_str() {
            "direct" => Form::Direct,
            "pooled" => Form::Pooled,
            other => {
                return Err(error(
                    word.span(),
                    format!(
                        "unknown form `{other}`: write `neon_url!(direct, \"...\")` (migrations: \
                         rejects a pooled host) or `neon_url!(pooled, \"...\")` (application code: \
                         rejects a direct host), or no form at all"
                    ),
                ))
            }
        };
        rest = &rest[2..];
    }
    if is_punct(rest.last(), ',') {
        rest = &rest[..rest.len() - 1];
    }
    let Some(first) = rest.first() else {
        return Err(error(Span::call_site(), USAGE));
    };
    let (value, pieces, used, group_span) = match first {
        TokenTree::Literal(lit) => {
            let (value, excerpt_offsets, source) = decode_literal(lit)?;
            let piece = Piece {
                range: 0..value.len(),
                span: lit.span(),
            };
            let excerpt = Excerpt::mapped(source, excerpt_offsets, &value)
                .unwrap_or_else(|| Excerpt::quoted(&value));
            if rest.len() > 1 {
                return Err(extra_token(&rest[1..]));
            }
            return Ok(Call {
                form,
                value,
                excerpt,
                pieces: vec![piece],
                output: TokenTree::Literal(lit.clone()),
            });
        }
        TokenTree::Ident(name) if is_punct(rest.get(1), '!') => {
            match (name.to_string().as_str(), rest.get(2)) {
                ("concat", Some(TokenTree::Group(g))) => {
                    let mut value = String::new();
                    let mut pieces = Vec::new();
                    concat(g, &mut value, &mut pieces)?;
                    (value, pieces, 3, g.span())
                }
                (m, _) => return Err(error(name.span(), other_macro(m))),
            }
        }
        TokenTree::Ident(name)
            if matches!(name.to_string().as_str(), "direct" | "pooled")
                && matches!(rest.get(1), Some(TokenTree::Literal(_))) =>
        {
            return Err(error(
                name.span(),
                format!("a comma is missing after the form: `neon_url!({name}, \"...\")`"),
            ))
        }
        TokenTree::Ident(name) if rest.len() == 1 => {
            return Err(error(
                name.span(),
                format!(
                    "`neon_url!` checks a string literal at compile time, and `{name}` is not one: \
                     a procedural macro receives tokens, not the values of variables or constants; \
                     {RUNTIME_HINT}"
                ),
            ))
        }
        other => return Err(error(other.span(), format!("{USAGE}; {RUNTIME_HINT}"))),
    };
    if rest.len() > used {
        return Err(extra_token(&rest[used..]));
    }
    let mut output = Literal::string(&value);
    output.set_span(pieces.first().map_or(group_span, |p: &Piece| p.span));
    Ok(Call {
        form,
        excerpt: Excerpt::quoted(&value),
        value,
        pieces,
        output: TokenTree::Literal(output),
    })
}

fn other_macro(name: &str) -> String {
    format!(
        "`neon_url!` cannot check `{name}!(...)`: a procedural macro sees the tokens it is given, \
         not what other macros expand to (only `concat!` of literals is evaluated); pass the \
         string literal itself, or: {RUNTIME_HINT}"
    )
}

/// An error on the first token after the string (`rest[0]`), past a comma.
fn extra_token(rest: &[TokenTree]) -> Error {
    let tt = match rest {
        [TokenTree::Punct(p), next, ..] if p.as_char() == ',' => next,
        [tt, ..] => tt,
        [] => unreachable!("called with the tokens after the string"),
    };
    error(
        tt.span(),
        format!(
            "unexpected `{tt}`: `neon_url!` takes one string literal, optionally after `direct,` or \
             `pooled,`"
        ),
    )
}

/// A string literal's value, the offsets of its bytes in the written text, and that text.
fn decode_literal(lit: &Literal) -> Result<(String, Vec<usize>, String), Error> {
    let source = lit.to_string();
    match literal::decode_str(&source) {
        Ok(d) => Ok((d.value, d.offsets, source)),
        Err(e) => Err(error(
            lit.span(),
            format!(
                "`neon_url!` takes a string literal (`\"...\"` or `r\"...\"`): {}",
                literal::describe(e)
            ),
        )),
    }
}

/// Evaluates `concat!(...)` of literals as rustc does, recording each piece.
fn concat(group: &Group, value: &mut String, pieces: &mut Vec<Piece>) -> Result<(), Error> {
    let mut tokens = Vec::new();
    flatten(group.stream(), &mut tokens);
    let mut i = 0;
    while i < tokens.len() {
        let start = value.len();
        let tt = &tokens[i];
        let mut span = tt.span();
        match tt {
            TokenTree::Literal(lit) => {
                let text = lit.to_string();
                let piece = literal::decode_str(&text)
                    .or_else(|_| literal::decode_char(&text))
                    .map(|d| d.value)
                    .ok()
                    .or_else(|| literal::decimal_integer(&text))
                    .ok_or_else(|| unsupported_in_concat(tt))?;
                value.push_str(&piece);
                i += 1;
            }
            TokenTree::Ident(id) if matches!(id.to_string().as_str(), "true" | "false") => {
                value.push_str(&id.to_string());
                i += 1;
            }
            TokenTree::Punct(p) if p.as_char() == '-' => {
                let Some(TokenTree::Literal(lit)) = tokens.get(i + 1) else {
                    return Err(unsupported_in_concat(tt));
                };
                let digits = literal::decimal_integer(&lit.to_string())
                    .ok_or_else(|| unsupported_in_concat(&tokens[i + 1]))?;
                value.push('-');
                value.push_str(&digits);
                span = lit.span();
                i += 2;
            }
            TokenTree::Ident(id)
                if id.to_string() == "concat" && is_punct(tokens.get(i + 1), '!') =>
            {
                let Some(TokenTree::Group(inner)) = tokens.get(i + 2) else {
                    return Err(unsupported_in_concat(tt));
                };
                concat(inner, value, pieces)?;
                i += 3;
            }
            _ => return Err(unsupported_in_concat(tt)),
        }
        if !matches!(tt, TokenTree::Ident(id) if id.to_string() == "concat") {
            pieces.push(Piece {
                range: start..value.len(),
                span,
            });
        }
        match tokens.get(i) {
            None => {}
            Some(TokenTree::Punct(p)) if p.as_char() == ',' => i += 1,
            Some(_) => return Err(extra_token(&tokens[i..])),
        }
    }
    Ok(())
}

fn unsupported_in_concat(tt: &TokenTree) -> Error {
    error(
        tt.span(),
        format!(
            "`neon_url!` evaluates `concat!` of literals only (strings, characters, integers, \
             `true`/`false`), and `{tt}` is not one; {RUNTIME_HINT}"
        ),
    )
}

/// How serious a finding is inside `neon_url!`: the rule's default level, except
/// `hardcoded-credentials`, which is a warning here (see the crate documentation).
fn macro_level(finding: &UrlFinding) -> Level {
    if finding.rule.name == "hardcoded-credentials" {
        Level::Warn
    } else {
        finding.rule.default_level
    }
}

/// The span of the literal that holds byte `at` of the value.
fn span_at(call: &Call, at: usize) -> Span {
    call.pieces
        .iter()
        .find(|p| p.range.contains(&at))
        .or(call.pieces.last().filter(|p| at >= p.range.end))
        .or(call.pieces.first())
        .map_or_else(Span::call_site, |p| p.span)
}

/// Message lines after the first: rustc already aligns them under the first line's text.
const INDENT: &str = "  ";

fn expand(call: &Call) -> TokenStream {
    let ctx = UrlContext {
        role: match call.form {
            Form::Direct => Role::Migration,
            Form::Pooled => Role::App,
            Form::Any => Role::Unknown,
        },
        role_evidence: (call.form == Form::Direct)
            .then(|| "`neon_url!(direct, ...)` marks a migration URL".to_string()),
        placement: Placement::Tracked,
        ..UrlContext::default()
    };
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for f in neon_lint_core::check_url_with(&call.value, &ctx) {
        let text = format!(
            "{}\n{}",
            render::headline(&f),
            render::body(&call.value, &call.excerpt, &f, INDENT).trim_end()
        );
        let span = span_at(call, f.span.start);
        match macro_level(&f) {
            Level::Error => errors.push((text, span)),
            Level::Warn => warnings.push((warning_name(&f, &warnings), text, span)),
            Level::Info | Level::Allow => {}
        }
    }
    if call.form == Form::Pooled {
        if let Some((text, at)) = not_pooled(call, &ctx) {
            errors.push((text, span_at(call, at)));
        }
    }
    if errors.is_empty() && warnings.is_empty() {
        return TokenStream::from(call.output.clone());
    }
    // `{ compile_error!{..} ... mod neon_url { #[deprecated] pub const ..; } let _ = ..; "lit" }`
    let mut block = TokenStream::new();
    for (text, span) in &errors {
        block.extend(compile_error(text, *span));
    }
    if !warnings.is_empty() {
        block.extend(warning_items(&warnings));
    }
    block.extend([call.output.clone()]);
    TokenStream::from(TokenTree::Group(Group::new(Delimiter::Brace, block)))
}

/// `NL007_WRONG_PORT`, with a number when the same rule fires twice.
fn warning_name(f: &UrlFinding, earlier: &[(String, String, Span)]) -> String {
    let base = format!(
        "{}_{}",
        f.rule.code,
        f.rule.name.replace('-', "_").to_ascii_uppercase()
    );
    let n = earlier
        .iter()
        .filter(|(name, _, _)| name.starts_with(&base))
        .count();
    if n == 0 {
        base
    } else {
        format!("{base}_{}", n + 1)
    }
}

/// `neon_url!(pooled, ...)` on a Neon host that is not the pooler: the message and where.
fn not_pooled(call: &Call, ctx: &UrlContext) -> Option<(String, usize)> {
    let input = UrlInput::new(&call.value, ctx);
    if !input.is_neon() || input.is_pooled() {
        return None;
    }
    let host = input
        .hosts
        .iter()
        .find_map(|(h, c)| c.neon().map(|n| (h, n)));
    let help = match host {
        Some((h, n)) if n.endpoint_id.is_some() => format!(
            "use the pooled host `{}` (serverless application code opens many short connections: \
             PgBouncer in front of Postgres absorbs them), or `neon_url!(direct, ...)` for migrations",
            h.replacen(&n.first_label, &format!("{}-pooler", n.first_label), 1)
        ),
        _ => "use your endpoint's `-pooler` host, or `neon_url!(direct, ...)` for migrations".to_string(),
    };
    let span = input.host_span();
    let shown = host.map_or_else(String::new, |(h, _)| format!(" `{h}`"));
    let mut text = format!("direct Neon host{shown} in `neon_url!(pooled, ...)`\n");
    text.push_str(&render::snippet(
        &call.value,
        &call.excerpt,
        span.clone(),
        "not a `-pooler` host",
        INDENT,
    ));
    text.push_str(&format!(
        "{INDENT}help: {}",
        neon_lint_core::redact::redact(&help)
    ));
    Some((text, span.start))
}

/// `::core::compile_error! { "message" }` with every token on `span`, so that rustc points
/// at the user's literal.
fn compile_error(message: &str, span: Span) -> TokenStream {
    let mut lit = Literal::string(message);
    lit.set_span(span);
    let tokens: Vec<TokenTree> = path(&["core", "compile_error"], span)
        .into_iter()
        .chain([
            punct('!', Spacing::Alone, span),
            group(
                Delimiter::Brace,
                [TokenTree::Literal(lit)].into_iter().collect(),
                span,
            ),
        ])
        .collect();
    tokens.into_iter().collect()
}

/// The `#[deprecated]` warnings: a module of deprecated constants, and one use of each
/// spanned on the literal (rustc reports a lint only where the user's own tokens are; the
/// rest is spanned at the call site, so that other lints treat it as macro output).
fn warning_items(warnings: &[(String, String, Span)]) -> TokenStream {
    let site = Span::call_site();
    let mut consts = TokenStream::new();
    for (name, text, _) in warnings {
        // #[deprecated(note = "...")] pub const NAME: () = ();
        let mut note = Literal::string(text);
        note.set_span(site);
        let args: TokenStream = [
            TokenTree::Ident(Ident::new("note", site)),
            punct('=', Spacing::Alone, site),
            TokenTree::Literal(note),
        ]
        .into_iter()
        .collect();
        let attr: TokenStream = [
            TokenTree::Ident(Ident::new("deprecated", site)),
            group(Delimiter::Parenthesis, args, site),
        ]
        .into_iter()
        .collect();
        consts.extend([
            punct('#', Spacing::Alone, site),
            group(Delimiter::Bracket, attr, site),
            TokenTree::Ident(Ident::new("pub", site)),
            TokenTree::Ident(Ident::new("const", site)),
            TokenTree::Ident(Ident::new(name, site)),
            punct(':', Spacing::Alone, site),
            group(Delimiter::Parenthesis, TokenStream::new(), site),
            punct('=', Spacing::Alone, site),
            group(Delimiter::Parenthesis, TokenStream::new(), site),
            punct(';', Spacing::Alone, site),
        ]);
    }
    let mut out: Vec<TokenTree> = vec![
        TokenTree::Ident(Ident::new("mod", site)),
        TokenTree::Ident(Ident::new("neon_url", site)),
        group(Delimiter::Brace, consts, site),
    ];
    for (name, _, span) in warnings {
        // let () = neon_url::NAME;   (the path on the literal: that is where the warning shows)
        out.extend([
            TokenTree::Ident(Ident::new("let", site)),
            group(Delimiter::Parenthesis, TokenStream::new(), site),
            punct('=', Spacing::Alone, site),
            TokenTree::Ident(Ident::new("neon_url", *span)),
            punct(':', Spacing::Joint, *span),
            punct(':', Spacing::Alone, *span),
            TokenTree::Ident(Ident::new(name, *span)),
            punct(';', Spacing::Alone, site),
        ]);
    }
    out.into_iter().collect()
}

/// `::a::b` on `span`.
fn path(segments: &[&str], span: Span) -> Vec<TokenTree> {
    let mut out = Vec::new();
    for s in segments {
        out.push(punct(':', Spacing::Joint, span));
        out.push(punct(':', Spacing::Alone, span));
        out.push(TokenTree::Ident(Ident::new(s, span)));
    }
    out
}

fn punct(c: char, spacing: Spacing, span: Span) -> TokenTree {
    let mut p = Punct::new(c, spacing);
    p.set_span(span);
    TokenTree::Punct(p)
}

fn group(delimiter: Delimiter, stream: TokenStream, span: Span) -> TokenTree {
    let mut g = Group::new(delimiter, stream);
    g.set_span(span);
    TokenTree::Group(g)
}
