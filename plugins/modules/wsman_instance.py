#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wsman_instance
short_description: Make a WS-Management instance present with the given properties, or absent
version_added: 0.1.0
description:
  - Manages one instance idempotently with WS-Transfer Get, Put, Create and Delete (C(Session.Get), C(Put), C(Create)
    and C(Delete) of the Windows scripting API).
  - O(state=present) Gets the instance and compares O(properties) with it. When some differ, it Puts the whole
    instance with those properties changed (a Put of a WMI instance needs all the properties, as the Windows
    documentation of C(Session.Put) says); when none differ, it sends nothing more and reports no change. When the
    instance does not exist, it Creates it with O(properties).
  - Resources of the WinRM configuration (V(winrm/config/...)) get only the changed properties in the Put, as
    C(winrm set) sends them; that plug-in merges them and refuses keys and read-only settings in the body.
  - The body of a Put is named like the instance the Get returned (for example C(cfg:Service)); the body of a
    Create after the last segment of O(resource_uri), which must match the class in case, for example
    V(winrm/config/Listener).
  - O(state=absent) Deletes the instance if it exists.
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
  state:
    description:
      - V(present) makes the instance exist with O(properties); V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  properties:
    description:
      - The properties the instance must have, property name to value. Properties not listed keep their value.
      - Names are case-sensitive, as in WMI and in the XML of a Put; a name that differs from a property of the
        instance only in case fails the task with a message naming both spellings.
      - Values are compared as text, V(true) and V(True) as the same boolean; V(null) is C(xsi:nil), and an empty list
        matches a property the service leaves out (WS-Management does not send empty arrays). The diff and the result
        show them as the text the Put sends (V(120000) as V("120000")).
      - A name the instance does not have fails the task before anything is sent, for WMI instances and for the fixed
        sections of C(winrm/config) (their Get shows every property they can hold), with
        C(ERROR_WSMAN_INVALID_REPRESENTATION) (2150858773, 0x80338015), the error the service would answer, and the
        section that has it when there is one. Plug-in, certificate-mapping and other configuration resources with
        write-only settings (C(RunAsPassword), C(Password)) are not checked this way.
    type: dict
    default: {}
attributes:
  check_mode:
    support: full
    details:
      - Gets the instance and reports what would change, without Put, Create or Delete.
  diff_mode:
    support: full
    details:
      - Returns the instance before and after (the properties given, for an instance that would be created).
notes:
  - The instance is found by O(resource_uri) and O(selectors); an instance counts as absent when the Get fails with
    C(ERROR_WSMAN_RESOURCE_NOT_FOUND) (2150858752, 0x80338000), WMI's C(WBEM_E_NOT_FOUND) (0x80041002) or
    C(wsa:DestinationUnreachable); any other fault fails the task, also an invalid class (which Windows reports with the
    same code but with C(WBEM_E_INVALID_CLASS) from WMI).
  - O(fragment) is not supported; O(properties) already changes only the properties it names.
  - The Windows WMI plug-in can Create nothing but listeners; other resources (the C(winrm/config) tree, other
    services) support more.
seealso:
  - module: wsman.automation.wsman_get
  - module: wsman.automation.wsman_invoke
"""

EXAMPLES = r"""
# With the wsman connection plugin.
- name: Raise the envelope size of the WinRM service
  wsman.automation.wsman_instance:
    resource_uri: winrm/config
    properties:
      MaxEnvelopeSizekb: 500

- name: Allow Basic authentication on the service (check what would change first)
  wsman.automation.wsman_instance:
    resource_uri: winrm/config/service/auth
    properties:
      Basic: true
  check_mode: true
  diff: true

- name: An HTTPS listener on all addresses (Listener written as the class is named, for the Create body)
  wsman.automation.wsman_instance:
    resource_uri: winrm/config/Listener
    selectors:
      Address: '*'
      Transport: HTTPS
    properties:
      Hostname: server1.example.com
      CertificateThumbprint: 7b0cf48026409e38a2d6348761b1dd1271c4f86d

- name: No HTTP listener
  wsman.automation.wsman_instance:
    resource_uri: winrm/config/listener?Address=*+Transport=HTTP
    state: absent

# Any other connection: the module runs on the controller with its own session.
- name: Set the maximum operation timeout of server1 from the controller (MaxTimeoutms lives in winrm/config)
  wsman.automation.wsman_instance:
    connection: https://server1.example.com:5986/wsman
    flags: use_basic|cred_username_password
    username: Administrator
    password: "{{ vault_admin_password }}"
    ca_file: /etc/pki/example-ca.pem
    resource_uri: winrm/config
    properties:
      MaxTimeoutms: 120000
  delegate_to: localhost
"""

RETURN = r"""
instance:
  description:
    - The instance after the task (as the service returned it after a Put or a Create, or as it would be in check mode);
      an empty dictionary for O(state=absent).
  returned: success
  type: dict
  sample:
    MaxEnvelopeSizekb: '500'
    MaxTimeoutms: '60000'
changed_properties:
  description: The names of the properties that were (or in check mode would be) changed by a Put.
  returned: when a Put was needed
  type: list
  elements: str
  sample: [MaxEnvelopeSizekb]
created:
  description: What the service returned for a Create, usually the endpoint reference of the new instance.
  returned: when the instance was created
  type: raw
  sample:
    address: http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous
    resource_uri: http://schemas.microsoft.com/wbem/wsman/1/config/listener
    selectors:
      Address: '*'
      Transport: HTTPS
diff:
  description: The instance before and after, in diff mode.
  returned: diff mode
  type: dict
  contains:
    before:
      description: The instance before the task (empty if it did not exist).
      type: dict
      returned: diff mode
    after:
      description: The instance after the task (empty if it was deleted).
      type: dict
      returned: diff mode
xml:
  description: The XML of the instance as last received, when O(return_xml=true).
  returned: success, O(return_xml=true) and an instance was received
  type: str
"""

from ansible_collections.wsman.automation.plugins.module_utils._module_entry import run_module


def main():
    run_module('wsman_instance')


if __name__ == '__main__':
    main()
