"""From items to conditions: which names are conditions, years and their bounds, `not`, `or`.

Every item a step uses is recorded; the words nobody used make the question
refused (a constraint is never dropped). Words in FILLER carry no meaning of
their own in any reading and may stay unused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from llmrl_kg.errors import UsageError
from llmrl_kg.query.conditions import SOURCES, Condition, Conditions
from llmrl_kg.query.questions.lexicon import KIND_NAMES, SKIPPABLE, Lexicon, Sense
from llmrl_kg.query.questions.reading import Item
from llmrl_kg.query.questions.text import keys
from llmrl_kg.query.vocabulary import CODE_CLASSES
from llmrl_kg.rdf.namespaces import LLMRL, PREFIXES


class QuestionError(UsageError, ValueError):
    """The question cannot be answered as asked; the message names the words it could not place."""


FILLER = SKIPPABLE | frozenset("""
which who whose what where how that there here me us i we you they them do does did have has having can could
should would will was were been being show list find give get tell search look display please all any some
use uses used using utilise utilize employ employs employing make makes making based built evaluated
evaluate tested test trained run runs applied developed made published introduced proposed released available
public publicly ones one also approach approaches technique techniques work works system systems rl
reinforcement learning learn kind type sort are is be s according among publication written authored but
""".split())
IMPROVE_WORDS = frozenset({"improve", "improves", "improved", "improving", "improvement", "improvements",
                           "better", "higher"})
YEAR_OPS = frozenset({"since", "after", "before", "until", "till", "through", "from", "in", "during", "to",
                      "between", "and", "by", "of"})
LATER = frozenset({"later", "onwards", "onward", "after", "newer"})
EARLIER = frozenset({"earlier", "before", "older"})
# When a name is several kinds of condition, this order decides (and a note says so).
PRECEDENCE = ("role", "modality", "code-model", "code", "fine-tuning", "metric", "rl-role", "fm-role",
              "rl-setting", "rl-agent", "rl-task", "open-weights", "model", "family", "organisation",
              "benchmark", "person", "document")


@dataclass
class Parsed:
    """Conditions read from a question, what each item was understood as, and the items used."""

    conditions: Conditions = field(default_factory=Conditions)
    understood: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    used: set[int] = field(default_factory=set)


def condition_senses(item: Item, prefer: str | None = None) -> tuple[str | None, list[Sense]]:
    """The kind an item is read as (by precedence) and its senses of that kind."""
    kinds = [k for k in PRECEDENCE if k in item.kinds()]
    if prefer in kinds:
        kinds.remove(prefer)
        kinds.insert(0, prefer)
    if not kinds:
        return None, []
    chosen = item.of_kind(kinds[0])
    if "no" not in keys(item.said):
        # "fine-tuned" is the head of "full fine-tuning" and "no fine-tuning": the plain word means
        # the positive ones.
        positive = [s for s in chosen if "no" not in keys(s.label) and s.notation != "×"]
        chosen = positive or chosen
    return kinds[0], chosen


def read_conditions(items: list[Item], lexicon: Lexicon, question: str, skip: set[int] | None = None,
                    source: str = "any") -> Parsed:
    """The conditions of `items` (those not in `skip`); QuestionError on a bad `not`, `or` or year."""
    parsed = Parsed(Conditions(source=source))
    skip = skip or set()
    question = unicodedata.normalize("NFKC", question)  # the items' offsets are in this form
    _read_years(items, question, parsed, skip)
    negation: int | None = None
    join_or: int | None = None
    improves = False
    for index, item in enumerate(items):
        if index in skip or index in parsed.used:
            if negation is not None and index in parsed.used:
                raise QuestionError(f"{items[negation].said!r} stands before {item.said!r}, which cannot be negated; "
                                    "ask for the years you want ('before 2023', 'since 2024')")
            continue
        if item.kind == "word" and item.folded in IMPROVE_WORDS:
            improves = True
            continue
        if item.kind == "not":
            if negation is not None:
                raise QuestionError(f"two negations in a row ({items[negation].said!r}, {item.said!r}): "
                                    "ask for the positive condition instead")
            negation = index
            continue
        if item.kind == "or":
            if not parsed.conditions.items or join_or is not None:
                raise QuestionError(f"{item.said!r} must join two conditions of the same kind")
            join_or = index
            continue
        if item.kind != "sense":
            continue
        if _connective_or_class_name(items, index):
            parsed.used.add(index)
            continue
        kind, senses = condition_senses(item, "metric" if improves else None)
        improves = False
        if kind is None:
            if negation is not None:
                raise QuestionError(f"{items[negation].said!r} stands before {item.said!r}, which it cannot negate")
            continue
        if kind == "document":
            parsed.conditions.source = _source(senses[0].iri, parsed.conditions.source, item.said)
            parsed.used.add(index)
            parsed.understood.append(f"{item.said!r} -> rows of the {senses[0].label.split(',')[0]}")
            continue
        if kind == "organisation" and not _near_a_model_word(items, index):
            raise QuestionError(f"{item.said!r} is an organisation that develops models; ask for the methods "
                                f"using its models ('methods using {item.said} models')")
        condition = _condition(item, kind, senses, lexicon, parsed)
        condition = _add(parsed, items, index, condition, negation, join_or, question)
        negation = join_or = None
        parsed.understood.append(_understood(item, kind, senses, condition))
    if negation is not None:
        raise QuestionError(f"{items[negation].said!r} is not followed by a condition it could negate")
    if join_or is not None:
        raise QuestionError(f"{items[join_or].said!r} is not followed by a condition")
    _models_first(parsed)
    return parsed


def _connective_or_class_name(items: list[Item], index: int) -> bool:
    """True for a word that only links or names: "both GPT-4 and GPT-3.5" (a conjunction, not the RL
    setting "both"), "FM role wm", "the ALFWorld benchmark" (the class named beside its member)."""
    item = items[index]
    if item.folded in ("both", "either") and any(i.folded in ("and", "or") for i in items[index + 1:]):
        return True
    return _names_class_of_neighbour(items, index)


def _add(parsed: Parsed, items: list[Item], index: int, condition: Condition, negation: int | None,
         join_or: int | None, question: str) -> Condition:
    """Add a condition: negated after `not`, merged with the previous one after `or` or a slash."""
    if negation is not None:
        condition = Condition(condition.kind, condition.values, f"{items[negation].said} {condition.said}", True)
        parsed.used.add(negation)
    if join_or is None and _slashed(items, index, question, parsed):
        _merge_or(parsed, condition, "/")  # "LLM/VLM": one or the other
    elif join_or is not None:
        _merge_or(parsed, condition, items[join_or].said)
        parsed.used.add(join_or)
    elif condition not in parsed.conditions.items:  # "planners planners ..." is one condition
        parsed.conditions.items.append(condition)
    parsed.used.add(index)
    return condition


def _models_first(parsed: Parsed) -> None:
    """Conditions on named models come first (as `llmrl-kg methods` and earlier readings list them)."""
    conditions = parsed.conditions.items
    first = [c for c in conditions if c.kind == "model"]
    parsed.conditions.items = first + [c for c in conditions if c.kind != "model"]
    said = {repr(c.said) for c in first}
    lines = [line for line in parsed.understood if line.split(" -> ")[0] in said]
    parsed.understood = lines + [line for line in parsed.understood if line not in lines]


def class_kinds() -> dict[str, str]:
    """The kind of condition each class names: the code lists' classes (from the ontology), benchmarks, organisations."""
    return {**{iri: kind for kind, iri in CODE_CLASSES.items()}, LLMRL + "Benchmark": "benchmark",
            PREFIXES["foaf"] + "Organization": "organisation"}


