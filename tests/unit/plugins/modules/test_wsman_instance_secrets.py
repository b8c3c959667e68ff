# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wsman_instance never shows the value of a secret-looking property (e.g. WinRM's RunAsPassword)."""

from __future__ import annotations

import json

import pytest

from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManFault
from ansible_collections.wsman.automation.plugins.module_utils._module_args import secret_property_values
from ansible_collections.wsman.automation.plugins.module_utils._task_runner import TaskInputError

SECRET = 'TopSecret-RunAs-9'


def test_secret_property_values_picks_password_like_names():
    params = {'properties': {'RunAsPassword': SECRET, 'SharedSecret': 'x', 'Credential': 'y', 'Passphrase': 'z',
                             'RunAsUser': 'LAB01\\svc', 'Password': None, 'MaxTimeoutms': 60000}}
    assert secret_property_values(params) == {SECRET, 'x', 'y', 'z'}
    assert secret_property_values({}) == set()
    assert secret_property_values({'properties': 'not a dict'}) == set()


@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'apply'])
def test_run_as_password_is_masked_in_instance_and_diff(run_on_lab, check_mode):
    try:
        result = run_on_lab('wsman_instance', check_mode=check_mode, diff=True, resource_uri='winrm/config/service',
                            properties={'RunAsPassword': SECRET}, return_xml=True)
    except WSManFault as exc:  # the lab's configuration store refuses the property when it is applied
        assert SECRET not in str(exc) and SECRET not in json.dumps(exc.to_dict())
        assert not check_mode, 'check mode sends nothing, so it cannot fail on the service'
        return
    except TaskInputError as exc:  # refused before sending: winrm/config/service has no RunAsPassword (0x80338015)
        assert SECRET not in str(exc) and 'RunAsPassword' in str(exc)
        return
    text = json.dumps(result)
    assert SECRET not in text
    assert result['changed'] is True
    assert result['diff']['after']['RunAsPassword'] == '********'


@pytest.mark.parametrize('check_mode', [True, False], ids=['check', 'apply'])
def test_secret_is_masked_in_the_diff_of_a_create(run_on_lab, check_mode):
    """A Create shows the desired properties as 'after' (check mode: nothing is sent): a secret among them is masked.

    The listener does not exist, so wsman_instance would Create it; the lab's configuration store refuses the unknown
    setting when the Create is really sent, and then the fault must not carry the secret either.
    """
    uri = 'winrm/config/Listener?Address=IP:192.0.2.77+Transport=HTTP'
    try:
        result = run_on_lab('wsman_instance', check_mode=check_mode, diff=True, resource_uri=uri,
                            properties={'Enabled': 'true', 'Password': SECRET})
    except WSManFault as exc:
        assert not check_mode, 'check mode sends nothing, so it cannot fail on the service'
        assert SECRET not in str(exc) and SECRET not in json.dumps(exc.to_dict())
        return
    text = json.dumps(result)
    assert SECRET not in text
    assert result['changed'] is True
    assert result['diff']['before'] == {}
    assert result['diff']['after']['Password'] == '********'
    assert result['diff']['after']['Enabled'] == 'true'
