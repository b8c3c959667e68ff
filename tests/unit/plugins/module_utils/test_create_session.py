# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""WSMan.create_session end to end: validation, no network I/O, the Session it returns (facts §1.5, §3)."""

from __future__ import annotations

import socket

import pytest

from ansible_collections.wsman.automation.plugins.module_utils import wsman as public
from ansible_collections.wsman.automation.plugins.module_utils._session import Session
from ansible_collections.wsman.automation.plugins.module_utils._settings import SessionSettings
from ansible_collections.wsman.automation.plugins.module_utils.wsman import (
    ClientConfig,
    ConnectionOptions,
    SessionFlag,
    WSMan,
    WSManError,
    WSManInvalidArgumentError,
    WSManTransportError,
)

PASSWORD = 'create-session-S3cret'


def _options(username='user', password=PASSWORD):
    options = WSMan.create_connection_options()
    options.username = username
    options.password = password
    return options


def _closed_loopback_port():
    """A loopback port nothing listens on: bind, read the port, close."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(('127.0.0.1', 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


@pytest.fixture
def no_network(monkeypatch):
    """Fail the test if anything resolves a name or opens a connection."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError('network I/O during create_session: %r' % (args,))

    monkeypatch.setattr(socket, 'getaddrinfo', refuse)
    monkeypatch.setattr(socket, 'gethostbyname', refuse)
    monkeypatch.setattr(socket, 'create_connection', refuse)
    monkeypatch.setattr(socket.socket, 'connect', refuse)
    return calls


def test_public_surface_exports():
    for name in ('WSMan', 'ClientConfig', 'ConnectionOptions', 'SessionFlag', 'EnumerationFlag', 'ProxyAccessType',
                 'ProxyAuthentication', 'parse_flags', 'parse_connection', 'Endpoint', 'WSManError',
                 'WSManInvalidArgumentError', 'WSManTransportError', 'WSManAuthenticationError', 'WSManProtocolError',
                 'WSManFault', 'ERROR_CODES', 'error_name'):
        assert name in public.__all__
        assert getattr(public, name) is not None


def test_issue_example_loopback_negotiate_with_credentials(no_network):
    # The Ansible issue's example: http://127.0.0.1:5985 + UseNegotiate|CredUsernamePassword + credentials.
    session = WSMan().create_session('http://127.0.0.1:5985', 'UseNegotiate|CredUsernamePassword', _options())
    assert isinstance(session, Session)
    settings = session.settings
    assert isinstance(settings, SessionSettings)
    assert settings.endpoint.url == 'http://127.0.0.1:5985/wsman'
    assert settings.flags == SessionFlag.USE_NEGOTIATE | SessionFlag.CRED_USERNAME_PASSWORD
    assert settings.auth.mechanism == 'negotiate'
    assert settings.auth.encrypt_messages is True
    assert settings.utf16 is False and settings.charset == 'utf-8'
    assert settings.options.password_secret.reveal() == PASSWORD
    assert not no_network


@pytest.mark.parametrize('connection, flags, config', [
    ('https://server1.example.com', 0, ClientConfig(domain_joined=True)),
    ('https://unresolvable-host.invalid:5986/wsman', 'UseBasic|CredUsernamePassword', None),
    ('[2001:db8::10]', 'UseSsl|UseNegotiate|CredUsernamePassword', None),
    (None, 0, None),
])
def test_create_session_does_no_network_io(no_network, connection, flags, config):
    needs_creds = 'Cred' in str(flags)
    session = WSMan(config).create_session(connection, flags, _options() if needs_creds else None)
    assert isinstance(session, Session)
    assert not no_network


def test_first_operation_on_closed_port_fails_with_transport_error():
    port = _closed_loopback_port()
    session = WSMan().create_session('http://127.0.0.1:%d' % port, 'UseNegotiate|CredUsernamePassword', _options())
    with pytest.raises(WSManTransportError) as info:
        session.identify()
    assert PASSWORD not in str(info.value)
    assert '127.0.0.1' in str(info.value)
    session.close()


def test_no_authentication_identify_on_closed_port_fails_with_transport_error():
    port = _closed_loopback_port()
    session = WSMan().create_session('http://127.0.0.1:%d/wsman' % port, SessionFlag.USE_NO_AUTHENTICATION)
    with pytest.raises(WSManTransportError):
        session.identify()
    session.close()


def test_local_session():
    session = WSMan().create_session()
    assert session.settings.endpoint.is_local
    assert session.settings.endpoint.url == 'http://localhost:5985/wsman'
    assert session.settings.auth.implicit_credentials
    with pytest.raises(WSManInvalidArgumentError) as info:  # R22
        session.identify()
    assert info.value.error_name == 'ERROR_WSMAN_NO_IDENTIFY_FOR_LOCAL_SESSION'


