# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The requests ``HTTPAdapter`` the transport mounts on the ``requests.Session`` pywinrm builds.

It carries the session's own ``ssl.SSLContext`` (see ``_tls.py``) to urllib3 instead of requests'
``verify``/``cert`` knobs, checks the certificate name itself when only ``SkipCACheck`` is set,
adds proxy credentials as headers (never inside a proxy URL, which would end up in error texts),
and reports every HTTP exchange - including those the NTLM/Digest handlers send behind
requests' back - to the transport so it can count authentication handshakes.
"""

from __future__ import annotations

try:
    import requests.adapters
    from urllib3.connection import HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    HAS_REQUESTS = True
except ImportError:  # pragma: no cover - requests and urllib3 come with pywinrm
    HAS_REQUESTS = False

from ansible_collections.wsman.automation.plugins.module_utils._tls import (
    certificate_matches_host,
    describe_certificate_names,
)


class CertificateNameMismatch(OSError):
    """The server certificate does not name the host (raised inside urllib3's connect)."""

    def __init__(self, host, names):
        super().__init__('the server certificate is for %s, not for %s' % (names, host))
        self.host = host
        self.names = names


def _https_pool_class(expected_host, proxy_tunnel_hook):
    """An HTTPS pool whose connections check the name manually and/or run a CONNECT hook."""

    class _WSManHTTPSConnection(HTTPSConnection):
        def _tunnel(self):
            if proxy_tunnel_hook is not None:
                # Digest / Negotiate proxy authentication answers the 407 on this connection.
                proxy_tunnel_hook(self)
            else:
                super()._tunnel()

        def connect(self):
            super().connect()
            if expected_host is not None:
                der = self.sock.getpeercert(binary_form=True)
                if not der or not certificate_matches_host(der, expected_host):
                    names = describe_certificate_names(der) if der else 'no certificate'
                    self.close()
                    raise CertificateNameMismatch(expected_host, names)

    class _WSManHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = _WSManHTTPSConnection

    return _WSManHTTPSConnectionPool


if HAS_REQUESTS:
    _AdapterBase = requests.adapters.HTTPAdapter
else:  # pragma: no cover
    _AdapterBase = object


class WSManAdapter(_AdapterBase):
    """HTTPAdapter with a fixed SSLContext, manual name check, proxy headers and an exchange hook."""

    def __init__(self, ssl_context, verify_chain, check_name_manually, host,
                 proxy_headers=None, proxy_tunnel_hook=None, on_exchange=None):
        # ``ssl_context`` may be a callable that builds the context: an http:// session then
        # never pays for loading the CA store unless a TLS connection is really made.
        self._wsman_ssl_context_value = None if callable(ssl_context) else ssl_context
        self._wsman_ssl_context_factory = ssl_context if callable(ssl_context) else None
        self._wsman_cert_reqs = 'CERT_REQUIRED' if verify_chain else 'CERT_NONE'
        self._wsman_proxy_headers = dict(proxy_headers or {})
        self._wsman_on_exchange = on_exchange
        self._wsman_https_pool = _https_pool_class(host if check_name_manually else None, proxy_tunnel_hook)
        super().__init__(pool_connections=1, pool_maxsize=1, max_retries=0)

    @property
    def _wsman_ssl_context(self):
        if self._wsman_ssl_context_value is None:
            self._wsman_ssl_context_value = self._wsman_ssl_context_factory()
        return self._wsman_ssl_context_value

    def _wsman_pool_classes(self, manager):
        manager.pool_classes_by_scheme = {'http': HTTPConnectionPool, 'https': self._wsman_https_pool}
        return manager

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self._wsman_pool_classes(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        return self._wsman_pool_classes(manager)

    def proxy_headers(self, proxy):
        headers = super().proxy_headers(proxy)
        headers.update(self._wsman_proxy_headers)
        return headers

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, _ignored = super().build_connection_pool_key_attributes(request, False, None)
        pool_kwargs = {'cert_reqs': self._wsman_cert_reqs}
        if host_params.get('scheme') == 'https':
            context = self._wsman_ssl_context
            pool_kwargs['ssl_context'] = context
            if not context.check_hostname:
                # Stop urllib3 from checking the name itself when OpenSSL was told not to.
                pool_kwargs['assert_hostname'] = False
        return host_params, pool_kwargs

    def cert_verify(self, conn, url, verify, cert):
        # The SSLContext decides; requests must not load its CA bundle or a cert into it.
        return None

    def send(self, request, **kwargs):  # pylint: disable=arguments-differ
        response = super().send(request, **kwargs)
        if self._wsman_on_exchange is not None:
            connection = getattr(response.raw, '_connection', None) or getattr(response.raw, 'connection', None)
            sock = getattr(connection, 'sock', None)
            self._wsman_on_exchange(request, response, id(sock) if sock is not None else None)
        return response
