//! grpc-web framing as litd's wrapper (improbable-eng grpc-web v0.12.0 in
//! front of grpc-go's `ServeHTTP` transport) does it, as pure functions:
//! recognition (front-door reference §1.1 row 1), the request body (§2.3)
//! and the response body (§2.4). No I/O: the entry point reads the body and
//! writes what these functions return.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// Go's `base64.StdEncoding` as a decoder: padding required, non-zero
/// trailing bits accepted (it is not `Strict`).
const GO_STD: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
);

/// What litd's dispatcher tests first: `POST` and a `content-type` (first
/// value) starting with `application/grpc-web`, case-sensitive.
pub(crate) const GRPC_WEB: &str = "application/grpc-web";
/// The text (base64) variant's prefix.
pub(crate) const GRPC_WEB_TEXT: &str = "application/grpc-web-text";
const GRPC: &str = "application/grpc";

/// The flag byte of a message frame (not compressed).
pub(crate) const FLAG_MESSAGE: u8 = 0x00;
/// The flag byte of the trailer frame (MSB set).
pub(crate) const FLAG_TRAILER: u8 = 0x80;
/// Flag byte + 4-byte big-endian length.
pub(crate) const FRAME_HEADER_LEN: usize = 5;

/// Whether litd would hand this request to its grpc-web wrapper (§1.1 row 1;
/// the websocket variant is not served by the mock).
pub(crate) fn is_grpc_web(method: &http::Method, content_type: Option<&[u8]>) -> bool {
    method == http::Method::POST
        && content_type.is_some_and(|ct| ct.starts_with(GRPC_WEB.as_bytes()))
}

/// Binary frames or standard base64 of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `application/grpc-web`: frames as raw bytes.
    Binary,
    /// `application/grpc-web-text`: frames as standard base64.
    Text,
}

/// A grpc-web request's content type, as the wrapper converts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebContentType {
    pub(crate) mode: Mode,
    /// The gRPC content type the server then sees, e.g. `application/grpc+proto`.
    pub(crate) grpc: String,
}

impl WebContentType {
    /// The wrapper replaces the first `application/grpc-web-text` (text mode)
    /// or `application/grpc-web` with `application/grpc`, keeping the rest.
    /// `None` when `value` does not start with `application/grpc-web` (or is
    /// not text, which `http` header values need not be).
    pub fn parse(value: &[u8]) -> Option<Self> {
        let value = std::str::from_utf8(value).ok()?;
        if !value.starts_with(GRPC_WEB) {
            return None;
        }
        let (mode, prefix) = if value.starts_with(GRPC_WEB_TEXT) {
            (Mode::Text, GRPC_WEB_TEXT)
        } else {
            (Mode::Binary, GRPC_WEB)
        };
        Some(Self {
            mode,
            grpc: value.replacen(prefix, GRPC, 1),
        })
    }

    /// grpc-go's check of the converted type: exactly `application/grpc`, or
    /// followed by `+` or `;`. The text after that is the content subtype.
    /// `Err` is the HTTP 415 body grpc-go writes.
    pub fn subtype(&self) -> Result<&str, String> {
        let rest = &self.grpc[GRPC.len()..];
        match rest.as_bytes().first() {
            None => Ok(""),
            Some(b'+' | b';') => Ok(&rest[1..]),
            Some(_) => Err(format!(
                "invalid gRPC request content-type {:?}\n",
                self.grpc
            )),
        }
    }

    /// The response's `Content-Type`: grpc-go answers `application/grpc` or
    /// `application/grpc+<subtype>`, and the wrapper puts its own prefix back.
    pub fn response(&self) -> String {
        let web = match self.mode {
            Mode::Binary => GRPC_WEB,
            Mode::Text => GRPC_WEB_TEXT,
        };
        match self.subtype() {
            Ok("") | Err(_) => web.to_string(),
            Ok(sub) => format!("{web}+{sub}"),
        }
    }
}

