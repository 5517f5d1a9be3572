"""The question bank (issue 10): every paraphrase answered right, or refused where the bank says so.

Expected answers come from the independent SPARQL of `question_bank.py`, run
on the same KG; the parser's own queries are never used to compute them.
"""

from __future__ import annotations

import pytest
from question_bank import CASES, Case

from llmrl_kg import KnowledgeGraph
from llmrl_kg.query.questions import QuestionError
from llmrl_kg.rdf import namespaces as ns

PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in ns.PREFIXES.items())
PARAPHRASES = [(case, question) for case in CASES for question in case.paraphrases]


@pytest.fixture(scope="module")
def kg():
    return KnowledgeGraph.load()


def select(kg, query: str) -> list[dict]:
    return kg.sparql(PREFIXES + query).rows


def expected_methods(kg, body: str) -> set[str]:
    rows = select(kg, "SELECT DISTINCT ?label WHERE { ?m a llmrl:Method ; rdfs:label ?label . "
                      "?any llmrl:entryOf ?m ; a llmrl:MethodEntry ; llmrl:statedIn ?any_doc . "
                      # `ask` lists the methods of every table: rows stated by the survey's README or
                      # paper, or by the KG's curation (the methods beyond the survey).
                      "VALUES ?any_doc { <https://w3id.org/llmrl-kg/document/readme> "
                      "<https://w3id.org/llmrl-kg/document/paper-v1> "
                      "<https://w3id.org/llmrl-kg/document/llmrl-kg-curation> } "
                      f"{body} }}")
    return {r["label"] for r in rows}


def expected_models(kg, body: str) -> set[str]:
    rows = select(kg, "SELECT DISTINCT ?label WHERE { ?x a llmrl:FoundationModel ; rdfs:label ?label . "
                      f"FILTER(STRSTARTS(STR(?x), STR(model:))) {body} }}")
    return {r["label"] for r in rows}


def expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return ns.PREFIXES[prefix] + local


def ranked(kg, query: str, lowest: bool) -> tuple[set, int]:
    rows = select(kg, query)
    best = (min if lowest else max)(r["count"] for r in rows)
    return {r["key"] for r in rows if r["count"] == best}, best


def _values(cell) -> set[str]:
    return {v.strip() for v in str(cell).split(" | ")} if cell is not None else set()


def check(kg, case: Case, question: str) -> None:
    """Assert that the answer to `question` is the one the bank computes for `case`."""
    if case.check == "refused":
        with pytest.raises(QuestionError) as error:
            kg.ask(question)
        for word in case.words:
            assert word in str(error.value)
        return
    answer = kg.ask(question)
    table = answer.table
    if case.check in ("methods", "models"):
        column = "method" if case.check == "methods" else "model"
        expected = (expected_methods if case.check == "methods" else expected_models)(kg, case.sparql)
        assert expected, "the bank's case must cover real answers"
        assert table.columns[0] == column and answer.intent == "list"
        assert set(table.column(column)) == expected
    elif case.check == "count":
        assert table.rows == [{"count": len(expected_methods(kg, case.sparql))}]
    elif case.check == "count-values":
        assert answer.intent == "count" and table.rows == [{"count": len(select(kg, case.sparql))}]
    elif case.check == "count-models":
        assert table.rows == [{"count": len(expected_models(kg, ""))}]
    elif case.check == "count-class":
        rows = select(kg, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ ?x a {case.sparql} . "
                          "FILTER(STRSTARTS(STR(?x), 'https://w3id.org/llmrl-kg/')) }")
        assert table.rows == [{"count": rows[0]["n"]}]
    elif case.check in ("top", "bottom"):
        keys, best = ranked(kg, case.sparql, case.check == "bottom")
        assert table.columns == [case.column, "count"]
        assert {r[case.column] for r in table.rows} == keys and {r["count"] for r in table.rows} == {best}
    elif case.check in ("fact", "fact-codes"):
        expected = {str(r["v"]) for r in select(kg, case.sparql)}
        assert expected, "the bank's case must cover real answers"
        found = set().union(*(_values(r[case.column]) for r in table.rows))
        if case.check == "fact-codes":
            found = {v.split(" (")[0] for v in found}
        assert answer.intent == "fact" and found == expected
    elif case.check == "names":
        expected = {str(r["v"]) for r in select(kg, case.sparql)}
        assert expected and set(table.column(case.column)) == expected
    elif case.check == "definition":
        expected = {r["d"] for r in select(kg, f"SELECT ?d WHERE {{ {case.sparql} ?s skos:definition ?d }}")}
        assert answer.intent == "definition" and set(table.column("definition")) == expected
    elif case.check == "card":
        links = {v for r in table.rows if r["field"] == "link" for v in r["value"].split(" | ")}
        assert answer.intent == "card" and expand(case.sparql) in links
    elif case.check == "card-name":
        iris = " ".join(f"<{expand(c)}>" for c in case.sparql.split())
        names = {r["n"] for r in select(kg, f"SELECT ?n WHERE {{ VALUES ?s {{ {iris} }} ?s foaf:name ?n }}")}
        name_rows = [r["value"] for r in table.rows if r["field"] == "name"]
        assert answer.intent == "card" and len(name_rows) == 1 and name_rows[0] in names
    elif case.check == "compare":
        field, first, second = case.expected
        assert table.columns == ["field", first, second]
        (row,) = [r for r in table.rows if r["field"] == field]
        (values,) = select(kg, case.sparql)
        assert (row[first], row[second]) == (str(values["a"]), str(values["b"]))
    elif case.check == "yesno":
        expected = kg.sparql(PREFIXES + case.sparql)
        assert answer.intent == "yes/no" and table.rows[0]["answer"] == ("yes" if expected else "no")
    else:
        raise AssertionError(f"unknown check {case.check}")


def test_the_bank_is_large_enough():
    assert len(PARAPHRASES) >= 200
    assert len({question for _, question in PARAPHRASES}) == len(PARAPHRASES)  # no question counted twice
    assert sum(1 for case in CASES if len(case.paraphrases) >= 2) >= 100


@pytest.mark.parametrize("case,question", PARAPHRASES, ids=[f"{c.name}: {q[:60]}" for c, q in PARAPHRASES])
def test_question(kg, case, question):
    check(kg, case, question)
