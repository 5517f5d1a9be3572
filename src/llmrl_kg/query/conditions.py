"""Conditions on methods (and models) -> one SPARQL query -> rows: shared by `methods` and `ask`.

Facts of the tables live on entries (`?entry llmrl:entryOf ?method ;
llmrl:statedIn doc:readme|doc:paper-v1|doc:llmrl-kg-curation`). A condition
holds for a method if the method itself (role, benchmark, paper, author) or
one of its table entries of an allowed document (model, model type, code,
fine-tuning, codes, organisation, open weights) has one of its values; a
negated condition holds if none does. With `source="any"` each fact may come
from any document, with `source="survey"` only from the survey's README or paper.

Every value in the generated query is an IRI taken from the KG (a model's or a
concept's, found by looking the user's words up) or a number checked by
Python, written in N-Triples form by `values_block`; user text never reaches the query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from llmrl_kg.query.output import ResultTable
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.rdf.sparqltext import values_block
from llmrl_kg.store.backends import Backend, plain_value

# The documents whose rows a condition may read: the survey's two, this KG's curation (the methods
# beyond the survey), or all of them.
SOURCES = {
    "readme": (ns.DOC + "readme",),
    "paper": (ns.DOC + "paper-v1",),
    "survey": (ns.DOC + "readme", ns.DOC + "paper-v1"),
    "curation": (ns.DOC + "llmrl-kg-curation",),
    "any": (ns.DOC + "readme", ns.DOC + "paper-v1", ns.DOC + "llmrl-kg-curation"),
}
COLUMNS = ["method", "category", "year", "models", "fine_tuning", "code"]
MODEL_COLUMNS = ["model", "type", "developer", "open_weights"]

PREFIXES = "\n".join(f"PREFIX {p}: <{ns.PREFIXES[p]}>"
                     for p in ("llmrl", "doc", "rdf", "rdfs", "skos", "xsd", "fabio", "dcterms")) + "\n"

# How a condition on a table entry (`?e`) is reached, by kind.
ENTRY_PATHS = {
    "model": "llmrl:usesModel",
    "modality": "llmrl:usesModel/rdf:type",
    "fine-tuning": "llmrl:fineTuning",
    "rl-role": "llmrl:rlRole/skos:broader*",
    "fm-role": "llmrl:fmRole",
    "metric": "llmrl:improvesMetric",
    "rl-agent": "llmrl:rlAgent",
    "rl-task": "llmrl:rlTask",
    "rl-setting": "llmrl:rlSetting",
    "organisation": "llmrl:usesModel/llmrl:developedBy",
    "open-weights": "llmrl:usesModel/llmrl:openWeights",
    "code": "llmrl:codeRepository",
}
# How a condition on the method itself is reached, by kind (None: the method is one of the values).
METHOD_PATHS = {
    "role": "rdf:type",
    "benchmark": "llmrl:evaluatedOn",
    "person": "llmrl:introducedIn/dcterms:creator",
    "paper": "llmrl:introducedIn",
    "method": None,
}
# Conditions on models (for lists of models), by kind.
MODEL_PATHS = {
    "model": None,
    "modality": "rdf:type",
    "organisation": "llmrl:developedBy",
    "open-weights": "llmrl:openWeights",
}
# The one value of an `open-weights` condition.
TRUE = ox.Literal("true", datatype=ox.NamedNode(ns.PREFIXES["xsd"] + "boolean"))


@dataclass(frozen=True)
class Condition:
    """One condition: kind, the IRIs it allows (any of them), the words it came from, negation.

    Kinds `code` and `open-weights` have no values: an entry gives a code
    repository (an open-weights model), or, negated, no entry of an allowed document does.
    """

    kind: str
    values: tuple[str, ...] = ()
    said: str = ""
    negated: bool = False


@dataclass
class Conditions:
    """All conditions hold together; plus a year range and the documents whose rows count."""

    items: list[Condition] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    source: str = "any"

    def describe(self, name: Callable[[str], str]) -> list[str]:
        """One line per condition, for `--explain` (`name` shows an IRI)."""
        lines = []
        for c in self.items:
            if c.kind == "code":
                text = "no public code" if c.negated else "has public code"
            elif c.kind == "open-weights":
                text = "no open-weights model" if c.negated else "an open-weights model"
            else:
                text = ("not " if c.negated else "") + " or ".join(name(v) for v in c.values)
            lines.append(f"{c.kind}: {text}  <- {c.said!r}")
        if self.year_from is not None or self.year_to is not None:
            lines.append(f"year: {_bound(self.year_from)}–{_bound(self.year_to)}")
        lines.append(f"source: {self.source}")
        return lines

    def summary(self, name: Callable[[str], str]) -> list[str]:
        """Short `kind = value` parts for the `read as:` line."""
        parts = []
        for c in self.items:
            if c.kind in ("code", "open-weights"):
                value = "no" if c.negated else "yes"
            else:
                value = ("not " if c.negated else "") + " or ".join(name(v) for v in c.values)
            parts.append(f"{c.kind} = {value}")
        if self.year_from is not None and self.year_from == self.year_to:
            parts.append(f"year = {self.year_from}")
        elif self.year_from is not None or self.year_to is not None:
            parts.append(f"year = {_bound(self.year_from)}–{_bound(self.year_to)}")
        if self.source != "any":
            parts.append(f"source = {self.source}")
        return parts


def _bound(year: int | None) -> str:
    return "..." if year is None else str(year)


def values(variable: str, iris: Iterable[str]) -> str:
    """`VALUES ?variable { <iri> ... }` of IRIs taken from the KG (ValueError for a malformed one)."""
    return values_block(variable, (ox.NamedNode(iri) for iri in iris))


def _values_of(variable: str, condition: Condition) -> str:
    if condition.kind == "open-weights":
        return values_block(variable, (TRUE,))
    return values(variable, condition.values)


def condition_patterns(conditions: Conditions, subject: str = "?method_iri") -> list[str]:
    """The graph patterns of every condition and the year range, for a query over methods."""
    docs = SOURCES[conditions.source]
    lines = []
    for number, c in enumerate(conditions.items, 1):
        value = f"v{number}"
        if c.kind in METHOD_PATHS:
            path = METHOD_PATHS[c.kind]
            pattern = (f"{subject} {path} ?{value} ." if path else f"BIND({subject} AS ?{value})")
            pattern += " " + _values_of(value, c)
        else:
            pattern = (f"?e{number} llmrl:entryOf {subject} ; a llmrl:MethodEntry ; llmrl:statedIn ?d{number} ;"
                       f" {ENTRY_PATHS[c.kind]} ?{value} . {values(f'd{number}', docs)}")
            if c.values or c.kind == "open-weights":
                pattern += " " + _values_of(value, c)
        lines.append(f"  FILTER NOT EXISTS {{ {pattern} }}" if c.negated else "  " + pattern)
    if conditions.year_from is not None or conditions.year_to is not None:
        lines.append(f"  {subject} llmrl:introducedIn/fabio:hasPublicationYear ?y .")
        if conditions.year_from is not None:
            lines.append(f"  FILTER(xsd:integer(STR(?y)) >= {int(conditions.year_from)})")
        if conditions.year_to is not None:
            lines.append(f"  FILTER(xsd:integer(STR(?y)) <= {int(conditions.year_to)})")
    return lines


def method_query(conditions: Conditions) -> str:
    """The SPARQL query of a list of methods: one row per method, entry (of an allowed document) and code."""
    lines = [
        "SELECT DISTINCT ?method_iri ?method ?category ?year ?doc ?models ?fine_tuning ?code WHERE {",
        "  ?method_iri a llmrl:Method ; rdfs:label ?method .",
        "  ?entry llmrl:entryOf ?method_iri ; a llmrl:MethodEntry ; llmrl:statedIn ?doc .",
        "  " + values("doc", SOURCES[conditions.source]),
        *condition_patterns(conditions),
        "  OPTIONAL { ?method_iri llmrl:introducedIn/fabio:hasPublicationYear ?year }",
        "  OPTIONAL { ?entry llmrl:modelsAsPrinted ?models }",
        "  OPTIONAL { ?entry llmrl:fineTuning/skos:notation ?fine_tuning }",
        "  OPTIONAL { ?entry llmrl:codeRepository ?code }",
        "  OPTIONAL {",
        "    ?method_iri a ?leaf . ?leaf rdfs:subClassOf llmrl:Method ; rdfs:label ?category .",
        "    FILTER NOT EXISTS { ?method_iri a ?below . ?below rdfs:subClassOf ?leaf . FILTER(?below != ?leaf) }",
        "  }",
        "}",
        "ORDER BY ?method ?doc ?code",
    ]
    return PREFIXES + "\n".join(lines) + "\n"


def find_methods(backend: Backend, conditions: Conditions) -> tuple[ResultTable, str]:
    """The methods that satisfy `conditions` (the columns of `llmrl-kg methods`), and the query.

    One row per method, sorted by name (ignoring case); its models and fine-tuning
    are listed README first, then the paper, then the curation.
    """
    query = method_query(conditions)
    order = {doc: i for i, doc in enumerate(SOURCES["any"])}
    by_method: dict[str, dict] = {}
    for raw in backend.select(query).rows:
        row: dict[str, Any] = {k: plain_value(v) for k, v in raw.items()}
        found = by_method.setdefault(row["method_iri"], {
            "method": row["method"], "category": row["category"], "year": row["year"],
            "models": {}, "fine_tuning": {}, "code": set()})
        rank = order.get(row["doc"], len(order))
        for key in ("models", "fine_tuning"):
            if row[key] is not None:
                found[key].setdefault(row[key], rank)
        if row["code"] is not None:
            found["code"].add(row["code"])
    rows = []
    for found in by_method.values():
        rows.append({
            "method": found["method"], "category": found["category"], "year": found["year"],
            "models": _joined(found["models"]), "fine_tuning": _joined(found["fine_tuning"]),
            "code": " ".join(sorted(found["code"])) or None,
        })
    rows.sort(key=lambda r: (r["method"].casefold(), r["method"]))
    return ResultTable(COLUMNS, rows), query


def _joined(ranked: dict) -> str | None:
    return " | ".join(sorted(ranked, key=lambda v: (ranked[v], v))) or None


def model_query(conditions: Conditions) -> str:
    """The SPARQL query of a list of the KG's models with conditions on the models themselves."""
    lines = [
        "SELECT DISTINCT ?model_iri ?model ?type ?developer ?open_weights WHERE {",
        "  ?model_iri a llmrl:FoundationModel ; rdfs:label ?model .",
        f'  FILTER(STRSTARTS(STR(?model_iri), "{ns.MODEL}"))',
    ]
    for number, c in enumerate(conditions.items, 1):
        value = f"v{number}"
        path = MODEL_PATHS[c.kind]
        pattern = (f"?model_iri {path} ?{value} ." if path else f"BIND(?model_iri AS ?{value})")
        pattern += " " + _values_of(value, c)
        lines.append(f"  FILTER NOT EXISTS {{ {pattern} }}" if c.negated else "  " + pattern)
    lines += [
        "  OPTIONAL { ?model_iri llmrl:developedBy/rdfs:label ?developer }",
        "  OPTIONAL { ?model_iri llmrl:openWeights ?open_weights }",
        "  OPTIONAL {",
        "    ?model_iri a ?type_iri . ?type_iri rdfs:subClassOf llmrl:FoundationModel ; rdfs:label ?type .",
        "    FILTER(?type_iri != llmrl:FoundationModel)",
        "    FILTER NOT EXISTS { ?model_iri a ?below . ?below rdfs:subClassOf ?type_iri . FILTER(?below != ?type_iri) }",
        "  }",
        "}",
        "ORDER BY ?model",
    ]
    return PREFIXES + "\n".join(lines) + "\n"


def find_models(backend: Backend, conditions: Conditions) -> tuple[ResultTable, str]:
    """The KG's models that satisfy `conditions`, one row each, sorted by name, and the query."""
    query = model_query(conditions)
    rows: dict[str, dict] = {}
    for raw in backend.select(query).rows:
        row: dict[str, Any] = {k: plain_value(v) for k, v in raw.items()}
        found = rows.setdefault(row["model_iri"], {c: row[c] for c in MODEL_COLUMNS})
        if row["type"] and row["type"] != found["type"]:
            found["type"] = " | ".join(sorted({*(found["type"] or "").split(" | "), row["type"]} - {""}))
    ordered = sorted(rows.values(), key=lambda r: (r["model"].casefold(), r["model"]))
    return ResultTable(MODEL_COLUMNS, ordered), query
