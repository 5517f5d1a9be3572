"""The faceted finder behind `llmrl-kg methods`: the command's options -> `Conditions` -> rows.

The query and the grouping of its rows by method are `llmrl_kg.query.conditions`'s,
shared with `ask`; this module turns the options into conditions (a role, a
fine-tuning word, a model, codes, a modality, years, code, the source) and
checks that the roles asked for can meet. Roles are the method's (inferred)
classes; years are the publication year of the method's paper.
"""

from __future__ import annotations

from functools import partial

import pyoxigraph as ox

from llmrl_kg.errors import UsageError
from llmrl_kg.kg import model
from llmrl_kg.query.conditions import SOURCES, Condition, Conditions, method_query
from llmrl_kg.query.conditions import find_methods as find_method_rows
from llmrl_kg.query.output import ResultTable
from llmrl_kg.query.vocabulary import (
    MODALITY_CLASSES,
    ROLE_CLASSES,
    UnknownValue,
    Vocabulary,
)
from llmrl_kg.store.backends import Backend

# `--fine-tuned` words -> local names of fine-tuning codes: yes (full or peft), full, peft, no (none).
FINE_TUNED = model.FINE_TUNED_WORDS


def concept_name(vocabulary: Vocabulary, iri: str) -> str:
    """How a facet's value is shown: a role's or modality's label, a model's name, a code's notation (label)."""
    concept = vocabulary.by_iri.get(iri)
    if concept is None:
        return iri
    if concept.kind in ("role", "modality"):
        return concept.label or concept.local_name
    if concept.kind == "model":
        return concept.label or iri
    return f"{concept.notation} ({concept.label})" if concept.label else str(concept.notation)


def describe_facets(facets: Conditions, vocabulary: Vocabulary) -> list[str]:
    """One line per facet, for `--explain`."""
    return facets.describe(partial(concept_name, vocabulary))


def build_facets(vocabulary: Vocabulary, *, role=(), fine_tuned=(), model=(), rl_role=(), fm_role=(),
                 metric=(), modality=(), year_from=None, year_to=None, has_code=False,
                 source="any") -> Conditions:
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
    return Conditions(conditions, year_from, year_to, source)


def facet_query(facets: Conditions) -> str:
    """The SPARQL query for `facets`: one row per method, entry (of an allowed document) and code link."""
    return method_query(facets)


_DISJOINT_ROLES = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
ASK {
  ?first rdfs:subClassOf* ?x . ?second rdfs:subClassOf* ?y .
  { ?x owl:disjointWith ?y } UNION { ?y owl:disjointWith ?x }
  UNION { ?all owl:members ?list . ?list rdf:rest*/rdf:first ?x . ?list rdf:rest*/rdf:first ?y . FILTER(?x != ?y) }
}"""


def check_roles_can_meet(backend: Backend, facets: Conditions) -> None:
    """UsageError when two role conditions name classes the ontology declares disjoint (no method is both)."""
    roles = [c for c in facets.items if c.kind == "role" and not c.negated]
    for i, first in enumerate(roles):
        for second in roles[i + 1:]:
            bindings = {"first": ox.NamedNode(first.values[0]), "second": ox.NamedNode(second.values[0])}
            if backend.ask(_DISJOINT_ROLES, bindings):
                raise UsageError(f"no method can be both {first.said!r} and {second.said!r}: the ontology declares "
                                 "the two roles disjoint", fix="Give one --role, or ask for each role in turn.")


def find_methods(backend: Backend, facets: Conditions) -> ResultTable:
    """The methods that satisfy `facets`, one row each, sorted by name (ignoring case)."""
    check_roles_can_meet(backend, facets)
    return find_method_rows(backend, facets)[0]
