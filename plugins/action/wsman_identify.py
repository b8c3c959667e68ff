# Copyright: (c) 2026, wsman.automation developers
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of wsman.automation.wsman_identify: WS-Management Identify, over the host's session or as a module."""

from __future__ import annotations

from ansible_collections.wsman.automation.plugins.plugin_utils._action_base import WSManActionBase


class ActionModule(WSManActionBase):
    _wsman_module = 'wsman_identify'
    _read_only = True
