//! `neon-lint server`: the Language Server Protocol over stdio.
//!
//! The editor's open documents are linted with their project, as the CLI would lint it
//! from the project's top ([`documents::project_root`]), their unsaved texts read instead
//! of the disk's ([`crate::discover::Overlay`]). Diagnostics are published for every file
//! of the project that has findings (and cleared for those that no longer have any);
//! code actions offer the safe fixes, verified as `--fix` verifies them; hover explains
//! the rule under the cursor.
//!
//! The loop is single-threaded and lints after it has drained every message already
//! waiting, so a burst of keystrokes costs one run. Client input never panics the server:
//! bad parameters get an error response, and a handler that fails anyway is caught and
//! answered with an internal error.

mod actions;
mod documents;
mod positions;
mod publish;
mod transport;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc;

use lsp_server::{ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Initialized, LogMessage, Notification as _,
};
use lsp_types::request::{RegisterCapability, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, FileSystemWatcher, GlobPattern,
    HoverParams, HoverProviderCapability, InitializeResult, LogMessageParams, MessageType,
    PositionEncodingKind, Registration, RegistrationParams, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Url,
};

use crate::lint::Outcome;
use documents::Documents;
use positions::Encoding;
use transport::{Incoming, Outgoing};

/// Serves one client on stdin/stdout; the exit status (0 after `shutdown` then `exit`,
/// 1 when the client left without them, as the protocol asks).
pub fn run() -> u8 {
    let (in_tx, in_rx) = mpsc::channel();
    let (out_tx, out_rx) = mpsc::channel();
    std::thread::spawn(move || transport::read_loop(std::io::stdin().lock(), in_tx));
    let writer = std::thread::spawn(move || {
        transport::write_loop(std::io::BufWriter::new(std::io::stdout().lock()), out_rx)
    });
    let code = Server::new(out_tx).serve(in_rx);
    // The server (and its sender) is gone: the writer drains what is queued and ends. The
    // reader may be blocked on stdin; the process exit ends it.
    let _ = writer.join();
    code
}

/// One project's last run.
struct Linted {
    outcome: Outcome,
    /// URIs diagnostics were published for (to clear those that have none now).
    published: HashSet<Url>,
}

enum Phase {
    /// Before `initialize`.
    Waiting,
    /// Serving.
    Running,
    /// After `shutdown`: only `exit` is expected.
    ShutDown,
}

struct Server {
    out: mpsc::Sender<Outgoing>,
    phase: Phase,
    enc: Encoding,
    workspace: Vec<PathBuf>,
    docs: Documents,
    projects: HashMap<PathBuf, Linted>,
    /// Projects whose documents changed since their last run.
    dirty: BTreeSet<PathBuf>,
    /// Notes already logged (each once per session, not once per keystroke).
    logged: HashSet<String>,
    /// The last failure shown for each root (configuration errors).
    failures: HashMap<PathBuf, String>,
    /// Open documents already told they have no findings.
    checked: HashSet<Url>,
    /// The client can watch files for the server (`client/registerCapability`).
    can_watch: bool,
}

/// An error answer to a request.
struct Failure(ErrorCode, String);

impl Server {
    fn new(out: mpsc::Sender<Outgoing>) -> Server {
        Server {
            out,
            phase: Phase::Waiting,
            enc: Encoding::Utf16,
            workspace: Vec::new(),
            docs: Documents::default(),
            projects: HashMap::new(),
            dirty: BTreeSet::new(),
            logged: HashSet::new(),
            failures: HashMap::new(),
            checked: HashSet::new(),
            can_watch: false,
        }
    }

    fn serve(mut self, rx: mpsc::Receiver<Incoming>) -> u8 {
        loop {
            let Ok(first) = rx.recv() else {
                // The client closed stdin without `exit`.
                return 1;
            };
            let mut next = Some(first);
            while let Some(msg) = next {
                if let Some(code) = self.handle(msg) {
                    return code;
                }
                next = rx.try_recv().ok();
            }
            let dirty: Vec<PathBuf> = std::mem::take(&mut self.dirty).into_iter().collect();
            for root in dirty {
                self.lint(&root);
            }
        }
    }

