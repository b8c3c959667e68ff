# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection strings (facts §1): every documented form, default ports, and every error."""

from __future__ import annotations

import dataclasses

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._connection_string import Endpoint, parse_connection
from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError

CONNECTIONSTR_INVALID = 2150858969
TRANSPORT_NOT_SUPPORTED = 2150858970
PORT_INVALID = 2150858971
INVALID_USESSL_PARAM = 2150859198

IPV6 = 'e3d7::51f4:9bc8:c0a8:6420'

# (connection, use_ssl) -> (scheme, host, port, path, url, explicit_scheme, host_kind, is_loopback)
VALID = [
    # facts §1.2, the documented examples
    ('https://service', False, ('https', 'service', 443, 'wsman', 'https://service:443/wsman', True, 'name', False)),
    ('https://service.corp.com/websvcs/wsman', False,
     ('https', 'service.corp.com', 443, 'websvcs/wsman', 'https://service.corp.com:443/websvcs/wsman', True, 'name', False)),
    ('https://[E3D7:0000:0000:0000:51F4:9BC8:C0A8:6420]', False,
     ('https', IPV6, 443, 'wsman', 'https://[%s]:443/wsman' % IPV6, True, 'ipv6', False)),
    ('https://[E3D7:0000:0000:0000:51F4:9BC8:C0A8:6420]:9999/wsman', False,
     ('https', IPV6, 9999, 'wsman', 'https://[%s]:9999/wsman' % IPV6, True, 'ipv6', False)),
    ('127.0.51.1', False, ('http', '127.0.51.1', 5985, 'wsman', 'http://127.0.51.1:5985/wsman', False, 'ipv4', True)),
    ('Remote1', False, ('http', 'Remote1', 5985, 'wsman', 'http://Remote1:5985/wsman', False, 'name', False)),
    ('Remote', False, ('http', 'Remote', 5985, 'wsman', 'http://Remote:5985/wsman', False, 'name', False)),
    ('https://servername.domain.com', False,
     ('https', 'servername.domain.com', 443, 'wsman', 'https://servername.domain.com:443/wsman', True, 'name', False)),
    ('https://172.30.168.2', False, ('https', '172.30.168.2', 443, 'wsman', 'https://172.30.168.2:443/wsman', True, 'ipv4', False)),
    # winrm.vbs help examples
    ('srv.corp.com', False, ('http', 'srv.corp.com', 5985, 'wsman', 'http://srv.corp.com:5985/wsman', False, 'name', False)),
    ('https://machine1', False, ('https', 'machine1', 443, 'wsman', 'https://machine1:443/wsman', True, 'name', False)),
    ('[1:2:3::8]', False, ('http', '1:2:3::8', 5985, 'wsman', 'http://[1:2:3::8]:5985/wsman', False, 'ipv6', False)),
    ('https://[1:2:3::8]:444/path', False, ('https', '1:2:3::8', 444, 'path', 'https://[1:2:3::8]:444/path', True, 'ipv6', False)),
    # §1.3 default-port rules 1-4
    ('http://h', False, ('http', 'h', 80, 'wsman', 'http://h:80/wsman', True, 'name', False)),
    ('https://h', False, ('https', 'h', 443, 'wsman', 'https://h:443/wsman', True, 'name', False)),
    ('h', False, ('http', 'h', 5985, 'wsman', 'http://h:5985/wsman', False, 'name', False)),
    ('h', True, ('https', 'h', 5986, 'wsman', 'https://h:5986/wsman', False, 'name', False)),
    ('https://h', True, ('https', 'h', 443, 'wsman', 'https://h:443/wsman', True, 'name', False)),
    ('h:8080', True, ('https', 'h', 8080, 'wsman', 'https://h:8080/wsman', False, 'name', False)),
    ('h:1', False, ('http', 'h', 1, 'wsman', 'http://h:1/wsman', False, 'name', False)),
    ('h:65535', False, ('http', 'h', 65535, 'wsman', 'http://h:65535/wsman', False, 'name', False)),
    # case-insensitive transport, custom suffix, loopback forms
    ('HTTPS://Host.Example.COM:5986/custom_prefix/v2', False,
     ('https', 'Host.Example.COM', 5986, 'custom_prefix/v2', 'https://Host.Example.COM:5986/custom_prefix/v2', True, 'name', False)),
    ('Http://localhost:5985', False, ('http', 'localhost', 5985, 'wsman', 'http://localhost:5985/wsman', True, 'name', True)),
    ('LOCALHOST', False, ('http', 'LOCALHOST', 5985, 'wsman', 'http://LOCALHOST:5985/wsman', False, 'name', True)),
    ('http://127.0.0.1:5985', False, ('http', '127.0.0.1', 5985, 'wsman', 'http://127.0.0.1:5985/wsman', True, 'ipv4', True)),
    ('http://[::1]:5985/wsman', False, ('http', '::1', 5985, 'wsman', 'http://[::1]:5985/wsman', True, 'ipv6', True)),
    ('[0:0:0:0:0:0:0:1]', False, ('http', '::1', 5985, 'wsman', 'http://[::1]:5985/wsman', False, 'ipv6', True)),
    ('[::ffff:127.0.0.1]', False, ('http', '::ffff:7f00:1', 5985, 'wsman', 'http://[::ffff:7f00:1]:5985/wsman', False, 'ipv6', True)),
    ('10.0.0.5', False, ('http', '10.0.0.5', 5985, 'wsman', 'http://10.0.0.5:5985/wsman', False, 'ipv4', False)),
    ('  host1  ', False, ('http', 'host1', 5985, 'wsman', 'http://host1:5985/wsman', False, 'name', False)),
    ('my_host-01.corp.example.com.', False,
     ('http', 'my_host-01.corp.example.com.', 5985, 'wsman', 'http://my_host-01.corp.example.com.:5985/wsman', False, 'name', False)),
    ('12345', False, ('http', '12345', 5985, 'wsman', 'http://12345:5985/wsman', False, 'name', False)),
]


