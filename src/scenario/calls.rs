//! One registry method called over gRPC, REST or grpc-web, generically: the
//! registry's types and routes say how, so no method is named here. Each
//! answer is brought to one [`Outcome`].

use base64::Engine;
use futures_util::future::BoxFuture;
use prost::Message;
use serde_json::Value;
use tonic::transport::Channel;

use super::target::{decode_any_base64, rest_outcome, Outcome, Target};
use crate::grpc_web::codec;
use crate::rpc::{self, Call, Reply, RestBody, Rpc, Transport, VisitCalls};

/// Calls `rpc` with `request` (proto3 JSON) and these headers (name, value):
/// `macaroon` values go as gRPC metadata / grpc-web headers, and as
/// `Grpc-Metadata-Macaroon` over REST; other headers go as they are.
pub(crate) async fn call(
    target: &Target,
    transport: Transport,
    rpc: Rpc,
    request: &Value,
    headers: &[(String, String)],
) -> Result<Outcome, String> {
    match transport {
        Transport::Rest => rest_call(target, rpc, request, headers).await,
        Transport::Grpc | Transport::GrpcWeb => {
            let mut pick = Pick {
                rpc,
                transport,
                channel: target.channel.clone(),
                http: target.http.clone(),
                base_url: target.base_url.clone(),
                request: request.clone(),
                headers: headers.to_vec(),
                future: None,
            };
            rpc::visit_all(&mut pick);
            match pick.future {
                Some(f) => f.await,
                None => Err(format!("{rpc} is not in the registry")),
            }
        }
    }
}

/// Finds the typed call for `rpc` and builds its future.
struct Pick {
    rpc: Rpc,
    transport: Transport,
    channel: Channel,
    http: reqwest::Client,
    base_url: String,
    request: Value,
    headers: Vec<(String, String)>,
    future: Option<BoxFuture<'static, Result<Outcome, String>>>,
}

impl VisitCalls for Pick {
    fn visit<C: Call>(&mut self) {
        if C::RPC != self.rpc {
            return;
        }
        let request = self.request.clone();
        let headers = std::mem::take(&mut self.headers);
        self.future = Some(match self.transport {
            Transport::GrpcWeb => Box::pin(grpc_web::<C>(
                self.http.clone(),
                self.base_url.clone(),
                request,
                headers,
            )),
            _ => Box::pin(grpc::<C>(self.channel.clone(), request, headers)),
        });
    }
}

fn typed<C: Call>(request: &Value) -> Result<C::Request, String> {
    serde_json::from_value(request.clone())
        .map_err(|e| format!("the step's request is not valid for {}: {e}", C::RPC.name()))
}

fn ok(response: Value) -> Outcome {
    Outcome {
        code: 0,
        message: String::new(),
        response: Some(response),
        http_status: None,
    }
}

fn failed(code: i32, message: String, http_status: Option<u16>) -> Outcome {
    Outcome {
        code,
        message,
        response: None,
        http_status,
    }
}

async fn grpc<C: Call>(
    channel: Channel,
    request: Value,
    headers: Vec<(String, String)>,
) -> Result<Outcome, String> {
    let mut r = tonic::Request::new(typed::<C>(&request)?);
    for (name, value) in &headers {
        let key = tonic::metadata::MetadataKey::from_bytes(name.as_bytes())
            .map_err(|_| format!("{name:?} cannot be a gRPC metadata key"))?;
        let value = value
            .parse()
            .map_err(|_| format!("a {name} value that is not ASCII cannot go in gRPC metadata"))?;
        r.metadata_mut().append(key, value);
    }
    let mut client = tonic::client::Grpc::new(channel);
    client
        .ready()
        .await
        .map_err(|e| format!("gRPC connection: {e}"))?;
    let path = http::uri::PathAndQuery::from_static(C::RPC.full_method());
    let codec = tonic_prost::ProstCodec::<C::Request, C::Reply>::default();
    Ok(match client.unary(r, path, codec).await {
        Ok(resp) => ok(resp.get_ref().to_litd_json()),
        Err(status) => failed(
            status.code() as i32,
            super::target::status_text(&status),
            None,
        ),
    })
}

