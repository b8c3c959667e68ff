# -*- coding: utf-8 -*-
# Copyright (c) wsman.automation contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The library calls the wsman_* modules make, in one place (FOR INTERNAL COLLECTION USE ONLY).

``_task_runner`` holds the logic of each module; this file turns module parameters into library
objects (a ResourceLocator) and reply elements into the dicts the task results carry. Replies are
taken as lxml elements (``Session.*_element``), so nothing is parsed twice; XML text is made only
when a task asks for ``return_xml``.

The library needs lxml; its import is guarded so that this file (and the argument specs of the
modules) can be imported where lxml is missing, and ``LIBRARY_IMPORT_ERROR`` tells why.
"""

from __future__ import annotations

from ansible_collections.wsman.automation.plugins.module_utils._flags import EnumerationFlag
from ansible_collections.wsman.automation.plugins.module_utils._instance_diff import config_section
from ansible_collections.wsman.automation.plugins.module_utils._namespaces import DIALECT_ALIASES as _DIALECTS, NS

try:
    from ansible_collections.wsman.automation.plugins.module_utils._cim import dict_to_instance, fragment_to_value, instance_to_dict as _instance_to_dict
    from ansible_collections.wsman.automation.plugins.module_utils._resource_locator import epr_element_to_dict, resolve_resource
    from ansible_collections.wsman.automation.plugins.module_utils._xml import to_text as _to_text, xml_text
    LIBRARY_IMPORT_ERROR = None
except ImportError as _exc:  # lxml missing: reported by the module through missing_required_lib
    LIBRARY_IMPORT_ERROR = _exc


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
_W_XML_FRAGMENT = '{%s}XmlFragment' % NS['w']
_WSMID = NS['wsmid']
_WSMID_RESPONSE = '{%s}IdentifyResponse' % _WSMID


def build_locator(params):
    """A ResourceLocator from resource_uri (aliases, ?selectors), selectors, option_set, must_understand, fragment.

    A selector value is a string, number or boolean, or an endpoint-reference dict for a reference
    key; an option value is a string, number, boolean or null. Anything else (a list, a null
    selector, nan) is refused by the ResourceLocator with an error naming ``selectors.<name>`` or
    ``option_set.<name>``: nothing is sent as ``"['x']"`` or ``""``.
    """
    locator = resolve_resource(params['resource_uri'])
    for name, value in (params.get('selectors') or {}).items():
        locator.add_selector(str(name), value)
    must_comply = bool(params.get('must_understand'))
    for name, value in (params.get('option_set') or {}).items():
        locator.add_option(str(name), value, must_comply)
    if must_comply:
        locator.must_understand_options = True
    if params.get('fragment'):
        locator.fragment_path = params['fragment']
    return locator


def is_config_resource(locator):
    """Whether the resource is part of the WinRM configuration (``winrm/config/...``)."""
    return config_section(locator.resource_uri)[0]


def to_text(element):
    """The XML text of a reply element (None stays None)."""
    return None if element is None else _to_text(element)


# --- operations (each returns the reply element) ------------------------------------------------

def identify(session):
    return session.identify_element()


def get(session, locator):
    return session.get_element(locator)


def delete(session, locator):
    session.delete(locator)


def put(session, locator, instance, current_element=None):
    """Put the full instance (a dict).

    The body is named like the instance the Get returned (its namespace and local name, e.g.
    ``cfg:Service`` for ``winrm/config/service``), not after the resource URI's last segment, whose
    case may differ; without a Get reply the library names it after the resource URI.
    """
    properties = properties_of(instance)
    if current_element is not None and isinstance(current_element.tag, str) and current_element.tag.startswith('{'):
        namespace, _sep, local = current_element.tag[1:].partition('}')
        return session.put_element(locator, dict_to_instance(namespace, local, properties))
    return session.put_element(locator, properties)


def create(session, locator, properties):
    return session.create_element(locator, properties_of(properties))


def invoke(session, action, locator, parameters):
    """Invoke; ``parameters`` (a dict, possibly empty) becomes ``<p:<Method>_INPUT>``."""
    xml_text(action, 'action', 'The action')
    return session.invoke_element(action, locator, dict(parameters))


def enumerate(session, locator, filter_value, dialect, flags):  # pylint: disable=redefined-builtin
    return session.enumerate(locator, filter_value, dialect, flags)


# --- replies -> dicts -------------------------------------------------------------------------------

def properties_of(instance):
    """The properties of an instance dict (keys that cannot be CIM property names left out)."""
    return dict((key, value) for key, value in instance.items() if ':' not in str(key) and not str(key).startswith('@'))


def instance_to_dict(element):
    """An instance (or method output) element as a dict."""
    if element is None:
        return {}
    return _instance_to_dict(element)


def fragment_value(element):
    """The reply of a fragment Get: a dict of the selected elements, or the text of a ``text()`` fragment."""
    if element is None:
        return {}
    if element.tag == _W_XML_FRAGMENT:
        return fragment_to_value(element)
    return _instance_to_dict(element)


def item_to_dict(element):
    """One enumeration item: an instance, an EPR dict, or ``{object, epr}`` (ReturnObjectAndEPR)."""
    return _instance_to_dict(element)


def epr_of(element):
    """The reply of a Create (``wxf:ResourceCreated``, an EPR) as an EPR dict; its text if it is no EPR."""
    if element is None:
        return None
    if element.tag in (_A_EPR, _A_REFPARAMS):
        return epr_element_to_dict(element)
    epr = epr_element_to_dict(element)
    if epr is not None:
        return epr
    return to_text(element)


def _child_text(element, local):
    found = element.find('{%s}%s' % (_WSMID, local))
    return None if found is None or found.text is None else found.text.strip()


def identity_to_dict(element):
    """The IdentifyResponse as ``{protocol_version, product_vendor, product_version[, security_profiles]}``."""
    response = element
    if element.tag != _WSMID_RESPONSE:
        response = next(element.iter(_WSMID_RESPONSE), element)
    identity = {
        'protocol_version': _child_text(response, 'ProtocolVersion'),
        'product_vendor': _child_text(response, 'ProductVendor'),
        'product_version': _child_text(response, 'ProductVersion'),
    }
    profiles = response.find('{%s}SecurityProfiles' % _WSMID)
    if profiles is not None:
        identity['security_profiles'] = [
            (child.text or '').strip() for child in profiles.iterchildren('{%s}SecurityProfileName' % _WSMID)]
    return identity
