//! `hotline lsp`: a Language Server on standard input and output, built
//! on rust-analyzer's `lsp-server` (the transport and the message loop;
//! `tower-lsp` has been unmaintained since 2023, and an async runtime
//! would buy nothing for one document at a time) and `lsp-types`.
//!
//! Diagnostics are those of `hotline check` with the rule findings, on
//! open and, debounced, after changes; definitions, references and
//! rename of node ids and pool names; hover on nodes and pools;
//! completion of targets, pools, distributions and keys; code actions for
//! the fixes the diagnostics suggest.

pub mod doc;
pub mod features;
pub mod transport;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, GotoDefinition, HoverRequest, References, Rename, Request as _,
};
use lsp_types::{
    CodeActionProviderCapability, CompletionOptions, GotoDefinitionResponse, HoverProviderCapability, Location, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind, Uri,
};

use doc::Doc;

/// How long after the last change diagnostics are published.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// What the server can do.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![":".into(), " ".into()]),
            ..CompletionOptions::default()
        }),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Serves on standard input and output until the client shuts it down.
pub fn run_stdio() -> Result<(), String> {
    let (conn, io) = transport::stdio();
    let caps = serde_json::to_value(capabilities()).map_err(|e| e.to_string())?;
    conn.initialize(caps).map_err(|e| e.to_string())?;
    serve(&conn)?;
    drop(conn);
    io.join();
    Ok(())
}

/// The message loop on a connection that is initialised.
pub fn serve(conn: &Connection) -> Result<(), String> {
    let mut docs: HashMap<String, (Uri, Doc)> = HashMap::new();
    let mut due: HashMap<String, Instant> = HashMap::new();
    loop {
        let wait = due.values().min().map_or(Duration::from_secs(3600), |t| {
            t.saturating_duration_since(Instant::now())
        });
        match conn.receiver.recv_timeout(wait) {
            Ok(Message::Request(req)) => {
                if conn.handle_shutdown(&req).map_err(|e| e.to_string())? {
                    return Ok(());
                }
                let id = req.id.clone();
                // A mistake of ours answers this request with an error and
                // the server goes on.
                let resp = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| request(&mut docs, req)))
                    .unwrap_or_else(|_| {
                        Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            "hotline lsp failed on this request".into(),
                        )
                    });
                conn.sender.send(resp.into()).map_err(|e| e.to_string())?;
            }
            Ok(Message::Notification(n)) => {
                if let Some(key) = notification(&mut docs, n) {
                    match key {
                        Changed::Now(key) => publish(conn, &mut docs, &key)?,
                        Changed::Later(key) => {
                            due.insert(key, Instant::now() + DEBOUNCE);
                        }
                        Changed::Closed(uri) => {
                            due.remove(uri.as_str());
                            send_diagnostics(conn, uri, Vec::new())?;
                        }
                    }
                }
            }
            Ok(Message::Response(_)) => {}
            Err(e) if e.is_timeout() => {
                let now = Instant::now();
                let ready: Vec<String> = due.iter().filter(|(_, t)| **t <= now).map(|(k, _)| k.clone()).collect();
                for key in ready {
                    due.remove(&key);
                    publish(conn, &mut docs, &key)?;
                }
            }
            Err(_) => return Ok(()),
        }
    }
}

enum Changed {
    Now(String),
    Later(String),
    Closed(Uri),
}

fn notification(docs: &mut HashMap<String, (Uri, Doc)>, n: Notification) -> Option<Changed> {
    match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let key = p.text_document.uri.as_str().to_string();
            let doc = Doc {
                name: name_of(&p.text_document.uri),
                text: p.text_document.text,
                state: None,
                last_names: Vec::new(),
            };
            docs.insert(key.clone(), (p.text_document.uri, doc));
            Some(Changed::Now(key))
        }
        DidChangeTextDocument::METHOD => {
            let p: lsp_types::DidChangeTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let key = p.text_document.uri.as_str().to_string();
            let (_, doc) = docs.get_mut(&key)?;
            // Full sync: the last change holds the whole text.
            doc.text = p.content_changes.into_iter().last()?.text;
            doc.state = None;
            Some(Changed::Later(key))
        }
        DidCloseTextDocument::METHOD => {
            let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params).ok()?;
            docs.remove(p.text_document.uri.as_str());
            Some(Changed::Closed(p.text_document.uri))
        }
        _ => None,
    }
}

