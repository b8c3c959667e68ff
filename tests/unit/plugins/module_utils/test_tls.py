# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS checks of the transport against real loopback HTTPS servers (facts §1.4, §2.1, R24).

SkipCACheck, SkipCNCheck and SkipRevocationCheck act separately: skipping the name check keeps
the chain check, skipping the CA check keeps the name check, and a CRL file revokes.
"""
# pylint: disable=redefined-outer-name,unused-import

from __future__ import annotations

import ssl

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._errors import (
    WSManInvalidArgumentError,
    WSManTransportError,
)
from ansible_collections.wsman.automation.plugins.module_utils._tls import (
    TLSPolicy,
    build_ssl_context,
    certificate_matches_host,
)
from ansible_collections.wsman.automation.plugins.module_utils._transport import Transport
from ansible_collections.wsman.automation.tests.unit.plugins.module_utils.test_transport_servers import (  # noqa: F401
    IDENTIFY,
    PASSWORD,
    pki,
    serve,
    server_tls,
    settings,
)

SKIP_CA = 0x2000
SKIP_CN = 0x4000
SKIP_REVOCATION = 0x2000000
SSL_CONNECTION_ABORTED = 2150859194


def _send(url, flags=0, **options):
    transport = Transport(settings(url, 'basic', False, flags, **options))
    try:
        return transport.send(IDENTIFY, 'UTF-8')
    finally:
        transport.close()


def _fails(url, flags=0, **options):
    with pytest.raises(WSManTransportError) as info:
        _send(url, flags, **options)
    assert info.value.code == SSL_CONNECTION_ABORTED
    assert PASSWORD not in str(info.value)
    assert info.value.endpoint == url
    return str(info.value)


def test_trusted_ca_and_right_name(pki, serve):
    server = serve(tls=server_tls(pki.server_cert, pki.server_key))
    assert _send(server.url, ca_file=pki.ca_file).status == 200


def test_untrusted_ca_is_refused_with_a_hint(pki, serve):
    server = serve(tls=server_tls(pki.untrusted_cert, pki.untrusted_key))
    text = _fails(server.url, ca_file=pki.ca_file)
    assert 'ca_file' in text and 'SkipCACheck' in text
    assert not server.recorder.requests  # nothing was sent over the unverified channel


def test_wrong_name_is_refused_with_a_hint(pki, serve):
    server = serve(tls=server_tls(pki.wrong_cert, pki.wrong_key))
    text = _fails(server.url, ca_file=pki.ca_file)
    assert 'SkipCNCheck' in text


def test_skip_cn_check_accepts_a_wrong_name(pki, serve):
    server = serve(tls=server_tls(pki.wrong_cert, pki.wrong_key))
    assert _send(server.url, SKIP_CN, ca_file=pki.ca_file).status == 200


def test_skip_cn_check_still_verifies_the_chain(pki, serve):
    # The point of a separate SkipCNCheck: a certificate from an unknown CA is still refused.
    server = serve(tls=server_tls(pki.untrusted_wrong_cert, pki.untrusted_wrong_key))
    text = _fails(server.url, SKIP_CN, ca_file=pki.ca_file)
    assert 'ca_file' in text


def test_skip_ca_check_accepts_an_untrusted_ca_with_the_right_name(pki, serve):
    server = serve(tls=server_tls(pki.untrusted_cert, pki.untrusted_key))
    assert _send(server.url, SKIP_CA, ca_file=pki.ca_file).status == 200


def test_skip_ca_check_alone_still_checks_the_name(pki, serve):
    server = serve(tls=server_tls(pki.untrusted_wrong_cert, pki.untrusted_wrong_key))
    text = _fails(server.url, SKIP_CA)
    assert 'wrong.example' in text and 'SkipCNCheck' in text
    assert not server.recorder.requests


def test_skip_ca_and_cn_check_accept_anything(pki, serve):
    server = serve(tls=server_tls(pki.untrusted_wrong_cert, pki.untrusted_wrong_key))
    assert _send(server.url, SKIP_CA | SKIP_CN).status == 200


def test_default_trust_store_does_not_trust_a_private_ca(pki, serve):
    server = serve(tls=server_tls(pki.server_cert, pki.server_key))
    _fails(server.url)


def test_revoked_certificate_is_refused_with_a_crl(pki, serve):
    server = serve(tls=server_tls(pki.revoked_cert, pki.revoked_key))
    text = _fails(server.url, ca_file=pki.ca_file, crl_file=pki.crl_file)
    assert 'revoked' in text


def test_crl_file_passes_a_certificate_it_does_not_list(pki, serve):
    server = serve(tls=server_tls(pki.server_cert, pki.server_key))
    assert _send(server.url, ca_file=pki.ca_file, crl_file=pki.crl_file).status == 200


def test_skip_revocation_check_ignores_the_crl(pki, serve):
    server = serve(tls=server_tls(pki.revoked_cert, pki.revoked_key))
    assert _send(server.url, SKIP_REVOCATION, ca_file=pki.ca_file, crl_file=pki.crl_file).status == 200


def test_without_crl_file_revocation_is_not_checked(pki, serve):
    # Documented [INF]: OpenSSL never fetches CRLs; without crl_file there is nothing to check.
    server = serve(tls=server_tls(pki.revoked_cert, pki.revoked_key))
    assert _send(server.url, ca_file=pki.ca_file).status == 200


def test_crl_file_with_a_certificate_is_refused_before_any_traffic(pki, serve):
    server = serve(tls=server_tls(pki.server_cert, pki.server_key))
    with pytest.raises(WSManInvalidArgumentError) as info:
        _send(server.url, ca_file=pki.ca_file, crl_file=pki.crl_with_cert_file)
    assert info.value.argument == 'crl_file'
    assert 'X509 CRL' in str(info.value)
    assert server.recorder.connections == 0


def test_ca_file_that_is_not_pem_is_refused(pki, serve, tmp_path):
    bogus = tmp_path / 'ca.txt'
    bogus.write_text('not a certificate')
    server = serve(tls=server_tls(pki.server_cert, pki.server_key))
    with pytest.raises(WSManInvalidArgumentError) as info:
        _send(server.url, ca_file=str(bogus))
    assert info.value.argument == 'ca_file'
    assert server.recorder.connections == 0


def test_missing_ca_file_names_the_input(pki, serve, tmp_path):
    server = serve(tls=server_tls(pki.server_cert, pki.server_key))
    with pytest.raises(WSManInvalidArgumentError) as info:
        _send(server.url, ca_file=str(tmp_path / 'missing.pem'))
    assert info.value.argument == 'ca_file' and 'missing.pem' in str(info.value)


def test_client_certificate_is_presented(pki, serve):
    server = serve(tls=server_tls(pki.server_cert, pki.server_key, client_ca=pki.ca_file))
    transport = Transport(settings(server.url, 'certificate', False, username=None, password=None,
                                   ca_file=pki.ca_file, certificate_pem=pki.client_cert,
                                   certificate_key_pem=pki.client_key))
    try:
        assert transport.send(IDENTIFY, 'UTF-8').status == 200
        assert transport.send(IDENTIFY, 'UTF-8').status == 200
        assert transport.authentications == 1  # one TLS connection, kept alive
    finally:
        transport.close()
    seen = server.recorder.requests
    assert [r['peer_cn'] for r in seen] == ['wsman-client', 'wsman-client']
    assert seen[0]['headers']['Authorization'] == 'http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual'
    assert server.recorder.connections == 1


def test_no_client_certificate_without_certificate_auth(pki, serve):
    server = serve(tls=server_tls(pki.server_cert, pki.server_key, client_ca=pki.ca_file))
    _send(server.url, ca_file=pki.ca_file)
    assert server.recorder.requests[0]['peer_cn'] is None


def test_policy_contexts():
    strict = build_ssl_context(TLSPolicy('h'))
    assert strict.verify_mode == ssl.CERT_REQUIRED and strict.check_hostname
    no_cn = build_ssl_context(TLSPolicy('h', skip_cn_check=True))
    assert no_cn.verify_mode == ssl.CERT_REQUIRED and not no_cn.check_hostname
    no_ca = TLSPolicy('h', skip_ca_check=True)
    assert build_ssl_context(no_ca).verify_mode == ssl.CERT_NONE and no_ca.manual_name_check
    assert not TLSPolicy('h', skip_ca_check=True, skip_cn_check=True).manual_name_check


@pytest.mark.parametrize('attr, host, expected', [
    ('server_cert', 'localhost', True),
    ('server_cert', 'LOCALHOST', True),
    ('server_cert', '127.0.0.1', True),
    ('server_cert', '127.0.0.2', False),
    ('server_cert', 'otherhost', False),
    ('wrong_cert', 'wrong.example', True),
    ('wrong_cert', 'x.wrong.example', False),
    ('client_cert', 'wsman-client', True),  # no SAN: the CN is used
])
def test_certificate_matches_host(pki, attr, host, expected):
    der = ssl.PEM_cert_to_DER_cert(open(getattr(pki, attr)).read())
    assert certificate_matches_host(der, host) is expected


def test_wildcard_rules():
    from ansible_collections.wsman.automation.plugins.module_utils._tls import _dns_name_matches
    assert _dns_name_matches('*.example.com', 'host.example.com')
    assert not _dns_name_matches('*.example.com', 'a.b.example.com')
    assert not _dns_name_matches('*.com', 'example.com')
    assert not _dns_name_matches('*.example.com', 'example.com')
