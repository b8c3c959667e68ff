# shellcheck shell=bash
# Shared helpers for the integration targets: start the WS-Management lab endpoint on free loopback ports and
# stop it when the target's runme.sh exits. Source it from runme.sh:
#     source ../setup_wsman_lab/lab.sh
#     start_lab                # extra wsman_lab.py arguments may follow
# It exports LAB_HTTP_PORT, LAB_HTTPS_PORT, LAB_CA_FILE, LAB_DIR, LAB_USER, LAB_USERNAME, LAB_PASSWORD,
# LAB_CLOSED_PORT (a loopback port nothing listens on) and WSMAN_COLLECTION_ROOT.

LAB_USER='ansible'
LAB_USERNAME='LAB01\ansible'
LAB_PASSWORD='Passw0rd!'
LAB_PYTHON="${ANSIBLE_TEST_PYTHON_INTERPRETER:-python3}"
export LAB_USER LAB_USERNAME LAB_PASSWORD

# ansible-test runs each target from a copy of it under <collection>/tests/output/.tmp/integration/, so the
# collection root (with tests/lab) is found by walking up; the collections path is the fallback.
wsman_collection_root() {
    local dir entry
    dir="$(pwd -P)"
    while [ "$dir" != "/" ]; do
        if [ -f "$dir/galaxy.yml" ] && [ -f "$dir/tests/lab/wsman_lab.py" ]; then
            echo "$dir"
            return 0
        fi
        dir="$(dirname "$dir")"
    done
    local IFS=':'
    for entry in ${ANSIBLE_COLLECTIONS_PATH:-} ${ANSIBLE_COLLECTIONS_PATHS:-}; do
        if [ -f "$entry/ansible_collections/wsman/automation/tests/lab/wsman_lab.py" ]; then
            echo "$entry/ansible_collections/wsman/automation"
            return 0
        fi
    done
    echo "cannot find the collection root (tests/lab/wsman_lab.py) above $(pwd -P)" >&2
    return 1
}

lab_port() {  # lab_port http|https  -- read a port from the lab's port file (JSON or key=value lines)
    "$LAB_PYTHON" - "$LAB_DIR/ports" "$1" <<'PY'
import json, sys
text = open(sys.argv[1]).read()
key = sys.argv[2]
try:
    data = json.loads(text)
except ValueError:
    data = dict(line.split('=', 1) for line in text.split() if '=' in line)
value = data.get(key) or data.get(key + '_port')
print(int(value))
PY
}

free_port() {
    "$LAB_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

stop_lab() {
    if [ -n "${LAB_PID:-}" ] && kill -0 "$LAB_PID" 2>/dev/null; then
        kill "$LAB_PID" 2>/dev/null || true
        wait "$LAB_PID" 2>/dev/null || true
    fi
    LAB_PID=''
}

lab_stats() {  # lab_stats [counter]  -- print the lab's counters (JSON), or one counter
    "$LAB_PYTHON" - "http://127.0.0.1:$LAB_HTTP_PORT/lab/stats" "${1:-}" <<'PY'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=10) as response:
    data = json.load(response)
if sys.argv[2]:
    print(data.get(sys.argv[2], 0))
else:
    print(json.dumps(data, sort_keys=True))
PY
}

start_lab() {
    WSMAN_COLLECTION_ROOT="$(wsman_collection_root)"
    LAB_DIR="$(mktemp -d "${OUTPUT_DIR:-/tmp}/wsman-lab.XXXXXX")"
    LAB_CA_FILE="$LAB_DIR/ca.pem"
    "$LAB_PYTHON" "$WSMAN_COLLECTION_ROOT/tests/lab/wsman_lab.py" \
        --bind 127.0.0.1 --http-port 0 --https-port 0 \
        --user "$LAB_USER:$LAB_PASSWORD" --computer-name LAB01 \
        --port-file "$LAB_DIR/ports" --ca-file "$LAB_CA_FILE" --stats-file "$LAB_DIR/stats.json" \
        --quiet --max-runtime 900 "$@" >"$LAB_DIR/lab.log" 2>&1 &
    LAB_PID=$!
    trap stop_lab EXIT
    local tries=0
    until [ -s "$LAB_DIR/ports" ] && lab_port http >/dev/null 2>&1 && lab_port https >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ "$tries" -gt 150 ] || ! kill -0 "$LAB_PID" 2>/dev/null; then
            echo "the lab endpoint did not start; its log:" >&2
            cat "$LAB_DIR/lab.log" >&2
            return 1
        fi
        sleep 0.2
    done
    LAB_HTTP_PORT="$(lab_port http)"
    LAB_HTTPS_PORT="$(lab_port https)"
    LAB_CLOSED_PORT="$(free_port)"
    export WSMAN_COLLECTION_ROOT LAB_DIR LAB_CA_FILE LAB_HTTP_PORT LAB_HTTPS_PORT LAB_CLOSED_PORT
}
