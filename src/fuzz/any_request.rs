//! Requests for any method in the registry, with no per-RPC code: a random
//! but well-formed protobuf message of the method's request type, built
//! from the descriptor set the crate serves (every field type, repeated
//! fields, nested messages and map entries, enum values litd does not
//! know), and the same message as proto3 JSON for REST, through the
//! request type's own serde mapping.

use std::collections::HashMap;
use std::sync::OnceLock;

use arbitrary::Unstructured;
use prost::Message;
use prost_types::field_descriptor_proto::{Label, Type};

use super::gen;
use super::mutate::{key, varint};
use crate::proto::Descriptors;
use crate::rpc::{self, Call, Rpc, VisitCalls};

/// The methods a fuzz run may call: all but `Proxy.StopDaemon`, which would
/// end the server under test (its decoder is fuzzed by the cargo-fuzz
/// targets instead).
pub(crate) fn fuzzable() -> impl Iterator<Item = Rpc> {
    Rpc::ALL.iter().copied().filter(|r| *r != Rpc::StopDaemon)
}

/// Which enum values a request may carry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Enums {
    /// Also numbers the enum does not define (protobuf's open enums).
    Open,
    /// Only defined values (proto3 JSON names them).
    Known,
}

/// A random request for `rpc`, encoded.
pub(crate) fn request_bytes(rpc: Rpc, u: &mut Unstructured) -> Vec<u8> {
    encoded(rpc, u, Enums::Open)
}

fn encoded(rpc: Rpc, u: &mut Unstructured, enums: Enums) -> Vec<u8> {
    let name = (rpc.spec().request_message)();
    let mut out = Vec::new();
    message(&name, u, 0, enums, &mut out);
    out
}

/// Appends a random message of type `name` (no leading dot).
fn message(name: &str, u: &mut Unstructured, depth: usize, enums: Enums, out: &mut Vec<u8>) {
    let Some(descriptor) = Descriptors::get().messages.get(name) else {
        return;
    };
    for field in &descriptor.field {
        let repeated = field.label() == Label::Repeated;
        let count = match (repeated, u.int_in_range(0..=3u8).unwrap_or(0)) {
            (true, n) => usize::from(n),
            (false, 0) => 0,
            (false, _) => 1,
        };
        let count = if depth > 3 { 0 } else { count };
        for _ in 0..count {
            value(field, u, depth, enums, out);
        }
    }
}

fn value(
    field: &prost_types::FieldDescriptorProto,
    u: &mut Unstructured,
    depth: usize,
    enums: Enums,
    out: &mut Vec<u8>,
) {
    let number = field.number() as u32;
    match field.r#type() {
        Type::Message | Type::Group => {
            let mut inner = Vec::new();
            let name = field.type_name().trim_start_matches('.');
            message(name, u, depth + 1, enums, &mut inner);
            length_delimited(number, &inner, out);
        }
        Type::String => length_delimited(number, gen::text(u).unwrap_or_default().as_bytes(), out),
        Type::Bytes => length_delimited(number, &gen::bytes(u).unwrap_or_default(), out),
        Type::Bool => {
            key(out, number, 0);
            varint(out, u64::from(u.arbitrary::<bool>().unwrap_or(false)));
        }
        Type::Enum => {
            let known = Descriptors::get()
                .enums
                .get(field.type_name().trim_start_matches('.'));
            let n = match (enums, known) {
                (Enums::Known, Some(e)) if !e.value.is_empty() => {
                    e.value[usize::from(u.arbitrary::<u8>().unwrap_or(0)) % e.value.len()].number()
                }
                // Known values and some litd does not know.
                _ => i32::from(u.int_in_range(0..=9u8).unwrap_or(0)),
            };
            key(out, number, 0);
            varint(out, n as u64);
        }
        Type::Fixed32 | Type::Sfixed32 | Type::Float => {
            key(out, number, 5);
            out.extend_from_slice(&gen::u32_edge(u).unwrap_or(0).to_le_bytes());
        }
        Type::Fixed64 | Type::Sfixed64 | Type::Double => {
            key(out, number, 1);
            out.extend_from_slice(&gen::u64_edge(u).unwrap_or(0).to_le_bytes());
        }
        _ => {
            key(out, number, 0);
            varint(out, gen::u64_edge(u).unwrap_or(0));
        }
    }
}