@pytest.mark.parametrize('connection, use_ssl, expected', VALID, ids=['%s-ssl%d' % (c, s) for c, s, _e in VALID])
def test_valid_connection_strings(connection, use_ssl, expected):
    endpoint = parse_connection(connection, use_ssl=use_ssl)
    assert isinstance(endpoint, Endpoint)
    got = (endpoint.scheme, endpoint.host, endpoint.port, endpoint.path, endpoint.url, endpoint.explicit_scheme,
           endpoint.host_kind, endpoint.is_loopback)
    assert got == expected
    assert endpoint.is_local is False
    assert endpoint.is_https == (endpoint.scheme == 'https')
    assert endpoint.is_ip_address == (endpoint.host_kind != 'name')


@pytest.mark.parametrize('connection', [None, '', '   '])
@pytest.mark.parametrize('use_ssl', [False, True])
def test_no_connection_is_a_local_session(connection, use_ssl):
    # R21/R22, facts §1.3: no connection string = local session on http://localhost:5985/wsman
    endpoint = parse_connection(connection, use_ssl=use_ssl)
    assert endpoint.is_local is True
    assert endpoint.url == 'http://localhost:5985/wsman'
    assert endpoint.is_loopback is True


def test_explicit_localhost_is_not_a_local_session():
    assert parse_connection('localhost').is_local is False


def test_endpoint_is_frozen_and_netloc():
    endpoint = parse_connection('[2001:db8::1]:5986', use_ssl=True)
    assert endpoint.netloc == '[2001:db8::1]:5986'
    with pytest.raises(dataclasses.FrozenInstanceError):
        endpoint.port = 1  # type: ignore[misc]


