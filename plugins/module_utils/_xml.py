# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Hardened XML parsing and response-body decoding.

Every byte string that comes from the network (or from a user as "XML text") goes through
:func:`parse_xml`: no entity resolution, no DTD loading, no network access, no huge-tree mode, a
size bound, and any ``<!DOCTYPE`` is refused outright.
"""

from __future__ import annotations

import codecs
import re

from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError

try:
    from lxml import etree
    HAS_LXML = True
    LXML_IMPORT_ERROR = None
except ImportError as _exc:  # reported by require_lxml() when the library is used
    etree = None
    HAS_LXML = False
    LXML_IMPORT_ERROR = _exc

# Bound on one XML document (bytes once encoded as UTF-8). A WS-Management envelope is bounded by
# MaxEnvelopeSize (150 KB by default, at most about 1 GB on Windows); 64 MiB leaves plenty of room
# for generous services while refusing memory-exhaustion attempts.
MAX_XML_BYTES = 64 * 1024 * 1024

E_INVALIDARG = 0x80070057  # Windows "The parameter is incorrect"

_PARSER_OPTIONS = {
    'resolve_entities': False,
    'no_network': True,
    'load_dtd': False,
    'dtd_validation': False,
    'huge_tree': False,
    'remove_comments': True,
    'remove_pis': True,
    'collect_ids': False,
}

# Characters XML 1.0 cannot hold (§2.2 Char): C0 controls but tab/LF/CR, surrogates, U+FFFE, U+FFFF.
_NON_XML_CHAR_RE = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]')
_CHARSET_RE = re.compile(r'charset\s*=\s*"?([A-Za-z0-9_.:-]+)"?', re.IGNORECASE)
_DOCTYPE_RE = re.compile(br'<!DOCTYPE', re.IGNORECASE)


def require_lxml():
    """Raise ImportError with a clear message when lxml is missing."""
    if not HAS_LXML:
        raise ImportError('The WS-Management library needs the Python package lxml (pip install lxml): %s'
                          % LXML_IMPORT_ERROR)


class XMLParseError(ValueError):
    """The data is not acceptable XML; ``reason`` says why (no data is echoed back)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def first_non_xml_char(text):
    """``(position, character)`` of the first character XML 1.0 cannot hold in ``text``, or None."""
    match = _NON_XML_CHAR_RE.search(text)
    return (match.start(), match.group()) if match else None


def xml_text(value, argument, what=None, code=E_INVALIDARG):
    """Return the str ``value`` when XML 1.0 can hold all its characters, else raise.

    Raises :class:`~._errors.WSManInvalidArgumentError` naming ``argument`` (``what`` describes it
    in the message, default ``argument``) and the first offending character as ``U+XXXX``;
    ``code`` is its Windows error code (E_INVALIDARG unless a WinRM code fits, e.g. a selector value).
    Values that are not str are returned unchanged (their type is checked by the caller).
    """
    if not isinstance(value, str):
        return value
    found = first_non_xml_char(value)
    if found is None:
        return value
    position, char = found
    raise WSManInvalidArgumentError(
        '%s contains the character U+%04X at position %d, which XML 1.0 cannot hold' % (what or argument, ord(char), position),
        code=code, argument=argument,
        fix='Remove that character (control characters other than tab, line feed and carriage return, '
            'unpaired surrogates, U+FFFE and U+FFFF cannot be sent).')


def _new_parser():
    # lxml parsers are not thread-safe; a fresh one per call costs microseconds.
    return etree.XMLParser(**_PARSER_OPTIONS)


def parse_xml(data, what='XML document'):
    """Parse ``data`` (bytes, UTF-8 unless it declares or marks otherwise; or str) hardened.

    Returns the root element. Raises :class:`XMLParseError` for empty, oversized, DOCTYPE-bearing
    or malformed input.
    """
    require_lxml()
    if isinstance(data, str):
        found = first_non_xml_char(data)
        if found is not None:
            raise XMLParseError('%s contains the character U+%04X at position %d, which XML 1.0 cannot hold '
                                '(remove it)' % (what, ord(found[1]), found[0]))
        # lxml refuses str with an encoding declaration; re-encode as UTF-8 and drop the
        # declaration's encoding by parsing from bytes with an explicit UTF-8 hint.
        data = _strip_declaration(data).encode('utf-8')
    elif not isinstance(data, (bytes, bytearray)):
        raise XMLParseError('%s must be text or bytes, not %s' % (what, type(data).__name__))
    data = bytes(data)
    if not data.strip():
        raise XMLParseError('%s is empty' % what)
    if len(data) > MAX_XML_BYTES:
        raise XMLParseError('%s is larger than the %d byte limit' % (what, MAX_XML_BYTES))
    if _has_doctype(_ascii_view(data)):
        raise XMLParseError('%s contains a DOCTYPE declaration, which is refused' % what)
    try:
        root = etree.fromstring(data, parser=_new_parser())
    except etree.XMLSyntaxError as exc:
        raise XMLParseError('%s is not well-formed XML: %s' % (what, exc.msg or exc)) from None
    if root is None:
        raise XMLParseError('%s has no root element' % what)
    return root


