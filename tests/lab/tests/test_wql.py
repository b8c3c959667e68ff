"""The lab's WQL parser and evaluator (facts §7.2: http://schemas.microsoft.com/wbem/wsman/1/WQL)."""

import pytest

from wsman_envelopes import wql_module as wql

SCHEMA = {
    "name": ("Name", "string"),
    "state": ("State", "string"),
    "processid": ("ProcessId", "uint32"),
    "started": ("Started", "boolean"),
    "description": ("Description", "string"),
    "roles": ("Roles", "string[]"),
}
ROWS = [
    {"Name": "WinRM", "State": "Running", "ProcessId": 1200, "Started": True, "Description": "Remote management"},
    {"Name": "Spooler", "State": "Running", "ProcessId": 2300, "Started": True, "Description": None},
    {"Name": "W32Time", "State": "Stopped", "ProcessId": 0, "Started": False, "Description": "Time [sync] 100%"},
    {"Name": "wuauserv", "State": "Stopped", "ProcessId": 0, "Started": False, "Description": "Windows Update"},
]


def names(query):
    parsed = wql.parse(query)
    predicate = wql.compile_where(parsed.where, SCHEMA)
    return [row["Name"] for row in ROWS if predicate(row.get)]


def test_select_star_and_property_list():
    assert wql.parse("SELECT * FROM Win32_Service").properties is None
    parsed = wql.parse("select Name, State from win32_service")
    assert parsed.properties == ["Name", "State"]
    assert parsed.class_name == "win32_service"
    assert parsed.where is None


@pytest.mark.parametrize("query, expected", [
    ("SELECT * FROM C WHERE State = 'Running'", ["WinRM", "Spooler"]),
    ("select * from c where state='running'", ["WinRM", "Spooler"]),  # keywords, names and strings ignore case
    ("SELECT * FROM C WHERE STATE <> 'Running'", ["W32Time", "wuauserv"]),
    ("SELECT * FROM C WHERE State != 'Running'", ["W32Time", "wuauserv"]),
    ("SELECT * FROM C WHERE ProcessId > 1200", ["Spooler"]),
    ("SELECT * FROM C WHERE ProcessId >= 1200", ["WinRM", "Spooler"]),
    ("SELECT * FROM C WHERE ProcessId < 1200", ["W32Time", "wuauserv"]),
    ("SELECT * FROM C WHERE ProcessId <= 0", ["W32Time", "wuauserv"]),
    ("SELECT * FROM C WHERE 1200 < ProcessId", ["Spooler"]),  # constant on the left
    ("SELECT * FROM C WHERE Started = TRUE", ["WinRM", "Spooler"]),
    ("SELECT * FROM C WHERE Started = false", ["W32Time", "wuauserv"]),
    ("SELECT * FROM C WHERE Name LIKE 'w%'", ["WinRM", "W32Time", "wuauserv"]),
    ("SELECT * FROM C WHERE Name LIKE '_inRM'", ["WinRM"]),
    ("SELECT * FROM C WHERE Name LIKE '[ws]%'", ["WinRM", "Spooler", "W32Time", "wuauserv"]),
    ("SELECT * FROM C WHERE Name LIKE '[^w]%'", ["Spooler"]),
    ("SELECT * FROM C WHERE Name LIKE 'W[0-9]%'", ["W32Time"]),
    ("SELECT * FROM C WHERE Description LIKE '%[[]sync]%'", ["W32Time"]),
    ("SELECT * FROM C WHERE Name NOT LIKE 'w%'", ["Spooler"]),
    ("SELECT * FROM C WHERE Description IS NULL", ["Spooler"]),
    ("SELECT * FROM C WHERE Description IS NOT NULL", ["WinRM", "W32Time", "wuauserv"]),
    ("SELECT * FROM C WHERE Description = NULL", ["Spooler"]),
    ("SELECT * FROM C WHERE Description <> 'Windows Update'", ["WinRM", "W32Time"]),  # NULL never compares
    ("SELECT * FROM C WHERE State = 'Stopped' AND Name = 'W32Time'", ["W32Time"]),
    ("SELECT * FROM C WHERE Name = 'WinRM' OR Name = \"Spooler\"", ["WinRM", "Spooler"]),
    ("SELECT * FROM C WHERE NOT State = 'Running'", ["W32Time", "wuauserv"]),
    ("SELECT * FROM C WHERE NOT (State = 'Running' OR Name = 'W32Time')", ["wuauserv"]),
    ("SELECT * FROM C WHERE Name = 'a' OR Name = 'WinRM' AND State = 'Stopped'", []),  # AND binds tighter
    ("SELECT * FROM C WHERE (Name = 'WinRM' OR Name = 'W32Time') AND State = 'Stopped'", ["W32Time"]),
    ("SELECT * FROM C WHERE Description = 'Time [sync] 100%'", ["W32Time"]),
    ("SELECT * FROM C WHERE Name = 'it\\'s'", []),
])
def test_where_semantics(query, expected):
    assert names(query) == expected


@pytest.mark.parametrize("query, fragment", [
    ("", "empty"),
    ("SELECT", "expected a property name or *"),
    ("SELECT * Win32_Service", "expected FROM"),
    ("SELECT * FROM", "expected a class name"),
    ("SELECT * FROM C WHERE", "expected a property name or a constant"),
    ("SELECT * FROM C WHERE Name = ", "expected a property name or a constant"),
    ("SELECT * FROM C WHERE Name 'x'", "expected a comparison operator"),
    ("SELECT * FROM C WHERE (Name = 'x'", "expected )"),
    ("SELECT * FROM C WHERE Name = 'x' extra", "after the end"),
    ("SELECT * FROM C WHERE Name = 'unterminated", "unexpected character"),
    ("SELECT * FROM C WHERE Name = State", "one property and one constant"),
    ("SELECT * FROM C WHERE Name LIKE 5", "string pattern"),
    ("SELECT * FROM C WHERE Name IS 'x'", "expected NULL"),
    ("DELETE FROM C", "expected SELECT"),
])
def test_syntax_errors_name_the_problem(query, fragment):
    with pytest.raises(wql.WQLError) as info:
        names(query)
    assert fragment in info.value.message
    assert info.value.hresult == 0x80041017


@pytest.mark.parametrize("query, fragment, hresult", [
    ("SELECT * FROM C WHERE Nope = 1", "no property Nope", 0x80041017),
    ("SELECT * FROM C WHERE Roles = 'x'", "cannot be used in a WHERE clause", 0x80041017),
    ("SELECT * FROM C WHERE ProcessId = 'abc'", "type mismatch", 0x80041005),
    ("SELECT * FROM C WHERE Started = 'maybe'", "type mismatch", 0x80041005),
    ("SELECT * FROM C WHERE ProcessId LIKE '1%'", "LIKE needs a string property", 0x80041017),
    ("SELECT * FROM C WHERE Name > NULL", "NULL can only be compared", 0x80041017),
])
def test_semantic_errors(query, fragment, hresult):
    with pytest.raises(wql.WQLError) as info:
        names(query)
    assert fragment in info.value.message
    assert info.value.hresult == hresult


def test_numeric_string_constants_convert_for_numeric_properties():
    assert names("SELECT * FROM C WHERE ProcessId = '2300'") == ["Spooler"]


def test_like_regex_escapes_regex_metacharacters():
    assert wql.like_regex("a.b").fullmatch("a.b")
    assert not wql.like_regex("a.b").fullmatch("axb")
    assert wql.like_regex("C:\\Win%").fullmatch("c:\\windows")
