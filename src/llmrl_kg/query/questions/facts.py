"""Facts about one thing, "what is X" (a card), definitions of codes and classes, and comparisons.

The fields a question asks for are named by its words ("who wrote", "when",
"arXiv") or by the KG's own class labels ("benchmarks", "metrics", "RL
roles"); the values come from the thing's card (`llmrl_kg.query.cards`).
"""

from __future__ import annotations

from typing import Any

from llmrl_kg.query.cards import CARD_OF, card_facts, card_table
from llmrl_kg.query.output import ResultTable
from llmrl_kg.query.questions.context import ENTITY_KINDS, Context, QuestionAnswer, QuestionError
from llmrl_kg.query.questions.lists import heads
from llmrl_kg.rdf import namespaces as ns

# Question words -> card fields. Strong words name a field; weak ones (who, when, where) only when alone.
STRONG_WORDS = {
    "wrote": "authors", "write": "authors", "written": "authors", "author": "authors", "authors": "authors",
    "authored": "authors", "arxiv": "arXiv", "doi": "DOI", "title": "title", "titled": "title",
    "venue": "venue", "conference": "venue", "journal": "venue", "year": "year", "repository": "code",
    "repo": "code", "github": "code", "models": "models", "model": "models", "llm": "models", "llms": "models",
    "environments": "benchmarks", "environment": "benchmarks", "evaluated": "benchmarks",
    "tested": "benchmarks", "datasets": "benchmarks", "category": "category", "kind": "category",
    "type": "category", "developed": "developer", "developer": "developer", "made": "developer",
    "created": "developer", "based": "based on", "derived": "based on",
    "domain": "domain", "section": "section", "aliases": "aliases", "alias": "aliases", "uses": "used by",
    "papers": "papers", "introduces": "introduces", "introduced": "introduces", "organisation": "developer",
    "organization": "developer", "company": "developer", "lab": "developer",
}
WEAK_WORDS = {"who": "authors", "when": "year", "where": "venue"}
# Classes of the ontology whose label names a field ("which benchmarks ...", "what metrics ...").
CLASS_FIELDS = {ns.LLMRL + "Benchmark": "benchmarks", ns.LLMRL + "Metric": "metrics", ns.LLMRL + "RLRole": "RL roles",
                ns.LLMRL + "FMRole": "FM roles", ns.LLMRL + "RLSetting": "RL setting",
                ns.LLMRL + "RLAgentType": "RL agent", ns.LLMRL + "RLTaskType": "RL task",
                ns.LLMRL + "FineTuningType": "fine-tuning", ns.LLMRL + "CodeRepository": "code",
                ns.LLMRL + "FoundationModel": "models", ns.LLMRL + "Paper": "title",
                ns.PREFIXES["foaf"] + "Organization": "developer"}
# A field asked of a kind of thing that names it differently ("who made GPT-4" -> developer).
FIELD_BY_CARD = {
    "model": {"authors": "developer", "category": "type", "models": "", "used by": "used by",
              "fine-tuning": "fine-tuned from", "title": "name"},
    "benchmark": {"category": "domain", "title": "paper", "used by": "used by", "venue": "paper",
                  "developer": "paper"},
    "person": {"title": "papers", "authors": "name", "introduces": "papers"},
    "organisation": {"models": "models", "developer": "models"},
    "paper": {"introduces": "introduces", "benchmarks": "introduces"},
}
EXTRA_FIELDS = {"authors": ["authors", "creators"], "arXiv": ["arXiv"], "based on": ["based on", "fine-tuned from"]}
WHAT_IS = frozenset({"what", "who", "tell", "show", "describe", "explain", "about"})
MEANING_WORDS = frozenset({"mean", "means", "meaning", "define", "definition", "stand", "stands", "meant",
                           "defined", "what", "is", "are", "a", "an", "the", "does", "do", "for", "of", "by", "code",
                           "term"})
COMPARE_WORDS = frozenset({"compare", "comparison", "vs", "versus", "difference", "differences", "differ",
                           "between", "and", "with", "from", "how", "does", "do", "what", "is", "are", "the", "of"})