INVALID = [
    # §1.1 transport
    ('ftp://host', False, TRANSPORT_NOT_SUPPORTED, "'ftp'"),
    ('HTTPX://host', False, TRANSPORT_NOT_SUPPORTED, 'HTTPX'),
    ('wsman://host:5985', False, TRANSPORT_NOT_SUPPORTED, 'wsman'),
    ('://host', False, TRANSPORT_NOT_SUPPORTED, 'transport'),
    ('1http://host', False, TRANSPORT_NOT_SUPPORTED, 'transport'),
    ('http:/host', False, CONNECTIONSTR_INVALID, '"://"'),
    ('https:host', False, CONNECTIONSTR_INVALID, '"://"'),
    # §1.1 port
    ('host:0', False, PORT_INVALID, 'port 0'),
    ('host:65536', False, PORT_INVALID, '65536'),
    ('host:99999999999999999999', False, PORT_INVALID, 'outside'),
    ('host:', False, PORT_INVALID, 'empty'),
    ('http://host:abc/wsman', False, PORT_INVALID, "'abc'"),
    ('host:-1', False, PORT_INVALID, "'-1'"),
    ('[::1]:', False, PORT_INVALID, 'empty'),
    ('[::1]:http', False, PORT_INVALID, "'http'"),
    ('host: 80', False, CONNECTIONSTR_INVALID, 'white space'),
    # §1.1 IPv6 must be bracketed
    ('1::2', False, CONNECTIONSTR_INVALID, 'square brackets'),
    ('http://1:2:3::8:5985/wsman', False, CONNECTIONSTR_INVALID, 'square brackets'),
    ('E3D7:0000:0000:0000:51F4:9BC8:C0A8:6420', False, CONNECTIONSTR_INVALID, 'square brackets'),
    ('[1:2:3::8', False, CONNECTIONSTR_INVALID, 'closing'),
    ('[nothex]', False, CONNECTIONSTR_INVALID, 'not a valid IPv6'),
    ('[127.0.0.1]', False, CONNECTIONSTR_INVALID, 'not a valid IPv6'),
    ('[::1]x', False, CONNECTIONSTR_INVALID, 'only ":port"'),
    ('[fe80::1%eth0]', False, CONNECTIONSTR_INVALID, 'zone'),
    ('host]', False, CONNECTIONSTR_INVALID, 'square brackets'),
    # host
    ('http://', False, CONNECTIONSTR_INVALID, 'missing'),
    ('http:///wsman', False, CONNECTIONSTR_INVALID, 'missing'),
    (':5985', False, CONNECTIONSTR_INVALID, 'missing'),
    ('999.1.1.1', False, CONNECTIONSTR_INVALID, 'IPv4'),
    ('1.2.3', False, CONNECTIONSTR_INVALID, 'IPv4'),
    ('-host', False, CONNECTIONSTR_INVALID, 'not a valid DNS'),
    ('host..corp', False, CONNECTIONSTR_INVALID, 'not a valid DNS'),
    ('h\u00f6st', False, CONNECTIONSTR_INVALID, 'not a valid DNS'),
    ('a' * 64 + '.com', False, CONNECTIONSTR_INVALID, 'not a valid DNS'),
    ('host name', False, CONNECTIONSTR_INVALID, 'white space'),
    ('host\\wsman', False, CONNECTIONSTR_INVALID, 'white space'),
    # §1.3 URL prefix
    ('host/', False, CONNECTIONSTR_INVALID, 'empty'),
    ('host/wsman/', False, CONNECTIONSTR_INVALID, 'must not start or end'),
    ('host//wsman', False, CONNECTIONSTR_INVALID, 'must not start or end'),
    ('host/ws-man', False, CONNECTIONSTR_INVALID, 'letters, digits'),
    ('host/wsman?x=1', False, CONNECTIONSTR_INVALID, '"?"'),
    ('host/wsman#frag', False, CONNECTIONSTR_INVALID, '"#"'),
    ('host/ws%20man', False, CONNECTIONSTR_INVALID, 'letters, digits'),
    # R25 UseSsl with explicit http://
    ('http://host', True, INVALID_USESSL_PARAM, 'UseSsl'),
    ('HTTP://host:5985/wsman', True, INVALID_USESSL_PARAM, 'UseSsl'),
]


@pytest.mark.parametrize('connection, use_ssl, code, fragment', INVALID, ids=[row[0] for row in INVALID])
def test_invalid_connection_strings(connection, use_ssl, code, fragment):
    with pytest.raises(WSManInvalidArgumentError) as info:
        parse_connection(connection, use_ssl=use_ssl)
    err = info.value
    assert err.code == code
    assert err.argument == 'connection'
    assert fragment in str(err)
    assert '/ 0x%08X' % code in str(err)
    assert err.rule in ('§1.1', '§1.3', 'R25')
    assert str(err).rstrip().endswith('.')  # a sentence that says how to fix it


def test_usessl_error_cites_r25():
    with pytest.raises(WSManInvalidArgumentError) as info:
        parse_connection('http://host', use_ssl=True)
    assert info.value.rule == 'R25'
    assert 'https://' in str(info.value)


@pytest.mark.parametrize('connection', ['http://user:S3cret!@host', 'https://admin:hunter2@host:5986/wsman', 'u:pw@host'])
def test_user_information_is_refused_without_repeating_it(connection):
    with pytest.raises(WSManInvalidArgumentError) as info:
        parse_connection(connection)
    text = str(info.value)
    assert info.value.code == CONNECTIONSTR_INVALID
    for secret in ('S3cret', 'hunter2', 'pw@'):
        assert secret not in text


@pytest.mark.parametrize('value', [5985, b'host', ['host'], 1.5])
def test_non_text_connection(value):
    with pytest.raises(WSManInvalidArgumentError) as info:
        parse_connection(value)
    assert info.value.code == CONNECTIONSTR_INVALID


def test_long_connection_string_is_shortened_in_message():
    with pytest.raises(WSManInvalidArgumentError) as info:
        parse_connection('h/' + 'x' * 500 + '/')
    assert len(str(info.value)) < 600
