# Copyright: (c) 2026, wsman.automation developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Option resolution of the wsman.automation.wsman connection plugin (table-driven, as ansible-core's test_winrm)."""

from __future__ import annotations

import pytest

from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader

from ansible_collections.wsman.automation.plugins.plugin_utils._connection_settings import (
    build_connection_string,
    session_params,
    task_defaults,
)

PASSWORD = 'S3cret-Pa55!'


def _connection(var_options, direct=None):
    conn = connection_loader.get('wsman.automation.wsman', PlayContext(), '/dev/null')
    assert conn is not None, 'the collection loader did not find wsman.automation.wsman'
    conn.set_options(var_options=var_options, direct=direct)
    return conn


@pytest.mark.parametrize('host, port, expected', [
    ('win.example.com', None, 'win.example.com'),            # no scheme, no port: CreateSession picks 5985/5986 (facts 1.3)
    ('win.example.com', 5986, 'win.example.com:5986'),
    ('192.0.2.10', 80, '192.0.2.10:80'),
    ('2001:db8::10', None, '[2001:db8::10]'),                 # IPv6 literals need brackets (facts 1.1)
    ('2001:db8::10', 5985, '[2001:db8::10]:5985'),
    ('[2001:db8::10]', 5985, '[2001:db8::10]:5985'),         # already bracketed: kept
    ('::1', None, '[::1]'),
    ('fe80::1%eth0', None, '[fe80::1%eth0]'),
    ('https://win.example.com/wsman', None, 'https://win.example.com/wsman'),
    ('', None, None),
    (None, 5985, None),
])
def test_build_connection_string(host, port, expected):
    assert build_connection_string(host, port) == expected


@pytest.mark.parametrize('variables, expected', [
    # inventory_hostname alone
    ({'inventory_hostname': 'win1.example.com'},
     {'connection': 'win1.example.com'}),
    # ansible_host wins over inventory_hostname, ansible_port is appended
    ({'inventory_hostname': 'win1', 'ansible_host': '192.0.2.5', 'ansible_port': 5986},
     {'connection': '192.0.2.5:5986'}),
    # ansible_wsman_connection wins over host and port
    ({'inventory_hostname': 'win1', 'ansible_host': '192.0.2.5', 'ansible_port': 1,
      'ansible_wsman_connection': 'https://win1.example.com:5986/wsman'},
     {'connection': 'https://win1.example.com:5986/wsman'}),
    # IPv6 host with a port
    ({'inventory_hostname': 'v6', 'ansible_host': '2001:db8::7', 'ansible_port': 5985},
     {'connection': '[2001:db8::7]:5985'}),
    # credentials from the generic variables
    ({'inventory_hostname': 'h', 'ansible_user': 'EXAMPLE\\ansible', 'ansible_password': PASSWORD},
     {'connection': 'h', 'username': 'EXAMPLE\\ansible', 'password': PASSWORD}),
    # the wsman-specific variables win over the generic ones (the last variable listed wins)
    ({'inventory_hostname': 'h', 'ansible_user': 'generic', 'ansible_wsman_user': 'specific',
      'ansible_password': 'generic-pw', 'ansible_wsman_password': PASSWORD},
     {'connection': 'h', 'username': 'specific', 'password': PASSWORD}),
    ({'inventory_hostname': 'h', 'ansible_wsman_pass': PASSWORD},
     {'connection': 'h', 'password': PASSWORD}),
    # flags pass through in every accepted form; the library parses them
    ({'inventory_hostname': 'h', 'ansible_wsman_flags': 'UseNegotiate|CredUsernamePassword'},
     {'connection': 'h', 'flags': 'UseNegotiate|CredUsernamePassword'}),
    ({'inventory_hostname': 'h', 'ansible_wsman_flags': ['use_basic', 'cred_username_password']},
     {'connection': 'h', 'flags': ['use_basic', 'cred_username_password']}),
    ({'inventory_hostname': 'h', 'ansible_wsman_flags': 0x1000 | 0x40000},
     {'connection': 'h', 'flags': 0x41000}),
    # TLS, proxy and machine-state options
    ({'inventory_hostname': 'h', 'ansible_wsman_ca_file': '/etc/ca.pem', 'ansible_wsman_crl_file': '/etc/crl.pem',
      'ansible_wsman_client_cert': '/etc/c.pem', 'ansible_wsman_client_key': '/etc/k.pem'},
     {'connection': 'h', 'ca_file': '/etc/ca.pem', 'crl_file': '/etc/crl.pem', 'client_cert': '/etc/c.pem',
      'client_key': '/etc/k.pem'}),
    ({'inventory_hostname': 'h', 'ansible_wsman_proxy_access_type': 'winhttp_settings',
      'ansible_wsman_proxy': 'http://proxy.example.com:3128', 'ansible_wsman_proxy_auth': 'basic',
      'ansible_wsman_proxy_username': 'pu', 'ansible_wsman_proxy_password': 'pp'},
     {'connection': 'h', 'proxy_access_type': 'winhttp_settings', 'proxy': 'http://proxy.example.com:3128',
      'proxy_auth': 'basic', 'proxy_username': 'pu', 'proxy_password': 'pp'}),
    ({'inventory_hostname': 'h', 'ansible_wsman_trusted_hosts': '*.example.com', 'ansible_wsman_allow_unencrypted': True,
      'ansible_wsman_domain_joined': 'yes'},
     {'connection': 'h', 'trusted_hosts': '*.example.com', 'allow_unencrypted': True, 'domain_joined': True}),
])
def test_session_params_from_host_variables(variables, expected):
    conn = _connection(variables)
    assert session_params(conn.get_option) == expected


