//! `--statistics`: one line per rule that fired, like `ruff --statistics`: the count, the
//! code, `[*]` when some of its findings have a safe fix, and the rule's name; most
//! frequent first. Rule names and codes are all it prints, so nothing needs redacting.

use std::collections::BTreeMap;

use neon_lint_core::RuleMeta;
use serde_json::json;

use crate::diagnostic::Diagnostic;

struct Row {
    rule: &'static RuleMeta,
    count: usize,
    fixable: bool,
}

fn rows(diags: &[Diagnostic]) -> Vec<Row> {
    let mut by_code: BTreeMap<&'static str, Row> = BTreeMap::new();
    for d in diags {
        let row = by_code.entry(d.rule.code).or_insert(Row {
            rule: d.rule,
            count: 0,
            fixable: false,
        });
        row.count += 1;
        row.fixable |= d
            .fix
            .as_ref()
            .is_some_and(|f| f.applicability == neon_lint_core::rule::Applicability::Safe);
    }
    let mut rows: Vec<Row> = by_code.into_values().collect();
    // Stable: equal counts stay in code order.
    rows.sort_by_key(|r| std::cmp::Reverse(r.count));
    rows
}

/// The table as text.
pub fn text(diags: &[Diagnostic]) -> String {
    let rows = rows(diags);
    let width = rows.first().map_or(1, |r| r.count.to_string().len());
    let mut s = String::new();
    for r in rows {
        let fix = if r.fixable { "[*] " } else { "" };
        s.push_str(&format!(
            "{:>width$}\t{}\t{fix}{}\n",
            r.count, r.rule.code, r.rule.name
        ));
    }
    s
}

/// The table as a JSON array (`--statistics --format json`).
pub fn json(diags: &[Diagnostic]) -> String {
    let items: Vec<serde_json::Value> = rows(diags)
        .into_iter()
        .map(|r| {
            json!({
                "code": r.rule.code,
                "name": r.rule.name,
                "count": r.count,
                "fixable": r.fixable,
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".into());
    s.push('\n');
    s
}