    fn send(&self, m: Message) {
        let _ = self.out.send(Outgoing::Message(m));
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    /// Logs `text` in the client's log. Callers clean what they quote with the project's
    /// redaction (which knows every secret of the run); the core redactor runs here again
    /// as a last line, so that a caller that forgot still cannot send a URL's password.
    fn log(&self, typ: MessageType, text: String) {
        let message = neon_lint_core::redact::redact(&text);
        self.notify::<LogMessage>(LogMessageParams { typ, message });
    }

    /// Handles one message; `Some(status)` when the session is over.
    fn handle(&mut self, msg: Incoming) -> Option<u8> {
        match msg {
            Incoming::Malformed { id, code, why } => {
                let _ = self.out.send(transport::malformed_response(id, code, why));
                None
            }
            Incoming::Message(Message::Request(req)) => {
                let id = req.id.clone();
                let answer =
                    catch_unwind(AssertUnwindSafe(|| self.request(req))).unwrap_or_else(|_| {
                        Err(Failure(
                            ErrorCode::InternalError,
                            "internal error while answering (please report this)".into(),
                        ))
                    });
                let response = match answer {
                    Ok(value) => Response::new_ok(id, value),
                    Err(Failure(code, message)) => Response::new_err(id, code as i32, message),
                };
                self.send(Message::Response(response));
                None
            }
            Incoming::Message(Message::Notification(n)) => {
                if n.method == "exit" {
                    return Some(if matches!(self.phase, Phase::ShutDown) {
                        0
                    } else {
                        1
                    });
                }
                if !matches!(self.phase, Phase::Running) {
                    // Before `initialize` (and after `shutdown`) notifications are dropped.
                    return None;
                }
                let method = n.method.clone();
                if catch_unwind(AssertUnwindSafe(|| self.notification(n))).is_err() {
                    self.log(
                        MessageType::ERROR,
                        format!(
                            "internal error while handling `{}` (please report this)",
                            clean_method(&method)
                        ),
                    );
                }
                None
            }
            // The server sends no requests, so there is nothing to match a response with.
            Incoming::Message(Message::Response(_)) => None,
        }
    }

    fn request(&mut self, req: Request) -> Result<serde_json::Value, Failure> {
        match (&self.phase, req.method.as_str()) {
            (Phase::Waiting, "initialize") => self.initialize(req.params),
            (Phase::Waiting, _) => Err(Failure(
                ErrorCode::ServerNotInitialized,
                "the server is not initialized yet".into(),
            )),
            (Phase::ShutDown, _) => Err(Failure(
                ErrorCode::InvalidRequest,
                "the server is shutting down".into(),
            )),
            (Phase::Running, "initialize") => Err(Failure(
                ErrorCode::InvalidRequest,
                "the server is already initialized".into(),
            )),
            (Phase::Running, "shutdown") => {
                self.phase = Phase::ShutDown;
                Ok(serde_json::Value::Null)
            }
            (Phase::Running, "textDocument/codeAction") => {
                let p: CodeActionParams = params(req.params)?;
                Ok(serde_json::to_value(self.code_actions(p)).unwrap_or_default())
            }
            (Phase::Running, "textDocument/hover") => {
                let p: HoverParams = params(req.params)?;
                Ok(serde_json::to_value(self.hover(p)).unwrap_or_default())
            }
            (Phase::Running, other) => Err(Failure(
                ErrorCode::MethodNotFound,
                format!("unknown method `{}`", clean_method(other)),
            )),
        }
    }

    fn initialize(&mut self, raw: serde_json::Value) -> Result<serde_json::Value, Failure> {
        // Read only what is used, from the raw value: clients send many fields, and one
        // this version of lsp-types spells differently must not refuse the whole session.
        if !raw.is_object() {
            return Err(Failure(
                ErrorCode::InvalidParams,
                "initialize: params must be an object".into(),
            ));
        }
        let offered: Option<Vec<PositionEncodingKind>> = raw
            .pointer("/capabilities/general/positionEncodings")
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        self.enc = Encoding::negotiate(offered.as_deref());
        let mut folders: Vec<PathBuf> = raw
            .get("workspaceFolders")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|f| f.get("uri")?.as_str().and_then(|u| Url::parse(u).ok()))
            .filter_map(|u| documents::file_path(&u))
            .collect();
        if folders.is_empty() {
            let root = raw.get("rootUri").and_then(|v| v.as_str());
            folders.extend(
                root.and_then(|u| Url::parse(u).ok())
                    .and_then(|u| documents::file_path(&u)),
            );
        }
        self.workspace = folders;
        self.can_watch = raw
            .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        self.phase = Phase::Running;
        let capabilities = ServerCapabilities {
            position_encoding: Some(self.enc.kind()),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(true),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, actions::fix_all_kind()]),
                resolve_provider: Some(false),
                ..CodeActionOptions::default()
            })),
            ..ServerCapabilities::default()
        };
        let result = InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "neon-lint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        Ok(serde_json::to_value(result).unwrap_or_default())
    }

    fn notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let bad = |server: &Server, e: Failure| {
            server.log(
                MessageType::WARNING,
                format!("ignored `{}`: {}", clean_method(&method), e.1),
            )
        };
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => match params::<DidOpenTextDocumentParams>(n.params) {
                Ok(p) => {
                    let d = p.text_document;
                    if let Some(path) = self.docs.open(d.uri, d.text, d.version) {
                        self.mark(&path);
                    }
                }
                Err(e) => bad(self, e),
            },
            DidChangeTextDocument::METHOD => {
                match params::<DidChangeTextDocumentParams>(n.params) {
                    Ok(p) => {
                        let enc = self.enc;
                        if let Some(doc) = self.docs.get_mut(&p.text_document.uri) {
                            for change in p.content_changes {
                                doc.apply(change, enc);
                            }
                            doc.version = p.text_document.version;
                            let path = doc.path.clone();
                            self.mark(&path);
                        }
                    }
                    Err(e) => bad(self, e),
                }
            }
            DidSaveTextDocument::METHOD => match params::<DidSaveTextDocumentParams>(n.params) {
                Ok(p) => {
                    let path = match self.docs.get_mut(&p.text_document.uri) {
                        Some(doc) => {
                            if let Some(text) = p.text {
                                doc.text = text;
                            }
                            Some(doc.path.clone())
                        }
                        None => documents::file_path(&p.text_document.uri),
                    };
                    if let Some(path) = path {
                        self.mark(&path);
                    }
                }
                Err(e) => bad(self, e),
            },
            DidCloseTextDocument::METHOD => {
                match params::<DidCloseTextDocumentParams>(n.params) {
                    // The file is linted from disk again (its saved text is what runs).
                    Ok(p) => {
                        self.checked.remove(&p.text_document.uri);
                        if let Some(path) = self.docs.close(&p.text_document.uri) {
                            self.mark(&path);
                        }
                    }
                    Err(e) => bad(self, e),
                }
            }
            Initialized::METHOD => self.watch_files(),
            // A file changed outside the editor (a `git checkout`, a tool writing `.env`):
            // its project is linted again.
            DidChangeWatchedFiles::METHOD => {
                match params::<DidChangeWatchedFilesParams>(n.params) {
                    Ok(p) => {
                        for change in p.changes {
                            if let Some(path) = documents::file_path(&change.uri) {
                                self.mark(&path);
                            }
                        }
                    }
                    Err(e) => bad(self, e),
                }
            }
            // `$/cancelRequest`, `$/setTrace`, configuration changes...: nothing to do.
            _ => {}
        }
    }

    /// Asks the client to report changes to the files neon-lint reads, when it can: what
    /// is not open in the editor is read from disk, and would otherwise go stale.
    fn watch_files(&mut self) {
        if !self.can_watch {
            return;
        }
        let watchers = WATCHED
            .iter()
            .map(|glob| FileSystemWatcher {
                glob_pattern: GlobPattern::String((*glob).into()),
                kind: None,
            })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "neon-lint-watch".into(),
            method: DidChangeWatchedFiles::METHOD.into(),
            register_options: serde_json::to_value(options).ok(),
        };
        self.send(Message::Request(Request::new(
            "neon-lint/register-watchers".to_string().into(),
            RegisterCapability::METHOD.into(),
            RegistrationParams {
                registrations: vec![registration],
            },
        )));
    }

    /// The project run and file id of an open document, freshly linted.
    fn lookup(&mut self, uri: &Url) -> Option<(&Linted, usize, &documents::Document)> {
        let root = self.fresh(uri)?;
        let doc = self.docs.get(uri)?;
        let linted = self.projects.get(&root)?;
        let id = linted
            .outcome
            .project
            .files
            .iter()
            .position(|f| f.path == doc.path)?;
        Some((linted, id, doc))
    }

    fn code_actions(&mut self, p: CodeActionParams) -> Vec<lsp_types::CodeActionOrCommand> {
        let enc = self.enc;
        let uri = p.text_document.uri.clone();
        let Some((linted, id, doc)) = self.lookup(&uri) else {
            return Vec::new();
        };
        let project = &linted.outcome.project;
        let view = actions::View::of(&project.files[id], Some(doc));
        actions::code_actions(
            project,
            &linted.outcome.diagnostics,
            id,
            &view,
            &uri,
            p.range,
            p.context.only.as_deref(),
            enc,
        )
    }

    fn hover(&mut self, p: HoverParams) -> Option<lsp_types::Hover> {
        let enc = self.enc;
        let at = p.text_document_position_params;
        let (linted, id, doc) = self.lookup(&at.text_document.uri)?;
        let project = &linted.outcome.project;
        let view = actions::View::of(&project.files[id], Some(doc));
        actions::hover(
            project,
            &linted.outcome.diagnostics,
            id,
            &view,
            at.position,
            enc,
        )
    }
}