def test_local_session_with_credentials_is_refused():
    with pytest.raises(WSManInvalidArgumentError) as info:
        WSMan().create_session(None, 'CredUsernamePassword', _options())
    assert info.value.error_name == 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CREDS'
    assert PASSWORD not in str(info.value)


@pytest.mark.parametrize('flags', [
    SessionFlag.USE_BASIC | SessionFlag.CRED_USERNAME_PASSWORD | SessionFlag.USE_SSL,
    0x8041000,
    'UseBasic|CredUsernamePassword|UseSsl',
    'WSManFlagUseBasic, SessionFlagCredUsernamePassword, use_ssl',
    ['use_basic', 'cred_username_password', 'use_ssl'],
    ['UseBasic', 4096, '0x8000000'],
])
def test_flag_forms(flags):
    session = WSMan().create_session('server1.example.com', flags, _options())
    assert session.settings.flags == 0x8041000
    assert session.settings.endpoint.url == 'https://server1.example.com:5986/wsman'
    assert session.settings.auth.mechanism == 'basic'


def test_utf16_flag_sets_charset():
    session = WSMan().create_session('https://h', 'UseBasic|CredUsernamePassword|UTF16', _options())
    assert session.settings.utf16 is True
    assert session.settings.charset == 'utf-16'


def test_options_are_snapshotted():
    options = _options()
    session = WSMan().create_session('https://h', 'UseBasic|CredUsernamePassword', options)
    options.username = 'changed'
    options.password = 'changed-password'
    assert session.settings.options.username == 'user'
    assert session.settings.options.password_secret.reveal() == PASSWORD


def test_settings_describe_holds_no_secret():
    session = WSMan().create_session('https://h', 'UseBasic|CredUsernamePassword', _options())
    text = session.settings.describe() + repr(session.settings) + repr(session)
    assert PASSWORD not in text
    assert 'https://h:443/wsman' in text and 'basic' in text


@pytest.mark.parametrize('connection, flags, options, name', [
    ('ftp://h', 0, None, 'ERROR_WSMAN_TRANSPORT_NOT_SUPPORTED'),
    ('h:0', 0, None, 'ERROR_WSMAN_PORT_INVALID'),
    ('1::2', 0, None, 'ERROR_WSMAN_CONNECTIONSTR_INVALID'),
    ('http://h', 'UseSsl', None, 'ERROR_WSMAN_INVALID_USESSL_PARAM'),
    ('https://h', 'UseFoo', None, 'ERROR_WSMAN_CLIENT_INVALID_FLAG'),
    ('https://h', 0x10000000, None, 'ERROR_WSMAN_CLIENT_INVALID_FLAG'),
    ('https://h', 'UseBasic|UseKerberos', None, 'ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS'),
    ('https://h', 'UseBasic', None, 'ERROR_WSMAN_CLIENT_USERNAME_PASSWORD_NEEDED'),
    ('https://h', 'CredUsernamePassword|UseNegotiate', ConnectionOptions(), 'ERROR_WSMAN_CLIENT_CREDENTIALS_NEEDED'),
    ('http://h', 'UseBasic|CredUsernamePassword', 'creds', 'ERROR_WSMAN_SERVER_NOT_TRUSTED'),
])
def test_validation_errors_come_from_create_session(no_network, connection, flags, options, name):
    if options == 'creds':
        options = _options()
    with pytest.raises(WSManInvalidArgumentError) as info:
        WSMan().create_session(connection, flags, options)
    assert info.value.error_name == name
    assert PASSWORD not in str(info.value)
    assert not no_network


def test_wrong_argument_types():
    with pytest.raises(WSManInvalidArgumentError) as info:
        WSMan().create_session('https://h', 0, {'username': 'u'})
    assert info.value.argument == 'connection_options'
    with pytest.raises(WSManInvalidArgumentError) as info:
        WSMan(client_config={'trusted_hosts': '*'})
    assert info.value.argument == 'client_config'
    with pytest.raises(WSManError):
        WSMan().create_session(12345)


def test_client_config_drives_trust():
    options = _options()
    with pytest.raises(WSManInvalidArgumentError):
        WSMan().create_session('http://server1', 'UseNegotiate|CredUsernamePassword', options)
    session = WSMan(ClientConfig(trusted_hosts='server1')).create_session('http://server1', 'UseNegotiate|CredUsernamePassword',
                                                                          options)
    assert session.settings.auth.mechanism == 'negotiate'
    assert session.settings.client_config.trusted_hosts == 'server1'


def test_create_resource_locator():
    locator = WSMan().create_resource_locator('http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service')
    assert locator.resource_uri == 'http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/Win32_Service'
    empty = WSMan().create_resource_locator()
    assert not empty.resource_uri


def test_create_connection_options_returns_new_objects():
    wsman = WSMan()
    first = wsman.create_connection_options()
    second = wsman.create_connection_options()
    assert isinstance(first, ConnectionOptions) and first is not second
