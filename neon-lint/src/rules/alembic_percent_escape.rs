use super::connection_values::Judged;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::project::Project;
use crate::site::{ToolUrlKind, UrlSource};

neon_lint_core::declare_rule! {
    /// ## What it does
    /// Finds connection strings with a `%` put into Alembic's configuration without the
    /// `%%` escaping configparser needs: `sqlalchemy.url` in `alembic.ini`, and
    /// `config.set_main_option("sqlalchemy.url", ...)` in `env.py` given a literal, or a
    /// variable whose value in the project (`.env`, compose, CI) holds a `%`, without
    /// `.replace("%", "%%")`. Percent-encoded passwords (`p%40ss` for `p@ss`) are the usual
    /// source.
    ///
    /// ## Why is this bad?
    /// Alembic stores its options in a `configparser.ConfigParser` with interpolation, so
    /// every `%` starts an interpolation. A URL-encoded character breaks it when the option
    /// is read:
    ///
    /// ```text
    /// ValueError: invalid interpolation syntax in 'postgresql://alex:p%40ss@ep-...' at position 20
    /// ```
    ///
    /// (`configparser.InterpolationSyntaxError: '%' must be followed by '%' or '('`.)
    /// Alembic's own `set_main_option` documentation asks for `%%`.
    ///
    /// ## Example
    /// ```python
    /// config.set_main_option("sqlalchemy.url", os.environ["DATABASE_URL_UNPOOLED"])
    /// ```
    ///
    /// ## Use instead
    /// ```python
    /// config.set_main_option(
    ///     "sqlalchemy.url", os.environ["DATABASE_URL_UNPOOLED"].replace("%", "%%")
    /// )
    /// ```
    /// In `alembic.ini`, write `%%` for each `%`.
    ///
    /// ## References
    /// - Alembic: `Config.set_main_option` ("A raw percent sign not part of an interpolation
    ///   symbol must therefore be escaped, e.g. `%%`")
    pub static ALEMBIC_PERCENT_ESCAPE = {
        code: "NL051",
        name: "alembic-percent-escape",
        level: Warn,
        group: Python,
        summary: "URL with `%` put into Alembic config without `%%` escaping",
        fixable: false,
    };
}

pub(crate) use crate::configparser::bad_percent;

pub(super) fn check(project: &Project, _config: &Config, out: &mut Vec<Diagnostic>) {
    // alembic.ini
    for site in &project.urls {
        let is_ini = site.role_evidence.as_deref() == Some("alembic.ini `sqlalchemy.url`");
        if !is_ini {
            continue;
        }
        // The value as written: the extractor reads `%%` as `%`, as configparser does.
        let file = &project.files[site.file].text;
        let raw = file
            .get(site.map.range(0..site.text.len()))
            .unwrap_or(&site.text);
        let Some(at) = bad_percent(raw) else {
            continue;
        };
        let start = site.map.range(0..0).start;
        out.push(
            Diagnostic::new(
                &ALEMBIC_PERCENT_ESCAPE,
                site.file,
                start + at..start + at + 1,
                "`%` in `alembic.ini` `sqlalchemy.url` is not escaped as `%%`",
                "configparser reads this as an interpolation: `invalid interpolation syntax`",
            )
            .help("write `%%` for each `%` in alembic.ini"),
        );
    }
    // env.py set_main_option
    for t in &project.tool_urls {
        if t.kind != ToolUrlKind::AlembicMainOption || t.percent_escaped {
            continue;
        }
        for value in Judged::of(project, &t.url, t.file).values {
            let Some(at) = bad_percent(&value.text) else {
                continue;
            };
            let (message, secondary) = match &t.url {
                UrlSource::EnvVar(name) => (
                    format!(
                        "`{name}` holds a `%` (set in `{}`) and goes into Alembic's config without `.replace(\"%\", \"%%\")`",
                        project.files[value.file].display
                    ),
                    if value.file == t.file {
                        vec![(value.map.range(at..at + 1), "this `%`".to_string())]
                    } else {
                        Vec::new()
                    },
                ),
                _ => (
                    "URL with an unescaped `%` passed to `set_main_option`".to_string(),
                    vec![(value.map.range(at..at + 1), "this `%`".to_string())],
                ),
            };
            out.push(
                Diagnostic::new(
                    &ALEMBIC_PERCENT_ESCAPE,
                    t.file,
                    t.span.clone(),
                    message,
                    "configparser interpolation: `invalid interpolation syntax`",
                )
                .help("pass `url.replace(\"%\", \"%%\")`")
                .secondary(secondary),
            );
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::bad_percent;

    #[test]
    fn finds_unescaped_percent() {
        assert_eq!(bad_percent("postgresql://a:p%40s@h/db"), Some(16));
        assert_eq!(bad_percent("postgresql://a:p%%40s@h/db"), None);
        assert_eq!(bad_percent("%(here)s/x"), None);
        assert_eq!(bad_percent("no percent"), None);
    }
}
