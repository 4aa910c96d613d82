//! A deliberately minimal HTTP/2 and HTTP/1 client over TLS for abuse tests:
//! it writes frames byte by byte (so it can break rules a real client
//! refuses to break, like opening more streams than allowed) and reads
//! frames back without decoding HPACK (tests look at frame types, stream
//! ids and error codes only).

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::TlsConnector;

pub const DATA: u8 = 0;
pub const HEADERS: u8 = 1;
pub const RST_STREAM: u8 = 3;
pub const SETTINGS: u8 = 4;
pub const GOAWAY: u8 = 7;
pub const CONTINUATION: u8 = 9;
pub const END_STREAM: u8 = 1;
pub const END_HEADERS: u8 = 4;
pub const REFUSED_STREAM: u32 = 7;

pub struct Frame {
    pub kind: u8,
    pub flags: u8,
    pub stream: u32,
    pub payload: Vec<u8>,
}

pub async fn tls(addr: std::net::SocketAddr, cert_pem: &str, alpn: &[u8]) -> TlsStream<TcpStream> {
    let mut config =
        (*autopilot_mock::tls::client_config(cert_pem).expect("client config")).clone();
    config.alpn_protocols = vec![alpn.to_vec()];
    let tcp = TcpStream::connect(addr).await.expect("connect");
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
        .expect("TLS handshake")
}

pub struct H2 {
    pub io: TlsStream<TcpStream>,
}

impl H2 {
    /// Preface and settings exchange; the server's settings (and so its
    /// stream and header limits) are in force when this returns.
    pub async fn connect(addr: std::net::SocketAddr, cert_pem: &str) -> H2 {
        let mut h2 = H2 {
            io: tls(addr, cert_pem, b"h2").await,
        };
        h2.io
            .write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
            .await
            .expect("preface");
        h2.frame(SETTINGS, 0, 0, &[]).await;
        loop {
            let f = h2.read().await.expect("server settings");
            if f.kind == SETTINGS && f.flags & 1 == 0 {
                h2.frame(SETTINGS, 1, 0, &[]).await;
                break;
            }
        }
        h2
    }

    pub async fn frame(&mut self, kind: u8, flags: u8, stream: u32, payload: &[u8]) {
        let len = payload.len() as u32;
        let mut out = len.to_be_bytes()[1..].to_vec();
        out.extend([kind, flags]);
        out.extend(stream.to_be_bytes());
        out.extend(payload);
        self.io.write_all(&out).await.expect("write frame");
    }

    /// A header block for `headers`, split into HEADERS + CONTINUATION frames.
    pub async fn headers(&mut self, stream: u32, headers: &[(&str, &str)], end_stream: bool) {
        let block = hpack_literals(headers);
        let chunks: Vec<&[u8]> = block.chunks(16_384).collect();
        for (i, chunk) in chunks.iter().enumerate() {
            let last = i + 1 == chunks.len();
            let mut flags = if last { END_HEADERS } else { 0 };
            let kind = if i == 0 { HEADERS } else { CONTINUATION };
            if i == 0 && end_stream {
                flags |= END_STREAM;
            }
            self.frame(kind, flags, stream, chunk).await;
        }
    }

    /// The next frame, or `None` on EOF, error or 5 s of silence.
    pub async fn read(&mut self) -> Option<Frame> {
        let work = async {
            let mut head = [0u8; 9];
            self.io.read_exact(&mut head).await.ok()?;
            let len = u32::from_be_bytes([0, head[0], head[1], head[2]]) as usize;
            let mut payload = vec![0; len];
            self.io.read_exact(&mut payload).await.ok()?;
            Some(Frame {
                kind: head[3],
                flags: head[4],
                stream: u32::from_be_bytes([head[5], head[6], head[7], head[8]]) & 0x7fff_ffff,
                payload,
            })
        };
        tokio::time::timeout(Duration::from_secs(5), work)
            .await
            .ok()
            .flatten()
    }
}

/// HPACK "literal header field without indexing, new name", no Huffman.
pub fn hpack_literals(headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in headers {
        out.push(0);
        hpack_string(&mut out, name.as_bytes());
        hpack_string(&mut out, value.as_bytes());
    }
    out
}

fn hpack_string(out: &mut Vec<u8>, s: &[u8]) {
    // 7-bit prefix integer, H bit clear.
    let mut n = s.len();
    if n < 127 {
        out.push(n as u8);
    } else {
        out.push(127);
        n -= 127;
        while n >= 128 {
            out.push((n % 128 + 128) as u8);
            n /= 128;
        }
        out.push(n as u8);
    }
    out.extend(s);
}

/// A gRPC request's header list.
pub fn grpc_headers<'a>(method: &'a str, macaroon: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        (":method", "POST"),
        (":scheme", "https"),
        (":path", method),
        (":authority", "localhost"),
        ("content-type", "application/grpc"),
        ("te", "trailers"),
        ("macaroon", macaroon),
    ]
}

/// Sends `request` over HTTP/1.1 and returns what the server answered
/// (until it closes or 5 s pass).
pub async fn http1(addr: std::net::SocketAddr, cert_pem: &str, request: &[u8]) -> String {
    let mut io = tls(addr, cert_pem, b"http/1.1").await;
    let _ = io.write_all(request).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), io.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}
