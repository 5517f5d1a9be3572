"""Plain-English questions, using the KG's own labels as the vocabulary (see `llmrl_kg.query.questions`).

No language model, no network, no synonym table: the words a question may use
are the names the KG gives its classes, codes, models, methods, benchmarks,
papers, authors and organisations, normalised the same way as the question.

`QuestionReader` reads the conditions of a list question without running it
(it needs only a `Vocabulary`); `ask` answers any question on a backend.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from llmrl_kg.query.conditions import Conditions
from llmrl_kg.query.questions import QuestionAnswer, QuestionError, answer_question, parse
from llmrl_kg.query.questions.context import Context
from llmrl_kg.query.questions.interpret import read_conditions
from llmrl_kg.query.questions.lexicon import Lexicon
from llmrl_kg.query.questions.text import stem, words
from llmrl_kg.query.vocabulary import Vocabulary
from llmrl_kg.store.backends import Backend


@dataclass
class Reading:
    """What a list question was understood to ask."""

    conditions: Conditions
    understood: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class QuestionReader:
    """Reads the conditions of list questions with the vocabulary of one KG (no store needed)."""

    def __init__(self, vocabulary: Vocabulary, lexicon: Lexicon | None = None) -> None:
        self.vocabulary = vocabulary
        self.lexicon = lexicon or Lexicon(vocabulary)

    def read(self, question: str) -> Reading:
        """The conditions of `question`; QuestionError if a word cannot be placed."""
        ctx = Context(question, parse(question, self.lexicon), self.lexicon, cast(Backend, None))  # no query runs
        parsed = read_conditions(ctx.items, self.lexicon, question)
        from llmrl_kg.query.questions.lists import heads

        method_heads, model_heads = heads(ctx)
        ctx.check_all_used(parsed.used | method_heads | model_heads)
        return Reading(parsed.conditions, parsed.understood, parsed.notes)


def ask(question: str, backend: Backend, lexicon: Lexicon, source: str = "any") -> QuestionAnswer:
    """Answer `question` on `backend` (QuestionError names any word it cannot place)."""
    return answer_question(question, lexicon, backend, source)


__all__ = ["QuestionError", "QuestionReader", "Reading", "ask", "stem", "words"]
