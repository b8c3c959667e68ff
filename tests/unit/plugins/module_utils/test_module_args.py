# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The argument specs of the wsman_* modules agree with their documentation, and session_from_params validates."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
import yaml

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wsman.automation.plugins.module_utils import _module_args as margs
from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManInvalidArgumentError
from ansible_collections.wsman.automation.plugins.module_utils._task_runner import error_result

COLLECTION_ROOT = Path(__file__).resolve().parents[4]
FRAGMENT_PREFIX = 'wsman.automation.'


def _fragment_doc(reference):
    name = reference[len(FRAGMENT_PREFIX):]
    module_name, _dot, variable = name.partition('.')
    fragment = importlib.import_module('ansible_collections.wsman.automation.plugins.doc_fragments.' + module_name)
    return yaml.safe_load(getattr(fragment.ModuleDocFragment, (variable or 'documentation').upper()))


def merged_options(module_name):
    """The options of a module's DOCUMENTATION merged with those of its doc fragments."""
    module = importlib.import_module('ansible_collections.wsman.automation.plugins.modules.' + module_name)
    doc = yaml.safe_load(module.DOCUMENTATION)
    options = dict(doc.get('options') or {})
    for reference in doc.get('extends_documentation_fragment', []):
        for name, option in (_fragment_doc(reference).get('options') or {}).items():
            assert name not in options, '%s documented twice for %s' % (name, module_name)
            options[name] = option
    return doc, options


@pytest.mark.parametrize('module_name', margs.MODULE_NAMES)
def test_documentation_matches_the_argument_spec(module_name):
    _doc, options = merged_options(module_name)
    spec = margs.ARGUMENT_SPECS[module_name]['argument_spec']
    assert sorted(options) == sorted(spec)
    for name, arg in spec.items():
        option = options[name]
        assert option.get('type', 'str') == arg.get('type', 'str'), name
        assert option.get('default') == arg.get('default'), name
        assert option.get('choices') == arg.get('choices'), name
        assert bool(option.get('required')) == bool(arg.get('required')), name
        assert (option.get('aliases') or []) == (arg.get('aliases') or []), name
        assert option.get('description'), name


@pytest.mark.parametrize('module_name', margs.MODULE_NAMES)
def test_every_module_takes_every_session_option(module_name):
    """module_defaults for group/wsman.automation.wsman may set any session option for every module."""
    spec = margs.ARGUMENT_SPECS[module_name]['argument_spec']
    assert set(margs.SESSION_ARGUMENT_SPEC) <= set(spec)
    assert set(margs.SESSION_IDENTITY_OPTIONS) | set(margs.SESSION_OPERATION_OPTIONS) == set(margs.SESSION_ARGUMENT_SPEC)


def test_secrets_are_no_log():
    spec = margs.SESSION_ARGUMENT_SPEC
    assert spec['password']['no_log'] is True
    assert spec['proxy_password']['no_log'] is True


def test_batch_items_default_is_100_not_the_library_20():
    from ansible_collections.wsman.automation.plugins.module_utils._session import DEFAULT_BATCH_ITEMS as LIBRARY_DEFAULT

    assert margs.SESSION_ARGUMENT_SPEC['batch_items']['default'] == 100
    assert LIBRARY_DEFAULT == 20


def test_action_group_lists_the_five_modules_and_the_fragment_says_so():
    runtime = yaml.safe_load((COLLECTION_ROOT / 'meta' / 'runtime.yml').read_text(encoding='utf-8'))
    assert sorted(runtime['action_groups']['wsman']) == sorted(margs.MODULE_NAMES)
    attributes = _fragment_doc('wsman.automation.attributes')['attributes']
    assert attributes['action_group']['membership'] == ['wsman.automation.wsman']
    for module_name in margs.MODULE_NAMES:
        doc, _options = merged_options(module_name)
        assert 'wsman.automation.attributes' in doc['extends_documentation_fragment']
        assert str(doc['version_added']) == '0.1.0'


