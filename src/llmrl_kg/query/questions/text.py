"""How a question is cut into words: casefolding, a light stemmer, negations unified.

A label of the KG and a question are normalised the same way, so that
"Planners", "planner" and "planning approaches" meet on the same keys.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

MAX_QUESTION_CHARS = 500
NEGATIONS = frozenset({"no", "non", "not", "without", "never", "excluding", "except"})
_WORD = re.compile(r"[A-Za-z]+n['’]t\b|[^\W_]+(?:_[^\W_]+)*(?:\.\d+)*|\d+(?:\.\d+)*|[✓×✗]\*?", re.UNICODE)


@lru_cache(maxsize=8192)
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
    else:
        if word.endswith("e") and len(word) >= 4:
            word = word[:-1]  # "tune" meets "tuned" and "tuning", "evaluate" meets "evaluated"
    return word


@dataclass
class Word:
    """A normalised word of the question, with the text it came from and where."""

    key: str
    text: str
    start: int
    end: int

    @property
    def folded(self) -> str:
        return self.text.casefold()


def words(text: str) -> list[Word]:
    """The words of `text`: casefolded, stemmed, negations unified to `no`."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for match in _WORD.finditer(text):
        raw = match.group().casefold()
        key = "no" if raw in NEGATIONS or raw.endswith(("n't", "n’t")) else stem(raw)
        out.append(Word(key, match.group(), match.start(), match.end()))
    return out


def keys(text: str, skip: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The normalised keys of the words of `text` (leaving out the words in `skip`); fast, for names."""
    found = (raw.casefold() for raw in _WORD.findall(unicodedata.normalize("NFKC", text)))
    return tuple("no" if raw in NEGATIONS or raw.endswith(("n't", "n’t")) else stem(raw)
                 for raw in found if raw not in skip)
