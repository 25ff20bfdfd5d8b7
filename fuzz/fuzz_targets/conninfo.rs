#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| neon_lint_fuzz::conninfo(data));
