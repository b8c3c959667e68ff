# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
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
from ._cim import dict_to_instance, instance_to_dict
from ._enumerator import Enumerator
from ._namespaces import (
    ACTION_CREATE,
    ACTION_DELETE,
    ACTION_ENUMERATE,
    ACTION_GET,
    ACTION_PULL,
    ACTION_PUT,
    ACTION_RELEASE,
    DIALECT_ASSOCIATION,
    DIALECT_SELECTOR,
    DIALECT_WQL,
    FRAGMENT_DIALECT_XPATH,
    NS,
    URI_ALIASES,
)
from ._resource_locator import ResourceLocator, resolve_resource
from ._session import Session
from ._transport import Transport, TransportResponse

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
    'Session',
    'Transport',
    'TransportResponse',
    'Enumerator',
    'ResourceLocator',
    'resolve_resource',
    'instance_to_dict',
    'dict_to_instance',
    'NS',
    'URI_ALIASES',
    'DIALECT_WQL',
    'DIALECT_SELECTOR',
    'DIALECT_ASSOCIATION',
    'FRAGMENT_DIALECT_XPATH',
    'ACTION_GET',
    'ACTION_PUT',
    'ACTION_CREATE',
    'ACTION_DELETE',
    'ACTION_ENUMERATE',
    'ACTION_PULL',
    'ACTION_RELEASE',
]
