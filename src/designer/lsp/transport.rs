//! The server's own stdio transport: `lsp-server`'s gives up on the first
//! malformed message (and sizes its buffer from the Content-Length), so
//! frames are read here, bounded, and anything wrong in one is reported to
//! the client (`window/logMessage`) while the server goes on.

use std::io::{BufRead, BufReader, Read, Write};
use std::thread;

use lsp_server::{Connection, Message, Notification};

/// Largest message read (a document of this size is still refused by the
/// menu's own limit, with a diagnostic).
pub const MAX_FRAME: usize = 512 << 20;

/// Threads moving messages between stdio and the server's connection.
pub struct Io {
    reader: thread::JoinHandle<()>,
    writer: thread::JoinHandle<()>,
}

impl Io {
    /// Waits for the writer to flush (the reader ends with standard input).
    pub fn join(self) {
        let _ = self.writer.join();
        drop(self.reader);
    }
}

/// A connection over standard input and output.
pub fn stdio() -> (Connection, Io) {
    let (server, client) = Connection::memory();
    let Connection { sender, receiver } = client;
    // What the reader has to say goes out as the server's own messages.
    let log = server.sender.clone();
    let reader = thread::spawn(move || {
        let mut input = BufReader::new(std::io::stdin().lock());
        loop {
            match read_frame(&mut input) {
                Ok(Some(Ok(msg))) => {
                    let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                    if sender.send(msg).is_err() || exit {
                        return;
                    }
                }
                Ok(Some(Err(problem))) => {
                    let _ = log.send(Message::Notification(Notification::new(
                        "window/logMessage".into(),
                        serde_json::json!({"type": 1, "message": format!("hotline lsp: {problem}")}),
                    )));
                }
                Ok(None) | Err(_) => return,
            }
        }
    });
    let writer = thread::spawn(move || {
        let mut out = std::io::stdout().lock();
        for msg in receiver {
            if msg.write(&mut out).is_err() {
                return;
            }
        }
        let _ = out.flush();
    });
    (server, Io { reader, writer })
}

/// One frame: `Ok(None)` at the end of input, `Ok(Some(Err(why)))` for a
/// frame that was skipped, `Err` when the input cannot be read at all.
pub fn read_frame(r: &mut impl BufRead) -> std::io::Result<Option<Result<Message, String>>> {
    let mut size: Option<usize> = None;
    let mut bad_header = None;
    let mut line = Vec::new();
    loop {
        line.clear();
        if r.by_ref().take(64 * 1024).read_until(b'\n', &mut line)? == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            break;
        }
        match text.split_once(':') {
            Some((name, value)) if name.trim().eq_ignore_ascii_case("Content-Length") => {
                match value.trim().parse::<usize>() {
                    Ok(n) => size = Some(n),
                    Err(_) => bad_header = Some(format!("Content-Length \"{}\" is not a number", value.trim())),
                }
            }
            Some(_) => {}
            None => bad_header = Some(format!("\"{text}\" is not a header")),
        }
    }
    let Some(size) = size else {
        return Ok(Some(Err(
            bad_header.unwrap_or_else(|| "a message without Content-Length".into())
        )));
    };
    if size > MAX_FRAME {
        // Read past it without holding it.
        std::io::copy(&mut r.by_ref().take(size as u64), &mut std::io::sink())?;
        return Ok(Some(Err(format!(
            "a message of {size} bytes, above the {MAX_FRAME} hotline reads, was skipped"
        ))));
    }
    let mut body = Vec::new();
    r.by_ref().take(size as u64).read_to_end(&mut body)?;
    if body.len() < size {
        return Ok(None);
    }
    let text = match String::from_utf8(body) {
        Ok(t) => t,
        Err(e) => {
            let t = String::from_utf8_lossy(e.as_bytes()).into_owned();
            // Not UTF-8 as the protocol requires: the bad bytes become
            // U+FFFD and the message is read.
            return Ok(Some(
                serde_json::from_str(&t).map_err(|e| format!("a message that is neither UTF-8 nor JSON: {e}")),
            ));
        }
    };
    Ok(Some(
        serde_json::from_str(&text).map_err(|e| format!("a message that is not JSON-RPC: {e}")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(msg: &Message) -> Vec<u8> {
        let mut out = Vec::new();
        msg.write(&mut out).unwrap();
        out
    }

    #[test]
    fn frames_that_are_wrong_are_skipped_and_reading_goes_on() {
        let good = frame(&Message::Notification(Notification::new(
            "initialized".into(),
            serde_json::json!({}),
        )));
        let mut input = Vec::new();
        input.extend_from_slice(b"Content-Length: 5\r\n\r\n{oops");
        input.extend_from_slice(b"Content-Length: x\r\n\r\n");
        input.extend_from_slice(b"Content-Length: 99999999999\r\n\r\n");
        let mut r = std::io::Cursor::new(input);
        assert!(matches!(read_frame(&mut r), Ok(Some(Err(_)))));
        assert!(matches!(read_frame(&mut r), Ok(Some(Err(_)))));
        // The huge one is skipped to the end of input, never allocated.
        assert!(matches!(read_frame(&mut r), Ok(Some(Err(_)))));
        let mut r = std::io::Cursor::new(good);
        assert!(matches!(read_frame(&mut r), Ok(Some(Ok(Message::Notification(_))))));
        assert!(matches!(read_frame(&mut r), Ok(None)));
    }
}
