"""Fault injection: every kind is observable from an independent client, at runtime and from the command line."""

import time

import pytest
import requests
from lxml import etree
from pypsrp.wsman import _TransportHTTP

IDENTIFY = (
    b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
    b'xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/wsmanidentity.xsd">'
    b"<s:Header/><s:Body><wsmid:Identify/></s:Body></s:Envelope>"
)
HEADERS = {"Content-Type": "application/soap+xml;charset=UTF-8"}


def _basic_lab(lab, **options):
    return lab(basic=True, allow_unencrypted=True, **options)


def _post(endpoint, session=None):
    return (session or requests).post(endpoint.http_url, data=IDENTIFY, headers=HEADERS,
                                      auth=(endpoint.username, endpoint.password), timeout=10)


def _is_xml(body):
    try:
        etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
        return True
    except etree.XMLSyntaxError:
        return False


def test_status503(lab):
    endpoint = _basic_lab(lab)
    endpoint.inject("status503")
    response = _post(endpoint)
    assert response.status_code == 503
    assert _post(endpoint).status_code == 200  # count defaults to 1
    assert endpoint.stats()["injected"] == 1


def test_drop_closes_the_connection_without_a_response(lab):
    endpoint = _basic_lab(lab)
    endpoint.inject("drop")
    with pytest.raises(requests.exceptions.ConnectionError):
        _post(endpoint)
    assert _post(endpoint).status_code == 200


def test_malformed_body_is_not_xml(lab):
    endpoint = _basic_lab(lab)
    endpoint.inject("malformed")
    response = _post(endpoint)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/soap+xml")
    assert not _is_xml(response.content)


def test_malformed_body_travels_inside_message_encryption(lab):
    endpoint = lab()
    client = _TransportHTTP("127.0.0.1", port=endpoint.http_port, username=endpoint.username, password=endpoint.password,
                            ssl=False, path="wsman", auth="negotiate", cert_validation=False, encryption="auto")
    assert _is_xml(client.send(IDENTIFY))
    endpoint.inject("malformed")
    body = client.send(IDENTIFY)  # decrypts fine: the garbage is what was sealed
    assert not _is_xml(body)
    assert _is_xml(client.send(IDENTIFY))  # and the sequence numbers stay in step


def test_truncated_response(lab):
    endpoint = _basic_lab(lab)
    endpoint.inject("truncated")
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        _post(endpoint).content
    assert _post(endpoint).status_code == 200


def test_delay(lab):
    endpoint = _basic_lab(lab)
    endpoint.inject("delay", seconds=0.6)
    started = time.monotonic()
    response = _post(endpoint)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.6
    assert _is_xml(response.content)


def test_count_and_after(lab):
    endpoint = _basic_lab(lab)
    endpoint.inject("status503", count=2, after=1)
    statuses = [_post(endpoint).status_code for dummy in range(4)]
    assert statuses == [200, 503, 503, 200]


def test_count_zero_means_until_cleared(lab):
    endpoint = _basic_lab(lab)
    endpoint.inject("status503", count=0)
    assert [_post(endpoint).status_code for dummy in range(3)] == [503, 503, 503]
    assert endpoint.clear_injections() == {"pending": []}
    assert _post(endpoint).status_code == 200


def test_injection_at_start(lab):
    endpoint = _basic_lab(lab, inject=["status503,count=1", "drop,count=1"])
    assert _post(endpoint).status_code == 503
    with pytest.raises(requests.exceptions.ConnectionError):
        _post(endpoint)
    assert _post(endpoint).status_code == 200


def test_injection_spares_authentication_legs(lab):
    """An injection hits the first message, not the NTLM handshake before it."""
    endpoint = lab()
    endpoint.inject("status503")
    client = _TransportHTTP("127.0.0.1", port=endpoint.http_port, username=endpoint.username, password=endpoint.password,
                            ssl=False, path="wsman", auth="negotiate", cert_validation=False, encryption="auto")
    from pypsrp.exceptions import WinRMTransportError
    with pytest.raises(WinRMTransportError) as info:
        client.send(IDENTIFY)
    assert info.value.code == 503
    assert endpoint.stats()["authentications"] == 1


@pytest.mark.parametrize("payload, fragment", [
    ({"kind": "explode"}, "unknown injection kind"),
    ({"kind": "delay", "seconds": "soon"}, "seconds"),
    ({"kind": "drop", "count": -1}, "count"),
    ({"kind": "drop", "color": "red"}, "unknown field"),
])
def test_bad_injection_is_refused_with_a_reason(lab, payload, fragment):
    endpoint = lab()
    response = requests.post("http://127.0.0.1:%d/lab/inject" % endpoint.http_port, json=payload, timeout=10)
    assert response.status_code == 400
    assert fragment in response.json()["error"]
    assert requests.get("http://127.0.0.1:%d/lab/inject" % endpoint.http_port, timeout=10).json() == {"pending": []}


def test_bad_injection_on_the_command_line_stops_the_start(lab):
    with pytest.raises(RuntimeError) as info:
        lab(inject=["explode"])
    assert "unknown injection kind 'explode'" in str(info.value)
    assert "Traceback" not in str(info.value)
