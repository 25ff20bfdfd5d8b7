//! Rust sources: every string literal (plain, raw, inside macro calls such as `format!`,
//! `neon_url!` or `sqlx::query!`), and `concat!` of literals. Doc comments are not code and
//! are skipped. Then the driver set-ups, migration runs and SQL uses, with the data flow
//! that says where their connection strings come from (`flow`). Parsed with syn, only for
//! files that passed the prefilter.

mod flow;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use syn::visit::Visit;

use super::{text, Cx};
use crate::site::{mark_placeholders, Container, OffsetMap, PiecesBuilder, Quoting, Syntax};

/// Deeper nesting than this is not parsed with syn (its recursion could exhaust the stack);
/// the file is scanned as text instead, with a note.
const MAX_NESTING: usize = 512;

/// syn also recurses once per link of an operator chain (`a + a + ...`, `.m().m()...`,
/// `else if` chains, `!!!...`, `V<V<...>>`): more links than this between two `;` are
/// scanned as text too. Real code stays far below it; 50,000 links overflow a 64 MiB stack.
const MAX_CHAIN: usize = 4096;

/// With `span-locations`, proc-macro2 keeps the text of every file parsed on a thread in a
/// thread-local source map for the thread's life: a worker that parses thousands of files
/// holds them all. Dropped last in [`extract`], after every span of the file is gone.
struct ForgetSpansOnDrop;

impl Drop for ForgetSpansOnDrop {
    fn drop(&mut self) {
        proc_macro2::extra::invalidate_current_thread_spans();
    }
}

pub(super) fn extract(cx: &mut Cx) {
    // Declared first, so dropped after the syntax tree (locals drop in reverse order).
    let _forget = ForgetSpansOnDrop;
    let text = &cx.file.text;
    if nesting_depth(text) > MAX_NESTING {
        cx.out.notes.push(format!(
            "nesting deeper than {MAX_NESTING} levels: scanned as text, not parsed"
        ));
        return text::extract(cx);
    }
    if longest_chain(text) > MAX_CHAIN {
        cx.out.notes.push(format!(
            "an expression chains more than {MAX_CHAIN} operators: scanned as text, not parsed"
        ));
        return text::extract(cx);
    }
    let file = match crate::timings::parsing(cx.file.kind, || syn::parse_file(text)) {
        Ok(f) => f,
        Err(e) => {
            let at = e.span().start();
            cx.out.notes.push(format!(
                "not valid Rust ({e} at {}:{}): scanned as text",
                at.line,
                at.column + 1
            ));
            return text::extract(cx);
        }
    };
    let mut v = Visitor {
        cx,
        literals: Vec::new(),
        direct_literals: Vec::new(),
        in_add: false,
        bound: Vec::new(),
        used: std::collections::HashSet::new(),
    };
    v.visit_file(&file);
    // A literal bound to a name that another value is built from (`format!("{BASE}db")`,
    // `BASE.to_owned() + x`) or that is changed later (`url.push_str(..)`): shared.
    for (i, name) in std::mem::take(&mut v.bound) {
        if v.used.contains(&name) {
            if let Some(l) = v.literals.get_mut(i) {
                let mut b = PiecesBuilder::default();
                b.shared(l.value.len(), l.map.clone());
                l.map = b.build();
            }
        }
    }
    let literals = std::mem::take(&mut v.literals);
    let direct = std::mem::take(&mut v.direct_literals);
    for (i, lit) in literals.into_iter().enumerate() {
        let before = v.cx.out.urls.len();
        v.cx.string_value(&lit.value, lit.map, Container::RustLiteral, None);
        // `neon_url!(direct, "...")` declares the string a migration (direct) URL.
        if direct.contains(&i) {
            if let Some(site) = v.cx.out.urls.get_mut(before) {
                site.role = neon_lint_core::Role::Migration;
                site.role_evidence = Some("`neon_url!(direct, ...)`".into());
            }
        }
    }
    // Driver set-ups, migration runs and SQL, with where their connection strings come from.
    let facts = flow::analyze(v.cx.file, &file);
    v.cx.out.rust = Some(Box::new(facts));
}

pub(crate) struct Literal {
    pub(crate) value: String,
    pub(crate) map: OffsetMap,
}

struct Visitor<'c, 'a> {
    cx: &'c mut Cx<'a>,
    literals: Vec<Literal>,
    /// Indices into `literals` written inside `neon_url!(direct, ...)`.
    direct_literals: Vec<usize>,
    /// Inside `a + b` / `s += b`: a literal there is a piece of a value built at run time.
    in_add: bool,
    /// Literals (indices into `literals`) written in the value of `const`/`static`/`let`
    /// NAME.
    bound: Vec<(usize, String)>,
    /// Names whose value becomes part of another value, or is changed after its binding.
    used: std::collections::HashSet<String>,
}

