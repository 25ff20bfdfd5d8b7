//! What a host name says about a Neon database: endpoint, pooled or direct, region, cloud.
//!
//! Neon host names are `ep-<words>-<id>[-pooler].[c-N.]<region>.<cloud>.neon.tech`. The first
//! label is the compute endpoint; a `-pooler` suffix on it selects PgBouncer in transaction
//! mode. Region must not be read as "the second label": cell hosts (`c-2.`) put it third.

/// The cloud a Neon region runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cloud {
    /// `*.aws.neon.tech`.
    Aws,
    /// `*.azure.neon.tech` (deprecated regions, unsupported from 2026-08-27).
    Azure,
}

/// The forms a Neon host name takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NeonForm {
    /// `ep-...[-pooler].[c-N.]region.cloud.neon.tech`.
    Endpoint,
    /// `<project>.cloud.neon.tech` (before November 2022).
    LegacyProject,
    /// `pg.neon.tech` (passwordless psql).
    Passwordless,
    /// Any other `*.neon.tech` name (private networking, reserved labels...).
    Other,
}

/// A host name under `neon.tech`, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeonHost {
    /// The first label as written, lower-cased (`ep-cool-rain-123456-pooler`): what SNI carries.
    pub first_label: String,
    /// The endpoint id without `-pooler` (`ep-cool-rain-123456`), for endpoint hosts.
    pub endpoint_id: Option<String>,
    /// Whether the first label ends in `-pooler`.
    pub pooled: bool,
    /// `c-2` on cell hosts.
    pub cell: Option<String>,
    /// `us-east-2`, `eastus2`...
    pub region: Option<String>,
    /// AWS or Azure, when the name says.
    pub cloud: Option<Cloud>,
    /// Which form the name has.
    pub form: NeonForm,
}

/// How a host was classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostClass {
    /// A `*.neon.tech` host.
    Neon(NeonHost),
    /// A host the configuration says is a pooler (PgBouncer in transaction mode).
    ConfiguredPooled,
    /// A host the configuration says is a direct database host.
    ConfiguredDirect,
    /// Anything else: local databases, other providers, IP addresses, sockets.
    Other,
}

impl HostClass {
    /// Whether this host is behind a transaction-mode pooler.
    pub fn is_pooled(&self) -> bool {
        match self {
            HostClass::Neon(n) => n.pooled,
            HostClass::ConfiguredPooled => true,
            _ => false,
        }
    }

    /// Whether this host is a known direct (non-pooled) host.
    pub fn is_direct(&self) -> bool {
        match self {
            HostClass::Neon(n) => !n.pooled && n.form == NeonForm::Endpoint,
            HostClass::ConfiguredDirect => true,
            _ => false,
        }
    }

    /// The Neon details, when this is a Neon host.
    pub fn neon(&self) -> Option<&NeonHost> {
        match self {
            HostClass::Neon(n) => Some(n),
            _ => None,
        }
    }
}

