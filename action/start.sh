#!/usr/bin/env bash
# The action's start step: runs `autopilot-mock serve` in the background,
# waits for its JSON ready line and writes the step outputs (listen, tls-cert,
# macaroon, macaroon-hex, lit-dir, pid) to GITHUB_OUTPUT, and
# AUTOPILOT_MOCK_STATE_DIR (for action/stop.sh) to GITHUB_ENV.
#
# Inputs (environment): INPUT_BINARY (the binary), INPUT_ARGS (extra serve
# arguments, split on whitespace), INPUT_LISTEN (default 127.0.0.1:0, a free
# port), INPUT_LIT_DIR (default: a fresh directory), INPUT_TIMEOUT (seconds to
# wait for the ready line, default 60).
set -euo pipefail

die() { echo "::error::autopilot-mock: $*"; exit 1; }
: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}" "${GITHUB_ENV:?GITHUB_ENV is not set}"
bin=${INPUT_BINARY:-$(command -v autopilot-mock || true)}
[[ -n $bin && -x $bin ]] || die "binary '${bin}' not found or not executable"
listen=${INPUT_LISTEN:-127.0.0.1:0}
timeout=${INPUT_TIMEOUT:-60}
state=$(mktemp -d "${RUNNER_TEMP:-${TMPDIR:-/tmp}}/autopilot-mock.XXXXXX")
lit_dir=${INPUT_LIT_DIR:-$state/lit}
read -r -a extra <<<"${INPUT_ARGS:-}"
scenario=false
for a in "${extra[@]}"; do
    [[ $a == --scenario || $a == --scenario=* ]] && scenario=true
done
echo "$scenario" >"$state/scenario"

# In its own session, so the step can end while the mock runs on; the wrapper
# keeps the mock's exit code for the stop step.
setsid nohup bash -c '"$@" >"$0/stdout" 2>"$0/stderr"; echo $? >"$0/exit-code"' \
    "$state" "$bin" serve --listen "$listen" --lit-dir "$lit_dir" "${extra[@]}" \
    </dev/null >/dev/null 2>&1 &

ready=
for _ in $(seq $((timeout * 10))); do
    if [[ -s $state/stdout ]] && ready=$(head -n 1 "$state/stdout") && [[ $(wc -l <"$state/stdout") -ge 1 ]]; then
        break
    fi
    if [[ -f $state/exit-code ]]; then
        cat "$state/stderr" >&2 || true
        die "serve exited (code $(cat "$state/exit-code")) before it was ready"
    fi
    ready=
    sleep 0.1
done
[[ -n $ready ]] || { cat "$state/stderr" >&2 || true; die "serve printed no ready line within ${timeout}s"; }

field() {
    if command -v jq >/dev/null; then
        jq -er --arg k "$1" '.[$k]' <<<"$ready"
    else
        python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$ready" "$1"
    fi
}
pid=$(field pid)
echo "$pid" >"$state/pid"
macaroon=$(field macaroon)
macaroon_hex=$(od -An -v -tx1 "$macaroon" | tr -d ' \n')
{
    echo "listen=$(field listen)"
    echo "tls-cert=$(field tls_cert)"
    echo "macaroon=$macaroon"
    echo "macaroon-hex=$macaroon_hex"
    echo "lit-dir=$(field lit_dir)"
    echo "pid=$pid"
} >>"$GITHUB_OUTPUT"
echo "AUTOPILOT_MOCK_STATE_DIR=$state" >>"$GITHUB_ENV"
echo "autopilot-mock serving on $(field listen) (pid $pid, lit dir $(field lit_dir))"
