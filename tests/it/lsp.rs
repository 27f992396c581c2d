//! `hotline lsp` driven over standard input and output as an editor
//! would: initialize, didOpen, didChange, definition, references, hover,
//! completion, codeAction, rename, shutdown — exact positions (UTF-16, as
//! the protocol counts) and texts, Chinese ids included; and a real
//! editor, Neovim, showing the diagnostics.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

/// A Chinese menu with an id outside the BMP (two UTF-16 units).
const ZH: &str = "hotline: 测试热线
entry: 欢迎
nodes:
  欢迎: { kind: prompt, say: 您好, duration: 3s, next: 主菜单 }
  主菜单:
    kind: menu
    say: 人工服务请按0
    duration: 5s
    options:
      \"0\": { to: 人工😀, share: 1 }
  人工😀: { kind: queue, pool: 客服 }
agents:
  客服: { seats: 2, handle_time: exp(mean=3m) }
callers: { arrivals: 30/h }
";

const URI: &str = "file:///tmp/hotline-lsp/%E6%B5%8B%E8%AF%95.yaml";

struct Server {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next: i64,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hotline"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        len = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; len];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut s = Server {
            child,
            stdin,
            rx,
            next: 1,
        };
        let init = s.request(
            "initialize",
            json!({"capabilities": {}, "processId": null, "rootUri": null}),
        );
        assert!(init["capabilities"]["hoverProvider"].as_bool().unwrap(), "{init}");
        s.notify("initialized", json!({}));
        s
    }

    fn send(&mut self, msg: Value) {
        self.send_raw(msg.to_string().as_bytes());
    }

    fn send_raw(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// The next `window/logMessage`.
    fn log_message(&mut self) -> String {
        loop {
            let m = self.rx.recv_timeout(Duration::from_secs(60)).expect("a log message");
            if m["method"] == "window/logMessage" {
                return m["params"]["message"].as_str().unwrap().to_string();
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its answer (skipping notifications).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.rx.recv_timeout(Duration::from_secs(60)).expect("an answer");
            if m["id"] == id {
                assert!(m.get("error").is_none(), "{m}");
                return m["result"].clone();
            }
        }
    }

    /// The next diagnostics published.
    fn diagnostics(&mut self) -> Vec<Value> {
        loop {
            let m = self.rx.recv_timeout(Duration::from_secs(60)).expect("diagnostics");
            if m["method"] == "textDocument/publishDiagnostics" {
                assert_eq!(m["params"]["uri"], URI);
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn open(&mut self, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "yaml", "version": 1, "text": text}}),
        );
        self.diagnostics()
    }

    fn at(&self, line: u32, character: u32) -> Value {
        json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}})
    }

    fn stop(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.is_null());
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

/// Line (0-based) and UTF-16 column of the `nth` occurrence of `what`.
fn find(text: &str, what: &str, nth: usize) -> (u32, u32) {
    let mut seen = 0;
    for (i, line) in text.lines().enumerate() {
        let mut from = 0;
        while let Some(k) = line[from..].find(what) {
            if seen == nth {
                let col: usize = line[..from + k].encode_utf16().count();
                return (i as u32, col as u32);
            }
            seen += 1;
            from += k + what.len();
        }
    }
    panic!("{what} #{nth} not in the text");
}

fn range(line: u32, start: u32, end: u32) -> Value {
    json!({"start": {"line": line, "character": start}, "end": {"line": line, "character": end}})
}

