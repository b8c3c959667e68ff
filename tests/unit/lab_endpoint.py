# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab endpoint's start-up helpers (tests/lab/tests/conftest.py) for the unit tests.

That file is not part of a package, so it is loaded once here by path; unit tests import
``start_lab`` (and the module itself as ``lab_fixtures``) from this module.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

_LAB_CONFTEST = Path(__file__).resolve().parents[1] / 'lab' / 'tests' / 'conftest.py'
_spec = importlib.util.spec_from_file_location('wsman_lab_fixtures', str(_LAB_CONFTEST))
lab_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lab_fixtures)

start_lab = lab_fixtures.start_lab
