#!/usr/bin/env bash
# Builds the release binary statically linked (glibc crt-static, static-pie):
# it runs from an otherwise empty root (a FROM scratch image, a chroot), given
# /dev/urandom. The Python wheel, the npm platform package, the container image
# and the Go helper's tests all use this one binary.
#
#   ./scripts/build-static.sh          build, then print the binary's path on stdout
#
# CARGO_TARGET_DIR is honoured (default: target/ in the repository), so the
# build shares the test suite's dependency cache. Extra arguments go to cargo
# (e.g. --locked).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TARGET=x86_64-unknown-linux-gnu
TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}

# With --target, RUSTFLAGS reach only the target's crates, not build scripts
# or proc macros, which stay dynamically linked host tools.
RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
    cargo build --manifest-path "$ROOT/Cargo.toml" --release --target "$TARGET" \
    --bin autopilot-mock "$@" >&2

BIN="$TARGET_DIR/$TARGET/release/autopilot-mock"
[[ -x $BIN ]] || { echo "build-static.sh: $BIN was not built" >&2; exit 1; }
# A dynamically linked result would fail later in the image, far from here.
if command -v file >/dev/null && ! file -L "$BIN" | grep -q 'static'; then
    echo "build-static.sh: $BIN is not statically linked: $(file -L "$BIN")" >&2
    exit 1
fi
echo "$BIN"
