"""Superlatives: `which model is used most?`, `which year has the most methods?`,
`which method uses the most benchmarks?` — one GROUP BY query over the methods
of the survey's tables (with any conditions the question adds).
"""

from __future__ import annotations

from typing import Any

from llmrl_kg.query.conditions import PREFIXES, SOURCES, condition_patterns, values
from llmrl_kg.query.output import ResultTable
from llmrl_kg.query.questions.context import Context, QuestionAnswer, QuestionError
from llmrl_kg.query.questions.interpret import read_conditions
from llmrl_kg.query.questions.lists import heads
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.store.backends import plain_value

MOST = frozenset({"most", "popular", "common", "frequent", "frequently", "often", "top", "widely", "largest"})
LEAST = frozenset({"least", "fewest", "rarest", "rarely"})
SUPERLATIVE_WORDS = frozenset({"which", "what", "is", "are", "the", "used", "use", "uses", "has", "have", "with",
                               "by", "of", "number", "count", "methods", "appear", "appears", "evaluated",
                               "on", "in", "do", "does", "published", "had", "most", "least", "fewest", "popular",
                               "common", "frequent", "frequently", "often", "top", "widely", "largest",
                               "rarest", "rarely"})
_ENTRY = "?ex llmrl:entryOf ?method_iri ; a llmrl:MethodEntry ; llmrl:statedIn ?dx . {docs} "
# dimension -> (column name, pattern binding ?x (the thing) and ?key (its name)), for grouping methods.
DIMENSIONS = {
    "model": ("model", _ENTRY + "?ex llmrl:usesModel ?x . ?x rdfs:label ?key ."),
    "benchmark": ("benchmark", "?method_iri llmrl:evaluatedOn ?x . ?x rdfs:label ?key ."),
    "year": ("year", "?method_iri llmrl:introducedIn/fabio:hasPublicationYear ?key . BIND(?key AS ?x)"),
    "organisation": ("organisation", _ENTRY + "?ex llmrl:usesModel/llmrl:developedBy ?x . ?x rdfs:label ?key ."),
    "metric": ("metric", _ENTRY + "?ex llmrl:improvesMetric ?x . ?x skos:notation ?key ."),
    "rl-role": ("rl_role", _ENTRY + "?ex llmrl:rlRole ?x . ?x skos:notation ?key ."),
    "fm-role": ("fm_role", _ENTRY + "?ex llmrl:fmRole ?x . ?x skos:notation ?key ."),
    "category": ("category", "?method_iri a ?x . ?x rdfs:subClassOf llmrl:Method ; rdfs:label ?key . "
                             "FILTER NOT EXISTS { ?method_iri a ?b . ?b rdfs:subClassOf ?x . FILTER(?b != ?x) }"),
}
CLASS_DIMENSIONS = {ns.LLMRL + "FoundationModel": "model", ns.LLMRL + "Benchmark": "benchmark",
                    ns.LLMRL + "Metric": "metric", ns.LLMRL + "RLRole": "rl-role", ns.LLMRL + "FMRole": "fm-role",
                    ns.PREFIXES["foaf"] + "Organization": "organisation"}
WORD_DIMENSIONS = {"model": "model", "models": "model", "llm": "model", "llms": "model", "year": "year",
                   "years": "year", "organisation": "organisation", "organisations": "organisation",
                   "organization": "organisation", "organizations": "organisation", "company": "organisation",
                   "companies": "organisation", "developer": "organisation", "lab": "organisation",
                   "category": "category", "categories": "category", "environment": "benchmark",
                   "environments": "benchmark"}


def answer_superlative(ctx: Context) -> QuestionAnswer | None:
    """The thing (model, benchmark, year, ...) with the most (or fewest) methods, or the method with the most X."""
    marks = ctx.index_of(*MOST, *LEAST)
    if not marks:
        return None
    least = any(ctx.items[i].folded in LEAST for i in marks)
    mentions = _mentions(ctx)
    method_heads, _ = heads(ctx)
    if not mentions:
        raise QuestionError("a 'most' question needs what to rank: models, benchmarks, years, organisations, "
                            "metrics, RL roles, FM roles or categories")
    first = min([*method_heads, *(i for i, _ in mentions)])
    by_method = bool(method_heads) and first in method_heads and mentions[0][0] > marks[0]
    dimension = mentions[0][1]
    skip = {i for i, _ in mentions} | set(marks)
    parsed = read_conditions(ctx.items, ctx.lexicon, ctx.question, skip=skip, source=ctx.source)
    ctx.check_all_used(parsed.used | skip | method_heads, SUPERLATIVE_WORDS)
    query, column = _query(parsed.conditions, dimension, by_method, least)
    rows: list[dict[str, Any]] = [{k: plain_value(v) for k, v in r.items()} for r in ctx.backend.select(query).rows]
    counts = [r["count"] for r in rows]
    best = (min(counts) if least else max(counts)) if counts else None
    table = ResultTable([column, "count"], [{column: r["key"], "count": r["count"]} for r in rows
                                            if r["count"] == best])
    what = (f"method with the {'fewest' if least else 'most'} {dimension}s" if by_method
            else f"{dimension} with the {'fewest' if least else 'most'} methods") + " (of the survey's tables)"
    summary = " · ".join(parsed.conditions.summary(ctx.lexicon.label))
    return QuestionAnswer(table, f"superlative · {what}" + (f" · {summary}" if summary else ""),
                          parsed.understood, parsed.conditions.describe(ctx.lexicon.label),
                          ctx.notes + parsed.notes, query, "superlative")


def _mentions(ctx: Context) -> list[tuple[int, str]]:
    """(index, dimension) of every word or class name that names something to rank by."""
    out = []
    for index, item in enumerate(ctx.items):
        if item.kind == "sense":
            found = [CLASS_DIMENSIONS[s.iri] for s in item.senses if s.iri in CLASS_DIMENSIONS]
            if found:
                out.append((index, found[0]))
        elif item.kind == "word" and item.folded in WORD_DIMENSIONS:
            out.append((index, WORD_DIMENSIONS[item.folded]))
    return out


def _query(conditions, dimension: str, by_method: bool, least: bool) -> tuple[str, str]:
    docs = values("dx", SOURCES[conditions.source])
    column, pattern = DIMENSIONS[dimension]
    pattern = pattern.replace("{docs}", docs)
    key, counted = ("?method", "?x") if by_method else ("?key", "?method_iri")
    lines = [
        f"SELECT {'(?method AS ?key)' if by_method else '?key'} (COUNT(DISTINCT {counted}) AS ?count) WHERE {{",
        "  ?method_iri a llmrl:Method ; rdfs:label ?method .",
        "  ?entry llmrl:entryOf ?method_iri ; a llmrl:MethodEntry ; llmrl:statedIn ?doc .",
        "  " + values("doc", SOURCES[conditions.source]),
        *condition_patterns(conditions),
        "  " + pattern,
        "}",
        f"GROUP BY {'?method' if by_method else '?key'}",
        f"ORDER BY {'' if least else 'DESC'}(?count) ?key",
    ]
    return PREFIXES + "\n".join(lines) + "\n", "method" if by_method else column
