"""Authentication of the lab endpoint as Windows WinRM offers it, proven with independent clients
(pypsrp's transport, pywinrm's transport, requests, pyspnego) — never the collection's own client.

Facts: createsession-facts.md R9 (the WinRM service never accepts Digest), R10 (Basic needs HTTPS or
AllowUnencrypted), R11 (Negotiate picks NTLM for local accounts), R23 (AllowUnencrypted default false,
HTTP messages encrypted by the Negotiate SSP), §8 (Identify without authentication), §10 (service
defaults: Basic false, Certificate false, AllowUnencrypted false).
"""

import base64

import pytest
import requests
import spnego
import spnego.exceptions
from cryptography import x509
from lxml import etree
from pypsrp.exceptions import AuthenticationError, WinRMTransportError
from pypsrp.wsman import _TransportHTTP

IDENTIFY = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    b'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">'
    b"<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>"
)
WSMID = "http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd"
SOAP_CT = "application/soap+xml;charset=UTF-8"


def product_vendor(body):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    root = etree.fromstring(body, parser)
    vendor = root.find(".//{%s}IdentifyResponse/{%s}ProductVendor" % (WSMID, WSMID))
    assert vendor is not None, body[:500]
    return vendor.text


def transport(endpoint, username=None, password=None, ssl=False, auth="negotiate", encryption="auto"):
    return _TransportHTTP(
        endpoint.bind, port=endpoint.https_port if ssl else endpoint.http_port,
        username=username or endpoint.username, password=password or endpoint.password,
        ssl=ssl, path="wsman", auth=auth, cert_validation=endpoint.ca_file if ssl else False,
        encryption=encryption, read_timeout=10, connection_timeout=10,
    )


def http_url(endpoint):
    return endpoint.http_url


def test_negotiate_over_http_encrypts_both_ways(lab):
    endpoint = lab()
    client = transport(endpoint)
    assert product_vendor(client.send(IDENTIFY)) == "Microsoft Corporation"
    stats = endpoint.stats()
    assert stats["authentications"] == 1
    assert stats["encrypted_requests"] == 1


def test_one_authentication_serves_many_requests_on_one_connection(lab):
    endpoint = lab()
    client = transport(endpoint)
    for dummy in range(5):
        product_vendor(client.send(IDENTIFY))
    stats = endpoint.stats()
    assert stats["authentications"] == 1
    assert stats["connections"] == 1
    # anonymous probe (401) + NTLM negotiate (401) + NTLM authenticate with an empty body (200) + 5 messages
    assert stats["requests"] == 8
    assert stats["encrypted_requests"] == 5


def test_a_new_connection_must_authenticate_again(lab):
    endpoint = lab()
    for dummy in range(2):
        client = transport(endpoint)
        product_vendor(client.send(IDENTIFY))
        client.close()
    stats = endpoint.stats()
    assert stats["authentications"] == 2
    assert stats["connections"] == 2


def test_connection_bound_context_is_not_usable_from_another_connection(lab):
    endpoint = lab(allow_unencrypted=True)
    client = transport(endpoint, encryption="never")
    product_vendor(client.send(IDENTIFY))
    # a fresh TCP connection without Authorization is challenged again
    response = requests.post(endpoint.http_url, data=IDENTIFY, headers={"Content-Type": SOAP_CT}, timeout=10)
    assert response.status_code == 401
    assert response.headers.get("WWW-Authenticate") == "Negotiate"


@pytest.mark.parametrize("form", ["{user}", ".\\{user}", "{computer}\\{user}", "{computer_lower}\\{user_upper}"])
def test_local_account_name_forms_are_accepted(lab, form):
    endpoint = lab()
    username = form.format(user=endpoint.username, user_upper=endpoint.username.upper(),
                           computer=endpoint.computer_name, computer_lower=endpoint.computer_name.lower())
    assert product_vendor(transport(endpoint, username=username).send(IDENTIFY)) == "Microsoft Corporation"


def test_account_of_another_domain_is_refused(lab):
    endpoint = lab()
    with pytest.raises(AuthenticationError):
        transport(endpoint, username="CONTOSO\\" + endpoint.username).send(IDENTIFY)


def test_bad_password_gets_401_with_a_fresh_negotiate_challenge(lab):
    endpoint = lab()
    with pytest.raises(AuthenticationError):
        transport(endpoint, password="not-the-password").send(IDENTIFY)
    stats = endpoint.stats()
    assert stats["auth_failures"] == 1
    assert stats["authentications"] == 0
    assert "not-the-password" not in endpoint.log_text()
    assert endpoint.password not in endpoint.log_text()


