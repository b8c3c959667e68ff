# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wsman_instance against the lab: Get -> compare -> Put only what differs; check mode, diff mode, idempotence."""

from __future__ import annotations

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManFault
from ansible_collections.wsman.automation.plugins.module_utils._task_runner import TaskInputError, error_result

OS_URI = 'wmicimv2/Win32_OperatingSystem'


@pytest.fixture
def os_name(run_on_lab):
    """The key (Name) of the lab's one Win32_OperatingSystem instance."""
    return run_on_lab('wsman_enumerate', resource_uri=OS_URI)['items'][0]['Name']


def _os(run_on_lab, os_name, **kwargs):
    return run_on_lab('wsman_instance', resource_uri=OS_URI, selectors={'Name': os_name}, **kwargs)


def test_put_changes_only_what_differs_and_is_idempotent(run_on_lab, lab_endpoint, os_name):
    first = _os(run_on_lab, os_name, properties={'Description': 'web server 1'}, diff=True)
    assert first['changed'] is True
    assert first['changed_properties'] == ['Description']
    assert first['instance']['Description'] == 'web server 1'
    assert first['diff']['after']['Description'] == 'web server 1'
    assert first['diff']['before']['Description'] != 'web server 1'
    assert set(first['diff']['before']) == set(first['diff']['after'])  # the full instance was Put

    requests_before = lab_endpoint.stats()['requests']
    second = _os(run_on_lab, os_name, properties={'Description': 'web server 1'}, diff=True)
    assert second['changed'] is False
    assert 'changed_properties' not in second
    assert second['diff']['before'] == second['diff']['after']
    assert lab_endpoint.stats()['requests'] == requests_before + 1  # the Get only, no Put


def test_check_mode_reports_the_change_without_putting(run_on_lab, os_name):
    current = run_on_lab('wsman_get', resource_uri=OS_URI, selectors={'Name': os_name})['instance']['Description']
    result = _os(run_on_lab, os_name, properties={'Description': current + ' (planned)'}, check_mode=True, diff=True)
    assert result['changed'] is True
    assert result['diff']['after']['Description'] == current + ' (planned)'
    after = run_on_lab('wsman_get', resource_uri=OS_URI, selectors={'Name': os_name})['instance']['Description']
    assert after == current


def test_boolean_values_compare_as_text(run_on_lab):
    name = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_ComputerSystem')['items'][0]['Name']
    kwargs = dict(resource_uri='wmicimv2/Win32_ComputerSystem', selectors={'Name': name})
    run_on_lab('wsman_instance', properties={'AutomaticManagedPagefile': False}, **kwargs)
    again = run_on_lab('wsman_instance', properties={'AutomaticManagedPagefile': 'False'}, **kwargs)
    assert again['changed'] is False
    flipped = run_on_lab('wsman_instance', properties={'AutomaticManagedPagefile': True}, **kwargs)
    assert flipped['changed'] is True
    assert flipped['instance']['AutomaticManagedPagefile'] == 'true'


def test_a_key_that_differs_only_in_case_is_a_clear_error(run_on_lab, lab_endpoint, os_name):
    with pytest.raises(TaskInputError) as caught:
        _os(run_on_lab, os_name, properties={'description': 'x'})
    message = str(caught.value)
    assert "'description'" in message and "'Description'" in message and 'case-sensitive' in message
    result = error_result(caught.value)
    assert result['wsman_error_kind'] == 'validation'
    assert result['wsman_argument'] == 'properties'


def test_absent_of_a_missing_instance_changes_nothing(run_on_lab):
    result = run_on_lab('wsman_instance', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'NoSuchService'},
                        state='absent', diff=True)
    assert result['changed'] is False
    assert result['diff'] == {'before': {}, 'after': {}}


def test_an_unknown_wmi_property_is_refused_before_anything_is_sent(run_on_lab):
    with pytest.raises(TaskInputError) as info:
        run_on_lab('wsman_instance', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'WinRM'},
                   properties={'NoSuchProp': 1}, check_mode=True, diff=True)
    assert 'NoSuchProp' in str(info.value) and 'StartMode' in str(info.value)


def test_absent_warns_that_properties_are_ignored(run_on_lab):
    result = run_on_lab('wsman_instance', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'NoSuchService'},
                        state='absent', properties={'StartMode': 'Disabled'})
    assert result['changed'] is False
    assert any('ignored with state=absent' in warning and 'StartMode' in warning for warning in result['warnings'])


def test_absent_in_check_mode_keeps_the_instance(run_on_lab):
    result = run_on_lab('wsman_instance', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'WinRM'},
                        state='absent', check_mode=True, diff=True)
    assert result['changed'] is True
    assert result['diff']['before']['Name'] == 'WinRM'
    assert result['diff']['after'] == {}
    assert run_on_lab('wsman_get', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'WinRM'})['instance']['Name'] == 'WinRM'


def test_present_of_a_missing_instance_in_check_mode_would_create_it(run_on_lab):
    result = run_on_lab('wsman_instance', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'NoSuchService'},
                        properties={'DisplayName': 'New'}, check_mode=True, diff=True)
    assert result['changed'] is True
    assert result['diff'] == {'before': {}, 'after': {'DisplayName': 'New'}}


