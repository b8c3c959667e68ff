# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""wsman_enumerate with dest holds one batch at a time: its memory does not grow with the number of items.

Measured with tracemalloc (allocation sizes, not time), against a lab with many services.
"""

from __future__ import annotations

import json
import tracemalloc

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wsman.automation.plugins.module_utils._module_args import session_from_params, validator_kwargs
from ansible_collections.wsman.automation.plugins.module_utils._task_runner import run_task

from .conftest import lab_fixtures  # pylint: disable=relative-beyond-top-level


@pytest.fixture(scope='module')
def big_lab(tmp_path_factory):
    endpoint = lab_fixtures.start_lab(tmp_path_factory.mktemp('biglab'), basic=True, allow_unencrypted=True, https=False,
                                      services=1500)
    yield endpoint
    endpoint.stop()


def _peak(endpoint, **args):
    params = dict(connection=endpoint.http_url, flags='use_basic|cred_username_password|no_encryption', allow_unencrypted=True,
                  username=endpoint.username, password=endpoint.password, resource_uri='wmicimv2/Win32_Service', batch_items=25)
    params.update(args)
    validation = ArgumentSpecValidator(**validator_kwargs('wsman_enumerate')).validate(params)
    assert not validation.error_messages
    session = session_from_params(validation.validated_parameters)
    try:
        tracemalloc.start()
        try:
            result = run_task('wsman_enumerate', validation.validated_parameters, session)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    finally:
        session.close()
    return result, peak


def test_dest_memory_is_bounded_by_the_batch_not_the_total(big_lab, tmp_path):
    dest = tmp_path / 'services.jsonl'
    _peak(big_lab, max_items=1)  # first use imports and caches; not part of what is compared
    streamed, streamed_peak = _peak(big_lab, dest=str(dest))
    returned, returned_peak = _peak(big_lab)
    assert streamed['count'] == returned['count'] >= 1500
    assert sum(1 for _line in dest.open(encoding='utf-8')) == streamed['count']
    assert json.loads(dest.open(encoding='utf-8').readline()) == returned['items'][0]
    # Returning 1500 instances keeps them all; streaming keeps one batch of 25.
    assert streamed_peak * 5 < returned_peak, (streamed_peak, returned_peak)
