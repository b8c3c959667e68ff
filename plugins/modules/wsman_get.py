#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wsman_get
short_description: Get one instance of a WS-Management resource
version_added: 0.1.0
description:
  - Sends a WS-Transfer Get for one resource, as C(Session.Get) of the Windows scripting API and
    C(winrm get) do, and returns the instance as a dictionary.
  - Works with Windows WinRM (WMI classes, the C(winrm/config) tree) and other WS-Management services.
  - With the P(wsman.automation.wsman#connection) connection the host's session is used; with any other connection
    (C(delegate_to) V(localhost), ad-hoc commands) the module builds a session from its session options.
author:
  - wsman.automation developers (@wsman-automation)
extends_documentation_fragment:
  - wsman.automation.session
  - wsman.automation.resource
  - wsman.automation.return_xml
  - wsman.automation.attributes
  - wsman.automation.attributes.read_only
notes:
  - A class that is not a singleton needs all its key selectors, otherwise Windows answers
    C(ERROR_WSMAN_INVALID_URI_WMI_SINGLETON) (2150859002, 0x803380FA). Only singleton classes such as
    C(Win32_LocalTime) take none. C(Win32_OperatingSystem) is not a singleton (its key C(Name) is a long,
    machine-specific string, the caption, Windows directory and boot partition joined by C(|)); read it with
    M(wsman.automation.wsman_enumerate), which returns its one instance without selectors.
  - A WS-Management fault fails the task with RV(ignore:msg) naming the endpoint, the fault code and the reason, and the
    fault as RV(ignore:wsman_fault). A host that cannot be reached is reported unreachable when the task runs over the
    P(wsman.automation.wsman#connection) connection.
seealso:
  - module: wsman.automation.wsman_enumerate
  - module: wsman.automation.wsman_instance
"""

EXAMPLES = r"""
# With the wsman connection plugin: the inventory host is the WS-Management endpoint.
- name: Get the WinRM service
  wsman.automation.wsman_get:
    resource_uri: wmicimv2/Win32_Service
    selectors:
      Name: WinRM
  register: winrm_service

- name: Show its state
  ansible.builtin.debug:
    msg: "{{ winrm_service.instance.State }}"

- name: Get the HTTP listener (selectors in the URI, as in winrm.cmd)
  wsman.automation.wsman_get:
    resource_uri: winrm/config/listener?Address=*+Transport=HTTP

- name: Read one property through a fragment path
  wsman.automation.wsman_get:
    resource_uri: wmicimv2/Win32_Service
    selectors:
      Name: WinRM
    fragment: State
  register: winrm_state  # winrm_state.instance is {"State": "Running"}

- name: Read the text of one property (a fragment ending in text())
  wsman.automation.wsman_get:
    resource_uri: wmicimv2/Win32_Service?Name=WinRM
    fragment: State/text()
  register: winrm_state_text  # winrm_state_text.value is "Running"

- name: Get a singleton class, which takes no selectors
  wsman.automation.wsman_get:
    resource_uri: wmicimv2/Win32_LocalTime

# Any other connection: the module runs on the controller and builds its own session.
- name: Get the WinRM service of server1 from the controller
  wsman.automation.wsman_get:
    connection: https://server1.example.com:5986/wsman
    flags: use_basic|cred_username_password
    username: Administrator
    password: "{{ vault_admin_password }}"
    ca_file: /etc/pki/example-ca.pem
    resource_uri: wmicimv2/Win32_Service
    selectors:
      Name: WinRM
  delegate_to: localhost

- name: Set the session options once for a block of tasks
  module_defaults:
    group/wsman.automation.wsman:
      connection: https://server1.example.com:5986/wsman
      flags: use_basic|cred_username_password
      username: Administrator
      password: "{{ vault_admin_password }}"
      ca_file: /etc/pki/example-ca.pem
  delegate_to: localhost
  block:
    - name: Get the configuration of the WinRM service
      wsman.automation.wsman_get:
        resource_uri: winrm/config/service
      register: service_config

# Ad-hoc, from the command line:
#   ansible localhost -m wsman.automation.wsman_get \
#     -a 'connection=https://server1.example.com:5986/wsman flags=use_basic|cred_username_password username=Administrator
#         password={{ pw }} ca_file=/etc/pki/example-ca.pem resource_uri=wmicimv2/Win32_Service?Name=WinRM'
"""

RETURN = r"""
instance:
  description:
    - The instance, one key per property (local names, without namespace prefixes).
    - Values are text as sent by the service; C(xsi:nil) is V(null), repeated elements are lists, embedded instances
      and endpoint references are dictionaries.
    - With O(fragment), the selected part of the instance (an empty dictionary for a fragment ending in C(text()), see
      RV(value)).
  returned: success
  type: dict
  sample:
    Name: WinRM
    State: Running
    StartMode: Auto
    ProcessId: '1234'
    Description: null
value:
  description: The text selected by a O(fragment) ending in C(text()), for example V(Status/text()).
  returned: success and O(fragment) ends in C(text())
  type: str
  sample: Running
xml:
  description: The XML of the instance as received, when O(return_xml=true).
  returned: success and O(return_xml=true)
  type: str
  sample: '<p:Win32_Service xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service">...</p:Win32_Service>'
"""

from ansible_collections.wsman.automation.plugins.module_utils._module_entry import run_module


def main():
    run_module('wsman_get')


if __name__ == '__main__':
    main()
