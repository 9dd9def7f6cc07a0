#!/usr/bin/env bash
# Run the whole test suite once per backend, each in its own process (the backend
# is fixed when kiln is imported, so one process cannot test two backends).
# Goes on after a failing backend, prints a per-backend summary, then one plain
# line "N passed, N failed" summed over all backends; exits non-zero if any
# backend failed. Extra arguments are passed to pytest.
#
# Backends run in LANES parallel lanes (default 2, one per core of the CI machine;
# each pytest keeps OMP_NUM_THREADS=1): jax, the slowest suite, has a lane of its
# own and the others share the second. A backend's output is printed when it ends.
#
#   scripts/test_all_backends.sh                 # all four backends
#   LANES=1 BACKENDS="jax numpy" scripts/test_all_backends.sh -x tests/saving
set -uo pipefail

cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON=python3
BACKENDS="${BACKENDS:-jax torch tensorflow numpy}"
LANES="${LANES:-2}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"

total_passed=0
total_failed=0
any_failed=0
summary=()
logdir="$(mktemp -d)"
trap 'rm -rf "$logdir"' EXIT

# Pull "<n> <word>" out of pytest's last summary line, e.g. "3 failed, 10 passed in 1s".
count_of() {  # $1 = word, $2 = summary line
    local n
    n=$(printf '%s\n' "$2" | grep -oE "[0-9]+ $1" | head -n1 | grep -oE '^[0-9]+')
    echo "${n:-0}"
}

run_backend() {  # $1 = backend: runs its suite, output into $logdir/<backend>.log
    local backend="$1"
    KILN_BACKEND="$backend" "$PYTHON" -m pytest -q -p no:cacheprovider --junitxml="$logdir/$backend.xml" "${PYTEST_ARGS[@]}" \
        >"$logdir/$backend.log" 2>&1
    echo $? >"$logdir/$backend.rc"
    echo "================ KILN_BACKEND=$backend ================"
    cat "$logdir/$backend.log"
}

PYTEST_ARGS=("$@")
installed=()
for backend in $BACKENDS; do
    if "$PYTHON" -c "import $backend" >/dev/null 2>&1; then  # a backend's framework has the backend's name
        installed+=("$backend")
    else
        summary+=("$(printf '%-11s skipped (%s is not installed)' "$backend" "$backend")")
    fi
done

if [ "$LANES" -ge 2 ] && [ "${#installed[@]}" -ge 2 ]; then
    # Lane 1: the first backend (jax by default); lane 2: the rest, one after another.
    run_backend "${installed[0]}" &
    lane1=$!
    for backend in "${installed[@]:1}"; do run_backend "$backend"; done
    wait "$lane1"
else
    for backend in "${installed[@]}"; do run_backend "$backend"; done
fi

for backend in "${installed[@]}"; do
    log="$logdir/$backend.log"
    xml="$logdir/$backend.xml"
    rc=$(cat "$logdir/$backend.rc" 2>/dev/null || echo 1)
    # Counts come from the JUnit XML report (present whatever the verbosity);
    # pytest's last summary line is the fallback when it crashed before writing it.
    if counts=$("$PYTHON" - "$xml" 2>/dev/null <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
n = lambda key: sum(int(s.get(key, 0)) for s in suites)
print(n("tests") - n("failures") - n("errors") - n("skipped"), n("failures") + n("errors"), n("skipped"))
PY
    ); then
        read -r passed failed skipped <<<"$counts"
    else
        line=$(grep -E '[0-9]+ (passed|failed|error|errors|skipped|deselected)|no tests ran' "$log" | tail -n1)
        passed=$(count_of passed "$line")
        failed=$(( $(count_of failed "$line") + $(count_of error "$line") + $(count_of errors "$line") ))
        skipped=$(count_of skipped "$line")
    fi
    # rc 5 = no tests collected: not a failure. Any other non-zero rc is, even when
    # pytest printed no count (a crash or an import error at collection).
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 5 ]; then
        any_failed=1
        [ "$failed" -eq 0 ] && failed=1
        status="FAILED (pytest exit $rc)"
    else
        status="ok"
    fi
    total_passed=$(( total_passed + passed ))
    total_failed=$(( total_failed + failed ))
    summary+=("$(printf '%-11s %-24s %5d passed, %4d failed, %4d skipped' "$backend" "$status" "$passed" "$failed" "$skipped")")
done

echo
echo "================ summary per backend ================"
for s in "${summary[@]}"; do echo "$s"; done
echo "$total_passed passed, $total_failed failed"
exit "$any_failed"