/// The file name of a URI, for messages.
fn name_of(uri: &Uri) -> String {
    let path = uri.path().as_str();
    let last = path.rsplit('/').next().unwrap_or(path);
    percent_decode(last)
}

/// `%XX` sequences decoded (file names with spaces or Chinese characters).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            b.get(i + 1).and_then(|&c| hex(c)),
            b.get(i + 2).and_then(|&c| hex(c)),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(hi * 16 + lo);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn publish(conn: &Connection, docs: &mut HashMap<String, (Uri, Doc)>, key: &str) -> Result<(), String> {
    let Some((uri, doc)) = docs.get_mut(key) else {
        return Ok(());
    };
    let diagnostics = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| doc.state().diagnostics.clone()))
        .unwrap_or_else(|_| {
            doc.state = None;
            vec![lsp_types::Diagnostic {
                message: "hotline could not analyse this text (a mistake of hotline's: please report it)".into(),
                source: Some("hotline".into()),
                ..lsp_types::Diagnostic::default()
            }]
        });
    send_diagnostics(conn, uri.clone(), diagnostics)
}

fn send_diagnostics(conn: &Connection, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Result<(), String> {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version: None,
    };
    conn.sender
        .send(Notification::new(PublishDiagnostics::METHOD.into(), params).into())
        .map_err(|e| e.to_string())
}

fn request(docs: &mut HashMap<String, (Uri, Doc)>, req: Request) -> Response {
    let id = req.id.clone();
    match answer(docs, req) {
        Ok(v) => Response::new_ok(id, v),
        Err(message) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
    }
}

fn answer(docs: &mut HashMap<String, (Uri, Doc)>, req: Request) -> Result<serde_json::Value, String> {
    let json = |v: &dyn erased::Json| v.to_json();
    match req.method.as_str() {
        GotoDefinition::METHOD => {
            let p: lsp_types::GotoDefinitionParams = params(req)?;
            let tp = p.text_document_position_params;
            let uri = tp.text_document.uri;
            let found = features::definition(doc_of(docs, &uri)?, tp.position)
                .map(|range| GotoDefinitionResponse::Scalar(Location::new(uri.clone(), range)));
            Ok(json(&found))
        }
        References::METHOD => {
            let p: lsp_types::ReferenceParams = params(req)?;
            let uri = p.text_document_position.text_document.uri;
            let ranges = features::references(
                doc_of(docs, &uri)?,
                p.text_document_position.position,
                p.context.include_declaration,
            );
            let found: Vec<Location> = ranges.into_iter().map(|r| Location::new(uri.clone(), r)).collect();
            Ok(json(&found))
        }
        Rename::METHOD => {
            let p: lsp_types::RenameParams = params(req)?;
            let uri = p.text_document_position.text_document.uri;
            let edit = features::rename(
                doc_of(docs, &uri)?,
                &uri,
                p.text_document_position.position,
                &p.new_name,
            )?;
            Ok(json(&edit))
        }
        HoverRequest::METHOD => {
            let p: lsp_types::HoverParams = params(req)?;
            let tp = p.text_document_position_params;
            Ok(json(&features::hover(
                doc_of(docs, &tp.text_document.uri)?,
                tp.position,
            )))
        }
        Completion::METHOD => {
            let p: lsp_types::CompletionParams = params(req)?;
            let tp = p.text_document_position;
            Ok(json(&features::completion(
                doc_of(docs, &tp.text_document.uri)?,
                tp.position,
            )))
        }
        CodeActionRequest::METHOD => {
            let p: lsp_types::CodeActionParams = params(req)?;
            let uri = p.text_document.uri;
            Ok(json(&features::code_actions(doc_of(docs, &uri)?, &uri, p.range)))
        }
        other => Err(format!("hotline lsp does not answer {other}")),
    }
}

fn doc_of<'a>(docs: &'a mut HashMap<String, (Uri, Doc)>, uri: &Uri) -> Result<&'a mut Doc, String> {
    docs.get_mut(uri.as_str())
        .map(|(_, d)| d)
        .ok_or_else(|| format!("{} is not open", uri.as_str()))
}

fn params<P: serde::de::DeserializeOwned>(req: Request) -> Result<P, String> {
    serde_json::from_value(req.params).map_err(|e| format!("{}: {e}", req.method))
}

/// Serialisation of any answer, as one function the dispatch can call.
mod erased {
    /// A value the server can answer with.
    pub trait Json {
        /// The value as JSON.
        fn to_json(&self) -> serde_json::Value;
    }

    impl<T: serde::Serialize> Json for T {
        fn to_json(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}
