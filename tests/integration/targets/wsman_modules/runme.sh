#!/usr/bin/env bash
# Every wsman_* module against the lab endpoint, in both modes: on hosts with the wsman connection
# (the persistent session) and on localhost with the session given as module options; check and diff mode,
# idempotence of wsman_instance, every failure kind, and ad-hoc commands.
set -eux

# shellcheck source=../setup_wsman_lab/lab.sh
source ../setup_wsman_lab/lab.sh
# shellcheck disable=SC2119  # start_lab takes wsman_lab.py options, not the script's arguments
start_lab

INVENTORY="$OUTPUT_DIR/wsman_modules_inventory.yml"
cat >"$INVENTORY" <<INV
all:
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    lab_http_port: $LAB_HTTP_PORT
    lab_https_port: $LAB_HTTPS_PORT
    lab_closed_port: $LAB_CLOSED_PORT
    lab_ca_file: '$LAB_CA_FILE'
    lab_username: '$LAB_USERNAME'
    lab_password: '$LAB_PASSWORD'
  children:
    wsman:
      vars:
        ansible_connection: wsman.automation.wsman
        ansible_user: '$LAB_USERNAME'
        ansible_password: '$LAB_PASSWORD'
        ansible_wsman_flags: UseNegotiate|CredUsernamePassword
      hosts:
        lab_http:
          ansible_host: 127.0.0.1
          ansible_port: $LAB_HTTP_PORT
          lab_endpoint: http://127.0.0.1:$LAB_HTTP_PORT/wsman
        lab_https:
          ansible_wsman_connection: https://127.0.0.1:$LAB_HTTPS_PORT/wsman
          ansible_wsman_ca_file: '$LAB_CA_FILE'
          ansible_wsman_flags: [use_negotiate, cred_username_password]
          lab_endpoint: https://127.0.0.1:$LAB_HTTPS_PORT/wsman
    broken:
      vars:
        ansible_connection: wsman.automation.wsman
        ansible_user: '$LAB_USERNAME'
        ansible_password: '$LAB_PASSWORD'
      hosts:
        lab_bad_flags:  # same address, port and user as lab_http: the two share one connection process
          ansible_host: 127.0.0.1
          ansible_port: $LAB_HTTP_PORT
          ansible_user: '$LAB_USERNAME'
          ansible_wsman_flags: UseBasic|UseNegotiate|CredUsernamePassword
        lab_closed:
          ansible_host: 127.0.0.1
          ansible_port: $LAB_CLOSED_PORT
          ansible_wsman_flags: UseNegotiate|CredUsernamePassword
    local:
      hosts:
        localhost:
          ansible_connection: local
INV

# modules.yml runs from another directory: a relative dest lands in the playbook's directory, not the current one
workdir="$(mktemp -d "${OUTPUT_DIR:-/tmp}/cwd.XXXXXX")"
here="$(pwd)"
(cd "$workdir" && ansible-playbook -i "$INVENTORY" "$here/modules.yml" "$@")
[ -z "$(ls -A "$workdir")" ]
rmdir "$workdir"
ansible-playbook -i "$INVENTORY" failures.yml "$@"

# Ad-hoc commands, both modes.
out="$(ansible -i "$INVENTORY" lab_http -m wsman.automation.wsman_get \
    -a 'resource_uri=wmicimv2/Win32_Service selectors={"Name":"WinRM"}' "$@")"
echo "$out" | grep -q '"Name": "WinRM"'
echo "$out" | grep -q 'lab_http | SUCCESS'

out="$(ansible -i "$INVENTORY" localhost -m wsman.automation.wsman_get \
    -a "connection=http://127.0.0.1:$LAB_HTTP_PORT flags=UseNegotiate|CredUsernamePassword username=LAB01\\\\ansible password=$LAB_PASSWORD resource_uri=wmicimv2/Win32_Service selectors={\"Name\":\"WinRM\"}" "$@")"
echo "$out" | grep -q '"Name": "WinRM"'
echo "$out" | grep -q 'localhost | SUCCESS'
if echo "$out" | grep -qF "$LAB_PASSWORD"; then echo "the password leaked into the ad-hoc output" >&2; exit 1; fi

out="$(ansible -i "$INVENTORY" localhost -m wsman.automation.wsman_identify \
    -a "connection=http://127.0.0.1:$LAB_HTTP_PORT flags=UseNoAuthentication" "$@")"
echo "$out" | grep -q 'localhost | SUCCESS'

# An ad-hoc command against a closed port reports the host UNREACHABLE, naming the endpoint.
set +e
out="$(ansible -i "$INVENTORY" lab_closed -m wsman.automation.wsman_identify "$@" 2>&1)"
rc=$?
set -e
[ "$rc" -ne 0 ]
echo "$out" | grep -q 'lab_closed | UNREACHABLE!'
echo "$out" | grep -q "127.0.0.1:$LAB_CLOSED_PORT"