@pytest.mark.parametrize('variables, expected', [
    ({'inventory_hostname': 'h'}, {}),
    ({'inventory_hostname': 'h', 'ansible_wsman_operation_timeout': 30, 'ansible_wsman_batch_items': 500,
      'ansible_wsman_locale': 'de-DE', 'ansible_wsman_max_envelope_size': 512},
     {'timeout': 30, 'batch_items': 500, 'locale': 'de-DE', 'max_envelope_size': 512}),
])
def test_per_operation_defaults(variables, expected):
    conn = _connection(variables)
    assert task_defaults(conn.get_option) == expected
    # per-operation settings are task defaults, never part of the session's identity
    assert not set(expected.values()) & set(session_params(conn.get_option).values())


@pytest.mark.parametrize('option, default', [
    ('persistent_connect_timeout', 30),
    ('persistent_command_timeout', 120),
])
def test_persistent_option_defaults(option, default):
    assert _connection({'inventory_hostname': 'h'}).get_option(option) == default


def test_persistent_options_from_variables():
    conn = _connection({'inventory_hostname': 'h', 'ansible_connect_timeout': 5, 'ansible_command_timeout': 600})
    assert conn.get_option('persistent_connect_timeout') == 5
    assert conn.get_option('persistent_command_timeout') == 600


def test_persistent_log_messages_is_hidden_from_the_raw_logger():
    """ansible-connection would log raw JSON-RPC (with set_options' password); it must read False."""
    conn = _connection({'inventory_hostname': 'h', 'ansible_persistent_log_messages': True})
    assert conn.get_option('persistent_log_messages') is False
    # ...while the value still travels to the connection process with the other options
    assert conn.get_options()['persistent_log_messages'] is True
    assert conn._logging_enabled() is True
    assert _connection({'inventory_hostname': 'h'}).get_options()['persistent_log_messages'] is False


BASE = {'inventory_hostname': 'h', 'ansible_host': '127.0.0.1', 'ansible_port': 5985, 'ansible_user': 'LAB01\\ansible',
        'ansible_password': PASSWORD, 'ansible_wsman_flags': 'UseNegotiate|CredUsernamePassword'}


@pytest.mark.parametrize('change', [
    {'ansible_password': 'another-password'},
    {'ansible_user': 'LAB01\\other'},
    {'ansible_wsman_flags': 'UseBasic|CredUsernamePassword'},
    {'ansible_port': 5986},
    {'ansible_wsman_connection': 'https://127.0.0.1:5986/wsman'},
    {'ansible_wsman_ca_file': '/etc/ca.pem'},
    {'ansible_wsman_trusted_hosts': '*'},
    {'ansible_wsman_allow_unencrypted': True},
    {'ansible_wsman_domain_joined': True},
    {'ansible_wsman_proxy_password': 'x'},
])
def test_digest_changes_with_every_session_option(change):
    before = _connection(BASE).options_digest()
    after = _connection(dict(BASE, **change)).options_digest()
    assert before != after


@pytest.mark.parametrize('change', [
    {'ansible_wsman_operation_timeout': 10},
    {'ansible_wsman_batch_items': 7},
    {'ansible_wsman_locale': 'fr-FR'},
    {'ansible_connect_timeout': 99},
    {'ansible_command_timeout': 99},
    {'ansible_persistent_log_messages': True},
])
def test_digest_ignores_per_operation_and_persistent_options(change):
    assert _connection(BASE).options_digest() == _connection(dict(BASE, **change)).options_digest()


