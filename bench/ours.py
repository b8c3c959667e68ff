"""The wsman.automation side of the enumeration benchmark: Session.enumerate into dicts."""

from ansible_collections.wsman.automation.plugins.module_utils.wsman import (
    ConnectionOptions,
    WSMan,
    instance_to_dict,
)


def open_session(url, username, password, batch_items, max_envelope_size):
    options = ConnectionOptions(username=username, password=password)
    session = WSMan().create_session(url, "UseNegotiate|CredUsernamePassword", options)
    session.batch_items = batch_items
    session.max_envelope_size = max_envelope_size
    return session


def enumerate_all(url, username, password, resource_uri, batch_items, max_envelope_size=153600):
    """Enumerate every instance of resource_uri; return the list of dicts."""
    session = open_session(url, username, password, batch_items, max_envelope_size)
    with session:
        with session.enumerate(resource_uri) as enumerator:
            return [instance_to_dict(element) for element in enumerator.iter_elements()]


def enumerate_elements(url, username, password, resource_uri, batch_items, max_envelope_size=153600):
    """The same enumeration without the conversion to dicts (a diagnostic: the transport+parse floor)."""
    session = open_session(url, username, password, batch_items, max_envelope_size)
    with session:
        with session.enumerate(resource_uri) as enumerator:
            return sum(1 for dummy in enumerator.iter_elements())
