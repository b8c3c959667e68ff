"""The lab's HTTPS listener: generated CA and server certificate, TLS 1.2+, IPv6 loopback."""

import socket
import ssl
import sys

import pytest
import requests
from cryptography import x509
from pypsrp.wsman import _TransportHTTP

from conftest import LAB_SCRIPT

IDENTIFY = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    b'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">'
    b"<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>"
)


def _peer(endpoint, server_hostname, **context_options):
    context = ssl.create_default_context(cafile=endpoint.ca_file)
    for key, value in context_options.items():
        setattr(context, key, value)
    family = socket.AF_INET6 if ":" in endpoint.bind else socket.AF_INET
    with socket.create_connection((endpoint.bind, endpoint.https_port), timeout=10) as raw:
        assert raw.family == family
        with context.wrap_socket(raw, server_hostname=server_hostname) as tls:
            return tls.version(), tls.getpeercert(binary_form=True)


def _has_ipv6_loopback():
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "LAB01"])
def test_server_certificate_verifies_against_the_written_ca(lab, name):
    endpoint = lab()
    version, der = _peer(endpoint, name)
    assert version in ("TLSv1.2", "TLSv1.3")
    cert = x509.load_der_x509_certificate(der)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "localhost" in san.get_values_for_type(x509.DNSName)
    assert "LAB01" in san.get_values_for_type(x509.DNSName)
    assert "127.0.0.1" in [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]


def test_name_not_in_the_certificate_fails_verification(lab):
    endpoint = lab()
    with pytest.raises(ssl.SSLCertVerificationError):
        _peer(endpoint, "not-the-lab.example")


def test_tls_1_2_is_accepted(lab):
    endpoint = lab()
    negotiated = _peer(endpoint, "127.0.0.1", maximum_version=ssl.TLSVersion.TLSv1_2)
    assert negotiated[0] == "TLSv1.2"


def test_server_context_refuses_below_tls_1_2(tmp_path):
    """The listener's TLS floor is 1.2 (a handshake test could pass only because the client refuses 1.1)."""
    sys.path.insert(0, str(LAB_SCRIPT.parent))
    from wsmanlab import certs
    from wsmanlab.server import make_tls_context
    authority = certs.CertificateAuthority()
    authority.issue_server(["localhost"]).write(str(tmp_path / "s.pem"), str(tmp_path / "s.key"))
    context = make_tls_context(str(tmp_path / "s.pem"), str(tmp_path / "s.key"), client_ca_pem=authority.ca.cert_pem)
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert context.verify_mode == ssl.CERT_OPTIONAL  # client certificates requested, not required


def test_pypsrp_negotiate_over_https_verifying_the_ca(lab):
    endpoint = lab()
    client = _TransportHTTP("127.0.0.1", port=endpoint.https_port, username=endpoint.username, password=endpoint.password,
                            ssl=True, path="wsman", auth="negotiate", cert_validation=endpoint.ca_file, encryption="auto")
    assert b"IdentifyResponse" in client.send(IDENTIFY)
    stats = endpoint.stats()
    assert stats["authentications"] == 1
    assert stats["encrypted_requests"] == 0  # TLS protects the message; no MS-WSMV encryption on HTTPS by default


def test_untrusted_ca_is_rejected_by_the_client(lab):
    endpoint = lab()
    with pytest.raises(requests.exceptions.SSLError):
        requests.post(endpoint.https_url, data=IDENTIFY, verify=True, timeout=10)


def test_https_only_lab(lab):
    endpoint = lab(http_port=-1)
    assert endpoint.http_url is None
    assert endpoint.https_url.startswith("https://127.0.0.1:")
    response = requests.post(endpoint.https_url, data=IDENTIFY, verify=endpoint.ca_file, timeout=10,
                             headers={"Content-Type": "application/soap+xml;charset=UTF-8", "WSMANIDENTIFY": "unauthenticated"})
    assert response.status_code == 200
    assert endpoint.stats()["requests"] == 1  # the control path works over HTTPS too


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="this machine has no IPv6 loopback (::1)")
def test_ipv6_loopback_bind(lab):
    endpoint = lab(bind="::1")
    assert endpoint.http_url.startswith("http://[::1]:")
    assert endpoint.https_url.startswith("https://[::1]:")
    version, der = _peer(endpoint, "::1")
    cert = x509.load_der_x509_certificate(der)
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "::1" in [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
    client = _TransportHTTP("::1", port=endpoint.http_port, username=endpoint.username, password=endpoint.password,
                            ssl=False, path="wsman", auth="negotiate", cert_validation=False, encryption="auto")
    assert b"IdentifyResponse" in client.send(IDENTIFY)
    # it listens only where told: a request to the same port on IPv4 loopback never reaches it
    # (the port may be refused, or belong to some other program there)
    before = endpoint.stats()["requests"]
    try:
        requests.post("http://127.0.0.1:%d/wsman" % endpoint.http_port, data=IDENTIFY, timeout=2,
                      headers={"Content-Type": "application/soap+xml;charset=UTF-8", "WSMANIDENTIFY": "unauthenticated"})
    except requests.exceptions.RequestException:
        pass
    assert endpoint.stats()["requests"] == before
