# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bounds of the Session setters: timeout, batch_items, max_envelope_size (facts §5.2, §10)."""

from __future__ import annotations

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._client_config import ClientConfig
from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._session import (
    MAX_BATCH_ITEMS,
    MAX_MAX_ENVELOPE_SIZE,
    MAX_TIMEOUT_MS,
)
from ansible_collections.wsman.automation.plugins.module_utils._wsman import WSMan

LONG_MAX = 2 ** 31 - 1


@pytest.fixture()
def session():
    return WSMan(ClientConfig()).create_session('https://server1.example.com', 0, None)


def test_the_limits_are_the_documented_ones():
    assert MAX_TIMEOUT_MS == LONG_MAX
    assert MAX_BATCH_ITEMS == LONG_MAX
    assert MAX_MAX_ENVELOPE_SIZE == 1039440 * 1024  # facts §10: unsupported above 1039440 KB


@pytest.mark.parametrize('name, lowest, highest', [
    ('timeout', 1, LONG_MAX),
    ('batch_items', 1, LONG_MAX),
    ('max_envelope_size', 8192, 1039440 * 1024),
])
def test_the_bounds_themselves_are_accepted(session, name, lowest, highest):
    for value in (lowest, highest, str(highest)):
        setattr(session, name, value)
        assert getattr(session, name) == int(value)


@pytest.mark.parametrize('name, value, expected_range', [
    ('timeout', LONG_MAX + 1, '1 and 2147483647 milliseconds'),
    ('timeout', 2 ** 70, '1 and 2147483647 milliseconds'),
    ('timeout', 0, '1 and 2147483647 milliseconds'),
    ('batch_items', LONG_MAX + 1, '1 and 2147483647'),
    ('batch_items', 2 ** 40, '1 and 2147483647'),
    ('max_envelope_size', 1039440 * 1024 + 1, '8192 and 1064386560 bytes'),
    ('max_envelope_size', 2 ** 70, '8192 and 1064386560 bytes'),
])
def test_values_above_the_bound_are_refused_naming_property_and_range(session, name, value, expected_range):
    before = getattr(session, name)
    with pytest.raises(WSManInvalidArgumentError) as info:
        setattr(session, name, value)
    text = str(info.value)
    assert name in text
    assert expected_range in text
    assert info.value.argument == name
    assert getattr(session, name) == before  # nothing half-done


def test_an_overlong_timeout_never_reaches_the_transport(session):
    with pytest.raises(WSManInvalidArgumentError, match='timeout'):
        session.timeout = 2 ** 70
    assert session.envelope_params().timeout_ms == 60000
    assert session.requests == 0
