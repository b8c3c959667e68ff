#!/usr/bin/env bash
# The role wsman.automation.inventory against the lab endpoint: the facts it sets, both report files, the
# index, custom property lists, the item limit (with its enumeration context released), HTML escaping of
# hostile values, and tasks_from: report.
set -eux

# shellcheck source=../setup_wsman_lab/lab.sh
source ../setup_wsman_lab/lab.sh
# shellcheck disable=SC2119  # start_lab takes wsman_lab.py options, not the script's arguments
start_lab

INVENTORY="$OUTPUT_DIR/role_inventory_inventory.yml"
cat >"$INVENTORY" <<INV
all:
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    report_dir: '$OUTPUT_DIR/reports'
  children:
    windows:
      vars:
        ansible_connection: wsman.automation.wsman
        ansible_user: '$LAB_USERNAME'
        ansible_password: '$LAB_PASSWORD'
        ansible_wsman_flags: UseNegotiate|CredUsernamePassword
      hosts:
        lab01:
          ansible_host: 127.0.0.1
          ansible_port: $LAB_HTTP_PORT
        'lab01/https':
          ansible_wsman_connection: https://127.0.0.1:$LAB_HTTPS_PORT/wsman
          ansible_wsman_ca_file: '$LAB_CA_FILE'
    local:
      hosts:
        localhost:
          ansible_connection: local
INV
rm -rf "$OUTPUT_DIR/reports"

ansible-playbook -i "$INVENTORY" inventory.yml "$@"

# The inventory_max_items run stopped the services enumeration early: its context was released at
# once (not left to expire), and no context is left open.
released="$(lab_stats enumeration_contexts_released)"
open_now="$(lab_stats enumeration_contexts_open)"
echo "enumeration contexts released: $released, still open: $open_now"
[ "$released" -ge 1 ]
[ "$open_now" -eq 0 ]

ansible-playbook -i "$INVENTORY" escaping.yml "$@"

# Expected failures (block/rescue): the rescue's assertions decide, so their JUnit records go elsewhere.
JUNIT_OUTPUT_DIR="$OUTPUT_DIR/expected-failures" ansible-playbook -i "$INVENTORY" missing_fact.yml "$@"
