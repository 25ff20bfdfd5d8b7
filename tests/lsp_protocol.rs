//! `neon-lint server` driven with hand-written JSON-RPC: the protocol's edge cases
//! (positions in UTF-16 and UTF-8 after non-ASCII text, incremental changes, hover,
//! unknown methods, malformed JSON, shutdown and exit), and no password in anything the
//! server sends.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{json, Value};

const PASSWORD: &str = "S3cretCanary99";
const HOST: &str = "ep-cool-darkness-123456.us-east-2.aws.neon.tech";

fn neon_url() -> String {
    format!("postgresql://app:{PASSWORD}@{HOST}/neondb")
}

/// A server under test, with everything it wrote kept for the password check.
struct Session {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: mpsc::Receiver<Value>,
    /// Every message received, raw.
    seen: Vec<String>,
    next_id: i64,
}

impl Session {
    fn start(dir: &Path) -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_neon-lint"))
            .arg("server")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start neon-lint server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length: ") {
                        len = v.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("Content-Length")];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                let v: Value = serde_json::from_slice(&body).expect("server sent JSON");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Session {
            child,
            stdin,
            rx,
            seen: Vec::new(),
            next_id: 1,
        }
    }

    fn raw(&mut self, body: &str) {
        let stdin = self.stdin.as_mut().unwrap();
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, v: Value) {
        self.raw(&v.to_string());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its response (notifications met on the way are kept).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(|m| m["id"] == json!(id) && m.get("method").is_none())
    }

    /// The next message matching `pred` (10 s at most).
    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        loop {
            let m = self
                .rx
                .recv_timeout(Duration::from_secs(20))
                .expect("the server answered in time");
            self.seen.push(m.to_string());
            if pred(&m) {
                return m;
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let m = self.wait(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        m["params"]["diagnostics"].as_array().cloned().unwrap()
    }

    fn initialize(&mut self, root: &Path, encodings: Option<&[&str]>) -> Value {
        let mut caps = json!({});
        if let Some(e) = encodings {
            caps = json!({"general": {"positionEncodings": e}});
        }
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": uri_of(root), "capabilities": caps}),
        );
        self.notify("initialized", json!({}));
        r
    }

    /// `shutdown`, `exit`, and the exit status.
    fn finish(mut self) -> (i32, Vec<String>, String) {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        drop(self.stdin.take());
        let status = self.child.wait().unwrap();
        let mut err = String::new();
        self.child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        while let Ok(m) = self.rx.try_recv() {
            self.seen.push(m.to_string());
        }
        (status.code().unwrap_or(-1), self.seen, err)
    }
}

fn uri_of(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(dir.path()).unwrap();
    for (name, text) in files {
        let p = root.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    (dir, root)
}

fn open(s: &mut Session, path: &Path, language: &str, text: &str) -> String {
    let uri = uri_of(path);
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
    );
    uri
}

fn nl001(diags: &[Value]) -> Value {
    diags
        .iter()
        .find(|d| d["code"] == "NL001")
        .cloned()
        .unwrap_or_else(|| panic!("no NL001 in {diags:?}"))
}

fn pos(line: u64, character: u64) -> Value {
    json!({"line": line, "character": character})
}

fn assert_no_password(seen: &[String], stderr: &str) {
    for m in seen {
        assert!(!m.contains(PASSWORD), "password sent: {m}");
    }
    assert!(!stderr.contains(PASSWORD), "password on stderr: {stderr}");
}

