//! Our `proto/` must describe the same wire schema as litd's official protos
//! for everything the `litrpc.Autopilot`, `litrpc.Sessions` and `litrpc.Proxy`
//! services (and `litrpc.Status`, once our protos define it) can reach.
//! (The package ships no `firewall.proto`, so `litrpc.Firewall` is checked
//! against the reference only.)
//!
//! The official `lit-autopilot.proto`, `lit-sessions.proto`, `proxy.proto`
//! and `lit-status.proto` come from the
//! npm package `@lightningpolar/litd-api`, installed by `scripts/test.sh` into
//! `$AUTOPILOT_MOCK_NODE_CLIENTS/node_modules`. They are compiled here with
//! protox and compared, descriptor by descriptor, with the `FileDescriptorSet`
//! the crate serves (`autopilot_mock::proto::FILE_DESCRIPTOR_SET`).
//!
//! Compared: the service's methods (names, request/response types, streaming);
//! for every message and enum reachable from them (map entries included): the
//! defining file and package, message options (`map_entry`), every field's
//! name, number, label, type, type name, JSON name, oneof membership,
//! `proto3_optional`, default value and options (`jstype`, `packed`,
//! `deprecated`), oneof names, reserved ranges and names, and every enum
//! value's name and number.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use prost::Message;
use prost_types::field_descriptor_proto::Type;
use prost_types::{
    DescriptorProto, EnumDescriptorProto, FieldDescriptorProto, FileDescriptorSet,
    ServiceDescriptorProto,
};

const SERVICE: &str = ".litrpc.Autopilot";

/// The other services compared, with the official file that defines each.
const MORE_SERVICES: &[(&str, &str)] = &[
    (".litrpc.Sessions", "lit-sessions.proto"),
    (".litrpc.Proxy", "proxy.proto"),
];

/// Compared only once our protos define it (helper `web` adds it).
const STATUS_SERVICE: (&str, &str) = (".litrpc.Status", "lit-status.proto");

fn official_protos_dir() -> PathBuf {
    let Some(dir) = std::env::var_os("AUTOPILOT_MOCK_NODE_CLIENTS") else {
        panic!(
            "AUTOPILOT_MOCK_NODE_CLIENTS is not set: this test compares our protos with litd's \
             official ones from the npm package @lightningpolar/litd-api. Run ./scripts/test.sh \
             (or eval \"$(./scripts/test.sh --env)\" before cargo test)."
        );
    };
    let dir = PathBuf::from(dir).join("node_modules/@lightningpolar/litd-api/protos");
    assert!(
        dir.join("lit-autopilot.proto").is_file() && dir.join("lit-sessions.proto").is_file(),
        "official protos not found in {}; run ./scripts/test.sh",
        dir.display()
    );
    dir
}

fn official_set() -> FileDescriptorSet {
    let dir = official_protos_dir();
    protox::compile(
        ["lit-autopilot.proto", "proxy.proto", "lit-status.proto"],
        [&dir],
    )
    .unwrap_or_else(|e| panic!("protox could not compile the official protos: {e:?}"))
}

fn our_set() -> FileDescriptorSet {
    FileDescriptorSet::decode(autopilot_mock::proto::FILE_DESCRIPTOR_SET)
        .expect("FILE_DESCRIPTOR_SET decodes as a FileDescriptorSet")
}

/// Every message, enum and service of a descriptor set by full name
/// (`.pkg.Outer.Inner`), with the file that defines it.
#[derive(Default)]
struct Index<'a> {
    messages: BTreeMap<String, (&'a str, &'a DescriptorProto)>,
    enums: BTreeMap<String, (&'a str, &'a EnumDescriptorProto)>,
    services: BTreeMap<String, (&'a str, &'a ServiceDescriptorProto)>,
    go_package: BTreeMap<&'a str, Option<&'a str>>,
}

impl<'a> Index<'a> {
    fn new(set: &'a FileDescriptorSet) -> Self {
        let mut index = Index::default();
        for file in &set.file {
            let file_name = file.name();
            let prefix = if file.package().is_empty() {
                String::new()
            } else {
                format!(".{}", file.package())
            };
            index.go_package.insert(
                file_name,
                file.options.as_ref().and_then(|o| o.go_package.as_deref()),
            );
            for message in &file.message_type {
                index.add_message(file_name, &prefix, message);
            }
            for en in &file.enum_type {
                index
                    .enums
                    .insert(format!("{prefix}.{}", en.name()), (file_name, en));
            }
            for service in &file.service {
                index
                    .services
                    .insert(format!("{prefix}.{}", service.name()), (file_name, service));
            }
        }
        index
    }