def test_other_faults_of_the_get_fail_the_task(run_on_lab):
    with pytest.raises(WSManFault) as caught:
        run_on_lab('wsman_instance', resource_uri='wmicimv2/Win32_Service', properties={'State': 'x'})
    assert error_result(caught.value)['wsman_error_kind'] == 'fault'


def test_fragment_is_refused(run_on_lab, os_name):
    with pytest.raises(TaskInputError) as caught:
        _os(run_on_lab, os_name, fragment='Description', properties={'Description': 'x'})
    assert caught.value.argument == 'fragment'


def test_create_then_delete_a_listener_idempotently(run_on_lab):
    listener = dict(resource_uri='winrm/config/Listener', selectors={'Address': 'IP:127.0.0.2', 'Transport': 'HTTP'})
    created = run_on_lab('wsman_instance', properties={'Port': 5990, 'Enabled': True}, diff=True, **listener)
    assert created['changed'] is True
    assert created['created']['selectors'] == {'Address': 'IP:127.0.0.2', 'Transport': 'HTTP'}
    assert created['instance']['Port'] == '5990'
    assert created['diff']['before'] == {}

    again = run_on_lab('wsman_instance', properties={'Port': 5990, 'Enabled': True}, **listener)
    assert again['changed'] is False

    changed = run_on_lab('wsman_instance', properties={'Port': 5991}, **listener)  # a Put of only the change
    assert changed['changed'] is True
    assert changed['changed_properties'] == ['Port']
    assert changed['instance']['Port'] == '5991'

    deleted = run_on_lab('wsman_instance', state='absent', diff=True, **listener)
    assert deleted['changed'] is True
    assert deleted['diff']['before']['Port'] == '5991'
    assert run_on_lab('wsman_instance', state='absent', **listener)['changed'] is False
    with pytest.raises(WSManFault):
        run_on_lab('wsman_get', **listener)


def test_put_of_a_config_section_sends_only_the_change(run_on_lab):
    before = run_on_lab('wsman_get', resource_uri='winrm/config/service')['instance']
    wanted = str(int(before['MaxConnections']) + 7)
    result = run_on_lab('wsman_instance', resource_uri='winrm/config/service', properties={'MaxConnections': wanted})
    assert result['changed'] is True
    assert result['instance']['MaxConnections'] == wanted
    assert run_on_lab('wsman_instance', resource_uri='winrm/config/service',
                      properties={'MaxConnections': int(wanted)})['changed'] is False
    run_on_lab('wsman_instance', resource_uri='winrm/config/service', properties={'MaxConnections': before['MaxConnections']})


def test_check_mode_diff_of_a_config_section_shows_the_text_a_put_sends(run_on_lab):
    # The walkthrough: an integer value appeared as 120000 in the diff; the Put sends (and the Get reads) "120000".
    uri = 'winrm/config/service'
    before = run_on_lab('wsman_get', resource_uri=uri)['instance']['MaxConnections']
    wanted = int(before) + 11
    planned = run_on_lab('wsman_instance', resource_uri=uri, properties={'MaxConnections': wanted}, check_mode=True, diff=True)
    assert planned['changed'] is True
    assert planned['diff']['after']['MaxConnections'] == str(wanted)
    assert planned['instance']['MaxConnections'] == str(wanted)
    assert run_on_lab('wsman_get', resource_uri=uri)['instance']['MaxConnections'] == before  # check mode sent no Put
    try:
        done = run_on_lab('wsman_instance', resource_uri=uri, properties={'MaxConnections': wanted}, diff=True)
        assert done['changed'] is True and done['diff']['after']['MaxConnections'] == str(wanted)
        again = run_on_lab('wsman_instance', resource_uri=uri, properties={'MaxConnections': wanted}, diff=True)
        assert again['changed'] is False
        assert again['diff']['before'] == again['diff']['after']
    finally:
        run_on_lab('wsman_instance', resource_uri=uri, properties={'MaxConnections': before})


@pytest.mark.parametrize('check_mode', [True, False])
def test_a_setting_of_another_config_section_is_refused_before_anything_is_sent(run_on_lab, lab_endpoint, check_mode):
    # facts 6.4/10: MaxTimeoutms belongs to winrm/config; a Put of it to winrm/config/service is refused with
    # ERROR_WSMAN_INVALID_REPRESENTATION 0x80338015 (facts 9.2; the lab's config_store does the same).
    requests_before = lab_endpoint.stats()['requests']
    message = ''
    try:
        result = run_on_lab('wsman_instance', resource_uri='winrm/config/service', properties={'MaxTimeoutms': 120000},
                            check_mode=check_mode, diff=True)
        message = 'not refused: %r' % (result,)
    except TaskInputError as exc:
        message = str(exc)
    except WSManFault as exc:
        message = 'the Put was sent and refused: %s' % exc
    assert 'winrm/config/service has no property MaxTimeoutms' in message
    assert 'MaxTimeoutms is a property of winrm/config, not winrm/config/service' in message
    assert '0x80338015' in message
    assert lab_endpoint.stats()['requests'] == requests_before + 1  # the Get only
