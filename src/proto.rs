//! Generated wire types. Only the transport layers use these.

#[allow(clippy::all, missing_docs)]
pub mod litrpc {
    tonic::include_proto!("litrpc");
    include!(concat!(env!("OUT_DIR"), "/litrpc.serde.rs"));
}

#[allow(clippy::all, missing_docs)]
pub(crate) mod autopilotserverrpc {
    tonic::include_proto!("autopilotserverrpc");
    include!(concat!(env!("OUT_DIR"), "/autopilotserverrpc.serde.rs"));
}

/// The encoded `FileDescriptorSet` of every proto this crate serves, for reflection.
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/descriptor.bin"));

/// The descriptor set decoded once, indexed: every message and enum of the
/// crate's protos by full name with no leading dot (`litrpc.Session`,
/// `litrpc.Session.AutopilotFeatureInfoEntry`, `litrpc.SessionState`).
/// Type names inside fields keep protoc's leading dot; strip it to look up.
#[derive(Debug, Default)]
pub(crate) struct Descriptors {
    pub(crate) messages: std::collections::HashMap<String, prost_types::DescriptorProto>,
    pub(crate) enums: std::collections::HashMap<String, prost_types::EnumDescriptorProto>,
}

impl Descriptors {
    /// The index of [`FILE_DESCRIPTOR_SET`]. Our own build script writes the
    /// set; an undecodable one would be a build bug, so the fallback is an
    /// empty index (callers then find no type) rather than a panic.
    pub(crate) fn get() -> &'static Descriptors {
        static INDEX: std::sync::OnceLock<Descriptors> = std::sync::OnceLock::new();
        INDEX.get_or_init(|| {
            use prost::Message;
            let set =
                prost_types::FileDescriptorSet::decode(FILE_DESCRIPTOR_SET).unwrap_or_default();
            let mut index = Descriptors::default();
            for file in &set.file {
                index.add(file.package(), &file.message_type, &file.enum_type);
            }
            index
        })
    }

    fn add(
        &mut self,
        scope: &str,
        messages: &[prost_types::DescriptorProto],
        enums: &[prost_types::EnumDescriptorProto],
    ) {
        for e in enums {
            self.enums
                .insert(format!("{scope}.{}", e.name()), e.clone());
        }
        for m in messages {
            let name = format!("{scope}.{}", m.name());
            self.add(&name, &m.nested_type, &m.enum_type);
            self.messages.insert(name, m.clone());
        }
    }
}