def test_missing_authorization_gets_401_offering_negotiate_only_by_default(lab):
    endpoint = lab()
    response = requests.post(endpoint.http_url, data=IDENTIFY, headers={"Content-Type": SOAP_CT}, timeout=10)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Negotiate"
    assert response.headers["Server"] == "Microsoft-HTTPAPI/2.0"
    assert response.content == b""


def test_raw_ntlm_token_under_the_ntlm_scheme_authenticates(lab):
    """requests_ntlm may answer with the NTLM scheme and a raw (non-SPNEGO) token; HTTP.sys accepts both."""
    endpoint = lab(allow_unencrypted=True)
    session = requests.Session()
    client = spnego.client(endpoint.username, endpoint.password, hostname="127.0.0.1", service="HTTP", protocol="ntlm")
    first = session.post(endpoint.http_url, data=b"", headers={"Authorization": "NTLM " + base64.b64encode(client.step()).decode()}, timeout=10)
    assert first.status_code == 401
    challenge = first.headers["WWW-Authenticate"]
    assert challenge.startswith("NTLM ")
    token = client.step(base64.b64decode(challenge.split(" ", 1)[1]))
    final = session.post(endpoint.http_url, data=IDENTIFY, headers={"Authorization": "NTLM " + base64.b64encode(token).decode(), "Content-Type": SOAP_CT},
                         timeout=10)
    assert final.status_code == 200
    assert product_vendor(final.content) == "Microsoft Corporation"


def test_unencrypted_message_after_ntlm_is_refused_over_http(lab):
    """AllowUnencrypted=false (default): Windows answers HTTP 500 with an empty body (pywinrm#129, #208)."""
    endpoint = lab()
    with pytest.raises(WinRMTransportError) as info:
        transport(endpoint, encryption="never").send(IDENTIFY)
    assert info.value.code == 500


def test_unencrypted_message_after_ntlm_is_accepted_when_allowed(lab):
    endpoint = lab(allow_unencrypted=True)
    assert product_vendor(transport(endpoint, encryption="never").send(IDENTIFY)) == "Microsoft Corporation"
    assert endpoint.stats()["encrypted_requests"] == 0


def test_encrypted_response_follows_an_encrypted_request_even_when_unencrypted_is_allowed(lab):
    endpoint = lab(allow_unencrypted=True)
    product_vendor(transport(endpoint, encryption="always").send(IDENTIFY))
    assert endpoint.stats()["encrypted_requests"] == 1


def test_pywinrm_ntlm_transport_with_message_encryption(lab):
    winrm_transport = pytest.importorskip("winrm.transport")
    endpoint = lab()
    client = winrm_transport.Transport(endpoint=endpoint.http_url, username=endpoint.username, password=endpoint.password,
                                       auth_method="ntlm", message_encryption="auto")
    assert product_vendor(client.send_message(IDENTIFY)) == "Microsoft Corporation"
    assert endpoint.stats()["encrypted_requests"] == 1


def test_basic_is_refused_and_not_offered_when_disabled(lab):
    endpoint = lab(allow_unencrypted=True)
    response = requests.post(endpoint.http_url, data=IDENTIFY, auth=(endpoint.username, endpoint.password),
                             headers={"Content-Type": SOAP_CT}, timeout=10)
    assert response.status_code == 401
    assert "Basic" not in response.headers["WWW-Authenticate"]


def test_basic_over_http_needs_allow_unencrypted(lab):
    endpoint = lab(basic=True)
    response = requests.post(endpoint.http_url, data=IDENTIFY, auth=(endpoint.username, endpoint.password),
                             headers={"Content-Type": SOAP_CT}, timeout=10)
    assert response.status_code == 401
    assert "Basic" not in response.headers["WWW-Authenticate"]
    # the same credentials over HTTPS are fine
    response = requests.post(endpoint.https_url, data=IDENTIFY, auth=(endpoint.username, endpoint.password),
                             headers={"Content-Type": SOAP_CT}, timeout=10, verify=endpoint.ca_file)
    assert response.status_code == 200
    assert product_vendor(response.content) == "Microsoft Corporation"


def test_basic_over_http_when_enabled_and_allowed(lab):
    endpoint = lab(basic=True, allow_unencrypted=True)
    unauthenticated = requests.post(endpoint.http_url, data=IDENTIFY, headers={"Content-Type": SOAP_CT}, timeout=10)
    assert unauthenticated.headers["WWW-Authenticate"] == 'Negotiate, Basic realm="WSMAN"'
    client = transport(endpoint, auth="basic", encryption="never")
    assert product_vendor(client.send(IDENTIFY)) == "Microsoft Corporation"
    with pytest.raises(AuthenticationError):
        transport(endpoint, auth="basic", encryption="never", password="wrong").send(IDENTIFY)


