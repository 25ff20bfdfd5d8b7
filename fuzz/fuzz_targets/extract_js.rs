#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| neon_lint_fuzz::extractor("extract_js", data));
