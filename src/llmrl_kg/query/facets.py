"""The faceted finder behind `llmrl-kg methods` (and `ask`): facets -> one SPARQL query -> rows.

Facts of the tables live on entries (`?entry llmrl:entryOf ?method ;
llmrl:statedIn doc:readme|doc:paper-v1|doc:llmrl-kg-curation`). A facet about
such a fact holds if an entry of an allowed document states it; with
`source="any"` each fact may come from any document, with `source="survey"` only
from the survey's README or paper. Roles are the method's (inferred) classes; years are the
publication year of the method's paper.

Every value in the generated query is a term taken from the KG (a model's or a
concept's IRI found by looking the user's words up) or a number checked by
Python, written in N-Triples form; user text never reaches the query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from llmrl_kg.errors import UsageError
from llmrl_kg.kg import model
from llmrl_kg.query.output import ResultTable
from llmrl_kg.query.vocabulary import (
    MODALITY_CLASSES,
    ROLE_CLASSES,
    UnknownValue,
    Vocabulary,
)
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.rdf.sparqltext import values_block
from llmrl_kg.store.backends import Backend, PlainValue, plain_value

# The documents whose rows a facet may read: the survey's two, this KG's curation (the methods
# beyond the survey), or all of them.
SOURCES = {
    "readme": (ns.DOC + "readme",),
    "paper": (ns.DOC + "paper-v1",),
    "survey": (ns.DOC + "readme", ns.DOC + "paper-v1"),
    "curation": (ns.DOC + "llmrl-kg-curation",),
    "any": (ns.DOC + "readme", ns.DOC + "paper-v1", ns.DOC + "llmrl-kg-curation"),
}
# `--fine-tuned` words -> local names of fine-tuning codes: yes (full or peft), full, peft, no (none).
FINE_TUNED = model.FINE_TUNED_WORDS
COLUMNS = ["method", "category", "year", "models", "fine_tuning", "code"]

# How each kind of entry fact is reached from an entry (`?e`) in SPARQL.
_ENTRY_PATHS = {
    "model": "llmrl:usesModel",
    "fine-tuning": "llmrl:fineTuning",
    "rl-role": "llmrl:rlRole/skos:broader*",
    "fm-role": "llmrl:fmRole",
    "metric": "llmrl:improvesMetric",
    "modality": "llmrl:usesModel/rdf:type",
}

PREFIXES = "\n".join(f"PREFIX {p}: <{ns.PREFIXES[p]}>"
                     for p in ("llmrl", "doc", "rdf", "rdfs", "skos", "xsd", "fabio")) + "\n"


@dataclass(frozen=True)
class Condition:
    """One facet: the method (kind `role`) or one of its entries must have one of `values`.

    Kind `code` has no values: an entry gives a code repository (or, negated,
    no entry of an allowed document does).
    """

    kind: str
    values: tuple[str, ...] = ()
    said: str = ""
    negated: bool = False


@dataclass
class Facets:
    """All conditions hold together; each condition holds if any of its values does."""

    conditions: list[Condition] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    source: str = "any"

    def describe(self, vocabulary: Vocabulary) -> list[str]:
        """One line per facet, for `--explain`."""
        lines = []
        for condition in self.conditions:
            if condition.kind == "code":
                lines.append(f"code: {'no public code' if condition.negated else 'has public code'}"
                             f"  <- {condition.said!r}")
                continue
            names = [_name(vocabulary, iri) for iri in condition.values]
            lines.append(f"{condition.kind}: {' or '.join(names)}  <- {condition.said!r}")
        if self.year_from is not None or self.year_to is not None:
            lines.append(f"year: {self.year_from if self.year_from is not None else '...'}"
                         f"–{self.year_to if self.year_to is not None else '...'}")
        lines.append(f"source: {self.source}")
        return lines


def _name(vocabulary: Vocabulary, iri: str) -> str:
    concept = vocabulary.by_iri.get(iri)
    if concept is None:
        return iri
    if concept.kind in ("role", "modality"):
        return concept.label or concept.local_name
    if concept.kind == "model":
        return concept.label or iri
    return f"{concept.notation} ({concept.label})" if concept.label else str(concept.notation)


def build_facets(vocabulary: Vocabulary, *, role=(), fine_tuned=(), model=(), rl_role=(), fm_role=(),
                 metric=(), modality=(), year_from=None, year_to=None, has_code=False,
                 source="any") -> Facets:
    """Facets from the `methods` options (each list option may repeat); UnknownValue on a bad value."""
    if source not in SOURCES:
        raise UnknownValue(f"source {source!r} is not accepted; accepted values: {', '.join(SOURCES)}")
    conditions = []
    for value in role:
        if value not in ROLE_CLASSES:
            raise UnknownValue(f"role {value!r} is not accepted; accepted values: {', '.join(ROLE_CLASSES)}")
        conditions.append(Condition("role", (ROLE_CLASSES[value],), value))
    for value in fine_tuned:
        if value not in FINE_TUNED:
            raise UnknownValue(f"fine-tuning {value!r} is not accepted; accepted values: {', '.join(FINE_TUNED)}")
        iris = tuple(vocabulary.code("fine-tuning", local).iri for local in FINE_TUNED[value])
        conditions.append(Condition("fine-tuning", iris, value))
    for value in model:
        conditions.append(Condition("model", (vocabulary.model(value).iri,), value))
    for kind, values in (("rl-role", rl_role), ("fm-role", fm_role), ("metric", metric)):
        for value in values:
            conditions.append(Condition(kind, (vocabulary.code(kind, value).iri,), value))
    for value in modality:
        if value not in MODALITY_CLASSES:
            raise UnknownValue(f"modality {value!r} is not accepted; accepted values: "
                               f"{', '.join(MODALITY_CLASSES)}")
        conditions.append(Condition("modality", (MODALITY_CLASSES[value],), value))
    if has_code:
        conditions.append(Condition("code", (), "--has-code"))
    return Facets(conditions, year_from, year_to, source)


def _values(variable: str, iris) -> str:
    return values_block(variable, (ox.NamedNode(iri) for iri in iris))


def facet_query(facets: Facets) -> str:
    """The SPARQL query for `facets`: one row per method, entry (of an allowed document) and code link."""
    docs = SOURCES[facets.source]
    lines = [
        "SELECT DISTINCT ?method_iri ?method ?category ?year ?doc ?models ?fine_tuning ?code WHERE {",
        "  ?method_iri a llmrl:Method ; rdfs:label ?method .",
        "  ?entry llmrl:entryOf ?method_iri ; a llmrl:MethodEntry ; llmrl:statedIn ?doc .",
        "  " + _values("doc", docs),
    ]
    for number, condition in enumerate(facets.conditions, 1):
        value = f"v{number}"
        if condition.kind == "role":
            lines += [f"  ?method_iri a ?{value} .", "  " + _values(value, condition.values)]
        elif condition.kind == "code" and condition.negated:
            lines += [f"  FILTER NOT EXISTS {{ ?e{number} llmrl:entryOf ?method_iri ; llmrl:statedIn ?d{number} ;"
                      f" llmrl:codeRepository ?c{number} . {_values(f'd{number}', docs)} }}"]
        else:
            path = _ENTRY_PATHS.get(condition.kind, "llmrl:codeRepository")
            lines += [f"  ?e{number} llmrl:entryOf ?method_iri ; a llmrl:MethodEntry ; llmrl:statedIn ?d{number} ;"
                      f" {path} ?{value} .",
                      "  " + _values(f"d{number}", docs)]
            if condition.values:
                lines.append("  " + _values(value, condition.values))
    if facets.year_from is not None or facets.year_to is not None:
        lines.append("  ?method_iri llmrl:introducedIn/fabio:hasPublicationYear ?y .")
        if facets.year_from is not None:
            lines.append(f"  FILTER(xsd:integer(STR(?y)) >= {int(facets.year_from)})")
        if facets.year_to is not None:
            lines.append(f"  FILTER(xsd:integer(STR(?y)) <= {int(facets.year_to)})")
    lines += [
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


_DISJOINT_ROLES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
ASK {
  ?first rdfs:subClassOf* ?x . ?second rdfs:subClassOf* ?y .
  { ?x owl:disjointWith ?y } UNION { ?y owl:disjointWith ?x }
  UNION { ?all owl:members ?list . ?list rdf:rest*/rdf:first ?x . ?list rdf:rest*/rdf:first ?y . FILTER(?x != ?y) }
}"""