    fn add_message(&mut self, file: &'a str, prefix: &str, message: &'a DescriptorProto) {
        let full = format!("{prefix}.{}", message.name());
        for nested in &message.nested_type {
            self.add_message(file, &full, nested);
        }
        for en in &message.enum_type {
            self.enums
                .insert(format!("{full}.{}", en.name()), (file, en));
        }
        self.messages.insert(full, (file, message));
    }
}

/// The messages and enums reachable from the service's methods, following
/// message and enum fields (map entries are messages too).
fn reachable(index: &Index<'_>, service: &ServiceDescriptorProto) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut queue: VecDeque<String> = service
        .method
        .iter()
        .flat_map(|m| [m.input_type().to_string(), m.output_type().to_string()])
        .collect();
    while let Some(name) = queue.pop_front() {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some((_, message)) = index.messages.get(&name) {
            for field in &message.field {
                if matches!(field.r#type(), Type::Message | Type::Enum | Type::Group) {
                    queue.push_back(field.type_name().to_string());
                }
            }
        }
    }
    seen
}

fn label_str(field: &FieldDescriptorProto) -> String {
    format!("{:?}", field.label())
}

fn type_str(field: &FieldDescriptorProto) -> String {
    if field.type_name.is_some() {
        format!("{:?} {}", field.r#type(), field.type_name())
    } else {
        format!("{:?}", field.r#type())
    }
}

fn oneof_of(message: &DescriptorProto, field: &FieldDescriptorProto) -> Option<String> {
    let index = usize::try_from(field.oneof_index?).ok()?;
    Some(message.oneof_decl.get(index).map_or_else(
        || format!("<bad oneof index {index}>"),
        |o| o.name().to_string(),
    ))
}

fn compare_fields(
    name: &str,
    ours: &DescriptorProto,
    official: &DescriptorProto,
    diffs: &mut Vec<String>,
) {
    let our_fields: BTreeMap<&str, &FieldDescriptorProto> =
        ours.field.iter().map(|f| (f.name(), f)).collect();
    for theirs in &official.field {
        let field = theirs.name();
        let Some(mine) = our_fields.get(field) else {
            diffs.push(format!(
                "{name}: field `{field}` (#{}, {} {}) is missing from our proto",
                theirs.number(),
                label_str(theirs),
                type_str(theirs)
            ));
            continue;
        };
        let at = format!("{name}.{field}");
        let mut check = |what: &str, our: String, their: String| {
            if our != their {
                diffs.push(format!("{at}: {what} is {our}, official is {their}"));
            }
        };
        check(
            "number",
            mine.number().to_string(),
            theirs.number().to_string(),
        );
        check("label", label_str(mine), label_str(theirs));
        check("type", type_str(mine), type_str(theirs));
        check(
            "json_name",
            format!("{:?}", mine.json_name),
            format!("{:?}", theirs.json_name),
        );
        check(
            "oneof",
            format!("{:?}", oneof_of(ours, mine)),
            format!("{:?}", oneof_of(official, theirs)),
        );
        check(
            "proto3_optional",
            format!("{:?}", mine.proto3_optional),
            format!("{:?}", theirs.proto3_optional),
        );
        check(
            "default_value",
            format!("{:?}", mine.default_value),
            format!("{:?}", theirs.default_value),
        );
        check(
            "options",
            format!("{:?}", mine.options),
            format!("{:?}", theirs.options),
        );
    }
    let official_names: BTreeSet<&str> = official.field.iter().map(|f| f.name()).collect();
    for mine in &ours.field {
        if !official_names.contains(mine.name()) {
            diffs.push(format!(
                "{name}: our field `{}` (#{}) does not exist in the official proto",
                mine.name(),
                mine.number()
            ));
        }
    }
}

fn compare_message(
    name: &str,
    ours: &DescriptorProto,
    official: &DescriptorProto,
    diffs: &mut Vec<String>,
) {
    compare_fields(name, ours, official, diffs);
    let oneofs = |m: &DescriptorProto| -> Vec<String> {
        m.oneof_decl.iter().map(|o| o.name().to_string()).collect()
    };
    if oneofs(ours) != oneofs(official) {
        diffs.push(format!(
            "{name}: oneofs are {:?}, official are {:?}",
            oneofs(ours),
            oneofs(official)
        ));
    }
    if ours.options != official.options {
        diffs.push(format!(
            "{name}: message options are {:?}, official are {:?}",
            ours.options, official.options
        ));
    }
    if ours.reserved_range != official.reserved_range
        || ours.reserved_name != official.reserved_name
    {
        diffs.push(format!(
            "{name}: reserved ranges/names are {:?}/{:?}, official are {:?}/{:?}",
            ours.reserved_range,
            ours.reserved_name,
            official.reserved_range,
            official.reserved_name
        ));
    }
}

fn compare_enum(
    name: &str,
    ours: &EnumDescriptorProto,
    official: &EnumDescriptorProto,
    diffs: &mut Vec<String>,
) {
    let values = |e: &EnumDescriptorProto| -> Vec<(String, i32)> {
        e.value
            .iter()
            .map(|v| (v.name().to_string(), v.number()))
            .collect()
    };
    if values(ours) != values(official) {
        diffs.push(format!(
            "{name}: enum values are {:?}, official are {:?}",
            values(ours),
            values(official)
        ));
    }
    if ours.options != official.options {
        diffs.push(format!(
            "{name}: enum options are {:?}, official are {:?}",
            ours.options, official.options
        ));
    }
}

fn compare_service(
    service_name: &str,
    ours: &ServiceDescriptorProto,
    official: &ServiceDescriptorProto,
    diffs: &mut Vec<String>,
) {
    let methods = |s: &ServiceDescriptorProto| -> Vec<String> {
        s.method
            .iter()
            .map(|m| {
                format!(
                    "{}({}{}) -> {}{}",
                    m.name(),
                    if m.client_streaming() { "stream " } else { "" },
                    m.input_type(),
                    if m.server_streaming() { "stream " } else { "" },
                    m.output_type()
                )
            })
            .collect()
    };
    let (mine, theirs) = (methods(ours), methods(official));
    if mine != theirs {
        diffs.push(format!(
            "{service_name}: methods are {mine:?}, official are {theirs:?}"
        ));
    }
}

/// All differences between our descriptors and the official ones, one line each.
fn differences(ours: &FileDescriptorSet, official: &FileDescriptorSet) -> Vec<String> {
    differences_of(SERVICE, ours, official)
}

/// [`differences`] for one service (`.litrpc.<Name>`).
fn differences_of(
    service: &str,
    ours: &FileDescriptorSet,
    official: &FileDescriptorSet,
) -> Vec<String> {
    let (mine, theirs) = (Index::new(ours), Index::new(official));
    let mut diffs = Vec::new();

    let Some((official_file, official_service)) = theirs.services.get(service) else {
        return vec![format!("the official protos define no {service}")];
    };
    match mine.services.get(service) {
        None => diffs.push(format!("our protos define no {service}")),
        Some((our_file, our_service)) => {
            if our_file != official_file {
                diffs.push(format!(
                    "{service}: defined in {our_file}, official in {official_file}"
                ));
            }
            compare_service(service, our_service, official_service, &mut diffs);
        }
    }

    for name in reachable(&theirs, official_service) {
        if let Some((their_file, official_message)) = theirs.messages.get(&name) {
            match mine.messages.get(&name) {
                None => diffs.push(format!("{name}: message missing from our protos")),
                Some((our_file, our_message)) => {
                    if our_file != their_file {
                        diffs.push(format!(
                            "{name}: defined in {our_file}, official in {their_file}"
                        ));
                    }
                    compare_message(&name, our_message, official_message, &mut diffs);
                }
            }
        } else if let Some((their_file, official_enum)) = theirs.enums.get(&name) {
            match mine.enums.get(&name) {
                None => diffs.push(format!("{name}: enum missing from our protos")),
                Some((our_file, our_enum)) => {
                    if our_file != their_file {
                        diffs.push(format!(
                            "{name}: defined in {our_file}, official in {their_file}"
                        ));
                    }
                    compare_enum(&name, our_enum, official_enum, &mut diffs);
                }
            }
        } else {
            diffs.push(format!(
                "{name}: referenced but not defined in the official protos"
            ));
        }
    }

    for (file, go_package) in &theirs.go_package {
        if let Some(ours) = mine.go_package.get(file) {
            if ours != go_package {
                diffs.push(format!(
                    "{file}: go_package is {ours:?}, official is {go_package:?}"
                ));
            }
        }
    }
    diffs
}

/// Differences between litd 0.17.2 (the reference our protos follow) and the
/// v0.16.0-alpha protos the npm package ships: 0.16 marked `privacy_flags`
/// `jstype = JS_STRING`; 0.17.2 has no option there. jstype changes neither
/// the wire bytes nor proto3 JSON (uint64 is a string either way).
const KNOWN_VERSION_DIFFERENCES: &[&str] = &[
    ".litrpc.AddAutopilotSessionRequest.privacy_flags: options is None, official is Some(FieldOptions { ctype: None, packed: None, jstype: Some(JsString)",
    ".litrpc.Feature.privacy_flags: options is None, official is Some(FieldOptions { ctype: None, packed: None, jstype: Some(JsString)",
    ".litrpc.Session.privacy_flags: options is None, official is Some(FieldOptions { ctype: None, packed: None, jstype: Some(JsString)",
];

#[test]
fn our_autopilot_protos_match_litds_official_protos() {
    let (ours, official) = (our_set(), official_set());
    let theirs = Index::new(&official);
    let service = theirs
        .services
        .get(SERVICE)
        .map(|(_, s)| *s)
        .expect("official protos define litrpc.Autopilot");
    let reached = reachable(&theirs, service);
    // Guard against a traversal that silently compares nothing: the service
    // reaches at least Session, RuleValue and every rule message.
    for name in [
        ".litrpc.Session",
        ".litrpc.RuleValue",
        ".litrpc.ChannelConstraint",
        ".litrpc.SessionState",
        ".litrpc.Session.AutopilotFeatureInfoEntry",
    ] {
        assert!(
            reached.contains(name),
            "{name} not reached from {SERVICE}: {reached:?}"
        );
    }

    let (known, diffs): (Vec<String>, Vec<String>) = differences(&ours, &official)
        .into_iter()
        .partition(|d| KNOWN_VERSION_DIFFERENCES.iter().any(|k| d.starts_with(k)));
    // Every documented difference must still be there: if the package moves
    // to litd 0.17 protos, this list (and the note in README) goes.
    assert_eq!(
        known.len(),
        KNOWN_VERSION_DIFFERENCES.len(),
        "documented differences seen: {known:?}"
    );
    assert!(
        diffs.is_empty(),
        "our protos differ from litd's official protos in {} place(s):\n  {}",
        diffs.len(),
        diffs.join("\n  ")
    );
}

#[test]
fn our_sessions_and_proxy_protos_match_litds_official_protos() {
    let (ours, official) = (our_set(), official_set());
    let defines_status = Index::new(&ours).services.contains_key(STATUS_SERVICE.0);
    let mut services = MORE_SERVICES.to_vec();
    if defines_status {
        services.push(STATUS_SERVICE);
    }
    let theirs = Index::new(&official);
    let mut all = Vec::new();
    for (service, file) in services {
        let (official_file, official_service) = theirs
            .services
            .get(service)
            .unwrap_or_else(|| panic!("official protos define {service}"));
        assert_eq!(*official_file, file, "{service}");
        // The traversal reaches every request and response type.
        let reached = reachable(&theirs, official_service);
        assert!(reached.len() >= 2, "{service}: {reached:?}");
        all.extend(
            differences_of(service, &ours, &official)
                .into_iter()
                .filter(|d| !KNOWN_VERSION_DIFFERENCES.iter().any(|k| d.starts_with(k))),
        );
    }
    // The field litd numbers 8 is compared like any other; make sure.
    assert!(theirs
        .messages
        .get(".litrpc.RevokeSessionRequest")
        .is_some_and(|(_, m)| m.field.iter().any(|f| f.number() == 8)));
    assert!(
        all.is_empty(),
        "our protos differ from litd's official protos in {} place(s):\n  {}",
        all.len(),
        all.join("\n  ")
    );
}

/// A wrong number on the RevokeSession key (1 instead of litd's 8) is found.
#[test]
fn comparison_detects_the_revoke_session_key_number() {
    let official = official_set();
    let mut altered = official.clone();
    let field = altered
        .file
        .iter_mut()
        .flat_map(|f| f.message_type.iter_mut())
        .find(|m| m.name() == "RevokeSessionRequest")
        .and_then(|m| m.field.iter_mut().find(|f| f.name() == "local_public_key"))
        .expect("official RevokeSessionRequest.local_public_key");
    field.number = Some(1);
    let diffs = differences_of(".litrpc.Sessions", &altered, &official);
    assert!(
        diffs
            .iter()
            .any(|d| d
                == ".litrpc.RevokeSessionRequest.local_public_key: number is 1, official is 8"),
        "{diffs:?}"
    );
}

/// The comparison itself must notice a changed field; otherwise a green run
/// above would mean nothing.
#[test]
fn comparison_detects_a_changed_field() {
    let official = official_set();
    let mut altered = official.clone();
    let session = altered
        .file
        .iter_mut()
        .flat_map(|f| f.message_type.iter_mut())
        .find(|m| m.name() == "Session")
        .expect("official protos define Session");
    let field = session
        .field
        .iter_mut()
        .find(|f| f.name() == "expiry_timestamp_seconds")
        .expect("Session has expiry_timestamp_seconds");
    field.options = None; // drop jstype = JS_STRING
    field.number = Some(99);

    let diffs = differences(&altered, &official);
    assert!(
        diffs
            .iter()
            .any(|d| d == ".litrpc.Session.expiry_timestamp_seconds: number is 99, official is 4"),
        "number change not reported: {diffs:?}"
    );
    assert!(
        diffs
            .iter()
            .any(|d| d.starts_with(".litrpc.Session.expiry_timestamp_seconds: options is None")),
        "jstype removal not reported: {diffs:?}"
    );
    assert!(
        differences(&official, &official).is_empty(),
        "a set differs from itself"
    );
}
