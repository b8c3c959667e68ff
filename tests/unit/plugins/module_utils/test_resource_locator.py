# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ResourceLocator (facts §5.4) and resource strings with aliases and selectors (facts §6)."""

from __future__ import annotations

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._namespaces import FRAGMENT_DIALECT_XPATH
from ansible_collections.wsman.automation.plugins.module_utils._resource_locator import ResourceLocator, resolve_resource

WMI = 'http://schemas.microsoft.com/wbem/wsman/1/wmi'
CIMV2 = WMI + '/root/cimv2'


@pytest.mark.parametrize('text, uri', [
    ('wmicimv2/Win32_Service', CIMV2 + '/Win32_Service'),
    ('WmiCimV2/Win32_Service', CIMV2 + '/Win32_Service'),
    ('wmi/root/cimv2/Win32_Service', CIMV2 + '/Win32_Service'),
    ('cimv2/CIM_ComputerSystem', 'http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ComputerSystem'),
    ('winrm/config/listener', 'http://schemas.microsoft.com/wbem/wsman/1/config/listener'),
    ('wsman/config', 'http://schemas.microsoft.com/wbem/wsman/1/config'),
    ('shell/cmd', 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd'),
    ('winrm', 'http://schemas.microsoft.com/wbem/wsman/1'),
    ('http://schemas.microsoft.com/wbem/wsman/1/wmi/root/default/StdRegProv', WMI + '/root/default/StdRegProv'),
    ('urn:vendor/wmi/x', 'urn:vendor/wmi/x'),  # alias only on the first segment
])
def test_alias_expansion(text, uri):
    """Facts §6.3: aliases are http://, matched case-insensitively on the first segment."""
    assert resolve_resource(text).resource_uri == uri


def test_selectors_in_string_are_split_and_percent_decoded():
    locator = resolve_resource('winrm/config/listener?Address=*+Transport=HTTP')
    assert locator.selectors == [('Address', '*'), ('Transport', 'HTTP')]
    locator = resolve_resource('wmicimv2/Win32_Service?Name=a%2Bb%25c+Other=x=y')
    assert locator.selectors == [('Name', 'a+b%c'), ('Other', 'x=y')]


@pytest.mark.parametrize('text, code', [
    ('', 2150858943),
    ('   ', 2150858943),
    ('?Name=x', 2150858943),
    ('wmicimv2/Win32_Service?Name', 2150858944),
    ('wmicimv2/Win32_Service?=x', 2150858944),
    ('<notxml', 2150858944),
    ('<a:EndpointReference xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"/>', 2150858944),
])
def test_bad_resource_strings(text, code):
    with pytest.raises(WSManInvalidArgumentError) as info:
        resolve_resource(text)
    assert info.value.code == code


def test_non_string_resource():
    with pytest.raises(WSManInvalidArgumentError, match='not int'):
        resolve_resource(42)


def test_resource_uri_setter_refuses_selectors():
    locator = ResourceLocator()
    with pytest.raises(WSManInvalidArgumentError, match='add_selector') as info:
        locator.resource_uri = 'wmicimv2/Win32_Service?Name=WinRM'
    assert info.value.code == 2150858944
    locator.resource_uri = 'wmicimv2/Win32_Service'
    assert locator.resource_uri == CIMV2 + '/Win32_Service'


def test_locator_defaults_and_members():
    locator = ResourceLocator('wmicimv2/Win32_Service')
    assert locator.fragment_dialect == FRAGMENT_DIALECT_XPATH
    assert locator.fragment_path == '' and not locator.must_understand_options
    locator.add_selector('Name', 'WinRM')
    locator.add_selector('Count', 3)
    locator.add_selector('Flag', True)
    assert locator.selectors == [('Name', 'WinRM'), ('Count', '3'), ('Flag', 'true')]
    locator.clear_selectors()
    assert locator.selectors == []
    locator.add_option('opt', 1, must_comply=True)
    locator.add_option('other', None)
    assert locator.options == [('opt', '1', True), ('other', '', False)]
    locator.clear_options()
    assert locator.options == []
    with pytest.raises(WSManInvalidArgumentError):
        locator.add_selector('', 'x')
    with pytest.raises(WSManInvalidArgumentError):
        locator.add_selector('Name', None)
    with pytest.raises(WSManInvalidArgumentError):
        locator.add_option(' ', 'x')


def test_reference_selector_value():
    locator = ResourceLocator('wmicimv2/Win32_DependentService')
    locator.add_selector('Antecedent', {'resource_uri': CIMV2 + '/Win32_Service', 'selectors': {'Name': 'RpcSs'}})
    name, value = locator.selectors[0]
    assert name == 'Antecedent'
    assert value['address'] == 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous'
    assert value['selectors'] == {'Name': 'RpcSs'}
    with pytest.raises(WSManInvalidArgumentError, match='resource_uri'):
        locator.add_selector('Bad', {'selectors': {}})


def test_epr_resource_is_not_alias_expanded():
    """Facts §5.4: aliases are not expanded inside an EPR."""
    epr = ('<a:EndpointReference xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
           'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><a:Address>http://x</a:Address>'
           '<a:ReferenceParameters><w:ResourceURI>wmicimv2/Win32_Service</w:ResourceURI>'
           '<w:SelectorSet><w:Selector Name="Name">&lt;WinRM&gt;</w:Selector></w:SelectorSet>'
           '</a:ReferenceParameters></a:EndpointReference>')
    locator = resolve_resource(epr)
    assert locator.resource_uri == 'wmicimv2/Win32_Service'
    assert locator.selectors == [('Name', '<WinRM>')]


def test_create_response_epr_is_accepted_as_resource():
    created = ('<x:ResourceCreated xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" '
               'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
               'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">'
               '<a:Address>http://server1:5985/wsman</a:Address><a:ReferenceParameters>'
               '<w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/config/listener</w:ResourceURI>'
               '<w:SelectorSet><w:Selector Name="Address">*</w:Selector><w:Selector Name="Transport">HTTP</w:Selector>'
               '</w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>')
    locator = resolve_resource(created)
    assert locator.selectors == [('Address', '*'), ('Transport', 'HTTP')]


def test_locator_is_passed_through():
    locator = ResourceLocator('wmicimv2/Win32_Service')
    assert resolve_resource(locator) is locator
    with pytest.raises(WSManInvalidArgumentError) as info:
        resolve_resource(ResourceLocator())
    assert info.value.code == 2150858943
