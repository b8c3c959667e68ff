"""MS-WSMV 2.2.9.1 message encryption over HTTP: the ``multipart/encrypted`` framing.

A request (or response) body is::

    --Encrypted Boundary\\r\\n
    \\tContent-Type: application/HTTP-SPNEGO-session-encrypted\\r\\n
    \\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=<plaintext length>\\r\\n
    --Encrypted Boundary\\r\\n
    \\tContent-Type: application/octet-stream\\r\\n
    <uint32 LE signature length><signature><sealed data>--Encrypted Boundary--\\r\\n

with the HTTP header ``Content-Type: multipart/encrypted;protocol="application/HTTP-SPNEGO-session-encrypted";
boundary="Encrypted Boundary"``.  The signature and sealing come from the authenticated security
context (pyspnego's ``wrap_winrm``/``unwrap_winrm``), which keeps the per-direction sequence numbers.
"""

import re
import struct

SPNEGO = "application/HTTP-SPNEGO-session-encrypted"
KERBEROS = "application/HTTP-Kerberos-session-encrypted"
CREDSSP = "application/HTTP-CredSSP-session-encrypted"
PROTOCOLS = (SPNEGO, KERBEROS, CREDSSP)
DEFAULT_BOUNDARY = "Encrypted Boundary"

_PARAM = re.compile(r';\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*("([^"]*)"|[^;]*)')
_LENGTH = re.compile(rb"Length=(\d+)", re.IGNORECASE)
_TYPE = re.compile(rb"type=([^;\r\n]+(?:;\s*charset=[^;\r\n]+)?)", re.IGNORECASE)


class EncryptionError(ValueError):
    """The body does not follow the MS-WSMV framing or does not decrypt; the message says which part."""


def content_type_params(content_type):
    """(media type lower-cased, {param: value}) of a Content-Type header value."""
    media = (content_type or "").partition(";")[0]
    params = {}
    for match in _PARAM.finditer(content_type or ""):
        value = match.group(3) if match.group(3) is not None else match.group(2).strip()
        params[match.group(1).lower()] = value
    return media.strip().lower(), params


def encrypted_protocol(content_type):
    """The ``protocol`` of an MS-WSMV encrypted body, or None when the body is not encrypted."""
    media, params = content_type_params(content_type)
    if media not in ("multipart/encrypted", "multipart/x-multi-encrypted"):
        return None
    return params.get("protocol", "")


def _part_header(header_part):
    length_match = _LENGTH.search(header_part)
    type_match = _TYPE.search(header_part)
    if not length_match or not type_match:
        raise EncryptionError("encrypted body lacks 'OriginalContent: type=...;Length=N' in a MIME part")
    return int(length_match.group(1)), type_match.group(1).decode("ascii", "replace").strip()


def unwrap(context, body, content_type):
    """Decrypt and verify a request body; returns (plaintext, original content type).

    ``multipart/encrypted`` carries one sealed part; ``multipart/x-multi-encrypted`` (CredSSP, messages
    over 16 KiB) carries several, each with its own OriginalContent length.
    """
    media, params = content_type_params(content_type)
    if media not in ("multipart/encrypted", "multipart/x-multi-encrypted"):
        raise EncryptionError("Content-Type %r: only multipart/encrypted or multipart/x-multi-encrypted carry an encrypted message" % media)
    boundary = params.get("boundary") or DEFAULT_BOUNDARY
    marker = b"--" + boundary.encode("ascii", "replace")
    part_start = marker + b"\r\n"
    next_part = part_start + b"\tContent-Type: "
    octet = b"application/octet-stream\r\n"
    end = body.rfind(marker + b"--")
    if not body.startswith(part_start) or end < 0:
        raise EncryptionError("encrypted body does not start with the boundary %r or lacks the closing boundary" % boundary)
    pieces = []
    original_type = None
    pos = 0
    while pos < end:
        if not body.startswith(part_start, pos):
            raise EncryptionError("encrypted body: expected the boundary %r at offset %d" % (boundary, pos))
        second = body.find(part_start, pos + len(part_start))
        if second < 0 or second >= end:
            raise EncryptionError("encrypted body has no application/octet-stream part after its OriginalContent part")
        expected_length, original_type = _part_header(body[pos + len(part_start):second])
        octet_at = body.find(octet, second, second + 200)
        if octet_at < 0:
            raise EncryptionError("second MIME part is not application/octet-stream")
        data_start = octet_at + len(octet)
        following = body.find(next_part, data_start, end)
        data_end = following if following >= 0 else end
        payload = body[data_start:data_end]
        if len(payload) < 4:
            raise EncryptionError("encrypted payload is shorter than its 4-byte signature length")
        sig_len = struct.unpack("<I", payload[:4])[0]
        if sig_len > len(payload) - 4:
            raise EncryptionError("signature length %d exceeds the payload" % sig_len)
        try:
            plaintext = context.unwrap_winrm(payload[4:4 + sig_len], payload[4 + sig_len:])
        except Exception as exc:  # pyspnego raises several types for a bad signature or wrong sequence number
            raise EncryptionError("message does not decrypt or verify with this connection's security context: %s" % type(exc).__name__) from None
        if len(plaintext) != expected_length:
            raise EncryptionError("decrypted length %d differs from OriginalContent Length=%d" % (len(plaintext), expected_length))
        pieces.append(plaintext)
        pos = data_end
    return b"".join(pieces), original_type


CHUNK = 16384


def wrap(context, plaintext, content_type, protocol=SPNEGO):
    """Encrypt a response body; returns (body, Content-Type header value).

    CredSSP responses over 16 KiB are sealed in 16 KiB parts (``multipart/x-multi-encrypted``) as Windows does.
    """
    marker = b"--" + DEFAULT_BOUNDARY.encode("ascii")
    if protocol == CREDSSP and len(plaintext) > CHUNK:
        chunks = [plaintext[i:i + CHUNK] for i in range(0, len(plaintext), CHUNK)]
        media = "multipart/x-multi-encrypted"
    else:
        chunks = [plaintext]
        media = "multipart/encrypted"
    parts = []
    for chunk in chunks:
        result = context.wrap_winrm(chunk)
        parts.extend((
            marker, b"\r\n",
            b"\tContent-Type: ", protocol.encode("ascii"), b"\r\n",
            b"\tOriginalContent: type=", content_type.encode("ascii"), b";Length=", str(len(chunk)).encode("ascii"), b"\r\n",
            marker, b"\r\n",
            b"\tContent-Type: application/octet-stream\r\n",
            struct.pack("<I", len(result.header)), result.header, result.data,
        ))
    parts.extend((marker, b"--\r\n"))
    header = '%s;protocol="%s";boundary="%s"' % (media, protocol, DEFAULT_BOUNDARY)
    return b"".join(parts), header
