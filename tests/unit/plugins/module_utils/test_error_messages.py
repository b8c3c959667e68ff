# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Error results name what the user sets and say what to do: the walkthrough of an administrator against the lab.

* fix texts name the module option (module mode) or the host variable (wsman connection), never a library name;
* Basic over HTTP refused with 401 points at the service's AllowUnencrypted (R10, R23);
* w:AccessDenied (WSManFault Code 5) and the fragment-path fault have a Windows name and a hint;
* "connection_options" is never reported as the argument: the option the task set is;
* a user name with a control character (a backslash read as an escape) is refused before anything is sent.
"""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wsman.automation.plugins.module_utils._connection_options import ConnectionOptions
from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    WSManAuthenticationError,
    WSManFault,
    WSManInvalidArgumentError,
    error_name,
)
from ansible_collections.wsman.automation.plugins.module_utils._module_args import session_from_params, validator_kwargs
from ansible_collections.wsman.automation.plugins.module_utils._task_runner import FAULT_HINTS, error_result, run_task
from ansible_collections.wsman.automation.plugins.plugin_utils._connection_settings import HOST_VARIABLES
from ansible_collections.wsman.automation.tests.unit.lab_endpoint import start_lab

PASSWORD = 'Walk-Thr0ugh!pw'
E_INVALIDARG = 0x80070057


def _params(module_name='wsman_get', **args):
    base = dict(resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'WinRM'})
    base.update(args)
    validation = ArgumentSpecValidator(**validator_kwargs(module_name)).validate(base)
    assert not validation.error_messages, validation.error_messages
    return validation.validated_parameters


def _validation_error(**args):
    params = _params(**args)
    with pytest.raises(WSManInvalidArgumentError) as caught:
        session_from_params(params).close()
    return caught.value, params


# --- A: the fix names what the user sets ------------------------------------------------------------------------

def test_r8_names_trusted_hosts_option_in_module_mode_and_host_variable_on_the_connection():
    # Negotiate over HTTP to a host that is not trusted: R8, ERROR_WSMAN_SERVER_NOT_TRUSTED 0x803380E4 (facts 3.2)
    exc, params = _validation_error(connection='win1.example.com', flags='UseNegotiate|CredUsernamePassword',
                                    username='EXAMPLE\\ansible', password=PASSWORD)
    assert exc.code == 0x803380E4
    module = error_result(exc, params)
    assert 'add win1.example.com to trusted_hosts ' in module['msg']
    assert 'ClientConfig' not in module['msg']
    connection = error_result(exc, params, settings_names=HOST_VARIABLES)
    assert 'add win1.example.com to ansible_wsman_trusted_hosts ' in connection['msg']
    assert 'is not in ansible_wsman_trusted_hosts' in connection['msg']
    assert 'ClientConfig' not in connection['msg']
    assert connection['wsman_argument'] == 'connection'
    assert PASSWORD not in json.dumps([module, connection])


def test_r23_names_allow_unencrypted_option_or_host_variable():
    # NoEncryption without the client's AllowUnencrypted: R23, ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED 0x803380DE
    exc, params = _validation_error(connection='http://127.0.0.1:5985', flags='UseNegotiate|CredUsernamePassword|NoEncryption',
                                    username='u', password=PASSWORD)
    assert exc.code == 0x803380DE
    module = error_result(exc, params)['msg']
    assert 'Set allow_unencrypted to true' in module and 'ClientConfig' not in module
    connection = error_result(exc, params, settings_names=HOST_VARIABLES)['msg']
    assert 'Set ansible_wsman_allow_unencrypted to true' in connection and 'ClientConfig' not in connection


def test_r30_no_proxy_names_the_proxy_access_type_choice():
    # ProxyNoProxyServer with proxy credentials: R30, ERROR_WSMAN_INVALID_OPTION_NO_PROXY_SERVER 0x8033819D
    exc, params = _validation_error(connection='https://win1.example.com', flags='UseNegotiate|CredUsernamePassword',
                                    username='u', password=PASSWORD, proxy_access_type='no_proxy', proxy_username='p',
                                    proxy_password='proxy-' + PASSWORD, proxy_auth='basic')
    assert exc.code == 0x8033819D
    module = error_result(exc, params)
    assert 'proxy_access_type: no_proxy' in module['msg'] and 'ProxyNoProxyServer' not in module['msg']
    connection = error_result(exc, params, settings_names=HOST_VARIABLES)
    assert 'ansible_wsman_proxy_access_type: no_proxy' in connection['msg']
    assert module['wsman_argument'] == 'proxy_access_type'


def test_domain_joined_is_named_as_option_or_host_variable():
    # Kerberos with implicit credentials from a workgroup controller: R6, 0x8033810C
    exc, params = _validation_error(connection='win1.example.com', flags='UseKerberos')
    assert exc.code == 0x8033810C
    assert '(domain_joined is false)' in error_result(exc, params)['msg']
    assert '(ansible_wsman_domain_joined is false)' in error_result(exc, params, settings_names=HOST_VARIABLES)['msg']


# --- E: connection_options is not an option ----------------------------------------------------------------------

def test_local_session_credentials_name_username_not_connection_options():
    # an empty connection string is a local session, which takes no credentials: R21, 0x803380B8
    exc, params = _validation_error(connection='', username='EXAMPLE\\ansible', password=PASSWORD)
    assert exc.code == 0x803380B8 and exc.argument == 'connection_options'
    result = error_result(exc, params)
    assert result['wsman_argument'] == 'username'
    assert 'connection_options' not in result['msg']
    assert 'nothing was sent: username: a local session' in result['msg']
    only_password = error_result(exc, dict(params, username=None))
    assert only_password['wsman_argument'] == 'password'


def test_local_session_certificate_names_client_cert(tmp_path):
    cert = tmp_path / 'client.pem'
    cert.write_text('not parsed before the rules run\n')
    exc, params = _validation_error(connection='', client_cert=str(cert))
    assert exc.code == 0x803380B9
    result = error_result(exc, params)
    assert result['wsman_argument'] == 'client_cert'
    assert 'connection_options' not in result['msg']


# --- F: a user name with a control character ---------------------------------------------------------------------

@pytest.mark.parametrize('typed, read_as', [
    ('.\\administrator', '.\x07dministrator'),     # ad-hoc -a 'username=.\administrator': \a is BEL
    ('LAB01\\tom', 'LAB01\tom'),                   # \t is a tab
    ('LAB01\\nick', 'LAB01\nick'),                 # \n is a line feed
])
def test_user_name_with_a_control_character_is_refused_naming_username(typed, read_as):
    del typed
    with pytest.raises(WSManInvalidArgumentError) as caught:
        ConnectionOptions(username=read_as)
    exc = caught.value
    assert exc.argument == 'username'
    assert exc.code == E_INVALIDARG
    control = next(char for char in read_as if ord(char) < 32)
    assert 'control character U+%04X' % ord(control) in exc.message
    assert 'DOMAIN\\\\user' in exc.message          # the doubled backslash of the fix


def test_user_name_check_runs_before_anything_is_sent_and_spares_the_password():
    exc, params = _validation_error(connection='http://127.0.0.1:9', flags='UseNegotiate|CredUsernamePassword',
                                    username='.\x07dministrator', password=PASSWORD)
    result = error_result(exc, params)
    assert result['wsman_error_kind'] == 'validation'
    assert result['wsman_argument'] == 'username'
    assert PASSWORD not in json.dumps(result)
    # passwords may hold anything printable and are not checked; a proper user name is accepted
    options = ConnectionOptions(username='LAB01\\ansible', password='tab\there')
    assert options.username == 'LAB01\\ansible' and options.has_password
    with pytest.raises(WSManInvalidArgumentError) as caught:
        options.set_proxy('winhttp_settings', 'basic', 'proxy\x08user', 'pw')
    assert caught.value.argument == 'proxy_username'


# --- C: names and hints of faults --------------------------------------------------------------------------------

def test_access_denied_and_fragment_codes_have_windows_names():
    assert error_name(5) == 'ERROR_ACCESS_DENIED'
    assert error_name(2150858899) == 'ERROR_WSMAN_INVALID_FRAGMENT_PATH'   # 0x80338093, facts 5 "bad path"
    assert error_name(0x80338092) == 'ERROR_WSMAN_INVALID_FRAGMENT_DIALECT'
    assert error_name(E_INVALIDARG) == 'E_INVALIDARG'
    for code in (5, 0x80070005, 0x80338093):
        assert code in FAULT_HINTS


@pytest.fixture(scope='module')
def lab_basic_http(tmp_path_factory):
    """Basic enabled, HTTP only, a non-administrator account, AllowUnencrypted=true."""
    endpoint = start_lab(tmp_path_factory.mktemp('lab'), basic=True, allow_unencrypted=True, https=False, services=5,
                         users={'labadmin': PASSWORD, 'viewer': 'Viewer-' + PASSWORD}, non_admin='viewer')
    yield endpoint
    endpoint.stop()


def _basic_params(endpoint, username, password, **args):
    return _params(connection=endpoint.http_url, flags='use_basic|cred_username_password|no_encryption',
                   username=username, password=password, allow_unencrypted=True, **args)


def _run(module_name, params):
    session = session_from_params(params)
    try:
        return run_task(module_name, params, session)
    finally:
        session.close()


def test_non_admin_account_gets_access_denied_with_name_and_hint(lab_basic_http):
    params = _basic_params(lab_basic_http, 'viewer', 'Viewer-' + PASSWORD)
    with pytest.raises(WSManFault) as caught:
        _run('wsman_get', params)
    assert caught.value.code == 5
    result = error_result(caught.value, params)
    assert result['wsman_fault']['error_name'] == 'ERROR_ACCESS_DENIED'
    assert 'ERROR_ACCESS_DENIED 5 (0x00000005)' in result['msg']
    assert 'What to do:' in result['msg'] and 'local Administrators' in result['msg']
    assert 'Remote Management Users' in result['wsman_hint'] and 'SDDL' in result['wsman_hint']
    assert 'Viewer-' + PASSWORD not in json.dumps(result)


def test_bad_fragment_path_fault_has_name_and_hint(lab_basic_http):
    params = _basic_params(lab_basic_http, 'labadmin', PASSWORD, fragment='NoSuchProperty')
    with pytest.raises(WSManFault) as caught:
        _run('wsman_get', params)
    assert caught.value.code == 0x80338093
    result = error_result(caught.value, params)
    assert result['wsman_fault']['error_name'] == 'ERROR_WSMAN_INVALID_FRAGMENT_PATH'
    assert 'case-sensitive' in result['wsman_hint']


# --- B: Basic over HTTP refused by a service that does not allow unencrypted traffic -------------------------------

def test_basic_over_http_401_points_at_the_service_allow_unencrypted(tmp_path):
    endpoint = start_lab(tmp_path / 'lab', basic=True, allow_unencrypted=False, https=False, services=5,
                         users={'labadmin': PASSWORD})
    try:
        params = _basic_params(endpoint, 'labadmin', PASSWORD)
        with pytest.raises(WSManAuthenticationError) as caught:
            _run('wsman_get', params)
    finally:
        endpoint.stop()
    exc = caught.value
    assert exc.http_status == 401
    assert 'AllowUnencrypted=true' in exc.message and 'winrm/config/service' in exc.message
    assert 'R23' in exc.message and 'HTTPS' in exc.message
    assert PASSWORD not in exc.message


def test_proxy_user_without_mechanism_names_proxy_auth_option_or_host_variable():
    # a proxy user name without a proxy authentication mechanism: R31, ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_PROXY_AUTHENTICATION
    exc, params = _validation_error(connection='https://win1.example.com', flags='UseNegotiate|CredUsernamePassword',
                                    username='u', password=PASSWORD, proxy='http://proxy.example.com:3128',
                                    proxy_username='p', proxy_password='proxy-' + PASSWORD)
    assert exc.code == 0x8033819B
    module = error_result(exc, params)['msg']
    assert 'Set proxy_auth to basic, digest or negotiate' in module
    connection = error_result(exc, params, settings_names=HOST_VARIABLES)['msg']
    assert 'Set ansible_wsman_proxy_auth to basic, digest or negotiate' in connection
    assert 'proxy-' + PASSWORD not in module + connection
