"""Lists with conditions, counts and yes/no questions: all answered by the same conditions.

"planners using GPT-4 since 2023" lists methods; "how many ..." counts the
same list; "does Eureka fine-tune its model?" asks whether Eureka is on it.
Questions about models only ("open-weights models", "VLMs by Google") list
the KG's models.
"""

from __future__ import annotations

from llmrl_kg.query.conditions import (
    MODEL_PATHS,
    PREFIXES,
    Condition,
    Conditions,
    condition_patterns,
    find_methods,
    find_models,
    method_query,
)
from llmrl_kg.query.output import ResultTable
from llmrl_kg.query.questions.context import Context, QuestionAnswer, QuestionError
from llmrl_kg.query.questions.interpret import Parsed, read_conditions
from llmrl_kg.query.vocabulary import CODE_CLASSES
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.store.backends import plain_value

MODEL_HEADS = frozenset({"model", "models", "llms", "vlms"})
YES_NO_STARTS = frozenset({"does", "do", "is", "are", "was", "were", "did", "has", "have", "can", "uses"})


def heads(ctx: Context) -> tuple[set[int], set[int]]:
    """The indexes of method head nouns ("methods") and model head nouns ("models", "foundation models")."""
    method: set[int] = set()
    model: set[int] = set()
    for index, item in enumerate(ctx.items):
        if item.kind == "sense" and item.kinds() == ["any"]:
            (method if item.senses[0].iri == ns.LLMRL + "Method" else model).add(index)
        elif item.kind == "word" and item.folded in MODEL_HEADS:
            model.add(index)
        elif item.kind == "sense" and item.kinds() == ["family"] and item.words[0].folded not in ("any", "every"):
            model.add(index)  # "Llama models": the models of the family
    return method, model


def wants_models(ctx: Context, parsed: Parsed, method_heads: set[int], model_heads: set[int]) -> bool:
    """Whether the question lists models rather than methods."""
    kinds = {c.kind for c in parsed.conditions.items}
    if method_heads or parsed.conditions.year_from is not None or parsed.conditions.year_to is not None:
        return False
    if not kinds <= set(MODEL_PATHS):
        return False
    # "VLMs" alone lists the methods that use one (as `llmrl-kg methods --modality vlm`); "VLM models",
    # "open-weights models" list the models.
    return bool(model_heads)


def describe(ctx: Context, conditions: Conditions) -> tuple[list[str], str]:
    """The explanation lines and the `kind = value` summary of conditions."""
    return conditions.describe(ctx.lexicon.label), " · ".join(conditions.summary(ctx.lexicon.label))


def answer_list(ctx: Context) -> QuestionAnswer:
    """A list of methods (or models) with every condition the question states."""
    parsed = read_conditions(ctx.items, ctx.lexicon, ctx.question, source=ctx.source)
    method_heads, model_heads = heads(ctx)
    models = wants_models(ctx, parsed, method_heads, model_heads)
    ctx.check_all_used(parsed.used | method_heads | model_heads)
    if not parsed.conditions.items and parsed.conditions.year_from is None and parsed.conditions.year_to is None \
            and not method_heads and not model_heads:
        raise QuestionError("the question names nothing to look for; ask about methods, models, benchmarks, "
                            "papers or the survey's codes")
    facets, summary = describe(ctx, parsed.conditions)
    if models:
        table, query = find_models(ctx.backend, parsed.conditions)
        read_as = "models" + (f" · {summary}" if summary else "")
    else:
        table, query = find_methods(ctx.backend, parsed.conditions)
        read_as = "methods" + (f" · {summary}" if summary else "")
        parsed.notes += text_only_note(ctx, parsed.conditions, table)
    return QuestionAnswer(table, read_as, parsed.understood, facets, ctx.notes + parsed.notes, query,
                          "list")


def text_only_note(ctx: Context, conditions: Conditions, table: ResultTable) -> list[str]:
    """Methods discussed only in the survey's text have no table rows, so lists leave them out: say so."""
    if any(c.kind not in ("role", "benchmark", "person", "paper") or c.negated for c in conditions.items):
        return []
    query = PREFIXES + "SELECT DISTINCT ?method WHERE {\n  ?method_iri a llmrl:Method ; rdfs:label ?method .\n" \
        "  FILTER NOT EXISTS { ?any llmrl:entryOf ?method_iri ; a llmrl:MethodEntry }\n" \
        + "\n".join(condition_patterns(conditions)) + "\n} ORDER BY ?method"
    names = [str(plain_value(r["method"])) for r in ctx.backend.select(query).rows]
    if not names:
        return []
    return ["the list has the methods of the survey's tables; also matching, discussed only in its text: "
            + ", ".join(names)]


# --- counts --------------------------------------------------------------------------------------