/// The files whose changes on disk matter: what the walk reads (the client filters out
/// the rest, so a build writing `target/` costs nothing).
const WATCHED: &[&str] = &[
    "**/.env*",
    "**/*.env",
    "**/*.{rs,py,js,mjs,cjs,jsx,ts,mts,cts,tsx,prisma}",
    "**/*.{toml,yaml,yml,json,ini,cfg,properties,sh}",
    "**/{Dockerfile,Containerfile,Makefile,Procfile}*",
    "**/requirements*.txt",
    "**/.gitignore",
];

/// Parameters of type `T`, or the error response for params that are not.
fn params<T: serde::de::DeserializeOwned>(raw: serde_json::Value) -> Result<T, Failure> {
    serde_json::from_value(raw).map_err(|e| {
        Failure(
            ErrorCode::InvalidParams,
            format!("invalid params: {}", scrub_serde_error(&e)),
        )
    })
}

/// A method name from the client, fit to quote in a message: redacted, controls escaped,
/// bounded.
fn clean_method(m: &str) -> String {
    let short: String = m.chars().take(300).collect();
    crate::report::escape_controls(&neon_lint_core::redact::redact(&short))
}

/// A serde error about client input, fit to send back: serde quotes the values it
/// rejects (`invalid type: string "postgresql://app:pw@..."`), and a value is the client's
/// text, so every quoted value is dropped and what remains redacted; field names (in
/// backticks) stay, since they say what to fix.
pub(crate) fn scrub_serde_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let mut out = String::with_capacity(text.len());
    let mut in_quote = false;
    for c in text.chars() {
        match (c, in_quote) {
            ('"', false) => {
                in_quote = true;
                out.push_str("\"…");
            }
            ('"', true) => {
                in_quote = false;
                out.push('"');
            }
            (_, true) => {}
            (c, false) => out.push(c),
        }
    }
    clean_method(&out.chars().take(300).collect::<String>())
}
