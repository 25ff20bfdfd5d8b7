use crate::rule::UrlFinding;
use crate::url::{Role, UrlInput};

crate::declare_rule! {
    /// ## What it does
    /// Finds application (not migration) connection strings that log in as a database owner
    /// role: `neondb_owner` or any `*_owner` role, which Neon creates with each database.
    ///
    /// ## Why is this bad?
    /// Owner roles are members of `neon_superuser` and own the schema: a bug or an injection
    /// in the application can drop tables. Least privilege is a separate role with only the
    /// grants the application needs. This is advice (`info`).
    ///
    /// ## Use instead
    /// ```sql
    /// CREATE ROLE app LOGIN PASSWORD '...';
    /// GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app;
    /// ```
    pub static OWNER_ROLE_IN_APP = {
        code: "NL064",
        name: "owner-role-in-app",
        level: Info,
        group: Secrets,
        summary: "application URL connecting as the database owner role",
        fixable: false,
    };
}

pub(crate) fn check(url: &UrlInput, out: &mut Vec<UrlFinding>) {
    if url.ctx.role == Role::Migration
        || matches!(
            url.ctx.placement,
            crate::url::Placement::Docs | crate::url::Placement::Example
        )
        || !url.is_neon()
    {
        return;
    }
    let Some(info) = url.info() else { return };
    let Some(user) = info.get("user") else { return };
    if !user.value.ends_with("_owner") {
        return;
    }
    out.push(UrlFinding {
        rule: &OWNER_ROLE_IN_APP,
        span: user.value_span.clone(),
        message: format!(
            "the application connects as the owner role `{}`",
            user.value
        ),
        label: "owner role".into(),
        help: Some("create an application role with only the grants it needs".into()),
        secondary: Vec::new(),
        fix: None,
    });
}
