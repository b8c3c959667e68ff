#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wsman_invoke
short_description: Invoke a method of a WS-Management resource
version_added: 0.1.0
description:
  - Invokes a method (a custom action) on a resource, as C(Session.Invoke) of the Windows scripting API and
    C(winrm invoke) do, for example C(StopService) of a C(Win32_Service) instance or C(Create) of C(Win32_Process),
    and returns the method's output.
  - The input parameters are sent as the C(<Method>_INPUT) element in the namespace of the resource URI.
  - With the P(wsman.automation.wsman#connection) connection the host's session is used; with any other connection
    (C(delegate_to) V(localhost), ad-hoc commands) the module builds a session from its session options.
author:
  - wsman.automation developers (@wsman-automation)
extends_documentation_fragment:
  - wsman.automation.session
  - wsman.automation.resource
  - wsman.automation.return_xml
  - wsman.automation.attributes
options:
  action:
    description:
      - The method, either its name (V(StopService)), which is sent as the action URI
        C(<resource URI>/<method>), or a full action URI.
      - Method names are case-sensitive and must match the class.
    type: str
    required: true
  parameters:
    description:
      - The input parameters of the method, parameter name to value.
      - Values are sent as text (V(true)/V(false) for booleans), lists as repeated elements, and a dictionary with the
        keys C(address) (optional), C(resource_uri) and C(selectors) as an endpoint reference (a reference to another
        instance). See the examples.
    type: dict
    default: {}
attributes:
  check_mode:
    support: partial
    details:
      - In check mode the method is not invoked; the task is reported skipped, because whether a method changes
        anything cannot be known without running it.
  diff_mode:
    support: none
notes:
  - "The task reports RV(ignore:changed) whenever the method ran, whatever it did; use C(changed_when) with
    RV(output), for example C(changed_when: result.output.ReturnValue == '0')."
  - A method that fails with a return value (WMI methods report errors through C(ReturnValue)) does not fail the
    task; check RV(output). A WS-Management fault does.
seealso:
  - module: wsman.automation.wsman_instance
"""

EXAMPLES = r"""
# With the wsman connection plugin.
- name: Stop the print spooler
  wsman.automation.wsman_invoke:
    resource_uri: wmicimv2/Win32_Service
    selectors:
      Name: Spooler
    action: StopService
  register: stop
  changed_when: stop.output.ReturnValue == '0'
  failed_when: stop.output.ReturnValue not in ['0', '5']

- name: Start a process
  wsman.automation.wsman_invoke:
    resource_uri: wmicimv2/Win32_Process
    action: Create
    parameters:
      CommandLine: notepad.exe
  register: process

- name: Show the new process id
  ansible.builtin.debug:
    msg: "{{ process.output.ProcessId }}"

# Any other connection: the module runs on the controller with its own session.
- name: Stop the print spooler of server1 from the controller
  wsman.automation.wsman_invoke:
    connection: https://server1.example.com:5986/wsman
    flags: use_basic|cred_username_password
    username: Administrator
    password: "{{ vault_admin_password }}"
    ca_file: /etc/pki/example-ca.pem
    resource_uri: wmicimv2/Win32_Service
    selectors:
      Name: Spooler
    action: StopService
  delegate_to: localhost
"""

RETURN = r"""
output:
  description:
    - The output of the method (the C(<Method>_OUTPUT) element) as a dictionary, for example with C(ReturnValue) and
      the output parameters.
  returned: success and not in check mode
  type: dict
  sample:
    ReturnValue: '0'
    ProcessId: '4242'
xml:
  description: The XML of the method output as received, when O(return_xml=true).
  returned: success, not in check mode, and O(return_xml=true)
  type: str
"""

from ansible_collections.wsman.automation.plugins.module_utils._module_entry import run_module


def main():
    run_module('wsman_invoke')


if __name__ == '__main__':
    main()
