"""Names of things in the KG (methods, models, benchmarks), for telling an unknown name from an empty answer."""

from __future__ import annotations

import pyoxigraph as ox

from llmrl_kg.query.vocabulary import closest_hint
from llmrl_kg.rdf.namespaces import LLMRL
from llmrl_kg.store.backends import Backend

# saved-query parameter name -> the class whose instances it names
NAMED_PARAMETERS = {"method": "Method", "model": "FoundationModel", "benchmark": "Benchmark"}

_NAMES = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?name ?class WHERE {
  ?thing a ?class .
  { ?thing rdfs:label ?name } UNION { ?thing skos:altLabel ?name }
}"""


def names_of(backend: Backend, class_name: str) -> list[str]:
    """Every label and alternative label of the instances of `llmrl:<class_name>`."""
    solutions = backend.select(_NAMES, {"class": ox.NamedNode(LLMRL + class_name)})
    return sorted({name.value for row in solutions.rows if (name := row.get("name")) is not None})


def unknown_name(backend: Backend, class_name: str, value: str) -> str | None:
    """None when `value` names an instance (any case); else a message with the closest names."""
    names = names_of(backend, class_name)
    if value.strip().casefold() in {name.casefold() for name in names}:
        return None
    kind = {"Method": "method", "FoundationModel": "model", "Benchmark": "benchmark"}[class_name]
    return f"no {kind} named {value!r} in the KG{closest_hint(value, names)}"
