//! Before any scenario runs, `check` makes sure the run can be judged at all:
//! the target accepts a connection, its TLS certificate is the one given,
//! and it accepts the macaroon. Otherwise every step would fail for the same
//! reason, which says nothing about the server (`check` exits 2 instead).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::net::TcpStream;

use super::model::{Rpc, Transport};
use super::target::Target;

/// How long each probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why the run cannot be judged, for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unjudgeable(pub(crate) String);

/// Connects (and, with a certificate, completes a TLS handshake) to `addr`.
pub async fn reachable(
    addr: SocketAddr,
    shown: &str,
    cert_pem: Option<&str>,
) -> Result<(), Unjudgeable> {
    let tcp = tokio::time::timeout(PROBE_TIMEOUT, TcpStream::connect(addr))
        .await
        .map_err(|_| {
            Unjudgeable(format!(
                "cannot connect to --target {shown} ({addr}): no answer within {}s",
                PROBE_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| {
            Unjudgeable(format!(
                "cannot connect to --target {shown} ({addr}): {e} (is the server running there?)"
            ))
        })?;
    let Some(pem) = cert_pem else {
        return Ok(());
    };
    let config =
        crate::tls::client_config(pem).map_err(|e| Unjudgeable(format!("--tls-cert: {e}")))?;
    let connector = tokio_rustls::TlsConnector::from(Arc::clone(&config));
    let name = rustls::pki_types::ServerName::try_from("localhost")
        .map_err(|e| Unjudgeable(format!("TLS server name: {e}")))?;
    match tokio::time::timeout(PROBE_TIMEOUT, connector.connect(name, tcp)).await {
        Err(_) => Err(Unjudgeable(format!(
            "TLS handshake with --target {shown} ({addr}): no answer within {}s",
            PROBE_TIMEOUT.as_secs()
        ))),
        Ok(Err(e)) => Err(Unjudgeable(format!(
            "TLS handshake with --target {shown} ({addr}) failed: {e} (is --tls-cert this server's tls.cert? does it speak TLS?)"
        ))),
        Ok(Ok(_)) => Ok(()),
    }
}

/// Texts litd (and lnd underneath) answers when it refuses a macaroon.
fn is_credential_refusal(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "macaroon",
        "verification failed",
        "permission denied",
        "caveat",
        "not allowed",
    ]
    .iter()
    .any(|t| m.contains(t))
}

/// One ListAutopilotSessions (no side effects, needs `autopilot:read`) over
/// `transport`: the target must answer it, and not refuse the macaroon.
pub async fn credentials(target: &Target, transport: Transport) -> Result<(), Unjudgeable> {
    let macaroon = vec![hex::encode(&target.macaroon)];
    let request = json!({});
    let call = target.call(transport, Rpc::ListAutopilotSessions, &request, &macaroon);
    let outcome = tokio::time::timeout(PROBE_TIMEOUT, call)
        .await
        .map_err(|_| {
            Unjudgeable(format!(
                "the target did not answer ListAutopilotSessions over {transport} within {}s",
                PROBE_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| Unjudgeable(format!("ListAutopilotSessions over {transport}: {e}")))?;
    if outcome.code != 0 && is_credential_refusal(&outcome.message) {
        return Err(Unjudgeable(format!(
            "the target refused --macaroon over {transport}: {} (is it this server's lit.macaroon?)",
            outcome.message
        )));
    }
    if transport == Transport::Grpc && outcome.code == 14 && outcome.http_status.is_none() {
        // Unavailable from the channel itself: the call never reached a server.
        return Err(Unjudgeable(format!(
            "gRPC to the target failed: {}",
            outcome.message
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn litd_macaroon_refusals_are_recognised() {
        for refusal in [
            "verification failed: signature mismatch after caveat verification",
            "cannot retrieve macaroon: cannot get macaroon: root key with id 1 doesn't exist",
            "expected 1 macaroon, got 0",
            "permission denied",
            "proxy error with context lit: invalid macaroon: packet size too big",
        ] {
            assert!(is_credential_refusal(refusal), "{refusal}");
        }
        assert!(!is_credential_refusal("unknown feature"));
    }

    #[tokio::test]
    async fn a_closed_port_is_named_with_the_flag() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        let err = reachable(addr, "127.0.0.1:1", None)
            .await
            .expect_err("closed");
        assert!(
            err.0.starts_with(&format!(
                "cannot connect to --target 127.0.0.1:1 ({addr}): "
            )),
            "{err}"
        );
    }
}
