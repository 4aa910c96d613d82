#!/usr/bin/env bash
# Generates the Python gRPC modules (lit_autopilot_pb2*.py, lit_sessions_pb2*.py)
# from litd's OFFICIAL protos, as shipped by the npm package
# @lightningpolar/litd-api, with grpcio-tools' protoc; and
# autopilotserver_pb2*.py from our own proto/autopilotserver.proto.
#
#   gen.sh PYTHON NODE_CLIENTS_DIR [OUT_DIR]
#
# PYTHON is the venv interpreter that has grpcio-tools; NODE_CLIENTS_DIR is the
# directory holding node_modules/; OUT_DIR defaults to gen/ beside this script
# (gitignored). The protos are copied into OUT_DIR/protos first, so nothing
# official is ever written into the tracked tree.
set -euo pipefail

python=${1:?usage: gen.sh PYTHON NODE_CLIENTS_DIR [OUT_DIR]}
node_clients=${2:?usage: gen.sh PYTHON NODE_CLIENTS_DIR [OUT_DIR]}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${3:-$here/gen}

src="$node_clients/node_modules/@lightningpolar/litd-api/protos"
for f in lit-autopilot.proto lit-sessions.proto; do
    if [[ ! -f "$src/$f" ]]; then
        echo "gen.sh: $src/$f not found; run scripts/test.sh (npm ci in tests/clients/node)" >&2
        exit 1
    fi
done

tmp="$out.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp/protos"
trap 'rm -rf "$tmp"' EXIT
cp "$src/lit-autopilot.proto" "$src/lit-sessions.proto" "$tmp/protos/"
"$python" -m grpc_tools.protoc \
    --proto_path="$tmp/protos" \
    --python_out="$tmp" \
    --grpc_python_out="$tmp" \
    "$tmp/protos/lit-sessions.proto" "$tmp/protos/lit-autopilot.proto"
# The remote autopilot server's protocol from OUR proto (litd publishes no
# Python package for it), for stub_client.py against `autopilot-mock stub`.
ours="$here/../../../proto"
cp "$ours/autopilotserver.proto" "$tmp/protos/"
"$python" -m grpc_tools.protoc \
    --proto_path="$tmp/protos" \
    --python_out="$tmp" \
    --grpc_python_out="$tmp" \
    "$tmp/protos/autopilotserver.proto"
for m in lit_autopilot_pb2 lit_autopilot_pb2_grpc lit_sessions_pb2 lit_sessions_pb2_grpc \
    autopilotserver_pb2 autopilotserver_pb2_grpc; do
    [[ -f "$tmp/$m.py" ]] || { echo "gen.sh: protoc did not produce $m.py" >&2; exit 1; }
done
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