/// Why a request body gave no message, with grpc-go's status for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    /// gRPC code.
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl FrameError {
    fn new(code: u8, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

const UNKNOWN: u8 = 2;
const RESOURCE_EXHAUSTED: u8 = 8;
const INTERNAL: u8 = 13;

/// What a (possibly partial) request body holds so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decoded {
    /// The one message of a unary call (what follows it is not read, as
    /// grpc-go reads a unary request's single message and stops).
    Message(Vec<u8>),
    /// More bytes are needed to finish the first frame.
    NeedMore,
    /// The call fails with this status.
    Failed(FrameError),
}

/// Decodes the first frame of `body` (the bytes received so far; `ended`
/// when the body is complete). Texts are grpc-go's (v1.82, `rpc_util.go`
/// `recvMsg`/`checkRecvPayload`, `server.go` `processUnaryRPC`): a body that
/// ends early is Unknown `EOF` (nothing) or `unexpected EOF` (inside a
/// frame); a length over `max` is ResourceExhausted; a compressed flag is
/// Internal (the mock, like litd, negotiates no compression); any other
/// flag is Internal `grpc: received unexpected payload format <n>`. In text
/// mode the body is base64 decoded as one stream, up to its first bad
/// quantum: only a frame that needs bytes beyond it fails, with Go's
/// `illegal base64 data at input byte <n>` as grpc-go reports a body read
/// error. [approx: derived from the code, not run against litd]
pub fn decode_request(mode: Mode, body: &[u8], ended: bool, max: usize) -> Decoded {
    let (bytes, text_error) = match mode {
        Mode::Binary => (std::borrow::Cow::Borrowed(body), None),
        Mode::Text => {
            let (bytes, error) = decode_text_prefix(body, ended);
            (std::borrow::Cow::Owned(bytes), error)
        }
    };
    // What a read beyond the decoded bytes gives: the base64 error, the end
    // of the body, or (body still arriving) a wait.
    let short = |inside: bool| match (&text_error, ended) {
        (Some(e), _) => Decoded::Failed(e.clone()),
        (None, true) if inside => Decoded::Failed(FrameError::new(UNKNOWN, "unexpected EOF")),
        (None, true) => Decoded::Failed(FrameError::new(UNKNOWN, "EOF")),
        (None, false) => Decoded::NeedMore,
    };
    if bytes.len() < FRAME_HEADER_LEN {
        return short(!bytes.is_empty());
    }
    let flag = bytes[0];
    let length = u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]) as usize;
    if length > max {
        return Decoded::Failed(FrameError::new(
            RESOURCE_EXHAUSTED,
            format!("grpc: received message larger than max ({length} vs. {max})"),
        ));
    }
    let Some(payload) = bytes.get(FRAME_HEADER_LEN..FRAME_HEADER_LEN + length) else {
        return short(true);
    };
    match flag {
        FLAG_MESSAGE => Decoded::Message(payload.to_vec()),
        1 => Decoded::Failed(FrameError::new(
            INTERNAL,
            "grpc: compressed flag set with identity or empty encoding",
        )),
        other => Decoded::Failed(FrameError::new(
            INTERNAL,
            format!("grpc: received unexpected payload format {other}"),
        )),
    }
}

/// How many body bytes can hold a first frame of at most `max` bytes, so
/// the entry point can stop buffering there: what comes later is not read.
pub(crate) fn body_bytes_needed(mode: Mode, max: usize) -> usize {
    let binary = FRAME_HEADER_LEN.saturating_add(max);
    match mode {
        Mode::Binary => binary,
        // 4 characters per 3 bytes, plus room for line breaks Go skips.
        Mode::Text => binary.saturating_add(2) / 3 * 4 + 1024,
    }
}

