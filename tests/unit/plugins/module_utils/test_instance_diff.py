# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""_instance_diff: unknown properties refused before a Put (facts 6.4, 9.2 ERROR_WSMAN_INVALID_REPRESENTATION 0x80338015)
and changes carried as the text a Put sends."""

from __future__ import annotations

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._instance_diff import (
    PropertyNameError,
    UnknownPropertyError,
    check_known,
    compare,
    config_section,
    patch,
    wire_value,
)

SERVICE_URI = 'http://schemas.microsoft.com/wbem/wsman/1/config/service'
SERVICE = {'MaxConnections': '300', 'AllowUnencrypted': 'false', 'Auth': {'Basic': 'false'}, 'RootSDDL': 'O:NS'}
WMI_URI = 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service'


@pytest.mark.parametrize('uri, expected', [
    ('http://schemas.microsoft.com/wbem/wsman/1/config', (True, '')),
    (SERVICE_URI, (True, '/service')),
    ('http://schemas.microsoft.com/wbem/wsman/1/config/Service/Auth/', (True, '/service/auth')),
    ('http://schemas.microsoft.com/wbem/wsman/1/config/Listener?Address=*+Transport=HTTP', (True, '/listener')),
    ('http://schemas.microsoft.com/wbem/wsman/1/config/plugin', (True, None)),
    ('http://schemas.microsoft.com/wbem/wsman/1/config/service/certmapping', (True, None)),
    ('http://schemas.microsoft.com/wbem/wsman/1/configuration', (False, None)),
    (WMI_URI, (False, None)),
])
def test_config_section(uri, expected):
    assert config_section(uri) == expected


def test_a_setting_of_another_config_section_is_refused_naming_where_it_belongs():
    # The walkthrough: MaxTimeoutms given to winrm/config/service; the service answers 0x80338015 to such a Put.
    with pytest.raises(UnknownPropertyError) as info:
        compare({'MaxTimeoutms': 120000}, SERVICE, resource_uri=SERVICE_URI)
    message = str(info.value)
    assert info.value.code == 0x80338015
    assert info.value.argument == 'properties' and info.value.name == 'MaxTimeoutms'
    assert message.startswith('properties: winrm/config/service has no property MaxTimeoutms')
    assert 'ERROR_WSMAN_INVALID_REPRESENTATION 2150858773 / 0x80338015' in message
    assert 'MaxTimeoutms is a property of winrm/config, not winrm/config/service: set it with resource_uri=winrm/config.' in message
    assert 'The properties of winrm/config/service are MaxConnections, AllowUnencrypted, Auth, RootSDDL.' in message
    # The parts a WSManInvalidArgumentError is built from give the same text.
    assert info.value.problem == 'properties: winrm/config/service has no property MaxTimeoutms, and the service refuses a Put with it'
    assert message == '%s (ERROR_WSMAN_INVALID_REPRESENTATION 2150858773 / 0x80338015). %s' % (info.value.problem, info.value.fix)


def test_a_setting_of_two_other_sections_names_both():
    with pytest.raises(UnknownPropertyError) as info:
        check_known({'Basic': False, 'Bogus': 1}, SERVICE, SERVICE_URI)
    message = str(info.value)
    assert 'has no properties Basic, Bogus, and the service refuses a Put with them' in message
    assert 'Basic is a property of winrm/config/service/auth and winrm/config/client/auth, not winrm/config/service' in message
    assert 'Bogus is a property' not in message


def test_known_settings_pass_and_a_case_difference_keeps_its_own_message():
    assert compare({'MaxConnections': 301}, SERVICE, resource_uri=SERVICE_URI) == {'MaxConnections': '301'}
    with pytest.raises(PropertyNameError) as info:
        compare({'maxconnections': 301}, SERVICE, resource_uri=SERVICE_URI)
    assert not isinstance(info.value, UnknownPropertyError)
    assert "write 'MaxConnections'" in str(info.value)


def test_write_only_settings_of_plugins_and_certmapping_are_not_refused():
    plugin = {'Name': 'microsoft.powershell', 'RunAsUser': 'svc'}
    uri = 'http://schemas.microsoft.com/wbem/wsman/1/config/plugin'
    assert compare({'RunAsPassword': 'x'}, plugin, resource_uri=uri) == {'RunAsPassword': 'x'}
    certmapping = {'Subject': 'a', 'Issuer': 'b', 'UserName': 'u'}
    check_known({'Password': 'x'}, certmapping, 'http://schemas.microsoft.com/wbem/wsman/1/config/service/certmapping')


def test_a_wmi_property_the_instance_lacks_is_refused_with_its_properties():
    with pytest.raises(UnknownPropertyError) as info:
        compare({'NoSuchProp': 1}, {'Name': 'WinRM', 'StartMode': 'Auto'}, resource_uri=WMI_URI)
    assert str(info.value) == 'properties: the instance has no property NoSuchProp; its properties are Name, StartMode'
    assert info.value.code == 0 and info.value.fix is None


def test_without_resource_uri_unknown_names_are_not_checked():
    assert compare({'MaxTimeoutms': 120000}, SERVICE) == {'MaxTimeoutms': '120000'}


@pytest.mark.parametrize('value, text', [
    (120000, '120000'), (True, 'true'), (False, 'false'), (1.5, '1.5'), ('Strict', 'Strict'), (None, None),
    ([1, 'a', None], ['1', 'a', None]), ({'Basic': False, 'Port': 5985}, {'Basic': 'false', 'Port': '5985'}),
])
def test_wire_value_is_the_text_a_put_sends(value, text):
    assert wire_value(value) == text


def test_changes_and_the_patched_instance_hold_text():
    changes = compare({'MaxConnections': 120000, 'AllowUnencrypted': False, 'Auth': {'Basic': True}}, SERVICE,
                      resource_uri=SERVICE_URI)
    assert changes == {'MaxConnections': '120000', 'Auth': {'Basic': 'true'}}
    after = patch(SERVICE, changes)
    assert after['MaxConnections'] == '120000' and after['Auth'] == {'Basic': 'true'}
    # A rerun with the integer compares equal to the text the Get reads: nothing to change.
    assert compare({'MaxConnections': 120000}, after, resource_uri=SERVICE_URI) == {}
