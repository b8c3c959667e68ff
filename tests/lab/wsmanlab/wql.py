"""The WQL dialect of the lab (http://schemas.microsoft.com/wbem/wsman/1/WQL).

Supported, as WMI does: ``SELECT * | prop[, prop…] FROM Class [WHERE condition]`` with
``= <> != < > <= >=``, ``LIKE`` (``%`` ``_`` ``[abc]`` ``[a-z]`` ``[^a]``), ``IS [NOT] NULL``,
``AND``, ``OR``, ``NOT``, parentheses, string ('…' or "…", backslash escapes), number,
``TRUE``/``FALSE``/``NULL`` literals.  Keywords, class and property names are
case-insensitive, and so are string comparisons (WMI compares strings without case).
A comparison with a property whose value is NULL is false, except ``IS NULL``.
"""

import re

KEYWORDS = frozenset(["SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "LIKE", "IS", "NULL", "TRUE", "FALSE"])
COMPARISONS = frozenset(["=", "<>", "!=", "<", ">", "<=", ">="])
NUMERIC_TYPES = frozenset(["uint8", "uint16", "uint32", "uint64", "sint8", "sint16", "sint32", "sint64", "real32", "real64"])

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
      | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<string>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")
      | (?P<op><>|!=|<=|>=|=|<|>)
      | (?P<punct>[(),*])
    )""",
    re.VERBOSE | re.DOTALL,
)


class WQLError(Exception):
    """An invalid query (WMI: WBEM_E_INVALID_QUERY 0x80041017) or class (WBEM_E_INVALID_CLASS 0x80041010)."""

    def __init__(self, message, hresult=0x80041017):
        super().__init__(message)
        self.message = message
        self.hresult = hresult


class Query:
    """A parsed SELECT statement: ``properties`` (None for ``*``), ``class_name``, ``where`` (tree or None)."""

    def __init__(self, properties, class_name, where):
        self.properties = properties
        self.class_name = class_name
        self.where = where


def tokenize(text):
    """List of (kind, value) tokens; kind is number, ident, keyword, string, op or punct."""
    tokens = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match or match.end() == position:
            raise WQLError("Invalid query: unexpected character %r at position %d." % (text[position:].strip()[:1], position))
        position = match.end()
        kind = match.lastgroup
        value = match.group(kind)
        if kind == "ident" and value.upper() in KEYWORDS:
            tokens.append(("keyword", value.upper()))
        elif kind == "string":
            tokens.append(("string", re.sub(r"\\(.)", r"\1", value[1:-1], flags=re.DOTALL)))
        elif kind == "number":
            tokens.append(("number", float(value) if any(c in value for c in ".eE") else int(value)))
        else:
            tokens.append((kind, value))
    return tokens


class _Parser:
    def __init__(self, text):
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self):
        return self.tokens[self.index] if self.index < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.index += 1
        return token

    def accept(self, kind, value=None):
        token = self.peek()
        if token[0] == kind and (value is None or token[1] == value):
            self.index += 1
            return token
        return None

    def expect(self, kind, value=None, what=None):
        token = self.accept(kind, value)
        if token is None:
            found = self.peek()[1]
            raise WQLError("Invalid query: expected %s but found %s." % (
                what or value or kind, "the end of the query" if found is None else repr(found)))
        return token

    def query(self):
        self.expect("keyword", "SELECT")
        if self.accept("punct", "*"):
            properties = None
        else:
            properties = [self.expect("ident", what="a property name or *")[1]]
            while self.accept("punct", ","):
                properties.append(self.expect("ident", what="a property name")[1])
        self.expect("keyword", "FROM")
        class_name = self.expect("ident", what="a class name")[1]
        where = None
        if self.accept("keyword", "WHERE"):
            where = self.disjunction()
        if self.peek()[0] is not None:
            raise WQLError("Invalid query: unexpected %r after the end of the statement." % (self.peek()[1],))
        return Query(properties, class_name, where)

    def disjunction(self):
        node = self.conjunction()
        while self.accept("keyword", "OR"):
            node = ("or", node, self.conjunction())
        return node

    def conjunction(self):
        node = self.negation()
        while self.accept("keyword", "AND"):
            node = ("and", node, self.negation())
        return node

    def negation(self):
        if self.accept("keyword", "NOT"):
            return ("not", self.negation())
        if self.accept("punct", "("):
            node = self.disjunction()
            self.expect("punct", ")")
            return node
        return self.comparison()

    def operand(self):
        kind, value = self.take()
        if kind == "ident":
            return ("prop", value)
        if kind in ("string", "number"):
            return ("lit", value)
        if kind == "keyword" and value in ("TRUE", "FALSE"):
            return ("lit", value == "TRUE")
        if kind == "keyword" and value == "NULL":
            return ("lit", None)
        raise WQLError("Invalid query: expected a property name or a constant but found %s." % (
            "the end of the query" if kind is None else repr(value)))

    def comparison(self):
        left = self.operand()
        if left[0] == "prop" and self.accept("keyword", "IS"):
            negate = bool(self.accept("keyword", "NOT"))
            self.expect("keyword", "NULL")
            return ("isnull", left[1], negate)
        negate_like = False
        if left[0] == "prop" and self.peek() == ("keyword", "NOT") and self.tokens[self.index + 1:self.index + 2] == [("keyword", "LIKE")]:
            self.take()
            negate_like = True
        if left[0] == "prop" and self.accept("keyword", "LIKE"):
            pattern = self.expect("string", what="a string pattern after LIKE")[1]
            node = ("like", left[1], like_regex(pattern))
            return ("not", node) if negate_like else node
        kind, op = self.take()
        if kind != "op":
            raise WQLError("Invalid query: expected a comparison operator but found %s." % (
                "the end of the query" if kind is None else repr(op)))
        right = self.operand()
        if left[0] == "prop" and right[0] == "lit":
            return ("cmp", left[1], op, right[1])
        if left[0] == "lit" and right[0] == "prop":
            flipped = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
            return ("cmp", right[1], flipped, left[1])
        raise WQLError("Invalid query: a comparison needs one property and one constant (%r %s %r)." % (left[1], op, right[1]))


def like_regex(pattern):
    """Compiled case-insensitive regular expression of a WQL LIKE pattern."""
    out = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        elif char == "[":
            end = pattern.find("]", index + 2 if pattern[index + 1:index + 2] in ("^", "]") else index + 1)
            if end < 0:
                raise WQLError("Invalid query: unterminated [ in the LIKE pattern %r." % pattern)
            body = pattern[index + 1:end]
            negate = body.startswith("^")
            if negate:
                body = body[1:]
            parts = []
            for position, member in enumerate(body):
                if member == "-" and 0 < position < len(body) - 1:
                    parts.append("-")
                else:
                    parts.append(re.escape(member))
            out.append("[%s%s]" % ("^" if negate else "", "".join(parts)))
            index = end
        else:
            out.append(re.escape(char))
        index += 1
    return re.compile("".join(out), re.IGNORECASE | re.DOTALL)


def parse(text):
    """Parse a WQL SELECT statement; raise WQLError naming the problem."""
    if not (text or "").strip():
        raise WQLError("Invalid query: the query is empty.")
    return _Parser(text).query()


def _coerce(literal, cim_type, prop):
    """The literal converted to the property's type, or WQLError on a type mismatch."""
    if literal is None:
        return None
    if cim_type == "boolean":
        if isinstance(literal, bool):
            return literal
        if isinstance(literal, (int, float)):
            return bool(literal)
        if isinstance(literal, str) and literal.lower() in ("true", "false"):
            return literal.lower() == "true"
    elif cim_type in NUMERIC_TYPES:
        if isinstance(literal, bool):
            return int(literal)
        if isinstance(literal, (int, float)):
            return literal
        try:
            return float(literal) if "." in literal else int(literal)
        except ValueError:
            pass
    elif cim_type in ("string", "datetime", "char16"):
        if isinstance(literal, str):
            return literal.casefold()
        if isinstance(literal, bool):
            return str(literal).casefold()
        return str(literal)
    raise WQLError("Invalid query: type mismatch between property %s (%s) and the constant %r." % (prop, cim_type, literal),
                   hresult=0x80041005)


_OPS = {
    "=": lambda a, b: a == b,
    "<>": lambda a, b: a != b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def compile_where(node, schema):
    """A predicate ``f(get)`` for a WHERE tree; ``get(name)`` returns a property value by canonical name.

    ``schema`` maps lower-case property names to (canonical name, CIM type); an unknown
    property or an array property is an invalid query, as in WMI.
    """
    if node is None:
        return lambda get: True
    kind = node[0]
    if kind in ("and", "or"):
        left, right = compile_where(node[1], schema), compile_where(node[2], schema)
        if kind == "and":
            return lambda get: left(get) and right(get)
        return lambda get: left(get) or right(get)
    if kind == "not":
        inner = compile_where(node[1], schema)
        return lambda get: not inner(get)
    name, cim_type = _property(node[1], schema)
    if kind == "isnull":
        negate = node[2]
        return lambda get: (get(name) is None) != negate
    if kind == "like":
        regex = node[2]
        if cim_type not in ("string", "datetime", "char16"):
            raise WQLError("Invalid query: LIKE needs a string property; %s is %s." % (name, cim_type))

        def like(get):
            value = get(name)
            return value is not None and regex.fullmatch(str(value)) is not None
        return like
    _cmp, _prop, op, literal = node
    if literal is None:
        if op not in ("=", "<>", "!="):
            raise WQLError("Invalid query: NULL can only be compared with = or <> (or use IS NULL).")
        want_null = op == "="
        return lambda get: (get(name) is None) == want_null
    constant = _coerce(literal, cim_type, name)
    compare = _OPS[op]
    is_text = cim_type in ("string", "datetime", "char16")

    def predicate(get):
        value = get(name)
        if value is None:
            return False
        if is_text:
            value = str(value).casefold()
        try:
            return compare(value, constant)
        except TypeError:
            return False
    return predicate


def _property(prop, schema):
    entry = schema.get(prop.lower())
    if entry is None:
        raise WQLError("Invalid query: the class has no property %s." % prop)
    name, cim_type = entry
    if cim_type.endswith("[]") or cim_type == "ref":
        raise WQLError("Invalid query: property %s (%s) cannot be used in a WHERE clause." % (name, cim_type))
    return name, cim_type