def _names_class_of_neighbour(items: list[Item], index: int) -> bool:
    """Whether `items[index]` names a class ("RL role", "benchmark") whose member is the item before or after."""
    if items[index].kinds() != ["class"]:
        return False
    class_kind = class_kinds()
    kinds = {class_kind[s.iri] for s in items[index].senses if s.iri in class_kind}
    if not kinds:
        return False
    neighbours = [items[i] for i in (index - 1, index + 1) if 0 <= i < len(items)]
    return any(n.kind == "sense" and kinds & set(n.kinds()) for n in neighbours)


MODEL_WORDS = frozenset({"model", "models", "llm", "llms", "vlm", "vlms"})


def _near_a_model_word(items: list[Item], index: int) -> bool:
    """`Google models`, `models developed by Google`, `LLMs by OpenAI`: an organisation of models."""
    for near in items[max(0, index - 3):index + 2]:
        if near.kind == "word" and near.folded in MODEL_WORDS:
            return True
        if near.kind == "sense" and (near.of_kind("modality", "code-model") or any(
                s.iri == LLMRL + "FoundationModel" for s in near.senses)):
            return True
    return False


def _source(document: str, current: str, said: str) -> str:
    """The `source` a document name asks for (readme or paper); both in one question is an error."""
    wanted = next((name for name, docs in SOURCES.items() if docs == (document,)), "any")
    if current not in ("any", wanted):
        raise QuestionError(f"{said!r}: the question names both documents; ask about one, or about either")
    return wanted


