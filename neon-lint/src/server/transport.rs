//! Framing over stdio: `Content-Length` headers, then a JSON-RPC body.
//!
//! lsp-server's own stdio transport ends the connection on the first body that is not
//! valid JSON; the protocol wants an error response instead (JSON-RPC "Parse error",
//! `id: null`) and the session to go on. So the reading is ours, bounded (a client cannot
//! make the server allocate gigabytes), and the messages are lsp-server's types.

use std::io::{BufRead, Read, Write};
use std::sync::mpsc;

use lsp_server::{ErrorCode, Message, RequestId, Response};

/// The largest body read (an 8 MB file in a `didOpen`, JSON-escaped, fits).
const MAX_BODY: usize = 64 * 1024 * 1024;

/// What the reader hands the server loop.
#[derive(Debug)]
pub enum Incoming {
    /// A well-formed message.
    Message(Message),
    /// A body that is not a JSON-RPC message: answered with an error, not fatal. `id` is
    /// the request's id when the body was JSON and had one.
    Malformed {
        id: Option<RequestId>,
        code: ErrorCode,
        why: String,
    },
}

/// What the writer sends.
#[derive(Debug)]
pub enum Outgoing {
    /// A message.
    Message(Message),
    /// An error response whose id is `null` (a body that could not be read has no id),
    /// which lsp-server's `Response` cannot carry.
    NullIdError { code: ErrorCode, message: String },
}

/// Reads framed messages from `input` until end of input or a framing error that cannot
/// be recovered from (the stream position is then unknown).
pub fn read_loop(mut input: impl BufRead, to_server: mpsc::Sender<Incoming>) {
    loop {
        let body = match read_frame(&mut input) {
            Ok(Some(b)) => b,
            Ok(None) => return,
            Err(Frame::Skipped(why)) => {
                let m = Incoming::Malformed {
                    id: None,
                    code: ErrorCode::ParseError,
                    why,
                };
                if to_server.send(m).is_err() {
                    return;
                }
                continue;
            }
            Err(Frame::Fatal) => return,
        };
        let incoming = parse_body(&body);
        let is_exit =
            matches!(&incoming, Incoming::Message(Message::Notification(n)) if n.method == "exit");
        if to_server.send(incoming).is_err() || is_exit {
            return;
        }
    }
}

/// Why a frame was not read.
enum Frame {
    /// The body was skipped (bad header, too long); reading goes on after it.
    Skipped(String),
    /// The stream broke.
    Fatal,
}

fn read_frame(input: &mut impl BufRead) -> Result<Option<Vec<u8>>, Frame> {
    let mut length: Option<usize> = None;
    let mut bad: Option<String> = None;
    let mut line = Vec::new();
    let mut any_header = false;
    loop {
        line.clear();
        // A header line is short; one that is not is not a header, and is not kept.
        let n = Read::take(&mut *input, 8 * 1024)
            .read_until(b'\n', &mut line)
            .map_err(|_| Frame::Fatal)?;
        if n == 0 {
            return if any_header {
                Err(Frame::Fatal)
            } else {
                Ok(None)
            };
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !any_header {
                // Stray blank line between messages: tolerated.
                continue;
            }
            break;
        }
        any_header = true;
        let Some((name, value)) = text.split_once(':') else {
            bad = Some("malformed header line".into());
            continue;
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            match value.trim().parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => bad = Some("Content-Length is not a number".into()),
            }
        }
    }
    let Some(length) = length else {
        return Err(Frame::Skipped(
            bad.unwrap_or_else(|| "no Content-Length header".into()),
        ));
    };
    if length > MAX_BODY {
        // Skip the body without keeping it, so the next frame is read where it starts.
        let skipped = std::io::copy(
            &mut Read::take(&mut *input, length as u64),
            &mut std::io::sink(),
        )
        .map_err(|_| Frame::Fatal)?;
        if skipped < length as u64 {
            return Err(Frame::Fatal);
        }
        return Err(Frame::Skipped(format!(
            "message of {length} bytes is over the {} MB limit",
            MAX_BODY / (1024 * 1024)
        )));
    }
    let mut body = vec![0; length];
    input.read_exact(&mut body).map_err(|_| Frame::Fatal)?;
    Ok(Some(body))
}