@pytest.mark.parametrize('module_name', margs.MODULE_NAMES)
def test_modules_have_examples_for_both_modes_and_a_return_block(module_name):
    module = importlib.import_module('ansible_collections.wsman.automation.plugins.modules.' + module_name)
    examples = yaml.safe_load(module.EXAMPLES)
    assert any('delegate_to' in task for task in examples), 'an example with delegate_to: localhost'
    assert any('connection' not in (task.get(FRAGMENT_PREFIX + module_name) or {}) and 'delegate_to' not in task
               for task in examples if FRAGMENT_PREFIX + module_name in task), 'an example for the wsman connection'
    assert yaml.safe_load(module.RETURN)


def _validate(module_name, **args):
    return ArgumentSpecValidator(**margs.validator_kwargs(module_name)).validate(args)


def test_env_fallbacks(monkeypatch):
    monkeypatch.setenv('WSMAN_USERNAME', 'envuser')
    monkeypatch.setenv('WSMAN_PASSWORD', 'envpass')
    params = _validate('wsman_identify').validated_parameters
    assert params['username'] == 'envuser'
    assert params['password'] == 'envpass'


def test_rules_of_enumerate():
    assert _validate('wsman_enumerate', resource_uri='wmicimv2/*', dialect='wql').error_messages  # dialect needs filter
    assert _validate('wsman_enumerate', resource_uri='x', selectors={'a': 1}, filter='q').error_messages
    assert _validate('wsman_enumerate', resource_uri='x', dest='/tmp/x', return_xml=True).error_messages
    assert not _validate('wsman_enumerate', resource_uri='x', filter='q', dialect='wql').error_messages


def test_module_kwargs_are_copies():
    kwargs = margs.module_kwargs('wsman_get')
    kwargs['argument_spec']['resource_uri']['required'] = False
    assert margs.ARGUMENT_SPECS['wsman_get']['argument_spec']['resource_uri']['required'] is True
    assert 'supports_check_mode' not in margs.validator_kwargs('wsman_get')


def _params(**args):
    validation = _validate('wsman_identify', **args)
    assert not validation.error_messages
    return validation.validated_parameters


def test_session_from_params_builds_a_lazy_session():
    session = margs.session_from_params(_params(connection='https://server1.example.com:5986/wsman',
                                                flags='use_basic|cred_username_password', username='u', password='p'))
    try:
        assert session.endpoint == 'https://server1.example.com:5986/wsman'
        assert session.requests == 0
    finally:
        session.close()


@pytest.mark.parametrize('args, code, rule', [
    (dict(connection='http://h.example.com', flags='use_basic|use_negotiate'), 2150858925, 'R1'),
    (dict(connection='http://h.example.com', flags='use_basic'), 2150858928, 'R16'),
    (dict(connection='https://h.example.com', flags='no_encryption|use_basic|cred_username_password', username='u',
          password='Pw-9x!secret', allow_unencrypted=True), 2150858967, 'R23'),
    (dict(flags='cred_username_password', username='u', password='Pw-9x!secret'), 2150858936, 'R21'),
    (dict(connection='ftp://h.example.com'), 2150858970, None),
])
def test_session_from_params_rejects_bad_options_with_the_windows_code(args, code, rule):
    with pytest.raises(WSManInvalidArgumentError) as caught:
        margs.session_from_params(_params(**args))
    assert caught.value.code == code
    if rule:
        assert caught.value.rule == rule
    result = error_result(caught.value)
    assert result['wsman_error_kind'] == 'validation'
    assert result['wsman_error_code'] == code
    assert str(code) in result['msg'] and ('0x%08X' % code) in result['msg']
    assert 'Pw-9x!secret' not in json.dumps(result)


def test_unreadable_client_certificate_names_the_option(tmp_path):
    with pytest.raises(WSManInvalidArgumentError) as caught:
        margs.session_from_params(_params(connection='https://h.example.com', flags='use_client_certificate',
                                          client_cert=str(tmp_path / 'missing.pem')))
    assert caught.value.argument == 'client_cert'
    assert 'missing.pem' in str(caught.value)


def test_proxy_options_reach_set_proxy():
    with pytest.raises(WSManInvalidArgumentError) as caught:
        margs.session_from_params(_params(connection='https://h.example.com', flags='use_basic|cred_username_password',
                                          username='u', password='p', proxy_access_type='no_proxy',
                                          proxy='http://proxy.example.com:3128'))
    assert caught.value.code == 2150859165  # ERROR_WSMAN_INVALID_OPTION_NO_PROXY_SERVER, R30
