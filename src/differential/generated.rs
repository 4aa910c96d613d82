//! `diff --generate N`: the fuzzer's inputs (valid requests and broken ones:
//! mutated protobuf and JSON, bad framing, bad macaroons, odd paths), each
//! sent to the reference and then to the candidate, each with its own
//! macaroon; their answers are decoded by the registry and compared.

use serde_json::{json, Value};

use super::compare::{differences, Answer};
use super::decode;
use super::report::Compared;
use crate::fuzz::case::{self, Case};
use crate::fuzz::transport::{Conn, Outcome, RawAnswer, Target};
use crate::fuzz::Transport as FuzzTransport;
use crate::rpc::{Rpc, Transport};

/// Sends `count` generated inputs of `seed` to both servers.
pub async fn diff_generated(
    reference: &Target,
    candidate: &Target,
    transports: &[Transport],
    count: u64,
    seed: u64,
    max_message_bytes: usize,
) -> Vec<Compared> {
    let fuzz_transports: Vec<FuzzTransport> =
        transports.iter().map(|t| fuzz_transport(*t)).collect();
    let (mut r_conn, mut c_conn): (Option<Conn>, Option<Conn>) = (None, None);
    let mut out = Vec::new();
    for iteration in 0..count {
        let case = case::generate(seed, iteration, &fuzz_transports, max_message_bytes);
        let (r_outcome, r_raw) = reference.send_answer(&mut r_conn, &case).await;
        let (c_outcome, c_raw) = candidate.send_answer(&mut c_conn, &case).await;
        if matches!(r_outcome, Outcome::Skipped { .. })
            && matches!(c_outcome, Outcome::Skipped { .. })
        {
            continue;
        }
        let rpc = rpc_of(&case);
        let reference = answer(&case, rpc, &r_outcome, r_raw.as_ref());
        let candidate = answer(&case, rpc, &c_outcome, c_raw.as_ref());
        let body = case.body();
        out.push(Compared {
            source: format!("generated (seed {seed})"),
            transport: rpc_transport(case.transport),
            call: rpc.map_or_else(
                || format!("{} {}", case.method, case.path),
                |r| r.name().to_string(),
            ),
            label: format!("iteration {iteration} ({})", case.what),
            size: body.len() + case.path.len(),
            request: shown_request(&case, rpc, &body),
            differences: differences(&reference, &candidate),
            reference,
            candidate,
        });
    }
    out
}

fn fuzz_transport(t: Transport) -> FuzzTransport {
    match t {
        Transport::Grpc => FuzzTransport::Grpc,
        Transport::Rest => FuzzTransport::Rest,
        Transport::GrpcWeb => FuzzTransport::GrpcWeb,
    }
}

fn rpc_transport(t: FuzzTransport) -> Transport {
    match t {
        FuzzTransport::Grpc => Transport::Grpc,
        FuzzTransport::Rest => Transport::Rest,
        FuzzTransport::GrpcWeb => Transport::GrpcWeb,
    }
}

/// The registry method a case calls, if any.
fn rpc_of(case: &Case) -> Option<Rpc> {
    match case.transport {
        FuzzTransport::Rest => {
            let path = case.path.split('?').next().unwrap_or_default();
            let method = http::Method::from_bytes(case.method.as_bytes()).ok()?;
            Rpc::from_rest(&method, path)
        }
        _ => Rpc::from_full_method(&case.path),
    }
}

/// The request for a report: what generated it, and its decoded form when
/// it decodes (else its bytes, cut short).
fn shown_request(case: &Case, rpc: Option<Rpc>, body: &[u8]) -> Value {
    let decoded = match (case.transport, rpc) {
        (FuzzTransport::Grpc, Some(rpc)) => {
            decode::unary_message(body).and_then(|m| decode::request_json(rpc, &m).ok())
        }
        (FuzzTransport::Rest, _) => serde_json::from_slice(body).ok(),
        _ => None,
    };
    let mut shown = json!({
        "method": case.method,
        "path": case.path,
        "what": case.what,
        "macaroon": case.macaroon,
    });
    match decoded {
        Some(d) => shown["request"] = d,
        None => {
            let cut = &body[..body.len().min(256)];
            shown["body_hex"] = Value::String(hex::encode(cut));
        }
    }
    shown
}

fn answer(case: &Case, rpc: Option<Rpc>, outcome: &Outcome, raw: Option<&RawAnswer>) -> Answer {
    let status = raw.map(|r| r.status);
    match outcome {
        Outcome::Ok => Answer {
            code: "OK".into(),
            message: String::new(),
            response: raw.and_then(|r| ok_body(case, rpc, r)),
            http_status: status,
        },
        Outcome::Error { code, message, .. } => Answer {
            code: code_text(*code),
            message: message.clone(),
            response: None,
            http_status: status,
        },
        // The details of a reset or a timeout say nothing comparable.
        Outcome::Reset { .. } => bare("reset", None),
        Outcome::Timeout => bare("timeout", None),
        Outcome::NoStatus { http_status, .. } => bare("no_status", Some(*http_status)),
        Outcome::Skipped { .. } => bare("not sent", None),
    }
}

fn bare(code: &str, http_status: Option<u16>) -> Answer {
    Answer {
        code: code.into(),
        message: String::new(),
        response: None,
        http_status,
    }
}

/// A gRPC code's name; an HTTP-level refusal as `http-<status>`.
fn code_text(code: i32) -> String {
    if code >= 100 {
        format!("http-{code}")
    } else {
        Answer::from_code(code)
    }
}

/// A successful answer's response: REST's JSON, or the gRPC reply decoded
/// by the registry. `None` when there is nothing to decode.
fn ok_body(case: &Case, rpc: Option<Rpc>, raw: &RawAnswer) -> Option<Value> {
    match case.transport {
        FuzzTransport::Rest => serde_json::from_slice(&raw.body).ok(),
        FuzzTransport::Grpc | FuzzTransport::GrpcWeb => {
            let text_mode = raw
                .headers
                .get(http::header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc-web-text"));
            let body = if text_mode {
                crate::grpc_web::codec::decode_text_response(&raw.body)
            } else {
                raw.body.to_vec()
            };
            let message = decode::unary_message(&body)?;
            Some(
                decode::reply_json(rpc?, &message)
                    .unwrap_or_else(|e| json!({"undecodable reply": e})),
            )
        }
    }
}