COUNT_CLASSES = {
    "benchmark": ns.LLMRL + "Benchmark", "paper": ns.LLMRL + "Paper", "person": ns.PREFIXES["foaf"] + "Person",
    "organisation": ns.PREFIXES["foaf"] + "Organization",
}
THING_WORDS = {"authors": "person", "author": "person", "people": "person", "persons": "person",
               "organisations": "organisation", "organizations": "organisation", "organisation": "organisation",
               "organization": "organisation", "companies": "organisation", "labs": "organisation",
               "developers": "organisation", "papers": "paper", "paper": "paper"}


def count_words(ctx: Context) -> set[int] | None:
    """The indexes of `how many`, `number of`, `count`, or None when the question does not count."""
    words = ctx.items
    for i, item in enumerate(words):
        if item.kind != "word":
            continue
        nxt = words[i + 1].folded if i + 1 < len(words) and words[i + 1].kind == "word" else ""
        if item.folded == "how" and nxt == "many":
            return {i, i + 1}
        if item.folded == "number" and nxt == "of":
            return {i, i + 1}
        if item.folded in ("count", "total"):
            return {i}
    return None


def answer_count(ctx: Context) -> QuestionAnswer | None:
    """`how many ...`: the number of rows of the same list (methods, models) or of things of a class."""
    used = count_words(ctx)
    if used is None:
        return None
    thing = _counted_class(ctx, used)
    if thing is not None:
        return thing
    answer = answer_list(_without(ctx, used))
    count = len(answer.table.rows)
    what = answer.read_as
    return QuestionAnswer(ResultTable(["count"], [{"count": count}]), f"count of {what}", answer.understood,
                          answer.facets, answer.notes, answer.sparql, "count")


def _without(ctx: Context, used: set[int]) -> Context:
    items = [item for i, item in enumerate(ctx.items) if i not in used]
    return Context(ctx.question, items, ctx.lexicon, ctx.backend, ctx.source, ctx.notes)


def _counted_class(ctx: Context, used: set[int]) -> QuestionAnswer | None:
    """`how many benchmarks / papers / authors / metrics are there?`: instances of one class."""
    for index, item in enumerate(ctx.items):
        iri = None
        if item.kind == "sense" and item.of_kind("class"):
            iri = item.of_kind("class")[0].iri
        elif item.kind == "word" and item.folded in THING_WORDS:
            iri = COUNT_CLASSES[THING_WORDS[item.folded]]
        if iri is None:
            continue
        ctx.check_all_used(used | {index}, frozenset({"there", "kg", "graph", "survey"}))
        query = (PREFIXES + f"SELECT (COUNT(DISTINCT ?x) AS ?count) WHERE {{\n  ?x a <{iri}> .\n"
                 '  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "https://w3id.org/llmrl-kg/"))\n}\n')
        count = plain_value(ctx.backend.select(query).rows[0]["count"])
        label = ctx.lexicon.label(iri) if iri in ctx.lexicon.senses_by_iri else item.said
        return QuestionAnswer(ResultTable(["count"], [{"count": count}]), f"count of {label} (every one in the KG)",
                              [f"{item.said!r} -> class {label}"], [], ctx.notes, query, "count")
    return None


# --- yes / no ------------------------------------------------------------------------------------

def answer_yes_no(ctx: Context) -> QuestionAnswer | None:
    """`does Eureka fine-tune its model?`, `is GPT-4 open weights?`: is the thing on the list?"""
    if not ctx.items or ctx.items[0].kind != "word" or ctx.items[0].folded not in YES_NO_STARTS:
        return None
    subjects = ctx.entities(("method",)) or ctx.entities(("model",))
    if not subjects:
        return None
    index, sense = subjects[0]
    rest = [item for i, item in enumerate(ctx.items) if i != index]
    sub = Context(ctx.question, rest, ctx.lexicon, ctx.backend, ctx.source, ctx.notes)
    parsed = read_conditions(sub.items, sub.lexicon, sub.question, source=ctx.source)
    method_heads, model_heads = heads(sub)
    sub.check_all_used(parsed.used | method_heads | model_heads, frozenset({"its", "their", "it"}))
    if not parsed.conditions.items and parsed.conditions.year_from is None and parsed.conditions.year_to is None:
        return None  # "is Eureka ...?" with no condition: a question about Eureka itself
    if sense.kind == "model" and not {c.kind for c in parsed.conditions.items} <= set(MODEL_PATHS):
        raise QuestionError(f"{sense.label!r} is a model; ask about the methods that use it instead")
    conditions = Conditions([Condition(sense.kind, (sense.iri,), ctx.items[index].said), *parsed.conditions.items],
                            parsed.conditions.year_from, parsed.conditions.year_to, ctx.source)
    finder = find_models if sense.kind == "model" else find_methods
    table, query = finder(ctx.backend, conditions)
    facets, summary = describe(ctx, conditions)
    answer = "yes" if table.rows else "no"
    evidence = _evidence(ctx, sense, parsed.conditions)
    row = {"answer": answer, sense.kind: sense.label, "evidence": evidence}
    understood = [f"{ctx.items[index].said!r} -> {sense.kind} {sense.label}", *parsed.understood]
    return QuestionAnswer(ResultTable(["answer", sense.kind, "evidence"], [row]), f"yes/no · {summary}",
                          understood, facets, ctx.notes + parsed.notes, query, "yes/no")


