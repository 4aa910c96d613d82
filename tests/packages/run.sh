#!/usr/bin/env bash
# The packaging tests (issue 16), one stage of scripts/test.sh:
#
#   tests/packages/run.sh BINARY      BINARY: the static release binary
#                                     (scripts/build-static.sh), used by all
#
#   python  build the maturin wheel, install it into a fresh venv with pytest
#           and grpcio, run test_python_package.py (the pytest11 fixture)
#   node    npm pack autopilot-mock and @autopilot-mock/linux-x64, install
#           both into a fresh project, node --test node_package.test.js
#           (@grpc/grpc-js, @lightningpolar/litd-api)
#   go      go/litrpc matches go/generate.sh's output; go test the Go helper
#           (grpc-go as litcli dials) with Debian's Go packages, offline
#   image   podman builds the Dockerfile's `prebuilt` target, its filesystem
#           is exported and the binary run under chroot: without /dev/urandom
#           (a clear error), and with it (a real call)
#   action  action/start.sh and action/stop.sh with local GITHUB_OUTPUT/ENV
#
# Each part asserts a real call and the mock's requests() entry for it. It
# prints `test result: ...` lines that scripts/test.sh counts. Environment:
# AUTOPILOT_MOCK_NODE_CLIENTS, AUTOPILOT_MOCK_PYTHON_GEN (from scripts/test.sh),
# PYTHON (default python3), AUTOPILOT_MOCK_PACKAGES_ONLY="python node ..." to
# run some parts only. scripts/test.sh skips this whole stage with
# AUTOPILOT_MOCK_SKIP_PACKAGES=1.
set -uo pipefail

BIN=$(realpath "${1:?usage: tests/packages/run.sh STATIC_BINARY}")
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PYTHON=${PYTHON:-python3}
ONLY=${AUTOPILOT_MOCK_PACKAGES_ONLY:-python node go image action}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/autopilot-mock-packages.XXXXXX")
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '==> packages: %s\n' "$*" >&2; }
# The received-calls journal (GET requests) comes with `serve --requests-limit`.
# A binary without it still runs every other assertion; its requests()
# assertions are reported as ignored, never silently passed.
JOURNAL=1
if ! "$BIN" serve --help 2>/dev/null | grep -q -- '--requests-limit'; then
    JOURNAL=0
    export AUTOPILOT_MOCK_NO_RECEIVED_JOURNAL=1
    log "this binary has no received-calls journal (serve --requests-limit): requests() assertions are IGNORED"
