//! Cloudflare Workers configuration (`wrangler.toml`, `wrangler.json`, `wrangler.jsonc`):
//! the Worker's entry module and whether `nodejs_compat` is on, for `tcp-driver-on-edge`.
//! Its string values are read as any TOML or JSON file's (connection strings in `[vars]`).

use toml_edit::{ImDocument, Item};

use super::Cx;
use crate::site::edge::WorkerConfig;

/// Whether `name` (lower case) is a Workers configuration file.
pub(super) fn is_wrangler(name: &str) -> bool {
    matches!(name, "wrangler.toml" | "wrangler.json" | "wrangler.jsonc")
}

pub(super) fn extract(cx: &mut Cx) {
    let text = cx.file.text.as_str();
    let toml = cx
        .file
        .path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let found = if toml {
        from_toml(text)
    } else {
        from_json(text)
    };
    // An unreadable file says nothing (the TOML/JSON reader already notes it).
    let Some((main, nodejs_compat)) = found else {
        return;
    };
    let span = main.as_ref().map_or(0..0, |(_, span)| span.clone());
    cx.out.workers.push(WorkerConfig {
        file: cx.file_id,
        main: main.map(|(m, _)| m),
        span,
        nodejs_compat,
    });
}

fn is_nodejs_compat(flag: &str) -> bool {
    matches!(flag, "nodejs_compat" | "nodejs_compat_v2")
}

type Found = (Option<(String, std::ops::Range<usize>)>, bool);

fn from_toml(text: &str) -> Option<Found> {
    let doc = ImDocument::parse(text).ok()?;
    let root = doc.as_table();
    let main = root.get("main").and_then(|m| {
        let v = m.as_value()?;
        Some((v.as_str()?.to_string(), v.span()?))
    });
    let flags_on = |t: &dyn toml_edit::TableLike| {
        t.get("compatibility_flags")
            .and_then(Item::as_array)
            .is_some_and(|a| a.iter().any(|v| v.as_str().is_some_and(is_nodejs_compat)))
    };
    let in_envs = root
        .get("env")
        .and_then(Item::as_table_like)
        .is_some_and(|envs| {
            envs.iter()
                .any(|(_, e)| e.as_table_like().is_some_and(&flags_on))
        });
    Some((main, flags_on(root) || in_envs))
}

fn from_json(text: &str) -> Option<Found> {
    let strings = super::json::strings(text);
    let main = strings
        .iter()
        .find(|(key, _, _)| key == "main")
        .map(|(_, value, map)| (value.clone(), map.range(0..value.len())));
    let nodejs_compat = strings.iter().any(|(key, value, _)| {
        let flags = key == "compatibility_flags"
            || (key.starts_with("env.") && key.ends_with(".compatibility_flags"));
        flags && is_nodejs_compat(value)
    });
    Some((main, nodejs_compat))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_main_and_flags() {
        let (main, on) = from_toml(
            "name = \"w\"\nmain = \"src/index.ts\"\ncompatibility_date = \"2024-09-23\"\n",
        )
        .unwrap();
        assert_eq!(main.unwrap().0, "src/index.ts");
        assert!(!on);
        let (_, on) =
            from_toml("main = \"a.ts\"\ncompatibility_flags = [ \"nodejs_compat\" ]\n").unwrap();
        assert!(on);
        let (_, on) = from_toml(
            "main = \"a.ts\"\n[env.production]\ncompatibility_flags = [\"nodejs_compat_v2\"]\n",
        )
        .unwrap();
        assert!(on);
        let (main, on) = from_json("{\n  // comment\n  \"main\": \"src/worker.js\",\n  \"compatibility_flags\": [\"nodejs_compat\"],\n}").unwrap();
        assert_eq!(main.unwrap().0, "src/worker.js");
        assert!(on);
        let (_, on) = from_json("{ \"main\": \"w.js\", \"compatibility_flags\": [] }").unwrap();
        assert!(!on);
    }
}
