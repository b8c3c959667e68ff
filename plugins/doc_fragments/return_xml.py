# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations


class ModuleDocFragment:
    # The return_xml option of every wsman_* module. Kept side by side with
    # plugins/module_utils/_module_args.py RETURN_XML_ARGUMENT_SPEC.

    DOCUMENTATION = r"""
options:
  return_xml:
    description:
      - Also return the raw XML of the reply body (the instance, the items, the method output or the
        identity) as RV(xml), next to the parsed data.
    type: bool
    default: false
"""
