# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""run_task of wsman_identify, wsman_get, wsman_enumerate and wsman_invoke against the real lab endpoint."""

from __future__ import annotations

import json
import os

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManFault
from ansible_collections.wsman.automation.plugins.module_utils._module_args import session_from_params
from ansible_collections.wsman.automation.plugins.module_utils._task_runner import TaskInputError, error_result, run_task


def test_identify_returns_the_identity(run_on_lab):
    result = run_on_lab('wsman_identify')
    assert result['changed'] is False
    identity = result['identity']
    assert identity['protocol_version'] == 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd'
    assert identity['product_vendor'] == 'Microsoft Corporation'
    assert identity['product_version'].startswith('OS: ')
    assert 'xml' not in result


def test_identify_return_xml_is_the_identify_response(run_on_lab):
    result = run_on_lab('wsman_identify', return_xml=True)
    assert 'IdentifyResponse' in result['xml']
    assert 'http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd' in result['xml']


def test_get_by_selectors_and_by_uri_selectors_agree(run_on_lab):
    by_dict = run_on_lab('wsman_get', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'WinRM'})
    by_uri = run_on_lab('wsman_get', resource_uri='wmicimv2/Win32_Service?Name=WinRM')
    assert by_dict['changed'] is False
    assert by_dict['instance']['Name'] == 'WinRM'
    assert by_dict['instance'] == by_uri['instance']
    assert 'xml' not in by_dict


def test_get_return_xml_keeps_the_instance_xml(run_on_lab):
    result = run_on_lab('wsman_get', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'WinRM'}, return_xml=True)
    assert 'Win32_Service' in result['xml']
    assert '>WinRM<' in result['xml']


def test_get_fragment_returns_only_that_property(run_on_lab):
    result = run_on_lab('wsman_get', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'WinRM'}, fragment='State')
    assert list(result['instance']) == ['State']


def test_get_of_a_missing_instance_is_a_fault_with_its_details(run_on_lab, assert_no_secret):
    with pytest.raises(WSManFault) as caught:
        run_on_lab('wsman_get', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'NoSuchService'})
    result = error_result(caught.value)
    assert result['wsman_error_kind'] == 'fault'
    assert result['wsman_error_code'] == 2150858752
    assert '2150858752' in result['msg'] and '0x80338000' in result['msg']
    assert 'http://127.0.0.1:' in result['msg']
    fault = result['wsman_fault']
    assert fault['code'] == 2150858752
    assert fault['soap_subcode']
    assert 'machine' in fault and 'provider' in fault and 'wmi_error' in fault
    json.dumps(result)  # a task result must be JSON
    assert_no_secret(result)


def test_enumerate_returns_every_item_in_batches(run_on_lab):
    small = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', batch_items=7)
    large = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service')
    assert small['changed'] is False
    assert small['count'] == len(small['items']) == large['count']
    assert [item['Name'] for item in small['items']] == [item['Name'] for item in large['items']]
    assert 'truncated' not in small and 'dest' not in small