def test_anonymous_identify(lab):
    endpoint = lab()
    response = requests.post(endpoint.http_url, data=IDENTIFY, headers={"Content-Type": SOAP_CT, "WSMANIDENTIFY": "unauthenticated"}, timeout=10)
    assert response.status_code == 200
    assert product_vendor(response.content) == "Microsoft Corporation"
    assert endpoint.stats()["authentications"] == 0


def test_anonymous_request_other_than_identify_is_challenged(lab):
    endpoint = lab()
    get = (
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        b'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><s:Header>'
        b"<a:To>%s</a:To><w:ResourceURI s:mustUnderstand=\"true\">http://schemas.microsoft.com/wbem/wsman/1/config</w:ResourceURI>"
        b"<a:ReplyTo><a:Address s:mustUnderstand=\"true\">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>"
        b"<a:Action s:mustUnderstand=\"true\">http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action>"
        b"<w:MaxEnvelopeSize s:mustUnderstand=\"true\">153600</w:MaxEnvelopeSize>"
        b"<a:MessageID>uuid:0D2B6A64-1A55-4C5B-9D51-2F0C3E2B8C11</a:MessageID><w:OperationTimeout>PT60S</w:OperationTimeout>"
        b"</s:Header><s:Body/></s:Envelope>"
    ) % endpoint.http_url.encode()
    response = requests.post(endpoint.http_url, data=get, headers={"Content-Type": SOAP_CT, "WSMANIDENTIFY": "unauthenticated"}, timeout=10)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Negotiate"


def test_digest_only_when_enabled(lab):
    plain = lab()
    response = requests.post(plain.http_url, data=IDENTIFY, auth=requests.auth.HTTPDigestAuth(plain.username, plain.password),
                             headers={"Content-Type": SOAP_CT}, timeout=10)
    assert response.status_code == 401
    amt_like = lab(digest=True, allow_unencrypted=True)
    response = requests.post(amt_like.http_url, data=IDENTIFY, auth=requests.auth.HTTPDigestAuth(amt_like.username, amt_like.password),
                             headers={"Content-Type": SOAP_CT}, timeout=10)
    assert response.status_code == 200
    assert product_vendor(response.content) == "Microsoft Corporation"
    response = requests.post(amt_like.http_url, data=IDENTIFY, auth=requests.auth.HTTPDigestAuth(amt_like.username, "wrong"),
                             headers={"Content-Type": SOAP_CT}, timeout=10)
    assert response.status_code == 401


MUTUAL = "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual"


def test_client_certificate_mapped_to_an_account(lab):
    endpoint = lab(cert_map=["lab-client:labadmin", "stranger:labadmin"])
    cert = endpoint.client_cert("lab-client")
    with open(cert[0], "rb") as handle:
        issued = x509.load_pem_x509_certificate(handle.read())
    others = issued.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(x509.OtherName)
    assert [(o.type_id.dotted_string, o.value) for o in others] == [("1.3.6.1.4.1.311.20.2.3", b"\x0c\x0elabadmin@LAB01")]
    headers = {"Content-Type": SOAP_CT, "Authorization": MUTUAL}
    response = requests.post(endpoint.https_url, data=IDENTIFY, headers=headers, cert=cert, verify=endpoint.ca_file, timeout=10)
    assert response.status_code == 200
    assert product_vendor(response.content) == "Microsoft Corporation"
    # no certificate: refused
    response = requests.post(endpoint.https_url, data=IDENTIFY, headers=headers, verify=endpoint.ca_file, timeout=10)
    assert response.status_code == 401
    # certificate authentication is HTTPS only
    response = requests.post(endpoint.http_url, data=IDENTIFY, headers=headers, timeout=10)
    assert response.status_code == 401


def test_client_certificate_refused_when_certificate_auth_is_off(lab, tmp_path):
    mapped = lab(cert_map=["lab-client:labadmin"])
    cert = mapped.client_cert("lab-client")
    # a lab with Auth/Certificate=false (the Windows default) that trusts the first lab's CA
    other = lab(client_ca_file=[mapped.ca_file])
    response = requests.post(other.https_url, data=IDENTIFY, headers={"Content-Type": SOAP_CT, "Authorization": MUTUAL},
                             cert=cert, verify=other.ca_file, timeout=10)
    assert response.status_code == 401