def test_digest_is_stable_and_does_not_reveal_the_password():
    first = _connection(BASE).options_digest()
    assert first == _connection(dict(BASE)).options_digest()
    assert PASSWORD not in first
    assert len(first) == 64 and int(first, 16) >= 0


def test_digest_same_in_worker_and_connection_process():
    """The worker passes get_options() to ansible-connection, which calls set_options(direct=...)."""
    worker = _connection(BASE)
    process = connection_loader.get('wsman.automation.wsman', PlayContext(), '/dev/null')
    process.set_options(direct=worker.get_options())
    assert process.options_digest() == worker.options_digest()


def test_ask_pass_password_is_used_when_no_password_variable():
    play_context = PlayContext()
    play_context.password = PASSWORD
    conn = connection_loader.get('wsman.automation.wsman', play_context, '/dev/null')
    conn.set_options(var_options={'inventory_hostname': 'h'})
    assert session_params(conn._session_option)['password'] == PASSWORD


def test_set_options_records_option_sets_per_digest():
    conn = _connection(BASE)
    first = conn.options_digest()
    conn.set_options(var_options=dict(BASE, ansible_password='changed'))
    second = conn.options_digest()
    assert first != second
    assert conn._option_sets[first]['password'] == PASSWORD
    assert conn._option_sets[second]['password'] == 'changed'
    for index in range(20):
        conn.set_options(var_options=dict(BASE, ansible_password='p%d' % index))
    assert len(conn._option_sets) <= 8
    assert first not in conn._option_sets


def test_connect_is_lazy():
    conn = _connection(BASE)
    conn._connect()
    assert conn.connected
    assert conn._session is None
    assert conn.wsman_stats()['session_open'] is False


def test_marker_and_persistence_flags():
    conn = _connection(BASE)
    assert conn._wsman_connection is True
    # the action plugins reach the persistent process through control_socket(); the executor must not start the
    # ansible-connection helper before every task (that costs a Python process per task)
    assert conn.force_persistence is False
    assert conn.supports_persistence is False
    assert conn._remote_is_local is True


# -- the session held by the connection process (the library is real; nothing here needs a service) ----------------

def _closed_port():
    import socket
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_session_is_reused_for_the_same_options_and_rebuilt_when_the_password_changes():
    conn = _connection(BASE)
    digest = conn.options_digest()
    first = conn._session_for(digest)
    assert conn._session_for(digest) is first
    assert conn._counters['sessions_created'] == 1

    conn.set_options(var_options=dict(BASE, ansible_password='a-new-password'))
    new_digest = conn.options_digest()
    second = conn._session_for(new_digest)
    assert second is not first
    assert conn._counters == {'tasks': 0, 'sessions_created': 2, 'sessions_closed': 1}
    assert conn._option_sets[new_digest]['password'] == 'a-new-password'


def test_hosts_sharing_one_process_each_get_their_own_options():
    """Two hosts with the same address, port and user share a control socket; the digest picks the options."""
    conn = _connection(BASE)
    first_digest = conn.options_digest()
    conn.set_options(var_options=dict(BASE, ansible_wsman_user='LAB01\\other', ansible_password='other-password'))
    second_digest = conn.options_digest()
    # the task of the first host arrives after the second host's set_options
    conn._session_for(first_digest)
    assert conn._session_digest == first_digest
    assert conn._session._settings.options.username == 'LAB01\\ansible'
    conn._session_for(second_digest)
    assert conn._session_digest == second_digest
    assert conn._session._settings.options.username == 'LAB01\\other'


def test_wsman_task_reports_bad_flags_as_validation_data():
    conn = _connection(dict(BASE, ansible_wsman_flags='UseBasic|UseNegotiate|CredUsernamePassword'))
    reply = conn.wsman_task('wsman_identify', {}, options_digest=conn.options_digest())
    assert set(reply) == {'error'}
    assert reply['error']['wsman_error_kind'] == 'validation'
    assert reply['error']['wsman_error_code'] == 0x803380AD   # ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS (R1)
    # on this connection the flags come from a host variable, and the message says which
    assert reply['error']['wsman_host_variable'] == 'ansible_wsman_flags'
    assert 'ansible_wsman_flags' in reply['error']['msg']
    assert PASSWORD not in repr(reply)
    assert conn._session is None


