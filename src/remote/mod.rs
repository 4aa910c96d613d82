//! Implementations of the domain's [`crate::domain::remote::RemoteAutopilot`]
//! seam: the in-process default (litd's test server) and its catalogue file,
//! and a gRPC client of a real (or standalone stub) server.

pub mod catalogue;
pub(crate) mod deadline;
pub(crate) mod grpc_client;
pub(crate) mod in_process;
pub(crate) mod lifecycle;
pub(crate) mod server_wire;

pub use catalogue::Catalogue;
pub use grpc_client::GrpcRemote;
pub use in_process::InProcessRemote;

use crate::domain::remote::{RemoteAutopilot, Version};

/// litd's autopilot client start-up (§4.2): ask the server's Terms and
/// refuse to start when `lit_version` is below its minimum. The error text
/// is litd's whole start-up failure, typo included.
pub(crate) async fn check_terms(
    remote: &dyn RemoteAutopilot,
    lit_version: Version,
) -> Result<(), String> {
    let min = remote.terms().await.map_err(|e| {
        format!(
            "could not start the autopilot client: rpc error: code = {} desc = {}",
            e.code.go_name(),
            e.message
        )
    })?;
    if lit_version < min {
        return Err(format!(
            "could not start the autopilot client: lit must be on at least version {min} to be \
             compatile with the autopilot server"
        ));
    }
    Ok(())
}