def answer_compare(ctx: Context) -> QuestionAnswer | None:
    """`compare SayCan and Inner Monologue`, `A vs B`: both cards side by side, field by field."""
    if not ctx.has("compare", "comparison", "vs", "versus", "difference", "differences", "differ"):
        return None
    things = ctx.entities()
    if len(things) < 2:
        raise QuestionError("a comparison needs two things the KG names (methods, models, benchmarks, ...)")
    kinds = {sense.kind for _, sense in things}
    if len(kinds) != 1:
        raise QuestionError("compare things of one kind: " + ", ".join(f"{s.label} ({s.kind})" for _, s in things))
    ctx.check_all_used({i for i, _ in things}, COMPARE_WORDS)
    card = CARD_OF[things[0][1].kind]
    columns = ["field"] + [sense.label for _, sense in things]
    rows: dict[str, dict] = {}
    queries = []
    for _, sense in things:
        facts, query = card_facts(ctx.backend, sense.iri, card)
        queries.append(query)
        for field, doc, value in ((f.field, f.doc, f.value) for f in facts if f.field != "link"):
            label = f"{field} ({doc})" if doc else field
            row = rows.setdefault(label, {"field": label})
            row[sense.label] = value if row.get(sense.label) is None else f"{row[sense.label]} | {value}"
    table = ResultTable(columns, [{c: row.get(c) for c in columns} for row in rows.values()])
    names = " and ".join(sense.label for _, sense in things)
    return QuestionAnswer(table, f"comparison · {names}", [f"{ctx.items[i].said!r} -> {s.kind} {s.label}"
                                                            for i, s in things], [], ctx.notes,
                          "\n".join(queries), "comparison")


def answer_definition(ctx: Context) -> QuestionAnswer | None:
    """`what does rft mean?`, `what is a comprehensive planner?`: the ontology's definitions."""
    senses = [(i, item) for i, item in enumerate(ctx.items) if item.kind == "sense"]
    if len(senses) != 1 or ctx.entities():
        return None
    index, item = senses[0]
    defined = [s for s in item.senses if s.kind not in ENTITY_KINDS and s.kind != "family"]
    words = set(ctx.words())
    if not defined or not words & {"mean", "means", "meaning", "define", "definition", "stand", "stands", "what",
                                   "meant", "defined"}:
        return None
    ctx.check_all_used({index}, MEANING_WORDS)
    if not item.exact:
        raise QuestionError(f"{item.said!r} is only part of the names "
                            + ", ".join(repr(s.show()) for s in defined[:4]) + ": ask about one of them")
    values = " ".join(f"<{s.iri}>" for s in defined)
    query = (f"PREFIX skos: <{ns.SKOS}>\nSELECT ?term ?definition ?note WHERE {{\n  VALUES ?term {{ {values} }}\n"
             "  OPTIONAL { ?term skos:definition ?definition }\n  OPTIONAL { ?term skos:editorialNote ?note }\n}\n")
    found: dict[str, dict] = {}
    from llmrl_kg.store.backends import plain_value

    for raw in ctx.backend.select(query).rows:
        row: dict[str, Any] = {k: plain_value(v) for k, v in raw.items()}
        entry = found.setdefault(row["term"], {"definition": row["definition"], "note": row["note"]})
        if row["note"] and entry["note"] and row["note"] not in entry["note"]:
            entry["note"] = f"{entry['note']} {row['note']}"
    rows = [{"term": s.notation or s.label, "label": s.label, "kind": _kind_name(s.kind),
             "definition": found.get(s.iri, {}).get("definition"), "note": found.get(s.iri, {}).get("note")}
            for s in defined]
    notes = list(ctx.notes)
    if len(defined) > 1:
        notes.append(f"{item.said!r} names {len(defined)} things: each is defined")
    return QuestionAnswer(ResultTable(["term", "label", "kind", "definition", "note"], rows),
                          "definition · " + " | ".join(s.show() for s in defined),
                          [f"{item.said!r} -> {_kind_name(s.kind)} {s.show()}" for s in defined], [], notes,
                          query, "definition")


def _kind_name(kind: str) -> str:
    from llmrl_kg.query.questions.lexicon import KIND_NAMES

    return KIND_NAMES.get(kind, kind)


def answer_fact(ctx: Context) -> QuestionAnswer | None:
    """A fact of one thing (`who wrote Reflexion?`), or its whole card (`what is Eureka?`, `Eureka`)."""
    things = ctx.entities()
    if len(things) != 1:
        return None
    index, sense = things[0]
    method_heads, _ = heads(ctx)
    if method_heads and sense.kind != "method":
        return None  # "methods using GPT-4": a list
    if sense.kind == "organisation" and heads(ctx)[1]:
        return None  # "models developed by Google": a list of models
    card = CARD_OF[sense.kind]
    fields, used = _fields(ctx, index, card)
    others = [i for i, item in enumerate(ctx.items)
              if item.kind == "sense" and i != index and i not in used and item.kinds() != ["any"]]
    if others:
        return None  # more names than the fact needs: a list or yes/no question
    if not fields:
        ctx.check_all_used({index} | used, WHAT_IS)
        facts, query = card_facts(ctx.backend, sense.iri, card)
        return QuestionAnswer(card_table(facts), f"card · {sense.kind} {sense.label}",
                              [f"{ctx.items[index].said!r} -> {sense.kind} {sense.label}"], [], ctx.notes, query,
                              "card")
    ctx.check_all_used({index} | used, frozenset({"what", "which", "who", "when", "where", "published", "its",
                                                  "is", "are", "was", "the", "id", "identifier", "number"}))
    wanted = [f for field in fields for f in EXTRA_FIELDS.get(field, [field])]
    facts, query = card_facts(ctx.backend, sense.iri, card, wanted)
    table = _fact_table(sense, wanted, facts)
    return QuestionAnswer(table, f"fact · {', '.join(fields)} of {sense.kind} {sense.label}",
                          [f"{ctx.items[index].said!r} -> {sense.kind} {sense.label}",
                           *(f"field {f}" for f in fields)], [], ctx.notes, query, "fact")


