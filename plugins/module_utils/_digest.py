# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""HTTP Digest (RFC 7616) answers for a proxy ``CONNECT``.

Digest to the *service* uses ``requests.auth.HTTPDigestAuth``. A proxy tunnel cannot: the answer
for ``CONNECT host:port`` must carry the authority ``host:port`` as digest-uri, which requests'
helper (built for URLs with a path) cannot express, and the exchange happens inside urllib3's
tunnel set-up, outside requests. This module computes just that answer: algorithms MD5,
MD5-sess, SHA-256 and SHA-256-sess, ``qop=auth`` (or none for RFC 2069 proxies).
"""

from __future__ import annotations

import hashlib
import os
import re

_PARAM_RE = re.compile(r'([A-Za-z0-9_-]+)\s*=\s*("((?:[^"\\]|\\.)*)"|[^,\s]*)')
_HASHES = {'MD5': hashlib.md5, 'SHA-256': hashlib.sha256}


class DigestError(ValueError):
    """The challenge cannot be answered (unknown algorithm or qop)."""


def parse_challenge(value):
    """Parameters of a ``Digest ...`` challenge (keys lower-case), or None if it is not Digest."""
    value = (value or '').strip()
    if not value.lower().startswith('digest '):
        return None
    params = {}
    for match in _PARAM_RE.finditer(value[7:]):
        raw = match.group(3) if match.group(3) is not None else match.group(2)
        params[match.group(1).lower()] = re.sub(r'\\(.)', r'\1', raw)
    return params


def _quote(value):
    return '"%s"' % str(value).replace('\\', '\\\\').replace('"', '\\"')


class DigestAnswer:
    """Answers successive requests to one challenge (``nc`` counts up)."""

    def __init__(self, username, password, challenge):
        self.username = username
        self._password = password
        self.challenge = challenge
        self.nonce_count = 0
        algorithm = (challenge.get('algorithm') or 'MD5').upper()
        self.session = algorithm.endswith('-SESS')
        base = algorithm[:-5] if self.session else algorithm
        if base not in _HASHES:
            raise DigestError('the proxy asks for Digest algorithm %s; only MD5 and SHA-256 are supported' % algorithm)
        self.algorithm = algorithm
        self._hash = _HASHES[base]
        qops = [q.strip().lower() for q in (challenge.get('qop') or '').split(',') if q.strip()]
        if qops and 'auth' not in qops:
            raise DigestError('the proxy asks for Digest qop %s; only "auth" is supported' % ','.join(qops))
        self.qop = 'auth' if qops else None

    def _h(self, text):
        return self._hash(text.encode('utf-8')).hexdigest()

    def header(self, method, uri, cnonce=None):
        """The ``Digest ...`` credentials for ``method uri`` (e.g. ``CONNECT host:443``)."""
        self.nonce_count += 1
        nonce = self.challenge.get('nonce', '')
        realm = self.challenge.get('realm', '')
        nc = '%08x' % self.nonce_count
        cnonce = cnonce or os.urandom(8).hex()
        ha1 = self._h('%s:%s:%s' % (self.username, realm, self._password))
        if self.session:
            ha1 = self._h('%s:%s:%s' % (ha1, nonce, cnonce))
        ha2 = self._h('%s:%s' % (method, uri))
        if self.qop:
            response = self._h('%s:%s:%s:%s:%s:%s' % (ha1, nonce, nc, cnonce, self.qop, ha2))
        else:
            response = self._h('%s:%s:%s' % (ha1, nonce, ha2))
        parts = ['username=%s' % _quote(self.username), 'realm=%s' % _quote(realm), 'nonce=%s' % _quote(nonce),
                 'uri=%s' % _quote(uri), 'response=%s' % _quote(response), 'algorithm=%s' % self.algorithm]
        if self.challenge.get('opaque') is not None:
            parts.append('opaque=%s' % _quote(self.challenge['opaque']))
        if self.qop:
            parts.extend(['qop=%s' % self.qop, 'nc=%s' % nc, 'cnonce=%s' % _quote(cnonce)])
        return 'Digest ' + ', '.join(parts)

    def __repr__(self):
        return '<DigestAnswer user=%r algorithm=%s>' % (self.username, self.algorithm)
