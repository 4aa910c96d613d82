#!/usr/bin/env bash
# The action's install cache: a key from the crate's sources at the action's
# ref (so a new ref, or a moved branch, builds anew) and the install root.
# Writes `key` and `root` to GITHUB_OUTPUT.
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sum=$(cd "$src" && find Cargo.toml Cargo.lock build.rs proto src fixtures scenarios -type f -print0 \
    | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)
root="${RUNNER_TOOL_CACHE:-${RUNNER_TEMP:-/tmp}}/autopilot-mock/$sum"
{
    echo "key=autopilot-mock-${RUNNER_OS:-$(uname -s)}-$(uname -m)-$sum"
    echo "root=$root"
} >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
