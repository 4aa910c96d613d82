//! One fuzz input: a complete HTTP request (method, path, headers, body) and
//! how to present the macaroon. A case is a pure function of the run's seed
//! and its iteration number, and serializes to the reproducer file, so any
//! case can be regenerated or replayed against another server.

use arbitrary::Unstructured;
use prost::Message;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use super::mutate::{self, pick};
use super::{any_request, gen};
use crate::proto::litrpc as p;
use crate::rpc::Rpc;

/// How a fuzz input reaches the server (one port serves them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// gRPC over HTTP/2.
    Grpc,
    /// litd's REST gateway (JSON over HTTP/1.1 or HTTP/2).
    Rest,
    /// grpc-web, binary or text (base64), on the same port.
    #[serde(rename = "grpc-web")]
    GrpcWeb,
}

/// How the request carries the macaroon. `Valid` (and the variants derived
/// from it) use the macaroon of the run, so a reproducer replays against any
/// server with that server's macaroon.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MacaroonUse {
    /// The run's macaroon, as sent by a real client.
    Valid,
    /// No `macaroon` header.
    Omit,
    /// The header twice, both valid.
    Twice,
    /// The valid hex with the character at this index (mod length) changed.
    FlipHex(usize),
    /// The valid hex cut to this many characters.
    Truncated(usize),
    /// This exact header value.
    Value(String),
}

/// One fuzz input as an HTTP request, replayable from a reproducer file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    /// Which entry point it goes to.
    pub transport: Transport,
    /// HTTP method.
    pub method: String,
    /// Path and query, percent-encoded.
    pub path: String,
    /// Extra headers (name, value), in order; the macaroon is not here.
    pub headers: Vec<(String, String)>,
    /// How the macaroon header is sent.
    pub macaroon: MacaroonUse,
    /// The request body, hex (a gRPC frame, grpc-web frame or JSON).
    pub body_hex: String,
    /// What generated it: the request kind and the mutations applied.
    pub what: String,
}

impl Case {
    pub(crate) fn body(&self) -> Vec<u8> {
        hex::decode(&self.body_hex).unwrap_or_default()
    }

    /// The macaroon header values to send, given the run's macaroon.
    pub(crate) fn macaroon_values(&self, valid_hex: &str) -> Vec<String> {
        match &self.macaroon {
            MacaroonUse::Valid => vec![valid_hex.to_string()],
            MacaroonUse::Omit => Vec::new(),
            MacaroonUse::Twice => vec![valid_hex.to_string(), valid_hex.to_string()],
            MacaroonUse::FlipHex(at) => {
                let mut chars: Vec<char> = valid_hex.chars().collect();
                if !chars.is_empty() {
                    let i = at % chars.len();
                    chars[i] = if chars[i] == '0' { '1' } else { '0' };
                }
                vec![chars.into_iter().collect()]
            }
            MacaroonUse::Truncated(n) => vec![valid_hex.chars().take(*n).collect()],
            MacaroonUse::Value(v) => vec![v.clone()],
        }
    }
}

