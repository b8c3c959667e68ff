# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transport behaviour against real loopback servers: error mapping (facts §9 client-side codes),
authentication headers (Basic, Digest, none), UTF-16, timeouts and the one resend after a
dropped connection."""
# pylint: disable=redefined-outer-name,unused-import

from __future__ import annotations

import base64
import time

import pytest

from ansible_collections.wsman.automation.plugins.module_utils import _transport
from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    WSManAuthenticationError,
    WSManError,
    WSManInvalidArgumentError,
    WSManProtocolError,
    WSManTransportError,
)
from ansible_collections.wsman.automation.plugins.module_utils._transport import Transport, TransportResponse
from ansible_collections.wsman.automation.tests.unit.plugins.module_utils.test_transport_servers import (  # noqa: F401
    IDENTIFY,
    PASSWORD,
    REPLY,
    DigestChecker,
    SilentServer,
    free_port,
    ok_reply,
    serve,
    settings,
)

SERVICE_UNAVAILABLE = 2150859026
NAME_NOT_RESOLVED = 2150859193
NETWORK_TIMEDOUT = 2150859046
NOT_FOUND = 2150859027
TOO_LARGE = 2150859025
ACCESS_DENIED = 2147942405
NO_ENCRYPTION_OK = True


def _basic_header(user='user', password=PASSWORD):
    return 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()


def _status_reply(status, body=b'', content_type='application/soap+xml;charset=UTF-8'):
    def respond(handler, item):
        return status, [('Content-Type', content_type)], body
    return respond


def _no_secret(exc):
    text = '%s %r %r' % (exc, exc, exc.__dict__)
    assert PASSWORD not in text


# -- no I/O before the first send (facts §1.5) ---------------------------------------------------

def test_init_does_no_network_io():
    transport = Transport(settings('http://name.invalid:5985/wsman'))
    assert transport.authentications == 0
    assert 'name.invalid' in repr(transport) and PASSWORD not in repr(transport)
    transport.close()


# -- client-side error codes --------------------------------------------------------------------

def test_connection_refused():
    url = 'http://127.0.0.1:%d/wsman' % free_port()
    with pytest.raises(WSManTransportError) as info:
        Transport(settings(url, encrypt=False)).send(IDENTIFY, 'UTF-8')
    assert info.value.code == SERVICE_UNAVAILABLE
    assert info.value.endpoint == url and url in str(info.value) and 'refused' in str(info.value)
    assert not isinstance(info.value, WSManAuthenticationError)
    _no_secret(info.value)


def test_name_not_resolved():
    # .invalid never resolves (RFC 2606), so no traffic leaves the machine.
    with pytest.raises(WSManTransportError) as info:
        Transport(settings('http://name.invalid:5985/wsman')).send(IDENTIFY, 'UTF-8')
    assert info.value.code == NAME_NOT_RESOLVED
    assert 'name.invalid' in str(info.value) and 'DNS' in str(info.value)
    _no_secret(info.value)


def test_read_timeout_is_operation_timeout_plus_network_delay():
    server = SilentServer()
    try:
        transport = Transport(settings(server.url, network_delay_ms=200))
        started = time.monotonic()
        with pytest.raises(WSManTransportError) as info:
            transport.send(IDENTIFY, 'UTF-8', timeout_ms=100)
        elapsed = time.monotonic() - started
    finally:
        server.close()
    assert info.value.code == NETWORK_TIMEDOUT
    assert 'timed out after 0.3 s' in str(info.value)
    assert elapsed >= 0.29
    _no_secret(info.value)


def test_timeouts_from_settings():
    transport = Transport(settings('http://h:5985/wsman', network_delay_ms=5000))
    assert transport._timeouts(None) == (30.0, 65.0)  # pylint: disable=protected-access
    assert transport._timeouts(1000) == (6.0, 6.0)  # pylint: disable=protected-access


@pytest.mark.parametrize('status, error_class, code, words', [
    (401, WSManAuthenticationError, ACCESS_DENIED, 'credentials were rejected'),
    (403, WSManAuthenticationError, ACCESS_DENIED, 'denied'),
    (404, WSManProtocolError, NOT_FOUND, 'URL prefix'),
    (413, WSManProtocolError, TOO_LARGE, 'MaxEnvelopeSizekb'),
    (503, WSManTransportError, SERVICE_UNAVAILABLE, 'unavailable'),
    (502, WSManTransportError, 0, 'HTTP 502'),
])
def test_http_status_mapping(serve, status, error_class, code, words):
    server = serve(_status_reply(status))
    with pytest.raises(error_class) as info:
        Transport(settings(server.url)).send(IDENTIFY, 'UTF-8')
    assert type(info.value) is error_class  # pylint: disable=unidiomatic-typecheck
    assert info.value.code == code and info.value.http_status == status
    assert words in str(info.value) and server.url in str(info.value)
    _no_secret(info.value)


@pytest.mark.parametrize('status', [200, 400, 500])
def test_wsman_replies_go_to_the_soap_layer(serve, status):
    server = serve(_status_reply(status, REPLY, 'application/soap+xml;charset=UTF-16'))
    reply = Transport(settings(server.url)).send(IDENTIFY, 'UTF-8')
    assert isinstance(reply, TransportResponse)
    assert (reply.status, reply.content_type, reply.body) == (status, 'application/soap+xml;charset=UTF-16', REPLY)


def test_dropped_connection_is_a_transport_error(serve):
    server = serve(lambda handler, item: (None, [], b''))
    with pytest.raises(WSManTransportError) as info:
        Transport(settings(server.url)).send(IDENTIFY, 'UTF-8')
    assert info.value.code == SERVICE_UNAVAILABLE and 'closed or reset' in str(info.value)
    assert len(server.recorder.requests) == 1  # not idempotent: never resent


def test_idempotent_request_is_resent_once_after_a_drop(serve):
    calls = []

    def respond(handler, item):
        calls.append(1)
        return (None, [], b'') if len(calls) == 1 else ok_reply(handler, item)

    server = serve(respond)
    reply = Transport(settings(server.url)).send(IDENTIFY, 'UTF-8', idempotent=True)
    assert reply.status == 200 and len(server.recorder.requests) == 2


def test_idempotent_request_is_resent_only_once(serve):
    server = serve(lambda handler, item: (None, [], b''))
    with pytest.raises(WSManTransportError):
        Transport(settings(server.url)).send(IDENTIFY, 'UTF-8', idempotent=True)
    assert len(server.recorder.requests) == 2


def test_refused_connection_is_not_resent():
    url = 'http://127.0.0.1:%d/wsman' % free_port()
    transport = Transport(settings(url))
    with pytest.raises(WSManTransportError) as info:
        transport.send(IDENTIFY, 'UTF-8', idempotent=True)
    assert info.value.code == SERVICE_UNAVAILABLE


# -- authentication headers ---------------------------------------------------------------------

def test_basic_with_no_encryption_sends_credentials(serve):
    server = serve()
    transport = Transport(settings(server.url, 'basic', False))
    for _attempt in range(3):
        transport.send(IDENTIFY, 'UTF-8')
    assert [r['headers']['Authorization'] for r in server.recorder.requests] == [_basic_header()] * 3
    assert transport.authentications == 3  # Basic: the service checks the credentials every time
    assert server.recorder.connections == 1  # one keep-alive connection


def test_basic_over_http_without_no_encryption_is_never_sent(serve):
    server = serve()
    with pytest.raises(WSManInvalidArgumentError) as info:
        Transport(settings(server.url, 'basic', True)).send(IDENTIFY, 'UTF-8')
    assert info.value.rule == 'R23'
    assert server.recorder.connections == 0


def test_no_authentication_sends_no_authorization(serve):
    server = serve()
    transport = Transport(settings(server.url, 'none', False, username=None, password=None))
    reply = transport.send(IDENTIFY, 'UTF-8', {'WSMANIDENTIFY': 'unauthenticated'})
    assert reply.status == 200
    headers = server.recorder.requests[0]['headers']
    assert 'Authorization' not in headers
    assert headers['WSMANIDENTIFY'] == 'unauthenticated'
    assert transport.authentications == 0


def test_no_authentication_ignores_netrc(serve, tmp_path, monkeypatch):
    netrc = tmp_path / '.netrc'
    netrc.write_text('machine 127.0.0.1 login someone password other-secret\n')
    netrc.chmod(0o600)
    monkeypatch.setenv('NETRC', str(netrc))
    server = serve()
    Transport(settings(server.url, 'none', False, username=None, password=None)).send(IDENTIFY, 'UTF-8')
    assert 'Authorization' not in server.recorder.requests[0]['headers']


def test_no_authentication_refused_names_the_flag(serve):
    server = serve(_status_reply(401))
    with pytest.raises(WSManAuthenticationError) as info:
        Transport(settings(server.url, 'none', False, username=None, password=None)).send(IDENTIFY, 'UTF-8')
    assert 'UseNoAuthentication' in str(info.value)


def _digest_server(serve, checker):
    def respond(handler, item):
        if checker.check('POST', item['headers'].get('Authorization')):
            return ok_reply(handler, item)
        return 401, [checker.challenge()], b''
    return serve(respond)


def test_digest_authentication(serve):
    checker = DigestChecker('amtuser', PASSWORD)
    server = _digest_server(serve, checker)
    transport = Transport(settings(server.url, 'digest', False, username='amtuser'))
    for _attempt in range(3):
        assert transport.send(IDENTIFY, 'UTF-8').status == 200
    assert checker.challenges == 1  # later requests answer the same nonce (nc counts up)
    assert checker.accepted == 3 and transport.authentications == 3
    assert all(PASSWORD not in str(r['headers']) for r in server.recorder.requests)


def test_digest_wrong_password(serve):
    checker = DigestChecker('amtuser', 'the-right-one')
    server = _digest_server(serve, checker)
    with pytest.raises(WSManAuthenticationError) as info:
        Transport(settings(server.url, 'digest', False, username='amtuser')).send(IDENTIFY, 'UTF-8')
    assert info.value.code == ACCESS_DENIED and 'Digest' in str(info.value)
    _no_secret(info.value)


# -- encodings and headers ----------------------------------------------------------------------

def test_utf16_content_type(serve):
    server = serve()
    body = IDENTIFY.decode('utf-8').encode('utf-16')
    Transport(settings(server.url, utf16=True)).send(body, 'UTF-16')
    request = server.recorder.requests[0]
    assert request['headers']['Content-Type'] == 'application/soap+xml;charset=UTF-16'
    assert request['body'] == body


def test_ipv6_loopback(serve):
    server = serve(ipv6=True)
    transport = Transport(settings(server.url))
    assert transport.send(IDENTIFY, 'UTF-8').status == 200
    assert server.recorder.requests[0]['headers']['Host'] == '[::1]:%d' % server.port


def test_utf8_content_type_and_user_agent(serve):
    server = serve()
    Transport(settings(server.url)).send(IDENTIFY, 'utf-8')
    headers = server.recorder.requests[0]['headers']
    assert headers['Content-Type'] == 'application/soap+xml;charset=UTF-8'
    assert 'WinRM' in headers['User-Agent']


def test_other_charsets_are_refused(serve):
    server = serve()
    with pytest.raises(WSManInvalidArgumentError) as info:
        Transport(settings(server.url)).send(IDENTIFY, 'latin-1')
    assert info.value.rule == 'R28'
    assert server.recorder.connections == 0


def test_extra_headers_cannot_replace_authorization(serve):
    server = serve()
    with pytest.raises(ValueError):
        Transport(settings(server.url)).send(IDENTIFY, 'UTF-8', {'Authorization': 'Basic x'})


def test_closed_transport_refuses_to_send(serve):
    server = serve()
    transport = Transport(settings(server.url))
    transport.send(IDENTIFY, 'UTF-8')
    transport.close()
    transport.close()
    with pytest.raises(WSManTransportError):
        transport.send(IDENTIFY, 'UTF-8')


# -- optional libraries -------------------------------------------------------------------------

@pytest.mark.parametrize('mechanism, flag, package', [
    ('kerberos', 'HAVE_KERBEROS', 'pywinrm[kerberos]'),
    ('credssp', 'HAVE_CREDSSP', 'pywinrm[credssp]'),
])
def test_missing_optional_library_is_named(serve, monkeypatch, mechanism, flag, package):
    monkeypatch.setattr(_transport.winrm_transport, flag, False)
    server = serve()
    with pytest.raises(WSManError) as info:
        Transport(settings(server.url, mechanism, True)).send(IDENTIFY, 'UTF-8')
    assert package in str(info.value) and server.url in str(info.value)
    assert server.recorder.connections == 0


def test_negotiate_with_implicit_credentials_needs_kerberos(serve, monkeypatch):
    monkeypatch.setattr(_transport.winrm_transport, 'HAVE_KERBEROS', False)
    server = serve()
    with pytest.raises(WSManError) as info:
        Transport(settings(server.url, 'negotiate', True, username=None, password=None)).send(IDENTIFY, 'UTF-8')
    assert 'ticket cache' in str(info.value) and 'pywinrm[kerberos]' in str(info.value)


def test_pickled_transport_error_keeps_fields():
    import pickle
    with pytest.raises(WSManTransportError) as info:
        Transport(settings('http://name.invalid:5985/wsman')).send(IDENTIFY, 'UTF-8')
    copy = pickle.loads(pickle.dumps(info.value))
    assert copy.code == NAME_NOT_RESOLVED and copy.endpoint == info.value.endpoint
