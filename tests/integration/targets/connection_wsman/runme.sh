#!/usr/bin/env bash
# The persistent wsman connection: one authentication for a whole run, a changed password or flag never reuses
# the old session, and the password stays out of -vvvv output and the persistent log.
set -eux

# shellcheck source=../setup_wsman_lab/lab.sh
source ../setup_wsman_lab/lab.sh
# shellcheck disable=SC2119  # start_lab takes wsman_lab.py options, not the script's arguments
start_lab
V6_HOST=''
if start_lab_ipv6; then
    # ansible_host is a bare IPv6 literal: the plugin must add the brackets when it builds the connection string
    V6_HOST="        lab_v6: {ansible_host: '::1', ansible_port: $LAB6_HTTP_PORT}"
else
    echo "no IPv6 loopback here: the [::1] host is left out"
fi

INVENTORY="$OUTPUT_DIR/connection_wsman_inventory.yml"
cat >"$INVENTORY" <<INV
all:
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    lab_http_port: $LAB_HTTP_PORT
    lab_password: '$LAB_PASSWORD'
  children:
    wsman:
      vars:
        ansible_connection: wsman.automation.wsman
        ansible_user: '$LAB_USERNAME'
        ansible_password: "{{ lab_password }}"
        ansible_wsman_flags: UseNegotiate|CredUsernamePassword
      hosts:
        lab:
          ansible_host: 127.0.0.1
          ansible_port: $LAB_HTTP_PORT
$V6_HOST
    local:
      hosts:
        localhost:
          ansible_connection: local
INV

# 1. Fifty wsman_get tasks in one run authenticate exactly once (the lab counts NTLM handshakes).
PLAYBOOK="$OUTPUT_DIR/fifty_gets.yml"
{
    echo '- hosts: lab'
    echo '  gather_facts: false'
    echo '  tasks:'
    for i in $(seq 1 50); do
        echo "    - name: get $i"
        echo '      wsman.automation.wsman_get:'
        echo '        resource_uri: wmicimv2/Win32_Service'
        echo '        selectors: {Name: WinRM}'
        echo "      register: got_$i"
    done
    echo '    - name: every Get returned the instance'
    echo '      assert:'
    echo '        that: lookup("vars", "got_" ~ item).instance.Name == "WinRM"'
    echo '        quiet: true'
    echo '      loop: "{{ range(1, 51) | list }}"'
} >"$PLAYBOOK"

auth_before="$(lab_stats authentications)"
conn_before="$(lab_stats connections)"
ansible-playbook -i "$INVENTORY" "$PLAYBOOK" "$@"
auth_after="$(lab_stats authentications)"
conn_after="$(lab_stats connections)"
echo "authentications: $auth_before -> $auth_after, connections: $conn_before -> $conn_after"
[ "$((auth_after - auth_before))" -eq 1 ]
[ "$((conn_after - conn_before))" -eq 1 ]

# 1b. An inventory host given as a bare IPv6 address.
if [ -n "$V6_HOST" ]; then
    ansible-playbook -i "$INVENTORY" ipv6.yml "$@"
fi

# 2. A changed password (or flag) for the same host builds a new session; the old one is never reused.
ansible-playbook -i "$INVENTORY" changed_options.yml "$@"

# 3. -vvvv output and the persistent log never show the password.
LOG="$OUTPUT_DIR/persistent.log"
rm -f "$LOG"
set +e
ANSIBLE_LOG_PATH="$LOG" ANSIBLE_PERSISTENT_LOG_MESSAGES=1 \
    ansible-playbook -vvvv -i "$INVENTORY" secrets.yml >"$OUTPUT_DIR/vvvv.txt" 2>&1
rc=$?
set -e
cat "$OUTPUT_DIR/vvvv.txt"
[ "$rc" -eq 0 ]
grep -q 'wsman_get' "$OUTPUT_DIR/vvvv.txt"
grep -q 'wsman connection to' "$LOG"   # the plugin's own redacted records reached the log
# ansible-connection's raw JSON-RPC log (its set_options request carries the password) stays off
if grep -q 'jsonrpc request' "$LOG"; then
    echo "ansible-connection logged raw JSON-RPC requests" >&2
    exit 1
fi
if grep -F "$LAB_PASSWORD" "$OUTPUT_DIR/vvvv.txt" "$LOG"; then
    echo "the password appeared in the -vvvv output or the persistent log" >&2
    exit 1
fi
for socket_path in "${ANSIBLE_PERSISTENT_CONTROL_PATH_DIR:-$HOME/.ansible/pc}"/*; do
    case "$socket_path" in
        *"$LAB_PASSWORD"*) echo "the password appeared in a control socket path" >&2; exit 1 ;;
    esac
done
