use crate::neon::Cloud;
use crate::rule::UrlFinding;
use crate::url::UrlInput;

crate::declare_rule! {
    /// ## What it does
    /// Finds Neon hosts in Azure regions (`*.azure.neon.tech`).
    ///
    /// ## Why is this bad?
    /// Neon's Azure regions (`azure-eastus2`, `azure-westus3`, `azure-gwc`) are deprecated
    /// and unsupported from 2026-08-27: the host stops answering.
    ///
    /// ## Use instead
    /// Move the project to an AWS region (Neon's region migration) and update the URL.
    pub static DEPRECATED_REGION = {
        code: "NL008",
        name: "deprecated-region",
        level: Warn,
        group: ConnectionString,
        summary: "Neon host in a deprecated Azure region",
        fixable: false,
    };
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    let Some(neon) = url.neon() else { return };
    if neon.cloud != Some(Cloud::Azure) {
        return;
    }
    let region = match &neon.region {
        Some(r) => format!("Neon's Azure region `{r}`"),
        None => "Neon's Azure regions are".into(),
    };
    let verb = if neon.region.is_some() { " is" } else { "" };
    out.push(UrlFinding {
        rule: &DEPRECATED_REGION,
        span: url.host_span(),
        message: format!("{region}{verb} unsupported from 2026-08-27"),
        label: "Azure region".into(),
        help: Some("migrate the project to an AWS region and update the host".into()),
        secondary: Vec::new(),
        fix: None,
    });
}