fn length_delimited(number: u32, bytes: &[u8], out: &mut Vec<u8>) {
    key(out, number, 2);
    varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Per method, its request's encoded form as proto3 JSON (`None` when the
/// bytes do not decode as that type).
type ToJson = fn(&[u8]) -> Option<Vec<u8>>;

fn to_json_table() -> &'static HashMap<Rpc, ToJson> {
    static TABLE: OnceLock<HashMap<Rpc, ToJson>> = OnceLock::new();
    TABLE.get_or_init(|| {
        struct Collect(HashMap<Rpc, ToJson>);
        impl VisitCalls for Collect {
            fn visit<C: Call>(&mut self) {
                self.0.insert(C::RPC, |bytes| {
                    let request = C::Request::decode(bytes).ok()?;
                    serde_json::to_vec(&request).ok()
                });
            }
        }
        let mut collect = Collect(HashMap::new());
        rpc::visit_all(&mut collect);
        collect.0
    })
}

/// A random request for `rpc` as the REST gateway's JSON body.
pub(crate) fn request_json(rpc: Rpc, u: &mut Unstructured) -> Vec<u8> {
    let bytes = encoded(rpc, u, Enums::Known);
    to_json_table()
        .get(&rpc)
        .and_then(|f| f(&bytes))
        .unwrap_or_else(|| b"{}".to_vec())
}

/// Runs `data` through every registry method's request decoders: prost's
/// and protobuf-go's reading of protobuf (gRPC and grpc-web) and the REST
/// gateway's JSON body. For the cargo-fuzz targets, so a method added to
/// the registry is fuzzed with no new code.
pub fn decode_as_every_request(data: &[u8]) {
    struct Decode<'a>(&'a [u8]);
    impl VisitCalls for Decode<'_> {
        fn visit<C: Call>(&mut self) {
            let _ = C::Request::decode(self.0);
            // The walk that reads it as protobuf-go does, and what it keeps.
            let _ = crate::wire::protobuf_in::decode::<C::Request>(self.0);
            let _ = crate::rest::decode_body::<C::Request>(self.0);
        }
    }
    rpc::visit_all(&mut Decode(data));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rpc_decodes(rpc: Rpc, bytes: &[u8]) -> bool {
        struct Decodes<'a>(Rpc, &'a [u8], bool);
        impl VisitCalls for Decodes<'_> {
            fn visit<C: Call>(&mut self) {
                if C::RPC == self.0 {
                    self.2 = C::Request::decode(self.1).is_ok();
                }
            }
        }
        let mut check = Decodes(rpc, bytes, false);
        rpc::visit_all(&mut check);
        check.2
    }

    #[test]
    fn every_fuzzable_method_gets_requests_that_decode_as_its_type() {
        let raw: Vec<u8> = (0..4_096u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        let mut u = Unstructured::new(&raw);
        let methods: Vec<Rpc> = fuzzable().collect();
        assert_eq!(methods.len(), Rpc::ALL.len() - 1);
        assert!(!methods.contains(&Rpc::StopDaemon));
        for rpc in methods {
            let bytes = request_bytes(rpc, &mut u);
            assert!(
                rpc_decodes(rpc, &bytes),
                "{rpc}: {bytes:02x?} does not decode"
            );
            let bytes = encoded(rpc, &mut u, Enums::Known);
            let json = to_json_table().get(&rpc).and_then(|f| f(&bytes));
            assert!(json.is_some(), "{rpc}: {bytes:02x?} has no JSON form");
        }
    }

    #[test]
    fn add_session_requests_fill_nested_and_repeated_fields() {
        // Over many draws, the lit-sessions AddSession request gets its
        // repeated macaroon permissions (a nested message) at least once.
        let raw: Vec<u8> = (0..65_536u32)
            .map(|i| (i.wrapping_mul(40_503) >> 7) as u8)
            .collect();
        let mut u = Unstructured::new(&raw);
        let filled = (0..200).any(|_| {
            let json = request_json(Rpc::AddSession, &mut u);
            String::from_utf8_lossy(&json).contains("\"macaroon_custom_permissions\":[{")
        });
        assert!(filled);
    }
}
