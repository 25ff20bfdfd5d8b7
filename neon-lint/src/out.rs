//! Everything the CLI prints goes through here, so that no write can panic and every
//! failure has one meaning:
//!
//! - a closed pipe (`neon-lint | head -1`: EPIPE, since Rust ignores SIGPIPE) stops the
//!   output quietly, as ripgrep does; the exit status stays what the run found;
//! - any other write error (`/dev/full`, a disk full, an I/O error) is said on stderr when
//!   stderr still works, and the run exits 2;
//! - stderr itself may fail (`2>/dev/full`): `eprintln!` would panic there, these
//!   functions remember the failure and the run exits 2.
//!
//! `--output` and `--write-baseline` files go through [`write_file`]: a device, a FIFO or
//! `/dev/stdout` is written straight through, anything else atomically.

use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when a write to stderr failed (other than a closed pipe).
static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Why printing stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// The reader went away: stop printing, quietly.
    Closed,
    /// The write failed; the error is already on stderr. The run exits 2.
    Failed,
}

/// Writes `bytes` to stdout and flushes.
pub fn stdout(bytes: &[u8]) -> Result<(), Stop> {
    let mut lock = io::stdout().lock();
    lock.write_all(bytes)
        .and_then(|()| lock.flush())
        .map_err(|e| stop("stdout", &e))
}

/// What a failed write to `what` means (and says so on stderr when it is not EPIPE).
pub fn stop(what: &str, e: &io::Error) -> Stop {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Stop::Closed
    } else {
        stderr_line(&format!("error: cannot write to {what}: {e}"));
        Stop::Failed
    }
}

/// Writes one line to stderr; a failure is remembered (see [`stderr_failed`]), never a
/// panic.
pub fn stderr_line(line: &str) {
    let mut lock = io::stderr().lock();
    let result = lock
        .write_all(line.as_bytes())
        .and_then(|()| lock.write_all(b"\n"))
        .and_then(|()| lock.flush());
    if let Err(e) = result {
        if e.kind() != io::ErrorKind::BrokenPipe {
            STDERR_FAILED.store(true, Ordering::Relaxed);
        }
    }
}

/// Whether a message could not be written to stderr: the run then exits 2, since what it
/// had to say was lost.
pub fn stderr_failed() -> bool {
    STDERR_FAILED.load(Ordering::Relaxed)
}

/// `eprintln!` that cannot panic: formats a line for [`stderr_line`].
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::out::stderr_line(&format!($($arg)*))
    };
}
pub(crate) use errln;

/// Writes an output file (`--output`, `--write-baseline`).
///
/// `/dev/stdout` and `/dev/stderr` (and their `/dev/fd`, `/proc/self/fd` spellings) are
/// this process's own streams; a path that exists and is not a regular file (a device, a
/// FIFO) is written straight through, never replaced; anything else is written atomically,
/// creating missing folders first (the file is new output, like `--output`'s).
pub fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match own_stream(path) {
        Some(1) => {
            let mut lock = io::stdout().lock();
            return lock.write_all(bytes).and_then(|()| lock.flush());
        }
        Some(_) => {
            let mut lock = io::stderr().lock();
            return lock.write_all(bytes).and_then(|()| lock.flush());
        }
        None => {}
    }
    if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
        let mut f = std::fs::OpenOptions::new().write(true).open(path)?;
        return f.write_all(bytes).and_then(|()| f.flush());
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    crate::fix::write_atomic(path, bytes)
}

/// 1 or 2 when `path` names this process's stdout or stderr.
fn own_stream(path: &Path) -> Option<u8> {
    let s = path.to_str()?;
    match s {
        "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => Some(1),
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => Some(2),
        _ => None,
    }
}
