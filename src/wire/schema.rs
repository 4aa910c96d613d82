//! The message and enum descriptors as protobuf-go walks them (the binary
//! decoder in `protobuf_in.rs` and protojson in `protojson_in/`): each field's
//! proto and JSON names, number, kind, oneof and map entry types.

use std::collections::HashMap;
use std::sync::OnceLock;

use prost_types::field_descriptor_proto::{Label, Type};

use crate::proto::Descriptors;

/// One field as protojson sees it.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) json_name: String,
    pub(crate) number: i32,
    pub(crate) kind: Type,
    pub(crate) repeated: bool,
    /// Message or enum type, without the leading dot.
    pub(crate) type_name: String,
    pub(crate) oneof: Option<String>,
    /// Key and value of a map field.
    pub(crate) map: Option<Box<(Field, Field)>>,
}

#[derive(Debug, Default)]
pub(crate) struct Schema {
    pub(crate) messages: HashMap<String, Vec<Field>>,
    pub(crate) enums: HashMap<String, Vec<(String, i32)>>,
}

pub(crate) fn schema() -> &'static Schema {
    static SCHEMA: OnceLock<Schema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let index = Descriptors::get();
        let mut schema = Schema::default();
        for (full, m) in &index.messages {
            schema
                .messages
                .insert(full.clone(), fields_of(full, m, index));
        }
        for (full, e) in &index.enums {
            let values = e
                .value
                .iter()
                .map(|v| (v.name().to_string(), v.number()))
                .collect();
            schema.enums.insert(full.clone(), values);
        }
        schema
    })
}

/// `strs.JSONCamelCase`, what protoc writes as `json_name`.
fn json_camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut after_underscore = false;
    for c in name.chars() {
        if c != '_' {
            out.push(if after_underscore {
                c.to_ascii_uppercase()
            } else {
                c
            });
        }
        after_underscore = c == '_';
    }
    out
}

/// The fields of message `full` (`litrpc.Session`); a map field carries
/// its entry's key and value fields.
fn fields_of(full: &str, m: &prost_types::DescriptorProto, index: &Descriptors) -> Vec<Field> {
    let field_of = |f: &prost_types::FieldDescriptorProto| Field {
        name: f.name().to_string(),
        json_name: f
            .json_name
            .clone()
            .unwrap_or_else(|| json_camel_case(f.name())),
        number: f.number(),
        kind: f.r#type(),
        repeated: f.label() == Label::Repeated,
        type_name: f.type_name().trim_start_matches('.').to_string(),
        oneof: f
            .oneof_index
            .and_then(|i| m.oneof_decl.get(usize::try_from(i).ok()?))
            .map(|o| format!("{full}.{}", o.name())),
        map: None,
    };
    m.field
        .iter()
        .map(|f| {
            let mut field = field_of(f);
            let entry = index
                .messages
                .get(&field.type_name)
                .filter(|e| e.options.as_ref().is_some_and(|o| o.map_entry()));
            if let Some(entry) = entry {
                let key = entry.field.iter().find(|v| v.number() == 1);
                let value = entry.field.iter().find(|v| v.number() == 2);
                if let (Some(k), Some(v)) = (key, value) {
                    field.map = Some(Box::new((field_of(k), field_of(v))));
                }
            }
            field
        })
        .collect()
}

/// protoreflect's `Kind.String()`.
pub(crate) fn kind_name(kind: Type) -> &'static str {
    match kind {
        Type::Double => "double",
        Type::Float => "float",
        Type::Int64 => "int64",
        Type::Uint64 => "uint64",
        Type::Int32 => "int32",
        Type::Fixed64 => "fixed64",
        Type::Fixed32 => "fixed32",
        Type::Bool => "bool",
        Type::String => "string",
        Type::Group => "group",
        Type::Message => "message",
        Type::Bytes => "bytes",
        Type::Uint32 => "uint32",
        Type::Enum => "enum",
        Type::Sfixed32 => "sfixed32",
        Type::Sfixed64 => "sfixed64",
        Type::Sint32 => "sint32",
        Type::Sint64 => "sint64",
    }
}