def _condition(item: Item, kind: str, senses: list[Sense], lexicon: Lexicon, parsed: Parsed) -> Condition:
    others = [k for k in PRECEDENCE if k in item.kinds() and k != kind]
    if others:
        parsed.notes.append(f"{item.said!r} read as {KIND_NAMES[kind]}; it also names "
                            + ", ".join(f"{KIND_NAMES[k]} {s.show()}" for k in others
                                        for s in item.of_kind(k))[:300])
    if kind == "role":  # keep the most general classes: planner, not also its two subclasses
        iris = {s.iri for s in senses}
        senses = [s for s in senses if not (set(_ancestors(lexicon, s.iri)) & iris)]
    if kind == "family":
        return Condition("model", tuple(sorted(m.iri for m in item.members)), item.said)
    if kind in ("code", "open-weights"):
        return Condition(kind, (), item.said)
    facet_kind = "modality" if kind == "code-model" else kind
    return Condition(facet_kind, tuple(sorted({s.iri for s in senses})), item.said)


def _ancestors(lexicon: Lexicon, iri: str) -> list[str]:
    concept = lexicon.vocabulary.by_iri.get(iri)
    out: list[str] = []
    for parent in concept.broader if concept else []:
        out += [parent, *_ancestors(lexicon, parent)]
    return out


def _understood(item: Item, kind: str, senses: list[Sense], condition: Condition) -> str:
    if kind == "code":
        return f"{condition.said!r} -> {'no public code' if condition.negated else 'has public code'}"
    if kind == "open-weights":
        return f"{condition.said!r} -> {'no ' if condition.negated else ''}open-weights model"
    if kind == "family":
        return f"{condition.said!r} -> model family {item.senses[0].label}: " + ", ".join(
            m.label for m in item.members)
    names = [s.show() for s in senses if s.iri in condition.values] or [s.show() for s in senses]
    prefix = "not " if condition.negated else ""
    return f"{condition.said!r} -> {prefix}{KIND_NAMES[kind]} " + " or ".join(names)


def _slashed(items: list[Item], index: int, question: str, parsed: Parsed) -> bool:
    """Whether items[index] follows the previous condition's item across a slash ("LLM/VLM")."""
    previous = items[index - 1] if index > 0 else None
    if previous is None or index - 1 not in parsed.used or previous.kind != "sense" or not parsed.conditions.items:
        return False
    gap = question[previous.words[-1].end:items[index].words[0].start]
    return gap.strip() == "/"