def _has_doctype(data):
    """True when ``data`` holds ``<!DOCTYPE`` (any case).

    Same answer as ``_DOCTYPE_RE.search``, found faster on large replies: ``!`` is rare in XML and
    a one-byte ``find`` runs at memchr speed, so only its few occurrences are looked at.
    """
    position = data.find(b'!')
    while position >= 0:
        if position and data[position - 1] == 0x3C and data[position + 1:position + 8].upper() == b'DOCTYPE':
            return True
        position = data.find(b'!', position + 1)
    return False


def _ascii_view(data):
    """Bytes in which a UTF-16 ``<!DOCTYPE`` is findable by the ASCII regex too."""
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or (len(data) > 1 and (data[0] == 0 or data[1] == 0)):
        return data.replace(b'\x00', b'')
    return data


_DECL_RE = re.compile(r'^\s*<\?xml[^>]*\?>', re.IGNORECASE)
_DECL_BYTES_RE = re.compile(br'\s*<\?xml[^>]*?encoding\s*=\s*["\']([A-Za-z0-9_.:-]+)["\'][^>]*\?>', re.IGNORECASE)


def _strip_declaration(text):
    if text.startswith('\ufeff'):
        text = text[1:]
    return _DECL_RE.sub('', text, count=1)


def charset_of(content_type):
    """The ``charset`` parameter of a Content-Type header value, lower-cased, or None."""
    if not content_type:
        return None
    match = _CHARSET_RE.search(content_type)
    return match.group(1).lower() if match else None


def decode_body(body, content_type):
    """Return the response body re-encoded as UTF-8 bytes ready for :func:`parse_xml`.

    The encoding is taken from a byte-order mark first (UTF-8, UTF-16 LE/BE), then from the
    ``charset`` of ``content_type``, then UTF-8. Raises :class:`XMLParseError` when the bytes do
    not decode.
    """
    body = bytes(body or b'')
    charset = charset_of(content_type)
    if body.startswith(codecs.BOM_UTF8):
        encoding, body = 'utf-8', body[3:]
    elif body.startswith(codecs.BOM_UTF16_LE):
        encoding, body = 'utf-16-le', body[2:]
    elif body.startswith(codecs.BOM_UTF16_BE):
        encoding, body = 'utf-16-be', body[2:]
    elif charset in ('utf-16', 'utf16', 'unicode'):
        # No BOM: RFC 2781 says big-endian, but Windows sends little-endian; look at the bytes.
        encoding = 'utf-16-le' if body[1:2] == b'\x00' else 'utf-16-be'
    elif charset in ('utf-16le', 'utf-16-le'):
        encoding = 'utf-16-le'
    elif charset in ('utf-16be', 'utf-16-be'):
        encoding = 'utf-16-be'
    elif charset in (None, 'utf-8', 'utf8', 'us-ascii', 'ascii'):
        encoding = 'utf-8'
    else:
        try:
            encoding = codecs.lookup(charset).name
        except LookupError:
            raise XMLParseError('the response declares an unknown charset %r' % charset) from None
    if encoding == 'utf-8':
        # Keep the bytes; lxml reads UTF-8 natively. A declaration saying otherwise is refused by
        # lxml below only if the bytes really do not match.
        try:
            if not body.isascii():  # ASCII is valid UTF-8; isascii() is far cheaper than decoding
                body.decode('utf-8')
        except UnicodeDecodeError as exc:
            raise XMLParseError('the response is not valid UTF-8 (byte %d)' % exc.start) from None
        decl = _DECL_BYTES_RE.match(body)
        if decl and decl.group(1) and decl.group(1).lower() not in (b'utf-8', b'utf8'):
            # The declaration contradicts the transport; the transport (and the bytes) win.
            body = body[decl.end():]
        return body
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        raise XMLParseError('the response is not valid %s (byte %d)' % (encoding.upper(), exc.start)) from None
    return _strip_declaration(text).encode('utf-8')


def to_text(element):
    """Serialize an element as a str (no XML declaration), namespaces kept."""
    return etree.tostring(element, encoding='unicode')
