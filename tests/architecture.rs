//! ARCHITECTURE.md's invariants, checked: the domain core knows no
//! wire format and does no I/O. Its files may not name the generated proto
//! types, a transport crate, serde, the file system or the async runtime.

use std::path::{Path, PathBuf};

const FORBIDDEN: &[&str] = &[
    "crate::proto",
    "crate::wire",
    "crate::grpc",
    "crate::rest",
    "crate::server",
    "tonic::",
    "axum::",
    "hyper::",
    "serde::",
    "serde_json",
    "std::fs",
    "std::net",
    "tokio::",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The domain may use the Go-compatibility module (`src/gocompat/`), so it
/// is held to the same rule: pure functions, no wire types, no I/O.
#[test]
fn the_domain_has_no_wire_types_and_no_io() {
    let mut files = Vec::new();
    for dir in ["src/domain", "src/gocompat"] {
        rust_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut files);
    }
    assert!(files.len() > 10, "{files:?}");
    assert!(
        files.iter().any(|f| f.ends_with("gocompat/time.rs")),
        "{files:?}"
    );
    let mut found = Vec::new();
    // Tests may use anything: skip test files and everything from a file's
    // `#[cfg(test)]` on.
    let production = files.iter().filter(|f| {
        !f.file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with("tests.rs"))
    });
    for file in production {
        let text = std::fs::read_to_string(file).expect("readable file");
        let code_end = text.find("#[cfg(test)]").unwrap_or(text.len());
        for (n, line) in text[..code_end].lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for word in FORBIDDEN {
                if code.contains(word) {
                    found.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "the domain must stay transport- and I/O-free:\n{}",
        found.join("\n")
    );
}

/// Every binary reply leaves in Go's form (`Reply::go_wire_bytes`: map
/// entries written whole, as grpc-go writes them): the gRPC and grpc-web
/// entry points never encode a reply with prost directly.
#[test]
fn binary_replies_leave_in_gos_form() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src/grpc", "src/grpc_web"] {
        rust_files(&root.join(dir), &mut files);
    }
    let offending: Vec<String> = files
        .iter()
        .filter(|f| !f.to_string_lossy().ends_with("_tests.rs"))
        .flat_map(|f| {
            let text = std::fs::read_to_string(f).expect("readable");
            text.lines()
                .enumerate()
                .filter(|(_, l)| l.contains("ProstCodec") || l.contains(".encode_to_vec()"))
                .map(|(i, l)| format!("{}:{}: {}", f.display(), i + 1, l.trim()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(offending.is_empty(), "{}", offending.join("\n"));
    let codec = std::fs::read_to_string(root.join("src/grpc/codec.rs")).expect("codec");
    assert!(codec.contains("go_wire_bytes"));
}

/// The entry points decode and call the one dispatcher; none checks a
/// credential or calls the domain itself.
#[test]
fn entry_points_call_the_one_dispatcher() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, transport) in [
        ("src/grpc/mod.rs", "Transport::Grpc"),
        ("src/grpc_web/entry.rs", "Transport::GrpcWeb"),
        ("src/rest/mod.rs", "Transport::Rest"),
    ] {
        let text = std::fs::read_to_string(root.join(file)).expect("readable");
        assert!(
            text.contains(&format!(".dispatch::<C>({transport}")),
            "{file} does not call Dispatcher::dispatch"
        );
        for forbidden in [
            "Authenticator",
            ".check_ops(",
            "backend.core",
            "AutopilotCore",
        ] {
            assert!(!text.contains(forbidden), "{file} uses {forbidden}");
        }
    }
}