/// A TOML inline table puts non-ASCII text before the URL on its line: the diagnostic's
/// columns and the fix's insertion point are counted in UTF-16 units by default, in bytes
/// when the client offers UTF-8, and the edit holds only the inserted bytes.
#[test]
fn positions_after_non_ascii_text_in_utf16_and_utf8() {
    let line = format!(r#"db = {{ note = "é😀", url = "{}" }}"#, neon_url());
    let text = format!("# settings\n{line}\n");
    // NL001 points at the host; the fix appends at the end of the URL.
    let host_byte = line.find(HOST).unwrap() as u64;
    let end_byte = (line.find("postgresql").unwrap() + neon_url().len()) as u64;
    // "é" is 2 bytes, 1 UTF-16 unit; "😀" is 4 bytes, 2 units: 3 bytes fewer in UTF-16.
    for (offered, want_enc, shift) in [
        (None, "utf-16", 3),
        (Some(&["utf-16", "utf-8"][..]), "utf-8", 0),
        (Some(&["utf-32"][..]), "utf-16", 3),
    ] {
        let (start, host_end, end) = (
            host_byte - shift,
            host_byte + HOST.len() as u64 - shift,
            end_byte - shift,
        );
        let (_tmp, root) = project(&[("config/settings.toml", &text)]);
        let mut s = Session::start(&root);
        let init = s.initialize(&root, offered);
        assert_eq!(
            init["result"]["capabilities"]["positionEncoding"], want_enc,
            "{init}"
        );
        let uri = open(&mut s, &root.join("config/settings.toml"), "toml", &text);
        let d = nl001(&s.diagnostics(&uri));
        assert_eq!(d["range"]["start"], pos(1, start), "{want_enc}: {d}");
        assert_eq!(d["range"]["end"], pos(1, host_end), "{want_enc}: {d}");
        assert_eq!(d["severity"], 1);
        assert_eq!(d["source"], "neon-lint");
        let actions = s.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
        );
        let action = &actions["result"][0];
        assert_eq!(action["kind"], "quickfix", "{actions}");
        let edits = &action["edit"]["changes"][&uri];
        assert_eq!(edits.as_array().unwrap().len(), 1, "{action}");
        assert_eq!(edits[0]["newText"], "?sslmode=require");
        assert_eq!(
            edits[0]["range"]["start"],
            pos(1, end),
            "{want_enc}: {action}"
        );
        assert_eq!(edits[0]["range"]["end"], pos(1, end));
        let (code, seen, err) = s.finish();
        assert_eq!(code, 0);
        assert_no_password(&seen, &err);
    }
}

/// Diagnostics follow the editor's text, not the disk's: incremental and full changes,
/// and a hover that explains the rule under the cursor (nothing elsewhere).
#[test]
fn did_change_and_hover_follow_the_editor_text() {
    let good = format!("DATABASE_URL={}?sslmode=require\n", neon_url());
    let (_tmp, root) = project(&[(".env", &good)]);
    let mut s = Session::start(&root);
    s.initialize(&root, None);
    let uri = open(&mut s, &root.join(".env"), "sh", &good);
    let first = s.diagnostics(&uri);
    assert!(first.iter().all(|d| d["code"] != "NL001"), "{first:?}");

    // Delete `?sslmode=require` (an incremental change; the disk still has it).
    let q = good.find('?').unwrap() as u64;
    let end = good.trim_end().len() as u64;
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": pos(0, q), "end": pos(0, end)}, "text": ""}]}),
    );
    let d = nl001(&s.diagnostics(&uri));
    let host = good.find(HOST).unwrap() as u64;
    assert_eq!(d["range"]["start"], pos(0, host), "{d}");
    assert_eq!(d["range"]["end"], pos(0, host + HOST.len() as u64), "{d}");
    assert!(!d["message"].as_str().unwrap().is_empty());

    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(0, host + 5)}),
    );
    let value = hover["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_default();
    assert!(value.contains("NL001 missing-sslmode"), "{hover}");
    assert_eq!(hover["result"]["range"], d["range"]);
    let away = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(0, 3)}),
    );
    assert_eq!(away["result"], Value::Null, "{away}");

    // A full-text change back to the good URL clears the finding.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": good}]}),
    );
    let after = s.diagnostics(&uri);
    assert!(after.iter().all(|d| d["code"] != "NL001"), "{after:?}");
    let (code, seen, err) = s.finish();
    assert_eq!(code, 0);
    assert_no_password(&seen, &err);
}

/// The `.env` a program reads is linted with the program: a pool's file and the env file
/// share one run, and diagnostics are published for the other file of the project too.
#[test]
fn the_project_is_linted_with_the_open_document() {
    let env = format!("DATABASE_URL={}\n", neon_url());
    let (_tmp, root) = project(&[(".env", &env), ("package.json", "{}")]);
    let mut s = Session::start(&root);
    s.initialize(&root, None);
    // Opening the manifest lints the project; the `.env` (not open) gets its findings.
    open(&mut s, &root.join("package.json"), "json", "{}");
    let d = nl001(&s.diagnostics(&uri_of(&root.join(".env"))));
    assert_eq!(d["range"]["start"], pos(0, env.find(HOST).unwrap() as u64));
    let (_, seen, err) = s.finish();
    assert_no_password(&seen, &err);
}

