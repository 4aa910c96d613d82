#!/usr/bin/env bash
# Packs the npm packages: autopilot-mock and the platform package
# @autopilot-mock/linux-x64 with the given (static) binary copied in.
#
#   node/pack.sh BINARY OUT_DIR      prints the two tarballs' paths
set -euo pipefail
bin=${1:?usage: pack.sh BINARY OUT_DIR}
out=${2:?usage: pack.sh BINARY OUT_DIR}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
mkdir -p "$out" "$here/npm/linux-x64/bin"
install -m 0755 "$bin" "$here/npm/linux-x64/bin/autopilot-mock"
out=$(cd "$out" && pwd)
main=$(cd "$here" && npm pack --silent --pack-destination "$out")
platform=$(cd "$here/npm/linux-x64" && npm pack --silent --pack-destination "$out")
rm -rf "$here/npm/linux-x64/bin"
echo "$out/$main"
echo "$out/$platform"
