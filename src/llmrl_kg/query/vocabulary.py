"""The KG's own vocabulary: code lists and models read from the graph, the taxonomy from the ontology.

Nothing here is a hard-coded synonym table: codes are matched against the
concepts' `skos:notation`, local names and labels, models against their
`rdfs:label` and `skos:altLabel`, as the ontology and data state them; the
classes and the command-line names come from kg/model.py.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from llmrl_kg.errors import UsageError
from llmrl_kg.kg import model
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.rdf.namespaces import local_name
from llmrl_kg.store.backends import Backend, Term, plain_value

PREFIXES = (f"PREFIX llmrl: <{ns.LLMRL}>\nPREFIX rdfs: <{ns.RDFS}>\n"
            f"PREFIX skos: <{ns.SKOS}>\nPREFIX owl: <{ns.OWL}>\n")

# The names the CLI and the saved queries use, each table read from the ontology (kg/model.py):
# code-list classes by kind (rl-role, fine-tuning, ...) and how messages name each kind.
CODE_CLASSES = model.CODE_KINDS
KIND_LABELS = model.CODE_LABELS
# `--role` of `llmrl-kg methods`: the role groups and sub-roles (old spellings accepted) -> classes.
ROLE_CLASSES = model.ROLES
# `--modality`: the kinds of model (llm, vlm) -> their classes.
MODALITY_CLASSES = model.MODALITIES


class UnknownValue(UsageError, ValueError):
    """A value that names nothing in the KG; the message lists the accepted values or the closest names."""


@dataclass
class Concept:
    """A code-list concept (or a taxonomy class, or a model): its IRI and every name it goes by."""

    iri: str
    kind: str
    notation: str | None = None
    label: str | None = None
    alt_labels: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)

    @property
    def local_name(self) -> str:
        return local_name(self.iri.rstrip("/"))

    @property
    def display(self) -> str:
        """How to show the concept: its notation (the survey's code), else its label."""
        return self.notation or self.label or self.local_name

    def names(self) -> list[str]:
        """Every name the concept can be given by: notation, its ASCII spelling, local name, labels."""
        names = [n for n in (self.notation, ascii_spelling(self.notation), self.local_name, self.label) if n]
        return names + self.alt_labels


def ascii_spelling(text: str | None) -> str | None:
    """`π_l` -> `pi_l`, `τ_π` -> `tau_pi`: Greek letters spelled out by their Unicode names."""
    if not text:
        return None
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        name = unicodedata.name(char, "")
        if name.startswith("GREEK SMALL LETTER "):
            out.append(name.removeprefix("GREEK SMALL LETTER ").lower())
        else:
            return None  # no plain spelling (e.g. the check mark)
    spelled = "".join(out)
    return spelled if spelled != text else None


def _key(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold().strip()


class Vocabulary:
    """Code lists, taxonomy classes and models of the KG, with lookups by any of their names."""

    def __init__(self, concepts: list[Concept], cache_key: str | None = None) -> None:
        self.concepts = concepts
        self.by_iri = {c.iri: c for c in concepts}
        self.cache_key = cache_key  # the dataset cache entry it was read from (see `load`)

    @classmethod
    def load(cls, backend: Backend) -> "Vocabulary":
        """Code lists and models from the KG through `backend` (two small queries); classes from the ontology.

        For a store loaded from the dataset cache, the concepts are cached beside it, under its key.
        """
        from llmrl_kg.rdf.cache import cache_dir, cached_json

        key = getattr(backend, "cache_key", None)
        path = cache_dir() / f"vocabulary-{key}.json" if key else None
        concepts = cached_json(path, lambda: _read_concepts(backend), _concept_rows, _concepts_of_rows)
        return cls(concepts, key)

    def of_kind(self, kind: str) -> list[Concept]:
        """The concepts of one kind (a key of CODE_CLASSES, or role, modality, model, code), sorted."""
        return sorted((c for c in self.concepts if c.kind == kind), key=lambda c: (c.display.casefold(), c.iri))

    def accepted(self, kind: str) -> str:
        """A readable list of the accepted values of a code kind: `π (pi), π_l (pi_l), ...`."""
        parts = []
        for concept in self.of_kind(kind):
            plain = concept.local_name if concept.local_name != concept.notation else None
            parts.append(f"{concept.notation} ({plain})" if plain else str(concept.notation))
        return ", ".join(parts)

    def code(self, kind: str, value: str) -> Concept:
        """The concept of code list `kind` that `value` names (notation, ASCII, local name or label)."""
        matches = {c.iri: c for c in self.of_kind(kind) if _key(value) in {_key(n) for n in c.names()}}
        if len(matches) == 1:
            return next(iter(matches.values()))
        label = KIND_LABELS.get(kind, kind)
        if matches:
            raise UnknownValue(f"{value!r} is ambiguous as {label}: it names "
                               f"{', '.join(c.display for c in matches.values())}")
        raise UnknownValue(f"{value!r} is not {label} code; accepted values: {self.accepted(kind)}")

    def model(self, name: str) -> Concept:
        """The model whose label or alias is `name` (ignoring case); a model, not a family."""
        key = _key(name)
        matches = [m for m in self.of_kind("model") if key in {_key(n) for n in [m.label or ""] + m.alt_labels}]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise UnknownValue(f"model {name!r} is ambiguous: it names {', '.join(m.display for m in matches)}")
        raise UnknownValue(f"model {name!r} is not in the KG{closest_hint(name, self.model_names())}")

    def model_names(self) -> list[str]:
        """Every model label and alias."""
        return [n for m in self.of_kind("model") for n in [m.label or ""] + m.alt_labels if n]


def _read_concepts(backend: Backend) -> list[Concept]:
    concepts: dict[str, Concept] = {}
    for concept in [*_codes(backend), *_classes(model.ontology()), *_models(backend)]:
        concepts.setdefault(concept.iri, concept)
    return list(concepts.values())


def _concept_rows(concepts: list[Concept]) -> list[list]:
    return [[c.iri, c.kind, c.notation, c.label, c.alt_labels, c.broader] for c in concepts]


def _concepts_of_rows(rows: Any) -> list[Concept]:
    concepts = []
    for iri, kind, notation, label, alt_labels, broader in rows:
        if not all(isinstance(v, str) for v in (iri, kind, *alt_labels, *broader)) \
                or not all(v is None or isinstance(v, str) for v in (notation, label)):
            raise TypeError("a concept row of the wrong shape")
        concepts.append(Concept(iri, kind, notation, label, list(alt_labels), list(broader)))
    return concepts


def closest_hint(value: str, candidates: list[str], n: int = 3) -> str:
    """`; closest: a, b, c` (case-insensitive), or an empty string when nothing is close."""
    folded: dict[str, str] = {}
    for candidate in candidates:
        folded.setdefault(candidate.casefold(), candidate)
    close = difflib.get_close_matches(value.casefold(), list(folded), n=n, cutoff=0.5)
    return f"; closest: {', '.join(folded[c] for c in close)}" if close else ""


def _add(values: list[str], value: str | None) -> None:
    if value is not None and value not in values:
        values.append(value)


def _iri(term: Term | None) -> str:
    """The IRI a row binds (the queries below bind their concept variables to IRIs only)."""
    if not isinstance(term, ox.NamedNode):
        raise TypeError(f"expected an IRI, not {term!r}")
    return term.value


def _text(term: Term | None) -> str | None:
    """A name (notation, label) or IRI a row may bind, as text; None when unbound."""
    value = plain_value(term)
    return None if value is None else str(value)


def _codes(backend: Backend) -> list[Concept]:
    """The concepts of the code lists, with notation, labels and broader concepts."""
    from llmrl_kg.rdf.sparqltext import values_block

    kind_of = dict((iri, kind) for kind, iri in CODE_CLASSES.items())
    rows = backend.select(PREFIXES + """
        SELECT ?c ?class ?notation ?pref ?alt ?broader WHERE {
          ?c a ?class . FILTER(isIRI(?c))
          """ + values_block("class", [ox.NamedNode(iri) for iri in kind_of]) + """
          OPTIONAL { ?c skos:notation ?notation }
          OPTIONAL { ?c skos:prefLabel ?pref }
          OPTIONAL { ?c skos:altLabel ?alt }
          OPTIONAL { ?c skos:broader ?broader }
        } ORDER BY ?c ?alt ?broader""").rows
    concepts: dict[str, Concept] = {}
    for row in rows:
        iri = _iri(row["c"])
        concept = concepts.setdefault(iri, Concept(iri, kind_of[_iri(row["class"])]))
        concept.notation = _text(row["notation"]) or concept.notation
        concept.label = _text(row["pref"]) or concept.label
        _add(concept.alt_labels, _text(row["alt"]))
        _add(concept.broader, _text(row["broader"]))
    return list(concepts.values())


def _classes(ontology: model.Ontology) -> list[Concept]:
    """The ontology's classes a question can name, roles first, each part sorted by IRI.

    Kinds: role (below llmrl:Method), modality (llm, vlm), code-model (below those),
    any (the two roots) and code (code repositories).
    """
    kinds = {iri: "role" for iri in ontology.below(model.METHOD)}
    kinds |= {iri: "code-model" for iri in ontology.below(model.FOUNDATION_MODEL)}
    kinds |= {term.iri: "modality" for term in ontology.modalities()}
    kinds |= {model.METHOD: "any", model.FOUNDATION_MODEL: "any", ns.LLMRL + "CodeRepository": "code"}
    concepts = []
    for iri in sorted(kinds, key=lambda c: (kinds[c] != "role", c)):
        term = ontology.classes.get(iri)
        if term is None:
            continue
        concepts.append(Concept(iri, kinds[iri], label=term.label, alt_labels=list(term.alt_labels),
                                broader=list(term.parents) if kinds[iri] == "role" else []))
    return concepts


def _models(backend: Backend) -> list[Concept]:
    """The KG's own models with their labels and aliases."""
    from llmrl_kg.rdf.sparqltext import term_ntriples

    rows = backend.select(PREFIXES + """
        SELECT DISTINCT ?m ?label ?alt WHERE {
          ?m a/rdfs:subClassOf* llmrl:FoundationModel ; rdfs:label ?label .
          # The KG's own models (an owl:sameAs link would make an external entity a model too).
          FILTER(STRSTARTS(STR(?m), """ + term_ntriples(ox.Literal(ns.MODEL)) + """))
          OPTIONAL { ?m skos:altLabel ?alt }
        } ORDER BY ?m ?alt""").rows
    concepts: dict[str, Concept] = {}
    for row in rows:
        iri = _iri(row["m"])
        concept = concepts.setdefault(iri, Concept(iri, "model"))
        concept.label = _text(row["label"])
        _add(concept.alt_labels, _text(row["alt"]))
    return list(concepts.values())