/// Classifies a host name (case-insensitive; a trailing dot is ignored).
///
/// ```
/// use neon_lint_core::neon::{classify_host, Cloud};
/// let h = classify_host("ep-cool-rain-123456-pooler.c-2.us-east-2.aws.neon.tech");
/// let n = h.neon().unwrap();
/// assert!(n.pooled);
/// assert_eq!(n.endpoint_id.as_deref(), Some("ep-cool-rain-123456"));
/// assert_eq!(n.region.as_deref(), Some("us-east-2"));
/// assert_eq!(n.cloud, Some(Cloud::Aws));
/// assert!(classify_host("db.example.com").neon().is_none());
/// ```
pub fn classify_host(host: &str) -> HostClass {
    let lower = host.trim_end_matches('.').to_ascii_lowercase();
    if lower != "neon.tech" && !lower.ends_with(".neon.tech") {
        return HostClass::Other;
    }
    let labels: Vec<&str> = lower.split('.').collect();
    // labels ends with ["neon", "tech"].
    let inner = &labels[..labels.len() - 2];
    let first = inner.first().copied().unwrap_or("");
    let pooled = first.ends_with("-pooler");
    let mut host = NeonHost {
        first_label: first.to_string(),
        endpoint_id: None,
        pooled,
        cell: None,
        region: None,
        cloud: None,
        form: NeonForm::Other,
    };
    match inner {
        ["pg"] => host.form = NeonForm::Passwordless,
        [_project, "cloud"] => host.form = NeonForm::LegacyProject,
        [ep, rest @ ..] if ep.starts_with("ep-") && is_endpoint_label(ep) => {
            host.endpoint_id = Some(ep.trim_end_matches("-pooler").to_string());
            let (cell, rest) = match rest {
                [c, tail @ ..] if is_cell_label(c) => (Some(c.to_string()), tail),
                _ => (None, rest),
            };
            if let [region, cloud] = rest {
                host.cloud = match *cloud {
                    "aws" => Some(Cloud::Aws),
                    "azure" => Some(Cloud::Azure),
                    _ => None,
                };
                if host.cloud.is_some() {
                    host.region = Some(region.to_string());
                    host.cell = cell;
                    host.form = NeonForm::Endpoint;
                }
            } else if let [cloud] = rest {
                // Bare `ep-x.aws.neon.tech`-style names still name an endpoint.
                host.cloud = match *cloud {
                    "aws" => Some(Cloud::Aws),
                    "azure" => Some(Cloud::Azure),
                    _ => None,
                };
                host.form = NeonForm::Endpoint;
            } else {
                host.form = NeonForm::Endpoint;
            }
        }
        _ => {}
    }
    if rest_is_azure(&labels) && host.cloud.is_none() {
        host.cloud = Some(Cloud::Azure);
    }
    HostClass::Neon(host)
}

fn rest_is_azure(labels: &[&str]) -> bool {
    labels.len() >= 3 && labels[labels.len() - 3] == "azure"
}

fn is_endpoint_label(label: &str) -> bool {
    label.len() > 3
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn is_cell_label(label: &str) -> bool {
    label
        .strip_prefix("c-")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// Whether `host` is an IP address literal (v4 or v6), which carries no SNI.
pub fn is_ip_literal(host: &str) -> bool {
    host.parse::<std::net::IpAddr>().is_ok()
}

/// Whether `host` is a Unix-socket directory (libpq treats a leading `/` or `@` that way).
pub fn is_socket_path(host: &str) -> bool {
    host.starts_with('/') || host.starts_with('@')
}

/// Whether `host` points at the local machine.
pub fn is_local(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h.is_empty()
        || h == "localhost"
        || h.ends_with(".localhost")
        || h == "127.0.0.1"
        || h == "::1"
        || h == "0.0.0.0"
        || is_socket_path(&h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_the_documented_forms() {
        let n = classify_host("EP-Cool-Darkness-A1B2C3D4.US-East-2.AWS.Neon.Tech.")
            .neon()
            .cloned()
            .unwrap();
        assert!(!n.pooled);
        assert_eq!(n.endpoint_id.as_deref(), Some("ep-cool-darkness-a1b2c3d4"));
        assert_eq!(n.form, NeonForm::Endpoint);

        let az = classify_host("ep-x-pooler.eastus2.azure.neon.tech");
        let az = az.neon().unwrap();
        assert_eq!(az.cloud, Some(Cloud::Azure));
        assert!(az.pooled);
        assert_eq!(az.region.as_deref(), Some("eastus2"));

        let cell = classify_host("ep-a-b-1.c-7.eu-central-1.aws.neon.tech");
        assert_eq!(cell.neon().unwrap().cell.as_deref(), Some("c-7"));
        assert_eq!(cell.neon().unwrap().region.as_deref(), Some("eu-central-1"));

        assert_eq!(
            classify_host("myproj.cloud.neon.tech").neon().unwrap().form,
            NeonForm::LegacyProject
        );
        assert_eq!(
            classify_host("pg.neon.tech").neon().unwrap().form,
            NeonForm::Passwordless
        );
        assert_eq!(classify_host("neon.tech.evil.com"), HostClass::Other);
        assert_eq!(classify_host("notneon.tech"), HostClass::Other);
    }
}
