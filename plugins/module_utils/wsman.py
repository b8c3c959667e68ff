# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The public import surface of the WS-Management library (see docs/developer/interfaces.md).

    from ansible_collections.wsman.automation.plugins.module_utils.wsman import WSMan, SessionFlag

    session = WSMan().create_session('https://server1.example.com', 'UseNegotiate|CredUsernamePassword', options)
"""

from __future__ import annotations

from ._client_config import ClientConfig
from ._connection_options import ConnectionOptions
from ._connection_string import Endpoint, parse_connection
from ._errors import (
    ERROR_CODES,
    WSManAuthenticationError,
    WSManError,
    WSManFault,
    WSManInvalidArgumentError,
    WSManProtocolError,
    WSManTransportError,
    error_name,
)
from ._flags import EnumerationFlag, ProxyAccessType, ProxyAuthentication, SessionFlag, parse_flags
from ._wsman import WSMan

__all__ = [
    'WSMan',
    'ClientConfig',
    'ConnectionOptions',
    'SessionFlag',
    'EnumerationFlag',
    'ProxyAccessType',
    'ProxyAuthentication',
    'parse_flags',
    'parse_connection',
    'Endpoint',
    'WSManError',
    'WSManInvalidArgumentError',
    'WSManTransportError',
    'WSManAuthenticationError',
    'WSManProtocolError',
    'WSManFault',
    'ERROR_CODES',
    'error_name',
]
