"""Conditions on methods (and models) -> one SPARQL query -> rows.

A condition holds for a method if the method (role, benchmark, paper, author)
or one of its table entries of an allowed document (model, model type, code,
fine-tuning, codes, organisation, open weights) has one of its values; a
negated condition holds if none does. Every value in the query is an IRI taken
from the KG's lexicon, or a year checked by Python: user text never reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from llmrl_kg.query.facets import COLUMNS, SOURCES
from llmrl_kg.query.output import ResultTable
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.store.backends import Backend, plain_value

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
# How a condition on the method itself is reached, by kind.
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
TRUE = '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>'


@dataclass
class Condition:
    """One condition: kind, the IRIs it allows (any of them), the words it came from, negation."""

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

    def describe(self, name) -> list[str]:
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

    def summary(self, name) -> list[str]:
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


def _values(variable: str, iris) -> str:
    return f"VALUES ?{variable} {{ {' '.join(_term(iri) for iri in iris)} }}"


def _term(iri: str) -> str:
    if iri == "true":
        return TRUE
    if any(c in iri for c in '<>"{}|^`\\ \n'):
        raise ValueError(f"not an IRI: {iri!r}")
    return f"<{iri}>"


def condition_patterns(conditions: Conditions, subject: str = "?method_iri") -> list[str]:
    """The graph patterns of every condition and the year range, for a query over methods."""
    docs = SOURCES[conditions.source]
    lines = []
    for number, c in enumerate(conditions.items, 1):
        value = f"v{number}"
        values = ("true",) if c.kind == "open-weights" else c.values
        if c.kind in METHOD_PATHS:
            path = METHOD_PATHS[c.kind]
            pattern = (f"{subject} {path} ?{value} ." if path else f"BIND({subject} AS ?{value})")
            pattern += " " + _values(value, values)
        else:
            pattern = (f"?e{number} llmrl:entryOf {subject} ; a llmrl:MethodEntry ; llmrl:statedIn ?d{number} ;"
                       f" {ENTRY_PATHS[c.kind]} ?{value} . {_values(f'd{number}', docs)}")
            if values:
                pattern += " " + _values(value, values)
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
        "  " + _values("doc", SOURCES[conditions.source]),
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
    """The methods that satisfy `conditions` (the columns of `llmrl-kg methods`), and the query."""
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


MODEL_COLUMNS = ["model", "type", "developer", "open_weights"]


def model_query(conditions: Conditions) -> str:
    """The SPARQL query of a list of the KG's models with conditions on the models themselves."""
    lines = [
        "SELECT DISTINCT ?model_iri ?model ?type ?developer ?open_weights WHERE {",
        "  ?model_iri a llmrl:FoundationModel ; rdfs:label ?model .",
        f'  FILTER(STRSTARTS(STR(?model_iri), "{ns.MODEL}"))',
    ]
    for number, c in enumerate(conditions.items, 1):
        value = f"v{number}"
        values = ("true",) if c.kind == "open-weights" else c.values
        path = MODEL_PATHS[c.kind]
        pattern = (f"?model_iri {path} ?{value} ." if path else f"BIND(?model_iri AS ?{value})")
        pattern += " " + _values(value, values)
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
    """The KG's models that satisfy `conditions`, one row each, sorted by name."""
    query = model_query(conditions)
    rows: dict[str, dict] = {}
    for raw in backend.select(query).rows:
        row: dict[str, Any] = {k: plain_value(v) for k, v in raw.items()}
        found = rows.setdefault(row["model_iri"], {c: row[c] for c in MODEL_COLUMNS})
        if row["type"] and row["type"] != found["type"]:
            found["type"] = " | ".join(sorted({*(found["type"] or "").split(" | "), row["type"]} - {""}))
    ordered = sorted(rows.values(), key=lambda r: (r["model"].casefold(), r["model"]))
    return ResultTable(MODEL_COLUMNS, ordered), query
