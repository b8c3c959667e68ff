# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""MS-WSMV 2.2.9.1 message encryption around pywinrm's ``Encryption`` object.

pywinrm seals and unseals the message with the NTLM/Kerberos/CredSSP context it established
(``prepare_encrypted_request`` / ``parse_encrypted_response``). Two things it does not do are added
here, without touching the cryptography:

* pywinrm writes ``OriginalContent: type=application/soap+xml;charset=UTF-8`` into the clear-text
  MIME header of every encrypted part. For a UTF-16 session (``WSManFlagUTF16``) that header must
  say ``charset=UTF-16``, or the service decodes the decrypted bytes wrongly. The header sits
  outside the sealed bytes, at a fixed place in front of each part, so it is rewritten exactly
  there. Large CredSSP messages are split into 16 KiB parts; for UTF-16 each part is sealed
  through pywinrm one after the other (same order, same context) and joined with the same MIME
  framing.
* the content type of the reply is read from the ``OriginalContent`` header of the reply's first
  part, so the SOAP layer decodes the decrypted body with the charset the service used.
"""

from __future__ import annotations

import re
import struct

BOUNDARY = b'--Encrypted Boundary'
END_MARKER = BOUNDARY + b'--\r\n'
CREDSSP_CHUNK = 16384
_UTF8_ORIGINAL = b'OriginalContent: type=application/soap+xml;charset=UTF-8;Length='
_PART_START = BOUNDARY + b'\r\n'
_OCTET_HEADER = b'\tContent-Type: application/octet-stream\r\n'
_LENGTH_RE = re.compile(rb';\s*Length=(\d+)\s*$', re.IGNORECASE)
_ORIGINAL_RE = re.compile(rb'OriginalContent:\s*type=([^;\r\n]+);\s*charset=([A-Za-z0-9_-]+)', re.IGNORECASE)


class EncryptionFramingError(ValueError):
    """pywinrm produced a frame this module does not recognise (guards the header rewrite)."""


def _rewrite_first_header(body, charset):
    """Rewrite the OriginalContent header of the single part that starts ``body``."""
    head_end = body.find(BOUNDARY + b'\r\n\tContent-Type: application/octet-stream\r\n')
    position = body.find(_UTF8_ORIGINAL)
    if position < 0 or head_end < 0 or position > head_end:
        raise EncryptionFramingError('unexpected encrypted MIME header from pywinrm')
    new = _UTF8_ORIGINAL.replace(b'UTF-8', charset.encode('ascii'))
    return body[:position] + new + body[position + len(_UTF8_ORIGINAL):]


def prepare_encrypted(encryption, session, endpoint, message, charset, protocol):
    """A prepared, sealed request for ``message`` (bytes already in ``charset``)."""
    if charset.upper() == 'UTF-8':
        return encryption.prepare_encrypted_request(session, endpoint, message)
    if protocol == 'credssp' and len(message) > CREDSSP_CHUNK:
        parts = []
        prepared = None
        for start in range(0, len(message), CREDSSP_CHUNK):
            prepared = encryption.prepare_encrypted_request(session, endpoint, message[start:start + CREDSSP_CHUNK])
            body = prepared.body
            if not body.endswith(END_MARKER):
                raise EncryptionFramingError('unexpected end of an encrypted MIME message from pywinrm')
            parts.append(_rewrite_first_header(body[:-len(END_MARKER)], charset))
        body = b''.join(parts) + END_MARKER
        prepared.body = body
        prepared.headers['Content-Length'] = str(len(body))
        prepared.headers['Content-Type'] = prepared.headers['Content-Type'].replace('multipart/encrypted',
                                                                                    'multipart/x-multi-encrypted')
        return prepared
    prepared = encryption.prepare_encrypted_request(session, endpoint, message)
    prepared.body = _rewrite_first_header(prepared.body, charset)
    prepared.headers['Content-Length'] = str(len(prepared.body))
    return prepared


def is_encrypted_reply(content_type):
    return 'multipart/' in (content_type or '').lower() and 'session-encrypted' in (content_type or '').lower()


def original_content_type(raw_body, default='application/soap+xml;charset=UTF-8'):
    """The content type of the clear message inside an encrypted reply (from OriginalContent)."""
    match = _ORIGINAL_RE.search(raw_body[:512])
    if not match:
        return default
    return '%s;charset=%s' % (match.group(1).decode('ascii', 'replace').strip(),
                              match.group(2).decode('ascii', 'replace'))


def unwrap_ntlm_reply(session_security, raw):
    """Open an NTLM-sealed reply (MS-WSMV 2.2.9.1.1) from its bytes; None if the framing is not the usual one.

    The MIME frame is walked with ``bytes.find`` and slices: each part is ``--Encrypted Boundary``,
    its ``OriginalContent: ...;Length=N`` header, ``--Encrypted Boundary``, the octet-stream header,
    then ``<uint32 signature length><signature><N sealed bytes>`` (NTLM sealing keeps the length), and
    the message ends with ``--Encrypted Boundary--``. Taking exactly N bytes (instead of searching
    for the next boundary) cannot cut a message whose sealed bytes happen to contain the boundary.
    ``session_security.unwrap(sealed, signature)`` checks the signature and sequence number.
    Returns None (the caller then uses pywinrm's parser) when the frame differs from this layout.
    """
    # requests_ntlm's session_security.unwrap(message, signature) only joins signature + message
    # for the pyspnego context it wraps; the context takes the adjacent bytes as they are.
    context = getattr(session_security, '_context', None)
    if not callable(getattr(context, 'unwrap', None)):
        context = None
    pieces = []
    pos = 0
    end = len(raw) - len(END_MARKER)
    if end < 0 or not raw.endswith(END_MARKER):
        return None
    while pos < end:
        if not raw.startswith(_PART_START, pos):
            return None
        second = raw.find(_PART_START, pos + len(_PART_START), pos + 1024)
        if second < 0:
            return None
        header = raw[pos + len(_PART_START):second].rstrip()
        match = _LENGTH_RE.search(header)
        if not match:
            return None
        length = int(match.group(1))
        start = second + len(_PART_START)
        if not raw.startswith(_OCTET_HEADER, start):
            return None
        start += len(_OCTET_HEADER)
        if start + 4 > end:
            return None
        signature_length = struct.unpack_from('<I', raw, start)[0]
        signature_end = start + 4 + signature_length
        data_end = signature_end + length
        if data_end > end or not raw.startswith(BOUNDARY, data_end):
            return None
        if context is not None:
            # signature and sealed bytes are adjacent in the frame: one slice, no re-concatenation
            message = context.unwrap(raw[start + 4:data_end]).data
        else:
            message = session_security.unwrap(raw[signature_end:data_end], raw[start + 4:signature_end])
        if len(message) != length:
            raise EncryptionFramingError('the decrypted reply has %d bytes, its OriginalContent header says %d'
                                         % (len(message), length))
        pieces.append(message)
        pos = data_end
    if not pieces:
        return None
    return pieces[0] if len(pieces) == 1 else b''.join(pieces)