/// grpc-web, binary (`application/grpc-web+proto`), over whatever HTTP
/// version the connection negotiated.
async fn grpc_web<C: Call>(
    http: reqwest::Client,
    base_url: String,
    request: Value,
    headers: Vec<(String, String)>,
) -> Result<Outcome, String> {
    let body = codec::message_frame(&typed::<C>(&request)?.encode_to_vec());
    let mut req = http
        .post(format!("{base_url}{}", C::RPC.full_method()))
        .header("content-type", "application/grpc-web+proto")
        .header("x-grpc-web", "1")
        .body(body);
    for (name, value) in &headers {
        req = req.header(name, value);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| format!("grpc-web request failed: {e}"))?;
    let status = resp.status().as_u16();
    let header = |name: &str| {
        resp.headers()
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let (code_header, message_header) = (header("grpc-status"), header("grpc-message"));
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| format!("reading the grpc-web body: {e}"))?;
    if status != 200 {
        return Ok(failed(
            -1,
            format!("HTTP {status}: {}", String::from_utf8_lossy(&bytes)),
            Some(status),
        ));
    }
    if let Some(code) = code_header {
        let code = code.parse().unwrap_or(-1);
        let message = grpc_message(&message_header.unwrap_or_default());
        return Ok(failed(code, message, None));
    }
    let (message, trailer) = split_frames(&bytes)?;
    let trailer_code = trailer
        .lines()
        .find_map(|l| l.strip_prefix("grpc-status: "))
        .and_then(|c| c.trim().parse::<i32>().ok())
        .ok_or_else(|| format!("grpc-web trailer frame without grpc-status: {trailer:?}"))?;
    if trailer_code != 0 {
        let message = trailer
            .lines()
            .find_map(|l| l.strip_prefix("grpc-message: "))
            .map(|m| grpc_message(m.trim_end()))
            .unwrap_or_default();
        return Ok(failed(trailer_code, message, None));
    }
    let reply = C::Reply::decode(message.unwrap_or_default().as_slice())
        .map_err(|e| format!("the grpc-web reply does not decode: {e}"))?;
    Ok(ok(reply.to_litd_json()))
}

/// grpc-message is percent-encoded on the wire.
fn grpc_message(raw: &str) -> String {
    String::from_utf8_lossy(&crate::rest::percent_decode(raw)).into_owned()
}

/// A grpc-web response body: at most one message frame, then the trailer
/// frame (its text).
fn split_frames(mut body: &[u8]) -> Result<(Option<Vec<u8>>, String), String> {
    let mut message = None;
    while body.len() >= codec::FRAME_HEADER_LEN {
        let flag = body[0];
        let len = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
        let payload = body
            .get(codec::FRAME_HEADER_LEN..codec::FRAME_HEADER_LEN + len)
            .ok_or("a grpc-web frame runs past the body")?;
        if flag == codec::FLAG_TRAILER {
            return Ok((message, String::from_utf8_lossy(payload).into_owned()));
        }
        message = Some(payload.to_vec());
        body = &body[codec::FRAME_HEADER_LEN + len..];
    }
    Err("a grpc-web body without a trailer frame".to_string())
}

async fn rest_call(
    target: &Target,
    rpc: Rpc,
    request: &Value,
    headers: &[(String, String)],
) -> Result<Outcome, String> {
    let route = rpc
        .spec()
        .rest
        .first()
        .ok_or_else(|| format!("{rpc} has no REST route"))?;
    let mut path = String::new();
    for segment in route.path.split('/').skip(1) {
        path.push('/');
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            None => path.push_str(segment),
            Some(field) => {
                let value = request
                    .get(field)
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let raw = decode_any_base64(value)
                    .ok_or_else(|| format!("{field} {value:?} is not base64"))?;
                // litd's REST routes take bytes as base64url in the path.
                path.push_str(&base64::engine::general_purpose::URL_SAFE.encode(raw));
            }
        }
    }
    let body = (route.body == RestBody::All).then(|| request.to_string());
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| {
            let name = if name == "macaroon" {
                "Grpc-Metadata-Macaroon".to_string()
            } else {
                name.clone()
            };
            (name, value.clone())
        })
        .collect();
    let method = route.method.as_http();
    let (status, body) = target.http(method.as_str(), &path, body, &headers).await?;
    Ok(rest_outcome(status, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_bodies_split_into_message_and_trailer() {
        let body = codec::success_body(codec::Mode::Binary, b"abc");
        let (message, trailer) = split_frames(&body).unwrap();
        assert_eq!(message.as_deref(), Some(&b"abc"[..]));
        assert_eq!(trailer, "grpc-status: 0\r\n");
        assert!(split_frames(&body[..4]).is_err());
        assert!(split_frames(&body[..9]).is_err());
    }
}
