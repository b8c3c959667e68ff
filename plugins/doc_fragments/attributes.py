# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # Attributes shared by the wsman_* modules. The action_group membership must match
    # meta/runtime.yml action_groups.wsman.

    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  action_group:
    description: Use C(group/wsman.automation.wsman) in C(module_defaults) to set defaults for this module.
    support: full
    membership:
      - wsman.automation.wsman
"""

    READ_ONLY = r"""
options: {}
attributes:
  check_mode:
    support: full
    details:
      - This module does not change the target; it runs normally in check mode.
  diff_mode:
    support: N/A
    details:
      - This module does not change the target.
"""
