# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Proxies (ConnectionOptionsEx2.SetProxy, facts §2.3, R29-R31) through a real CONNECT proxy on
loopback: explicit proxy, Basic and Digest proxy authentication, ProxyNoProxyServer ignoring the
environment, the environment for the IE/WinHTTP/auto-detect access types, and errors."""
# pylint: disable=redefined-outer-name,unused-import

from __future__ import annotations

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._digest import DigestAnswer, parse_challenge
from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    WSManAuthenticationError,
    WSManTransportError,
)
from ansible_collections.wsman.automation.plugins.module_utils._proxy import plan_proxy
from ansible_collections.wsman.automation.plugins.module_utils._transport import Transport
from ansible_collections.wsman.automation.tests.unit.plugins.module_utils.test_transport_servers import (  # noqa: F401
    IDENTIFY,
    PASSWORD,
    ConnectProxy,
    free_port,
    pki,
    serve,
    server_tls,
    settings,
)

PROXY_IE = 0x1
PROXY_WINHTTP = 0x2
PROXY_AUTODETECT = 0x4
PROXY_NONE = 0x8
AUTH_NEGOTIATE = 0x1
AUTH_BASIC = 0x2
AUTH_DIGEST = 0x4


@pytest.fixture
def proxy():
    proxies = []

    def factory(**kwargs):
        instance = ConnectProxy(**kwargs)
        proxies.append(instance)
        return instance

    yield factory
    for instance in proxies:
        instance.close()


@pytest.fixture
def https_server(pki, serve):
    return serve(tls=server_tls(pki.server_cert, pki.server_key))


@pytest.fixture(autouse=True)
def clean_proxy_env(monkeypatch):
    for name in ('HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy',
                 'NO_PROXY', 'no_proxy'):
        monkeypatch.delenv(name, raising=False)


def _send(target, pki, **proxy):
    transport = Transport(settings(target, 'basic', False, ca_file=pki.ca_file, proxy=proxy or None))
    try:
        return transport.send(IDENTIFY, 'UTF-8')
    finally:
        transport.close()


def test_explicit_proxy_without_authentication(pki, https_server, proxy):
    relay = proxy()
    assert _send(https_server.url, pki, access_type=PROXY_WINHTTP, url=relay.url).status == 200
    assert relay.tunnels == ['127.0.0.1:%d' % https_server.port]
    assert 'proxy-authorization' not in relay.seen_headers[0]


def test_basic_proxy_authentication(pki, https_server, proxy):
    relay = proxy(auth='basic')
    reply = _send(https_server.url, pki, access_type=PROXY_WINHTTP, url=relay.url, authentication_mechanism=AUTH_BASIC,
                  username=relay.username, password=relay.password)
    assert reply.status == 200 and relay.tunnels
    # The proxy credentials go to the proxy only, never to the service.
    assert all('Proxy-Authorization' not in r['headers'] for r in https_server.recorder.requests)


def test_basic_proxy_wrong_password(pki, https_server, proxy):
    relay = proxy(auth='basic')
    with pytest.raises(WSManAuthenticationError) as info:
        _send(https_server.url, pki, access_type=PROXY_WINHTTP, url=relay.url, authentication_mechanism=AUTH_BASIC,
              username=relay.username, password='wrong-proxy-password')
    assert info.value.code == 2147942405 and '407' in str(info.value) and relay.url in str(info.value)
    assert 'wrong-proxy-password' not in str(info.value)
    assert not relay.tunnels


@pytest.mark.parametrize('close_after_407', [False, True])
def test_digest_proxy_authentication(pki, https_server, proxy, close_after_407):
    relay = proxy(auth='digest', close_after_407=close_after_407)
    transport = Transport(settings(https_server.url, 'basic', False, ca_file=pki.ca_file, proxy=dict(
        access_type=PROXY_WINHTTP, url=relay.url, authentication_mechanism=AUTH_DIGEST, username=relay.username,
        password=relay.password)))
    try:
        assert transport.send(IDENTIFY, 'UTF-8').status == 200
    finally:
        transport.close()
    assert relay.refused == 1 and relay.digest.accepted == 1 and len(relay.tunnels) == 1


def test_digest_proxy_reuses_the_nonce_for_the_next_tunnel(pki, https_server, proxy):
    relay = proxy(auth='digest')
    transport = Transport(settings(https_server.url, 'basic', False, ca_file=pki.ca_file, proxy=dict(
        access_type=PROXY_WINHTTP, url=relay.url, authentication_mechanism=AUTH_DIGEST, username=relay.username,
        password=relay.password)))
    try:
        transport.send(IDENTIFY, 'UTF-8')
        transport._session.close()  # pylint: disable=protected-access
        transport.send(IDENTIFY, 'UTF-8')
    finally:
        transport.close()
    assert len(relay.tunnels) == 2 and relay.refused == 1 and relay.digest.accepted == 2


def test_digest_proxy_wrong_password(pki, https_server, proxy):
    relay = proxy(auth='digest')
    with pytest.raises(WSManAuthenticationError) as info:
        _send(https_server.url, pki, access_type=PROXY_WINHTTP, url=relay.url, authentication_mechanism=AUTH_DIGEST,
              username=relay.username, password='wrong')
    assert '407' in str(info.value)


def test_negotiate_proxy_authentication_uses_ntlm(pki, https_server, proxy, monkeypatch, tmp_path):
    users = tmp_path / 'ntlm-users'
    users.write_text('PROXYDOM:proxyuser:proxy-secret\n')
    monkeypatch.setenv('NTLM_USER_FILE', str(users))  # pyspnego's NTLM server reads its accounts here
    relay = proxy(auth='ntlm')
    reply = _send(https_server.url, pki, access_type=PROXY_WINHTTP, url=relay.url, authentication_mechanism=AUTH_NEGOTIATE,
                  username='PROXYDOM\\proxyuser', password='proxy-secret')
    assert reply.status == 200 and len(relay.tunnels) == 1
    assert relay.ntlm_user and relay.ntlm_user.lower().endswith('proxyuser')


def test_negotiate_proxy_wrong_password(pki, https_server, proxy, monkeypatch, tmp_path):
    users = tmp_path / 'ntlm-users'
    users.write_text('PROXYDOM:proxyuser:proxy-secret\n')
    monkeypatch.setenv('NTLM_USER_FILE', str(users))
    relay = proxy(auth='ntlm')
    with pytest.raises(WSManAuthenticationError) as info:
        _send(https_server.url, pki, access_type=PROXY_WINHTTP, url=relay.url, authentication_mechanism=AUTH_NEGOTIATE,
              username='PROXYDOM\\proxyuser', password='wrong')
    assert '407' in str(info.value) and not relay.tunnels


def test_no_proxy_server_ignores_the_environment(pki, https_server, monkeypatch):
    # A proxy that is not there: using it would fail.
    monkeypatch.setenv('HTTPS_PROXY', 'http://127.0.0.1:%d' % free_port())
    assert _send(https_server.url, pki, access_type=PROXY_NONE).status == 200


@pytest.mark.parametrize('access_type', [PROXY_IE, PROXY_WINHTTP, PROXY_AUTODETECT])
def test_environment_proxy_for_system_access_types(pki, https_server, proxy, monkeypatch, access_type):
    relay = proxy()
    monkeypatch.setenv('HTTPS_PROXY', relay.url)
    reply = _send(https_server.url, pki, access_type=access_type)
    assert reply.status == 200 and relay.tunnels == ['127.0.0.1:%d' % https_server.port]


def test_without_set_proxy_the_connection_is_direct(pki, https_server, proxy, monkeypatch):
    relay = proxy()
    monkeypatch.setenv('HTTPS_PROXY', relay.url)
    assert _send(https_server.url, pki).status == 200
    assert not relay.tunnels


def test_no_proxy_environment_exception(pki, https_server, proxy, monkeypatch):
    relay = proxy()
    monkeypatch.setenv('HTTPS_PROXY', relay.url)
    monkeypatch.setenv('NO_PROXY', '127.0.0.1')
    assert _send(https_server.url, pki, access_type=PROXY_IE).status == 200
    assert not relay.tunnels


def test_environment_proxy_credentials_are_kept_out_of_messages(pki, https_server, monkeypatch):
    port = free_port()
    monkeypatch.setenv('HTTPS_PROXY', 'http://envuser:env-secret@127.0.0.1:%d' % port)
    plan = plan_proxy(settings(https_server.url, 'basic', False, proxy=dict(access_type=PROXY_IE)), https_server.url)
    assert plan.display == 'http://127.0.0.1:%d' % port
    assert plan.headers['Proxy-Authorization'].startswith('Basic ')
    with pytest.raises(WSManTransportError) as info:
        _send(https_server.url, pki, access_type=PROXY_IE)
    assert 'env-secret' not in str(info.value) and 'proxy' in str(info.value)


def test_unreachable_proxy(pki, https_server):
    url = 'http://127.0.0.1:%d' % free_port()
    with pytest.raises(WSManTransportError) as info:
        _send(https_server.url, pki, access_type=PROXY_WINHTTP, url=url)
    assert info.value.code == 2150859026 and url in str(info.value)


def test_digest_answer_matches_rfc_7616_example():
    # RFC 7616 section 3.9.1 (MD5): user Mufasa, password "Circle of Life".
    challenge = parse_challenge('Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, '
                                'nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", '
                                'opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"')
    answer = DigestAnswer('Mufasa', 'Circle of Life', challenge)
    header = answer.header('GET', '/dir/index.html', cnonce='f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ')
    assert 'response="8ca523f5e9506fed4657c9700eebdbec"' in header
    assert 'nc=00000001' in header and 'qop=auth' in header