impl Visitor<'_, '_> {
    fn span_range(&self, span: proc_macro2::Span) -> std::ops::Range<usize> {
        let f = self.cx.file;
        let s = span.start();
        let e = span.end();
        f.lines.offset(&f.text, s.line, s.column)..f.lines.offset(&f.text, e.line, e.column)
    }

    fn literal_token(&mut self, lit: &proc_macro2::Literal) -> Option<Literal> {
        let range = self.span_range(lit.span());
        let raw = self.cx.file.text.get(range.clone())?;
        decode_str_literal(raw, range.start)
    }

    /// The string literals in a macro's tokens. In `concat!` they (and numbers) are pieces
    /// of one value; in a format macro the first is a template whose `{...}` are known only
    /// at run time, and the others are pieces of that template's value.
    fn scan_tokens(&mut self, tokens: TokenStream, kind: MacroKind) {
        let mut concat = ConcatParts::default();
        let mut prev_ident: Option<String> = None;
        let mut template_seen = false;
        // A value-building format macro whose template joins its arguments with text.
        let mut builds = kind == MacroKind::Format;
        for tt in tokens {
            match tt {
                TokenTree::Literal(lit) => {
                    let decoded = self.literal_token(&lit);
                    match (kind, decoded) {
                        (MacroKind::Concat, Some(l)) => concat.literal(l),
                        (MacroKind::Concat, None) => {
                            // `5432`, `true`, `'c'`: known text, not a string to edit.
                            let range = self.span_range(lit.span());
                            let text = lit.to_string();
                            concat.shared(text.trim_matches('\'').to_string(), range);
                        }
                        (MacroKind::Format | MacroKind::Message, Some(mut l)) => {
                            if !template_seen {
                                template_seen = true;
                                let holes = crate::site::placeholders(&l.value, &[Syntax::Braces]);
                                // `format!("{BASE}db")`: `BASE` is made part of a value
                                // (printing it, or `format!("{BASE}")` alone, is not).
                                let alone = holes.len() == 1 && holes[0] == (0..l.value.len());
                                builds = kind == MacroKind::Format && !alone;
                                for r in holes.iter().filter(|_| builds) {
                                    // `{BASE}`, `{BASE:?}`: a variable captured by name.
                                    let inner = &l.value
                                        [r.start + 1..r.end.saturating_sub(1).max(r.start + 1)];
                                    let name = inner.split([':', '.']).next().unwrap_or("");
                                    self.used.insert(name.trim().to_string());
                                }
                                l.map = mark_placeholders(&l.value, l.map, &[Syntax::Braces]);
                            } else {
                                let span = self.span_range(lit.span());
                                l.map = fragment(l.value.len(), l.map, span);
                            }
                            self.literals.push(l);
                        }
                        (MacroKind::Other, Some(l)) => self.literals.push(l),
                        (_, None) => {}
                    }
                    prev_ident = None;
                }
                TokenTree::Group(g) => {
                    // A macro nested inside another macro's tokens (`concat!(...)`,
                    // `format!(...)`); anything else in `concat!` is known at run time.
                    let inner = match prev_ident.as_deref() {
                        Some(name) if g.delimiter() != Delimiter::None => MacroKind::of(name),
                        _ => MacroKind::Other,
                    };
                    if kind == MacroKind::Concat {
                        concat.unknown(self.span_range(g.span()));
                    }
                    self.scan_tokens(g.stream(), inner);
                    prev_ident = None;
                }
                TokenTree::Ident(id) => {
                    if builds {
                        self.used.insert(id.to_string());
                    }
                    if kind == MacroKind::Concat {
                        concat.unknown(self.span_range(id.span()));
                    }
                    prev_ident = Some(id.to_string())
                }
                TokenTree::Punct(p) => {
                    if p.as_char() != '!' {
                        prev_ident = None;
                    }
                }
            }
        }
        if let Some(l) = concat.finish() {
            self.literals.push(l);
        }
    }
}

impl Visitor<'_, '_> {
    /// Literals `first..` were written in the value bound to `name`.
    fn bind(&mut self, first: usize, name: String) {
        for i in first..self.literals.len() {
            self.bound.push((i, name.clone()));
        }
    }
}

/// What a macro does with its string literals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MacroKind {
    /// `concat!`: joins literals (and numbers) into one string.
    Concat,
    /// `format!`, `write!`: the first literal is a template, the result a value.
    Format,
    /// `println!`, `panic!`, log macros: a template whose result is a message.
    Message,
    /// Anything else: each literal is a value of its own.
    Other,
}

