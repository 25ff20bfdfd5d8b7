use crate::rule::UrlFinding;
use crate::url::UrlInput;

crate::declare_rule! {
    /// ## What it does
    /// Finds Neon hosts with an explicit port other than 5432.
    ///
    /// ## Why is this bad?
    /// Neon serves both pooled and direct connections on the default PostgreSQL port, 5432.
    /// The pooler is chosen by the `-pooler` suffix on the host name, not by a port; 6432
    /// (PgBouncer's usual port) is a common wrong guess and the connection times out.
    ///
    /// ## Example
    /// ```text
    /// postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech:6432/neondb
    /// ```
    ///
    /// ## Use instead
    /// ```text
    /// postgresql://alex@ep-cool-rain-123456-pooler.us-east-2.aws.neon.tech/neondb
    /// ```
    pub static WRONG_PORT = {
        code: "NL007",
        name: "wrong-port",
        level: Warn,
        group: ConnectionString,
        summary: "Neon host with a port other than 5432",
        fixable: false,
    };
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    let Some(info) = url.info() else { return };
    let ports: Vec<String> = info
        .value("port")
        .map(|v| {
            v.split(',')
                .take(crate::conninfo::MAX_HOSTS)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    for (i, (_, class)) in url.hosts.iter().enumerate() {
        if class.neon().is_none() {
            continue;
        }
        // libpq: a single port applies to every host.
        let port = if ports.len() == 1 {
            ports.first()
        } else {
            ports.get(i)
        };
        let Some(port) = port.filter(|p| !p.is_empty() && p.as_str() != "5432") else {
            continue;
        };
        let span = info
            .uri_hosts
            .get(i)
            .and_then(|h| h.port_span.clone())
            .or_else(|| info.get("port").map(|p| p.span.clone()))
            .unwrap_or(0..url.text.len());
        let hint = if port == "6432" {
            " (the pooler is the `-pooler` host, not port 6432)"
        } else {
            ""
        };
        out.push(UrlFinding {
            rule: &WRONG_PORT,
            span,
            message: format!("Neon listens on port 5432, not {port}"),
            label: format!("port {port}{hint}"),
            help: Some("remove the port or use 5432".into()),
            secondary: Vec::new(),
            fix: None,
        });
        return;
    }
}
