# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Session.close() releases the enumeration contexts of its live Enumerators (against the lab).

The lab's counters (``GET /lab/stats``) show what the service holds: a half-read enumeration
left open when its session is closed must be Released, not left to expire.
"""
# pylint: disable=redefined-outer-name

from __future__ import annotations

import gc

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._client_config import ClientConfig
from ansible_collections.wsman.automation.plugins.module_utils._connection_options import ConnectionOptions
from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._wsman import WSMan
from ansible_collections.wsman.automation.tests.unit.lab_endpoint import start_lab

SERVICES = 75  # more than the lab's named services (it never generates fewer)


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    endpoint = start_lab(tmp_path_factory.mktemp('lab'), services=SERVICES, basic=True, allow_unencrypted=True)
    yield endpoint
    endpoint.stop()


def open_session(lab, prefetch=True):
    options = ConnectionOptions(username=lab.username, password=lab.password)
    session = WSMan(ClientConfig(allow_unencrypted=True)).create_session(
        lab.http_url, 'UseBasic|CredUsernamePassword|NoEncryption', options)
    session.batch_items = 1
    session.prefetch = prefetch
    return session


@pytest.mark.parametrize('prefetch', [True, False], ids=['prefetch', 'sequential'])
def test_close_releases_a_half_read_enumeration(lab, prefetch):
    before = lab.stats()
    session = open_session(lab, prefetch)
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    assert enumerator.read_item()
    assert lab.stats()['enumeration_contexts_open'] == before['enumeration_contexts_open'] + 1
    session.close()
    after = lab.stats()
    assert after['enumeration_contexts_open'] == before['enumeration_contexts_open']
    assert after['enumeration_contexts_released'] == before['enumeration_contexts_released'] + 1
    assert enumerator.released
    assert session.closed
    del enumerator
    gc.collect()
    assert lab.stats()['enumeration_contexts_released'] == before['enumeration_contexts_released'] + 1  # no second Release


def test_with_block_releases_every_open_enumeration(lab):
    before = lab.stats()
    with open_session(lab) as session:
        first = session.enumerate('wmicimv2/Win32_Service')
        second = session.enumerate('wmicimv2/Win32_Service')
        assert first.read_item() and second.read_item()
        finished = session.enumerate('wmicimv2/Win32_Service')
        assert len(list(finished)) == SERVICES  # ran to its end: nothing to Release
        assert lab.stats()['enumeration_contexts_open'] == before['enumeration_contexts_open'] + 2
    after = lab.stats()
    assert after['enumeration_contexts_open'] == before['enumeration_contexts_open']
    assert after['enumeration_contexts_released'] == before['enumeration_contexts_released'] + 2
    assert first.released and second.released and not finished.released
    assert first.read_item() == ''  # a closed enumerator is at its end
    with pytest.raises(WSManInvalidArgumentError, match='closed'):
        session.get('wmicimv2/Win32_Service?Name=WinRM')


def test_close_is_idempotent_and_forgets_collected_enumerators(lab):
    before = lab.stats()
    session = open_session(lab)
    enumerator = session.enumerate('wmicimv2/Win32_Service')
    assert enumerator.read_item()
    del enumerator
    gc.collect()  # the finalizer Released it; the session kept only a weak reference
    mid = lab.stats()
    assert mid['enumeration_contexts_open'] == before['enumeration_contexts_open']
    assert mid['enumeration_contexts_released'] == before['enumeration_contexts_released'] + 1
    session.close()
    session.close()
    assert lab.stats()['enumeration_contexts_released'] == mid['enumeration_contexts_released']
