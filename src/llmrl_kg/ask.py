"""Plain-English questions -> facets, using the KG's own labels as the vocabulary.

No language model, no network, no synonym table: the words a question may use
are the labels, alternative labels and notations the ontology gives its
taxonomy classes and code lists, and the labels and aliases of the models.
The question and every label are normalised the same way (case, hyphens,
a light suffix stemmer, a few function words dropped, negations unified), then
the longest phrases are matched. A content word that matches nothing is an
error that names it; a phrase that names things of several kinds is read by
a fixed precedence and reported as a note.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from . import namespaces as ns
from .facets import Condition, Facets
from .vocabulary import Concept, Vocabulary, closest_hint

# Words that carry no facet: articles, question scaffolding, prepositions, generic nouns.
FUNCTION_WORDS = frozenset("""
a an the any all some of in on for with by as to from and that which who whose what where how
is are was were be been being do does did have has having can could should would will
me us i we you it its their them they this these those there
show list find give get tell search look
use uses used using utilise utilize employ employs employing
improve improves improved improving improvement improvements
based approach approaches technique techniques work works paper papers study studies system systems
published introduced proposed released public available publicly
""".split())
NEGATIONS = frozenset({"no", "non", "not", "without", "never"})
# Every method here is reinforcement learning: alone, these words narrow nothing (they still count
# inside longer labels such as "RL fine-tuning" or "policy learning"). Normalised keys.
DOMAIN_WORDS = frozenset({"rl", "reinforcement", "learn"})
# "improves X": X is read as a metric first (the survey's metrics are "improvements in ...").
IMPROVE_WORDS = frozenset({"improve", "improves", "improved", "improving", "improvement", "improvements",
                           "better", "higher"})
YEAR_WORDS = frozenset({"since", "after", "before", "until", "till", "through", "between", "during", "from",
                        "to", "in", "and"})
# When a phrase names things of several kinds, this order decides (and a note says so).
PRECEDENCE = ("role", "modality", "code-model", "code", "fine-tuning", "metric", "rl-role", "fm-role")
KIND_NAMES = {"role": "role", "modality": "model type", "code-model": "model type", "code": "code",
              "fine-tuning": "fine-tuning", "metric": "metric", "rl-role": "RL role", "fm-role": "FM role"}
_WORD = re.compile(r"[^\W_]+(?:_[^\W_]+)*|\d+", re.UNICODE)


class QuestionError(ValueError):
    """The question has words that match nothing in the KG's vocabulary (the message names them)."""


def stem(word: str) -> str:
    """A light English suffix stemmer, enough to equate planners/planner, tuned/tuning, policies/policy."""
    if len(word) <= 3 or "_" in word or not word.isalpha():
        return word
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")):
        if word.endswith(suffix):
            return word[: -len(suffix)] + replacement
    if word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
                word = word[:-1]
            break
    return word


@dataclass
class Word:
    """A normalised word of the question, with the text it came from."""

    key: str
    text: str
    start: int
    end: int


def words(text: str) -> list[Word]:
    """The question's words: casefolded, stemmed, negations unified to `no`, function words kept."""
    text = unicodedata.normalize("NFC", text)
    out = []
    for match in _WORD.finditer(text):
        raw = match.group().casefold()
        key = "no" if raw in NEGATIONS else stem(raw)
        out.append(Word(key, match.group(), match.start(), match.end()))
    return out


def content_keys(text: str) -> tuple[str, ...]:
    """The normalised content words of a label (function words dropped)."""
    return tuple(w.key for w in words(text) if w.text.casefold() not in FUNCTION_WORDS)


@dataclass
class Reading:
    """What a question was understood to ask."""

    facets: Facets
    understood: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class _Entry:
    keys: tuple[str, ...]
    concept: Concept


