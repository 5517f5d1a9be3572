"""A question cut into items: the KG's names it contains (longest match first), years, and other words.

The items keep the words they came from, so that an intent can say which
words it used and a refusal can name the words nobody used.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from llmrl_kg.query.questions.lexicon import SKIPPABLE, Lexicon, Sense
from llmrl_kg.query.questions.text import Word, words

FAMILY_MARKERS_BEFORE = frozenset({"any", "every"})
FAMILY_MARKERS_AFTER = frozenset({"models", "family", "series", "variants", "family's"})
_YEAR = re.compile(r"(19|20)\d\d")
MAX_SPAN = 30


@dataclass
class Item:
    """A piece of the question: a name of the KG (`sense`), a `year`, `not`, `or`, or a plain `word`."""

    kind: str
    words: list[Word]
    senses: list[Sense] = field(default_factory=list)
    exact: bool = True
    members: list[Sense] = field(default_factory=list)  # the models of a family
    raw: str = ""  # the question's text from the first word to the last

    @property
    def said(self) -> str:
        return self.raw or " ".join(w.text for w in self.words)

    @property
    def folded(self) -> str:
        return self.said.casefold()

    @property
    def year(self) -> int:
        return int(self.words[0].text)

    def kinds(self) -> list[str]:
        return list(dict.fromkeys(s.kind for s in self.senses))

    def of_kind(self, *kinds: str) -> list[Sense]:
        return [s for s in self.senses if s.kind in kinds]


def read_items(question: str, lexicon: Lexicon) -> list[Item]:
    """The items of `question`, left to right."""
    question = unicodedata.normalize("NFKC", question)
    tokens = words(question)
    items: list[Item] = []
    i = 0
    while i < len(tokens):
        family = _family(tokens, i, lexicon)
        if family is not None:
            items.append(family)
            i += len(family.words)
            continue
        end, exact = i, True
        senses: list[Sense] = []
        if tokens[i].folded not in SKIPPABLE:  # a name never starts with "a", "the", "of" ...
            end, senses = _longest(tokens, i, lexicon)
            if not senses:
                end, senses = _longest_tail(tokens, i, lexicon)
                exact = False
        if senses:
            items.append(Item("sense", tokens[i:end], senses, exact))
            i = end
            continue
        token = tokens[i]
        if _YEAR.fullmatch(token.text):
            items.append(Item("year", [token]))
        elif token.key == "no" and token.folded not in ("won't", "can't"):
            items.append(Item("not", [token]))
        elif token.folded == "or":
            items.append(Item("or", [token]))
        else:
            items.append(Item("word", [token]))
        i += 1
    for item in items:
        item.raw = question[item.words[0].start:item.words[-1].end]
    return items


def _family(tokens: list[Word], i: int, lexicon: Lexicon) -> Item | None:
    """`any GPT`, `Llama models`, `GPT family`: a model family, only when the question says so."""
    if tokens[i].folded in FAMILY_MARKERS_BEFORE and i + 1 < len(tokens):
        name = tokens[i + 1].folded
        if name in lexicon.families:
            return _family_item(tokens[i:i + 2], name, lexicon)
    name = tokens[i].folded
    if name in lexicon.families and i + 1 < len(tokens) and tokens[i + 1].folded in FAMILY_MARKERS_AFTER:
        return _family_item(tokens[i:i + 2], name, lexicon)
    return None


def _family_item(span: list[Word], name: str, lexicon: Lexicon) -> Item:
    members = lexicon.families[name]
    shown = next((w.text for w in span if w.folded == name), name)
    sense = Sense("family", "family:" + name, shown)
    return Item("sense", span, [sense], True, members)


def _longest(tokens: list[Word], i: int, lexicon: Lexicon) -> tuple[int, list[Sense]]:
    """The end and senses of the longest name starting at token i (skippable words may sit inside)."""
    best: tuple[int, list[Sense]] = (i, [])

    def walk(j: int, node: dict, depth: int) -> None:
        nonlocal best
        if depth > MAX_SPAN or j >= len(tokens):
            return
        child = node.get(tokens[j].key)
        if child is not None:
            if "$" in child and j + 1 > best[0]:
                best = (j + 1, child["$"])
            walk(j + 1, child, depth + 1)
        if j > i and tokens[j].folded in SKIPPABLE:
            walk(j + 1, node, depth + 1)

    walk(i, lexicon.trie, 0)
    return best[0], list(best[1])


def _longest_tail(tokens: list[Word], i: int, lexicon: Lexicon) -> tuple[int, list[Sense]]:
    """The longest head of a longer name starting at token i ("planners" of "LLM/VLM as Planner")."""
    for span in range(min(4, len(tokens) - i), 0, -1):
        phrase = tuple(t.key for t in tokens[i:i + span])
        senses = lexicon.tails.get(phrase)
        if senses:
            return i + span, list(senses)
    return i, []
