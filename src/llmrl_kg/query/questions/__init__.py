"""Questions in plain English over the KG: no language model, no network, the KG's own vocabulary.

A question is cut into items (names of the KG, years, words), then the
intents are tried in a fixed order; the first that recognises the question
answers it, and refuses it if any word is left that it could not use:

    compare      "compare SayCan and Inner Monologue"
    count        "how many reward models are there?"
    superlative  "which model is used most?"
    definition   "what does rft mean?"
    yes/no       "does Eureka fine-tune its model?", "are there planners using VLMs?"
    fact / card  "who wrote Reflexion?", "what is Eureka?"
    class list   "list all benchmarks"
    list         "non-fine-tuned planners using GPT-4 since 2023"
"""

from __future__ import annotations

from llmrl_kg.query.questions.context import Context, QuestionAnswer, QuestionError
from llmrl_kg.query.questions.facts import (
    COMPARE_WORDS,
    MEANING_WORDS,
    STRONG_WORDS,
    WEAK_WORDS,
    WHAT_IS,
    answer_compare,
    answer_definition,
    answer_fact,
    answer_fact_count,
)
from llmrl_kg.query.questions.interpret import FILLER, IMPROVE_WORDS, YEAR_OPS
from llmrl_kg.query.questions.lexicon import Lexicon
from llmrl_kg.query.questions.lists import (
    LIST_WORDS,
    MODEL_HEADS,
    THING_WORDS,
    answer_class_list,
    answer_count,
    answer_exists,
    answer_list,
    answer_yes_no,
)
from llmrl_kg.query.questions.ranking import LEAST, MOST, SUPERLATIVE_WORDS, WORD_DIMENSIONS, answer_superlative
from llmrl_kg.query.questions.reading import Item, read_items
from llmrl_kg.query.questions.text import MAX_QUESTION_CHARS
from llmrl_kg.store.backends import Backend

INTENTS = (answer_compare, answer_fact_count, answer_count, answer_superlative, answer_definition, answer_exists, answer_yes_no,
           answer_fact, answer_class_list)
CHANGE_WORDS = frozenset({"delete", "remove", "insert", "update", "modify", "drop", "rename", "add", "change",
                          "edit", "replace", "set", "overwrite", "erase", "clear"})
FUZZY_KINDS = ("method", "model", "benchmark", "organisation")
# The words the intents use: never "corrected" into a name ("least" is not LAST).
GRAMMAR = (FILLER | CHANGE_WORDS | STRONG_WORDS.keys() | WEAK_WORDS.keys() | MOST | LEAST | SUPERLATIVE_WORDS
           | COMPARE_WORDS | MEANING_WORDS | WHAT_IS | IMPROVE_WORDS | YEAR_OPS | THING_WORDS.keys() | MODEL_HEADS
           | WORD_DIMENSIONS.keys() | LIST_WORDS | {"many", "number", "count", "total", "later", "earlier", "onwards"})
FUZZY_CUTOFF = 85


def answer_question(question: str, lexicon: Lexicon, backend: Backend, source: str = "any") -> QuestionAnswer:
    """Answer `question` from the KG behind `backend`; QuestionError says what could not be understood."""
    items = parse(question, lexicon)
    ctx = Context(question, items, lexicon, backend, source)
    ctx.notes.extend(correct_misspellings(ctx))
    for intent in INTENTS:
        answer = intent(ctx)
        if answer is not None:
            return answer
    return answer_list(ctx)


def parse(question: str, lexicon: Lexicon) -> list[Item]:
    """The items of a question, after the checks every question must pass."""
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(question)} characters long; ask in at most "
                            f"{MAX_QUESTION_CHARS}")
    if not question.strip():
        raise QuestionError("the question is empty")
    items = read_items(question, lexicon)
    changes = [item.said for item in items if item.kind == "word" and item.folded in CHANGE_WORDS]
    if changes:
        raise QuestionError(f"{changes[0]!r}: `ask` only reads the KG, it never changes it; add a method with "
                            "`llmrl-kg new`, or edit the files under data/")
    if not items:
        raise QuestionError("the question has no words")
    return items


def correct_misspellings(ctx: Context) -> list[str]:
    """Read an unknown word as the one name of a method, model, benchmark or organisation it is close to."""
    notes: list[str] = []
    candidates = [i for i, item in enumerate(ctx.items) if item.kind == "word" and item.folded not in GRAMMAR
                  and len(item.folded) >= 5 and item.folded.isalpha()]
    if not candidates:
        return notes
    from rapidfuzz import fuzz, process  # only when a word is unknown: keeps start-up fast

    choices = {name: sense for name, sense in ctx.lexicon.names.items() if sense.kind in FUZZY_KINDS}
    for index in candidates:
        item = ctx.items[index]
        found = process.extract(item.folded, list(choices), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=2)
        senses = {choices[name].iri for name, _, _ in found}
        if len(senses) != 1:
            continue
        sense = choices[found[0][0]]
        ctx.items[index] = Item("sense", item.words, [sense], True, raw=item.raw)
        notes.append(f"{item.said!r} read as {sense.label!r}, the closest name in the KG (did you mean {sense.label}?)")
    return notes


__all__ = ["answer_question", "QuestionAnswer", "QuestionError", "Lexicon", "parse"]