def _merge_or(parsed: Parsed, condition: Condition, said: str) -> None:
    previous = parsed.conditions.items[-1]
    if previous.kind != condition.kind or previous.negated or condition.negated or previous.kind == "code":
        raise QuestionError(f"{said!r} joins conditions of different kinds ({previous.said!r}, "
                            f"{condition.said!r}): ask one question per alternative")
    parsed.conditions.items[-1] = Condition(previous.kind, tuple(sorted(set(previous.values) | set(condition.values))),
                                            f"{previous.said} {said} {condition.said}")


def _read_years(items: list[Item], question: str, parsed: Parsed, skip: set[int]) -> None:
    """Year bounds: `in/from 2023` (that year), `since`, `after`, `before`, `until`, ranges, `or later`."""
    bounds: list[tuple[int | None, int | None]] = []
    index = 0
    while index < len(items):
        item = items[index]
        if item.kind != "year" or index in skip:
            index += 1
            continue
        year = item.year
        op = _word(items, index - 1)
        parsed.used.add(index)
        low: int | None = year
        high: int | None = year
        if op in YEAR_OPS and op not in ("and", "to"):
            parsed.used.add(index - 1)
        if op == "since":
            high = None
        elif op == "after":
            low, high = year + 1, None
        elif op == "before":
            low, high = None, year - 1
        elif op in ("until", "till", "through", "by"):
            low = None
        end = _range_end(items, index, question, op)
        if end is not None:
            high = items[end].year
            parsed.used.update(range(index + 1, end + 1))
            index = end
        elif op == "between":
            raise QuestionError(f"'between {year}' needs a second year ('between {year} and ...')")
        later = _word(items, index + 2) if _word(items, index + 1) in ("or", "and") else None
        if later in LATER or _word(items, index + 1) in ("onwards", "onward"):
            high = None
            parsed.used.update({index + 1, index + 2} if later else {index + 1})
        elif later in EARLIER:
            low = None
            parsed.used.update({index + 1, index + 2})
        bounds.append((low, high))
        said = f"{op + ' ' if op in YEAR_OPS - {'and', 'to', 'of'} else ''}{item.said!r}"
        parsed.understood.append(f"{said} -> year")
        index += 1
    if len(bounds) > 1:
        raise QuestionError("the question gives several separate years; ask for one year or one range "
                            "('between 2022 and 2023', 'since 2023')")
    if bounds:
        low, high = bounds[0]
        if low is not None and high is not None and low > high:
            raise QuestionError(f"the years run backwards ({low} to {high}); ask 'from {high} to {low}'")
        parsed.conditions.year_from, parsed.conditions.year_to = bounds[0]


def _range_end(items: list[Item], index: int, question: str, op: str | None) -> int | None:
    """The index of the second year of `2022-2023`, `from 2022 to 2023`, `between 2022 and 2023`."""
    nxt = index + 1
    if nxt < len(items) and items[nxt].kind == "year":
        gap = question[items[index].words[-1].end:items[nxt].words[0].start].strip()
        if gap in ("-", "–", "—", "to"):
            return nxt
    joiners = ("to", "until", "through", "till") + (("and",) if op == "between" else ())
    if nxt + 1 < len(items) and items[nxt + 1].kind == "year" and _word(items, nxt) in joiners:
        return nxt + 1
    return None


def _word(items: list[Item], index: int) -> str | None:
    if 0 <= index < len(items) and items[index].kind in ("word", "or"):
        return items[index].folded
    return None


def unplaced(items: list[Item], used: set[int], allowed: frozenset[str] = frozenset()) -> list[Item]:
    """The items no step used and that are not filler."""
    out = []
    for index, item in enumerate(items):
        if index in used:
            continue
        if item.kind == "word" and (item.folded in FILLER or item.folded in allowed
                                    or item.folded in IMPROVE_WORDS or re.fullmatch(r"\W+", item.folded)):
            continue
        if item.kind == "sense" and item.kinds() == ["any"]:
            continue  # "methods", "foundation models": the head noun of the question
        out.append(item)
    return out
