# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""error_result shapes, the instance comparison of wsman_instance, the JSON Lines writer and input checks of run_task.

The tests against the lab endpoint are in tests/unit/plugins/modules/.
"""

from __future__ import annotations

import json
import os

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wsman.automation.plugins.module_utils import _instance_diff as idiff
from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    WSManAuthenticationError,
    WSManError,
    WSManFault,
    WSManInvalidArgumentError,
    WSManProtocolError,
    WSManTransportError,
)
from ansible_collections.wsman.automation.plugins.module_utils._module_args import session_from_params, validator_kwargs
from ansible_collections.wsman.automation.plugins.module_utils._task_runner import (
    TaskInputError,
    _JsonLinesFile,
    error_result,
    run_task,
)

ENDPOINT = 'http://server1.example.com:5985/wsman'


# --- error_result -------------------------------------------------------------------------------

def _fault():
    return WSManFault(
        code=2150858752, soap_code='s:Sender', soap_subcode='w:InvalidSelectors',
        reason='The WS-Management service cannot process the request.', machine='server1.example.com',
        fault_message='The service cannot find the resource identified by the resource URI and selectors.',
        provider='WMI Provider', provider_path='%systemroot%\\system32\\WsmWmiPl.dll',
        provider_fault='No instance found with given property values.',
        wmi_error={'error_Code': '2147749890', 'Message': 'Not found in WMI.'}, fault_xml='<f:WSManFault/>', http_status=500, endpoint=ENDPOINT)


def test_fault_result_names_endpoint_code_and_reason():
    result = error_result(_fault())
    assert result['wsman_error_kind'] == 'fault'
    assert result['wsman_error_code'] == 2150858752
    msg = result['msg']
    assert ENDPOINT in msg
    assert '2150858752' in msg and '0x80338000' in msg and 'ERROR_WSMAN_RESOURCE_NOT_FOUND' in msg
    assert 'cannot find the resource' in msg
    assert 'No instance found' in msg  # the provider's words
    assert 'WMI: Not found in WMI. (0x80041002)' in msg
    assert 'server1.example.com' in msg
    fault = result['wsman_fault']
    assert fault['code'] == 2150858752
    assert fault['machine'] == 'server1.example.com'
    assert fault['soap_subcode'] == 'w:InvalidSelectors'
    assert fault['provider'] == 'WMI Provider'
    assert fault['provider_fault'] == 'No instance found with given property values.'
    assert fault['wmi_error'] == {'error_Code': '2147749890', 'Message': 'Not found in WMI.'}
    json.dumps(result)


def test_transport_result():
    result = error_result(WSManTransportError('connection refused', code=2150859026, endpoint=ENDPOINT))
    assert result['wsman_error_kind'] == 'transport'
    assert result['wsman_error_code'] == 2150859026
    assert ENDPOINT in result['msg'] and '0x80338112' in result['msg'] and 'connection refused' in result['msg']
    assert 'wsman_fault' not in result


def test_authentication_result_is_transport_too():
    result = error_result(WSManAuthenticationError('HTTP 401: the credentials were rejected', endpoint=ENDPOINT, http_status=401))
    assert result['wsman_error_kind'] == 'transport'
    assert result['wsman_error_subkind'] == 'authentication'
    assert result['http_status'] == 401
    assert 'refused the authentication' in result['msg']


def test_protocol_result():
    result = error_result(WSManProtocolError('HTTP 500 without WS-Management fault detail', code=2150859120, endpoint=ENDPOINT,
                                             http_status=500))
    assert result['wsman_error_kind'] == 'protocol'
    assert result['http_status'] == 500
    assert '2150859120' in result['msg'] and '0x80338170' in result['msg']


def test_validation_result_names_argument_and_rule():
    exc = WSManInvalidArgumentError('More than one authentication flag', code='ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS', rule='R1',
                                    argument='flags', fix='Give one of UseBasic, UseNegotiate, ...')
    result = error_result(exc)
    assert result['wsman_error_kind'] == 'validation'
    assert result['wsman_argument'] == 'flags'
    assert result['wsman_rule'] == 'R1'
    assert result['wsman_error_code'] == 2150858925
    assert 'nothing was sent' in result['msg']


def test_plain_library_error_without_code():
    result = error_result(WSManError('something odd'))
    assert result['wsman_error_code'] == 0
    assert result['wsman_error_kind'] == 'validation'
    assert 'something odd' in result['msg']


# --- wsman_instance comparison ------------------------------------------------------------------

INSTANCE = {'Name': 'WinRM', 'Enabled': 'true', 'Port': '5985', 'Description': None, 'Tags': ['a', 'b'],
            'Nested': {'A': '1', 'B': '2'}}


def test_compare_treats_wire_text_and_python_values_alike():
    assert idiff.compare({'Enabled': True, 'Port': 5985, 'Description': None, 'Tags': ['a', 'b']}, INSTANCE) == {}
    assert idiff.compare({'Enabled': 'True'}, INSTANCE) == {}
    assert idiff.compare({'Enabled': False}, INSTANCE) == {'Enabled': 'false'}  # as the Put sends it
    assert idiff.compare({'Port': '5986'}, INSTANCE) == {'Port': '5986'}
    assert idiff.compare({'Name': 'winrm'}, INSTANCE) == {'Name': 'winrm'}  # values other than booleans are exact


def test_compare_empty_list_equals_a_missing_array_and_partial_dicts():
    assert idiff.compare({'Missing': []}, INSTANCE) == {}
    assert idiff.compare({'Missing': None}, INSTANCE) == {}
    assert idiff.compare({'Missing': 'x'}, INSTANCE) == {'Missing': 'x'}
    assert idiff.compare({'Nested': {'A': 1}}, INSTANCE) == {}
    assert idiff.compare({'Nested': {'A': 3}}, INSTANCE) == {'Nested': {'A': '3'}}


def test_case_only_difference_is_an_error_naming_both():
    with pytest.raises(idiff.PropertyNameError) as caught:
        idiff.compare({'port': 1}, INSTANCE)
    assert caught.value.name == 'port' and caught.value.instance_name == 'Port'
    assert "'port'" in caught.value.message and "'Port'" in caught.value.message


def test_patch_keeps_every_other_property():
    patched = idiff.patch(INSTANCE, {'Port': 5986, 'Nested': {'A': '9'}})
    assert patched['Port'] == 5986
    assert patched['Nested'] == {'A': '9', 'B': '2'}
    assert patched['Name'] == 'WinRM' and patched['Tags'] == ['a', 'b']
    assert INSTANCE['Port'] == '5985'  # the original is untouched


def test_diff_view_drops_metadata():
    assert idiff.diff_view({'@x': 1, 'A': '1'}) == {'A': '1'}
    assert idiff.diff_view(None) == {}


# --- dest writer ---------------------------------------------------------------------------------

def test_json_lines_writer_commits_atomically(tmp_path):
    dest = tmp_path / 'items.jsonl'
    writer = _JsonLinesFile(str(dest))
    writer.write({'Name': 'é', 'n': None})
    writer.write({'Name': 'b'})
    assert not dest.exists()  # only the temporary file so far
    writer.commit()
    assert [json.loads(line) for line in dest.read_text(encoding='utf-8').splitlines()] == [{'Name': 'é', 'n': None}, {'Name': 'b'}]
    assert os.stat(dest).st_mode & 0o777 == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ['items.jsonl']


def test_json_lines_writer_abort_leaves_nothing(tmp_path):
    writer = _JsonLinesFile(str(tmp_path / 'items.jsonl'))
    writer.write({'a': 1})
    writer.abort()
    assert list(tmp_path.iterdir()) == []


def test_json_lines_writer_refuses_a_directory(tmp_path):
    with pytest.raises(TaskInputError) as caught:
        _JsonLinesFile(str(tmp_path))
    assert caught.value.argument == 'dest'


# --- input checks of run_task (a real, lazy session; nothing is sent) ---------------------------

def _session_and_params(module_name, **args):
    base = dict(connection='http://127.0.0.1:9/wsman', flags='use_basic|cred_username_password|no_encryption',
                username='u', password='Pw-7y!never', allow_unencrypted=True)
    base.update(args)
    validation = ArgumentSpecValidator(**validator_kwargs(module_name)).validate(base)
    assert not validation.error_messages, validation.error_messages
    params = validation.validated_parameters
    return session_from_params(params), params


@pytest.mark.parametrize('args, argument', [
    (dict(max_items=0), 'max_items'),
    (dict(max_envelope_size=4), 'max_envelope_size'),
    (dict(locale='not a locale!'), 'locale'),
    (dict(batch_items=0), 'batch_items'),
    (dict(filter='x', dialect='nonsense'), 'dialect'),
    (dict(filter='SELECT * FROM Win32_Service', associations=True), 'associations'),
    (dict(filter={'State': 'Running'}, dialect='wql'), 'filter'),
    (dict(filter=['a'], dialect='wql'), 'filter'),
])
def test_enumerate_input_errors_name_the_option_and_restore_the_session(args, argument):
    session, params = _session_and_params('wsman_enumerate', resource_uri='wmicimv2/*', timeout=1234, **args)
    try:
        before = (session.timeout, session.batch_items)
        with pytest.raises(WSManInvalidArgumentError) as caught:
            run_task('wsman_enumerate', params, session)
        assert caught.value.argument == argument
        assert (session.timeout, session.batch_items) == before
        assert session.requests == 0
        assert 'Pw-7y!never' not in json.dumps(error_result(caught.value))
    finally:
        session.close()


def test_unknown_module_name():
    session, params = _session_and_params('wsman_identify')
    try:
        with pytest.raises(TaskInputError):
            run_task('wsman_nothing', params, session)
    finally:
        session.close()


# --- what wsman_instance takes for "absent" -------------------------------------------------------

@pytest.mark.parametrize('fault, absent', [
    (WSManFault(code=2150858752), True),  # ERROR_WSMAN_RESOURCE_NOT_FOUND, no WMI detail
    (WSManFault(code=2150858752, wmi_error={'error_Code': '2147749890'}), True),  # WBEM_E_NOT_FOUND
    (WSManFault(code=2150858752, wmi_error={'error_Code': '2147749904'}), False),  # WBEM_E_INVALID_CLASS
    (WSManFault(code=0, soap_subcode='a:DestinationUnreachable'), True),
    (WSManFault(code=2150858813, soap_subcode='w:InvalidSelectors'), False),
    (WSManFault(code=2147942405), False),  # access denied
])
def test_not_found_faults(fault, absent):
    from ansible_collections.wsman.automation.plugins.module_utils._task_runner import _is_not_found

    assert _is_not_found(fault) is absent


def test_a_known_fault_code_says_what_to_change():
    from ansible_collections.wsman.automation.plugins.module_utils._task_runner import FAULT_HINTS

    result = error_result(WSManFault(code=0x80338137, fault_message='The service does not support the polymorphism mode.'))
    assert result['wsman_hint'] == FAULT_HINTS[0x80338137]
    assert 'remove hierarchy' in result['msg']


def test_validation_errors_name_the_module_options_not_the_library_attributes():
    from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError as _Invalid

    result = error_result(_Invalid('flags: UseClientCertificate needs a certificate; set certificate_pem and certificate_key_pem',
                                   code=2150858932, argument='certificate_pem'))
    assert 'client_cert' in result['msg'] and 'client_key' in result['msg'] and 'certificate_pem' not in result['msg']
    assert result['wsman_argument'] == 'client_cert'
