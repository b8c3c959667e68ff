# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The resource options (a ResourceLocator) of wsman_get, wsman_enumerate, wsman_invoke and
    # wsman_instance. Kept side by side with plugins/module_utils/_module_args.py
    # RESOURCE_ARGUMENT_SPEC: change both together (validate-modules compares them).

    DOCUMENTATION = r"""
options:
  resource_uri:
    description:
      - The resource URI, for example V(http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service).
      - The Windows aliases are expanded on the first path segment, case-insensitively V(wmi), V(wmicimv2),
        V(cimv2), V(winrm), V(wsman) and V(shell), for example V(wmicimv2/Win32_Service) or
        V(winrm/config/listener).
      - Selectors may follow a C(?) as in Windows, several joined by C(+), for example
        V(wmicimv2/Win32_Service?Name=WinRM) or V(winrm/config/listener?Address=*+Transport=HTTP).
    type: str
    required: true
    aliases: [uri]
  selectors:
    description:
      - Selectors (keys) that identify one instance, selector name to value, for example C(Name) V(WinRM). Added to
        those written in O(resource_uri).
      - Selector names are case-sensitive for most services; values are sent as text.
    type: dict
  option_set:
    description:
      - Provider-specific options sent in the C(wsman:OptionSet) header, as C(ResourceLocator.AddOption) does,
        for example C(__cimnamespace) V(root/cimv2).
    type: dict
  must_understand:
    description:
      - Mark the options of O(option_set) as C(mustUnderstand), so that a service that cannot honour them fails
        the request (C(ResourceLocator.MustUnderstandOptions)).
    type: bool
    default: false
  fragment:
    description:
      - A fragment path selecting one property or part of the instance (C(ResourceLocator.FragmentPath)), for
        example V(Name), V(Status/text()) or V(DNSServerSearchOrder[1]) (1-based). Case-sensitive.
      - Used by M(wsman.automation.wsman_get), which returns only the selected part. M(wsman.automation.wsman_enumerate)
        sends it with the Enumerate request, for services that enumerate fragments.
      - Meaningless for M(wsman.automation.wsman_invoke) (a method call has no fragment); leave it unset there, as it
        would be sent to the service with the Invoke request. M(wsman.automation.wsman_instance) refuses it.
    type: str
"""
