"""Reading the SPARQL 1.1 Query Results JSON format into pyoxigraph terms.

One reader for every client of a SPARQL endpoint: the `--endpoint` backend and
the polite client of public endpoints. It checks the document's shape and every
term; anything else is a ResultsError saying what is wrong.
"""

from __future__ import annotations

import pyoxigraph as ox

from llmrl_kg.errors import ServiceError

Term = ox.NamedNode | ox.Literal | ox.BlankNode


class ResultsError(ServiceError, ValueError):
    """The document is not SPARQL JSON results of the expected shape; the message says what is wrong."""


def shorten(text: str, limit: int = 200) -> str:
    """`text` on one line, cut to `limit` characters (for quoting an answer in a message)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def read_term(value: object, blank_nodes: dict[str, ox.BlankNode] | None = None) -> Term:
    """One bound value, e.g. `{"type": "uri", "value": "..."}`, as a pyoxigraph term.

    Also reads `typed-literal`, the 2006 form Virtuoso still sends. A blank node
    keeps the endpoint's label; with `blank_nodes`, each label gets a fresh node
    instead (an endpoint's labels need not be valid Turtle labels).
    """
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        raise ResultsError("a bound value is not an object with a string 'value'")
    kind, text = value.get("type"), value["value"]
    try:
        if kind == "uri":
            return ox.NamedNode(text)
        if kind in ("literal", "typed-literal"):
            if value.get("xml:lang"):
                return ox.Literal(text, language=value["xml:lang"])
            if value.get("datatype"):
                return ox.Literal(text, datatype=ox.NamedNode(value["datatype"]))
            return ox.Literal(text)
        if kind == "bnode":
            return ox.BlankNode(text) if blank_nodes is None else blank_nodes.setdefault(text, ox.BlankNode())
    except (ValueError, TypeError) as error:
        raise ResultsError(f"{shorten(text, 80)!r} is not a valid RDF term ({error})") from None
    raise ResultsError(f"unknown term type {kind!r}")


def read_select(document: object, blank_nodes: dict[str, ox.BlankNode] | None = None
                ) -> tuple[list[str], list[dict[str, Term]]]:
    """The variables and rows (variable → term, unbound ones left out) of SELECT results.

    `blank_nodes` is passed on to `read_term`.
    """
    if not isinstance(document, dict):
        raise ResultsError("the document is not a JSON object")
    head, results = document.get("head"), document.get("results")
    if not isinstance(head, dict) or not isinstance(head.get("vars"), list):
        raise ResultsError("no head.vars list")
    variables = head["vars"]
    if not all(isinstance(v, str) for v in variables):
        raise ResultsError("head.vars holds a non-string")
    if not isinstance(results, dict) or not isinstance(results.get("bindings"), list):
        raise ResultsError("no results.bindings list (is it a SELECT result?)")
    rows = []
    for binding in results["bindings"]:
        if not isinstance(binding, dict):
            raise ResultsError("a binding is not a JSON object")
        row: dict[str, Term] = {}
        for name, value in binding.items():
            if name not in variables:
                raise ResultsError(f"a binding names ?{name}, which is not in head.vars")
            row[name] = read_term(value, blank_nodes)
        rows.append(row)
    return variables, rows
