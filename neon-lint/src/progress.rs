//! A progress line for long scans: on stderr, only when stderr is a terminal and the output
//! format is for humans, and only once a scan has taken longer than a second. It is erased
//! before the report is printed, so it never mixes with findings.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long a scan runs before the line appears.
pub const DEFAULT_DELAY: Duration = Duration::from_secs(1);

struct Shared {
    phase: Mutex<String>,
    done: AtomicBool,
    shown: AtomicBool,
    started: Instant,
}

/// The progress line (a no-op when disabled).
pub struct Progress {
    shared: Option<Arc<Shared>>,
    ticker: Option<JoinHandle<()>>,
}

impl Progress {
    /// A progress line that never shows.
    pub fn disabled() -> Progress {
        Progress {
            shared: None,
            ticker: None,
        }
    }

    /// Starts the ticker; the line appears after `delay` if the scan is still running.
    pub fn start(delay: Duration) -> Progress {
        let shared = Arc::new(Shared {
            phase: Mutex::new("starting".into()),
            done: AtomicBool::new(false),
            shown: AtomicBool::new(false),
            started: Instant::now(),
        });
        let s = Arc::clone(&shared);
        let ticker = std::thread::Builder::new()
            .name("neon-lint-progress".into())
            .spawn(move || {
                let tick = Duration::from_millis(100);
                while !s.done.load(Ordering::Acquire) {
                    let elapsed = s.started.elapsed();
                    if elapsed >= delay {
                        let phase = s.phase.lock().map(|p| p.clone()).unwrap_or_default();
                        let line = render(&phase, elapsed);
                        let mut err = std::io::stderr().lock();
                        let _ = write!(err, "\r\x1b[2K{line}");
                        let _ = err.flush();
                        s.shown.store(true, Ordering::Release);
                    }
                    std::thread::sleep(tick);
                }
            })
            .ok();
        Progress {
            shared: Some(shared),
            ticker,
        }
    }

    /// Names what the scan is doing now.
    pub fn phase(&self, what: impl Into<String>) {
        if let Some(s) = &self.shared {
            if let Ok(mut p) = s.phase.lock() {
                *p = what.into();
            }
        }
    }

    /// Stops the ticker and erases the line if it was shown.
    pub fn finish(&mut self) {
        if let Some(s) = &self.shared {
            s.done.store(true, Ordering::Release);
            if let Some(t) = self.ticker.take() {
                let _ = t.join();
            }
            if s.shown.load(Ordering::Acquire) {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[2K");
                let _ = err.flush();
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The text of the line.
pub fn render(phase: &str, elapsed: Duration) -> String {
    format!("neon-lint: {phase}... {:.1}s", elapsed.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_phase_and_time() {
        assert_eq!(
            render("checking 12 files", Duration::from_millis(1500)),
            "neon-lint: checking 12 files... 1.5s"
        );
    }

    #[test]
    fn disabled_progress_is_silent() {
        let mut p = Progress::disabled();
        p.phase("x");
        p.finish();
    }
}
