"""pypsrp's ``pypsrp.wsman.WSMan`` as an independent client of the lab, over each transport the lab offers.

WSMan builds complete WS-Management requests (WS-Addressing headers, MaxEnvelopeSize, OperationTimeout,
locale) and parses the replies, so these tests prove the HTTP layer and the service together.
"""

import pytest
from pypsrp.exceptions import AuthenticationError, WinRMTransportError
from pypsrp.wsman import WSMan

CFG = "http://schemas.microsoft.com/wbem/wsman/1/config"


def _client(endpoint, ssl, **kwargs):
    options = {"port": endpoint.https_port if ssl else endpoint.http_port, "username": endpoint.username,
               "password": endpoint.password, "ssl": ssl, "auth": "negotiate",
               "cert_validation": endpoint.ca_file if ssl else False, "operation_timeout": 20}
    options.update(kwargs)
    return WSMan("127.0.0.1", **options)


def _max_envelope(body):
    element = body.find("{%s}Config/{%s}MaxEnvelopeSizekb" % (CFG, CFG))
    assert element is not None
    return int(element.text)


def test_get_server_config_over_http_with_message_encryption(lab):
    endpoint = lab(max_envelope_size_kb=300)
    with _client(endpoint, ssl=False) as client:
        assert _max_envelope(client.get_server_config()) == 300
    stats = endpoint.stats()
    assert stats["encrypted_requests"] >= 1
    assert stats["authentications"] == 1


def test_get_server_config_over_https(lab):
    endpoint = lab()
    with _client(endpoint, ssl=True) as client:
        assert _max_envelope(client.get_server_config()) > 0
    assert endpoint.stats()["encrypted_requests"] == 0


def test_basic_when_enabled(lab):
    endpoint = lab(basic=True)
    with _client(endpoint, ssl=True, auth="basic") as client:
        assert _max_envelope(client.get_server_config()) > 0


def test_basic_refused_when_disabled(lab):
    endpoint = lab()
    with _client(endpoint, ssl=True, auth="basic") as client:
        with pytest.raises(AuthenticationError):
            client.get_server_config()


def test_many_requests_on_one_authenticated_connection(lab):
    endpoint = lab()
    with _client(endpoint, ssl=False) as client:
        for dummy in range(20):
            client.get_server_config()
    stats = endpoint.stats()
    assert stats["authentications"] == 1
    assert stats["connections"] == 1
    assert stats["encrypted_requests"] == 20


def test_injected_503_reaches_the_wsman_client(lab):
    endpoint = lab()
    with _client(endpoint, ssl=False) as client:
        client.get_server_config()
        endpoint.inject("status503")
        with pytest.raises(WinRMTransportError) as info:
            client.get_server_config()
        assert info.value.code == 503
        client.get_server_config()  # the connection and its security context survive
