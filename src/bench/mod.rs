//! `autopilot-mock bench`: a load generator and the benchmark suite behind
//! `BENCHMARKS.md`.
//!
//! The figures that matter are ratios measured in one run, on one machine,
//! with one client: the mock against a bare tonic echo service on the same
//! TLS stack ([`echo`], the ceiling) and against a hand-written grpc-js
//! server (`benches/peers/grpc-js`, what users write instead), with `h2load`
//! as an independent client (`h2load`). Every server runs as its own
//! process ([`procs`]) so the load generator never shares a runtime with it.
//!
//! - `load`: the closed-loop driver (N connections, M in flight) and its stats.
//! - `calls`: one call of each RPC over gRPC or REST.
//! - [`suite`]: the whole run; `report`: its Markdown.

pub(crate) mod calls;
pub mod echo;
pub(crate) mod h2load;
pub(crate) mod load;
pub mod procs;
pub(crate) mod report;
pub(crate) mod startup_scale;
pub mod suite;

use std::sync::Arc;

pub use calls::{Rpc, Target, Transport};
pub use load::{Shape, Stats};

/// Drives `rpc` over `transport` against a running server with
/// `connections` connections. Revoke first adds the session it revokes
/// again and again (revoking is idempotent).
pub async fn run_load(
    target: &Target,
    rpc: Rpc,
    transport: Transport,
    connections: usize,
    shape: Shape,
) -> Result<Stats, String> {
    let revoke_key = if rpc == Rpc::RevokeSession {
        let channel = crate::client::connect(target.addr, &target.cert_pem)
            .await
            .map_err(|e| e.to_string())?;
        calls::add_sessions(target, &channel, 1, 1).await?
    } else {
        Vec::new()
    };
    let mut conns = Vec::with_capacity(connections.max(1));
    for _ in 0..connections.max(1) {
        conns.push(calls::connect(target, transport).await?);
    }
    let caller = Arc::new(calls::Caller::new(rpc, target, revoke_key)?);
    Ok(load::drive(&conns, shape, move |conn, _| Arc::clone(&caller).call(conn)).await)
}

/// Adds sessions over gRPC until the server at `target` holds `n` more.
pub async fn populate(target: &Target, n: usize) -> Result<(), String> {
    if n == 0 {
        return Ok(());
    }
    let channel = crate::client::connect(target.addr, &target.cert_pem)
        .await
        .map_err(|e| e.to_string())?;
    calls::add_sessions(target, &channel, n, 64)
        .await
        .map(|_| ())
}