impl MacroKind {
    fn of(name: &str) -> MacroKind {
        match name {
            "concat" => MacroKind::Concat,
            "format" | "format_args" | "write" | "writeln" => MacroKind::Format,
            "print" | "println" | "eprint" | "eprintln" | "panic" | "anyhow" | "bail"
            | "ensure" | "todo" | "unimplemented" | "unreachable" | "assert" | "assert_eq"
            | "assert_ne" | "debug_assert" | "debug_assert_eq" | "debug_assert_ne" | "trace"
            | "debug" | "info" | "warn" | "error" | "eyre" | "format_err" => MacroKind::Message,
            _ => MacroKind::Other,
        }
    }
}

/// A literal whose value is only a piece of one assembled at run time.
fn fragment(len: usize, map: OffsetMap, span: std::ops::Range<usize>) -> OffsetMap {
    let mut b = PiecesBuilder::default();
    b.literal(len, map, Quoting::Quoted);
    b.unknown(0, span);
    b.build()
}

/// The pieces of a `concat!`, in order.
#[derive(Default)]
struct ConcatParts {
    value: String,
    pieces: PiecesBuilder,
    strings: usize,
}

impl ConcatParts {
    fn literal(&mut self, l: Literal) {
        self.pieces.literal(l.value.len(), l.map, Quoting::Quoted);
        self.value.push_str(&l.value);
        self.strings += 1;
    }

    fn shared(&mut self, text: String, span: std::ops::Range<usize>) {
        self.pieces.shared(text.len(), OffsetMap::Opaque { span });
        self.value.push_str(&text);
    }

    fn unknown(&mut self, span: std::ops::Range<usize>) {
        self.pieces.unknown(0, span);
    }

    /// The joined value, when it holds a string at all.
    fn finish(self) -> Option<Literal> {
        (self.strings > 0).then(|| Literal {
            value: self.value,
            map: self.pieces.build(),
        })
    }
}

impl<'ast> Visit<'ast> for Visitor<'_, '_> {
    fn visit_attribute(&mut self, attr: &'ast syn::Attribute) {
        // Doc comments illustrate; they are not configuration.
        if attr.path().is_ident("doc") {
            return;
        }
        syn::visit::visit_attribute(self, attr);
    }

    fn visit_lit_str(&mut self, lit: &'ast syn::LitStr) {
        let range = self.span_range(lit.span());
        if let Some(raw) = self.cx.file.text.get(range.clone()) {
            if let Some(mut l) = decode_str_literal(raw, range.start) {
                if self.in_add {
                    l.map = fragment(l.value.len(), l.map, range);
                }
                self.literals.push(l);
            }
        }
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        let first = self.literals.len();
        syn::visit::visit_item_const(self, c);
        self.bind(first, c.ident.to_string());
    }