def test_wsman_task_reports_a_closed_port_as_transport_data_and_drops_the_session():
    port = _closed_port()
    conn = _connection(dict(BASE, ansible_port=port))
    reply = conn.wsman_task('wsman_identify', {'return_xml': False}, options_digest=conn.options_digest())
    assert set(reply) == {'error'}
    assert reply['error']['wsman_error_kind'] == 'transport'
    assert '127.0.0.1:%d' % port in reply['error']['msg']
    assert PASSWORD not in repr(reply)
    assert conn._session is None
    assert conn.wsman_stats()['tasks'] == 1


def test_wsman_task_with_unknown_options_digest_fails_cleanly():
    conn = _connection(BASE)
    reply = conn.wsman_task('wsman_identify', {}, options_digest='0' * 64)
    assert reply['error']['wsman_error_kind'] == 'internal'
    assert 'no record of the options' in reply['error']['msg']


def test_logging_warns_once_and_records_never_hold_the_password():
    variables = dict(BASE, ansible_persistent_log_messages=True, ansible_wsman_flags='UseBasic|UseNegotiate')
    conn = _connection(variables)
    conn.set_options(var_options=variables)
    conn.set_options(var_options=variables)
    conn.wsman_task('wsman_get', {'resource_uri': 'wmicimv2/Win32_Service'}, options_digest=conn.options_digest())
    messages = conn.pop_messages()
    assert [level for level, _text in messages].count('warning') == 1
    assert any(level == 'log' and 'wsman_get -> error (validation)' in text for level, text in messages)
    assert PASSWORD not in repr(messages)


def test_wsman_task_fix_texts_name_the_host_variables():
    """R8 (ERROR_WSMAN_SERVER_NOT_TRUSTED 0x803380E4): Negotiate over HTTP to a host not in the trusted hosts.

    The fix names the host variable the user sets, not the library's ClientConfig.trusted_hosts."""
    variables = dict(BASE, inventory_hostname='win1.example.com', ansible_host='win1.example.com')
    conn = _connection(variables)
    reply = conn.wsman_task('wsman_identify', {}, options_digest=conn.options_digest())
    error = reply['error']
    assert error['wsman_error_code'] == 0x803380E4
    assert 'add win1.example.com to ansible_wsman_trusted_hosts' in error['msg']
    assert 'ClientConfig' not in error['msg'] and '(ClientConfig.' not in error['msg']
    # the connection string comes from ansible_wsman_connection, or from ansible_host and ansible_port
    assert error['wsman_host_variable'] == 'ansible_wsman_connection'
    assert 'made from ansible_host' in error['msg']
    assert PASSWORD not in repr(reply)


def test_wsman_task_allow_unencrypted_names_the_host_variable():
    """R23 (ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED 0x803380DE): NoEncryption without ansible_wsman_allow_unencrypted."""
    conn = _connection(dict(BASE, ansible_wsman_flags='UseNegotiate|CredUsernamePassword|NoEncryption'))
    error = conn.wsman_task('wsman_identify', {}, options_digest=conn.options_digest())['error']
    assert error['wsman_error_code'] == 0x803380DE
    assert 'Set ansible_wsman_allow_unencrypted to true' in error['msg']
    assert 'ClientConfig' not in error['msg']


def test_wsman_task_user_name_with_a_control_character_names_ansible_user():
    # inventory: ansible_user: "LAB01\tom" in double quotes is LAB01<TAB>om
    conn = _connection(dict(BASE, ansible_user='LAB01\tom'))
    error = conn.wsman_task('wsman_identify', {}, options_digest=conn.options_digest())['error']
    assert error['wsman_error_kind'] == 'validation'
    assert error['wsman_argument'] == 'username'
    assert error['wsman_host_variable'] == 'ansible_user'
    assert 'U+0009' in error['msg'] and 'DOMAIN\\\\user' in error['msg']
    assert PASSWORD not in error['msg']


def test_host_variable_table_matches_the_plugin_documentation():
    """Every host variable a message names is one the connection plugin reads for that option."""
    import yaml

    from ansible_collections.wsman.automation.plugins.connection import wsman as plugin
    from ansible_collections.wsman.automation.plugins.plugin_utils._connection_settings import (
        HOST_VARIABLES,
        OPTION_TO_PARAM,
        OPTION_TO_TASK_DEFAULT,
    )

    options = yaml.safe_load(plugin.DOCUMENTATION)['options']
    by_param = dict((param, option) for option, param in list(OPTION_TO_PARAM.items()) + list(OPTION_TO_TASK_DEFAULT.items()))
    by_param['connection'] = 'connection_string'
    for param, variable in HOST_VARIABLES.items():
        assert variable in [item['name'] for item in options[by_param[param]]['vars']], (param, variable)
