"""The words a question may use, read from the KG when it is loaded: nothing is listed in the code.

Every name the KG gives a thing becomes a phrase of the lexicon: the labels,
alternative labels and notations of the taxonomy classes and code lists (from
the `Vocabulary`), the labels and aliases of models, methods, benchmarks and
organisations, paper titles, author names, the survey's topics and the
ontology's own classes. A phrase is the tuple of normalised keys of a name
(function words dropped), stored in a trie for longest-match lookup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from llmrl_kg.query.questions.text import keys
from llmrl_kg.query.vocabulary import Concept, Vocabulary, ascii_spelling
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.store.backends import Backend, plain_value

# Words that never carry meaning inside a name ("LLM/VLM as Agent", "Lai and Zang", titles).
SKIPPABLE = frozenset("""
a an the of in on for with by as to from and via at into is are be its their it this that
""".split())
# Head nouns that say nothing alone ("methods", "approaches", "models").
# Every method here is reinforcement learning: alone, "RL" or "learning" narrows nothing (they still count
# inside whole names such as "RL fine-tuning" or "policy learning").
GENERIC = frozenset({"method", "approach", "model", "technique", "work", "system", "framework", "algorithm",
                     "rl", "reinforcement", "learn", "learning", "language", "with", "as"})
# The kinds a code or class concept of the Vocabulary can have, and the entities read here.
CONCEPT_KINDS = ("role", "modality", "code-model", "code", "fine-tuning", "metric", "rl-role", "fm-role",
                 "rl-agent", "rl-setting", "rl-task", "any")
ENTITY_KINDS = ("method", "model", "benchmark", "organisation", "person", "paper", "topic", "class")
KIND_NAMES = {"role": "role", "modality": "model type", "code-model": "model type", "code": "code",
              "fine-tuning": "fine-tuning", "metric": "metric", "rl-role": "RL role", "fm-role": "FM role",
              "rl-agent": "RL agent", "rl-task": "RL task", "rl-setting": "RL setting", "method": "method",
              "model": "model", "benchmark": "benchmark", "organisation": "organisation", "person": "author",
              "paper": "paper", "topic": "topic", "class": "class", "family": "model family",
              "open-weights": "open weights", "any": "class", "document": "source document"}

_ENTITIES = f"""
PREFIX llmrl: <{ns.LLMRL}>
PREFIX rdfs: <{ns.RDFS}>
PREFIX skos: <{ns.SKOS}>
PREFIX foaf: <{ns.PREFIXES['foaf']}>
PREFIX dcterms: <{ns.PREFIXES['dcterms']}>
PREFIX owl: <{ns.OWL}>
SELECT ?s ?kind ?name ?main WHERE {{
  {{ ?s a llmrl:Method . BIND("method" AS ?kind) ?s rdfs:label ?main . ?s rdfs:label|skos:altLabel ?name }}
  UNION {{ ?s a llmrl:Benchmark . BIND("benchmark" AS ?kind) ?s rdfs:label ?main .
           ?s rdfs:label|skos:altLabel ?name }}
  UNION {{ ?s a foaf:Organization . BIND("organisation" AS ?kind) ?s rdfs:label ?main .
           ?s rdfs:label|foaf:name|skos:altLabel ?name }}
  UNION {{ ?s a foaf:Person . BIND("person" AS ?kind) ?s foaf:name ?main . BIND(?main AS ?name) }}
  UNION {{ ?s a llmrl:Paper . BIND("paper" AS ?kind) ?s dcterms:title ?main . BIND(?main AS ?name) }}
  UNION {{ ?s a ?topic . VALUES ?topic {{ llmrl:Challenge llmrl:ResearchDirection }} BIND("topic" AS ?kind)
           ?s skos:prefLabel ?main . ?s skos:prefLabel|skos:altLabel ?name }}
  UNION {{ ?s a owl:Class ; skos:definition ?d . BIND("class" AS ?kind) ?s rdfs:label ?main .
           ?s rdfs:label|skos:altLabel ?name }}
  UNION {{ ?s a llmrl:SourceDocument ; rdfs:label ?main . BIND("document" AS ?kind)
           BIND(REPLACE(STR(?s), "^.*/", "") AS ?name) }}
  UNION {{ ?s a llmrl:SourceDocument ; rdfs:label ?label . BIND("document" AS ?kind) BIND(?label AS ?main)
           BIND(REPLACE(?label, "[,(].*$", "") AS ?name) }}
  UNION {{ VALUES ?s {{ llmrl:openWeights }} BIND("open-weights" AS ?kind) ?s rdfs:label ?main .
           BIND(?main AS ?name) }}
  FILTER(isIRI(?s) && (STRSTARTS(STR(?s), "https://w3id.org/llmrl-kg/") || ?s IN (foaf:Person, foaf:Organization)))
}}"""


@dataclass(frozen=True)
class Sense:
    """One thing a phrase can name: its kind, IRI and the name to show."""

    kind: str
    iri: str
    label: str
    notation: str | None = None

    def show(self) -> str:
        """`π_l (language-conditioned policy learning)` for codes, the label otherwise."""
        if self.notation and self.kind in ("rl-role", "fm-role", "metric", "fine-tuning", "rl-agent",
                                           "rl-task", "rl-setting"):
            return f"{self.notation} ({self.label})"
        return self.label


@dataclass
class Entity:
    """A named thing of the KG that is not a code or class of the Vocabulary."""

    iri: str
    kind: str
    label: str
    names: list[str] = field(default_factory=list)


class Lexicon:
    """Phrases -> senses, for the whole KG; built once per question reader."""

    def __init__(self, vocabulary: Vocabulary, entities: list[Entity] | None = None) -> None:
        self.vocabulary = vocabulary
        self.trie: dict = {}
        self.names: dict[str, Sense] = {}  # every name, casefolded -> a sense (for suggestions)
        self.senses_by_iri: dict[str, list[Sense]] = {}
        for concept in vocabulary.concepts:
            self._add_concept(concept)
        for entity in entities or []:
            sense = Sense(entity.kind, entity.iri, entity.label)
            for name in dict.fromkeys([entity.label, *entity.names]):
                self.add(name, sense)
                if entity.kind == "paper" and ":" in name:
                    self.add(name.split(":", 1)[0], sense)  # "Eureka: Human-Level ..." is also "Eureka"
        self.families = self._families()
        self.tails = self._tails()

    @classmethod
    def load(cls, backend: Backend, vocabulary: Vocabulary) -> "Lexicon":
        """The lexicon of the KG behind `backend` (one query besides the Vocabulary's).

        For a store loaded from the dataset cache (and its vocabulary), the built tables are cached
        beside it, under its key: a warm `ask` or `show` reads them instead of building them.
        """
        from llmrl_kg.rdf.cache import cache_dir, cached_json

        key = getattr(backend, "cache_key", None)
        path = cache_dir() / f"lexicon-{key}.json" if key and vocabulary.cache_key == key else None
        return cached_json(path, lambda: cls.build(backend, vocabulary), _tables,
                           lambda tables: _from_tables(cls, vocabulary, tables))

    @classmethod
    def build(cls, backend: Backend, vocabulary: Vocabulary) -> "Lexicon":
        """The lexicon of the KG behind `backend`, built from its names (see `load`)."""
        entities: dict[tuple[str, str], Entity] = {}
        for row in backend.select(_ENTITIES).rows:
            iri, kind = str(plain_value(row["s"])), str(plain_value(row["kind"]))
            if kind == "class" and iri in vocabulary.by_iri:
                continue  # taxonomy classes come from the Vocabulary
            entity = entities.setdefault((iri, kind), Entity(iri, kind, str(plain_value(row["main"]))))
            name = str(plain_value(row["name"]))
            if name not in entity.names:
                entity.names.append(name)
        ordered = sorted(entities.values(), key=lambda e: (e.kind, e.iri))
        return cls(vocabulary, ordered)

    def _add_concept(self, concept: Concept) -> None:
        kind = concept.kind
        sense = Sense(kind, concept.iri, concept.label or concept.local_name, concept.notation)
        self.senses_by_iri.setdefault(concept.iri, []).append(sense)
        for name in dict.fromkeys(n for n in [concept.label, *concept.alt_labels] if n):
            self.add(name, sense)
            phrase = content_keys(name)
            if kind == "role" and len(phrase) > 1 and phrase[-1] == "method":
                self.add(name, sense, phrase=phrase[:-1])  # "Planner method" is also "planner"
            if kind in ("modality", "code-model") and len(phrase) > 1 and phrase[-1] == "model":
                self.add(name, sense, phrase=phrase[:-1])  # "vision-language reward models"
        if concept.notation:  # codes are indexed word for word: "n/a" must not become "n"
            for spelling in (concept.notation, ascii_spelling(concept.notation)):
                if spelling:
                    self.add(spelling, sense, phrase=keys(spelling))

    def add(self, name: str, sense: Sense, phrase: tuple[str, ...] | None = None) -> None:
        """Index `name` (its content keys, or `phrase`) as a phrase naming `sense`."""
        phrase = content_keys(name) if phrase is None else phrase
        if not phrase:
            return
        node = self.trie
        for key in phrase:
            node = node.setdefault(key, {})
        senses = node.setdefault("$", [])
        if sense not in senses:
            senses.append(sense)
        self.names.setdefault(name.casefold(), sense)
        if sense not in self.senses_by_iri.setdefault(sense.iri, []):
            self.senses_by_iri[sense.iri].append(sense)

    def _families(self) -> dict[str, list[Sense]]:
        """Model families: models whose label starts with the same name (GPT-3, GPT-4 ... -> GPT)."""
        families: dict[str, list[Sense]] = {}
        for model in self.vocabulary.of_kind("model"):
            match = re.match(r"[A-Za-z]+", model.label or "")
            if match:
                families.setdefault(match.group().casefold(), []).append(
                    Sense("model", model.iri, model.label or model.local_name))
        return {name: members for name, members in families.items() if len(name) >= 3}

    def _tails(self) -> dict[tuple[str, ...], list[Sense]]:
        """The last words of a longer name ("planners" of "LLM/VLM as Planner"), for a phrase's head noun.

        A tail that starts with a complete name of its own ("VLM agent" of "LLM/VLM as Agent") is not
        kept: "VLM agents" must read as VLM + agent, never drop the model type.
        """
        tails: dict[tuple[str, ...], list[Sense]] = {}

        def walk(node: dict, path: tuple[str, ...]) -> None:
            for key, child in node.items():
                if key == "$":
                    continue
                phrase = path + (key,)
                for sense in child.get("$", []):
                    if sense.kind not in CONCEPT_KINDS:
                        continue
                    for start in range(1, len(phrase)):
                        tail = phrase[start:]
                        if self.lookup(tail[:1]) and len(tail) > 1:
                            continue
                        if len(tail) == 1 and tail[0] in GENERIC:
                            continue
                        bucket = tails.setdefault(tail, [])
                        if sense not in bucket:
                            bucket.append(sense)
                walk(child, phrase)

        walk(self.trie, ())
        return tails

    def lookup(self, phrase: tuple[str, ...]) -> list[Sense]:
        """The senses of exactly this phrase (normalised keys)."""
        node: dict | None = self.trie
        for key in phrase:
            node = node.get(key) if node is not None else None
        return list(node.get("$", [])) if node is not None else []

    def label(self, iri: str) -> str:
        """The name to show for a thing of the KG."""
        senses = self.senses_by_iri.get(iri)
        return senses[0].show() if senses else iri


def _tables(lexicon: Lexicon) -> dict:
    """The lexicon's tables as JSON-able values, each sense written once and named by its number."""
    numbers: dict[Sense, int] = {}

    def number(sense: Sense) -> int:
        return numbers.setdefault(sense, len(numbers))

    def trie(node: dict) -> dict:
        return {key: [number(s) for s in child] if key == "$" else trie(child) for key, child in node.items()}

    tables = {"trie": trie(lexicon.trie),
              "names": {name: number(sense) for name, sense in lexicon.names.items()},
              "senses_by_iri": {iri: [number(s) for s in senses] for iri, senses in lexicon.senses_by_iri.items()},
              "families": {name: [number(s) for s in senses] for name, senses in lexicon.families.items()},
              "tails": [[list(tail), [number(s) for s in senses]] for tail, senses in lexicon.tails.items()]}
    tables["senses"] = [[s.kind, s.iri, s.label, s.notation] for s in numbers]
    return tables


def _from_tables(cls: type[Lexicon], vocabulary: Vocabulary, tables: Any) -> Lexicon:
    """The lexicon whose tables `_tables` wrote (KeyError, TypeError, ... for tables of another shape)."""
    senses = [Sense(*row) for row in tables["senses"]]
    if not all(isinstance(v, str) for s in senses for v in (s.kind, s.iri, s.label)):
        raise TypeError("a sense of the wrong shape")

    def trie(node: dict) -> dict:
        return {key: [senses[n] for n in child] if key == "$" else trie(child) for key, child in node.items()}

    lexicon = cls.__new__(cls)
    lexicon.vocabulary = vocabulary
    lexicon.trie = trie(tables["trie"])
    lexicon.names = {name: senses[n] for name, n in tables["names"].items()}
    lexicon.senses_by_iri = {iri: [senses[n] for n in group] for iri, group in tables["senses_by_iri"].items()}
    lexicon.families = {name: [senses[n] for n in group] for name, group in tables["families"].items()}
    lexicon.tails = {tuple(tail): [senses[n] for n in group] for tail, group in tables["tails"]}
    return lexicon


def content_keys(text: str) -> tuple[str, ...]:
    """The normalised keys of a name, without the words that never carry meaning inside a name."""
    return keys(text, SKIPPABLE)


__all__ = ["Lexicon", "Sense", "Entity", "content_keys", "keys", "KIND_NAMES", "SKIPPABLE"]
