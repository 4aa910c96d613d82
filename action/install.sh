#!/usr/bin/env bash
# Installs the crate at the action's ref (the action's own checkout) into ROOT.
#   install.sh ROOT
set -euo pipefail
root=${1:?usage: install.sh ROOT}
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
command -v cargo >/dev/null || { echo "::error::autopilot-mock: cargo not found (use dtolnay/rust-toolchain, or pass the binary input)"; exit 1; }
cargo install --locked --path "$src" --root "$root" --bin autopilot-mock
