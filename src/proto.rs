//! Generated wire types. Only the transport layers use these.

#[allow(clippy::all, missing_docs)]
pub mod litrpc {
    tonic::include_proto!("litrpc");
    include!(concat!(env!("OUT_DIR"), "/litrpc.serde.rs"));
}

#[allow(clippy::all, missing_docs)]
pub mod autopilotserverrpc {
    tonic::include_proto!("autopilotserverrpc");
    include!(concat!(env!("OUT_DIR"), "/autopilotserverrpc.serde.rs"));
}

/// The encoded `FileDescriptorSet` of every proto this crate serves, for reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptor.bin"));