def test_enumerate_wql_filter(run_on_lab):
    result = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/*', filter="SELECT Name, State FROM Win32_Service WHERE State = 'Running'")
    assert result['count'] > 0
    assert all(item['State'] == 'Running' for item in result['items'])


def test_enumerate_selector_filter_defaults_to_the_selector_dialect(run_on_lab):
    result = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', filter={'State': 'Stopped'})
    assert result['count'] > 0
    assert all(item['State'] == 'Stopped' for item in result['items'])


def test_enumerate_epr_items(run_on_lab):
    result = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', return_type='epr', max_items=2)
    epr = result['items'][0]
    assert set(epr) == {'address', 'resource_uri', 'selectors'}
    assert epr['resource_uri'].endswith('/Win32_Service')
    assert 'Name' in epr['selectors']


def test_enumerate_object_and_epr_items(run_on_lab):
    result = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', return_type='object_and_epr', max_items=1)
    item = result['items'][0]
    assert item['object']['Name'] == item['epr']['selectors']['Name']


def test_enumerate_max_items_stops_early_and_releases_the_context(run_on_lab, lab_endpoint):
    before = lab_endpoint.stats()
    result = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', max_items=3, batch_items=2)
    after = lab_endpoint.stats()
    assert result['count'] == len(result['items']) == 3
    assert result['truncated'] is True
    assert after['enumeration_contexts_open'] == 0
    assert after['enumeration_contexts_released'] > before['enumeration_contexts_released']


def test_enumerate_max_items_larger_than_the_result_is_not_truncated(run_on_lab, lab_endpoint):
    result = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', max_items=100000)
    assert result['truncated'] is False
    assert result['count'] == len(result['items'])
    assert lab_endpoint.stats()['enumeration_contexts_open'] == 0


def test_enumerate_dest_streams_json_lines(run_on_lab, tmp_path):
    dest = tmp_path / 'services.jsonl'
    reference = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service')
    result = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', dest=str(dest), batch_items=4)
    assert 'items' not in result
    assert result['dest'] == str(dest)
    assert result['count'] == reference['count']
    lines = dest.read_text(encoding='utf-8').splitlines()
    assert [json.loads(line) for line in lines] == reference['items']
    assert os.stat(dest).st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ['services.jsonl']  # no temporary file left


def test_enumerate_dest_in_check_mode_is_not_written(run_on_lab, tmp_path):
    dest = tmp_path / 'services.jsonl'
    result = run_on_lab('wsman_enumerate', check_mode=True, resource_uri='wmicimv2/Win32_Service', dest=str(dest))
    assert result['count'] > 0
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []


def test_enumerate_dest_is_changed_when_written_and_not_when_the_file_already_holds_the_items(run_on_lab, tmp_path):
    # like ansible.builtin.copy/fetch: changed when the file's content changes, not when it already has these bytes
    dest = tmp_path / 'services.jsonl'
    first = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', dest=str(dest), max_items=5)
    assert first['changed'] is True
    content = dest.read_bytes()
    os.utime(dest, (1000000000, 1000000000))
    before = os.stat(dest)
    second = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', dest=str(dest), max_items=5, batch_items=2)
    assert second['changed'] is False
    after = os.stat(dest)
    assert (after.st_ino, after.st_mtime) == (before.st_ino, before.st_mtime)  # left untouched, not rewritten
    assert dest.read_bytes() == content
    assert [p.name for p in tmp_path.iterdir()] == ['services.jsonl']  # the temporary file is gone
    # other items (one more), or the same size with other bytes: changed, and the file holds the new items
    third = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', dest=str(dest), max_items=6)
    assert third['changed'] is True
    assert len(dest.read_text(encoding='utf-8').splitlines()) == 6
    run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', dest=str(dest), max_items=5)
    dest.write_bytes(content[:-2] + b' \n')  # the last '}' made a blank: same size, other bytes
    assert os.path.getsize(dest) == len(content)
    fourth = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', dest=str(dest), max_items=5)
    assert fourth['changed'] is True
    assert dest.read_bytes() == content


@pytest.mark.parametrize('existing', ['none', 'same', 'other'])
def test_enumerate_dest_check_mode_predicts_the_change_and_writes_nothing(run_on_lab, tmp_path, existing):
    dest = tmp_path / 'services.jsonl'
    reference = tmp_path / 'reference.jsonl'
    run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', dest=str(reference), max_items=4)
    if existing == 'same':
        dest.write_bytes(reference.read_bytes())
    elif existing == 'other':
        dest.write_bytes(reference.read_bytes()[:-2] + b'\n')  # the last '}' missing
    before = dest.read_bytes() if existing != 'none' else None
    result = run_on_lab('wsman_enumerate', check_mode=True, resource_uri='wmicimv2/Win32_Service', dest=str(dest), max_items=4)
    assert result['changed'] is (existing != 'same')
    assert result['count'] == 4
    assert ('it would change' in result['msg']) is (existing != 'same')
    if existing == 'none':
        assert not dest.exists()
    else:
        assert dest.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(['reference.jsonl'] + ([] if existing == 'none' else ['services.jsonl']))


def test_enumerate_dest_keeps_the_old_file_when_the_enumeration_fails(run_on_lab, tmp_path):
    dest = tmp_path / 'out.jsonl'
    dest.write_text('old\n', encoding='utf-8')
    with pytest.raises(WSManFault):
        run_on_lab('wsman_enumerate', resource_uri='wmicimv2/No_Such_Class', dest=str(dest))
    assert dest.read_text(encoding='utf-8') == 'old\n'
    assert [p.name for p in tmp_path.iterdir()] == ['out.jsonl']


def test_enumerate_dest_in_a_missing_directory_fails_before_any_traffic(run_on_lab, lab_endpoint, tmp_path):
    before = lab_endpoint.stats()['requests']
    with pytest.raises(TaskInputError) as caught:
        run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', dest=str(tmp_path / 'nope' / 'x.jsonl'))
    assert caught.value.argument == 'dest'
    assert error_result(caught.value)['wsman_error_kind'] == 'validation'
    assert lab_endpoint.stats()['requests'] == before


@pytest.mark.parametrize('check_mode', [False, True])
def test_enumerate_relative_dest_is_relative_to_the_working_directory(run_on_lab, tmp_path, monkeypatch, check_mode):
    # module mode: relative to the module's working directory (on localhost Ansible runs it in the playbook's directory)
    (tmp_path / 'sub').mkdir()
    monkeypatch.chdir(tmp_path / 'sub')
    result = run_on_lab('wsman_enumerate', check_mode=check_mode, resource_uri='wmicimv2/Win32_Service', max_items=2,
                        dest='../out.jsonl')
    assert result['dest'] == str(tmp_path / 'out.jsonl')  # absolute and normalized
    assert (tmp_path / 'out.jsonl').exists() is not check_mode
    if not check_mode:
        assert len((tmp_path / 'out.jsonl').read_text(encoding='utf-8').splitlines()) == 2


@pytest.mark.parametrize('check_mode', [False, True])
@pytest.mark.parametrize('name', ['missing/', 'existing/'])
def test_enumerate_dest_naming_a_directory_fails_before_any_traffic(run_on_lab, lab_endpoint, tmp_path, monkeypatch, check_mode, name):
    # a trailing "/" names a directory: refused, not turned into a file called "missing" (os.path.abspath drops it)
    (tmp_path / 'existing').mkdir()
    monkeypatch.chdir(tmp_path)
    before = lab_endpoint.stats()['requests']
    for dest in (name, '%s/%s' % (tmp_path, name)):  # (a pathlib path would drop the trailing /)
        with pytest.raises(TaskInputError, match='names a directory') as caught:
            run_on_lab('wsman_enumerate', check_mode=check_mode, resource_uri='wmicimv2/Win32_Service', dest=dest)
        assert caught.value.argument == 'dest'
        assert dest in str(caught.value)
    assert lab_endpoint.stats()['requests'] == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ['existing']


def test_enumerate_return_xml_lists_the_items(run_on_lab):
    result = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', max_items=2, return_xml=True)
    assert len(result['xml']) == 2
    assert all('Win32_Service' in xml for xml in result['xml'])


def test_task_settings_apply_to_one_task_only(validated_params):
    params = validated_params('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', timeout=12345, batch_items=3,
                              max_envelope_size=200, locale='de-DE', max_items=1)
    session = session_from_params(params)
    try:
        before = (session.timeout, session.batch_items, session.max_envelope_size, session.locale)
        run_task('wsman_enumerate', params, session)
        assert (session.timeout, session.batch_items, session.max_envelope_size, session.locale) == before
    finally:
        session.close()


def test_invoke_runs_the_method_and_reports_changed(run_on_lab):
    stop = run_on_lab('wsman_invoke', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'Spooler'}, action='StopService')
    assert stop['changed'] is True
    assert 'ReturnValue' in stop['output']
    state = run_on_lab('wsman_get', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'Spooler'})['instance']['State']
    assert state == 'Stopped'
    start = run_on_lab('wsman_invoke', resource_uri='wmicimv2/Win32_Service?Name=Spooler', action='StartService')
    assert start['output']['ReturnValue'] == '0'


def test_invoke_with_parameters(run_on_lab):
    result = run_on_lab('wsman_invoke', resource_uri='wmicimv2/Win32_Process', action='Create',
                        parameters={'CommandLine': 'notepad.exe'})
    assert result['output']['ReturnValue'] == '0'
    assert int(result['output']['ProcessId']) > 0


def test_invoke_in_check_mode_sends_nothing(run_on_lab, lab_endpoint):
    before = lab_endpoint.stats()['requests']
    result = run_on_lab('wsman_invoke', check_mode=True, resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'Spooler'},
                        action='StopService')
    assert result['changed'] is False
    assert result['skipped'] is True
    assert 'StopService' in result['msg']
    assert lab_endpoint.stats()['requests'] == before


def test_enumerate_association_filter_associated_and_association_instances(run_on_lab):
    filter_value = {'Object': 'wmicimv2/Win32_Service?Name=WinRM', 'AssociationClassName': 'Win32_DependentService'}
    associated = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/*', dialect='association', filter=filter_value)
    assert associated['count'] > 0
    assert all('Name' in item for item in associated['items'])  # Win32_Service instances
    associations = run_on_lab('wsman_enumerate', resource_uri='wmicimv2/*', dialect='association', associations=True,
                              filter={'Object': 'wmicimv2/Win32_Service?Name=WinRM'})
    assert associations['count'] > 0
    assert all(set(item) >= {'Antecedent', 'Dependent'} for item in associations['items'])  # Win32_DependentService
    assert isinstance(associations['items'][0]['Antecedent'], dict)  # an EPR, as a dict


def test_enumerate_shallow_hierarchy_surfaces_the_windows_fault(run_on_lab):
    with pytest.raises(WSManFault) as caught:
        run_on_lab('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', hierarchy='shallow')
    assert caught.value.code == 2150859063  # ERROR_WSMAN_POLYMORPHISM_MODE_UNSUPPORTED (facts 7.3)


@pytest.mark.parametrize('module_name, params', [
    ('wsman_identify', {}),
    ('wsman_get', {'resource_uri': 'wmicimv2/Win32_Service?Name=WinRM', 'return_xml': True}),
    ('wsman_enumerate', {'resource_uri': 'wmicimv2/Win32_Service', 'return_xml': True}),
    ('wsman_invoke', {'resource_uri': 'wmicimv2/Win32_Service?Name=WinRM', 'action': 'InterrogateService', 'return_xml': True}),
    ('wsman_instance', {'resource_uri': 'wmicimv2/Win32_Service?Name=WinRM', 'properties': {'Name': 'WinRM'}, 'return_xml': True}),
])
def test_no_result_contains_the_password(run_on_lab, assert_no_secret, module_name, params):
    result = run_on_lab(module_name, diff=True, **params)
    assert_no_secret(result)


def test_get_text_fragment_returns_the_value(run_on_lab):
    result = run_on_lab('wsman_get', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'WinRM'}, fragment='State/text()')
    assert result['instance'] == {}
    assert result['value'] == 'Running'
