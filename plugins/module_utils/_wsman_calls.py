# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The library calls the wsman_* modules make, in one place (FOR INTERNAL COLLECTION USE ONLY).

``_task_runner`` holds the logic of each module; this file turns module parameters into
library objects (a ResourceLocator, Put/Create/Invoke bodies) and library replies (XML text)
into the dicts the task results carry.
"""

from __future__ import annotations

from ansible_collections.wsman.automation.plugins.module_utils._cim import dict_to_instance, instance_to_dict as _instance_to_dict
from ansible_collections.wsman.automation.plugins.module_utils._flags import EnumerationFlag
from ansible_collections.wsman.automation.plugins.module_utils._namespaces import DIALECT_ALIASES as _DIALECTS, NS
from ansible_collections.wsman.automation.plugins.module_utils._resource_locator import epr_element_to_dict, resolve_resource
from ansible_collections.wsman.automation.plugins.module_utils._xml import parse_xml, to_text


DIALECT_ALIASES = dict(_DIALECTS)

RETURN_TYPE_FLAGS = {
    'object': int(EnumerationFlag.RETURN_OBJECT),
    'epr': int(EnumerationFlag.RETURN_EPR),
    'object_and_epr': int(EnumerationFlag.RETURN_OBJECT_AND_EPR),
}
HIERARCHY_FLAGS = {
    'deep': int(EnumerationFlag.HIERARCHY_DEEP),
    'shallow': int(EnumerationFlag.HIERARCHY_SHALLOW),
    'base_properties_only': int(EnumerationFlag.HIERARCHY_DEEP_BASE_PROPS_ONLY),
}
ASSOCIATION_INSTANCE_FLAG = int(EnumerationFlag.ASSOCIATION_INSTANCE)

_A_EPR = '{%s}EndpointReference' % NS['a']
_A_REFPARAMS = '{%s}ReferenceParameters' % NS['a']
_W_ITEM = '{%s}Item' % NS['w']
_WSMID_RESPONSE = '{%s}IdentifyResponse' % NS['wsmid']


def _text(value):
    if isinstance(value, bool):
        return 'true' if value else 'false'
    if isinstance(value, (dict, list)):
        return value
    return '' if value is None else str(value)


def build_locator(params):
    """A ResourceLocator from resource_uri (aliases, ?selectors), selectors, option_set, must_understand, fragment."""
    locator = resolve_resource(params['resource_uri'])
    for name, value in (params.get('selectors') or {}).items():
        locator.add_selector(str(name), value if isinstance(value, dict) else _text(value))
    must_comply = bool(params.get('must_understand'))
    for name, value in (params.get('option_set') or {}).items():
        locator.add_option(str(name), value, must_comply)
    if must_comply:
        locator.must_understand_options = True
    if params.get('fragment'):
        locator.fragment_path = params['fragment']
    return locator


def class_name_of(resource_uri):
    """The class name a Put/Create/Invoke body is named after: the last path segment of the URI."""
    path = resource_uri.split('?', 1)[0].rstrip('/')
    return path.rsplit('/', 1)[-1]


# --- operations -----------------------------------------------------------------------------------

def identify(session):
    return session.identify()


def get(session, locator):
    return session.get(locator)


def delete(session, locator):
    return session.delete(locator)


def put(session, locator, resource_uri, current_xml, instance):
    body = dict_to_instance(locator.resource_uri, class_name_of(locator.resource_uri), _properties(instance))
    return session.put(locator, body)


def create(session, locator, resource_uri, properties):
    body = dict_to_instance(locator.resource_uri, class_name_of(locator.resource_uri), _properties(properties))
    return session.create(locator, body)


def invoke(session, action, locator, parameters, resource_uri):
    method = action.rstrip('/').rsplit('/', 1)[-1]
    body = dict_to_instance(locator.resource_uri, method + '_INPUT', _properties(parameters))
    return session.invoke(action, locator, body)


def enumerate(session, locator, filter_value, dialect, flags):  # pylint: disable=redefined-builtin
    return session.enumerate(locator, filter_value, dialect, flags)


def iter_items(enumerator):
    """Yield the XML text of each item; Pulls happen as the local batch runs out."""
    while not enumerator.at_end_of_stream:
        yield enumerator.read_item()


def close_enumerator(enumerator):
    """Release the server's enumeration context if it is still open (idempotent)."""
    enumerator.close()


# --- replies -> dicts -------------------------------------------------------------------------------

def _properties(instance):
    return dict((key, value) for key, value in instance.items() if not str(key).startswith('@'))


def instance_to_dict(xml):
    return _instance_to_dict(xml)


def item_to_dict(xml, return_type):
    """One enumeration item as a dict: an instance, an EPR, or ``{object, epr}``."""
    if return_type == 'object':
        return _instance_to_dict(xml)
    root = parse_xml(xml, 'the enumeration item')
    if return_type == 'epr' or root.tag in (_A_EPR, _A_REFPARAMS):
        return epr_element_to_dict(root)
    epr = None
    obj = None
    container = root if root.tag == _W_ITEM else None
    children = [child for child in container if isinstance(child.tag, str)] if container is not None else [root]
    for child in children:
        if child.tag == _A_EPR:
            epr = epr_element_to_dict(child)
        elif obj is None:
            obj = _instance_to_dict(child)
    return {'object': obj, 'epr': epr}


def epr_or_text(xml):
    """The reply of a Create: an EPR dict when it is one (Windows returns the EPR), else the text."""
    if not xml:
        return None
    try:
        root = parse_xml(xml, 'the Create reply')
    except ValueError:
        return xml if isinstance(xml, str) else None
    for element in root.iter(_A_EPR, _A_REFPARAMS):
        return epr_element_to_dict(element)
    if root.tag == _A_EPR:
        return epr_element_to_dict(root)
    return to_text(root)


def _child_text(element, local):
    found = element.find('{%s}%s' % (NS['wsmid'], local))
    return None if found is None or found.text is None else found.text.strip()


def identity_to_dict(xml):
    """The IdentifyResponse as ``{protocol_version, product_vendor, product_version[, security_profiles]}``."""
    root = parse_xml(xml, 'the Identify reply')
    response = root if root.tag == _WSMID_RESPONSE else next(root.iter(_WSMID_RESPONSE), None)
    if response is None:
        response = root
    identity = {
        'protocol_version': _child_text(response, 'ProtocolVersion'),
        'product_vendor': _child_text(response, 'ProductVendor'),
        'product_version': _child_text(response, 'ProductVersion'),
    }
    profiles = response.find('{%s}SecurityProfiles' % NS['wsmid'])
    if profiles is not None:
        identity['security_profiles'] = [(child.text or '').strip() for child in profiles.iterchildren(tag='{%s}SecurityProfileName' % NS['wsmid'])]
    return identity
