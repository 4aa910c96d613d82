//! Compiles `proto/` with protox (a pure-Rust protobuf compiler, so no system
//! `protoc` is needed), generates tonic services, prost messages, and the
//! proto3 JSON mapping (pbjson) used by the REST gateway.

use std::{env, path::PathBuf};

use protox::prost::Message;

const PROTOS: &[&str] = &[
    "proto/lit-sessions.proto",
    "proto/lit-autopilot.proto",
    "proto/lit-status.proto",
    "proto/autopilotserver.proto",
    "proto/firewall.proto",
    "proto/proxy.proto",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    embed_scenarios()?;
    for proto in PROTOS {
        println!("cargo:rerun-if-changed={proto}");
    }
    let out_dir = PathBuf::from(env::var("OUT_DIR")?);
    // Start from fresh files: a `target/` copied with hard links (`cp -al`)
    // shares these files with other checkouts, and writing them in place
    // would change those checkouts' generated code too.
    for generated in [
        "descriptor.bin",
        "litrpc.rs",
        "litrpc.serde.rs",
        "autopilotserverrpc.rs",
        "autopilotserverrpc.serde.rs",
    ] {
        match std::fs::remove_file(out_dir.join(generated)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    let descriptor_path = out_dir.join("descriptor.bin");

    let fds = protox::compile(PROTOS, ["proto"])?;
    std::fs::write(&descriptor_path, fds.encode_to_vec())?;

    // BTreeMap everywhere: map fields come out with sorted keys, which is what
    // litd's REST marshaler writes and what makes responses deterministic.
    // Type names (`prost::Name`): the RPC registry states each method's
    // request and response message by its prost type, never by a string.
    let mut config = prost_build::Config::new();
    config.enable_type_names();
    tonic_prost_build::configure()
        .btree_map(".")
        .file_descriptor_set_path(&descriptor_path)
        .compile_fds_with_config(fds, config)?;

    let descriptor_bytes = std::fs::read(&descriptor_path)?;
    pbjson_build::Builder::new()
        .register_descriptors(&descriptor_bytes)?
        .preserve_proto_field_names()
        .emit_fields()
        .btree_map(["."])
        .build(&[".litrpc", ".autopilotserverrpc"])?;
    Ok(())
}

/// Writes `$OUT_DIR/shipped_scenarios.rs`: every file under `scenarios/`
/// (relative path, contents via `include_str!`), so the binary carries them
/// and a file added there is picked up without a code change. Cargo reruns
/// this script when anything in the directory changes.
fn embed_scenarios() -> Result<(), Box<dyn std::error::Error>> {
    let root = PathBuf::from(env::var("CARGO_MANIFEST_DIR")?).join("scenarios");
    println!("cargo:rerun-if-changed=scenarios");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    let mut out =
        String::from("/// Every file of `scenarios/`: (path relative to it, contents).\n");
    out.push_str("pub const FILES: &[(&str, &str)] = &[\n");
    for path in &files {
        let relative = path
            .strip_prefix(&root)?
            .to_string_lossy()
            .replace('\\', "/");
        out.push_str(&format!(
            "    ({relative:?}, include_str!({:?})),\n",
            path.display().to_string()
        ));
    }
    out.push_str("];\n");
    std::fs::write(
        PathBuf::from(env::var("OUT_DIR")?).join("shipped_scenarios.rs"),
        out,
    )?;
    Ok(())
}
