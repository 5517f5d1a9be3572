"""The KG's own vocabulary, read from the graph: code lists, the method taxonomy, models.

Nothing here is a hard-coded synonym table: codes are matched against the
concepts' `skos:notation`, local names and labels, models against their
`rdfs:label` and `skos:altLabel`, as the ontology and data state them.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field

from . import namespaces as ns
from .backends import Backend, plain_value

PREFIXES = (f"PREFIX llmrl: <{ns.LLMRL}>\nPREFIX rdfs: <{ns.RDFS}>\n"
            f"PREFIX skos: <{ns.SKOS}>\nPREFIX owl: <{ns.OWL}>\n")

# Code-list classes, by the name the CLI and the saved queries use for them.
CODE_CLASSES = {
    "rl-role": ns.LLMRL + "RLRole",
    "fm-role": ns.LLMRL + "FMRole",
    "fine-tuning": ns.LLMRL + "FineTuningType",
    "metric": ns.LLMRL + "Metric",
    "rl-agent": ns.LLMRL + "RLAgentType",
    "rl-task": ns.LLMRL + "RLTaskType",
    "rl-setting": ns.LLMRL + "RLSetting",
}

KIND_LABELS = {"rl-role": "an RL-role", "fm-role": "an FM-role", "fine-tuning": "a fine-tuning",
               "metric": "a metric", "rl-agent": "an RL-agent", "rl-task": "an RL-task",
               "rl-setting": "an RL-setting"}

# The `--role` values of `llmrl-kg methods` (fixed by the CLI's contract) and their classes.
ROLE_CLASSES = {
    "agent": ns.LLMRL + "AgentMethod",
    "planner": ns.LLMRL + "PlannerMethod",
    "reward": ns.LLMRL + "RewardMethod",
    "parametric": ns.LLMRL + "ParametricAgent",
    "non-parametric": ns.LLMRL + "NonParametricAgent",
    "comprehensive": ns.LLMRL + "ComprehensivePlanner",
    "incremental": ns.LLMRL + "IncrementalPlanner",
    "reward-function": ns.LLMRL + "RewardFunctionMethod",
    "reward-model": ns.LLMRL + "RewardModelMethod",
}

# The `--modality` values and the model classes they stand for.
MODALITY_CLASSES = {
    "llm": ns.LLMRL + "LargeLanguageModel",
    "vlm": ns.LLMRL + "VisionLanguageModel",
}


class UnknownValue(ValueError):
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
        return self.iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

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

    def __init__(self, concepts: list[Concept]) -> None:
        self.concepts = concepts
        self.by_iri = {c.iri: c for c in concepts}

    @classmethod
    def load(cls, backend: Backend) -> "Vocabulary":
        """Read the vocabulary from the KG through `backend` (three small queries)."""
        concepts: dict[str, Concept] = {}
        kind_of = {iri: kind for kind, iri in CODE_CLASSES.items()}
        rows = backend.select(PREFIXES + """
            SELECT ?c ?class ?notation ?pref ?alt ?broader WHERE {
              ?c a ?class . FILTER(isIRI(?c))
              VALUES ?class { %s }
              OPTIONAL { ?c skos:notation ?notation }
              OPTIONAL { ?c skos:prefLabel ?pref }
              OPTIONAL { ?c skos:altLabel ?alt }
              OPTIONAL { ?c skos:broader ?broader }
            } ORDER BY ?c ?alt ?broader""" % " ".join(f"<{iri}>" for iri in CODE_CLASSES.values())).rows
        for row in rows:
            iri = plain_value(row["c"])
            concept = concepts.setdefault(iri, Concept(iri, kind_of[plain_value(row["class"])]))
            concept.notation = plain_value(row["notation"]) or concept.notation
            concept.label = plain_value(row["pref"]) or concept.label
            _add(concept.alt_labels, plain_value(row["alt"]))
            _add(concept.broader, plain_value(row["broader"]))

        rows = backend.select(PREFIXES + """
            SELECT ?c ?label ?alt ?super WHERE {
              ?c rdfs:subClassOf+ llmrl:Method . FILTER(isIRI(?c) && ?c != owl:Nothing)
              OPTIONAL { ?c rdfs:label ?label }
              OPTIONAL { ?c skos:altLabel ?alt }
              OPTIONAL { ?c rdfs:subClassOf ?super . FILTER(isIRI(?super) && ?super != ?c) }
            } ORDER BY ?c ?alt ?super""").rows
        rows += backend.select(PREFIXES + """
            SELECT ?c ?label ?alt ?super WHERE {
              VALUES ?c { llmrl:Method llmrl:LargeLanguageModel llmrl:VisionLanguageModel
                          llmrl:CodeLanguageModel llmrl:FoundationModel llmrl:CodeRepository }
              OPTIONAL { ?c rdfs:label ?label }
              OPTIONAL { ?c skos:altLabel ?alt }
            } ORDER BY ?c ?alt""").rows
        for row in rows:
            iri = plain_value(row["c"])
            kind = "role" if iri not in MODALITY_CLASSES.values() else "modality"
            if iri in (ns.LLMRL + "Method", ns.LLMRL + "FoundationModel"):
                kind = "any"
            elif iri == ns.LLMRL + "CodeLanguageModel":
                kind = "code-model"
            elif iri == ns.LLMRL + "CodeRepository":
                kind = "code"
            concept = concepts.setdefault(iri, Concept(iri, kind))
            concept.label = plain_value(row["label"]) or concept.label
            _add(concept.alt_labels, plain_value(row["alt"]))
            _add(concept.broader, plain_value(row.get("super")))

        rows = backend.select(PREFIXES + """
            SELECT DISTINCT ?m ?label ?alt WHERE {
              ?m a/rdfs:subClassOf* llmrl:FoundationModel ; rdfs:label ?label .
              # The KG's own models (an owl:sameAs link would make an external entity a model too).
              FILTER(STRSTARTS(STR(?m), "%s"))
              OPTIONAL { ?m skos:altLabel ?alt }
            } ORDER BY ?m ?alt""" % ns.MODEL).rows
        for row in rows:
            iri = plain_value(row["m"])
            concept = concepts.setdefault(iri, Concept(iri, "model"))
            concept.label = plain_value(row["label"])
            _add(concept.alt_labels, plain_value(row["alt"]))
        return cls(list(concepts.values()))

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
            raise UnknownValue(f"model {name!r} is ambiguous: it names {', '.join(m.label for m in matches)}")
        raise UnknownValue(f"model {name!r} is not in the KG{closest_hint(name, self.model_names())}")

    def model_names(self) -> list[str]:
        """Every model label and alias."""
        return [n for m in self.of_kind("model") for n in [m.label or ""] + m.alt_labels if n]

    def subclasses(self, iri: str) -> set[str]:
        """The taxonomy classes below `iri` (transitively), not including it."""
        below = {c.iri for c in self.concepts if iri in c.broader}
        for child in list(below):
            below |= self.subclasses(child)
        return below


def closest_hint(value: str, candidates: list[str], n: int = 3) -> str:
    """`; closest: a, b, c` (case-insensitive), or an empty string when nothing is close."""
    folded = {}
    for candidate in candidates:
        folded.setdefault(candidate.casefold(), candidate)
    close = difflib.get_close_matches(value.casefold(), list(folded), n=n, cutoff=0.5)
    return f"; closest: {', '.join(folded[c] for c in close)}" if close else ""


def _add(values: list[str], value) -> None:
    if value is not None and value not in values:
        values.append(value)
