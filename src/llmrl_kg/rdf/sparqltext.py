"""SPARQL query text: a small tokenizer, the read-only check and parameter binding by VALUES.

The tokenizer knows just enough of the SPARQL 1.1 grammar to tell keywords apart
from the same letters inside strings, comments, IRIs, prefixed names and
variables, and to count braces. It is not a parser: the query engine parses.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from llmrl_kg.errors import UsageError

# Character classes of the SPARQL 1.1 grammar (section 19.8), so that a token here ends exactly
# where it ends for the engine: a looser class would let a name or a comment swallow a keyword.
_PN_CHARS_BASE = ("A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D"
                  "\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF")
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
_VARNAME = f"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*"
_STRING = "|".join((
    r'"""(?:[^"\\]|\\.|"(?!""))*"""',
    r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n\r]|\\.)*"',
    r"'(?:[^'\\\n\r]|\\.)*'",
))

# A comment ends at a line feed or a carriage return (the grammar's EOL), as in the engine.
@functools.cache
def _token_pattern() -> re.Pattern[str]:
    """The tokenizer's pattern, compiled on first use: its Unicode classes take ~50 ms to compile,
    which commands that never tokenize a query (methods, ask) should not pay at start-up."""
    return re.compile(
        "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in [
            ("space", r"\s+"),
            ("comment", r"#[^\r\n]*"),
            ("string", _STRING),
            ("iri", r'<[^<>"{}|^`\\\x00-\x20]*>'),
            ("var", f"[?$]{_VARNAME}"),
            ("pname", f"(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?"),
            ("bnode", f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"),
            ("langtag", r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*"),
            ("word", r"[A-Za-z_][A-Za-z0-9_]*"),
            ("number", r"[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?"),
            ("punct", "."),
        ]),
        re.DOTALL,
    )

# Keywords that only SPARQL Update uses: a query containing one of them is an update.
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE",
                             "ADD", "WITH", "USING"})


@dataclass(frozen=True)
class Token:
    """One token: its kind (a group name of the tokenizer's pattern), text, offset, line and column (1-based)."""

    kind: str
    text: str
    offset: int
    line: int
    column: int

    def is_keyword(self, *words: str) -> bool:
        """True if the token is a bare word equal (ignoring case) to one of `words`."""
        return self.kind == "word" and self.text.upper() in words


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of `text`, without white space and comments."""
    line, line_start = 1, 0
    for match in _token_pattern().finditer(text):
        kind = match.lastgroup or "punct"
        start = match.start()
        if kind not in ("space", "comment"):
            yield Token(kind, match.group(), start, line, start - line_start + 1)
        newlines = match.group().count("\n")
        if newlines:
            line += newlines
            line_start = start + match.group().rindex("\n") + 1


class UnsafeQuery(UsageError, ValueError):
    """The query would write, or reach outside the local store (network or files)."""


def check_read_only(text: str) -> None:
    """Raise UnsafeQuery if `text` is an update or uses SERVICE, FROM or FROM NAMED."""
    for token in tokenize(text):
        where = f"line {token.line}, column {token.column}"
        if token.is_keyword(*UPDATE_KEYWORDS):
            raise UnsafeQuery(f"{token.text.upper()} at {where}: updates are refused; "
                              "this command only reads the knowledge graph (use SELECT, ASK, CONSTRUCT or DESCRIBE)")
        if token.is_keyword("SERVICE"):
            raise UnsafeQuery(f"SERVICE at {where}: federated queries would reach the network; remove the "
                              "SERVICE clause (saved federated queries run with `llmrl-kg query NAME --online`)")
        if token.is_keyword("FROM"):
            raise UnsafeQuery(f"FROM at {where}: FROM and FROM NAMED would load other graphs or files; "
                              "remove the clause, the query already sees the whole knowledge graph")


# Bounds checked before the engine parses a query: deeper nesting or longer UNION chains crash
# its recursive parser and evaluator (a stack overflow kills the process: exit 139), and nested
# blank-node brackets slow it down exponentially. The saved queries stay far below them.
MAX_QUERY_CHARS = 100_000
MAX_NESTING = 32
MAX_UNIONS = 256
_OPENERS = {"{": "}", "(": ")", "[": "]"}


class QueryTooComplex(UsageError, ValueError):
    """The query is longer, deeper or has more UNIONs than the engine can take safely."""


def check_complexity(text: str) -> None:
    """Raise QueryTooComplex when `text` exceeds MAX_QUERY_CHARS, MAX_NESTING or MAX_UNIONS."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooComplex(f"the query is longer than {MAX_QUERY_CHARS} characters; shorten it "
                              "(a long list of alternatives is shorter as one VALUES block)")
    depth = unions = 0
    for token in tokenize(text):
        if token.text in _OPENERS:
            depth += 1
            if depth > MAX_NESTING:
                raise QueryTooComplex(f"nesting deeper than {MAX_NESTING} levels of {{ ( [ at line "
                                      f"{token.line}, column {token.column}; flatten the query")
        elif token.text in ("}", ")", "]"):
            depth = max(depth - 1, 0)
        elif token.is_keyword("UNION"):
            unions += 1
            if unions > MAX_UNIONS:
                raise QueryTooComplex(f"more than {MAX_UNIONS} UNIONs (line {token.line}); "
                                      "use VALUES for alternatives instead")


def uses_service(text: str) -> bool:
    """True if the query has a SERVICE clause (outside strings, comments and IRIs)."""
    return any(token.is_keyword("SERVICE") for token in tokenize(text))


def variables(text: str) -> set[str]:
    """The names of the variables the query mentions (without `?` or `$`)."""
    return {token.text[1:] for token in tokenize(text) if token.kind == "var"}


def projected_variables(text: str) -> set[str] | None:
    """The variables a SELECT query projects (None for `SELECT *` or a query that is no SELECT).

    Only the outermost SELECT clause counts: plain variables, and the `?x` of `(expr AS ?x)`.
    """
    tokens = list(tokenize(text))
    start = next((i for i, t in enumerate(tokens) if t.is_keyword("SELECT")), None)
    if start is None:
        return None
    projected: set[str] = set()
    depth = 0
    previous: Token | None = None
    for token in tokens[start + 1:]:
        if depth == 0 and (token.is_keyword("WHERE", "FROM") or token.text == "{"):
            break
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.text == "*" and depth == 0:
            return None
        elif token.kind == "var" and (depth == 0 or (previous is not None and previous.is_keyword("AS"))):
            projected.add(token.text[1:])
        previous = token
    return projected


def query_form(text: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword of the query, or None."""
    for token in tokenize(text):
        if token.is_keyword("SELECT", "ASK", "CONSTRUCT", "DESCRIBE"):
            return token.text.upper()
    return None


def outer_where_brace(text: str) -> int:
    """The offset just after the `{` that opens the outermost WHERE clause.

    That is the first WHERE keyword at brace depth 0; sub-queries and EXISTS
    blocks inside braces are skipped.
    """
    depth = 0
    seen_where = False
    for token in tokenize(text):
        if token.text == "{":
            if depth == 0 and seen_where:
                return token.offset + 1
            depth += 1
        elif token.text == "}":
            depth -= 1
        elif depth == 0 and token.is_keyword("WHERE"):
            seen_where = True
    raise ValueError("the query has no `WHERE {` at its top level; write `WHERE { ... }` explicitly")


def closing_brace(tokens: Sequence[Token], opening: int) -> int:
    """The index in `tokens` of the `}` that closes the `{` at index `opening`; ValueError if none does."""
    depth = 0
    for index in range(opening, len(tokens)):
        if tokens[index].text == "{":
            depth += 1
        elif tokens[index].text == "}":
            depth -= 1
            if depth == 0:
                return index
    raise ValueError("a `{` has no closing `}`")


def term_ntriples(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> str:
    """The N-Triples form of a validated RDF term (pyoxigraph escapes it); TypeError for a blank node."""
    if not isinstance(term, (ox.NamedNode, ox.Literal)):
        raise TypeError(f"only IRIs and literals can be bound, not {type(term).__name__}")
    return str(term)


def values_block(variables: str | Sequence[str], rows: Iterable) -> str:
    """A `VALUES` block of validated RDF terms, each written in its N-Triples form (never user text).

    One variable name takes terms: `VALUES ?v { t1 t2 }`; a sequence of names
    takes tuples of terms, None for UNDEF: `VALUES (?a ?b) { (t1 t2) (t3 UNDEF) }`.
    ValueError for a bad variable name, TypeError for a value that is no IRI or literal.
    """
    names = [variables] if isinstance(variables, str) else list(variables)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    if isinstance(variables, str):
        return f"VALUES ?{variables} {{ {' '.join(term_ntriples(term) for term in rows)} }}"
    written = " ".join("(" + " ".join("UNDEF" if term is None else term_ntriples(term) for term in row) + ")"
                       for row in rows)
    return f"VALUES ({' '.join('?' + name for name in names)}) {{ {written} }}"


def bind_as_values(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal | ox.BlankNode]) -> str:
    """The query with `VALUES` rows inserted right after its outermost `WHERE {`.

    This is how parameters reach a remote endpoint: every value is an RDF term
    that pyoxigraph validated, written in its N-Triples form, never user text
    (TypeError for a blank node: SPARQL VALUES cannot hold one).
    Saved queries are written so that this gives the same answer as substitution.
    """
    if not bindings:
        return text
    names = list(bindings)
    block = "\n  " + values_block(names, [[bindings[name] for name in names]])
    at = outer_where_brace(text)
    return text[:at] + block + text[at:]


_LOCATION = re.compile(r"(?:error )?at (\d+):(\d+)(?:-\d+:\d+)?:?\s*")


def syntax_error_location(error: SyntaxError) -> tuple[int | None, int | None, str]:
    """(line, column, message) of a pyoxigraph SPARQL syntax error."""
    message = str(error.msg or error)
    match = _LOCATION.search(message)
    if match:
        rest = (message[:match.start()] + message[match.end():]).strip()
        return int(match.group(1)), int(match.group(2)), rest or message
    return error.lineno, error.offset, message
