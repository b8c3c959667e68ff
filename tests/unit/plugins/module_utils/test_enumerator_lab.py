# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Session and Enumerator against the lab endpoint (tests/lab) through the real transport.

The lab's own counters (``GET /lab/stats``) prove what the service saw: contexts released by an
early close, none left open after EndOfSequence, one Pull per batch.
"""
# pylint: disable=redefined-outer-name

from __future__ import annotations

import gc

import pytest
from lxml import etree

from ansible_collections.wsman.automation.plugins.module_utils._cim import fragment_to_value, instance_to_dict
from ansible_collections.wsman.automation.plugins.module_utils._client_config import ClientConfig
from ansible_collections.wsman.automation.plugins.module_utils._connection_options import ConnectionOptions
from ansible_collections.wsman.automation.plugins.module_utils._enumerator import PULL_TIMEOUT_RETRIES
from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManFault
from ansible_collections.wsman.automation.plugins.module_utils._wsman import WSMan
from ansible_collections.wsman.automation.tests.unit.lab_endpoint import start_lab

SERVICES = 75  # more than the lab's named services (it never generates fewer)


@pytest.fixture(scope='module')
def lab(tmp_path_factory):
    endpoint = start_lab(tmp_path_factory.mktemp('lab'), services=SERVICES, basic=True, allow_unencrypted=True)
    yield endpoint
    endpoint.stop()


def open_session(lab, flags='UseBasic|CredUsernamePassword|NoEncryption', batch_items=None):
    options = ConnectionOptions(username=lab.username, password=lab.password) if 'Cred' in flags else None
    session = WSMan(ClientConfig(allow_unencrypted=True)).create_session(lab.http_url, flags, options)
    if batch_items:
        session.batch_items = batch_items
    return session


def test_full_enumeration_ends_without_release(lab):
    before = lab.stats()
    with open_session(lab, batch_items=7) as session:
        enumerator = session.enumerate('wmicimv2/Win32_Service')
        items = [instance_to_dict(element) for element in enumerator.iter_elements()]
        assert len(items) == SERVICES
        assert len({item['Name'] for item in items}) == SERVICES
        # ceil(75 / 7) = 11 batches: the first came with the optimized Enumerate response
        assert enumerator.pulls == 10
        assert not enumerator.released
    after = lab.stats()
    assert after['enumeration_contexts_open'] == 0
    assert after['enumeration_contexts_released'] == before['enumeration_contexts_released']


def test_encrypted_negotiate_session_enumerates(lab):
    with open_session(lab, 'UseNegotiate|CredUsernamePassword') as session:
        names = [instance_to_dict(text)['Name'] for text in session.enumerate('wmicimv2/Win32_Service')]
    assert 'WinRM' in names and len(names) == SERVICES


def test_early_close_sends_release(lab):
    before = lab.stats()['enumeration_contexts_released']
    with open_session(lab, batch_items=5) as session:
        enumerator = session.enumerate('wmicimv2/Win32_Service')
        first = [enumerator.read_item() for dummy in range(3)]
        assert all(first)
        assert lab.stats()['enumeration_contexts_open'] == 1
        enumerator.close()
        assert enumerator.released
        stats = lab.stats()
        assert stats['enumeration_contexts_open'] == 0
        assert stats['enumeration_contexts_released'] == before + 1


def test_break_and_garbage_collection_send_release(lab):
    before = lab.stats()['enumeration_contexts_released']
    with open_session(lab, batch_items=5) as session:
        for _text in session.enumerate('wmicimv2/Win32_Service'):
            break
        enumerator = session.enumerate('wmicimv2/Win32_Service')
        del enumerator
        gc.collect()
        stats = lab.stats()
    assert stats['enumeration_contexts_released'] == before + 2
    assert stats['enumeration_contexts_open'] == 0


def test_wql_filter_and_get(lab):
    with open_session(lab) as session:
        found = [instance_to_dict(e) for e in session.enumerate(
            'wmicimv2/*', 'SELECT * FROM Win32_Service WHERE Name = "WinRM"').iter_elements()]
        assert [item['Name'] for item in found] == ['WinRM']
        instance = instance_to_dict(session.get_element('wmicimv2/Win32_Service?Name=WinRM'))
        assert instance['Name'] == 'WinRM' and instance['StartMode'] == 'Auto'


def test_fault_for_a_missing_instance(lab):
    with open_session(lab) as session:
        with pytest.raises(WSManFault) as info:
            session.get('wmicimv2/Win32_Service?Name=NoSuchService')
        assert info.value.code != 0
        assert session.error.startswith('<f:WSManFault') or 'WSManFault' in session.error


def test_identify_anonymous(lab):
    with open_session(lab, 'UseNoAuthentication') as session:
        result = instance_to_dict(session.identify())
    assert result['ProtocolVersion'] == 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd'


def test_modes_filters_and_flags_against_the_lab(lab):
    with open_session(lab) as session:
        eprs = [instance_to_dict(e) for e in session.enumerate('wmicimv2/Win32_Service', flags='ReturnEPR').iter_elements()]
        assert len(eprs) == SERVICES and set(eprs[0]) == {'address', 'resource_uri', 'selectors'}
        pairs = [instance_to_dict(e) for e in session.enumerate('winrm/config/listener', flags='ReturnObjectAndEPR').iter_elements()]
        assert pairs and pairs[0]['object']['Transport'] in ('HTTP', 'HTTPS') and pairs[0]['epr']['selectors']
        stopped = [instance_to_dict(e) for e in session.enumerate('wmicimv2/Win32_Service', {'State': 'Stopped'}, 'selector').iter_elements()]
        assert stopped and all(item['State'] == 'Stopped' for item in stopped)
        antecedents = [instance_to_dict(e)['Name'] for e in session.enumerate(
            'wmicimv2/*', {'Object': 'wmicimv2/Win32_Service?Name=WinRM', 'AssociationClassName': 'Win32_DependentService'},
            'association').iter_elements()]
        assert antecedents == ['RpcSs']
        with pytest.raises(WSManFault) as info:  # facts §7.3: sent as asked, the service's fault surfaces
            session.enumerate('wmicimv2/Win32_Service', flags='HierarchyShallow')
        assert info.value.error_name == 'ERROR_WSMAN_POLYMORPHISM_MODE_UNSUPPORTED'


def test_invoke_fragment_put_and_utf16_against_the_lab(lab):
    with open_session(lab) as session:
        output = instance_to_dict(session.invoke_element('StopService', 'wmicimv2/Win32_Service?Name=Spooler', {}))
        assert 'ReturnValue' in output
        locator = WSMan.create_resource_locator('wmicimv2/Win32_Service')
        locator.add_selector('Name', 'WinRM')
        locator.fragment_path = 'StartMode'
        assert fragment_to_value(session.get_element(locator)) == {'StartMode': 'Auto'}
        updated = instance_to_dict(session.put_element('winrm/config', {'MaxTimeoutms': '90000'}))
        assert updated['MaxTimeoutms'] == '90000'
    with open_session(lab, 'UseBasic|CredUsernamePassword|NoEncryption|UTF16') as session:
        assert instance_to_dict(session.get_element('wmicimv2/Win32_Service?Name=WinRM'))['Name'] == 'WinRM'


# --- prefetch by writing the next Pull ahead on the open connection (Transport.send_ahead) -------

def _count_send_ahead(session, monkeypatch):
    transport = session._get_transport()  # pylint: disable=protected-access
    calls = []
    original = transport.send_ahead

    def counting(*args, **kwargs):
        handle = original(*args, **kwargs)
        calls.append(handle is not None)
        return handle

    monkeypatch.setattr(transport, 'send_ahead', counting)
    return calls


@pytest.mark.parametrize('flags', ['UseNegotiate|CredUsernamePassword', 'UseBasic|CredUsernamePassword|NoEncryption'])
def test_pulls_are_written_ahead_on_the_authenticated_connection(lab, monkeypatch, flags):
    with open_session(lab, flags, batch_items=10) as session:
        calls = _count_send_ahead(session, monkeypatch)
        enumerator = session.enumerate('wmicimv2/Win32_Service')
        names = [instance_to_dict(element)['Name'] for element in enumerator.iter_elements()]
        assert len(names) == SERVICES and len(set(names)) == SERVICES
        assert enumerator.pulls == 7  # ceil(75 / 10) - 1: one per batch, none extra
        assert calls and all(calls)  # every Pull went out ahead, none through a helper thread
        # counted as the service counts them: one NTLM handshake; Basic credentials on every request
        expected = 1 if 'Negotiate' in flags else 8
        assert session._transport.authentications == expected  # pylint: disable=protected-access


def test_a_request_between_batches_reads_the_pull_written_ahead_first(lab, monkeypatch):
    # With message encryption the replies must be unsealed in the order the requests were sent:
    # a Get while a Pull is on the wire completes that Pull's reply first.
    with open_session(lab, 'UseNegotiate|CredUsernamePassword', batch_items=10) as session:
        calls = _count_send_ahead(session, monkeypatch)
        names = []
        with session.enumerate('wmicimv2/Win32_Service') as enumerator:
            for index, element in enumerate(enumerator.iter_elements()):
                names.append(instance_to_dict(element)['Name'])
                if index % 10 == 5:
                    assert instance_to_dict(session.get_element('wmicimv2/Win32_Service?Name=WinRM'))['Name'] == 'WinRM'
        assert len(names) == SERVICES and len(set(names)) == SERVICES
        assert any(calls)


def test_early_close_with_a_pull_written_ahead_releases_its_context(lab, monkeypatch):
    before = lab.stats()
    with open_session(lab, 'UseNegotiate|CredUsernamePassword', batch_items=5) as session:
        calls = _count_send_ahead(session, monkeypatch)
        enumerator = session.enumerate('wmicimv2/Win32_Service')
        assert enumerator.read_element() is not None
        assert calls == [True]
        enumerator.close()
        assert enumerator.released and enumerator.pulls == 1
        # the session is still usable: the written-ahead reply was read off the connection
        assert session.identify()
    after = lab.stats()
    assert after['enumeration_contexts_released'] == before['enumeration_contexts_released'] + 1
    assert after['enumeration_contexts_open'] == 0


def test_helper_thread_prefetch_when_the_pull_cannot_be_written_ahead(lab, monkeypatch):
    # A proxy, Kerberos, CredSSP or Digest session cannot write ahead: a helper thread sends the Pull
    # and waits for the headers (Transport.send_deferred); the caller's thread reads and unseals it.
    with open_session(lab, 'UseNegotiate|CredUsernamePassword', batch_items=10) as session:
        transport = session._get_transport()  # pylint: disable=protected-access
        monkeypatch.setattr(transport, 'send_ahead', lambda *args, **kwargs: None)
        deferred = []
        original = transport.send_deferred

        def counting(*args, **kwargs):
            handle = original(*args, **kwargs)
            deferred.append(handle)
            return handle

        monkeypatch.setattr(transport, 'send_deferred', counting)
        enumerator = session.enumerate('wmicimv2/Win32_Service')
        names = [instance_to_dict(element)['Name'] for element in enumerator.iter_elements()]
        assert len(names) == SERVICES and len(set(names)) == SERVICES
        assert len(deferred) == enumerator.pulls == 7
        # a Get right after an early-closed enumeration still reads its replies in order
        enumerator = session.enumerate('wmicimv2/Win32_Service')
        assert enumerator.read_element() is not None
        enumerator.close()
        assert instance_to_dict(session.get_element('wmicimv2/Win32_Service?Name=WinRM'))['Name'] == 'WinRM'


# --- Pulls that time out without data: the lab's pull-timeout injection -------------------------
# createsession-facts.md §7.4: a Pull that times out with no data leaves the context valid
# (ERROR_WSMAN_ENUMERATE_TIMED_OUT 0x8033801C - retry Pull); §9.2: Receiver / wsen:TimedOut.

TIMED_OUT = 0x8033801C
BATCH = 10
FULL_PULLS = 7  # ceil(SERVICES / BATCH) - 1: the first batch comes with the optimized Enumerate response
PULL_MODES = ('send-ahead', 'helper-thread', 'no-prefetch')


@pytest.fixture
def pull_timeouts(lab):
    """``inject(**spec)`` queues a pull-timeout on the shared lab; whatever is left is cleared after the test."""
    lab.clear_injections()
    yield lambda **spec: lab.inject('pull-timeout', **spec)
    lab.clear_injections()


def _pending_pull_timeouts(lab):
    return [item['count'] for item in lab._control('GET', '/lab/inject')['pending']]  # pylint: disable=protected-access


def _reference_names(lab):
    with open_session(lab, batch_items=BATCH) as session:
        return [instance_to_dict(element)['Name'] for element in session.enumerate('wmicimv2/Win32_Service').iter_elements()]


def _session_for(lab, monkeypatch, mode, timeout_ms=None):
    """A session whose Pulls go the way ``mode`` says; returns (session, list of the prefetch paths taken)."""
    session = open_session(lab, batch_items=BATCH)
    if timeout_ms:
        session.timeout = timeout_ms
    if mode == 'no-prefetch':
        session.prefetch = False
    transport = session._get_transport()  # pylint: disable=protected-access
    paths = []
    send_ahead, send_deferred = transport.send_ahead, transport.send_deferred

    def counting_send_ahead(*args, **kwargs):
        handle = None if mode == 'helper-thread' else send_ahead(*args, **kwargs)
        if handle is not None:
            paths.append('send-ahead')
        return handle

    def counting_send_deferred(*args, **kwargs):
        paths.append('helper-thread')
        return send_deferred(*args, **kwargs)

    monkeypatch.setattr(transport, 'send_ahead', counting_send_ahead)
    monkeypatch.setattr(transport, 'send_deferred', counting_send_deferred)
    return session, paths


@pytest.mark.parametrize('mode', PULL_MODES)
@pytest.mark.parametrize('timeouts', [1, 2, PULL_TIMEOUT_RETRIES])
def test_timed_out_pulls_mid_enumeration_are_retried(lab, pull_timeouts, monkeypatch, mode, timeouts):
    """Facts §7.4, §9.2: up to PULL_TIMEOUT_RETRIES timed-out Pulls in a row are sent again on the same
    context; every item arrives once, in order, and ``pulls`` counts every Pull sent."""
    expected = _reference_names(lab)
    before = lab.stats()
    pull_timeouts(count=timeouts, after=2)  # the third Pull, and the retries after it, time out
    session, paths = _session_for(lab, monkeypatch, mode, timeout_ms=200)  # the lab waits the OperationTimeout
    with session:
        enumerator = session.enumerate('wmicimv2/Win32_Service')
        names = [instance_to_dict(element)['Name'] for element in enumerator.iter_elements()]
        assert names == expected and len(set(names)) == SERVICES
        assert enumerator.pulls == FULL_PULLS + timeouts
        assert enumerator.error == '' and session.error == ''
        assert not enumerator.released  # ended by EndOfSequence
    after = lab.stats()
    assert after['injected'] - before['injected'] == timeouts
    assert after['faults'] - before['faults'] == timeouts
    assert after['enumeration_contexts_open'] == 0
    assert after['enumeration_contexts_released'] == before['enumeration_contexts_released']
    assert _pending_pull_timeouts(lab) == []
    if mode == 'no-prefetch':
        assert paths == []
    else:  # every Pull but the retries (sent at once, on the caller's thread) was prefetched the chosen way
        assert paths == [mode] * FULL_PULLS


@pytest.mark.parametrize('mode', PULL_MODES)
def test_more_timed_out_pulls_than_retries_raise_and_release(lab, pull_timeouts, monkeypatch, mode):
    """Facts §7.4, §9.2: after PULL_TIMEOUT_RETRIES retries the 0x8033801C fault is raised; the context is
    still valid on the service, so the enumerator Releases it (and sends no further Pull)."""
    expected = _reference_names(lab)
    before = lab.stats()
    pull_timeouts(count=PULL_TIMEOUT_RETRIES + 2, after=1, seconds=0)  # one more than will be sent
    session, _paths = _session_for(lab, monkeypatch, mode)
    with session:
        enumerator = session.enumerate('wmicimv2/Win32_Service')
        names = []
        with pytest.raises(WSManFault) as info:
            for element in enumerator.iter_elements():
                names.append(instance_to_dict(element)['Name'])
        assert names == expected[:2 * BATCH]  # the Enumerate's batch and the first Pull's
        assert info.value.code == TIMED_OUT
        assert info.value.error_name == 'ERROR_WSMAN_ENUMERATE_TIMED_OUT'
        assert info.value.soap_subcode.endswith(':TimedOut')
        assert etree.fromstring(enumerator.error).get('Code') == str(TIMED_OUT)
        assert enumerator.pulls == 1 + PULL_TIMEOUT_RETRIES + 1
        assert enumerator.released
        assert instance_to_dict(session.get_element('wmicimv2/Win32_Service?Name=WinRM'))['Name'] == 'WinRM'
    after = lab.stats()
    assert after['injected'] - before['injected'] == PULL_TIMEOUT_RETRIES + 1
    assert after['enumeration_contexts_released'] == before['enumeration_contexts_released'] + 1
    assert after['enumeration_contexts_open'] == 0
    assert _pending_pull_timeouts(lab) == [1]  # exactly PULL_TIMEOUT_RETRIES + 1 Pulls went out


@pytest.mark.parametrize('mode', ['send-ahead', 'helper-thread'])
def test_close_does_not_retry_a_prefetched_pull_that_timed_out(lab, pull_timeouts, monkeypatch, mode):
    """Facts §7.4: a timed-out Pull leaves the context valid. Closing the enumerator (a ``break``, ``close()``,
    garbage collection) while its prefetched Pull timed out wants no items: it Releases the context at once
    instead of Pulling again - which would block close() for up to PULL_TIMEOUT_RETRIES more OperationTimeouts."""
    before = lab.stats()
    pull_timeouts(count=PULL_TIMEOUT_RETRIES + 1)  # every Pull the enumerator might send would time out
    session, paths = _session_for(lab, monkeypatch, mode, timeout_ms=300)
    with session:
        enumerator = session.enumerate('wmicimv2/Win32_Service')
        assert enumerator.read_element() is not None  # the next Pull is now in flight
        assert paths == [mode]
        enumerator.close()
        assert enumerator.pulls == 1
        assert enumerator.released
        assert instance_to_dict(session.get_element('wmicimv2/Win32_Service?Name=WinRM'))['Name'] == 'WinRM'
    after = lab.stats()
    assert after['injected'] - before['injected'] == 1
    assert after['enumeration_contexts_released'] == before['enumeration_contexts_released'] + 1
    assert after['enumeration_contexts_open'] == 0
    assert _pending_pull_timeouts(lab) == [PULL_TIMEOUT_RETRIES]
