//! `neon-lint server` under a real LSP client: Neovim's built-in one (`nvim --headless`),
//! started by this test. Neovim opens a `.env` holding a Neon URL without `sslmode`,
//! receives NL001 at the host, asks for the code action, applies its workspace edit with
//! its own `apply_workspace_edit`, saves, and sees the finding go. Everything between the
//! two is recorded by `tee` on both pipes; the password must not be in what the server
//! sent (it is, necessarily, in what the client sent: the file's text).
//!
//! Without `nvim` on the PATH (or `NEON_LINT_NVIM`), the test prints `SKIP: <reason>`.
//! `.ci/run` installs Debian's `neovim`; 0.7 has everything used here
//! (`vim.lsp.start_client`, `buf_attach_client`, `buf_request_sync`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const PASSWORD: &str = "S3cretCanary99";
const HOST: &str = "ep-cool-darkness-123456.us-east-2.aws.neon.tech";

const SCRIPT: &str = r#"
local root = os.getenv("NL_ROOT")
local result_path = os.getenv("NL_RESULT")
local res = { steps = {}, files = {} }
local function step(s) table.insert(res.steps, s) end
local function finish()
  local f = io.open(result_path, "w")
  f:write(vim.fn.json_encode(res))
  f:close()
  vim.cmd("qa!")
end
-- The raw LSP diagnostics, as published (Neovim 0.7 keeps only some fields of them in
-- `vim.diagnostic`), then Neovim's own handler.
local raw = {}
local default_handler = vim.lsp.handlers["textDocument/publishDiagnostics"]
local function on_diagnostics(err, result, ctx, config)
  raw[result.uri] = result.diagnostics
  return default_handler(err, result, ctx, config)
end
local exited = nil
local client_id = nil

-- Opens `rel`, waits for NL001, hovers it, applies its code action with Neovim's own
-- `apply_workspace_edit`, saves, and waits for the finding to go.
local function fix_file(rel)
  local out = {}
  res.files[rel] = out
  vim.cmd("edit " .. vim.fn.fnameescape(root .. "/" .. rel))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.lsp.buf_attach_client(bufnr, client_id)
  local uri = vim.uri_from_bufnr(bufnr)
  local function nl001()
    for _, d in ipairs(vim.diagnostic.get(bufnr)) do
      if d.code == "NL001" or (d.user_data and d.user_data.lsp and d.user_data.lsp.code == "NL001") then
        return d
      end
    end
    return nil
  end
  if not vim.wait(30000, function() return nl001() ~= nil end, 20) then
    step(rel .. ": no NL001 diagnostic")
    return
  end
  local lsp = nil
  for _, r in ipairs(raw[uri] or {}) do
    if r.code == "NL001" then lsp = r end
  end
  out.diagnostic = lsp
  step(rel .. ": diagnostic received")
  local client = vim.lsp.get_client_by_id(client_id)
  res.offset_encoding = client.offset_encoding
  local hover = vim.lsp.buf_request_sync(bufnr, "textDocument/hover",
    { textDocument = { uri = uri }, position = lsp.range.start }, 10000)
  out.hover = hover and hover[client_id] and hover[client_id].result or nil
  local actions = vim.lsp.buf_request_sync(bufnr, "textDocument/codeAction",
    { textDocument = { uri = uri }, range = lsp.range, context = { diagnostics = { lsp } } }, 10000)
  local list = actions and actions[client_id] and actions[client_id].result or {}
  -- A copy as received (applying an edit annotates the tables).
  out.actions = vim.fn.json_decode(vim.fn.json_encode(list))
  if #list == 0 then
    step(rel .. ": no code action")
    return
  end
  vim.lsp.util.apply_workspace_edit(list[1].edit, client.offset_encoding)
  out.buffer_after_edit = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  step(rel .. ": edit applied")
  vim.cmd("write")
  out.cleared = vim.wait(30000, function() return nl001() == nil end, 20)
  step(rel .. ": saved")
end

local ok, err = pcall(function()
  client_id = vim.lsp.start_client({
    name = "neon-lint",
    cmd = { "sh", os.getenv("NL_WRAPPER"), os.getenv("NL_IN_LOG"), os.getenv("NL_SERVER"),
            os.getenv("NL_OUT_LOG"), os.getenv("NL_ERR_LOG"), os.getenv("NL_STATUS"),
            os.getenv("NL_FIFO") },
    root_dir = root,
    handlers = { ["textDocument/publishDiagnostics"] = on_diagnostics },
    on_exit = function(code) exited = code end,
  })
  res.client_id = client_id
  fix_file(".env")
  fix_file("config/settings.toml")
  vim.lsp.stop_client(client_id)
  res.stopped = vim.wait(10000, function() return exited ~= nil end, 20)
  step("stopped")
end)
if not ok then res.error = tostring(err) end
finish()
"#;

