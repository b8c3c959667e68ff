# Copyright: (c) 2026, wsman.automation developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared action plugin body: result mapping, and argument validation before any network traffic."""

from __future__ import annotations

import os
import socket

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator
from ansible.parsing.dataloader import DataLoader
from ansible.playbook.play_context import PlayContext
from ansible.playbook.task import Task
from ansible.plugins.loader import action_loader, connection_loader
from ansible.template import Templar

from ansible_collections.wsman.automation.plugins.module_utils._module_args import validator_kwargs
from ansible_collections.wsman.automation.plugins.module_utils._xml import E_INVALIDARG
from ansible_collections.wsman.automation.plugins.plugin_utils._action_base import (
    absolute_controller_paths,
    shape_module_result,
    shape_reply,
    uses_wsman_connection,
)

PASSWORD = 'Unit-Secret-77!'

FAULT = {'msg': 'WS-Management fault from http://127.0.0.1:1/wsman [2150858752 (0x80338000)]: not found',
         'wsman_error_kind': 'fault', 'wsman_error_code': 2150858752, 'wsman_fault': {'code': 2150858752}}
TRANSPORT = {'msg': 'Cannot talk to the WS-Management service at http://127.0.0.1:1/wsman: refused',
             'wsman_error_kind': 'transport', 'wsman_error_code': 0}


@pytest.mark.parametrize('reply, read_only, expected', [
    # a result passes through; read-only modules never report a change
    ({'result': {'changed': True, 'instance': {'Name': 'WinRM'}}}, True, {'changed': False, 'instance': {'Name': 'WinRM'}}),
    ({'result': {'changed': True, 'diff': {'before': {}, 'after': {}}}}, False,
     {'changed': True, 'diff': {'before': {}, 'after': {}}}),
    # transport errors make the host UNREACHABLE (not failed) and keep the message naming the endpoint
    ({'error': TRANSPORT}, True, dict(TRANSPORT, unreachable=True, changed=False)),
    # faults, protocol and validation errors fail the task; the fault dict survives
    ({'error': FAULT}, True, dict(FAULT, failed=True, changed=False)),
    ({'error': {'msg': 'bad', 'wsman_error_kind': 'protocol'}}, False, {'msg': 'bad', 'wsman_error_kind': 'protocol', 'failed': True, 'changed': False}),
    ({'error': {'msg': 'bad', 'wsman_error_kind': 'validation', 'wsman_error_code': 2150859028}}, True,
     {'msg': 'bad', 'wsman_error_kind': 'validation', 'wsman_error_code': 2150859028, 'failed': True, 'changed': False}),
    # an error without a message still explains itself
    ({'error': {'wsman_error_kind': 'internal'}}, False,
     {'wsman_error_kind': 'internal', 'msg': 'The WS-Management operation failed.', 'failed': True, 'changed': False}),
])
def test_shape_reply(reply, read_only, expected):
    assert shape_reply(reply, read_only) == expected


@pytest.mark.parametrize('reply', [None, 'text', {'unexpected': 1}, []])
def test_shape_reply_rejects_non_results(reply):
    result = shape_reply(reply, True)
    assert result['failed'] is True
    assert 'not a task result' in result['msg']


@pytest.mark.parametrize('module_result, read_only, expected', [
    (dict(TRANSPORT, failed=True, changed=False), True, dict(TRANSPORT, unreachable=True, changed=False)),
    (dict(FAULT, failed=True, changed=False), True, dict(FAULT, failed=True, changed=False)),
    ({'changed': True, 'instance': {}}, True, {'changed': False, 'instance': {}}),
    ({'changed': True, 'instance': {}}, False, {'changed': True, 'instance': {}}),
])
def test_shape_module_result(module_result, read_only, expected):
    assert shape_module_result(module_result, read_only) == expected


