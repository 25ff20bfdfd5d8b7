use super::missing_sni::endpoint_option;
use crate::rule::{Applicability, Edit, Fix, UrlFinding};
use crate::url::UrlInput;

crate::declare_rule! {
    /// ## What it does
    /// Finds `options=endpoint%3DX` (or the older `project=X`) on a Neon host whose first
    /// label is not `X`.
    ///
    /// ## Why is this bad?
    /// When a client sends both a server name (SNI) and an endpoint option, Neon's proxy
    /// requires them to be identical, and otherwise refuses the connection:
    ///
    /// ```text
    /// Inconsistent project name inferred from SNI ('ep-a-pooler') and project option ('ep-b')
    /// ```
    ///
    /// The SNI of a pooled host is its whole first label, `-pooler` included, so an option
    /// copied from the direct host mismatches the pooled one.
    ///
    /// ## Example
    /// ```text
    /// postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require&options=endpoint%3Dep-other-1
    /// ```
    ///
    /// ## Use instead
    /// Drop the option (every current driver sends SNI), or make it the first host label
    /// verbatim.
    pub static ENDPOINT_MISMATCH = {
        code: "NL006",
        name: "endpoint-mismatch",
        level: Error,
        group: ConnectionString,
        summary: "`options=endpoint%3DX` does not match the host's endpoint",
        fixable: false,
    };
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    let Some(info) = url.info() else { return };
    let Some(neon) = url.neon() else { return };
    let Some(p) = info.get("options") else { return };
    let Some(x) = endpoint_option(&p.value) else {
        return;
    };
    if x.eq_ignore_ascii_case(&neon.first_label) {
        return;
    }
    let label = &neon.first_label;
    out.push(UrlFinding {
        rule: &ENDPOINT_MISMATCH,
        span: p.span.clone(),
        message: format!("endpoint option `{x}` does not match the host's endpoint `{label}`"),
        label: "Neon refuses a connection whose SNI and endpoint option differ".into(),
        help: Some(format!(
            "remove the option (the host name already names the endpoint), or use `endpoint={label}`"
        )),
        secondary: vec![(url.host_span(), format!("SNI sends `{label}`"))],
        fix: (p.value.trim() == format!("endpoint={x}")).then(|| Fix {
            applicability: Applicability::Unsafe,
            title: format!("use `endpoint={label}`"),
            edits: vec![Edit {
                range: p.value_span.clone(),
                content: format!("endpoint%3D{label}"),
            }],
        }).filter(|_| info.syntax == crate::conninfo::Syntax::Uri),
    });
}