class QuestionReader:
    """Maps questions onto facets with the vocabulary of one KG."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        self.entries: list[_Entry] = []
        # "methods", "models": the head nouns of the root classes (Method, Foundation model) say
        # nothing by themselves.
        self.generic = {content_keys(name)[-1] for c in vocabulary.concepts if c.kind == "any"
                        for name in [c.label or "", *c.alt_labels] if content_keys(name)} | DOMAIN_WORDS
        for concept in vocabulary.concepts:
            if concept.kind not in PRECEDENCE:
                continue
            names = [concept.label, *concept.alt_labels, concept.notation]
            for name in dict.fromkeys(n for n in names if n):
                keys = content_keys(name)
                if keys:
                    self.entries.append(_Entry(keys, concept))
        method_class = vocabulary.by_iri.get(ns.LLMRL + "Method")
        method_head = content_keys(method_class.label or "")[-1:] if method_class else ()
        for entry in list(self.entries):
            # "Planner method" is also just "planner".
            if entry.concept.kind == "role" and len(entry.keys) > 1 and entry.keys[-1:] == method_head:
                self.entries.append(_Entry(entry.keys[:-1], entry.concept))
        self.models = sorted(((name, m) for m in vocabulary.of_kind("model")
                              for name in [m.label or "", *m.alt_labels] if name),
                             key=lambda pair: -len(pair[0]))

    def read(self, question: str) -> Reading:
        """The facets of `question`; QuestionError if a content word cannot be placed."""
        reading = Reading(Facets())
        text = self._take_models(question, reading)
        tokens = [w for w in words(text)
                  if w.text.casefold() not in FUNCTION_WORDS - YEAR_WORDS - IMPROVE_WORDS]
        tokens = self._take_years(tokens, text, reading)
        unplaced: list[str] = []
        why: dict[str, str] = {}  # a reason for words that are known but cannot be used here
        negation: Word | None = None
        improves = False
        i = 0
        while i < len(tokens):
            if tokens[i].text.casefold() in IMPROVE_WORDS:
                improves = True
                i += 1
                continue
            span, kind, concepts, _exact, others = self._longest_match(tokens, i, "metric" if improves else None)
            improves = False
            if span == 0:
                token = tokens[i]
                if token.key == "no":
                    if negation is not None:
                        unplaced.append(negation.text)
                    negation = token
                elif token.key in self.generic:
                    pass
                elif token.key == "or":
                    unplaced.append(token.text)
                    why[token.text] = "every condition must hold: ask one question per alternative"
                else:
                    unplaced.append(token.text)
                i += 1
                continue
            said = " ".join(t.text for t in tokens[i:i + span])
            if negation is not None:
                said = f"{negation.text} {said}"
                if kind != "code":
                    unplaced.append(negation.text)
                negation = None
                negated = True
            else:
                negated = False
            self._add(reading, kind, concepts, said, negated)
            if others:
                reading.notes.append(f"{said!r} read as {KIND_NAMES[kind]}; it also names "
                                     + ", ".join(f"{KIND_NAMES[k]} {self._show(c)}" for k, c in others))
            i += span
        if negation is not None:
            unplaced.append(negation.text)
        for word in unplaced:
            if word.casefold() in NEGATIONS:
                why.setdefault(word, "only code can be negated (\"without code\"); ask for the opposite instead")
        if unplaced:
            names = [n for c in self.vocabulary.concepts for n in [c.label, *c.alt_labels, c.notation] if n]
            hints = "".join(f"\n  {word!r}" + (f": {why[word]}" if word in why else closest_hint(word, names))
                            for word in dict.fromkeys(unplaced))
            raise QuestionError("could not place these words of the question:" + hints +
                                "\nRephrase with the survey's terms (see `llmrl-kg methods --help`), or use "
                                "`llmrl-kg methods` options.")
        return reading

    def _show(self, concept: Concept) -> str:
        if concept.kind in ("rl-role", "fm-role", "metric", "fine-tuning") and concept.notation:
            return f"{concept.notation} ({concept.label})"
        return concept.label or concept.local_name

    def _take_models(self, question: str, reading: Reading) -> str:
        """Find model names in the raw text (longest first), record them and blank them out."""
        text = question
        folded = unicodedata.normalize("NFC", question).casefold()
        taken = [False] * len(folded)
        found: list[tuple[int, str, Concept]] = []
        for name, model in self.models:
            pattern = re.compile(r"(?<![\w])" + re.escape(name.casefold()) + r"(?![\w])")
            for match in pattern.finditer(folded):
                if any(taken[match.start():match.end()]):
                    continue
                for k in range(match.start(), match.end()):
                    taken[k] = True
                found.append((match.start(), question[match.start():match.end()], model))
        for start, said, model in sorted(found, key=lambda f: f[0]):
            reading.facets.conditions.append(Condition("model", (model.iri,), said))
            reading.understood.append(f"{said!r} -> model {model.label}")
        if len(folded) == len(question):
            text = "".join(" " if taken[k] else question[k] for k in range(len(question)))
        return text

    def _take_years(self, tokens: list[Word], text: str, reading: Reading) -> list[Word]:
        """Read year bounds ("since 2023", "before 2024", "2022-2023", "in 2024"); drop year words."""
        facets = reading.facets
        rest: list[Word] = []
        previous: str | None = None
        between = False
        last_year: Word | None = None
        for token in tokens:
            if re.fullmatch(r"(19|20)\d\d", token.text):
                year = int(token.text)
                if last_year is not None and text[last_year.end:token.start].strip() in ("-", "–", "—"):
                    previous = "to"
                last_year = token
                if previous in ("since", "from") or (between and facets.year_from is None):
                    facets.year_from = year
                elif previous == "after":
                    facets.year_from = year + 1
                elif previous == "before":
                    facets.year_to = year - 1
                elif previous in ("until", "till", "through", "to", "and") or (between and previous == "and"):
                    facets.year_to = year
                else:
                    facets.year_from = facets.year_to = year
                reading.understood.append(f"{(previous + ' ') if previous else ''}{token.text!r} -> year")
                previous = None
                continue
            key = token.text.casefold()
            if key in YEAR_WORDS:
                between = between or key == "between"
                previous = key
                continue
            previous = None
            rest.append(token)
        return rest

    def _longest_match(self, tokens: list[Word], i: int, prefer: str | None = None):
        """(span, kind, concepts, exact, other readings) of the longest phrase starting at token i."""
        for span in range(min(8, len(tokens) - i), 0, -1):
            phrase = tuple(t.key for t in tokens[i:i + span])
            exact = [e for e in self.entries if e.keys == phrase]
            if exact:
                return (span, *self._choose(exact, phrase, prefer), True, self._others(exact, prefer))
            if phrase in {(g,) for g in self.generic}:
                return 0, None, [], False, []
            partial = [e for e in self.entries
                       if len(e.keys) > span and e.keys[-span:] == phrase]  # the phrase is the label's head
            if partial:
                return (span, *self._choose(partial, phrase, prefer), False, self._others(partial, prefer))
        return 0, None, [], False, []

    def _choose(self, entries: list[_Entry], phrase: tuple[str, ...], prefer: str | None):
        kind = self._kinds(entries, prefer)[0]
        chosen = [e for e in entries if e.concept.kind == kind]
        if "no" not in phrase:
            # "fine-tuned" is the head of "full fine-tuning" and of "no fine-tuning": the plain word means
            # the positive ones; a negated label is only taken when the question negates too.
            positive = [e for e in chosen if "no" not in e.keys[: len(e.keys) - len(phrase)]]
            chosen = positive or chosen
        concepts = list({e.concept.iri: e.concept for e in chosen}.values())
        if kind == "role":  # keep the most general classes: planner, not also its two subclasses
            iris = {c.iri for c in concepts}
            concepts = [c for c in concepts if not (set(self._ancestors(c.iri)) & iris)]
        return kind, concepts

    def _kinds(self, entries: list[_Entry], prefer: str | None) -> list[str]:
        """The kinds the entries name, in reading order: the preferred kind, then by PRECEDENCE."""
        kinds = [k for k in PRECEDENCE if k in {e.concept.kind for e in entries}]
        if prefer in kinds:
            kinds.remove(prefer)
            kinds.insert(0, prefer)
        return kinds

    def _others(self, entries: list[_Entry], prefer: str | None) -> list[tuple[str, Concept]]:
        kinds = self._kinds(entries, prefer)
        others = {(k, e.concept.iri): e.concept for k in kinds[1:] for e in entries if e.concept.kind == k}
        return [(k, concept) for (k, _), concept in others.items()][:3]

    def _ancestors(self, iri: str) -> list[str]:
        concept = self.vocabulary.by_iri.get(iri)
        out = []
        for parent in concept.broader if concept else []:
            out += [parent, *self._ancestors(parent)]
        return out

    def _add(self, reading: Reading, kind: str, concepts: list[Concept], said: str, negated: bool) -> None:
        iris = tuple(sorted(c.iri for c in concepts))
        if kind == "code":
            reading.facets.conditions.append(Condition("code", (), said, negated=negated))
            reading.understood.append(f"{said!r} -> {'no public code' if negated else 'has public code'}")
            return
        facet_kind = "modality" if kind == "code-model" else kind
        reading.facets.conditions.append(Condition(facet_kind, iris, said))
        reading.understood.append(f"{said!r} -> {KIND_NAMES[kind]} " + " or ".join(self._show(c) for c in concepts))
