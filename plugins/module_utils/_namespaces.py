# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""XML namespaces, action URIs, filter dialects and resource-URI aliases of WS-Management.

Every URI here is the ``http://`` form (createsession-facts.md §0: the current Microsoft pages
wrongly show ``https://`` for DMTF, xmlsoap and w3 URIs).
"""

from __future__ import annotations

# prefix -> namespace URI. Prefixes are only used when *writing* XML; responses are always read
# by namespace URI, never by prefix.
NS = {
    's': 'http://www.w3.org/2003/05/soap-envelope',
    'a': 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
    'n': 'http://schemas.xmlsoap.org/ws/2004/09/enumeration',
    't': 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
    'w': 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
    'p': 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
    'b': 'http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd',
    'f': 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
    'wsmid': 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd',
    'xsi': 'http://www.w3.org/2001/XMLSchema-instance',
    'cim': 'http://schemas.dmtf.org/wbem/wsman/1/base',
    'xml': 'http://www.w3.org/XML/1998/namespace',
}

NS_SOAP = NS['s']
NS_ADDRESSING = NS['a']
NS_ENUMERATION = NS['n']
NS_TRANSFER = NS['t']
NS_WSMAN = NS['w']
NS_WSMAN_MS = NS['p']
NS_CIM_BINDING = NS['b']
NS_WSMAN_FAULT = NS['f']
NS_IDENTITY = NS['wsmid']
NS_XSI = NS['xsi']
NS_CIM = NS['cim']
NS_XML = NS['xml']

ADDRESS_ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous'

# The WinRM configuration (winrm/config and its sections, facts §6.4).
CONFIG_URI = 'http://schemas.microsoft.com/wbem/wsman/1/config'

# Action URIs (facts §7.4: WS-Transfer and WS-Enumeration).
ACTION_GET = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Get'
ACTION_PUT = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Put'
ACTION_CREATE = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create'
ACTION_DELETE = 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete'
ACTION_ENUMERATE = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate'
ACTION_PULL = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull'
ACTION_RELEASE = 'http://schemas.xmlsoap.org/ws/2004/09/enumeration/Release'

# Filter dialects (facts §7.2). The association dialect is spelled as MS-WSMV spells it
# (lower-case "a"); the selector dialect is the DMTF form (both [CONFLICT] in the facts).
DIALECT_WQL = 'http://schemas.microsoft.com/wbem/wsman/1/WQL'
DIALECT_SELECTOR = 'http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter'
DIALECT_ASSOCIATION = 'http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter'
DIALECT_EVENT_QUERY = 'http://schemas.microsoft.com/win/2004/08/events/eventquery'

DIALECT_ALIASES = {
    'wql': DIALECT_WQL,
    'selector': DIALECT_SELECTOR,
    'association': DIALECT_ASSOCIATION,
}

# Default fragment dialect of a ResourceLocator (facts §5.4).
FRAGMENT_DIALECT_XPATH = 'http://www.w3.org/TR/1999/REC-xpath-19991116'

# Resource-URI aliases (facts §6.3), matched case-insensitively on the first path segment.
URI_ALIASES = {
    'wmi': 'http://schemas.microsoft.com/wbem/wsman/1/wmi',
    'wmicimv2': 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2',
    'cimv2': 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2',
    'winrm': 'http://schemas.microsoft.com/wbem/wsman/1',
    'wsman': 'http://schemas.microsoft.com/wbem/wsman/1',
    'shell': 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
}

# Enumeration modes (facts §7.3) sent as wsman:EnumerationMode.
ENUMERATION_MODE_EPR = 'EnumerateEPR'
ENUMERATION_MODE_OBJECT_AND_EPR = 'EnumerateObjectAndEPR'

# DSP0227 wsmb:PolymorphismMode values for the hierarchy flags (facts §2.2, §7.3).
POLYMORPHISM_SHALLOW = 'None'
POLYMORPHISM_BASE_PROPS_ONLY = 'ExcludeSubClassProperties'


def qname(prefix, local):
    """Return the Clark name ``{uri}local`` for a known prefix."""
    return '{%s}%s' % (NS[prefix], local)