/// A client that can watch files is asked to, and a file changed on disk (not open in
/// the editor) is linted again when the client says so.
#[test]
fn files_changed_on_disk_are_linted_again() {
    let good = format!("DATABASE_URL={}?sslmode=require\n", neon_url());
    let (_tmp, root) = project(&[(".env", &good), ("package.json", "{}")]);
    let mut s = Session::start(&root);
    let caps = json!({"workspace": {"didChangeWatchedFiles": {"dynamicRegistration": true}}});
    s.request(
        "initialize",
        json!({"processId": null, "rootUri": uri_of(&root), "capabilities": caps}),
    );
    s.notify("initialized", json!({}));
    let register = s.wait(|m| m["method"] == "client/registerCapability");
    let reg = &register["params"]["registrations"][0];
    assert_eq!(
        reg["method"], "workspace/didChangeWatchedFiles",
        "{register}"
    );
    let globs = reg["registerOptions"]["watchers"].to_string();
    assert!(globs.contains("**/.env*"), "{globs}");
    s.send(json!({"jsonrpc": "2.0", "id": register["id"], "result": null}));

    open(&mut s, &root.join("package.json"), "json", "{}");
    let env_uri = uri_of(&root.join(".env"));
    // The first run, before the change: the `.env` has `sslmode` (NL003's advice only).
    let before = s.diagnostics(&env_uri);
    assert!(before.iter().all(|d| d["code"] != "NL001"), "{before:?}");
    std::fs::write(root.join(".env"), format!("DATABASE_URL={}\n", neon_url())).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": env_uri, "type": 2}]}),
    );
    nl001(&s.diagnostics(&env_uri));
    let (_, seen, err) = s.finish();
    assert_no_password(&seen, &err);
}

/// A buffer not saved yet (no file on disk) is linted with its project like the others.
#[test]
fn an_unsaved_new_file_is_linted() {
    let (_tmp, root) = project(&[("package.json", "{}")]);
    let mut s = Session::start(&root);
    s.initialize(&root, None);
    let text = format!("DATABASE_URL={}\n", neon_url());
    let path = root.join("apps/web/.env.local");
    assert!(!path.exists() && !path.parent().unwrap().exists());
    let uri = open(&mut s, &path, "sh", &text);
    let d = nl001(&s.diagnostics(&uri));
    assert_eq!(d["range"]["start"], pos(0, text.find(HOST).unwrap() as u64));
    let (_, seen, err) = s.finish();
    assert_no_password(&seen, &err);
}

/// Unknown methods, malformed JSON, bad params, requests before `initialize`, a second
/// `initialize`: error responses, and the session goes on.
#[test]
fn bad_input_gets_error_responses_and_the_session_goes_on() {
    let (_tmp, root) = project(&[]);
    let mut s = Session::start(&root);
    let early = s.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    s.initialize(&root, None);

    let unknown = s.request("neon/whatever", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");

    s.raw(r#"{"jsonrpc":"2.0","id":99,"method":"#);
    let parse = s.wait(|m| m.get("error").is_some() && m["id"].is_null());
    assert_eq!(parse["error"]["code"], -32700, "{parse}");

    s.raw(r#"{"jsonrpc":"2.0","id":98}"#);
    let invalid = s.wait(|m| m["id"] == 98);
    assert_eq!(invalid["error"]["code"], -32600, "{invalid}");

    // A password in bad params is not echoed back in the error.
    let bad = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": neon_url()}, "position": neon_url()}),
    );
    assert_eq!(bad["error"]["code"], -32602, "{bad}");

    let again = s.request("initialize", json!({"capabilities": {}}));
    assert_eq!(again["error"]["code"], -32600, "{again}");

    // A notification with bad params is logged, not fatal; then a hover still works.
    s.notify("textDocument/didOpen", json!({"textDocument": 5}));
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri_of(&root.join(".env"))}, "position": pos(0, 0)}),
    );
    assert_eq!(hover["result"], Value::Null, "{hover}");
    let (code, seen, err) = s.finish();
    assert_eq!(code, 0, "{err}");
    assert_no_password(&seen, &err);
}

