//! Package pins: which version of a package a manifest, lock file or Dockerfile asks for,
//! and what the project's own files say about the platform it runs on. Readers record what
//! the file says; what a version means (does it send TLS SNI?) lives in
//! [`crate::sni_clients`], in one table.

use std::ops::Range;

use crate::source::FileId;

/// Where a package name comes from: names are only unique within one of these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ecosystem {
    /// PyPI (`requirements*.txt`, `poetry.lock`, `uv.lock`, `pdm.lock`, `Pipfile.lock`).
    PyPi,
    /// npm (`package-lock.json`, `yarn.lock`, `pnpm-lock.yaml`).
    Npm,
    /// crates.io (`Cargo.lock`).
    Crates,
    /// Go modules (`go.mod`).
    Go,
    /// RubyGems (`Gemfile.lock`).
    RubyGems,
    /// Hex, Elixir's registry (`mix.lock`).
    Hex,
    /// A Debian/Ubuntu package installed with `apt-get install` / `apt install`.
    Apt,
    /// An Alpine package installed with `apk add`.
    Apk,
    /// A conda package (`environment.yml` `dependencies:`).
    Conda,
    /// A container base image (`FROM image:tag`); the version is the tag.
    DockerImage,
}

/// Which versions a pin allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionReq {
    /// Exactly this version (a lock file entry, `==2.8.6`, `v1.10.6`).
    Exact(String),
    /// Nothing newer than this version (`<0.22`, `<=2.8.6`, `~=2.8.0`, `==2.8.*`).
    Below {
        /// The bound.
        version: String,
        /// Whether the bound itself is allowed (`<=`).
        inclusive: bool,
    },
    /// No upper bound the reader can see (`>=2.8`, no specifier, `latest`).
    Open,
}

/// One package version asked for by a file.
#[derive(Debug, Clone)]
pub struct PackagePin {
    /// Which file.
    pub file: FileId,
    /// File span of the entry that pins it (the line users edit).
    pub span: Range<usize>,
    /// Which registry the name belongs to.
    pub ecosystem: Ecosystem,
    /// Package name, normalised as its ecosystem compares names (PEP 503 for PyPI).
    pub package: String,
    /// The versions allowed.
    pub version: VersionReq,
    /// A build variant written beside the version: a gem platform (`x64-mingw32`), a wheel
    /// platform tag. `None` for the portable build.
    pub variant: Option<String>,
    /// For system packages and images: the base image of the Dockerfile stage
    /// (`python:3.9-bullseye`), with stage aliases followed.
    pub base_image: Option<String>,
}

/// A platform the project's files say it runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Platform {
    /// Linux on 64-bit ARM (`--platform=linux/arm64`, an arm64 CI runner).
    LinuxArm64,
    /// Linux with musl libc (an Alpine base image).
    Musl,
}

/// Evidence for a [`Platform`].
#[derive(Debug, Clone)]
pub struct PlatformHint {
    /// Which file.
    pub file: FileId,
    /// File span of the evidence (`--platform=linux/arm64`, `FROM python:3.12-alpine`).
    pub span: Range<usize>,
    /// The platform shown.
    pub platform: Platform,
}
