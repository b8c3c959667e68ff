# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CreateSession combination rules R1-R31 (facts §3) and the client configuration (TrustedHosts)."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.wsman.automation.plugins.module_utils._client_config import ClientConfig
from ansible_collections.wsman.automation.plugins.module_utils._connection_options import ConnectionOptions
from ansible_collections.wsman.automation.plugins.module_utils._connection_string import parse_connection
from ansible_collections.wsman.automation.plugins.module_utils._errors import ERROR_CODES, WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._flags import SessionFlag, parse_flags
from ansible_collections.wsman.automation.plugins.module_utils._session_rules import AuthPlan, resolve_authentication

PASSWORD = 'Secr3t-in-rules-test'
CREDS = {'username': 'CORP\\user', 'password': PASSWORD}
CERT = {'certificate_pem': '/etc/wsman/client.pem', 'certificate_key_pem': '/etc/wsman/client.key'}
DOMAIN = {'domain_joined': True}
WORKGROUP = {'domain_joined': False}


def resolve(connection, flags=0, options=None, config=None, proxy=None):
    """What WSMan.create_session does before building the Session."""
    flag_value = parse_flags(flags)
    endpoint = parse_connection(connection, use_ssl=bool(flag_value & SessionFlag.USE_SSL))
    opts = None
    if options is not None or proxy is not None:
        opts = ConnectionOptions(**(options or {}))
        if proxy is not None:
            opts.set_proxy(**proxy)
    return resolve_authentication(endpoint, flag_value, opts, ClientConfig(**(config or {})))


