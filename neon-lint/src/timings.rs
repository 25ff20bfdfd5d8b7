//! Where a run's time goes, for the benchmark (`NEON_LINT_TIMINGS=1`): wall time per phase,
//! and per file kind the files read, the candidates the prefilter kept, their bytes, and
//! the thread time their extraction took. Printed on standard error at the end of the run,
//! one `timings:` line each, so that `bench/run.py` can read them.
//!
//! Off unless asked for: the counters cost one relaxed atomic add per file, and the clock
//! is read only when on.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::classify::FileKind;

/// Number of [`FileKind`] variants (a counter slot each).
const KINDS: usize = 20;

struct Counters {
    read: [AtomicU64; KINDS],
    candidates: [AtomicU64; KINDS],
    candidate_bytes: [AtomicU64; KINDS],
    extract_nanos: [AtomicU64; KINDS],
    parsed: [AtomicU64; KINDS],
    parse_nanos: [AtomicU64; KINDS],
}

#[allow(clippy::declare_interior_mutable_const)]
const ZERO: AtomicU64 = AtomicU64::new(0);

static ON: AtomicBool = AtomicBool::new(false);
static COUNTERS: Counters = Counters {
    read: [ZERO; KINDS],
    candidates: [ZERO; KINDS],
    candidate_bytes: [ZERO; KINDS],
    extract_nanos: [ZERO; KINDS],
    parsed: [ZERO; KINDS],
    parse_nanos: [ZERO; KINDS],
};
static PHASES: Mutex<Vec<(String, Duration, Option<u64>)>> = Mutex::new(Vec::new());
static START: OnceLock<Instant> = OnceLock::new();

/// Turns the counters on when `NEON_LINT_TIMINGS` is set (to anything but `0`).
pub fn init_from_env() {
    if std::env::var_os("NEON_LINT_TIMINGS").is_some_and(|v| v != "0") {
        ON.store(true, Ordering::Relaxed);
        START.get_or_init(Instant::now);
    }
}

/// Whether timings are being recorded.
pub fn enabled() -> bool {
    ON.load(Ordering::Relaxed)
}

fn slot(kind: FileKind) -> usize {
    (kind as usize).min(KINDS - 1)
}

/// A file of `kind` was read; `kept` says whether the prefilter kept it (with `bytes`).
pub fn file_read(kind: FileKind, kept: Option<usize>) {
    if !enabled() {
        return;
    }
    let i = slot(kind);
    COUNTERS.read[i].fetch_add(1, Ordering::Relaxed);
    if let Some(bytes) = kept {
        COUNTERS.candidates[i].fetch_add(1, Ordering::Relaxed);
        COUNTERS.candidate_bytes[i].fetch_add(bytes as u64, Ordering::Relaxed);
    }
}

/// Times `f` as a front end's parse of a file of `kind` (a syntax tree built, whole or in
/// part), and counts it.
pub fn parsing<T>(kind: FileKind, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let t = Instant::now();
    let r = f();
    let i = slot(kind);
    COUNTERS.parsed[i].fetch_add(1, Ordering::Relaxed);
    COUNTERS.parse_nanos[i].fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
    r
}

/// Times `f` as extraction of a file of `kind`.
pub fn extraction<T>(kind: FileKind, f: impl FnOnce() -> T) -> T {
    if !enabled() {
        return f();
    }
    let t = Instant::now();
    let r = f();
    COUNTERS.extract_nanos[slot(kind)].fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
    r
}

/// Records the end of a phase named `name` (its wall time since the previous one).
pub fn phase_done(name: &str) {
    if !enabled() {
        return;
    }
    let now = Instant::now();
    let start = *START.get_or_init(|| now);
    let mut phases = PHASES.lock().unwrap_or_else(|p| p.into_inner());
    let before: Duration = phases.iter().map(|(_, d, _)| *d).sum();
    let total = now.duration_since(start);
    phases.push((
        name.to_string(),
        total.saturating_sub(before),
        resident_kb(),
    ));
}

/// The `timings:` lines, when on (empty otherwise).
pub fn report() -> Vec<String> {
    if !enabled() {
        return Vec::new();
    }
    let mut lines = Vec::new();
    let phases = PHASES.lock().unwrap_or_else(|p| p.into_inner());
    for (name, d, rss) in phases.iter() {
        let rss = rss.map_or(String::new(), |kb| {
            format!(" (resident {:.1} MB)", kb as f64 / 1024.0)
        });
        lines.push(format!(
            "timings: phase {name} {:.1} ms{rss}",
            d.as_secs_f64() * 1e3
        ));
    }
    if let Some(kb) = peak_resident_kb() {
        lines.push(format!(
            "timings: peak resident {:.1} MB",
            kb as f64 / 1024.0
        ));
    }
    for kind in FileKind::ALL {
        let i = slot(*kind);
        let read = COUNTERS.read[i].load(Ordering::Relaxed);
        if read == 0 {
            continue;
        }
        lines.push(format!(
            "timings: kind {kind:?} read {read} candidates {} bytes {} parsed {} parse {:.1} ms extract {:.1} ms",
            COUNTERS.candidates[i].load(Ordering::Relaxed),
            COUNTERS.candidate_bytes[i].load(Ordering::Relaxed),
            COUNTERS.parsed[i].load(Ordering::Relaxed),
            COUNTERS.parse_nanos[i].load(Ordering::Relaxed) as f64 / 1e6,
            COUNTERS.extract_nanos[i].load(Ordering::Relaxed) as f64 / 1e6,
        ));
    }
    lines
}

/// The process's resident memory now (`VmRSS`), where the system says (Linux).
fn resident_kb() -> Option<u64> {
    status_kb("VmRSS:")
}

/// The process's peak resident memory so far (`VmHWM`).
fn peak_resident_kb() -> Option<u64> {
    status_kb("VmHWM:")
}

fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line[key.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