def test_relative_dest_becomes_absolute_against_the_playbook_directory(tmp_path, monkeypatch):
    # the wsman connection's persistent process runs in /, so the action plugin resolves dest first, against the
    # loader's base directory (the playbook's directory): where Ansible runs a module on localhost, not the current one
    (tmp_path / 'play').mkdir()
    (tmp_path / 'elsewhere').mkdir()
    monkeypatch.chdir(tmp_path / 'elsewhere')
    params = {'dest': 'out/items.jsonl', 'resource_uri': 'wmicimv2/Win32_Service'}
    absolute_controller_paths(params, str(tmp_path / 'play'))
    assert params == {'dest': str(tmp_path / 'play' / 'out' / 'items.jsonl'), 'resource_uri': 'wmicimv2/Win32_Service'}
    for unchanged in ({'dest': '/var/tmp/items.jsonl'}, {'dest': None}, {'dest': ''}, {}):
        before = dict(unchanged)
        absolute_controller_paths(unchanged, str(tmp_path / 'play'))
        assert unchanged == before
    # a relative base directory (ad-hoc commands without --playbook-dir: '.') is the current directory
    params = {'dest': 'items.jsonl'}
    absolute_controller_paths(params, '.')
    assert params == {'dest': str(tmp_path / 'elsewhere' / 'items.jsonl')}
    # a trailing separator survives, so that the module refuses a dest that names a directory
    params = {'dest': 'out/'}
    absolute_controller_paths(params, str(tmp_path / 'play'))
    assert params == {'dest': str(tmp_path / 'play' / 'out') + '/'}


def test_dest_tilde_and_variables_are_expanded_on_the_controller(tmp_path, monkeypatch):
    # what WSManActionBase.run does with the wsman connection: validate (type path expands ~ and $VARS), then resolve
    monkeypatch.setenv('HOME', str(tmp_path / 'home'))
    monkeypatch.setenv('WSMAN_REVIEW_DIR', str(tmp_path / 'exports'))
    validator = ArgumentSpecValidator(**validator_kwargs('wsman_enumerate'))
    for given, expected in (('~/items.jsonl', tmp_path / 'home' / 'items.jsonl'),
                            ('$WSMAN_REVIEW_DIR/items.jsonl', tmp_path / 'exports' / 'items.jsonl'),
                            ('./items.jsonl', tmp_path / 'play' / 'items.jsonl')):
        validation = validator.validate({'resource_uri': 'wmicimv2/Win32_Service', 'dest': given})
        assert not validation.error_messages
        params = validation.validated_parameters
        absolute_controller_paths(params, str(tmp_path / 'play'))
        assert os.path.normpath(params['dest']) == str(expected)


def test_marker():
    assert uses_wsman_connection(connection_loader.get('wsman.automation.wsman', PlayContext(), '/dev/null'))
    assert not uses_wsman_connection(connection_loader.get('local', PlayContext(), '/dev/null'))