#[test]
fn definitions_references_hover_and_rename_of_chinese_ids() {
    let mut s = Server::start();
    let diags = s.open(ZH);
    assert!(diags.iter().all(|d| d["severity"] != 1), "{diags:?}");
    let id = "人工😀";
    let w = id.encode_utf16().count() as u32;
    assert_eq!(w, 4);
    let (use_line, use_col) = find(ZH, id, 0);
    let (def_line, def_col) = find(ZH, id, 1);
    // Definition: from the use under `to:` to the key under `nodes:`.
    let d = s.request("textDocument/definition", s.at(use_line, use_col + 1));
    assert_eq!(d["uri"], URI);
    assert_eq!(d["range"], range(def_line, def_col, def_col + w));
    // References: the key first, then the use.
    let mut p = s.at(def_line, def_col);
    p["context"] = json!({"includeDeclaration": true});
    let refs = s.request("textDocument/references", p);
    let ranges: Vec<&Value> = refs.as_array().unwrap().iter().map(|l| &l["range"]).collect();
    assert_eq!(
        ranges,
        vec![
            &range(def_line, def_col, def_col + w),
            &range(use_line, use_col, use_col + w)
        ]
    );
    // Pools too: `pool: 客服` goes to the key under `agents:`.
    let (pl, pc) = find(ZH, "客服", 0);
    let (al, ac) = find(ZH, "客服", 1);
    let d = s.request("textDocument/definition", s.at(pl, pc));
    assert_eq!(d["range"], range(al, ac, ac + 2));
    // Hover on the menu node: kind, what the caller hears, the way to a human.
    let (ml, mc) = find(ZH, "主菜单", 1);
    let h = s.request("textDocument/hover", s.at(ml, mc));
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(text.starts_with("**主菜单** — menu"), "{text}");
    assert!(text.contains("> 人工服务请按0"), "{text}");
    assert!(
        text.contains("1 selection(s) and 5 s to a human (主菜单 → 人工😀)"),
        "{text}"
    );
    assert!(text.contains("P(reach a queue) = 100.0%"), "{text}");
    // Hover on the pool: seats and the offered load.
    let h = s.request("textDocument/hover", s.at(al, ac));
    let text = h["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("2 seat(s)") && text.contains("30.0/h × 100.0% reaching it × 180 s = 1.50 erlangs"),
        "{text}"
    );
    // Rename the node across the file.
    let mut p = s.at(use_line, use_col);
    p["newName"] = json!("人工队列");
    let edit = s.request("textDocument/rename", p);
    let edits = edit["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 2);
    assert!(edits.iter().all(|e| e["newText"] == "人工队列"));
    assert_eq!(edits[0]["range"], range(def_line, def_col, def_col + w));
    s.stop();
}

#[test]
fn diagnostics_match_check_and_code_actions_fix_them() {
    let dir = std::env::temp_dir().join(format!("hotline-lsp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A dangling target (a typo of a node id) and an unquoted distribution.
    let text = ZH
        .replace("{ to: 人工😀, share: 1 }", "{ to: 人工😁, share: 1 }")
        .replace("handle_time: exp(mean=3m)", "handle_time: lognormal(mean=3m, sd=1m)");
    let file = dir.join("menu.yaml");
    std::fs::write(&file, &text).unwrap();
    let out = crate::support::hotline(&["check", file.to_str().unwrap(), "--format", "json"]);
    let check: Value = serde_json::from_slice(&out.stdout).unwrap();
    let expected = check["files"][0]["diagnostics"].as_array().unwrap().clone();
    assert!(expected.iter().any(|d| d["code"] == "unknown-target"), "{expected:?}");

    let mut s = Server::start();
    let got = s.open(&text);
    // Every diagnostic of `check`, with its code, message and place (the
    // column in UTF-16 units), then the rule findings (none here: the
    // menu does not build).
    assert_eq!(got.len(), expected.len(), "{got:?}");
    let lines: Vec<&str> = text.lines().collect();
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g["code"], e["code"]);
        assert_eq!(g["message"], e["message"]);
        assert_eq!(g["source"], "hotline");
        let line = e["line"].as_u64().unwrap() as usize - 1;
        let col: usize = lines[line]
            .chars()
            .take(e["column"].as_u64().unwrap() as usize - 1)
            .map(char::len_utf16)
            .sum();
        assert_eq!(g["range"]["start"], json!({"line": line, "character": col}), "{g}");
    }
    let target = got.iter().find(|d| d["code"] == "unknown-target").unwrap();
    let (tl, tc) = find(&text, "人工😁", 0);
    assert_eq!(target["range"], range(tl, tc, tc + 4));
    assert_eq!(target["severity"], 1);
    // The fix the message suggests, as a code action.
    let actions = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": target["range"], "context": {"diagnostics": [target]}}),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Change to \"人工😀\"")
        .unwrap_or_else(|| panic!("{actions}"));
    assert_eq!(
        fix["edit"]["changes"][URI][0],
        json!({"range": target["range"], "newText": "人工😀"})
    );
    // The unquoted distribution: put in quotes.
    let unquoted = got.iter().find(|d| d["code"] == "unquoted-distribution").unwrap();
    let actions = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": URI}, "range": unquoted["range"], "context": {"diagnostics": [unquoted]}}),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Put the distribution in quotes")
        .unwrap();
    assert_eq!(
        fix["edit"]["changes"][URI][0]["newText"],
        "\"lognormal(mean=3m, sd=1m)\""
    );
    // A change that fixes the target: the diagnostics follow.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": ZH}]}),
    );
    let after = s.diagnostics();
    assert!(after.iter().all(|d| d["code"] != "unknown-target"), "{after:?}");
    s.stop();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn completion_offers_targets_pools_distributions_and_keys() {
    let mut s = Server::start();
    // The menu as it was, then a node being typed (the text no longer
    // parses: the names of the last text that did are offered).
    s.open(ZH);
    let text = ZH.replace("agents:\n", "  extra:\n    kind: queue\n    \nagents:\n");
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let labels = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|c| c["label"].as_str().unwrap().to_string())
            .collect()
    };
    // After `next: ` on the welcome prompt's line: node ids.
    let (l, c) = find(&text, "主菜单 }", 0);
    let got = labels(&s.request("textDocument/completion", s.at(l, c)));
    assert_eq!(got, vec!["欢迎", "主菜单", "人工😀", "extra"]);
    let broken = format!("{text}  oops: [\n");
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": broken}]}),
    );
    let got = labels(&s.request("textDocument/completion", s.at(l, c)));
    assert_eq!(got, vec!["欢迎", "主菜单", "人工😀", "extra"]);
    // After `pool: `: pools.
    let (l, c) = find(&text, "客服 }", 0);
    assert_eq!(labels(&s.request("textDocument/completion", s.at(l, c))), vec!["客服"]);
    // After `handle_time: `: the distribution forms.
    let (l, c) = find(&text, "exp(mean=3m)", 0);
    let got = labels(&s.request("textDocument/completion", s.at(l, c)));
    assert!(got.contains(&"lognormal(mean=5m, sd=3m)".to_string()), "{got:?}");
    // On an empty line of a queue: the keys of a queue.
    let (blank, _) = find(&text, "    kind: queue", 0);
    let got = labels(&s.request("textDocument/completion", s.at(blank + 1, 4)));
    for k in ["pool", "max_wait", "busy", "say", "duration"] {
        assert!(got.contains(&k.to_string()), "{k} not in {got:?}");
    }
    assert!(!got.contains(&"options".to_string()), "{got:?}");
    s.stop();
}

