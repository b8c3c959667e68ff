# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fixtures for the wsman_* module tests: the real lab endpoint and a way to run a module task on it.

The lab (tests/lab/wsman_lab.py) is started as a subprocess on free loopback ports by the helper of
tests/lab/tests/conftest.py, loaded here by path (it is not a package).
"""

from __future__ import annotations

import json

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wsman.automation.plugins.module_utils._module_args import session_from_params, validator_kwargs
from ansible_collections.wsman.automation.plugins.module_utils._task_runner import run_task
from ansible_collections.wsman.automation.tests.unit.lab_endpoint import lab_fixtures


# A password only this test suite uses, so that a leak is unambiguous in any output.
LAB_PASSWORD = 'Lab-Pa55word!x7'


@pytest.fixture(scope='module')
def lab_endpoint(tmp_path_factory):
    """One lab per test module: Basic over HTTP allowed (AllowUnencrypted), 30 services, our password."""
    endpoint = lab_fixtures.start_lab(tmp_path_factory.mktemp('lab'), basic=True, allow_unencrypted=True, https=False,
                                      services=30, users={'labadmin': LAB_PASSWORD})
    yield endpoint
    endpoint.stop()


def lab_params(endpoint, module_name, **params):
    """Validated parameters of ``module_name`` for a Basic session to the lab, plus ``params``."""
    args = dict(connection=endpoint.http_url, flags='use_basic|cred_username_password|no_encryption',
                username=endpoint.username, password=endpoint.password, allow_unencrypted=True)
    args.update(params)
    validation = ArgumentSpecValidator(**validator_kwargs(module_name)).validate(args)
    assert not validation.error_messages, validation.error_messages
    return validation.validated_parameters


@pytest.fixture
def run_on_lab(lab_endpoint):
    """``run_on_lab(module_name, check_mode=False, diff=False, **params) -> result`` with a fresh session."""

    def run(module_name, check_mode=False, diff=False, **params):
        validated = lab_params(lab_endpoint, module_name, **params)
        session = session_from_params(validated)
        try:
            return run_task(module_name, validated, session, check_mode=check_mode, diff=diff)
        finally:
            session.close()

    return run


@pytest.fixture
def validated_params(lab_endpoint):
    """``validated_params(module_name, **params)``: what ``run_on_lab`` validates, for tests that drive run_task themselves."""
    return lambda module_name, **params: lab_params(lab_endpoint, module_name, **params)


@pytest.fixture
def assert_no_secret():
    """``assert_no_secret(data)``: the lab password occurs nowhere in ``data`` (a result, a message, ...)."""

    def check(data, secret=LAB_PASSWORD):
        text = data if isinstance(data, str) else json.dumps(data, default=repr)
        assert secret not in text

    return check
