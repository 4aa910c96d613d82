#!/usr/bin/env bash
# The stop step (the `stop` sub-action): SIGTERM to the mock action/start.sh
# started (in-flight calls finish), its log, and with --scenario the verdict:
# printed, written as the `verdict` output, and the step fails unless the
# client passed. Without --scenario it fails only if the mock did not exit 0.
set -euo pipefail

state=${AUTOPILOT_MOCK_STATE_DIR:-}
[[ -n $state && -d $state ]] || { echo "::error::autopilot-mock: no mock was started in this job (AUTOPILOT_MOCK_STATE_DIR is not set)"; exit 1; }
pid=$(cat "$state/pid")
scenario=$(cat "$state/scenario")

if [[ ! -f $state/exit-code ]]; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 300); do
        [[ -f $state/exit-code ]] && break
        sleep 0.1
    done
    if [[ ! -f $state/exit-code ]]; then
        echo "::warning::autopilot-mock: pid $pid did not stop within 30 s; killing it"
        kill -KILL "$pid" 2>/dev/null || true
        for _ in $(seq 50); do [[ -f $state/exit-code ]] && break; sleep 0.1; done
    fi
fi
code=$(cat "$state/exit-code" 2>/dev/null || echo 1)

echo "::group::autopilot-mock log"
cat "$state/stderr" || true
echo "::endgroup::"

if [[ $scenario == true ]]; then
    verdict=$(sed -n '2,$p' "$state/stdout" | tail -n 1)
    echo "verdict: ${verdict:-(none)}"
    [[ -n ${GITHUB_OUTPUT:-} ]] && echo "verdict=$verdict" >>"$GITHUB_OUTPUT"
    if [[ $code -ne 0 ]]; then
        echo "::error::autopilot-mock: the client did not pass the scenario (exit $code): $verdict"
    fi
fi
[[ $code -eq 0 ]] || echo "autopilot-mock exited with $code"
exit "$code"