fn parse_body(body: &[u8]) -> Incoming {
    let value: serde_json::Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            // serde's message names a line and column, never the text.
            return Incoming::Malformed {
                id: None,
                code: ErrorCode::ParseError,
                why: format!("not valid JSON: {}", super::scrub_serde_error(&e)),
            };
        }
    };
    let id = value
        .get("id")
        .and_then(|id| serde_json::from_value::<RequestId>(id.clone()).ok());
    let has_method = value.get("method").is_some_and(|m| m.is_string());
    if !value.is_object()
        || (!has_method && value.get("result").is_none() && value.get("error").is_none())
    {
        return Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest,
            why: "not a JSON-RPC request, notification or response".into(),
        };
    }
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Incoming::Message(m),
        Err(e) => Incoming::Malformed {
            id,
            code: ErrorCode::InvalidRequest,
            why: format!("not a JSON-RPC message: {}", super::scrub_serde_error(&e)),
        },
    }
}

/// Writes what the server sends until the channel closes; stops at the first write error
/// (the client has gone).
pub fn write_loop(mut output: impl Write, from_server: mpsc::Receiver<Outgoing>) {
    for out in from_server {
        let written = match out {
            Outgoing::Message(m) => m.write(&mut output),
            Outgoing::NullIdError { code, message } => {
                let body = serde_json::json!({
                    "jsonrpc": "2.0",
                    "id": null,
                    "error": {"code": code as i32, "message": message},
                })
                .to_string();
                write!(output, "Content-Length: {}\r\n\r\n{body}", body.len())
                    .and_then(|()| output.flush())
            }
        };
        if written.is_err() {
            return;
        }
    }
}

/// The error response for a malformed body.
pub fn malformed_response(id: Option<RequestId>, code: ErrorCode, why: String) -> Outgoing {
    match id {
        Some(id) => Outgoing::Message(Message::Response(Response::new_err(id, code as i32, why))),
        None => Outgoing::NullIdError { code, message: why },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Incoming> {
        let (tx, rx) = mpsc::channel();
        read_loop(std::io::Cursor::new(input.as_bytes().to_vec()), tx);
        rx.into_iter().collect()
    }

    #[test]
    fn bad_bodies_and_headers_are_reported_and_reading_goes_on() {
        let ok = r#"{"jsonrpc":"2.0","id":7,"method":"x"}"#;
        let input = format!(
            "Content-Length: 5\r\n\r\n{{oops\
             X-Nothing: 1\r\n\r\n\
             Content-Length: 12\r\n\r\n{{\"id\":3,\"x\":\
             Content-Length: {}\r\n\r\n{ok}",
            ok.len()
        );
        let got = frames(&input);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(matches!(
            &got[0],
            Incoming::Malformed {
                id: None,
                code: ErrorCode::ParseError,
                ..
            }
        ));
        assert!(matches!(
            &got[1],
            Incoming::Malformed {
                id: None,
                code: ErrorCode::ParseError,
                ..
            }
        ));
        assert!(matches!(
            &got[2],
            Incoming::Malformed {
                code: ErrorCode::ParseError,
                ..
            }
        ));
        assert!(matches!(&got[3], Incoming::Message(Message::Request(r)) if r.method == "x"));
    }

    #[test]
    fn valid_json_that_is_no_message_keeps_its_id() {
        let body = r#"{"jsonrpc":"2.0","id":9,"params":[]}"#;
        let got = frames(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        assert!(
            matches!(&got[0], Incoming::Malformed { id: Some(id), code: ErrorCode::InvalidRequest, .. } if *id == RequestId::from(9)),
            "{got:?}"
        );
    }
}