/// Two safe fixes in one file: a quick fix for each (only the one under the requested
/// range), and one "fix all" action with both edits; `only` filters by kind.
#[test]
fn quick_fixes_and_fix_all_follow_the_range_and_the_kind_filter() {
    let text = format!(
        "DATABASE_URL={url}\nDIRECT_URL={url}?sslmode=disable\n",
        url = neon_url()
    );
    let (_tmp, root) = project(&[(".env", &text)]);
    let mut s = Session::start(&root);
    s.initialize(&root, None);
    let uri = open(&mut s, &root.join(".env"), "sh", &text);
    let diags = s.diagnostics(&uri);
    let nl002 = diags
        .iter()
        .find(|d| d["code"] == "NL002")
        .cloned()
        .unwrap_or_else(|| panic!("{diags:?}"));
    let whole = json!({"start": pos(0, 0), "end": pos(2, 0)});
    let all = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}}),
    );
    let list = all["result"].as_array().unwrap();
    let kinds: Vec<&str> = list.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["quickfix", "quickfix", "source.fixAll.neon-lint"],
        "{all}"
    );
    let fix_all = &list[2]["edit"]["changes"][&uri];
    let texts: Vec<&str> = fix_all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["newText"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["?sslmode=require", "require"], "{all}");

    // The second line's finding only: its quick fix replaces `disable`, nothing else (and
    // the file's "fix all" comes along, as ESLint's does).
    let one = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": nl002["range"], "context": {"diagnostics": [nl002]}}),
    );
    let list = one["result"].as_array().unwrap();
    let kinds: Vec<&str> = list.iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["quickfix", "source.fixAll.neon-lint"], "{one}");
    assert_eq!(list[0]["diagnostics"][0]["code"], "NL002", "{one}");
    let edit = &list[0]["edit"]["changes"][&uri][0];
    let disable = text.lines().nth(1).unwrap().find("disable").unwrap() as u64;
    assert_eq!(edit["range"]["start"], pos(1, disable), "{one}");
    assert_eq!(edit["range"]["end"], pos(1, disable + 7), "{one}");

    let only = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": [], "only": ["source"]}}),
    );
    let kinds: Vec<&str> = only["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["source.fixAll.neon-lint"], "{only}");
    let (_, seen, err) = s.finish();
    assert_no_password(&seen, &err);
}

/// Positions no editor would send (reversed ranges, lines and columns far past the end)
/// are clamped: the server answers and keeps going.
#[test]
fn out_of_range_positions_are_clamped() {
    let text = format!("DATABASE_URL={}\n", neon_url());
    let (_tmp, root) = project(&[(".env", &text)]);
    let mut s = Session::start(&root);
    s.initialize(&root, None);
    let uri = open(&mut s, &root.join(".env"), "sh", &text);
    nl001(&s.diagnostics(&uri));
    let max = u32::MAX as u64;
    // Reversed range on line 0 from the end back to column 13: removes the URL.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"range": {"start": pos(0, max), "end": pos(0, 13)}, "text": ""},
                                  {"range": {"start": pos(max, max), "end": pos(max, 0)}, "text": "# end\n"}]}),
    );
    let after = s.diagnostics(&uri);
    assert!(after.iter().all(|d| d["code"] != "NL001"), "{after:?}");
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(max, max)}),
    );
    assert!(hover.get("error").is_none(), "{hover}");
    let negative = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}}),
    );
    assert_eq!(negative["error"]["code"], -32602, "{negative}");
    let (code, seen, err) = s.finish();
    assert_eq!(code, 0);
    assert_no_password(&seen, &err);
}

/// A configuration error is shown once (not on every change), and nothing is published
/// from a run that could not be configured; fixing the file brings the findings back.
#[test]
fn a_configuration_error_is_shown_once() {
    let env = format!("DATABASE_URL={}\n", neon_url());
    let (_tmp, root) = project(&[(".env", &env), ("neon-lint.toml", "colour = \"red\"\n")]);
    let mut s = Session::start(&root);
    s.initialize(&root, None);
    let uri = open(&mut s, &root.join(".env"), "sh", &env);
    let shown = s.wait(|m| m["method"] == "window/showMessage");
    let text = shown["params"]["message"].as_str().unwrap();
    assert!(text.contains("unknown key `colour`"), "{shown}");
    for v in 2..4 {
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": env}]}),
        );
    }
    std::fs::write(root.join("neon-lint.toml"), "").unwrap();
    s.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": uri_of(&root.join("neon-lint.toml"))}}),
    );
    let d = nl001(&s.diagnostics(&uri));
    assert_eq!(d["code"], "NL001");
    let (_, seen, err) = s.finish();
    let shows = seen
        .iter()
        .filter(|m| m.contains("window/showMessage"))
        .count();
    assert_eq!(shows, 1, "{seen:?}");
    assert_no_password(&seen, &err);
}

/// `exit` without `shutdown` ends the server with status 1, as the protocol says.
#[test]
fn exit_without_shutdown_is_status_1() {
    let (_tmp, root) = project(&[]);
    let mut s = Session::start(&root);
    s.initialize(&root, None);
    s.notify("exit", Value::Null);
    let status = s.child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
}
