"""SPARQL query text: a small tokenizer, the read-only check and parameter binding by VALUES.

The tokenizer knows just enough of the SPARQL 1.1 grammar to tell keywords apart
from the same letters inside strings, comments, IRIs, prefixed names and
variables, and to count braces. It is not a parser: the query engine parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator, Mapping

import pyoxigraph as ox

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'''(?:[^'\\]|\\.|'(?!''))*'''
              |"(?:[^"\\\n]|\\.)*"
              |'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[^\s{}()\[\];,<>"'\#^|=!&+*/]|\\.)*)
  | (?P<bnode>_:[\w.\-]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<punct>.)
    """,
    re.VERBOSE | re.DOTALL,
)

# Keywords that only SPARQL Update uses: a query containing one of them is an update.
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE",
                             "ADD", "WITH", "USING"})


@dataclass(frozen=True)
class Token:
    """One token: its kind (a group name of _TOKEN), text, offset, line and column (1-based)."""

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
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "punct"
        start = match.start()
        if kind not in ("space", "comment"):
            yield Token(kind, match.group(), start, line, start - line_start + 1)
        newlines = match.group().count("\n")
        if newlines:
            line += newlines
            line_start = start + match.group().rindex("\n") + 1


class UnsafeQuery(ValueError):
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


def term_ntriples(term: ox.NamedNode | ox.Literal) -> str:
    """The N-Triples form of a validated RDF term (pyoxigraph escapes it)."""
    if not isinstance(term, (ox.NamedNode, ox.Literal)):
        raise TypeError(f"only IRIs and literals can be bound, not {type(term).__name__}")
    return str(term)


def bind_as_values(text: str, bindings: Mapping[str, ox.NamedNode | ox.Literal]) -> str:
    """The query with `VALUES` rows inserted right after its outermost `WHERE {`.

    This is how parameters reach a remote endpoint: every value is an RDF term
    that pyoxigraph validated, written in its N-Triples form, never user text.
    Saved queries are written so that this gives the same answer as substitution.
    """
    if not bindings:
        return text
    names = list(bindings)
    for name in names:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
            raise ValueError(f"not a SPARQL variable name: {name!r}")
    block = ("\n  VALUES (" + " ".join("?" + n for n in names) + ") { ("
             + " ".join(term_ntriples(bindings[n]) for n in names) + ") }")
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
