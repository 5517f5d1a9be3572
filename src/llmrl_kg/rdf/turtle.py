"""Canonical Turtle: one deterministic text for a set of triples.

Curated files are kept in this form so that diffs stay small and reviewable,
whatever tool or version wrote them. The form: the prefixes actually used (in
the project's fixed order), then one block per subject; subjects sorted by
namespace rank and IRI, `rdf:type` first, then `rdfs:label`, then the other
predicates sorted by their written form; objects sorted by their written form.
Literals keep their lexical form exactly (no normalisation), and blank nodes
are refused because they have no stable name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from llmrl_kg.errors import DataError
from llmrl_kg.rdf.namespaces import PREFIXES, RDF, RDFS, XSD

_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_RDF_TYPE = RDF + "type"
_RDFS_LABEL = RDFS + "label"
# Longest namespaces first, so that e.g. `llmrl:` is not chosen for a term of a longer one.
_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))
_RANK = {iri: rank for rank, iri in enumerate(PREFIXES.values())}


class BlankNodeError(DataError, ValueError):
    """Raised for data that holds blank nodes: they cannot be written canonically."""


def _escape(text: str) -> str:
    out = []
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == '"':
            out.append('\\"')
        elif char == "\n":
            out.append("\\n")
        elif char == "\r":
            out.append("\\r")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


class _Writer:
    """Writes terms compactly and remembers which prefixes it used."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def iri(self, iri: str) -> str:
        for prefix, namespace in _BY_LENGTH:
            if iri.startswith(namespace):
                local = iri[len(namespace):]
                if _LOCAL_NAME.match(local):
                    self.used.add(prefix)
                    return f"{prefix}:{local}"
        return str(ox.NamedNode(iri))

    def term(self, term: object) -> str:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.Literal):
            return self.literal(term)
        raise BlankNodeError(f"blank node {term} cannot be written canonically; give it an IRI")

    def literal(self, literal: ox.Literal) -> str:
        datatype = literal.datatype.value
        value = literal.value
        if literal.language:
            return f"{_escape(value)}@{literal.language}"
        if datatype == XSD + "string":
            return _escape(value)
        if datatype == XSD + "boolean" and value in ("true", "false"):
            return value
        if datatype == XSD + "integer" and _INTEGER.match(value):
            return value
        return f"{_escape(value)}^^{self.iri(datatype)}"


def _subject_key(iri: str) -> tuple[int, str]:
    for _prefix, namespace in _BY_LENGTH:
        if iri.startswith(namespace):
            return (_RANK[namespace], iri)
    return (len(_RANK), iri)


def _predicate_key(iri: str, written: str) -> tuple[int, str]:
    if iri == _RDF_TYPE:
        return (0, "")
    if iri == _RDFS_LABEL:
        return (1, "")
    return (2, written)


def canonical_turtle(triples: Iterable[ox.Triple | ox.Quad]) -> str:
    """Return the canonical Turtle text of `triples` (graph names are ignored)."""
    writer = _Writer()
    by_subject: dict[str, dict[str, set[str]]] = {}
    for triple in triples:
        if not isinstance(triple.subject, ox.NamedNode):
            raise BlankNodeError(
                f"blank node subject {triple.subject} cannot be written canonically; give it an IRI"
            )
        predicates = by_subject.setdefault(triple.subject.value, {})
        predicates.setdefault(triple.predicate.value, set()).add(writer.term(triple.object))

    blocks = []
    for subject in sorted(by_subject, key=_subject_key):
        predicates = by_subject[subject]
        written = {p: ("a" if p == _RDF_TYPE else writer.iri(p)) for p in predicates}
        lines = [writer.iri(subject)]
        ordered = sorted(predicates, key=lambda p: _predicate_key(p, written[p]))
        for index, predicate in enumerate(ordered):
            end = " ." if index == len(ordered) - 1 else " ;"
            objects = sorted(predicates[predicate])
            if len(objects) == 1:
                lines.append(f"    {written[predicate]} {objects[0]}{end}")
            else:
                lines.append(f"    {written[predicate]}")
                for position, obj in enumerate(objects):
                    sep = end if position == len(objects) - 1 else " ,"
                    lines.append(f"        {obj}{sep}")
        blocks.append("\n".join(lines))

    header = [f"@prefix {p}: <{ns}> ." for p, ns in PREFIXES.items() if p in writer.used]
    return "\n".join(header) + "\n\n" + "\n\n".join(blocks) + "\n"