/// Go's `base64.NewDecoder(StdEncoding, body)`: `\r` and `\n` are skipped,
/// padding is required, decoding stops at the first bad quantum. Returns the
/// bytes decoded before it and, if decoding stopped, Go's error.
fn decode_text_prefix(body: &[u8], ended: bool) -> (Vec<u8>, Option<FrameError>) {
    let mut out = Vec::with_capacity(body.len() / 4 * 3);
    let mut quantum = [0u8; 4];
    let mut filled = 0;
    // Offset in the filtered stream, as Go counts `input byte`.
    let mut offset = 0usize;
    for &c in body.iter().filter(|&&c| c != b'\r' && c != b'\n') {
        quantum[filled] = c;
        filled += 1;
        if filled < 4 {
            continue;
        }
        filled = 0;
        match GO_STD.decode(quantum) {
            Ok(bytes) => {
                out.extend_from_slice(&bytes);
                // Padding ends the stream: anything after it is corrupt.
                if quantum[3] == b'=' {
                    offset += 4;
                    if body_has_more_after(body, offset) {
                        return (out, Some(illegal_base64(offset)));
                    }
                    return (out, None);
                }
            }
            Err(e) => return (out, Some(illegal_base64(offset + bad_index(&quantum, &e)))),
        }
        offset += 4;
    }
    if ended && filled > 0 {
        // A trailing partial quantum: Go's decoder reports the end of input.
        return (
            out,
            Some(FrameError::new(UNKNOWN, "unexpected EOF".to_string())),
        );
    }
    (out, None)
}

/// Whether the filtered stream has characters past `offset`.
fn body_has_more_after(body: &[u8], offset: usize) -> bool {
    body.iter()
        .filter(|&&c| c != b'\r' && c != b'\n')
        .nth(offset)
        .is_some()
}

/// Where in a 4-character quantum the base64 crate found the fault.
fn bad_index(quantum: &[u8; 4], e: &base64::DecodeError) -> usize {
    match e {
        base64::DecodeError::InvalidByte(i, _) | base64::DecodeError::InvalidLastSymbol(i, _) => *i,
        _ => quantum
            .iter()
            .position(|&c| c == b'=')
            .unwrap_or(quantum.len() - 1),
    }
}

/// grpc-go reports a body read error as a connection error, code Unknown.
fn illegal_base64(offset: usize) -> FrameError {
    FrameError::new(
        UNKNOWN,
        format!("connection error: desc = \"illegal base64 data at input byte {offset}\""),
    )
}

/// A message frame: flag 0, length, payload.
pub fn message_frame(payload: &[u8]) -> Vec<u8> {
    frame(FLAG_MESSAGE, payload)
}

/// The trailer frame of a response: lower-case `name: value\r\n` entries,
/// sorted by name. For a successful call `grpc-status: 0\r\n` (16 bytes).
pub(crate) fn trailer_frame(code: u8, message: &str) -> Vec<u8> {
    let mut block = String::new();
    if !message.is_empty() {
        block.push_str(&format!("grpc-message: {}\r\n", percent_encode(message)));
    }
    block.push_str(&format!("grpc-status: {code}\r\n"));
    frame(FLAG_TRAILER, block.as_bytes())
}

fn frame(flag: u8, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAME_HEADER_LEN + payload.len());
    out.push(flag);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A successful unary response body: the message frame, then the trailer
/// frame; in text mode one independently padded base64 chunk per frame, as
/// the wrapper encodes each flush.
pub(crate) fn success_body(mode: Mode, message: &[u8]) -> Vec<u8> {
    let frames = [message_frame(message), trailer_frame(0, "")];
    match mode {
        Mode::Binary => frames.concat(),
        Mode::Text => frames
            .iter()
            .flat_map(|f| STANDARD.encode(f).into_bytes())
            .collect(),
    }
}

/// A text-mode response body (independently padded base64 chunks, one per
/// frame) back to its bytes, quantum by quantum; what does not decode is
/// skipped. For clients and the fuzzer's classifier.
pub(crate) fn decode_text_response(text: &[u8]) -> Vec<u8> {
    text.chunks(4)
        .filter_map(|q| GO_STD.decode(q).ok())
        .flatten()
        .collect()
}

/// grpc-go's `grpc-message` encoding: bytes outside 0x20..=0x7E and `%` as
/// `%XX` (upper-case hex).
pub(crate) fn percent_encode(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    for &b in message.as_bytes() {
        if (0x20..=0x7e).contains(&b) && b != b'%' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[path = "codec_tests.rs"]
mod tests;
