# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Client-certificate authentication (R12) through the module options, against the lab's HTTPS listener.

The module options client_cert / client_key are paths; the library reads the files at the first
operation (they stand in for Windows' CertificateThumbprint).
"""

from __future__ import annotations

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._module_args import session_from_params, validator_kwargs
from ansible_collections.wsman.automation.plugins.module_utils._task_runner import run_task

from .conftest import lab_fixtures


@pytest.fixture(scope='module')
def cert_lab(tmp_path_factory):
    endpoint = lab_fixtures.start_lab(tmp_path_factory.mktemp('certlab'), certificate=True, cert_map='lab-client:labadmin',
                                      services=10)
    yield endpoint
    endpoint.stop()


def _params(**args):
    validation = ArgumentSpecValidator(**validator_kwargs('wsman_get')).validate(args)
    assert not validation.error_messages, validation.error_messages
    return validation.validated_parameters


def test_client_certificate_paths_authenticate_a_get(cert_lab):
    cert, key = cert_lab.client_cert('lab-client')
    params = _params(connection=cert_lab.https_url, flags='UseClientCertificate', client_cert=str(cert),
                     client_key=str(key), ca_file=cert_lab.ca_file, resource_uri='wmicimv2/Win32_Service',
                     selectors={'Name': 'WinRM'})
    session = session_from_params(params)
    try:
        result = run_task('wsman_get', params, session)
    finally:
        session.close()
    assert result['instance']['Name'] == 'WinRM'
    assert cert_lab.stats()['authentications'] == 1


def test_client_certificate_option_must_name_a_readable_file(tmp_path):
    params = _params(connection='https://server1.example.com', flags='UseClientCertificate',
                     client_cert=str(tmp_path / 'missing.pem'), resource_uri='wmicimv2/Win32_Service')
    with pytest.raises(WSManInvalidArgumentError) as caught:
        session_from_params(params)
    assert 'client_cert' in str(caught.value) and 'missing.pem' in str(caught.value)
