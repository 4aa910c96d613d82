#!/usr/bin/env bash
# Regenerates go/litrpc/ (the Go types and grpc-go clients of litd's services on
# the mock's port: Autopilot, Sessions, Status, Firewall, Proxy) from the
# project's own proto/*.proto (all but the remote server's autopilotserver.proto).
# Needs protoc, protoc-gen-go and protoc-gen-go-grpc (Debian: protobuf-compiler,
# protoc-gen-go, protoc-gen-go-grpc).
#
#   go/generate.sh [OUT_DIR]       default OUT_DIR: go/litrpc
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/litrpc}
pkg=github.com/autopilot-mock/autopilot-mock/go/autopilotmock/litrpc
maps=()
protos=(lit-autopilot.proto lit-sessions.proto lit-status.proto firewall.proto proxy.proto)
for f in "${protos[@]}"; do
    maps+=("--go_opt=M$f=$pkg" "--go-grpc_opt=M$f=$pkg")
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
protoc --proto_path="$here/../proto" --go_out="$tmp" --go_opt=paths=source_relative \
    --go-grpc_out="$tmp" --go-grpc_opt=paths=source_relative "${maps[@]}" \
    "${protos[@]}"
mkdir -p "$out"
rm -f "$out"/*.pb.go
cp "$tmp"/*.pb.go "$out/"
