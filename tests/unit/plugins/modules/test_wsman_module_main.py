# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The modules' main() end to end (AnsibleModule argument parsing, session, run_task, exit/fail JSON) on the lab."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.testing import patch_module_args

from ansible_collections.wsman.automation.plugins.modules import (
    wsman_enumerate,
    wsman_get,
    wsman_identify,
    wsman_instance,
    wsman_invoke,
)

MODULES = {
    'wsman_identify': wsman_identify,
    'wsman_get': wsman_get,
    'wsman_enumerate': wsman_enumerate,
    'wsman_invoke': wsman_invoke,
    'wsman_instance': wsman_instance,
}


@pytest.fixture
def run_main(lab_endpoint, capsys):
    """``run_main(name, **args) -> (exit code, result)`` with a Basic session to the lab."""

    def run(name, session=True, **args):
        if session:
            base = dict(connection=lab_endpoint.http_url, flags='use_basic|cred_username_password|no_encryption',
                        username=lab_endpoint.username, password=lab_endpoint.password, allow_unencrypted=True)
            base.update(args)
            args = base
        with patch_module_args(args):
            with pytest.raises(SystemExit) as caught:
                MODULES[name].main()
        out = capsys.readouterr().out
        return caught.value.code, json.loads(out)

    return run


def test_get_main_returns_the_instance(run_main, assert_no_secret):
    code, result = run_main('wsman_get', resource_uri='wmicimv2/Win32_Service?Name=WinRM')
    assert code == 0
    assert result['changed'] is False
    assert result['instance']['Name'] == 'WinRM'
    assert_no_secret(result)


def test_identify_main_anonymous(run_main, lab_endpoint):
    code, result = run_main('wsman_identify', session=False, connection=lab_endpoint.http_url, flags='UseNoAuthentication')
    assert code == 0
    assert result['identity']['product_vendor'] == 'Microsoft Corporation'


def test_fault_fails_the_task_with_the_fault_as_data(run_main, assert_no_secret):
    code, result = run_main('wsman_get', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'NoSuchService'})
    assert code == 1
    assert result['failed'] is True
    assert result['wsman_error_kind'] == 'fault'
    assert result['wsman_fault']['code'] == 2150858752
    assert '0x80338000' in result['msg']
    assert_no_secret(result)


def test_bad_flags_fail_before_any_traffic_with_the_windows_code(run_main, lab_endpoint, assert_no_secret):
    before = lab_endpoint.stats()['requests']
    code, result = run_main('wsman_get', resource_uri='wmicimv2/Win32_Service?Name=WinRM',
                            flags='use_basic|use_negotiate|cred_username_password')
    assert code == 1
    assert result['wsman_error_kind'] == 'validation'
    assert result['wsman_error_code'] == 2150858925  # ERROR_WSMAN_CLIENT_MULTIPLE_AUTH_FLAGS, R1
    assert 'R1' in result['msg']
    assert lab_endpoint.stats()['requests'] == before
    assert_no_secret(result)


def test_wrong_password_is_a_transport_error_without_the_password(run_main, lab_endpoint):
    secret = 'Wrong-Pa55word!q9'
    code, result = run_main('wsman_get', resource_uri='wmicimv2/Win32_Service?Name=WinRM', password=secret)
    assert code == 1
    assert result['wsman_error_kind'] == 'transport'
    assert lab_endpoint.http_url in result['msg']
    assert secret not in json.dumps(result)


def test_unreachable_endpoint_is_a_transport_error(run_main):
    code, result = run_main('wsman_identify', session=False, connection='http://127.0.0.1:9/wsman', flags='UseNoAuthentication',
                            timeout=2000)
    assert code == 1
    assert result['wsman_error_kind'] == 'transport'
    assert 'http://127.0.0.1:9/wsman' in result['msg']


def test_invoke_main_check_mode_is_skipped(run_main):
    code, result = run_main('wsman_invoke', resource_uri='wmicimv2/Win32_Service?Name=Spooler', action='StopService',
                            _ansible_check_mode=True)
    assert code == 0
    assert result['skipped'] is True
    assert result['changed'] is False


def test_instance_main_diff_mode(run_main):
    code, result = run_main('wsman_instance', resource_uri='wmicimv2/Win32_Service?Name=WinRM', state='absent',
                            _ansible_check_mode=True, _ansible_diff=True)
    assert code == 0
    assert result['changed'] is True
    assert result['diff']['before']['Name'] == 'WinRM'


def test_enumerate_main_rejects_selectors_with_a_filter(run_main):
    code, result = run_main('wsman_enumerate', resource_uri='wmicimv2/Win32_Service', selectors={'Name': 'WinRM'},
                            filter='SELECT * FROM Win32_Service')
    assert code == 1
    assert 'mutually exclusive' in result['msg']


@pytest.mark.parametrize('flag, library', [('LXML_IMPORT_ERROR', 'lxml'), ('WINRM_IMPORT_ERROR', 'pywinrm')])
def test_missing_library_is_reported_with_missing_required_lib(run_main, monkeypatch, flag, library):
    from ansible_collections.wsman.automation.plugins.module_utils import _module_entry

    monkeypatch.setattr(_module_entry, flag, 'Traceback (most recent call last):\nModuleNotFoundError: No module named x')
    code, result = run_main('wsman_get', resource_uri='wmicimv2/Win32_Service?Name=WinRM')
    assert code == 1
    assert 'Failed to import the required Python library (%s)' % library in result['msg']