# -- facts §3.7, the summary table ------------------------------------------------------------------
TABLE_37 = [
    ('CreateSession()', None, 0, None, None, None, 'negotiate'),
    ('CreateSession()+creds', None, 0, CREDS, None, 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CREDS', None),
    ('host-domain', 'host', 0, None, DOMAIN, None, 'kerberos'),
    ('host-workgroup-trusted', 'host', 0, None, {'trusted_hosts': 'host'}, None, 'negotiate'),
    ('10.0.0.5-UseKerberos', '10.0.0.5', 'UseKerberos', None, DOMAIN, 'ERROR_WSMAN_KERBEROS_IPADDRESS', None),
    ('localhost-UseKerberos', 'localhost', 'UseKerberos', None, DOMAIN, 'ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST', None),
    ('UseBasic-no-creds', 'https://host', 'UseBasic', None, None, 'ERROR_WSMAN_CLIENT_USERNAME_PASSWORD_NEEDED', None),
    ('UseBasic-http-untrusted', 'http://host', 'UseBasic|CredUsernamePassword', CREDS, None, 'ERROR_WSMAN_SERVER_NOT_TRUSTED', None),
    ('UseBasic|UseNegotiate', 'https://host', 'UseBasic|UseNegotiate', None, None, 'ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS', None),
    ('UseNoAuthentication+creds', 'https://host', 'UseNoAuthentication|CredUsernamePassword', CREDS, None,
     'ERROR_WSMAN_CREDS_PASSED_WITH_NO_AUTH_FLAG', None),
    ('NoEncryption-https', 'https://host', 'UseNegotiate|CredUsernamePassword|NoEncryption', CREDS, {'allow_unencrypted': True},
     'ERROR_WSMAN_CLIENT_UNENCRYPTED_HTTP_ONLY', None),
    ('UseSsl-http', 'http://h', 'UseSsl', None, DOMAIN, 'ERROR_WSMAN_INVALID_USESSL_PARAM', None),
    ('EnableSPNServerPort|UseBasic', 'https://host', 'EnableSPNServerPort|UseBasic|CredUsernamePassword', CREDS, None,
     'ERROR_WSMAN_CLIENT_SPN_WRONG_AUTH', None),
    ('UseClientCertificate-no-cert', 'https://host', 'UseClientCertificate', None, None, 'ERROR_WSMAN_CLIENT_CERT_NEEDED', None),
    ('UseClientCertificate-http', 'http://host', 'UseClientCertificate', CERT, {'trusted_hosts': '*'},
     'ERROR_WSMAN_CANNOT_USE_CERTIFICATES_FOR_HTTP', None),
    ('AllowNegotiateImplicitCredentials-http', 'http://host', 'UseNegotiate|AllowNegotiateImplicitCredentials', None,
     {'trusted_hosts': '*'}, 'ERROR_WSMAN_CANNOT_USE_ALLOW_NEGOTIATE_IMPLICIT_CREDENTIALS_FOR_HTTP', None),
]


@pytest.mark.parametrize('case, connection, flags, options, config, error, mechanism', TABLE_37, ids=[row[0] for row in TABLE_37])
def test_facts_3_7_table(case, connection, flags, options, config, error, mechanism):
    if error:
        with pytest.raises(WSManInvalidArgumentError) as info:
            resolve(connection, flags, options, config)
        assert info.value.error_name == error, case
        assert info.value.code == ERROR_CODES[error]
    else:
        assert resolve(connection, flags, options, config).mechanism == mechanism


# -- every rule, one or more rows each (rule, connection, flags, options, config, proxy, error) ----------
RULE_ERRORS = [
    ('R27', 'https://h', 'UTF8|UTF16', None, None, None, 'ERROR_WSMAN_CLIENT_INVALID_FLAG'),
    ('R27', None, 'UTF8|UTF16', None, None, None, 'ERROR_WSMAN_CLIENT_INVALID_FLAG'),
    ('R21', None, 'CredUsernamePassword', CREDS, None, None, 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CREDS'),
    ('R21', None, 0, {'username': 'u'}, None, None, 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CREDS'),
    ('R21', None, 0, CERT, None, None, 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CONNECTION_OPTIONS'),
    ('R21', None, 0, {}, None, {'access_type': 1}, 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CONNECTION_OPTIONS'),
    ('R21', None, 'UseSsl', None, None, None, 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CONNECTION_OPTIONS'),
    ('R21', None, 'NoEncryption', None, {'allow_unencrypted': True}, None, 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CONNECTION_OPTIONS'),
    ('R21', '', 'UseBasic', None, None, None, 'ERROR_WSMAN_CLIENT_LOCAL_INVALID_CONNECTION_OPTIONS'),
    ('R1', 'https://h', 'UseKerberos|UseNegotiate', None, DOMAIN, None, 'ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS'),
    ('R1', 'https://h', 'UseDigest|UseCredSsp|CredUsernamePassword', CREDS, None, None, 'ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS'),
    ('R1', 'https://h', 'UseClientCertificate|UseBasic', CERT, None, None, 'ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS'),
    ('R1', 'https://h', 'UseNoAuthentication|UseNegotiate', None, None, None, 'ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS'),
    ('R2', 'https://h', 'UseNoAuthentication', CREDS, None, None, 'ERROR_WSMAN_CREDS_PASSED_WITH_NO_AUTH_FLAG'),
    ('R2', 'https://h', 'UseNoAuthentication', CERT, None, None, 'ERROR_WSMAN_CREDS_PASSED_WITH_NO_AUTH_FLAG'),
    ('R2', 'https://h', 'UseNoAuthentication|CredUsernamePassword', None, None, None, 'ERROR_WSMAN_CREDS_PASSED_WITH_NO_AUTH_FLAG'),
    ('R2', 'https://h', 'UseNoAuthentication|SkipCACheck', None, None, None, 'ERROR_WSMAN_CLIENT_INVALID_FLAG'),
    ('R2', 'h', 'UseNoAuthentication|UseSsl', None, None, None, 'ERROR_WSMAN_CLIENT_INVALID_FLAG'),
    ('R12', 'https://h', 'UseClientCertificate|CredUsernamePassword', CERT, None, None, 'ERROR_WSMAN_CERT_MULTIPLE_CREDENTIALS_FLAG'),
    ('R12', 'https://h', 'UseClientCertificate', dict(CERT, **CREDS), None, None, 'ERROR_WSMAN_MULTIPLE_CREDENTIALS'),
    ('R12', 'https://h', 'UseClientCertificate', {'username': 'u'}, None, None, 'ERROR_WSMAN_CLIENT_CERT_UNNEEDED_USERNAME'),
    ('R12', 'https://h', 'UseClientCertificate', {'certificate_key_pem': '/k.pem'}, None, None, 'ERROR_WSMAN_CLIENT_CERT_NEEDED'),
    ('R12', 'h', 'UseClientCertificate', CERT, {'trusted_hosts': '*'}, None, 'ERROR_WSMAN_CANNOT_USE_CERTIFICATES_FOR_HTTP'),
    ('R12', 'https://h', 'UseBasic|CredUsernamePassword', dict(CERT, **CREDS), None, None, 'ERROR_WSMAN_CERT_MISSING_AUTH_FLAG'),
    ('R12', 'https://h', 'UseKerberos', CERT, DOMAIN, None, 'ERROR_WSMAN_CERT_MISSING_AUTH_FLAG'),
    ('R19', 'https://h', 0, CERT, None, None, 'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_DEFAULT_AUTHENTICATION'),
    ('R19', 'https://h', 'CredUsernamePassword', dict(CERT, **CREDS), None, None, 'ERROR_WSMAN_CLIENT_CREDENTIALS_FOR_DEFAULT_AUTHENTICATION'),
    ('R16', 'https://h', 'UseBasic|CredUsernamePassword', {'username': 'u'}, None, None, 'ERROR_WSMAN_CLIENT_USERNAME_PASSWORD_NEEDED'),
    ('R16', 'https://h', 'UseDigest', None, None, None, 'ERROR_WSMAN_CLIENT_USERNAME_PASSWORD_NEEDED'),
    ('R16', 'https://h', 'UseDigest|CredUsernamePassword', {'password': PASSWORD}, None, None,
     'ERROR_WSMAN_CLIENT_USERNAME_PASSWORD_NEEDED'),
    ('R13', 'https://h', 'UseCredSsp', None, None, None, 'ERROR_WSMAN_CREDSSP_USERNAME_PASSWORD_NEEDED'),
    ('R13', 'https://h', 'UseCredSsp|CredUsernamePassword', {'username': 'u'}, None, None, 'ERROR_WSMAN_CREDSSP_USERNAME_PASSWORD_NEEDED'),
    ('R14', 'https://h', 'UseNegotiate', CREDS, None, None, 'ERROR_WSMAN_CLIENT_CREDENTIALS_FLAG_NEEDED'),
    ('R14', 'https://h', 'UseBasic', CREDS, None, None, 'ERROR_WSMAN_CLIENT_CREDENTIALS_FLAG_NEEDED'),
    ('R14', 'https://h', 0, CREDS, None, None, 'ERROR_WSMAN_CLIENT_CREDENTIALS_FLAG_NEEDED'),
    ('R15', 'https://h', 'UseNegotiate|CredUsernamePassword', None, None, None, 'ERROR_WSMAN_CLIENT_CREDENTIALS_NEEDED'),
    ('R15', 'https://h', 'CredUsernamePassword', {}, None, None, 'ERROR_WSMAN_CLIENT_CREDENTIALS_NEEDED'),
    ('R18', 'https://h', 'UseNegotiate|CredUsernamePassword', {'username': 'u'}, None, None,
     'ERROR_WSMAN_CLIENT_USERNAME_AND_PASSWORD_NEEDED'),
    ('R18', 'https://h', 'UseKerberos|CredUsernamePassword', {'password': PASSWORD}, DOMAIN, None,
     'ERROR_WSMAN_CLIENT_USERNAME_AND_PASSWORD_NEEDED'),
    ('R26', 'https://h', 'EnableSPNServerPort|UseDigest|CredUsernamePassword', CREDS, None, None, 'ERROR_WSMAN_CLIENT_SPN_WRONG_AUTH'),
    ('R26', 'https://h', 'EnableSPNServerPort|UseCredSsp|CredUsernamePassword', CREDS, None, None, 'ERROR_WSMAN_CLIENT_SPN_WRONG_AUTH'),
    ('R26', 'https://h', 'EnableSPNServerPort|UseClientCertificate', CERT, None, None, 'ERROR_WSMAN_CLIENT_SPN_WRONG_AUTH'),
    ('R23', 'h', 'UseSsl|NoEncryption|UseNegotiate|CredUsernamePassword', CREDS, {'allow_unencrypted': True}, None,
     'ERROR_WSMAN_CLIENT_UNENCRYPTED_HTTP_ONLY'),
    ('R23', 'http://h', 'NoEncryption|UseBasic|CredUsernamePassword', CREDS, {'trusted_hosts': 'h'}, None,
     'ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED'),
    ('R23', 'http://h', 'UseBasic|CredUsernamePassword', CREDS, {'trusted_hosts': 'h', 'allow_unencrypted': True}, None,
     'ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED'),
    ('R23', 'http://127.0.0.1:5985', 'UseDigest|CredUsernamePassword', CREDS, None, None, 'ERROR_WSMAN_CLIENT_UNENCRYPTED_DISABLED'),
    ('R24', 'http://h', 'SkipCACheck|UseNegotiate|CredUsernamePassword', CREDS, {'trusted_hosts': 'h'}, None,
     'ERROR_WSMAN_CLIENT_INVALID_FLAG'),
    ('R24', 'h', 'SkipCNCheck', None, DOMAIN, None, 'ERROR_WSMAN_CLIENT_INVALID_FLAG'),
    ('R24', 'h', 'SkipRevocationCheck', None, DOMAIN, None, 'ERROR_WSMAN_CLIENT_INVALID_FLAG'),
    ('R17', 'http://h', 'AllowNegotiateImplicitCredentials', None, DOMAIN, None,
     'ERROR_WSMAN_CANNOT_USE_ALLOW_NEGOTIATE_IMPLICIT_CREDENTIALS_FOR_HTTP'),
    ('R17', 'https://h', 'AllowNegotiateImplicitCredentials|UseKerberos', None, DOMAIN, None, 'ERROR_WSMAN_CLIENT_INVALID_FLAG'),
    ('R17', 'http://h', 'UseNegotiate', None, DOMAIN, None, 'ERROR_WSMAN_EXPLICIT_CREDENTIALS_REQUIRED'),
    ('R17', 'h', 'UseNegotiate', None, WORKGROUP, None, 'ERROR_WSMAN_EXPLICIT_CREDENTIALS_REQUIRED'),
    ('R4', 'https://192.0.2.10', 'UseKerberos', None, DOMAIN, None, 'ERROR_WSMAN_KERBEROS_IPADDRESS'),
    ('R4', '[2001:db8::5]', 'UseKerberos|CredUsernamePassword', CREDS, DOMAIN, None, 'ERROR_WSMAN_KERBEROS_IPADDRESS'),
    ('R5', 'localhost', 'UseKerberos', None, DOMAIN, None, 'ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST'),
    ('R5', 'https://h', 'UseKerberos', None, DOMAIN, None, None),  # control: a name over HTTPS is fine
    # R5 names localhost, 127.0.0.1 and [::1] explicitly: it wins over R4 (IP address) for them
    ('R5', '127.0.0.1', 'UseKerberos', None, DOMAIN, None, 'ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST'),
    ('R5', '[::1]', 'UseKerberos', None, DOMAIN, None, 'ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST'),
    ('R5', 'https://127.0.0.1:5986', 'UseKerberos|CredUsernamePassword', CREDS, DOMAIN, None,
     'ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST'),
    ('R5', 'http://[0:0:0:0:0:0:0:1]:5985', 'UseKerberos', None, WORKGROUP, None, 'ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST'),
    ('R5', 'LOCALHOST.', 'UseKerberos', None, DOMAIN, None, 'ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST'),
    ('R4', '127.0.0.2', 'UseKerberos', None, DOMAIN, None, 'ERROR_WSMAN_KERBEROS_IPADDRESS'),  # loopback, but not named by R5
    ('R6', 'h', 'UseKerberos', None, WORKGROUP, None, 'ERROR_WSMAN_CLIENT_WORKGROUP_NO_KERBEROS'),
    ('R6', 'h', 0, None, WORKGROUP, None, 'ERROR_WSMAN_CLIENT_WORKGROUP_NO_KERBEROS'),
    ('R6', 'https://h.corp.example.com', 'UseKerberos', None, WORKGROUP, None, 'ERROR_WSMAN_CLIENT_WORKGROUP_NO_KERBEROS'),
    ('R7', '192.0.2.10', 0, None, DOMAIN, None, 'ERROR_WSMAN_DEFAULTAUTH_IPADDRESS'),
    ('R7', '192.0.2.10', 'CredUsernamePassword', CREDS, DOMAIN, None, 'ERROR_WSMAN_DEFAULTAUTH_IPADDRESS'),
    ('R7', 'https://192.0.2.10', 0, None, DOMAIN, None, 'ERROR_WSMAN_DEFAULTAUTH_IPADDRESS'),
    ('R8', 'h', 'CredUsernamePassword', CREDS, WORKGROUP, None, 'ERROR_WSMAN_SERVER_NOT_TRUSTED'),
    ('R8', 'h', 'UseKerberos|CredUsernamePassword', CREDS, WORKGROUP, None, 'ERROR_WSMAN_SERVER_NOT_TRUSTED'),
    ('R8', 'http://h', 'UseNegotiate|CredUsernamePassword', CREDS, DOMAIN, None, 'ERROR_WSMAN_SERVER_NOT_TRUSTED'),
    ('R8', 'http://h', 'UseDigest|CredUsernamePassword', CREDS, None, None, 'ERROR_WSMAN_SERVER_NOT_TRUSTED'),
    ('R8', 'h', 'UseCredSsp|CredUsernamePassword', CREDS, {'trusted_hosts': 'other'}, None, 'ERROR_WSMAN_SERVER_NOT_TRUSTED'),
    ('R29', 'http://h', 'UseNegotiate|CredUsernamePassword', CREDS, {'trusted_hosts': 'h'}, {'access_type': 2},
     'ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_HTTP'),
    ('R29', 'https://h', 'UseKerberos', {}, DOMAIN, {'access_type': 'ProxyIEConfig'}, 'ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_KERBEROS'),
    ('R29', 'https://h', 0, {}, DOMAIN, {'access_type': 4}, 'ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_KERBEROS'),
    ('R29', 'https://h', 'UseCredSsp|CredUsernamePassword', CREDS, None, {'access_type': 1},
     'ERROR_WSMAN_CANNOT_USE_PROXY_SETTINGS_FOR_CREDSSP'),
    ('R29', 'http://h', 'UseNegotiate|CredUsernamePassword', CREDS, {'trusted_hosts': 'h'}, {'access_type': 8}, None),  # no proxy
]


def _rule_id(row):
    return '%s-%s-%s' % (row[0], row[1], row[2])


@pytest.mark.parametrize('rule, connection, flags, options, config, proxy, error', RULE_ERRORS, ids=[_rule_id(r) for r in RULE_ERRORS])
def test_rules(rule, connection, flags, options, config, proxy, error):
    if error is None:
        assert isinstance(resolve(connection, flags, options, config, proxy), AuthPlan)
        return
    with pytest.raises(WSManInvalidArgumentError) as info:
        resolve(connection, flags, options, config, proxy)
    err = info.value
    assert err.error_name == error
    assert err.rule == rule
    assert err.code == ERROR_CODES[error]
    text = str(err)
    ref = '(%s, %s %d / 0x%08X).' % (rule, error, err.code, err.code)
    assert ref in text
    assert len(text.partition(ref)[2].strip()) > 10  # a "how to fix" sentence follows
    assert PASSWORD not in text


# -- successful plans -----------------------------------------------------------------------------
PLANS = [
    # (case, connection, flags, options, config, (mechanism, encrypt_messages, implicit_credentials, explicit_mechanism))
    ('issue-example-loopback-negotiate', 'http://127.0.0.1:5985', 'UseNegotiate|CredUsernamePassword', CREDS, None,
     ('negotiate', True, False, True)),
    ('loopback-ipv6', 'http://[::1]:5985', 'UseNegotiate|CredUsernamePassword', CREDS, None, ('negotiate', True, False, True)),
    ('localhost-default', 'localhost', 0, None, None, ('negotiate', True, True, False)),       # R3 (b)
    ('127.x-default-creds', '127.0.51.1', 'CredUsernamePassword', CREDS, None, ('negotiate', True, False, False)),
    ('R3a-https-creds', 'https://h', 'CredUsernamePassword', CREDS, DOMAIN, ('negotiate', False, False, False)),
    ('R3a-trusted-creds', 'h', 'CredUsernamePassword', CREDS, dict(DOMAIN, trusted_hosts='h'), ('negotiate', True, False, False)),
    ('R3a-ip-trusted-creds', '192.0.2.10', 'CredUsernamePassword', CREDS, dict(DOMAIN, trusted_hosts='192.0.2.10'),
     ('negotiate', True, False, False)),
    ('R3-domain-kerberos', 'h.corp.example.com', 0, None, DOMAIN, ('kerberos', True, True, False)),
    ('R3-domain-kerberos-creds-untrusted', 'h', 'CredUsernamePassword', CREDS, DOMAIN, ('kerberos', True, False, False)),
    ('R3c-workgroup-trusted', 'h', 0, None, {'trusted_hosts': '<local>'}, ('negotiate', True, True, False)),
    ('R3c-workgroup-https', 'https://h', 0, None, None, ('negotiate', False, True, False)),
    ('R3-domain-https-implicit', 'https://h', 0, None, DOMAIN, ('kerberos', False, True, False)),
    ('kerberos-explicit', 'h', 'UseKerberos', None, DOMAIN, ('kerberos', True, True, True)),
    ('kerberos-spn-port', 'h:5985', 'UseKerberos|EnableSPNServerPort', None, DOMAIN, ('kerberos', True, True, True)),
    ('negotiate-https-implicit', 'https://h', 'UseNegotiate', None, None, ('negotiate', False, True, True)),
    ('negotiate-https-allow-implicit', 'https://h', 'UseNegotiate|AllowNegotiateImplicitCredentials', None, None,
     ('negotiate', False, True, True)),
    ('negotiate-noencryption', 'http://h', 'UseNegotiate|CredUsernamePassword|NoEncryption', CREDS,
     {'trusted_hosts': 'h', 'allow_unencrypted': True}, ('negotiate', False, False, True)),
    ('basic-https', 'https://h', 'UseBasic|CredUsernamePassword', CREDS, None, ('basic', False, False, True)),
    ('basic-usessl', 'h', 'UseBasic|CredUsernamePassword|UseSsl|SkipCACheck|SkipCNCheck|SkipRevocationCheck', CREDS, None,
     ('basic', False, False, True)),
    ('basic-http-noencryption', 'http://h:5985', 'UseBasic|CredUsernamePassword|NoEncryption', CREDS,
     {'trusted_hosts': 'h', 'allow_unencrypted': True}, ('basic', False, False, True)),
    ('digest-https', 'https://h', 'UseDigest|CredUsernamePassword', CREDS, None, ('digest', False, False, True)),   # R9 accepted
    ('credssp-http-trusted', 'h', 'UseCredSsp|CredUsernamePassword', CREDS, {'trusted_hosts': '*'}, ('credssp', True, False, True)),
    ('certificate-https', 'https://h', 'UseClientCertificate', CERT, None, ('certificate', False, False, True)),
    ('no-authentication-http', 'http://h', 'UseNoAuthentication', None, None, ('none', False, False, True)),
    ('no-authentication-ca-file', 'https://h', 'UseNoAuthentication', {}, None, ('none', False, False, True)),
    ('utf16', 'https://h', 'UseNegotiate|UTF16', None, None, ('negotiate', False, True, True)),
]


@pytest.mark.parametrize('case, connection, flags, options, config, expected', PLANS, ids=[row[0] for row in PLANS])
def test_plans(case, connection, flags, options, config, expected):
    plan = resolve(connection, flags, options, config)
    assert (plan.mechanism, plan.encrypt_messages, plan.implicit_credentials, plan.explicit_mechanism) == expected, case
    assert plan.reason


def test_proxy_https_negotiate_is_allowed():
    plan = resolve('https://h', 'UseNegotiate|CredUsernamePassword', CREDS, None,
                   {'access_type': 'ProxyWinHttpConfig', 'authentication_mechanism': 'basic', 'username': 'p', 'password': 'q'})
    assert plan.mechanism == 'negotiate'


def test_basic_over_http_error_explains_why():
    with pytest.raises(WSManInvalidArgumentError) as info:
        resolve('http://h', 'UseBasic|CredUsernamePassword', CREDS, {'trusted_hosts': 'h'})
    text = str(info.value)
    assert 'no message encryption' in text
    assert 'NoEncryption' in text and 'allow_unencrypted' in text and 'HTTPS' in text


def test_rule_order_first_broken_rule_wins():
    # R27 before R21 before R1 ...
    with pytest.raises(WSManInvalidArgumentError) as info:
        resolve(None, 'UTF8|UTF16|UseBasic|UseNegotiate', CREDS)
    assert info.value.rule == 'R27'
    with pytest.raises(WSManInvalidArgumentError) as info:
        resolve(None, 'UseBasic|UseNegotiate', CREDS)
    assert info.value.rule == 'R21'
    with pytest.raises(WSManInvalidArgumentError) as info:
        resolve('http://h', 'UseBasic|UseNegotiate|SkipCACheck')
    assert info.value.rule == 'R1'


def test_empty_options_count_as_none():
    plan = resolve('https://h', 0, {}, DOMAIN)
    assert plan.mechanism == 'kerberos'
    assert resolve(None, 0, {}).mechanism == 'negotiate'


def test_auth_plan_is_frozen():
    plan = resolve('https://h', 'UseBasic|CredUsernamePassword', CREDS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.mechanism = 'none'  # type: ignore[misc]


# -- ClientConfig and TrustedHosts (facts §10) ------------------------------------------------------
def test_client_config_safe_defaults():
    config = ClientConfig()
    assert config.trusted_hosts == ''
    assert config.allow_unencrypted is False
    assert config.domain_joined is False
    assert config.max_envelope_size_kb == 150
    assert config.network_delay_ms == 5000
    assert not config.in_trusted_hosts(parse_connection('host'))


TRUSTED = [
    ('*', 'anything.example.com', True),
    ('*', '192.0.2.1', True),
    ('<local>', 'server1', True),
    ('<LOCAL>', 'server1.corp.example.com', False),
    ('<local>', '192.0.2.1', False),
    ('*.corp.example.com', 'a.corp.example.com', True),
    ('*.corp.example.com', 'a.b.corp.example.com', True),
    ('*.corp.example.com', 'corp.example.com', False),
    ('*.CORP.example.com', 'A.corp.EXAMPLE.com', True),
    ('web*', 'web01', True),
    ('web*', 'db01', False),
    ('server1', 'SERVER1', True),
    ('server1', 'server10', False),
    ('server1.corp.example.com.', 'server1.corp.example.com', True),
    ('192.0.2.10', '192.0.2.10', True),
    ('192.0.2.10', '192.0.2.11', False),
    ('192.0.2.*', '192.0.2.200', True),
    ('192.0.2.*', '192.0.3.1', False),
    ('192.0.2.*', '192.0.2.attacker.example', False),
    ('192.0.*', '192.0.99.1', True),
    ('[2001:db8::1]', '[2001:DB8:0:0::1]', True),
    ('[0:0:0:0:0:0:0:0]', '[::]', True),
    ('[2001:db8::1]', '[2001:db8::2]', False),
    ('1.2.3.4,[1:2:3::8]', '[1:2:3::8]', True),   # the winrm.vbs help example
    (' a , b ,, c ', 'c', True),
    (['a', 'b.corp.example.com'], 'b.corp.example.com', True),
    ('', 'h', False),
]


@pytest.mark.parametrize('trusted_hosts, host, expected', TRUSTED)
def test_trusted_hosts_matching(trusted_hosts, host, expected):
    config = ClientConfig(trusted_hosts=trusted_hosts)
    assert config.in_trusted_hosts(parse_connection(host)) is expected


@pytest.mark.parametrize('host', ['localhost', '127.0.0.1', '127.9.8.7', '[::1]', 'LocalHost'])
def test_loopback_is_always_trusted(host):
    endpoint = parse_connection(host)
    assert ClientConfig().is_trusted(endpoint)
    assert not ClientConfig().in_trusted_hosts(endpoint)


@pytest.mark.parametrize('trusted_hosts', ['a b', '1::2', '[1::2', '[zz]', 'a*b', '**', '*.', 'web**', '300.1.1.1',
                                           'host/path', 'h@x', '192.0.300.*', ['ok', 5], 42])
def test_invalid_trusted_hosts_pattern(trusted_hosts):
    with pytest.raises(WSManInvalidArgumentError) as info:
        ClientConfig(trusted_hosts=trusted_hosts)
    assert info.value.code == 0x8033809F
    assert info.value.error_name == 'ERROR_WSMAN_INVALID_HOSTNAME_PATTERN'
    assert info.value.argument == 'trusted_hosts'


@pytest.mark.parametrize('kwargs, argument', [
    ({'allow_unencrypted': 'yes'}, 'allow_unencrypted'),
    ({'domain_joined': 1}, 'domain_joined'),
    ({'max_envelope_size_kb': 31}, 'max_envelope_size_kb'),
    ({'max_envelope_size_kb': 1039441}, 'max_envelope_size_kb'),
    ({'max_envelope_size_kb': True}, 'max_envelope_size_kb'),
    ({'network_delay_ms': -1}, 'network_delay_ms'),
    ({'network_delay_ms': 1.5}, 'network_delay_ms'),
])
def test_invalid_client_config_values(kwargs, argument):
    with pytest.raises(WSManInvalidArgumentError) as info:
        ClientConfig(**kwargs)
    assert info.value.argument == argument


def test_client_config_is_frozen():
    config = ClientConfig(trusted_hosts='a')
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.trusted_hosts = '*'  # type: ignore[misc]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40),
                 st.lists(st.sampled_from(['*', '.', 'a', '1', ',', ' ', '[', ']', ':', '<local>', '-', '_', '9', '/']),
                          max_size=15).map(''.join)),
       st.sampled_from(['h', 'h.corp.example.com', '192.0.2.1', '[2001:db8::1]', 'localhost']))
def test_any_trusted_hosts_text_gives_config_or_pattern_error(text, host):
    try:
        config = ClientConfig(trusted_hosts=text)
    except WSManInvalidArgumentError as err:
        assert err.code == 0x8033809F
        return
    assert isinstance(config.is_trusted(parse_connection(host)), bool)


@pytest.mark.parametrize('connection', ['127.0.0.1', '[::1]', 'localhost'])
def test_create_session_kerberos_to_named_loopback_reports_r5_not_r4(connection):
    """R5 names localhost, 127.0.0.1 and [::1]; R4 (IP address) must not win for the two addresses."""
    from ansible_collections.wsman.automation.plugins.module_utils._wsman import WSMan  # pylint: disable=import-outside-toplevel
    with pytest.raises(WSManInvalidArgumentError) as info:
        WSMan(ClientConfig(domain_joined=True)).create_session(connection, 'UseKerberos', None)
    assert info.value.rule == 'R5'
    assert info.value.error_name == 'ERROR_WSMAN_SERVER_DESTINATION_LOCALHOST'
