#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: wsman_identify
short_description: Ask a WS-Management service who it is (Identify)
version_added: 0.1.0
description:
  - Sends a WS-Management Identify request, as C(Session.Identify) of the Windows scripting API and C(winrm identify) do,
    and returns the protocol version, the vendor and the product version of the service.
  - With the C(UseNoAuthentication) flag the request is anonymous; Windows then withholds the version
    and reports zeroes in the product version.
  - With the P(wsman.automation.wsman#connection) connection the host's session is used; with any other connection
    (C(delegate_to) V(localhost), ad-hoc commands) the module builds a session from its session options.
author:
  - wsman.automation developers (@wsman-automation)
extends_documentation_fragment:
  - wsman.automation.session
  - wsman.automation.return_xml
  - wsman.automation.attributes
  - wsman.automation.attributes.read_only
notes:
  - Identify needs a remote session; with O(connection) set to an empty string (a local session) it fails with
    C(ERROR_WSMAN_NO_IDENTIFY_FOR_LOCAL_SESSION) (2150859004, 0x803380FC).
seealso:
  - module: wsman.automation.wsman_get
"""

EXAMPLES = r"""
# With the wsman connection plugin.
- name: Identify the service
  wsman.automation.wsman_identify:
  register: who

- name: Show the vendor
  ansible.builtin.debug:
    msg: "{{ who.identity.product_vendor }} {{ who.identity.product_version }}"

# Any other connection: an anonymous probe from the controller.
- name: Is WinRM listening on server1?
  wsman.automation.wsman_identify:
    connection: server1.example.com
    flags: use_no_authentication
  delegate_to: localhost

# Ad-hoc:
#   ansible localhost -m wsman.automation.wsman_identify \
#     -a 'connection=https://server1.example.com:5986/wsman flags=UseNoAuthentication ca_file=/etc/pki/example-ca.pem'
"""

RETURN = r"""
identity:
  description: The IdentifyResponse of the service.
  returned: success
  type: dict
  contains:
    protocol_version:
      description: The WS-Management protocol version URI.
      type: str
      returned: success
      sample: http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd
    product_vendor:
      description: The vendor of the service.
      type: str
      returned: success
      sample: Microsoft Corporation
    product_version:
      description: The product version; Windows withholds it (zeroes) for anonymous requests.
      type: str
      returned: success
      sample: 'OS: 10.0.20348 SP: 0.0 Stack: 3.0'
    security_profiles:
      description: The security profile URIs, when the service lists them.
      type: list
      elements: str
      returned: when the service sends C(SecurityProfiles)
      sample:
        - http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic
xml:
  description: The XML of the IdentifyResponse, when O(return_xml=true).
  returned: success and O(return_xml=true)
  type: str
"""

from ansible_collections.wsman.automation.plugins.module_utils._module_entry import run_module


def main():
    run_module('wsman_identify')


if __name__ == '__main__':
    main()