/// Malformed YAML, a half-typed file, a 100 MB file, bytes that are not
/// UTF-8 and a frame that is not JSON: diagnostics or a clear message,
/// and the server goes on answering.
#[test]
fn bad_input_never_kills_the_server() {
    let mut s = Server::start();
    let still_answers = |s: &mut Server| {
        let (l, c) = find(ZH, "主菜单", 0);
        s.request("textDocument/hover", s.at(l, c))
    };
    let d = s.open("hotline: T\nnodes: [\n");
    assert_eq!(d[0]["code"], "yaml-syntax", "{d:?}");
    let half = "hotline: T\nentry: a\nnodes:\n  a: { kind: ";
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": half}]}),
    );
    let d = s.diagnostics();
    assert!(!d.is_empty() && d.iter().all(|x| x["code"].is_string()), "{d:?}");
    // 100 MB: refused by the menu's size limit, as `check` does.
    let big = format!("hotline: T\n# {}\n", "x".repeat(100 << 20));
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": big}]}),
    );
    let d = s.diagnostics();
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0]["message"].as_str().unwrap().contains("bytes"), "{d:?}");
    // Not UTF-8: the bad byte becomes U+FFFD and the text is read.
    let mut raw = json!({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": {"uri": URI, "version": 4}, "contentChanges": [{"text": "hotline: T@\n"}]}})
    .to_string()
    .into_bytes();
    let at = raw.iter().position(|&b| b == b'@').unwrap();
    raw[at] = 0xff;
    s.send_raw(&raw);
    let d = s.diagnostics();
    assert!(!d.is_empty(), "{d:?}");
    // Not JSON: said in the log, and the server goes on.
    s.send_raw(b"{ this is not json");
    assert!(s.log_message().contains("not JSON-RPC"));
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 5}, "contentChanges": [{"text": ZH}]}),
    );
    assert!(s.diagnostics().iter().all(|d| d["severity"] != 1));
    let h = still_answers(&mut s);
    assert!(h["contents"]["value"].as_str().unwrap().contains("主菜单"), "{h}");
    s.stop();
}

