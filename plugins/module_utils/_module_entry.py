# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""``main()`` of the wsman_* modules (FOR INTERNAL COLLECTION USE ONLY).

Used when a task runs the module itself, i.e. with any connection other than
``wsman.automation.wsman`` (``delegate_to: localhost``, ad-hoc commands): the session is built from
the module's own session options, used for this one task, and closed.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.wsman.automation.plugins.module_utils._module_args import module_kwargs, secret_property_values

try:
    import lxml  # pylint: disable=unused-import # noqa: F401
    LXML_IMPORT_ERROR = None
except ImportError:
    LXML_IMPORT_ERROR = traceback.format_exc()

try:
    import winrm  # pylint: disable=unused-import # noqa: F401
    WINRM_IMPORT_ERROR = None
except ImportError:
    WINRM_IMPORT_ERROR = traceback.format_exc()


def run_module(module_name):
    """Parse the arguments of ``module_name``, run it and exit with its result."""
    module = AnsibleModule(**module_kwargs(module_name))
    module.no_log_values.update(secret_property_values(module.params))

    if LXML_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib('lxml'), exception=LXML_IMPORT_ERROR)
    if WINRM_IMPORT_ERROR:
        module.fail_json(msg=missing_required_lib('pywinrm'), exception=WINRM_IMPORT_ERROR)

    # Imported here: they need lxml, and the checks above must be able to report its absence.
    from ansible_collections.wsman.automation.plugins.module_utils._errors import WSManError
    from ansible_collections.wsman.automation.plugins.module_utils._module_args import session_from_params
    from ansible_collections.wsman.automation.plugins.module_utils._task_runner import error_result, run_task

    try:
        session = session_from_params(module.params)
        try:
            result = run_task(module_name, module.params, session, check_mode=module.check_mode, diff=module._diff)
        finally:
            session.close()
    except WSManError as exc:
        module.fail_json(**error_result(exc, module.params))
    module.exit_json(**result)