def _ntlm_over_https(endpoint, bindings):
    """A hand-driven NTLM handshake over HTTPS with chosen channel bindings; returns the final status."""
    session = requests.Session()
    client = spnego.client(endpoint.username, endpoint.password, hostname="127.0.0.1", service="HTTP", protocol="ntlm",
                           channel_bindings=bindings)
    first = session.post(endpoint.https_url, data=b"", headers={"Authorization": "Negotiate " + base64.b64encode(client.step()).decode()}, timeout=10,
                         verify=endpoint.ca_file)
    assert first.status_code == 401
    token = client.step(base64.b64decode(first.headers["WWW-Authenticate"].split(" ", 1)[1]))
    final = session.post(endpoint.https_url, data=IDENTIFY, headers={"Authorization": "Negotiate " + base64.b64encode(token).decode(), "Content-Type": SOAP_CT},
                         timeout=10, verify=endpoint.ca_file)
    return final.status_code


def test_wrong_channel_binding_is_refused_over_https(lab):
    from spnego.channel_bindings import GssChannelBindings
    endpoint = lab()
    wrong = GssChannelBindings(application_data=b"tls-server-end-point:" + b"\x01" * 32)
    assert _ntlm_over_https(endpoint, wrong) == 401


def test_missing_channel_binding_relaxed_accepts_strict_refuses(lab):
    assert _ntlm_over_https(lab(), None) == 200
    assert _ntlm_over_https(lab(cbt_hardening_level="Strict"), None) == 401


def _credssp_session(endpoint, username=None, password=None):
    """Hand-driven CredSSP over HTTP (pyspnego initiator); returns (session, context, last response)."""
    session = requests.Session()
    client = spnego.client(username or endpoint.username, password or endpoint.password, hostname="127.0.0.1",
                           service="HTTP", protocol="credssp")
    token = client.step()
    for dummy in range(10):
        response = session.post(endpoint.http_url, data=b"", headers={"Authorization": "CredSSP " + base64.b64encode(token).decode()}, timeout=10)
        if response.status_code != 401 or not response.headers.get("WWW-Authenticate", "").startswith("CredSSP "):
            return session, client, response
        try:
            token = client.step(base64.b64decode(response.headers["WWW-Authenticate"].split(" ", 1)[1]))
        except spnego.exceptions.SpnegoError:
            return session, client, None  # the acceptor sent an error TSRequest (logon failure)
        if token is None:
            break
    return session, client, response


def test_credssp_offered_and_accepted_only_when_enabled(lab):
    plain = lab()
    assert "CredSSP" not in requests.post(plain.http_url, data=IDENTIFY, timeout=10).headers["WWW-Authenticate"]
    dummy_session, dummy_client, response = _credssp_session(plain)
    assert response.status_code == 401
    enabled = lab(credssp=True)
    assert requests.post(enabled.http_url, data=IDENTIFY, timeout=10).headers["WWW-Authenticate"] == "Negotiate, CredSSP"
    dummy_session, client, response = _credssp_session(enabled)
    assert response.status_code == 200
    assert client.complete
    assert enabled.stats()["authentications"] == 1


def test_credssp_with_message_encryption_in_16k_parts(lab):
    from pypsrp.encryption import WinRMEncryption
    endpoint = lab(credssp=True)
    session, client, response = _credssp_session(endpoint)
    assert response.status_code == 200
    sealer = WinRMEncryption(client, WinRMEncryption.CREDSSP)
    # pad the Identify request past 16 KiB so pypsrp sends multipart/x-multi-encrypted
    padded = IDENTIFY.replace(b"<s:Header/>", b"<s:Header/>" + b"<!--" + b"x" * 40000 + b"-->")
    for message in (IDENTIFY, padded):
        media, payload = sealer.wrap_message(message)
        headers = {"Content-Type": '%s;protocol="%s";boundary="Encrypted Boundary"' % (media, WinRMEncryption.CREDSSP)}
        reply = session.post(endpoint.http_url, data=payload, headers=headers, timeout=10)
        assert reply.status_code == 200
        assert reply.headers["Content-Type"].startswith("multipart/encrypted;")
        assert product_vendor(sealer.unwrap_message(reply.content, "Encrypted Boundary")) == "Microsoft Corporation"
    assert endpoint.stats()["encrypted_requests"] == 2


def test_credssp_wrong_password_is_refused(lab):
    endpoint = lab(credssp=True)
    dummy_session, dummy_client, response = _credssp_session(endpoint, password="wrong")
    assert response is None or response.status_code == 401
    assert endpoint.stats()["authentications"] == 0