fi
failures=0
# One `test result:` line per part, in cargo's format, for scripts/test.sh's totals.
report() { # part passed failed ignored seconds
    local verdict=ok
    [[ $3 -eq 0 ]] || { verdict=FAILED; failures=$((failures + 1)); }
    printf 'test result: %s. %d passed; %d failed; %d ignored; 0 measured; 0 filtered out; finished in %ds (packages: %s)\n' \
        "$verdict" "$2" "$3" "$4" "$5" "$1"
}
check() { # description command...   (one assertion of the image/action parts)
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: $what" >&2
    fi
}
wait_ready() { # file seconds -> the first complete line of file
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        if [[ -s $1 && $(wc -l <"$1") -ge 1 ]]; then head -n 1 "$1"; return 0; fi
        sleep 0.1
    done
    return 1
}
# A REST call (litd's gateway) and the admin API's record of received calls.
rest_features() { # addr cert macaroon_hex
    curl -sS --fail --cacert "$2" -H "Grpc-Metadata-Macaroon: $3" "https://$1/v1/autopilot/features" \
        | jq -e '.features.HealthCheck.name == "HealthCheck"' >/dev/null
}
journaled() { # addr cert macaroon_hex method transport
    curl -sS --fail --cacert "$2" -H "Grpc-Metadata-Macaroon: $3" \
        "https://$1/_autopilot-mock/v1/requests?method=$4" \
        | jq -e --arg m "$4" --arg t "$5" \
            '[.entries[] | select(.method == $m and .transport == $t)] | length == 1' >/dev/null
}
check_journaled() { # description addr cert macaroon_hex method transport
    if [[ $JOURNAL -eq 1 ]]; then
        check "$@"
    else
        ignored=$((ignored + 1))
    fi
}
hex_of() { od -An -v -tx1 "$1" | tr -d ' \n'; }
# The README's quick-start test for a language: the fenced block after
# `<!-- packages-quickstart:LANG -->`, run as a user would paste it.
readme_snippet() { # lang out_file
    awk -v tag="<!-- packages-quickstart:$1 -->" '
        $0 == tag { found = 1; next }
        found && /^```/ { if (open) exit; open = 1; next }
        found && open { print }' "$ROOT/README.md" >"$2"
    [[ -s $2 ]] || { echo "README.md has no <!-- packages-quickstart:$1 --> block" >&2; return 1; }
}

# ------------------------------------------------------------------ python
part_python() {
    local tools="$HERE/.venv-tools" stamp want wheel venv="$WORK/py-venv" out
    want="$(sha256sum "$HERE/requirements.txt" | cut -c1-64) $("$PYTHON" --version 2>&1)"
    stamp="$tools/.autopilot-mock-stamp"
    if [[ ! -x $tools/bin/maturin || "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
        rm -rf "$tools"
        "$PYTHON" -m venv "$tools" >&2 && "$tools/bin/pip" install -q --disable-pip-version-check \
            -r "$HERE/requirements.txt" >&2 || return 1
        echo "$want" >"$stamp"
    fi
    # The same flags and target as scripts/build-static.sh: cargo finds the
    # binary up to date and maturin only packs it.
    log "maturin build (the static binary into a wheel)"
    (cd "$ROOT/python" && RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" \
        "$tools/bin/maturin" build --release --target x86_64-unknown-linux-gnu --out "$WORK/wheel" \
        --compatibility manylinux2014 --quiet) >&2 || return 1
    wheel=$(ls "$WORK"/wheel/autopilot_mock-*.whl) || return 1
    cmp -s "$BIN" <("$PYTHON" -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); sys.stdout.buffer.write(z.read(next(n for n in z.namelist() if n.endswith(".data/scripts/autopilot-mock"))))' "$wheel") \
        || { echo "the wheel's binary is not $BIN" >&2; return 1; }
    log "fresh venv: the wheel, pytest, grpcio"
    "$PYTHON" -m venv "$venv" >&2 && "$venv/bin/pip" install -q --disable-pip-version-check \
        "$wheel" -r "$HERE/requirements-test.txt" >&2 || return 1
    mkdir -p "$WORK/py-project" && cp "$HERE/test_python_package.py" "$WORK/py-project/"
    # The README's test calls requests(): it needs the journal.
    local files=(test_python_package.py)
    if [[ $JOURNAL -eq 1 ]]; then
        readme_snippet python "$WORK/py-project/test_readme.py" || return 1
        files+=(test_readme.py)
    else
        ignored=$((ignored + 1))
    fi
    # Outside the repository: `autopilot_mock` can only come from the wheel.
    out=$(cd "$WORK/py-project" && env -u AUTOPILOT_MOCK_BIN PYTHONPATH="${AUTOPILOT_MOCK_PYTHON_GEN:?}" \
        "$venv/bin/python" -m pytest -p no:cacheprovider -q -rs "${files[@]}" 2>&1)
    local rc=$?
    echo "$out" >&2
    py_passed=$(grep -oE '[0-9]+ passed' <<<"$out" | tail -1 | cut -d' ' -f1)
    py_failed=$(grep -oE '[0-9]+ (failed|error)' <<<"$out" | awk '{s += $1} END {print s + 0}')
    local count
    count=$(grep -oE '[0-9]+ skipped' <<<"$out" | tail -1 | cut -d' ' -f1)
    ignored=$((ignored + ${count:-0}))
    return $rc
}

# -------------------------------------------------------------------- node
part_node() {
    local proj="$WORK/node-project" tarballs out types_passed=0 types_failed=0
    tarballs=$(bash "$ROOT/node/pack.sh" "$BIN" "$WORK/npm") || return 1
    mkdir -p "$proj"
    echo '{"name": "autopilot-mock-user", "version": "0.0.0", "private": true}' >"$proj/package.json"
    log "npm install the two packed packages (and tsc, for the types) into a fresh project"
    # shellcheck disable=SC2086  # two paths, no spaces (mktemp)
    (cd "$proj" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error $tarballs \
        typescript@5.9.3 @types/node@20.19.43) >&2 || return 1
    cp "$HERE/types-check.ts" "$proj/"
    if (cd "$proj" && ./node_modules/.bin/tsc --noEmit --strict --types node types-check.ts) >&2; then
        types_passed=1
    else
        echo "FAIL: index.d.ts does not type-check types-check.ts" >&2
        types_failed=1
    fi
    cp "$HERE/node_package.test.js" "$proj/"
    local files=(node_package.test.js)
    if [[ $JOURNAL -eq 1 ]]; then
        readme_snippet node "$proj/readme.test.js" || return 1
        files+=(readme.test.js)
    else
        ignored=$((ignored + 1))
    fi
    out=$(cd "$proj" && env -u AUTOPILOT_MOCK_BIN NODE_PATH="${AUTOPILOT_MOCK_NODE_CLIENTS:?}/node_modules" \
        node --test "${files[@]}" 2>&1)
    local rc=$?
    echo "$out" >&2
    local count
    count=$(grep -oE '^# pass [0-9]+' <<<"$out" | cut -d' ' -f3)
    node_passed=$((${count:-0} + types_passed))
    count=$(grep -oE '^# fail [0-9]+' <<<"$out" | cut -d' ' -f3)
    node_failed=$((${count:-0} + types_failed))
    count=$(grep -oE '^# skipped [0-9]+' <<<"$out" | cut -d' ' -f3)
    ignored=$((ignored + ${count:-0}))
    return $rc
}

# ---------------------------------------------------------------------- go
part_go() {
    local gopath="$WORK/gopath" pkg=github.com/autopilot-mock/autopilot-mock/go out
    log "go/litrpc up to date with proto/ (go/generate.sh)"
    bash "$ROOT/go/generate.sh" "$WORK/go-gen" || return 1
    if ! diff -r "$ROOT/go/litrpc" "$WORK/go-gen" >&2; then
        echo "go/litrpc is stale: run go/generate.sh and commit the result" >&2
        go_failed=1
        return 1
    fi
    # GOPATH mode over Debian's packaged grpc-go, protobuf and macaroon
    # sources: no module download.
    mkdir -p "$gopath/src/$pkg"
    ln -s "$ROOT/go" "$gopath/src/$pkg/autopilotmock"
    local pkgs=("$pkg/autopilotmock")
    if [[ $JOURNAL -eq 1 ]]; then
        mkdir -p "$gopath/src/example.com/myclient"
        readme_snippet go "$gopath/src/example.com/myclient/readme_test.go" || return 1
        pkgs+=(example.com/myclient)
    else
        ignored=$((ignored + 1))
    fi
    log "go test (offline, Debian's grpc-go): the helper and the README's test"
    out=$(cd "$gopath/src" && AUTOPILOT_MOCK_BIN="$BIN" GO111MODULE=off GOFLAGS= \
        GOPROXY=off GOPATH="$gopath:/usr/share/gocode" GOCACHE="$ROOT/target/go-build-cache" \
        go test -count=1 -v "${pkgs[@]}" 2>&1)
    local rc=$?
    echo "$out" >&2
    go_passed=$(grep -c -- '^--- PASS' <<<"$out")
    go_failed=$(grep -c -- '^--- FAIL' <<<"$out")
    ignored=$((ignored + $(grep -c -- '^--- SKIP' <<<"$out")))
    return $rc
}

# ------------------------------------------------------------------- image
part_image() {
    local ctx="$WORK/image-ctx" root="$WORK/image-root" store="$WORK/podman" config cmd ready pid err
    local podman=(podman --root "$store/root" --runroot "$store/run" --storage-driver vfs)
    # A small context: the Dockerfile and the static binary where its
    # `prebuilt` stage expects it.
    mkdir -p "$ctx/target/x86_64-unknown-linux-gnu/release"
    cp "$ROOT/Dockerfile" "$ROOT/.dockerignore" "$ctx/"
    cp "$BIN" "$ctx/target/x86_64-unknown-linux-gnu/release/autopilot-mock"
    log "podman build --target prebuilt"
    "${podman[@]}" build -q --target prebuilt -t localhost/autopilot-mock:test "$ctx" >&2 || return 1
    config=$("${podman[@]}" image inspect --format '{{json .Config}}' localhost/autopilot-mock:test) || return 1
    check "the entrypoint is the binary" jq -e '.Entrypoint == ["/autopilot-mock"]' <<<"$config" >/dev/null
    check "the default command" jq -e '.Cmd == ["serve","--listen","0.0.0.0:8443","--lit-dir","/lit"]' <<<"$config" >/dev/null
    check "/lit is a volume" jq -e '.Volumes | has("/lit")' <<<"$config" >/dev/null
    check "HOME is the volume" jq -e '.Env | index("HOME=/lit") != null' <<<"$config" >/dev/null
    log "export the image's filesystem"
    "${podman[@]}" create --name autopilot-mock-export localhost/autopilot-mock:test >/dev/null || return 1
    mkdir -p "$root"
    "${podman[@]}" export autopilot-mock-export | tar -C "$root" -xf - || return 1
    "${podman[@]}" rm autopilot-mock-export >/dev/null
    check "the image holds the static binary" cmp -s "$BIN" "$root/autopilot-mock"
    check "the image holds /lit" test -d "$root/lit"

    # Without /dev/random and /dev/urandom (a static binary's getrandom opens
    # both): a clear error and a non-zero exit, no panic.
    rm -rf "$root/dev"
    err=$(timeout 20 chroot "$root" /autopilot-mock serve --listen 127.0.0.1:0 --lit-dir /lit 2>&1 >/dev/null)
    local rc=$?
    echo "without /dev/urandom: exit $rc: $err" >&2
    check "no /dev/urandom: exit 1" test "$rc" -eq 1
    check "no /dev/urandom: the message names it" grep -q 'cannot read random bytes from the operating system.*/dev/random and /dev/urandom' <<<"$err"
    check "no /dev/urandom: no panic" bash -c '! grep -q panicked <<<"$1"' _ "$err"

    # With them (character devices, as a container runtime provides): the
    # image's own command, on a free port, and a real call.
    mkdir -p "$root/dev"
    local dev bind_mounts=()
    for dev in random:8 urandom:9; do
        if ! mknod -m 444 "$root/dev/${dev%:*}" c 1 "${dev#*:}" 2>/dev/null; then
            touch "$root/dev/${dev%:*}" && mount --bind "/dev/${dev%:*}" "$root/dev/${dev%:*}" || return 1
            bind_mounts+=("$root/dev/${dev%:*}")
        fi
    done
    mapfile -t cmd < <(jq -r '.Entrypoint[], .Cmd[]' <<<"$config")
    cmd=("${cmd[@]/0.0.0.0:8443/127.0.0.1:0}")
    chroot "$root" "${cmd[@]}" >"$WORK/image-ready" 2>"$WORK/image-log" &
    pid=$!
    PIDS+=("$pid")
    ready=$(wait_ready "$WORK/image-ready" 30) || { cat "$WORK/image-log" >&2; return 1; }
    local addr mac
    addr=$(jq -r .listen <<<"$ready")
    check "the ready line names the volume's files" jq -e '.tls_cert == "/lit/tls.cert" and .macaroon == "/lit/regtest/lit.macaroon"' <<<"$ready" >/dev/null
    mac=$(hex_of "$root/lit/regtest/lit.macaroon")
    check "a REST call to the chrooted binary" rest_features "$addr" "$root/lit/tls.cert" "$mac"
    check_journaled "its requests() entry" journaled "$addr" "$root/lit/tls.cert" "$mac" /litrpc.Autopilot/ListAutopilotFeatures rest
    kill -TERM "$pid"
    wait "$pid"
    check "SIGTERM: exit 0" test $? -eq 0
    for dev in "${bind_mounts[@]}"; do umount "$dev"; done
    "${podman[@]}" rmi -f localhost/autopilot-mock:test >/dev/null 2>&1
    return 0
}

# ------------------------------------------------------------------ action
part_action() {
    local gh="$WORK/gh" out env addr cert mac rc
    run_start() { # name args -> sources outputs into OUT_* variables
        mkdir -p "$gh/$1"
        : >"$gh/$1/output"
        : >"$gh/$1/env"
        GITHUB_OUTPUT="$gh/$1/output" GITHUB_ENV="$gh/$1/env" RUNNER_TEMP="$gh/$1" \
            INPUT_BINARY="$BIN" INPUT_ARGS="$2" bash "$ROOT/action/start.sh" >&2
    }
    output() { grep -m1 "^$2=" "$gh/$1/output" | cut -d= -f2-; }
    run_stop() { # name
        env GITHUB_OUTPUT="$gh/$1/output" "$(grep -m1 '^AUTOPILOT_MOCK_STATE_DIR=' "$gh/$1/env")" \
            bash "$ROOT/action/stop.sh" >&2
    }
    check "cache-key.sh: key and root" bash -c 'GITHUB_OUTPUT=$1 bash "$2/action/cache-key.sh" && grep -q "^key=autopilot-mock-" "$1" && grep -q "^root=" "$1"' \
        _ "$WORK/gh-key" "$ROOT"

    # A plain start: outputs, a real call, its record, a clean stop.
    run_start plain "--seed 1" || return 1
    addr=$(output plain listen) cert=$(output plain tls-cert) mac=$(output plain macaroon-hex)
    check "outputs: listen is a free port" grep -qE '^127\.0\.0\.1:[0-9]+$' <<<"$addr"
    check "outputs: macaroon-hex is the macaroon file" test "$mac" = "$(hex_of "$(output plain macaroon)")"
    check "outputs: lit-dir holds tls-cert" test "$(output plain lit-dir)/tls.cert" = "$cert"
    check "GITHUB_ENV: the state dir" grep -q '^AUTOPILOT_MOCK_STATE_DIR=' "$gh/plain/env"
    check "a REST call to the action's mock" rest_features "$addr" "$cert" "$mac"
    check_journaled "its requests() entry" journaled "$addr" "$cert" "$mac" /litrpc.Autopilot/ListAutopilotFeatures rest
    run_stop plain
    check "stop: exit 0" test $? -eq 0
    check "stop: the mock is gone" bash -c '! kill -0 "$1" 2>/dev/null' _ "$(output plain pid)"

    # --scenario that the client passes: the mock ends by itself, stop passes.
    cat >"$WORK/one-call.json" <<'JSON'
{"name": "one-call", "steps": [{"name": "features", "call": "ListAutopilotFeatures"}]}
JSON
    run_start pass "--scenario $WORK/one-call.json" || return 1
    rest_features "$(output pass listen)" "$(output pass tls-cert)" "$(output pass macaroon-hex)"
    run_stop pass
    rc=$?
    check "scenario passed: stop exits 0" test "$rc" -eq 0
    check "scenario passed: the verdict output" bash -c 'grep "^verdict=" "$1" | cut -d= -f2- | jq -e ".verdict == \"pass\"" >/dev/null' _ "$gh/pass/output"

    # --scenario that the client never follows: stop fails, with the verdict.
    run_start miss "--scenario $ROOT/scenarios/client/add-list-revoke.json" || return 1
    run_stop miss
    rc=$?
    check "scenario missed: stop exits 1" test "$rc" -eq 1
    check "scenario missed: the verdict output" bash -c 'grep "^verdict=" "$1" | cut -d= -f2- | jq -e ".verdict != \"pass\"" >/dev/null' _ "$gh/miss/output"

    # No binary: a clear error.
    out=$(GITHUB_OUTPUT=/dev/null GITHUB_ENV=/dev/null INPUT_BINARY=/nonexistent/autopilot-mock bash "$ROOT/action/start.sh" 2>&1)
    rc=$?
    check "start without a binary: exit 1 and why" bash -c '[[ $1 -eq 1 && $2 == *"/nonexistent/autopilot-mock"* ]]' _ "$rc" "$out"
    return 0
}

start_all=$SECONDS
for part in $ONLY; do
    started=$SECONDS
    passed=0 failed=0 ignored=0
    py_passed=0 py_failed=0 node_passed=0 node_failed=0 go_passed=0 go_failed=0
    log "---- $part"
    "part_$part"
    rc=$?
    case $part in
        python) passed=${py_passed:-0} failed=${py_failed:-0} ;;
        node) passed=${node_passed:-0} failed=${node_failed:-0} ;;
        go) passed=${go_passed:-0} failed=${go_failed:-0} ;;
    esac
    # A part that stopped early (a build or an install failed) counts once more.
    if [[ $rc -ne 0 && $failed -eq 0 ]]; then failed=1; fi
    report "$part" "$passed" "$failed" "$ignored" $((SECONDS - started))
done
log "packaging tests took $((SECONDS - start_all)) s"
[[ $failures -eq 0 ]]
