# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MS-WSMV 2.2.9.1 framing around pywinrm's Encryption, with a real NTLM context pair (pyspnego
client and server in this process): the UTF-16 charset in the clear MIME header, the sealed bytes
the server can open, and the reply's OriginalContent type."""
# pylint: disable=redefined-outer-name

from __future__ import annotations

import struct

import pytest
import requests
import spnego
import spnego.exceptions
from requests_ntlm.requests_ntlm import HttpNtlmAuth, ShimSessionSecurity
from winrm.encryption import Encryption

from ansible_collections.wsman.automation.plugins.module_utils._transport_encryption import (
    BOUNDARY,
    END_MARKER,
    EncryptionFramingError,
    is_encrypted_reply,
    original_content_type,
    prepare_encrypted,
    unwrap_ntlm_reply,
)

ENDPOINT = 'http://wsman-host:5985/wsman'
MESSAGE = '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>\u00e9\u4e2d</s:Body></s:Envelope>'


@pytest.fixture
def contexts(tmp_path, monkeypatch):
    users = tmp_path / 'ntlm-users'
    users.write_text('LAB:labuser:Lab-Pa55\n')
    monkeypatch.setenv('NTLM_USER_FILE', str(users))
    client = spnego.client('LAB\\labuser', 'Lab-Pa55', protocol='ntlm')
    server = spnego.server(protocol='ntlm')
    token = client.step()
    while not client.complete or not server.complete:
        token = server.step(token)
        if token is not None and not client.complete:
            token = client.step(token)
    session = requests.Session()
    auth = HttpNtlmAuth('LAB\\labuser', 'Lab-Pa55')
    auth.session_security = ShimSessionSecurity(client)
    session.auth = auth
    return session, Encryption(session, 'ntlm'), server


def _open(server, body):
    head, sep, rest = body.partition(BOUNDARY + b'\r\n\tContent-Type: application/octet-stream\r\n')
    assert sep and rest.endswith(END_MARKER)
    sealed = rest[:-len(END_MARKER)]
    signature_length = struct.unpack('<i', sealed[:4])[0]
    signature, data = sealed[4:4 + signature_length], sealed[4 + signature_length:]
    return head, server.unwrap(signature + data).data


@pytest.mark.parametrize('charset, codec', [('UTF-8', 'utf-8'), ('UTF-16', 'utf-16')])
def test_sealed_request_names_its_charset(contexts, charset, codec):
    session, encryption, server = contexts
    message = MESSAGE.encode(codec)
    prepared = prepare_encrypted(encryption, session, ENDPOINT, message, charset, 'ntlm')
    head, clear = _open(server, prepared.body)
    assert clear == message
    assert b'OriginalContent: type=application/soap+xml;charset=%s;Length=%d' % (charset.encode(), len(message)) in head
    assert prepared.headers['Content-Length'] == str(len(prepared.body))
    assert prepared.headers['Content-Type'].startswith('multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted"')


def test_successive_messages_stay_in_sequence(contexts):
    session, encryption, server = contexts
    for number in range(3):
        message = ('<m n="%d"/>' % number).encode('utf-16')
        _head, clear = _open(server, prepare_encrypted(encryption, session, ENDPOINT, message, 'UTF-16', 'ntlm').body)
        assert clear == message


def test_reply_is_opened_and_its_type_read(contexts):
    session, encryption, server = contexts
    reply = MESSAGE.encode('utf-16')
    wrapped = server.wrap(reply, encrypt=True).data
    signature, data = wrapped[:16], wrapped[16:]
    body = (BOUNDARY + b'\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n'
            b'\tOriginalContent: type=application/soap+xml;charset=UTF-16;Length=' + str(len(reply)).encode() + b'\r\n'
            + BOUNDARY + b'\r\n\tContent-Type: application/octet-stream\r\n' + struct.pack('<i', 16) + signature + data
            + END_MARKER)
    content_type = 'multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";boundary="Encrypted Boundary"'
    response = requests.models.Response()
    response.status_code = 200
    response.headers['Content-Type'] = content_type
    response._content = body  # pylint: disable=protected-access
    response.request = session.prepare_request(requests.Request('POST', ENDPOINT))
    assert is_encrypted_reply(content_type)
    assert encryption.parse_encrypted_response(response) == reply
    assert original_content_type(body) == 'application/soap+xml;charset=UTF-16'


def test_unknown_frame_is_refused():
    class Framer:
        @staticmethod
        def prepare_encrypted_request(session, endpoint, message):
            return requests.Request('POST', endpoint, data=b'not a MIME frame').prepare()

    with pytest.raises(EncryptionFramingError):
        prepare_encrypted(Framer(), None, ENDPOINT, b'x', 'UTF-16', 'ntlm')


def test_plain_reply_type_defaults():
    assert original_content_type(b'<s:Envelope/>') == 'application/soap+xml;charset=UTF-8'
    assert not is_encrypted_reply('application/soap+xml;charset=UTF-8')


def _sealed_reply(server, reply, parts=1):
    body = b''
    size = -(-len(reply) // parts)
    for start in range(0, len(reply), size):
        chunk = reply[start:start + size]
        wrapped = server.wrap(chunk, encrypt=True).data
        body += (BOUNDARY + b'\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n'
                 b'\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=' + str(len(chunk)).encode() + b'\r\n'
                 + BOUNDARY + b'\r\n\tContent-Type: application/octet-stream\r\n' + struct.pack('<i', 16) + wrapped)
    return body + END_MARKER


@pytest.mark.parametrize('parts', [1, 3])
def test_ntlm_reply_unsealed_from_the_frame(contexts, parts):
    session, _encryption, server = contexts
    reply = ('<s:Envelope>%s</s:Envelope>' % ('x' * 5000)).encode()
    assert unwrap_ntlm_reply(session.auth.session_security, _sealed_reply(server, reply, parts)) == reply


def test_ntlm_reply_whose_sealed_bytes_hold_the_boundary(contexts):
    # The sealed bytes are taken by the OriginalContent length, never cut at a boundary look-alike.
    session, _encryption, server = contexts
    reply = b'<x>' + BOUNDARY + b'\r\n' + BOUNDARY + b'--\r\n</x>'
    body = _sealed_reply(server, reply)
    assert unwrap_ntlm_reply(session.auth.session_security, body) == reply


def test_ntlm_reply_with_an_unusual_frame_goes_to_the_general_parser(contexts):
    session, _encryption, server = contexts
    body = _sealed_reply(server, b'<x/>')
    security = session.auth.session_security
    assert unwrap_ntlm_reply(security, body[:-3]) is None  # no closing boundary
    assert unwrap_ntlm_reply(security, body.replace(b'Length=4', b'Length=9')) is None  # length beyond the part
    assert unwrap_ntlm_reply(security, b'junk' + body) is None


def test_ntlm_reply_that_does_not_verify_raises(contexts):
    session, _encryption, server = contexts
    body = bytearray(_sealed_reply(server, b'<x>secret</x>'))
    body[-len(END_MARKER) - 3] ^= 0x01  # flip one sealed bit
    with pytest.raises(spnego.exceptions.BadMICError):  # the transport maps it to WSManProtocolError
        unwrap_ntlm_reply(session.auth.session_security, bytes(body))
