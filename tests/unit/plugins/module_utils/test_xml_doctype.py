# -*- coding: utf-8 -*-
# Copyright: Contributors to the wsman.automation collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The fast DOCTYPE finder of the hardened parser gives the same answer as the plain regex."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.wsman.automation.plugins.module_utils._xml import XMLParseError, _has_doctype, parse_xml

_REFERENCE = re.compile(br'<!DOCTYPE', re.IGNORECASE)


@pytest.mark.parametrize('data', [b'<!DOCTYPE x>', b'<!doctype x>', b'a<!DocType', b'!DOCTYPE', b'<!DOCTYP', b'<<!DOCTYPE',
                                  b'!<!DOCTYPE!', b'', b'!', b'<!', b'<!--!DOCTYPE-->', b'a!b<!DOCTYPEc', b'<x>Hi!</x>'])
def test_known_cases(data):
    assert _has_doctype(data) == bool(_REFERENCE.search(data))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b'<', b'!', b'D', b'd', b'OCTYPE', b'octype', b'x', b'<!', b'DOCTYPE']), max_size=12))
def test_same_answer_as_the_regex(parts):
    data = b''.join(parts)
    assert _has_doctype(data) == bool(_REFERENCE.search(data))


def test_a_doctype_after_exclamation_marks_in_text_is_still_refused():
    with pytest.raises(XMLParseError, match='DOCTYPE'):
        parse_xml(b'<?xml version="1.0"?><!-- hi! --><!DOCTYPE x [<!ENTITY e "boom">]><x>Wow!&e;</x>')
    assert parse_xml(b'<x>Wow! No doctype!</x>').text == 'Wow! No doctype!'