/// The RNG seed of one iteration: independent streams per iteration, so
/// iteration N is reproducible without running 0..N.
pub(crate) fn iteration_seed(seed: u64, iteration: u64) -> u64 {
    let mut z = seed ^ iteration.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The case for `iteration` of a run seeded with `seed`.
pub fn generate(seed: u64, iteration: u64, transports: &[Transport], max_message: usize) -> Case {
    let mut rng = StdRng::seed_from_u64(iteration_seed(seed, iteration));
    let transport = match transports {
        [] => Transport::Grpc,
        ts => *pick(&mut rng, ts),
    };
    let mut raw = vec![0u8; rng.random_range(8..1_024usize)];
    rng.fill(&mut raw[..]);
    let mut u = Unstructured::new(&raw);
    let macaroon = macaroon_use(&mut rng);
    match transport {
        Transport::Grpc => grpc_case(&mut rng, &mut u, macaroon, max_message),
        Transport::Rest => rest_case(&mut rng, &mut u, macaroon),
        Transport::GrpcWeb => grpc_web_case(&mut rng, &mut u, macaroon, max_message),
    }
}

/// A gRPC case sent as grpc-web: the same frames (mutated or not), binary
/// or as base64 text, whose encoding is sometimes broken too.
fn grpc_web_case(
    rng: &mut StdRng,
    u: &mut Unstructured,
    macaroon: MacaroonUse,
    max_message: usize,
) -> Case {
    let mut case = grpc_case(rng, u, macaroon, max_message);
    let content_type = *pick(
        rng,
        &[
            "application/grpc-web",
            "application/grpc-web+proto",
            "application/grpc-web-text",
            "application/grpc-web-text+proto",
        ],
    );
    case.transport = Transport::GrpcWeb;
    case.headers = vec![("content-type".to_string(), content_type.to_string())];
    if content_type.starts_with("application/grpc-web-text") {
        use base64::Engine;
        let body = hex::decode(&case.body_hex).unwrap_or_default();
        let mut text = base64::engine::general_purpose::STANDARD
            .encode(body)
            .into_bytes();
        if rng.random_ratio(1, 4) && !text.is_empty() {
            let at = rng.random_range(0..text.len());
            match rng.random_range(0..3u8) {
                0 => text[at] = b'*',
                1 => text.truncate(at),
                _ => text.insert(at, b'='),
            }
            case.what.push_str("+base64");
        }
        case.body_hex = hex::encode(text);
    }
    case.what = format!("grpc-web:{}", case.what);
    case
}

fn macaroon_use(rng: &mut StdRng) -> MacaroonUse {
    match rng.random_range(0..20u8) {
        0 => MacaroonUse::Omit,
        1 => MacaroonUse::Twice,
        2 => MacaroonUse::FlipHex(rng.random_range(0..1_000)),
        3 => MacaroonUse::Truncated(rng.random_range(0..400)),
        4 => MacaroonUse::Value("zz".repeat(rng.random_range(1..8_000))),
        5 => MacaroonUse::Value(pick(rng, &["", "0", "02", "0201", " 00 "]).to_string()),
        _ => MacaroonUse::Valid,
    }
}

fn grpc_case(
    rng: &mut StdRng,
    u: &mut Unstructured,
    macaroon: MacaroonUse,
    max_message: usize,
) -> Case {
    let (path, msg) = match rng.random_range(0..26u8) {
        0..=9 => (
            Rpc::AddAutopilotSession.full_method(),
            gen::add_request(u).unwrap_or_default().encode_to_vec(),
        ),
        10..=13 => (
            Rpc::RevokeAutopilotSession.full_method(),
            gen::revoke_request(u).unwrap_or_default().encode_to_vec(),
        ),
        14..=15 => (Rpc::ListAutopilotSessions.full_method(), Vec::new()),
        16..=17 => (Rpc::ListAutopilotFeatures.full_method(), Vec::new()),
        18 => (
            Rpc::AddAutopilotSession.full_method(),
            u.arbitrary().unwrap_or_default(),
        ),
        19 => ("/litrpc.Autopilot/NoSuchMethod", Vec::new()),
        // Any other method of the registry (Sessions, Firewall, Proxy, ...).
        _ => {
            let rpc = any_method(rng);
            (rpc.full_method(), any_request::request_bytes(rpc, u))
        }
    };
    let mut what = vec![path.rsplit('/').next().unwrap_or(path).to_string()];
    let msg = if rng.random_ratio(2, 5) {
        let (m, name) = mutate::proto(rng, &msg);
        what.push(name.to_string());
        m
    } else {
        msg
    };
    let body = if rng.random_ratio(1, 4) {
        let (b, name) = mutate::framing(rng, &msg, max_message);
        what.push(name.to_string());
        b
    } else {
        mutate::frame(&msg)
    };
    let content_type = pick(rng, &["application/grpc", "application/grpc+proto"]);
    let mut headers = vec![
        ("content-type".to_string(), content_type.to_string()),
        ("te".to_string(), "trailers".to_string()),
    ];
    if rng.random_ratio(1, 8) {
        let (name, value) = *pick(
            rng,
            &[
                ("grpc-encoding", "gzip"),
                ("grpc-encoding", "no-such-codec"),
                ("grpc-timeout", "99999999999H"),
                ("grpc-timeout", "x"),
                ("grpc-accept-encoding", "gzip;q=x,,,identity"),
                ("user-agent", ""),
            ],
        );
        headers.push((name.to_string(), value.to_string()));
        what.push(format!("header:{name}"));
    }
    Case {
        transport: Transport::Grpc,
        method: "POST".into(),
        path: path.to_string(),
        headers,
        macaroon,
        body_hex: hex::encode(body),
        what: what.join("+"),
    }
}

/// One of the registry's fuzzable methods.
fn any_method(rng: &mut StdRng) -> Rpc {
    let methods: Vec<Rpc> = any_request::fuzzable().collect();
    *pick(rng, &methods)
}

/// `rpc` over one of its REST routes: path parameters random bytes in one
/// of the encodings the gateway takes, the body (for `body: "*"` routes)
/// the request's JSON, mutated or not.
fn any_rest_request(
    rng: &mut StdRng,
    u: &mut Unstructured,
    rpc: Rpc,
) -> (&'static str, String, Vec<u8>) {
    use base64::Engine;
    let Some(route) = rpc.spec().rest.first() else {
        return ("GET", "/v1/no-route".to_string(), Vec::new());
    };
    let mut path = route.path.to_string();
    for (_, field) in route.params() {
        let raw = gen::bytes(u).unwrap_or_default();
        let param = if rng.random_ratio(1, 2) {
            base64::engine::general_purpose::URL_SAFE.encode(&raw)
        } else {
            hex::encode(&raw)
        };
        path = path.replace(&format!("{{{field}}}"), &percent_encode(param.as_bytes()));
    }
    let body = match route.body {
        crate::rpc::RestBody::All => {
            let json = any_request::request_json(rpc, u);
            if rng.random_ratio(1, 2) {
                mutate::json(rng, &json).0
            } else {
                json
            }
        }
        crate::rpc::RestBody::None => Vec::new(),
    };
    (route.method.as_str(), path, body)
}

/// A method's (first) REST path template, from the registry.
fn rest_path(rpc: Rpc) -> &'static str {
    rpc.spec().rest.first().map_or("/", |route| route.path)
}