/// Tees both pipes and keeps the server's stderr and exit status. Arguments: $1
/// client-to-server log, $2 the server binary, $3 server-to-client log, $4 stderr, $5 exit
/// status file, $6 a FIFO to create. The input `tee` runs in the background and is ended
/// once the server has exited: Neovim keeps the server's stdin open until the process
/// ends, so a `tee` in the pipeline would keep it alive forever.
const WRAPPER: &str = r#"set -u
mkfifo "$6"
exec 3<&0
tee "$1" <&3 >"$6" &
t=$!
{ "$2" server <"$6" 2>"$4"; echo $? >"$5"; } | tee "$3"
kill "$t" 2>/dev/null
exit 0
"#;

fn nvim() -> Result<PathBuf, String> {
    let bin = std::env::var_os("NEON_LINT_NVIM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("nvim"));
    let out = Command::new(&bin).arg("--version").output().map_err(|e| {
        format!(
            "{} not runnable ({e}); `apt-get install neovim`",
            bin.display()
        )
    })?;
    let version = String::from_utf8_lossy(&out.stdout);
    let first = version.lines().next().unwrap_or_default().to_string();
    // "NVIM v0.7.2": the client API used here is in 0.7 and later.
    let minor = first
        .strip_prefix("NVIM v0.")
        .and_then(|r| r.split('.').next())
        .and_then(|m| m.parse::<u32>().ok());
    match minor {
        Some(m) if m >= 7 => Ok(bin),
        None if first.starts_with("NVIM v") => Ok(bin), // 1.x and later
        _ => Err(format!("`{first}` is older than Neovim 0.7")),
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_default()
}

#[test]
fn neovim_receives_nl001_applies_the_fix_and_never_sees_the_password() {
    let nvim = match nvim() {
        Ok(b) => b,
        Err(why) => {
            println!(
                "SKIP: neovim_receives_nl001_applies_the_fix_and_never_sees_the_password: {why}"
            );
            return;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = std::fs::canonicalize(tmp.path()).unwrap().join("app");
    let logs = std::fs::canonicalize(tmp.path()).unwrap().join("logs");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::create_dir_all(&logs).unwrap();
    let url = format!("postgresql://app:{PASSWORD}@{HOST}/neondb");
    let env_text = format!("DATABASE_URL={url}\n");
    std::fs::write(root.join(".env"), &env_text).unwrap();
    let toml_text = format!("# settings\ndb = {{ note = \"é😀\", url = \"{url}\" }}\n");
    std::fs::create_dir_all(root.join("config")).unwrap();
    std::fs::write(root.join("config/settings.toml"), &toml_text).unwrap();
    std::fs::write(logs.join("init.lua"), SCRIPT).unwrap();
    std::fs::write(logs.join("wrapper.sh"), WRAPPER).unwrap();
    let log = |n: &str| logs.join(n);

    let mut child = Command::new(&nvim)
        .args(["--headless", "--clean", "-n", "-i", "NONE", "-c"])
        .arg(format!("luafile {}", log("init.lua").display()))
        .env("NL_ROOT", &root)
        .env("NL_RESULT", log("result.json"))
        .env("NL_WRAPPER", log("wrapper.sh"))
        .env("NL_FIFO", log("to-server.fifo"))
        .env("NL_SERVER", env!("CARGO_BIN_EXE_neon-lint"))
        .env("NL_IN_LOG", log("client-to-server.log"))
        .env("NL_OUT_LOG", log("server-to-client.log"))
        .env("NL_ERR_LOG", log("server-stderr.log"))
        .env("NL_STATUS", log("server-status"))
        // Neovim's own state (its LSP log) stays in the temporary folder.
        .env("XDG_CACHE_HOME", log("cache"))
        .env("XDG_STATE_HOME", log("state"))
        .env("XDG_DATA_HOME", log("data"))
        .env("XDG_CONFIG_HOME", log("config"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "nvim did not finish in 120 s; result so far: {}",
                read(&log("result.json"))
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let result: Value = serde_json::from_str(&read(&log("result.json")))
        .unwrap_or_else(|e| panic!("no result from nvim ({status}): {e}"));
    println!(
        "neovim: {}",
        String::from_utf8_lossy(
            &Command::new(&nvim)
                .arg("--version")
                .output()
                .unwrap()
                .stdout
        )
        .lines()
        .next()
        .unwrap_or_default()
    );
    println!("steps: {}", result["steps"]);
    assert!(result["error"].is_null(), "the script failed: {result}");

    assert_eq!(result["offset_encoding"], "utf-16", "{result}");
    assert_eq!(result["stopped"], true, "{result}");

    // Each file: NL001 at the host, its explanation on hover, the quick fix inserting
    // `?sslmode=require` at the end of the URL, applied by Neovim, saved, finding gone.
    // The TOML line has "é😀" before the URL: UTF-16 columns are 3 fewer than bytes.
    for (rel, text, shift) in [
        (".env", &env_text, 0),
        ("config/settings.toml", &toml_text, 3),
    ] {
        let r = &result["files"][rel];
        let d = &r["diagnostic"];
        println!("{rel}: diagnostic {d}");
        let line_no = text.lines().position(|l| l.contains(HOST)).unwrap();
        let line = text.lines().nth(line_no).unwrap();
        let host = line.find(HOST).unwrap() as u64 - shift;
        let at = |character: u64| serde_json::json!({"line": line_no, "character": character});
        assert_eq!(d["code"], "NL001", "{rel}: {r}");
        assert_eq!(d["source"], "neon-lint");
        assert_eq!(d["severity"], 1);
        assert_eq!(d["range"]["start"], at(host), "{rel}");
        assert_eq!(d["range"]["end"], at(host + HOST.len() as u64), "{rel}");
        let hover = r["hover"]["contents"]["value"].as_str().unwrap_or_default();
        assert!(hover.contains("NL001 missing-sslmode"), "{rel}: {r}");

        let action = &r["actions"][0];
        println!("{rel}: code action {action}");
        assert_eq!(action["kind"], "quickfix");
        let uri = format!("file://{}", root.join(rel).display());
        let edits = &action["edit"]["changes"][&uri];
        assert_eq!(edits.as_array().map(Vec::len), Some(1), "{action}");
        assert_eq!(edits[0]["newText"], "?sslmode=require", "{action}");
        let url_end = (line.find("postgresql").unwrap() + url.len()) as u64 - shift;
        assert_eq!(edits[0]["range"]["start"], at(url_end), "{rel}: {action}");

        let fixed = format!("{url}?sslmode=require");
        assert_eq!(
            r["buffer_after_edit"][line_no],
            line.replace(&url, &fixed).as_str(),
            "{rel}: {r}"
        );
        assert_eq!(
            read(&root.join(rel)),
            text.replace(&url, &fixed),
            "{rel} as saved"
        );
        assert_eq!(
            r["cleared"], true,
            "{rel}: NL001 cleared after the fix: {r}"
        );
    }
    assert_eq!(
        read(&log("server-status")).trim(),
        "0",
        "shutdown then exit: status 0"
    );

    // The recording: the client sent the text (with its password) and got none back.
    let sent = read(&log("client-to-server.log"));
    let received = read(&log("server-to-client.log"));
    let stderr = read(&log("server-stderr.log"));
    println!(
        "recorded {} bytes client->server, {} bytes server->client; {} publishDiagnostics; \
         password in client->server: {}, in server->client: {}, in server stderr: {}; \
         NL060 (hardcoded-credentials) findings sent: {}, masked `****` in them: {}",
        sent.len(),
        received.len(),
        received.matches("textDocument/publishDiagnostics").count(),
        sent.contains(PASSWORD),
        received.contains(PASSWORD),
        stderr.contains(PASSWORD),
        received.matches("\"NL060\"").count(),
        received.matches("****").count(),
    );
    // The server did talk about the password (NL060 says where it is), masked.
    assert!(
        received.contains("\"NL060\"") && received.contains("****"),
        "{received}"
    );
    // (Neovim's JSON encoder writes `/` as `\/`: method names are matched in pieces.)
    assert!(
        sent.contains("didOpen") && sent.contains(PASSWORD),
        "recording works: {sent}"
    );
    assert!(
        sent.contains("codeAction") && sent.contains("\"shutdown\""),
        "{sent}"
    );
    assert!(
        received.contains("textDocument/publishDiagnostics"),
        "{received}"
    );
    assert!(
        !received.contains(PASSWORD),
        "password sent to the client: {received}"
    );
    assert!(
        !stderr.contains(PASSWORD),
        "password on the server's stderr: {stderr}"
    );
}
