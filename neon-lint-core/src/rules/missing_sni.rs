use crate::neon::{is_ip_literal, is_local};
use crate::rule::UrlFinding;
use crate::url::UrlInput;

crate::declare_rule! {
    /// ## What it does
    /// Finds Neon credentials used where no TLS SNI can tell Neon's proxy which endpoint is
    /// meant: an IP address as host, `hostaddr` without a `*.neon.tech` host, or `sslsni=0`,
    /// with no `options=endpoint%3D<endpoint-id>` to name the endpoint instead. "Neon
    /// credentials" means an `endpoint=`/`project=` option or password prefix, a
    /// `*_owner` role, or an `npg_` password.
    ///
    /// ## Why is this bad?
    /// Neon's proxy routes each connection by the server name the client sends in the TLS
    /// handshake. Without it the connection fails:
    ///
    /// ```text
    /// ERROR: The endpoint ID is not specified. Either upgrade the Postgres client library (libpq) for SNI support or pass the endpoint ID (the first part of the domain name) as a parameter: '&options=endpoint%3D'. See https://neon.com/sni
    /// ```
    ///
    /// tokio-postgres refuses earlier, with `no hostname provided for TLS handshake`.
    ///
    /// ## Example
    /// ```text
    /// host=10.0.0.5 user=neondb_owner dbname=neondb sslmode=require
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// host=ep-cool-rain-123456.us-east-2.aws.neon.tech user=neondb_owner dbname=neondb sslmode=require
    /// host=10.0.0.5 user=neondb_owner dbname=neondb sslmode=require options=endpoint=ep-cool-rain-123456
    /// ```
    pub static MISSING_SNI = {
        code: "NL005",
        name: "missing-sni",
        level: Error,
        group: ConnectionString,
        summary: "Neon credentials where no SNI reaches Neon (IP host, `hostaddr`, `sslsni=0`) and no endpoint option",
        fixable: false,
    };
}

/// Whether `options` names the endpoint (`endpoint=X` or the older `project=X`).
pub(crate) fn endpoint_option(options: &str) -> Option<&str> {
    options
        .split(|c: char| c.is_ascii_whitespace())
        .find_map(|w| {
            w.strip_prefix("endpoint=")
                .or_else(|| w.strip_prefix("project="))
        })
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    let Some(info) = url.info() else { return };
    let options = info.value("options").unwrap_or_default();
    if endpoint_option(&options).is_some() {
        return;
    }
    let password = info.value("password").unwrap_or_default();
    if password.starts_with("endpoint=") || password.starts_with("project=") {
        return;
    }
    let user = info.value("user").unwrap_or_default();
    let neon_credentials = user.ends_with("_owner") || password.starts_with("npg_");
    let sslsni_off = info.get("sslsni").filter(|p| p.value == "0");

    if let Some(p) = sslsni_off {
        if url.is_neon() || neon_credentials {
            out.push(finding(
                url,
                p.span.clone(),
                "`sslsni=0` turns off the server name Neon routes by",
            ));
        }
        return;
    }
    if url.is_neon() {
        return;
    }
    if !neon_credentials {
        return;
    }
    let hosts = info.hosts();
    let hostaddr = info.get("hostaddr");
    let no_name = hosts.iter().all(|h| is_ip_literal(h));
    if hosts.iter().any(|h| is_local(h) && !is_ip_literal(h)) {
        return;
    }
    if let Some(ha) = hostaddr.filter(|_| hosts.is_empty()) {
        out.push(finding(
            url,
            ha.span.clone(),
            "`hostaddr` without a `*.neon.tech` host sends no server name",
        ));
    } else if !hosts.is_empty() && no_name {
        out.push(finding(
            url,
            url.host_span(),
            "an IP address as host sends no server name",
        ));
    }
}

fn finding(url: &UrlInput, span: std::ops::Range<usize>, label: &str) -> UrlFinding {
    UrlFinding {
        rule: &MISSING_SNI,
        span,
        message: "Neon credentials without SNI: the proxy cannot tell which endpoint is meant"
            .into(),
        label: label.into(),
        help: Some(match url.neon().and_then(|n| n.endpoint_id.clone()) {
            Some(ep) => {
                format!("connect by the `*.neon.tech` host name, or add `options=endpoint%3D{ep}`")
            }
            None => {
                "connect by the `*.neon.tech` host name, or add `options=endpoint%3D<endpoint-id>`"
                    .into()
            }
        }),
        secondary: Vec::new(),
        fix: None,
    }
}
