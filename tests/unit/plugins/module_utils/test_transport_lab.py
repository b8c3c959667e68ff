# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport against the lab endpoint (tests/lab): NTLM with MS-WSMV message encryption over
HTTP, one authentication for many requests (checked against the lab's own counters), UTF-16
inside encrypted messages, re-authentication after a dropped connection, Basic, Digest and
client certificates."""
# pylint: disable=redefined-outer-name

from __future__ import annotations


import pytest

from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManAuthenticationError
from ansible_collections.wsman.automation.plugins.module_utils._transport import Transport
from ansible_collections.wsman.automation.tests.unit.lab_endpoint import start_lab
from ansible_collections.wsman.automation.tests.unit.plugins.module_utils.test_transport_servers import (
    IDENTIFY,
    settings,
)

NO_ENCRYPTION = 0x100000


@pytest.fixture
def lab(tmp_path):
    """``lab(**options)`` as in tests/lab/tests/conftest.py; every lab is stopped after the test."""
    started = []

    def factory(**options):
        endpoint = start_lab(tmp_path / ('lab%d' % len(started)), **options)
        started.append(endpoint)
        return endpoint

    yield factory
    for endpoint in started:
        endpoint.stop()


def _identify_ok(reply):
    assert reply.status == 200, (reply.status, reply.body[:300])
    assert b'IdentifyResponse' in reply.body
    assert 'application/soap+xml' in reply.content_type


def _lab_settings(endpoint, url, mechanism, encrypt, flags=0, **options):
    return settings(url, mechanism, encrypt, flags, username=endpoint.username, password=endpoint.password, **options)


def test_ntlm_encrypted_over_http_authenticates_once(lab):
    endpoint = lab(https=False)
    before = endpoint.stats()
    transport = Transport(_lab_settings(endpoint, endpoint.http_url, 'negotiate', True))
    assert transport.encrypts_messages
    try:
        for _attempt in range(5):
            _identify_ok(transport.send(IDENTIFY, 'UTF-8'))
    finally:
        transport.close()
    after = endpoint.stats()
    assert transport.authentications == 1
    assert after['authentications'] - before['authentications'] == 1
    assert after['encrypted_requests'] - before['encrypted_requests'] == 5


def test_utf16_inside_encrypted_messages(lab):
    endpoint = lab(https=False)
    transport = Transport(_lab_settings(endpoint, endpoint.http_url, 'negotiate', True, utf16=True))
    try:
        body = IDENTIFY.decode('utf-8').encode('utf-16')
        _identify_ok_any_charset(transport.send(body, 'UTF-16'))
    finally:
        transport.close()
    assert endpoint.stats()['encrypted_requests'] == 1


def _identify_ok_any_charset(reply):
    assert reply.status == 200, (reply.status, reply.body[:300])
    charset = reply.content_type.lower().split('charset=')[-1]
    text = reply.body.decode('utf-16' if '16' in charset else 'utf-8')
    assert 'IdentifyResponse' in text


def test_dropped_connection_reauthenticates_and_resends(lab):
    endpoint = lab(https=False)
    transport = Transport(_lab_settings(endpoint, endpoint.http_url, 'negotiate', True))
    try:
        _identify_ok(transport.send(IDENTIFY, 'UTF-8'))
        endpoint.inject('drop', count=1)
        _identify_ok(transport.send(IDENTIFY, 'UTF-8', idempotent=True))
    finally:
        transport.close()
    assert transport.authentications == 2
    assert endpoint.stats()['authentications'] == 2


def test_new_connection_reauthenticates_and_reseals(lab):
    # A keep-alive connection that went away between requests (idle timeout, service restart): the
    # next request opens a new connection, which Windows makes authenticate again; the body that was
    # sealed with the old NTLM context is sealed again with the new one. Not idempotent: no resend
    # of a request the service may have seen is involved.
    endpoint = lab(https=False)
    transport = Transport(_lab_settings(endpoint, endpoint.http_url, 'negotiate', True))
    try:
        _identify_ok(transport.send(IDENTIFY, 'UTF-8'))
        transport._session.get_adapter(endpoint.http_url).poolmanager.clear()  # pylint: disable=protected-access
        _identify_ok(transport.send(IDENTIFY, 'UTF-8'))
        _identify_ok(transport.send(IDENTIFY, 'UTF-8'))
    finally:
        transport.close()
    # first logon, the logon of the new connection that carried the stale body, the fresh logon
    assert transport.authentications == endpoint.stats()['authentications'] == 3
    assert endpoint.stats()['encrypted_requests'] == 3  # the stale body never decrypted


def test_ntlm_wrong_password(lab):
    endpoint = lab(https=False)
    transport = Transport(settings(endpoint.http_url, 'negotiate', True, username=endpoint.username,
                                   password='not-the-password'))
    with pytest.raises(WSManAuthenticationError) as info:
        transport.send(IDENTIFY, 'UTF-8')
    assert info.value.code == 2147942405
    assert 'not-the-password' not in str(info.value)


def test_ntlm_over_https_with_channel_binding(lab):
    endpoint = lab(cbt_hardening_level='Strict')
    transport = Transport(_lab_settings(endpoint, endpoint.https_url, 'negotiate', False, ca_file=endpoint.ca_file))
    assert not transport.encrypts_messages
    try:
        for _attempt in range(3):
            _identify_ok(transport.send(IDENTIFY, 'UTF-8'))
    finally:
        transport.close()
    assert transport.authentications == 1
    stats = endpoint.stats()
    assert stats['authentications'] == 1 and stats.get('encrypted_requests', 0) == 0


def test_basic_over_http_with_no_encryption(lab):
    endpoint = lab(https=False, basic=True, allow_unencrypted=True)
    transport = Transport(_lab_settings(endpoint, endpoint.http_url, 'basic', False, NO_ENCRYPTION))
    try:
        _identify_ok(transport.send(IDENTIFY, 'UTF-8'))
        _identify_ok(transport.send(IDENTIFY, 'UTF-8'))
    finally:
        transport.close()
    assert transport.authentications == endpoint.stats()['authentications'] == 2


def test_digest_against_the_lab(lab):
    endpoint = lab(https=False, digest=True, allow_unencrypted=True)
    transport = Transport(_lab_settings(endpoint, endpoint.http_url, 'digest', False, NO_ENCRYPTION))
    try:
        for _attempt in range(3):
            _identify_ok(transport.send(IDENTIFY, 'UTF-8'))
    finally:
        transport.close()
    assert transport.authentications == endpoint.stats()['authentications'] == 3


def test_client_certificate_against_the_lab(lab):
    endpoint = lab(certificate=True, cert_map='lab-client:%s' % 'labadmin')
    cert, key = endpoint.client_cert('lab-client')
    transport = Transport(settings(endpoint.https_url, 'certificate', False, username=None, password=None,
                                   ca_file=endpoint.ca_file, certificate_pem=cert, certificate_key_pem=key))
    try:
        _identify_ok(transport.send(IDENTIFY, 'UTF-8'))
        _identify_ok(transport.send(IDENTIFY, 'UTF-8'))
    finally:
        transport.close()
    assert transport.authentications == endpoint.stats()['authentications'] == 1


@pytest.mark.parametrize('https', [True, False], ids=['https', 'http-encrypted'])
def test_credssp_session_against_the_lab(lab, https):
    # R13: CredSSP with explicit credentials, over HTTPS or over HTTP with CredSSP message encryption,
    # through the public API (rules, session, transport) against the lab's CredSSP acceptor.
    from ansible_collections.wsman.automation.plugins.module_utils.wsman import (  # pylint: disable=import-outside-toplevel
        ClientConfig, ConnectionOptions, WSMan, instance_to_dict)

    endpoint = lab(credssp=True, https=https)
    options = ConnectionOptions(username='LAB01\\%s' % endpoint.username, password=endpoint.password)
    if https:
        options.ca_file = endpoint.ca_file
    url = endpoint.https_url if https else endpoint.http_url
    session = WSMan(ClientConfig()).create_session(url, 'UseCredSsp|CredUsernamePassword', options)
    try:
        first = instance_to_dict(session.get_element('wmicimv2/Win32_Service?Name=WinRM'))
        second = instance_to_dict(session.get_element('wmicimv2/Win32_Service?Name=Spooler'))
    finally:
        session.close()
    assert (first['Name'], second['Name']) == ('WinRM', 'Spooler')
    stats = endpoint.stats()
    assert stats['authentications'] == 1
    assert stats['encrypted_requests'] == (0 if https else 2)