def check_roles_can_meet(backend: Backend, facets: Facets) -> None:
    """UsageError when two role conditions name classes the ontology declares disjoint (no method is both)."""
    roles = [c for c in facets.conditions if c.kind == "role" and not c.negated]
    for i, first in enumerate(roles):
        for second in roles[i + 1:]:
            bindings = {"first": ox.NamedNode(first.values[0]), "second": ox.NamedNode(second.values[0])}
            if backend.ask(_DISJOINT_ROLES, bindings):
                raise UsageError(f"no method can be both {first.said!r} and {second.said!r}: the ontology declares "
                                 "the two roles disjoint", fix="Give one --role, or ask for each role in turn.")


def find_methods(backend: Backend, facets: Facets) -> ResultTable:
    """The methods that satisfy `facets`, one row each, sorted by name (ignoring case)."""
    check_roles_can_meet(backend, facets)
    solutions = backend.select(facet_query(facets))
    order: dict[PlainValue, int] = {doc: i for i, doc in enumerate(SOURCES["any"])}
    by_method: dict[PlainValue, dict] = {}
    for raw in solutions.rows:
        row = {k: plain_value(v) for k, v in raw.items()}
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
            "method": found["method"],
            "category": found["category"],
            "year": found["year"],
            "models": " | ".join(sorted(found["models"], key=lambda v: (found["models"][v], v))) or None,
            "fine_tuning": " | ".join(sorted(found["fine_tuning"], key=lambda v: (found["fine_tuning"][v], v)))
            or None,
            "code": " ".join(sorted(found["code"])) or None,
        })
    rows.sort(key=lambda r: (r["method"].casefold(), r["method"]))
    return ResultTable(COLUMNS, rows)