def _fields(ctx: Context, subject: int, card: str) -> tuple[list[str], set[int]]:
    """The card fields the question asks for, and the items that asked."""
    from llmrl_kg.query.cards import FIELDS

    known = {name for name, _ in FIELDS[card]}
    strong: dict[str, set[int]] = {}
    weak: dict[str, set[int]] = {}
    ignored: set[int] = set()
    for index, item in enumerate(ctx.items):
        if index == subject:
            continue
        field = None
        table = strong
        if item.kind == "sense":
            classes = [CLASS_FIELDS[s.iri] for s in item.senses if s.iri in CLASS_FIELDS]
            if classes:
                field = classes[0]
            elif item.of_kind("fine-tuning") and card == "method":
                field = "fine-tuning"
            elif item.of_kind("fine-tuning") and card == "model":
                field = "fine-tuned from"
            elif item.of_kind("code"):
                field = "code"
        elif item.kind == "word":
            field = STRONG_WORDS.get(item.folded)
            if field is None and item.folded in WEAK_WORDS:
                field, table = WEAK_WORDS[item.folded], weak
        if field is None:
            continue
        field = FIELD_BY_CARD.get(card, {}).get(field, field)
        if field in known:
            table.setdefault(field, set()).add(index)
        elif field == "":
            ignored.add(index)  # "what models is Codex based on": "models" says nothing more
    if not strong and any(_asks_what_it_is(ctx, i) for indexes in weak.values() for i in indexes):
        return [], {i for indexes in weak.values() for i in indexes}  # "who is Noah Shinn?": the card
    chosen = strong or weak
    used = {i for indexes in [*strong.values(), *weak.values()] for i in indexes} | (ignored if chosen else set())
    return list(chosen), used


def _asks_what_it_is(ctx: Context, index: int) -> bool:
    if ctx.items[index].folded != "who":
        return False
    nxt = ctx.items[index + 1] if index + 1 < len(ctx.items) else None
    return nxt is not None and nxt.kind == "word" and nxt.folded in ("is", "are", "was", "were")


def _fact_table(sense, fields: list[str], facts) -> ResultTable:
    """One row per document for facts of table rows (readme, paper), else one row."""
    per_doc = sorted({f.doc for f in facts if f.doc})
    columns = [sense.kind] + (["source"] if per_doc else []) + fields
    rows = []
    for doc in per_doc or [None]:
        row: dict = {sense.kind: sense.label}
        if per_doc:
            row["source"] = doc
        for field in fields:
            values = [f.value for f in facts if f.field == field and (f.doc in (doc, None))]
            row[field] = " | ".join(values) if values else None
        rows.append(row)
    return ResultTable(columns, rows)


def answer_fact_count(ctx: Context) -> QuestionAnswer | None:
    """`how many benchmarks does Eureka use?`: the number of distinct values of one field of one thing."""
    from llmrl_kg.query.questions.lists import count_words

    counting = count_words(ctx)
    things = ctx.entities()
    if counting is None or len(things) != 1:
        return None
    index, sense = things[0]
    card = CARD_OF[sense.kind]
    fields, used = _fields(ctx, index, card)
    if len(fields) != 1:
        return None
    ctx.check_all_used(counting | used | {index}, frozenset({"does", "do", "is", "are", "has", "have", "use",
                                                               "uses", "improve", "improves", "there", "of"}))
    facts, query = card_facts(ctx.backend, sense.iri, card, fields)
    values = {f.value for f in facts if f.field == fields[0]}
    return QuestionAnswer(ResultTable(["count"], [{"count": len(values)}]),
                          f"count of {fields[0]} of {sense.kind} {sense.label}",
                          [f"{ctx.items[index].said!r} -> {sense.kind} {sense.label}", f"field {fields[0]}"], [],
                          ctx.notes, query, "count")