/// The sample menu: definition and hover at exact places.
#[test]
fn the_sample_bank_menu() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/menus/bank.yaml")).unwrap();
    let mut s = Server::start();
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "yaml", "version": 1, "text": text}}),
    );
    let d = s.diagnostics();
    assert!(d.iter().all(|x| x["severity"] != 1), "{d:?}");
    // `next: main` of the welcome prompt goes to `  main:`.
    let (ul, uc) = find(&text, "next: main", 0);
    let (dl, _) = find(&text, "  main:", 0);
    let def = s.request("textDocument/definition", s.at(ul, uc + 6));
    assert_eq!(def["range"], range(dl, 2, 6));
    let h = s.request("textDocument/hover", s.at(dl, 3));
    let v = h["contents"]["value"].as_str().unwrap();
    assert!(v.starts_with("**main** — menu"), "{v}");
    assert!(v.contains("> For cards press 1, for loans press 2"), "{v}");
    assert!(v.contains("to a human (main → "), "{v}");
    s.stop();
}

/// Vendor flows get their diagnostics too.
#[test]
fn a_vendor_flow_gets_diagnostics() {
    let flow = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/flows/connect_main.json"
    ))
    .unwrap();
    let mut s = Server::start();
    let got = s.open(&flow);
    // The flow imports (no error); whatever it says, it is said with codes.
    assert!(
        got.iter().all(|d| d["code"].is_string() && d["severity"] != 1),
        "{got:?}"
    );
    s.stop();
}

/// Neovim's own LSP client, headless, opens a menu with a dangling
/// target and writes the diagnostics it received.
#[test]
fn neovim_shows_the_diagnostics() {
    if Command::new("nvim").arg("--version").output().is_err() {
        assert!(
            std::env::var("CI").is_err(),
            "nvim is missing on CI: .ci/run installs it"
        );
        eprintln!("skipped: nvim is not installed (.ci/run installs it)");
        return;
    }
    let dir = std::env::temp_dir().join(format!("hotline-nvim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let menu = dir.join("dangling.yaml");
    std::fs::write(
        &menu,
        "hotline: T\nentry: main\nnodes:\n  main: { kind: menu, options: { \"1\": { to: agnet } } }\n  agent: { kind: queue, pool: desk }\nagents:\n  desk: { seats: 1, handle_time: 3m }\n",
    )
    .unwrap();
    let out = dir.join("diagnostics.txt");
    let script = dir.join("init.lua");
    std::fs::write(
        &script,
        format!(
            r#"
-- Neovim 0.7 (Debian 12) has no vim.lsp.start: start the client and
-- attach it to the buffer.
local client = vim.lsp.start_client({{ name = "hotline", cmd = {{ "{bin}", "lsp" }}, root_dir = "{dir}" }})
vim.lsp.buf_attach_client(0, client)
local done = vim.wait(20000, function() return #vim.diagnostic.get(0) > 0 end, 50)
local lines = {{}}
for _, d in ipairs(vim.diagnostic.get(0)) do
  table.insert(lines, string.format("%d:%d %s %s", d.lnum, d.col, d.code or "", d.message))
end
vim.fn.writefile(lines, "{out}")
vim.cmd("qa!")
"#,
            bin = env!("CARGO_BIN_EXE_hotline"),
            dir = dir.display(),
            out = out.display()
        ),
    )
    .unwrap();
    let status = Command::new("nvim")
        .args(["--headless", "--clean", "-c"])
        .arg(format!("luafile {}", script.display()))
        .arg(&menu)
        .stdin(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let got = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(
        got.contains("3:44 unknown-target") && got.contains("did you mean \"agent\""),
        "{got}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