@pytest.fixture
def listener():
    """A real loopback listener standing in for a WS-Management service: it must see no connection at all."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(('127.0.0.1', 0))
    server.listen(5)
    server.settimeout(0.3)
    yield server
    server.close()


def _assert_no_traffic(server):
    with pytest.raises(socket.timeout):
        conn, _addr = server.accept()
        conn.close()


def _run_action(name, args, connection_name='local'):
    play_context = PlayContext()
    connection = connection_loader.get(connection_name, play_context, '/dev/null')
    connection.set_options()
    task = Task()
    task.action = 'wsman.automation.%s' % name
    task.args = args
    action = action_loader.get('wsman.automation.%s' % name, task=task, connection=connection, play_context=play_context,
                               loader=DataLoader(), templar=Templar(loader=DataLoader()), shared_loader_obj=None)
    assert action is not None
    return action.run(task_vars={})


@pytest.mark.parametrize('name, bad_args, named, argument', [
    ('wsman_get', {'selectors': {'Name': 'WinRM'}}, 'resource_uri', 'resource_uri'),                    # required missing
    ('wsman_get', {'resource_uri': 'wmicimv2/Win32_Service', 'no_such_option': 1}, 'no_such_option', 'no_such_option'),
    ('wsman_enumerate', {'resource_uri': 'wmicimv2/*', 'hierarchy': 'sideways'}, 'hierarchy', 'hierarchy'),  # not a choice
    ('wsman_enumerate', {'resource_uri': 'wmicimv2/*', 'max_items': 'many'}, 'max_items', 'max_items'),      # wrong type
    ('wsman_enumerate', {'resource_uri': 'wmicimv2/*', 'dialect': 'wql'}, 'filter', 'filter'),            # required by dialect
    ('wsman_enumerate', {'resource_uri': 'wmicimv2/*', 'selectors': {'Name': 'WinRM'}, 'filter': 'x'}, 'selectors', None),
    ('wsman_invoke', {'resource_uri': 'wmicimv2/Win32_Service'}, 'action', 'action'),
    ('wsman_invoke', {}, 'action', None),                                                     # action and resource_uri
    ('wsman_instance', {'resource_uri': 'wmicimv2/Win32_Service', 'state': 'gone'}, 'state', 'state'),
    ('wsman_identify', {'timeout': 'soon'}, 'timeout', 'timeout'),
])
def test_bad_arguments_fail_before_any_traffic(listener, name, bad_args, named, argument):
    """Argument-spec failures: nothing is sent; the message names the option; E_INVALIDARG; wsman_argument when one option is at fault."""
    port = listener.getsockname()[1]
    args = dict(bad_args, connection='http://127.0.0.1:%d' % port, username='LAB01\\ansible', password=PASSWORD,
                flags='UseNegotiate|CredUsernamePassword')
    result = _run_action(name, args)
    _assert_no_traffic(listener)
    assert result['failed'] is True
    assert result['wsman_error_kind'] == 'validation'
    assert result['msg'].startswith('Invalid arguments for wsman.automation.%s: ' % name)
    assert named in result['msg']
    assert result['wsman_error_code'] == E_INVALIDARG
    if argument is None:
        assert 'wsman_argument' not in result       # more than one option is at fault; the message names them
    else:
        assert result['wsman_argument'] == argument
    assert PASSWORD not in repr(result)


@pytest.mark.parametrize('flags, code', [
    ('UseBasic|UseNegotiate|CredUsernamePassword', 0x803380AD),   # ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS (facts 3.1, R1)
])
def test_bad_session_options_fail_with_windows_code_before_any_traffic(listener, flags, code):
    port = listener.getsockname()[1]
    args = {'connection': 'http://127.0.0.1:%d' % port, 'username': 'LAB01\\ansible', 'password': PASSWORD, 'flags': flags,
            'resource_uri': 'wmicimv2/Win32_Service', 'selectors': {'Name': 'WinRM'}}
    result = _run_action('wsman_get', args)
    _assert_no_traffic(listener)
    assert result['failed'] is True
    assert result['wsman_error_kind'] == 'validation'
    assert result['wsman_error_code'] == code
    assert '0x%08X' % code in result['msg']
    assert PASSWORD not in repr(result)


def test_forgotten_connection_is_reported_first_naming_connection_and_the_host_variable_route(listener):
    # ansible localhost -m wsman.automation.wsman_get -a resource_uri=winrm/config
    result = _run_action('wsman_get', {'resource_uri': 'winrm/config', 'username': 'LAB01\\ansible', 'password': PASSWORD,
                                       'flags': 'UseNegotiate|CredUsernamePassword'})
    _assert_no_traffic(listener)
    assert result['failed'] is True
    assert result['wsman_error_kind'] == 'validation'
    assert result['wsman_argument'] == 'connection'
    assert result['wsman_error_code'] == E_INVALIDARG
    assert 'connection is not set' in result['msg']
    assert 'ansible_connection: wsman.automation.wsman' in result['msg']
    assert 'Kerberos' not in result['msg'] and 'Negotiate' not in result['msg']
    assert PASSWORD not in repr(result)


def test_ad_hoc_user_name_with_a_single_backslash_is_refused_before_any_traffic(listener):
    # -a 'username=.\administrator' arrives as .<BEL>dministrator
    port = listener.getsockname()[1]
    result = _run_action('wsman_get', {'connection': 'http://127.0.0.1:%d' % port, 'resource_uri': 'winrm/config',
                                       'username': '.\x07dministrator', 'password': PASSWORD,
                                       'flags': 'UseNegotiate|CredUsernamePassword', 'trusted_hosts': '*'})
    _assert_no_traffic(listener)
    assert result['failed'] is True
    assert result['wsman_argument'] == 'username'
    assert result['wsman_error_code'] == E_INVALIDARG
    assert 'DOMAIN\\\\user' in result['msg']
    assert PASSWORD not in repr(result)


def test_ignored_session_arguments_warning_names_the_variables_that_apply():
    from ansible_collections.wsman.automation.plugins.plugin_utils._action_base import ignored_arguments_warning

    text = ignored_arguments_warning(['connection', 'password', 'trusted_hosts', 'username'])
    assert 'ansible_password for password' in text
    assert 'ansible_user for username' in text
    assert 'ansible_wsman_trusted_hosts for trusted_hosts' in text
    assert 'ansible_wsman_connection for connection (or ansible_host and ansible_port)' in text
    assert 'ansible_wsman_*' not in text