fn rest_case(rng: &mut StdRng, u: &mut Unstructured, macaroon: MacaroonUse) -> Case {
    let mut what = Vec::new();
    let mut content_type = Some("application/json");
    let (method, path, body) = match rng.random_range(0..26u8) {
        0..=10 => {
            what.push("add".to_string());
            let req: p::AddAutopilotSessionRequest = gen::add_request(u).unwrap_or_default();
            let json = serde_json::to_vec(&req).unwrap_or_default();
            let body = if rng.random_ratio(1, 2) {
                let (b, name) = mutate::json(rng, &json);
                what.push(name.to_string());
                b
            } else {
                json
            };
            (
                "POST",
                rest_path(Rpc::AddAutopilotSession).to_string(),
                body,
            )
        }
        11..=14 => {
            what.push("revoke".to_string());
            let key = gen::bytes(u).unwrap_or_default();
            let param = match rng.random_range(0..4u8) {
                0 => percent_encode(&key),
                1 => {
                    use base64::Engine;
                    percent_encode(
                        base64::engine::general_purpose::URL_SAFE
                            .encode(&key)
                            .as_bytes(),
                    )
                }
                2 => {
                    use base64::Engine;
                    percent_encode(
                        base64::engine::general_purpose::STANDARD
                            .encode(&key)
                            .as_bytes(),
                    )
                }
                _ => pick(rng, &["%zz", "%", "a%2Fb", "..", "%00", "AAAA=AAA", ""]).to_string(),
            };
            (
                "DELETE",
                rest_path(Rpc::RevokeAutopilotSession).replace("{local_public_key}", &param),
                Vec::new(),
            )
        }
        15..=16 => (
            "GET",
            rest_path(Rpc::ListAutopilotSessions).to_string(),
            Vec::new(),
        ),
        17 => (
            "GET",
            rest_path(Rpc::ListAutopilotFeatures).to_string(),
            Vec::new(),
        ),
        18 => {
            content_type = Some("application/x-www-form-urlencoded");
            (
                "POST",
                rest_path(Rpc::ListAutopilotFeatures).to_string(),
                b"a=1".to_vec(),
            )
        }
        20..=25 => {
            let rpc = any_method(rng);
            what.push(rpc.name().to_string());
            any_rest_request(rng, u, rpc)
        }
        _ => {
            content_type = *pick(rng, &[None, Some("text/plain")]);
            let path = *pick(
                rng,
                &[
                    "/v1/autopilot/nope",
                    "/v1/autopilot/sessions/x/y",
                    "/",
                    "/v1/autopilot/sessions?x=%ff",
                ],
            );
            let method = *pick(rng, &["GET", "PUT", "PATCH", "OPTIONS", "DELETE", "HEAD"]);
            (method, path.to_string(), Vec::new())
        }
    };
    if what.is_empty() {
        what.push(format!("{method} {path}"));
    }
    let mut headers = Vec::new();
    if let Some(ct) = content_type {
        headers.push(("content-type".to_string(), ct.to_string()));
    }
    Case {
        transport: Transport::Rest,
        method: method.to_string(),
        path,
        headers,
        macaroon,
        body_hex: hex::encode(body),
        what: what.join("+"),
    }
}

/// Every byte outside RFC 3986's unreserved set as `%XX`.
pub(crate) fn percent_encode(raw: &[u8]) -> String {
    let mut out = String::with_capacity(raw.len() * 3);
    for &b in raw {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
#[path = "case_tests.rs"]
mod tests;