# Which card fields show the evidence for a kind of condition.
EVIDENCE_FIELDS = {"model": ["models"], "modality": ["models"], "family": ["models"], "organisation": ["models"],
                   "open-weights": ["models"], "fine-tuning": ["fine-tuning"], "rl-role": ["RL roles"],
                   "fm-role": ["FM roles"], "metric": ["metrics"], "rl-agent": ["RL agent"], "rl-task": ["RL task"],
                   "rl-setting": ["RL setting"], "code": ["code"], "role": ["category"], "benchmark": ["benchmarks"],
                   "person": ["authors", "creators"], "paper": ["title"]}
MODEL_EVIDENCE = {"modality": ["type"], "organisation": ["developer"], "open-weights": ["open weights"],
                  "model": ["name"]}


def _evidence(ctx: Context, sense, conditions: Conditions) -> str:
    from llmrl_kg.query.cards import card_facts

    table = MODEL_EVIDENCE if sense.kind == "model" else EVIDENCE_FIELDS
    fields = [f for c in conditions.items for f in table.get(c.kind, [])]
    if conditions.year_from is not None or conditions.year_to is not None:
        fields.append("year")
    facts, _ = card_facts(ctx.backend, sense.iri, sense.kind, list(dict.fromkeys(fields)))
    parts = []
    for field in dict.fromkeys(fields):
        by_doc: dict[str, list[str]] = {}
        for fact in facts:
            if fact.field == field:
                by_doc.setdefault(fact.doc or "", []).append(fact.value)
        if not by_doc:
            parts.append(f"{field}: none stated")
        for doc, values in by_doc.items():
            parts.append(f"{field}{' (' + doc + ')' if doc else ''}: {', '.join(values)}")
    return "; ".join(parts)


__all__ = ["answer_list", "answer_count", "answer_yes_no", "method_query"]


# --- existence and lists of other things ---------------------------------------------------------

def answer_exists(ctx: Context) -> QuestionAnswer | None:
    """`are there planners using VLMs?`: yes/no on the list, the list's first names as evidence."""
    items = ctx.items
    if len(items) < 3 or items[0].folded not in ("is", "are") or items[1].folded not in ("there", "any"):
        return None
    answer = answer_list(_without(ctx, {0, 1}))
    key = answer.table.columns[0]
    names = [str(r[key]) for r in answer.table.rows]
    evidence = ", ".join(names[:10]) + (f" and {len(names) - 10} more" if len(names) > 10 else "")
    row = {"answer": "yes" if names else "no", "evidence": evidence or "none found"}
    return QuestionAnswer(ResultTable(["answer", "evidence"], [row]), f"yes/no · any {answer.read_as}",
                          answer.understood, answer.facets, answer.notes, answer.sparql, "yes/no")


LIST_WORDS = frozenset({"list", "show", "all", "every", "which", "what", "are", "there", "the", "in", "kg", "graph"})


def answer_class_list(ctx: Context) -> QuestionAnswer | None:
    """`list all benchmarks`, `which authors are there?`: every member of one class, by name."""
    if sum(1 for item in ctx.items if item.kind == "sense") > 1:
        return None  # "methods using the ALFWorld benchmark": the class is beside a condition
    for index, item in enumerate(ctx.items):
        iri = None
        if item.kind == "sense" and item.kinds() == ["class"]:
            iri = item.senses[0].iri
        elif item.kind == "word" and item.folded in THING_WORDS:
            iri = COUNT_CLASSES[THING_WORDS[item.folded]]
        if iri is None:
            continue
        ctx.check_all_used({index}, LIST_WORDS)
        if iri in CODE_CLASSES.values():
            from llmrl_kg.query.legend import legend

            kind = next(k for k, v in CODE_CLASSES.items() if v == iri)
            table, query = legend(ctx.backend, kind)
            return QuestionAnswer(table, f"codes · {kind}", [f"{item.said!r} -> code list {kind}"], [], ctx.notes,
                                  query, "codes")
        label = ctx.lexicon.label(iri) if iri in ctx.lexicon.senses_by_iri else item.said
        query = (PREFIXES + "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
                 f"SELECT ?x (SAMPLE(?label) AS ?name) WHERE {{\n  ?x a <{iri}> .\n"
                 "  ?x rdfs:label|foaf:name|dcterms:title|skos:prefLabel ?label .\n"
                 '  FILTER(isIRI(?x) && STRSTARTS(STR(?x), "https://w3id.org/llmrl-kg/"))\n} GROUP BY ?x\n')
        names = sorted((str(plain_value(r["name"])) for r in ctx.backend.select(query).rows), key=str.casefold)
        column = label.casefold()
        return QuestionAnswer(ResultTable([column], [{column: n} for n in names]), f"every {label} in the KG",
                              [f"{item.said!r} -> class {label}"], [], ctx.notes, query, "list")
    return None
