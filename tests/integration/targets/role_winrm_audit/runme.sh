#!/usr/bin/env bash
# The role wsman.automation.winrm_audit against the lab endpoint, started with Basic allowed (as a host
# that fails the baseline): findings as data, winrm_audit_fail, check mode with diff (nothing changes), the
# refusal to switch off the run's own access, remediation, idempotence, and creating the HTTPS listener.
set -eux

# shellcheck source=../setup_wsman_lab/lab.sh
source ../setup_wsman_lab/lab.sh
start_lab --basic

INVENTORY="$OUTPUT_DIR/role_winrm_audit_inventory.yml"
cat >"$INVENTORY" <<INV
all:
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    report_dir: '$OUTPUT_DIR/audit'
  children:
    windows:
      vars:
        ansible_connection: wsman.automation.wsman
        ansible_user: '$LAB_USERNAME'
        ansible_password: '$LAB_PASSWORD'
      hosts:
        lab01:
          ansible_host: 127.0.0.1
          ansible_port: $LAB_HTTP_PORT
          ansible_wsman_flags: UseNegotiate|CredUsernamePassword
        lab01_basic:
          ansible_wsman_connection: https://127.0.0.1:$LAB_HTTPS_PORT/wsman
          ansible_wsman_ca_file: '$LAB_CA_FILE'
          ansible_user: '$LAB_USER'
          ansible_wsman_flags: use_basic|cred_username_password
INV
rm -rf "$OUTPUT_DIR/audit"

# Findings, winrm_audit_fail and the own-access guard first (Basic is still on), then the rest.
# Expected failures (block/rescue): the rescue's assertions decide, so their JUnit records go elsewhere.
JUNIT_OUTPUT_DIR="$OUTPUT_DIR/expected-failures" ansible-playbook -i "$INVENTORY" expected_failures.yml "$@"
ansible-playbook -i "$INVENTORY" audit.yml "$@"
