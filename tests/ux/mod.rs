//! Helpers for the `ux_*` tests: scratch projects and runs of the built binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A Neon URL with no `sslmode`: `missing-sslmode` (error, safe fix).
pub const NO_SSLMODE: &str =
    "postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb";
/// A Neon URL on port 6432: `wrong-port` (warning) and nothing else.
pub const WRONG_PORT: &str = "postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech:6432/neondb?sslmode=require&channel_binding=require";
/// `sslmode=require` without channel binding: `unverified-tls` (info) only.
pub const UNVERIFIED: &str =
    "postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb?sslmode=require";
/// A clean Neon URL.
pub const CLEAN: &str = "postgresql://app@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require";
/// The canary password: never in any output.
pub const CANARY: &str = "Cn4ryUx7pw";
/// A URL holding the canary password with `sslmode=disable` (safe fix on the same line).
pub const WITH_PASSWORD: &str = "postgresql://app:Cn4ryUx7pw@ep-quiet-lake-a1b2c3d4.us-east-2.aws.neon.tech/neondb?sslmode=disable";

/// What a run printed.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Out {
    /// Both streams, for messages.
    pub fn all(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// (code, severity, path, line) of each finding in `--format json` output.
    pub fn findings(&self) -> Vec<(String, String, String, u64)> {
        let v: serde_json::Value = serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", self.all()));
        v.as_array()
            .expect("array")
            .iter()
            .map(|d| {
                (
                    d["code"].as_str().unwrap_or_default().to_string(),
                    d["severity"].as_str().unwrap_or_default().to_string(),
                    d["path"].as_str().unwrap_or_default().to_string(),
                    d["line"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    }

    /// The codes of the findings in `--format json` output.
    pub fn codes(&self) -> Vec<String> {
        self.findings().into_iter().map(|f| f.0).collect()
    }
}

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_neon-lint")
}

/// Runs `neon-lint ARGS` in `dir` with `env` set.
pub fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Out {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("NEON_LINT_PROGRESS_DELAY_MS")
        .stdin(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run neon-lint");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs `neon-lint ARGS` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Out {
    run_env(dir, args, &[])
}

/// A scratch project: `files` are (relative path, contents). It is made a git work tree
/// (so configuration discovery stops at it and `.env` files are judged as git sees them)
/// with a `.gitignore` ignoring `.env` unless `files` brings its own.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new(files: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = Project { dir };
        std::fs::create_dir_all(p.path().join(".git")).expect(".git");
        if !files.iter().any(|(n, _)| *n == ".gitignore") {
            p.write(".gitignore", ".env\n");
        }
        for (name, text) in files {
            p.write(name, text);
        }
        p
    }

    /// A scratch folder that is not a git work tree.
    pub fn bare(files: &[(&str, &str)]) -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = Project { dir };
        for (name, text) in files {
            p.write(name, text);
        }
        p
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn join(&self, rel: &str) -> PathBuf {
        self.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(p, text).expect("write");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.join(rel)).expect("read")
    }

    pub fn run(&self, args: &[&str]) -> Out {
        run(self.path(), args)
    }

    pub fn run_in(&self, sub: &str, args: &[&str]) -> Out {
        run(&self.join(sub), args)
    }
}

/// The repository root (the package's manifest folder).
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every fixture tree: each group under `tests/fixtures/` and each folder in it, sorted.
#[allow(dead_code)]
pub fn fixture_trees() -> Vec<std::path::PathBuf> {
    let root = repo_root().join("tests/fixtures");
    let mut trees = Vec::new();
    for group in std::fs::read_dir(&root).expect("fixtures").flatten() {
        let g = group.path();
        if !g.is_dir() {
            continue;
        }
        trees.push(g.clone());
        for sub in std::fs::read_dir(&g).expect("group").flatten() {
            if sub.path().is_dir() {
                trees.push(sub.path());
            }
        }
    }
    trees.sort();
    trees
}