    fn visit_item_static(&mut self, c: &'ast syn::ItemStatic) {
        let first = self.literals.len();
        syn::visit::visit_item_static(self, c);
        self.bind(first, c.ident.to_string());
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        let first = self.literals.len();
        syn::visit::visit_local(self, l);
        let mut pat = &l.pat;
        while let syn::Pat::Type(t) = pat {
            pat = &t.pat;
        }
        if let syn::Pat::Ident(id) = pat {
            self.bind(first, id.ident.to_string());
        }
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if self.in_add {
            if let Some(id) = p.path.get_ident() {
                self.used.insert(id.to_string());
            }
        }
        syn::visit::visit_expr_path(self, p);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        // `url.push_str("?x=1")`: the value bound to `url` changes after its binding.
        let grows = matches!(
            m.method.to_string().as_str(),
            "push_str" | "push" | "insert_str" | "insert" | "extend" | "replace_range" | "truncate"
        );
        if grows {
            if let syn::Expr::Path(p) = &*m.receiver {
                if let Some(id) = p.path.get_ident() {
                    self.used.insert(id.to_string());
                }
            }
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_binary(&mut self, e: &'ast syn::ExprBinary) {
        let add = matches!(e.op, syn::BinOp::Add(_) | syn::BinOp::AddAssign(_));
        let outer = self.in_add;
        self.in_add |= add;
        syn::visit::visit_expr_binary(self, e);
        self.in_add = outer;
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let kind = mac
            .path
            .segments
            .last()
            .map_or(MacroKind::Other, |s| MacroKind::of(&s.ident.to_string()));
        let direct_form = mac
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "neon_url")
            && matches!(mac.tokens.clone().into_iter().next(), Some(TokenTree::Ident(i)) if i == "direct");
        let first = self.literals.len();
        self.scan_tokens(mac.tokens.clone(), kind);
        if direct_form {
            self.direct_literals.extend(first..self.literals.len());
        }
        syn::visit::visit_macro(self, mac);
    }
}

/// Decodes a Rust string literal token (`"..."`, `r"..."`, `r#"..."#`, with an optional
/// suffix-free form), returning its value and how value offsets map into the file.
pub(crate) fn decode_str_literal(raw: &str, file_start: usize) -> Option<Literal> {
    let b = raw.as_bytes();
    if b.first() == Some(&b'r') {
        let hashes = b[1..].iter().take_while(|&&c| c == b'#').count();
        let open = 1 + hashes;
        if b.get(open) != Some(&b'"') {
            return None;
        }
        let content_start = open + 1;
        let content_end = raw.len().checked_sub(1 + hashes)?;
        if content_end < content_start {
            return None;
        }
        return Some(Literal {
            value: raw[content_start..content_end].to_string(),
            map: OffsetMap::Identity {
                start: file_start + content_start,
            },
        });
    }
    if b.first() != Some(&b'"') {
        return None; // byte strings, chars, numbers
    }
    let end = raw.rfind('"')?;
    if end == 0 {
        return None;
    }
    let body = &raw[1..end];
    if !body.contains('\\') {
        return Some(Literal {
            value: body.to_string(),
            map: OffsetMap::Identity {
                start: file_start + 1,
            },
        });
    }
    let mut value = String::new();
    let mut table = Vec::new();
    let bb = body.as_bytes();
    let mut i = 0;
    while i < bb.len() {
        let at = file_start + 1 + i;
        if bb[i] == b'\\' && i + 1 < bb.len() {
            let (c, used) = match bb[i + 1] {
                b'n' => (Some('\n'), 2),
                b't' => (Some('\t'), 2),
                b'r' => (Some('\r'), 2),
                b'0' => (Some('\0'), 2),
                b'\\' => (Some('\\'), 2),
                b'"' => (Some('"'), 2),
                b'\'' => (Some('\''), 2),
                b'x' if i + 3 < bb.len() + 1 => {
                    let v = u8::from_str_radix(body.get(i + 2..i + 4).unwrap_or(""), 16).ok();
                    (v.map(char::from), 4)
                }
                b'u' => {
                    let close = body[i..].find('}').map(|c| i + c);
                    let v = close.and_then(|c| {
                        u32::from_str_radix(&body[i + 3..c].replace('_', ""), 16)
                            .ok()
                            .and_then(char::from_u32)
                    });
                    (v, close.map(|c| c + 1 - i).unwrap_or(2))
                }
                b'\n' | b'\r' => {
                    // Line continuation: skip the break and leading whitespace.
                    let mut j = i + 1;
                    while j < bb.len() && bb[j].is_ascii_whitespace() {
                        j += 1;
                    }
                    i = j;
                    continue;
                }
                _ => (None, 2),
            };
            if let Some(c) = c {
                for _ in 0..c.len_utf8() {
                    table.push(at);
                }
                value.push(c);
            }
            i += used;
            continue;
        }
        let ch = body[i..].chars().next().unwrap_or('\u{FFFD}');
        for k in 0..ch.len_utf8() {
            table.push(at + k);
        }
        value.push(ch);
        i += ch.len_utf8();
    }
    table.push(file_start + 1 + bb.len());
    Some(Literal {
        value,
        map: OffsetMap::Table(table),
    })
}

/// The deepest bracket nesting in `text` (a cheap guard before recursive parsing).
/// The most chain-forming tokens (binary and unary operators, `.`, `<`, `else`) between two
/// consecutive `;`, outside comments and string literals: a cheap upper bound on how deep
/// syn will recurse on one expression.
fn longest_chain(text: &str) -> usize {
    let b = text.as_bytes();
    let (mut run, mut max, mut i) = (0usize, 0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |e| i + e);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = memchr::memmem::find(&b[i + 2..], b"*/").map_or(b.len(), |e| i + 2 + e + 2);
                continue;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b';' => run = 0,
            b'+' | b'-' | b'*' | b'/' | b'.' | b'!' | b'<' | b'&' | b'|' | b'%' | b'^' => run += 1,
            b'e' if b[i..].starts_with(b"else") => run += 1,
            _ => {}
        }
        max = max.max(run);
        i += 1;
    }
    max
}

fn nesting_depth(text: &str) -> usize {
    let mut depth: usize = 0;
    let mut max = 0;
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_literals_with_maps() {
        let src = r#"x("a\"b")"#;
        let l = decode_str_literal(&src[2..8], 2).unwrap();
        assert_eq!(l.value, "a\"b");
        assert_eq!(l.map.offset(2), 6);
        let raw = decode_str_literal(r###"r#"q"z"#"###, 10).unwrap();
        assert_eq!(raw.value, "q\"z");
        assert_eq!(raw.map.offset(0), 13);
    }
}
