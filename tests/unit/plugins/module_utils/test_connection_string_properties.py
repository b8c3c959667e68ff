# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Property tests: any text gives an Endpoint or a WSManError, never another exception (facts §1)."""

from __future__ import annotations

import ipaddress

from hypothesis import given, settings, strategies as st

from ansible_collections.wsman.automation.plugins.module_utils._connection_string import Endpoint, parse_connection
from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManError

ALPHABET = st.sampled_from(list('abcXYZ019.:/[]_-@%?# \t') + ['http://', 'https://', 'HTTPS://', 'ftp://', '::', '\u00e9'])
LABEL = st.from_regex(r'[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?', fullmatch=True)


def _check(text, use_ssl):
    try:
        endpoint = parse_connection(text, use_ssl=use_ssl)
    except WSManError as err:
        assert err.code > 0
        assert str(err)
        return None
    assert isinstance(endpoint, Endpoint)
    assert endpoint.scheme in ('http', 'https')
    assert 1 <= endpoint.port <= 65535
    assert not endpoint.path.startswith('/') and not endpoint.path.endswith('/')
    assert endpoint.url.startswith(endpoint.scheme + '://')
    assert endpoint.url.endswith(':%d/%s' % (endpoint.port, endpoint.path))
    # the URL reparses to the same endpoint (stable)
    again = parse_connection(endpoint.url)
    assert (again.scheme, again.host, again.port, again.path) == (endpoint.scheme, endpoint.host, endpoint.port, endpoint.path)
    return endpoint


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=60), st.booleans())
def test_any_text_gives_endpoint_or_wsman_error(text, use_ssl):
    _check(text, use_ssl)


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=20).map(''.join), st.booleans())
def test_url_like_text_gives_endpoint_or_wsman_error(text, use_ssl):
    _check(text, use_ssl)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(['', 'http://', 'https://', 'HTTP://']), st.lists(LABEL, min_size=1, max_size=4).map('.'.join),
       st.one_of(st.none(), st.integers(min_value=1, max_value=65535)),
       st.one_of(st.none(), st.sampled_from(['wsman', 'websvcs/wsman', 'a_b/c1'])))
def test_well_formed_names_parse(scheme, host, port, prefix):
    text = scheme + host + (':%d' % port if port else '') + ('/' + prefix if prefix else '')
    try:
        ipaddress.IPv4Address(host)
        is_ip = True
    except ValueError:
        is_ip = False
    if '.' in host and host.replace('.', '').isdigit() and not is_ip:
        return  # all-digit dotted text that is no IPv4 address is rejected on purpose
    endpoint = _check(text, False)
    assert endpoint is not None
    assert endpoint.host == (str(ipaddress.IPv4Address(host)) if is_ip else host)
    assert endpoint.path == (prefix or 'wsman')
    if port:
        assert endpoint.port == port


@settings(max_examples=200, deadline=None)
@given(st.ip_addresses(v=6), st.one_of(st.none(), st.integers(min_value=1, max_value=65535)))
def test_bracketed_ipv6_parses_and_unbracketed_fails(address, port):
    bracketed = '[%s]%s' % (address, ':%d' % port if port else '')
    endpoint = _check(bracketed, True)
    assert endpoint is not None
    assert ipaddress.IPv6Address(endpoint.host) == address
    assert endpoint.host_kind == 'ipv6'
    assert endpoint.port == (port or 5986)
    try:
        parse_connection(str(address))
    except WSManError as err:
        assert err.code == 2150858969
    else:
        raise AssertionError('unbracketed IPv6 %s was accepted' % address)
