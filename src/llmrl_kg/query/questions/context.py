"""What every intent gets: the question's items, the lexicon, the store, and the answer it returns."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from llmrl_kg.query.output import ResultTable
from llmrl_kg.query.questions.interpret import FILLER, QuestionError, unplaced
from llmrl_kg.query.questions.lexicon import Lexicon, Sense
from llmrl_kg.query.questions.reading import Item
from llmrl_kg.query.vocabulary import closest_hint
from llmrl_kg.store.backends import Backend

# The things a question can be about by name (a card), in the order an ambiguous name is read.
ENTITY_KINDS = ("method", "model", "benchmark", "paper", "person", "organisation")


@dataclass
class QuestionAnswer:
    """The answer to a question: rows, how it was read, notes, and the SPARQL that ran."""

    table: ResultTable
    read_as: str
    understood: list[str] = field(default_factory=list)
    facets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sparql: str = ""
    intent: str = "list"


@dataclass
class Context:
    """One question being answered."""

    question: str
    items: list[Item]
    lexicon: Lexicon
    backend: Backend
    source: str = "any"
    notes: list[str] = field(default_factory=list)

    def words(self) -> list[str]:
        """The plain words of the question (casefolded), in order."""
        return [item.folded for item in self.items if item.kind in ("word", "or", "not")]

    def has(self, *words: str) -> bool:
        folded = set(self.words())
        return any(w in folded for w in words)

    def index_of(self, *words: str) -> list[int]:
        return [i for i, item in enumerate(self.items) if item.kind in ("word", "not", "or") and item.folded in words]

    def entities(self, kinds=ENTITY_KINDS) -> list[tuple[int, Sense]]:
        """(index, sense) of every item that names a thing of `kinds` (the first kind by ENTITY_KINDS)."""
        out = []
        for index, item in enumerate(self.items):
            if item.kind != "sense":
                continue
            senses = [s for s in item.senses if s.kind in kinds]
            if not senses:
                continue
            named = [s for s in senses if s.label.casefold() == item.folded]  # "MineDojo": the benchmark
            rank = {kind: i for i, kind in enumerate(kinds)}
            out.append((index, sorted(named or senses, key=lambda s: rank[s.kind])[0]))
        return out

    def check_all_used(self, used: set[int], allowed: frozenset[str] = frozenset()) -> None:
        """Refuse if an item is neither used nor filler (naming the words, with the closest names)."""
        left = unplaced(self.items, used, allowed)
        if left:
            raise QuestionError(refusal(left, self.lexicon, self.question))


def unknown_names(left: list[Item], lexicon: Lexicon, question: str) -> list[str]:
    """`'GPT-7' names nothing in the KG; closest: ...` for each run of unknown words that looks like a name."""
    question = unicodedata.normalize("NFKC", question)
    runs: list[list[Item]] = []
    for item in left:
        if item.kind != "word":
            continue
        if runs and 0 <= item.words[0].start - runs[-1][-1].words[-1].end <= 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    lines = []
    for run in runs:
        text = question[run[0].words[0].start:run[-1].words[-1].end]
        if len(run) < 2:
            continue
        from rapidfuzz import fuzz, process

        names = {n: s for n, s in lexicon.names.items() if s.kind in ENTITY_KINDS}
        close = process.extract(text.casefold(), list(names), scorer=fuzz.ratio, limit=3, score_cutoff=60)
        hint = f"; closest: {', '.join(names[c].label for c, _, _ in close)}" if close else ""
        lines.append(f"\n  {text!r} names nothing in the KG{hint}")
    return lines


def refusal(left: list[Item], lexicon: Lexicon, question: str = "") -> str:
    """The message naming the words that could not be placed."""
    names = [n for c in lexicon.vocabulary.concepts for n in [c.label, *c.alt_labels, c.notation] if n]
    lines = []
    for item in left:
        if item.kind == "sense":
            lines.append(f"\n  {item.said!r}: names {', '.join(s.show() for s in item.senses[:3])}, "
                         "which this question cannot use here")
        elif item.kind == "not":
            lines.append(f"\n  {item.said!r}: nothing it could negate")
        else:
            lines.append(f"\n  {item.said!r}" + closest_hint(item.said, names))
    lines += unknown_names(left, lexicon, question)
    return ("could not place these words of the question:" + "".join(dict.fromkeys(lines))
            + "\nRephrase with the survey's terms (`llmrl-kg codes` lists the codes, `llmrl-kg show NAME` "
              "shows a method, model or benchmark), or use `llmrl-kg methods` options.")


__all__ = ["Context", "QuestionAnswer", "QuestionError", "ENTITY_KINDS", "FILLER", "refusal"]
