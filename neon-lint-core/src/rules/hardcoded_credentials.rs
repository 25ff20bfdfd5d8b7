use super::secrets::is_real_password;
use crate::rule::UrlFinding;
use crate::url::{Placement, UrlInput};

crate::declare_rule! {
    /// ## What it does
    /// Finds Neon connection strings with a real-looking password in files that belong in
    /// version control: source code, config files, CI workflows, Dockerfiles, docs.
    /// Placeholders (`AbC123dEf`, `****`, `${PASSWORD}`, `{password}`, format holes) are not
    /// passwords. The password is never printed: output shows `****`.
    ///
    /// A password written beside the host rather than in a URL counts the same: libpq's
    /// `PGPASSWORD` set with a Neon `PGHOST` in one environment (a `.env` file, a Dockerfile's
    /// `ENV`s, a compose service's `environment:`, a CI step's, job's and workflow's `env:`),
    /// `password="..."` beside a Neon `host=` in a driver call, Django's `DATABASES`
    /// `PASSWORD`, and Spring Boot's `spring.datasource.password` (or `spring.flyway.*`,
    /// `spring.liquibase.*`, `spring.r2dbc.*`) beside a Neon `url` in `application*.properties`
    /// or `application*.yml`; and a `.pgpass` (or `pgpass.conf`) line for a Neon host when git
    /// tracks the file (a local, untracked one is where a password belongs).
    ///
    /// ## Why is this bad?
    /// Anyone who can read the repository can connect to the database. GitHub's partner
    /// pattern for Neon connection URIs alerts only on public repositories and has no push
    /// protection, so nothing else stops it. A password that reached a commit must be
    /// rotated, not just removed.
    ///
    /// ## Example
    /// ```rust,ignore
    /// let url = "postgresql://alex:****@ep-cool-rain-123456.us-east-2.aws.neon.tech/neondb?sslmode=require";
    /// ```
    ///
    /// ## Use instead
    /// ```rust,ignore
    /// let url = std::env::var("DATABASE_URL")?;
    /// ```
    /// and reset the role's password in the Neon console (or `POST .../roles/{role}/reset_password`).
    pub static HARDCODED_CREDENTIALS = {
        code: "NL060",
        name: "hardcoded-credentials",
        level: Error,
        group: Secrets,
        summary: "Neon URL with a real password in a tracked file",
        fixable: false,
    };
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    if !matches!(
        url.ctx.placement,
        Placement::Tracked | Placement::Docs | Placement::Example
    ) || !url.is_neon()
    {
        return;
    }
    // A typo'd parameter does not make a committed password less committed.
    let Some(info) = url.info_recovered() else {
        return;
    };
    let Some(pw) = info.password_params().last() else {
        return;
    };
    if !is_real_password(&pw.value) {
        return;
    }
    out.push(UrlFinding {
        rule: &HARDCODED_CREDENTIALS,
        span: pw.value_span.clone(),
        message: "Neon password committed in a connection string".into(),
        label: "password (shown as ****)".into(),
        help: Some(
            "read the URL from the environment or a secret store, and rotate the password (it is in the history now)"
                .into(),
        ),
        secondary: Vec::new(),
        fix: None,
    });
}
