# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The EXAMPLES of the wsman_* modules do what they say: each one runs against the lab endpoint as written.

The session options of an example (server1.example.com, a vault password) are replaced by the lab's; everything that
chooses the resource and the operation is taken as the example writes it.
"""

from __future__ import annotations

import importlib
import re

import pytest
import yaml

from ansible_collections.wsman.automation.plugins.module_utils._module_args import SESSION_ARGUMENT_SPEC

MODULES = ('wsman_identify', 'wsman_get', 'wsman_enumerate', 'wsman_invoke', 'wsman_instance')
PREFIX = 'wsman.automation.'


def _examples(module_name):
    return importlib.import_module('ansible_collections.wsman.automation.plugins.modules.%s' % module_name).EXAMPLES


def _tasks(module_name):
    """(name, module, args with the module_defaults of an enclosing block) of every wsman_* task in EXAMPLES."""
    found = []

    def walk(tasks, defaults):
        for task in tasks:
            block_defaults = dict(defaults)
            block_defaults.update((task.get('module_defaults') or {}).get('group/wsman.automation.wsman') or {})
            if 'block' in task:
                walk(task['block'], block_defaults)
                continue
            for key, args in task.items():
                if key.startswith(PREFIX):
                    found.append((task['name'], key[len(PREFIX):], dict(block_defaults, **(args or {}))))

    walk(yaml.safe_load(_examples(module_name)), {})
    return found


def _lab_args(args):
    """The example's options without its session options and without templated values (the lab supplies those)."""
    return dict((name, value) for name, value in args.items()
                if name not in SESSION_ARGUMENT_SPEC and '{{' not in repr(value))


def _all_tasks():
    return [(module_name,) + task for module_name in MODULES for task in _tasks(module_name)]


def _ids(cases):
    return ['%s: %s' % (case[0], case[1]) for case in cases]


def test_every_module_has_examples():
    assert set(module for module, _name, _task_module, _args in _all_tasks()) == set(MODULES)


HTTPS_CASES = [case for case in _all_tasks() if str(case[3].get('connection', '')).startswith('https://')]


@pytest.mark.parametrize('module_name, name, task_module, args', HTTPS_CASES, ids=_ids(HTTPS_CASES))
def test_https_examples_from_the_controller_give_the_ca_file(module_name, name, task_module, args):
    # against a private CA an HTTPS session without ca_file fails with ERROR_WSMAN_SSL_CONNECTION_ABORTED (0x803381BA)
    assert args.get('ca_file'), '%s: %s connects over HTTPS without ca_file' % (module_name, name)


@pytest.mark.parametrize('module_name', MODULES)
def test_ad_hoc_https_examples_name_the_winrm_port_and_the_ca_file(module_name):
    # an https:// connection string without a port means 443 (facts section 1.3, Defaults), not the 5986 of WinRM
    text = _examples(module_name)
    for match in re.finditer(r'connection=(https://\S+)', text):
        assert re.match(r'https://[^/]+:5986/wsman$', match.group(1)), match.group(1)
        line_end = text.index("'\n", match.end())
        assert 'ca_file=' in text[match.start():line_end]
    assert HTTPS_CASES  # the walk above found the HTTPS tasks at all


READ_CASES = [case for case in _all_tasks() if case[2] in ('wsman_identify', 'wsman_get', 'wsman_enumerate')]


@pytest.mark.parametrize('module_name, name, task_module, args', READ_CASES, ids=_ids(READ_CASES))
def test_read_examples_run_against_the_lab(run_on_lab, tmp_path, module_name, name, task_module, args):
    # wsman_get of a non-singleton class without its key selectors would fail with 0x803380FA (facts sections 5.1 and 9.2)
    lab_args = _lab_args(args)
    if 'dest' in args:
        lab_args['dest'] = str(tmp_path / 'items.jsonl')
    result = run_on_lab(task_module, **lab_args)
    if task_module == 'wsman_get':
        assert result['instance'] or result.get('value')
    if task_module == 'wsman_enumerate':
        assert result['count'] > 0


def test_get_examples_fragment_results_are_what_the_comments_say(run_on_lab):
    by_name = dict((name, args) for name, _module, args in _tasks('wsman_get'))
    state = run_on_lab('wsman_get', **_lab_args(by_name['Read one property through a fragment path']))
    assert state['instance'] == {'State': 'Running'}
    text = run_on_lab('wsman_get', **_lab_args(by_name['Read the text of one property (a fragment ending in text())']))
    assert text['value'] == 'Running'


INVOKE_CASES = [case for case in _all_tasks() if case[2] == 'wsman_invoke']


@pytest.mark.parametrize('module_name, name, task_module, args', INVOKE_CASES, ids=_ids(INVOKE_CASES))
def test_invoke_examples_run_against_the_lab(run_on_lab, module_name, name, task_module, args):
    result = run_on_lab('wsman_invoke', **_lab_args(args))
    assert result['output']['ReturnValue'] in ('0', '5')


INSTANCE_CASES = [case for case in _all_tasks() if case[2] == 'wsman_instance']


@pytest.mark.parametrize('module_name, name, task_module, args', INSTANCE_CASES, ids=_ids(INSTANCE_CASES))
def test_instance_examples_run_against_the_lab(run_on_lab, module_name, name, task_module, args):
    lab_args = _lab_args(args)
    checked = run_on_lab('wsman_instance', check_mode=True, **lab_args)
    if 'listener' in lab_args['resource_uri'].lower():
        return  # creating and deleting listeners is left to the instance tests (certificate thumbprints)
    # the WinRM configuration refuses a setting of another node (MaxTimeoutms is in winrm/config, not in
    # winrm/config/service) only in the Put, so the example runs for real
    result = run_on_lab('wsman_instance', **lab_args)
    assert set(lab_args.get('properties') or {}) <= set(result['instance'])
    assert checked['changed'] is result['changed']
