# shellcheck shell=bash
# Shared helpers for the integration targets: start the WS-Management lab endpoint on free loopback ports and
# stop it when the target's runme.sh exits. Source it from runme.sh:
#     source ../setup_wsman_lab/lab.sh
#     start_lab                # extra wsman_lab.py arguments may follow
# It exports LAB_HTTP_PORT, LAB_HTTPS_PORT, LAB_CA_FILE, LAB_DIR, LAB_USER, LAB_USERNAME, LAB_PASSWORD,
# LAB_CLOSED_PORT (a loopback port nothing listens on) and WSMAN_COLLECTION_ROOT; start_lab_ipv6 adds a second
# lab on [::1] (LAB6_HTTP_PORT). Every lab stops when runme.sh exits.

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

lab_port() {  # lab_port PORTFILE http|https  -- read a port from a lab's port file (JSON)
    "$LAB_PYTHON" - "$1" "$2" <<'PY'
import json, sys
with open(sys.argv[1]) as handle:
    data = json.load(handle)
print(int(data[sys.argv[2] + '_port']))
PY
}

free_port() {
    "$LAB_PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

LAB_PIDS=()

stop_lab() {  # stop every lab this script started
    local pid
    for pid in "${LAB_PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    LAB_PIDS=()
}

lab_stats() {  # lab_stats [counter]  -- print the counters of the first lab (JSON), or one counter
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

launch_lab() {  # launch_lab DIR wsman_lab.py-options...  -- start one lab, wait for DIR/ports
    local dir="$1" tries=0 pid
    shift
    "$LAB_PYTHON" "$WSMAN_COLLECTION_ROOT/tests/lab/wsman_lab.py" \
        --user "$LAB_USER:$LAB_PASSWORD" --computer-name LAB01 --port-file "$dir/ports" \
        --stats-file "$dir/stats.json" --quiet --max-runtime 900 "$@" >"$dir/lab.log" 2>&1 &
    pid=$!
    LAB_PIDS+=("$pid")
    trap stop_lab EXIT
    until [ -s "$dir/ports" ] && lab_port "$dir/ports" http >/dev/null 2>&1; do
        tries=$((tries + 1))
        if [ "$tries" -gt 150 ] || ! kill -0 "$pid" 2>/dev/null; then
            echo "the lab endpoint did not start; its log:" >&2
            cat "$dir/lab.log" >&2
            return 1
        fi
        sleep 0.2
    done
}

start_lab() {  # start_lab [wsman_lab.py options]  -- the lab on 127.0.0.1, HTTP and HTTPS
    WSMAN_COLLECTION_ROOT="$(wsman_collection_root)"
    LAB_DIR="$(mktemp -d "${OUTPUT_DIR:-/tmp}/wsman-lab.XXXXXX")"
    LAB_CA_FILE="$LAB_DIR/ca.pem"
    launch_lab "$LAB_DIR" --bind 127.0.0.1 --http-port 0 --https-port 0 --ca-file "$LAB_CA_FILE" "$@"
    LAB_HTTP_PORT="$(lab_port "$LAB_DIR/ports" http)"
    LAB_HTTPS_PORT="$(lab_port "$LAB_DIR/ports" https)"
    LAB_CLOSED_PORT="$(free_port)"
    export WSMAN_COLLECTION_ROOT LAB_DIR LAB_CA_FILE LAB_HTTP_PORT LAB_HTTPS_PORT LAB_CLOSED_PORT
}

start_lab_ipv6() {  # start_lab_ipv6  -- a second lab on [::1] (HTTP only); returns 1 when IPv6 loopback is missing
    "$LAB_PYTHON" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null || return 1
    WSMAN_COLLECTION_ROOT="$(wsman_collection_root)"
    LAB6_DIR="$(mktemp -d "${OUTPUT_DIR:-/tmp}/wsman-lab6.XXXXXX")"
    launch_lab "$LAB6_DIR" --bind ::1 --http-port 0 --https-port -1
    LAB6_HTTP_PORT="$(lab_port "$LAB6_DIR/ports" http)"
    export LAB6_DIR LAB6_HTTP_PORT
}
