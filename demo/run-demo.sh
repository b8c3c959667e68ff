#!/usr/bin/env bash
# `make demo`: build and install the collection, start the lab endpoint on free loopback ports, run
# demo/playbook.yml against it over NTLM with message encryption, print a short summary, stop the lab.
#
#   demo/run-demo.sh [COLLECTION_DIR]     (default: the repository; `make demo` passes its build copy)
#
# Everything it writes goes to demo-output/ (or $DEMO_OUTPUT): the built tarball and the installed
# collection, the lab's CA, ports, counters and request log, the inventory, the playbook's output,
# the inventory report (report/index.html) and the audit findings.  Each run starts afresh.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
COLLECTION="$(cd "${1:-$REPO}" && pwd -P)"
OUT="${DEMO_OUTPUT:-$REPO/demo-output}"
PYTHON="${PYTHON:-python3}"
LAB_PID=''

stop_lab() {
    if [ -n "$LAB_PID" ] && kill -0 "$LAB_PID" 2>/dev/null; then
        kill "$LAB_PID" 2>/dev/null || true
        wait "$LAB_PID" 2>/dev/null || true
        echo "lab endpoint stopped"
    fi
    LAB_PID=''
}
trap stop_lab EXIT
trap 'exit 130' INT TERM

rm -rf "$OUT"
mkdir -p "$OUT/lab"
OUT="$(cd "$OUT" && pwd -P)"

echo "== 1/4 build and install the collection"
ansible-galaxy collection build --force --output-path "$OUT/dist" "$COLLECTION" >"$OUT/build.log"
ansible-galaxy collection install --offline --force -p "$OUT/collections" "$OUT"/dist/wsman-automation-*.tar.gz \
    >>"$OUT/build.log" 2>&1
echo "installed $(basename "$OUT"/dist/wsman-automation-*.tar.gz) into $OUT/collections"

echo "== 2/4 start the lab endpoint (a local WS-Management service that answers as Windows WinRM)"
# A password of its own for every run; it stays in files only its owner can read.
(
    umask 077
    password="$("$PYTHON" -c 'import secrets; print(secrets.token_urlsafe(18))')"
    printf 'demo:%s\n' "$password" >"$OUT/lab/users"
    printf "demo_password: '%s'\n" "$password" >"$OUT/secrets.yml"
)
# --basic: the lab starts with Basic allowed, a setting the audit role reports and fixes.
"$PYTHON" "$REPO/tests/lab/wsman_lab.py" --bind 127.0.0.1 --http-port 0 --https-port 0 \
    --users-file "$OUT/lab/users" --computer-name LAB01 --basic \
    --port-file "$OUT/lab/ports.json" --ca-file "$OUT/lab/ca.pem" --stats-file "$OUT/lab/stats.json" \
    --log-file "$OUT/lab/requests.log" --max-runtime 1800 >"$OUT/lab/lab.out" 2>&1 &
LAB_PID=$!
tries=0
until [ -s "$OUT/lab/ports.json" ]; do
    tries=$((tries + 1))
    if [ "$tries" -gt 150 ] || ! kill -0 "$LAB_PID" 2>/dev/null; then
        echo "the lab endpoint did not start:" >&2
        cat "$OUT/lab/lab.out" "$OUT/lab/requests.log" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 0.2
done
lab_value() { "$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$OUT/lab/ports.json" "$1"; }
LAB_HTTP_PORT="$(lab_value http_port)"
LAB_HTTP_URL="$(lab_value http_url)"
LAB_HTTPS_URL="$(lab_value https_url)"
LAB_CA_FILE="$OUT/lab/ca.pem"
echo "listening on $LAB_HTTP_URL and $LAB_HTTPS_URL (pid $LAB_PID)"

# The inventory from its template (demo/inventory.template.yml): only the lab's ports and paths go in.
DEMO_OUTPUT="$OUT" LAB_HTTP_PORT="$LAB_HTTP_PORT" LAB_HTTPS_URL="$LAB_HTTPS_URL" LAB_CA_FILE="$LAB_CA_FILE" \
    "$PYTHON" - "$REPO/demo/inventory.template.yml" "$OUT/inventory.yml" <<'PY'
import os, string, sys
with open(sys.argv[1], encoding="utf-8") as template:
    text = string.Template(template.read()).substitute(
        {name: os.environ[name] for name in ("DEMO_OUTPUT", "LAB_HTTP_PORT", "LAB_HTTPS_URL", "LAB_CA_FILE")})
with open(sys.argv[2], "w", encoding="utf-8") as inventory:
    inventory.write(text)
PY

echo "== 3/4 run demo/playbook.yml against the lab (NTLM, message encryption over HTTP)"
export ANSIBLE_COLLECTIONS_PATH="$OUT/collections"   # the installed build, not the source tree
export ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false
export ANSIBLE_RETRY_FILES_ENABLED=false
ansible-playbook -i "$OUT/inventory.yml" -e "@$OUT/secrets.yml" "$REPO/demo/playbook.yml" 2>&1 | tee "$OUT/playbook.log"

echo "== 4/4 summary"
"$PYTHON" "$REPO/demo/summary.py" "$OUT" "$LAB_HTTP_URL"
