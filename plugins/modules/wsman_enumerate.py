#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wsman_enumerate
short_description: Enumerate the instances of a WS-Management resource (WQL, selector and association filters)
version_added: 0.1.0
description:
  - Enumerates a resource with WS-Enumeration Enumerate, Pull and Release, as C(Session.Enumerate) and the
    C(Enumerator) of the Windows scripting API and C(winrm enumerate) do, and returns the items as dictionaries.
  - Filters with WQL (V(SELECT * FROM Win32_Service WHERE State='Running')), with selectors, or by association
    (the instances associated with one instance).
  - Items are fetched O(batch_items) at a time; O(max_items) stops early and O(dest) streams the items to a file, so
    that enumerations of any size run in bounded memory. When the enumeration stops before its end (O(max_items), an
    error, a timeout), the module releases the enumeration context on the service.
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
options:
  filter:
    description:
      - The filter of the enumeration.
      - A string for the V(wql) dialect, for example V(SELECT Name,State FROM Win32_Service WHERE StartMode='Auto'); the
        O(resource_uri) must then end in C(/*), for example V(wmicimv2/*) (Windows answers
        C(ERROR_WSMAN_INVALID_URI_WMI_ENUM_WQL), 2150859003, otherwise).
      - A dictionary for the V(selector) dialect (selector name to value, for example C(State) V(Running)) and for the
        V(association) dialect (the keys C(Object), C(AssociationClassName), C(ResultClassName), C(Role) and
        C(ResultRole), C(Object) being a resource URI with selectors such as V(wmicimv2/Win32_Service?Name=WinRM), or a
        bare class name with selectors such as V(Win32_Service?Name=WinRM), a class in the namespace of O(resource_uri)).
      - For these two dialects the filter may also be a string written as C(winrm enumerate) takes it,
        V({State="Running"}) or V({Object=Win32_Service?Name=WinRM;ResultClassName=Win32_Service}); it sends the same
        request as the dictionary. A string that starts with C({) but is not such a hash fails before anything is sent.
      - Cannot be used together with O(selectors).
    type: raw
  dialect:
    description:
      - The filter dialect, V(wql), V(selector), V(association) or a dialect URI.
      - If not set and O(filter) is set, V(wql) for a string filter (as C(winrm enumerate) does) and V(selector) for a
        dictionary.
    type: str
  return_type:
    description:
      - What each item is. V(object), the instance. V(epr), an endpoint reference (address, resource URI and selectors)
        that another task can use as O(resource_uri) and O(selectors). V(object_and_epr), both.
    type: str
    choices: [object, epr, object_and_epr]
    default: object
  hierarchy:
    description:
      - V(deep) returns instances of the class and of derived classes with all their properties. V(shallow) returns
        only instances of the class itself, V(base_properties_only) derived instances with the properties of the class
        only.
      - The Windows WinRM service refuses V(shallow) and V(base_properties_only) with
        C(ERROR_WSMAN_POLYMORPHISM_MODE_UNSUPPORTED) (2150859063, 0x80338137); other services may support them.
    type: str
    choices: [deep, shallow, base_properties_only]
    default: deep
  associations:
    description:
      - With O(dialect=association), return the association instances (for example C(Win32_DependentService))
        instead of the associated instances (for example C(Win32_Service)), as the C(-associations) switch of
        C(winrm enumerate) does.
    type: bool
    default: false
  max_items:
    description:
      - Stop after this many items. The module then releases the enumeration context on the service, and
        RV(truncated) tells whether more items were available.
    type: int
  dest:
    description:
      - Write the items to this file, one JSON object per line (JSON Lines), instead of returning them.
      - A relative path is relative to the playbook's directory when the task uses the
        P(wsman.automation.wsman#connection) connection or runs on C(localhost) (the directory Ansible runs a module
        on C(localhost) in, and the one M(ansible.builtin.fetch) resolves its C(dest) against; for an ad-hoc command
        the C(--playbook-dir), else the current directory), else to the working directory of the module on the
        C(delegate_to) host. C(~) and environment variables are expanded; RV(dest) is the absolute path.
      - A path that ends with C(/) names a directory and is refused before anything is sent.
      - The result then has RV(count) and RV(dest) and no RV(items); memory use grows with O(batch_items), not with
        the number of items.
      - The file is written on the host that runs the module (the controller with the
        P(wsman.automation.wsman#connection) connection, else the C(delegate_to) host), with mode C(0600), through a
        temporary file in the same directory that replaces O(dest) only when the enumeration completed.
      - The result is RV(ignore:changed=true) when the file's content changed (a new file, or other items than the file
        held) and RV(ignore:changed=false) when O(dest) already held exactly these items; it is then left as it is (its
        mode and modification time too), as M(ansible.builtin.copy) does.
      - In check mode the enumeration runs and counts the items, but O(dest) is not written; RV(ignore:changed) tells
        whether writing it would change it (the items are compared with the existing file, whose content is read only
        when its size matches).
      - Cannot be used together with O(return_xml).
    type: path
notes:
  - O(batch_items) defaults to 100 items per Pull here, while C(Session.BatchItems) of Windows (and the library) defaults
    to 20. Windows caps a Pull at C(MaxBatchItems) (32000) and at the envelope size.
  - An enumeration that runs longer than the persistent command timeout of the
    P(wsman.automation.wsman#connection) connection needs a larger C(ansible_command_timeout); use O(dest) or
    O(max_items) for very large results.
seealso:
  - module: wsman.automation.wsman_get
"""

EXAMPLES = r"""
# With the wsman connection plugin.
- name: List all services
  wsman.automation.wsman_enumerate:
    resource_uri: wmicimv2/Win32_Service
  register: services

- name: Running services with a WQL filter
  wsman.automation.wsman_enumerate:
    resource_uri: wmicimv2/*
    filter: SELECT Name, State FROM Win32_Service WHERE State = 'Running'

- name: Stopped automatic services with a selector filter
  wsman.automation.wsman_enumerate:
    resource_uri: wmicimv2/Win32_Service
    dialect: selector
    filter:
      State: Stopped
      StartMode: Auto

- name: The services WinRM depends on (association traversal)
  wsman.automation.wsman_enumerate:
    resource_uri: wmicimv2/*
    dialect: association
    filter:
      Object: wmicimv2/Win32_Service?Name=WinRM
      AssociationClassName: Win32_DependentService
      ResultRole: Antecedent

- name: The same traversal, written as winrm enumerate takes it
  wsman.automation.wsman_enumerate:
    resource_uri: wmicimv2/*
    dialect: association
    filter: '{Object=Win32_Service?Name=WinRM;AssociationClassName=Win32_DependentService;ResultRole=Antecedent}'

- name: The listeners as endpoint references
  wsman.automation.wsman_enumerate:
    resource_uri: winrm/config/listener
    return_type: epr

- name: The first 10 processes only
  wsman.automation.wsman_enumerate:
    resource_uri: wmicimv2/Win32_Process
    max_items: 10

- name: Count the running services (write result['items'], not result.items, which is the dict method)
  ansible.builtin.debug:
    msg: "{{ services['items'] | selectattr('State', 'equalto', 'Running') | list | length }} of {{ services.count }}"

- name: Stream every installed update to a file (JSON Lines) in bounded memory; changed only if the file's content changed
  wsman.automation.wsman_enumerate:
    resource_uri: wmicimv2/Win32_QuickFixEngineering
    batch_items: 500
    dest: /var/tmp/{{ inventory_hostname }}-updates.jsonl

# Any other connection: the module runs on the controller with its own session.
- name: Enumerate the services of server1 from the controller
  wsman.automation.wsman_enumerate:
    connection: https://server1.example.com:5986/wsman
    flags: use_basic|cred_username_password
    username: Administrator
    password: "{{ vault_admin_password }}"
    ca_file: /etc/pki/example-ca.pem
    resource_uri: wmicimv2/Win32_Service
  delegate_to: localhost

# Ad-hoc:
#   ansible localhost -m wsman.automation.wsman_enumerate \
#     -a 'connection=https://server1.example.com:5986/wsman flags=use_basic|cred_username_password username=Administrator
#         password={{ pw }} ca_file=/etc/pki/example-ca.pem resource_uri=wmicimv2/Win32_Service max_items=5'
"""

RETURN = r"""
items:
  description:
    - The items, in the order the service sent them.
    - In Jinja write C(result['items']), not C(result.items), which is the C(items) method of the result dictionary
      (C(result.items | length) fails with C(object of type 'method' has no len())).
    - For O(return_type=object) each item is an instance (see RV(wsman.automation.wsman_get#module:instance)); for
      V(epr) an endpoint reference with C(address), C(resource_uri) and C(selectors); for V(object_and_epr) a
      dictionary with C(object) and C(epr).
  returned: success and O(dest) is not set
  type: list
  elements: dict
  sample:
    - Name: WinRM
      State: Running
    - Name: W32Time
      State: Running
count:
  description: The number of items enumerated (returned or written to O(dest)).
  returned: success
  type: int
  sample: 2
truncated:
  description: Whether the enumeration stopped at O(max_items) while the service had more items.
  returned: success and O(max_items) is set
  type: bool
  sample: false
dest:
  description: The absolute path of the file the items were written to.
  returned: success and O(dest) is set
  type: str
  sample: /var/tmp/server1-updates.jsonl
xml:
  description: The XML of each item as received, when O(return_xml=true).
  returned: success and O(return_xml=true)
  type: list
  elements: str
"""

from ansible_collections.wsman.automation.plugins.module_utils._module_entry import run_module


def main():
    run_module('wsman_enumerate')


if __name__ == '__main__':
    main()
