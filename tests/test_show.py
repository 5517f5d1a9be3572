"""`show NAME` / `kg.show(name)`: a card with every fact of one thing, for every kind of thing the KG names."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from llmrl_kg import KnowledgeGraph
from llmrl_kg.cli import cli
from llmrl_kg.query.questions import QuestionError
from llmrl_kg.rdf import namespaces as ns

PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in ns.PREFIXES.items())


@pytest.fixture(scope="module")
def kg():
    return KnowledgeGraph.load()


def rows(kg, query: str) -> list[dict]:
    return kg.sparql(PREFIXES + query).rows


def card(table) -> dict[str, dict]:
    return {r["field"]: r for r in table.rows}


def test_method_card_has_every_fact_with_readme_and_paper_side_by_side(kg):
    found = card(kg.show("Eureka"))
    (paper,) = rows(kg, "SELECT ?title ?year ?arxiv WHERE { method:eureka llmrl:introducedIn ?p . "
                        "?p dcterms:title ?title ; fabio:hasPublicationYear ?year ; llmrl:arxivId ?arxiv }")
    assert found["title"]["value"] == paper["title"] and found["year"]["value"] == str(paper["year"])
    for doc, column in (("readme", "readme"), ("paper-v1", "paper")):
        metrics = {r["n"] for r in rows(kg, f"SELECT ?n WHERE {{ ?e llmrl:entryOf method:eureka ; "
                                            f"llmrl:statedIn doc:{doc} ; llmrl:improvesMetric/skos:notation ?n }}")}
        assert {v.split(" (")[0] for v in found["metrics"][column].split(" | ")} == metrics
    fm_roles = rows(kg, "SELECT ?n WHERE { ?e llmrl:entryOf method:eureka ; llmrl:statedIn doc:readme ; "
                        "llmrl:fmRole ?r }")
    assert fm_roles == [] and found["FM roles"]["readme"] is None and found["FM roles"]["paper"]  # paper only
    links = found["link"]["value"].split(" | ")
    assert ns.PREFIXES["method"] + "eureka" in links and f"https://arxiv.org/abs/{paper['arxiv']}" in links


def test_every_method_model_and_benchmark_has_a_card_by_its_label(kg):
    things = rows(kg, "SELECT ?s ?label WHERE { ?s a ?c ; rdfs:label ?label . "
                      "VALUES ?c { llmrl:Method llmrl:Benchmark llmrl:FoundationModel } "
                      "FILTER(STRSTARTS(STR(?s), 'https://w3id.org/llmrl-kg/')) }")
    assert len(things) >= 90
    for thing in things:
        found = card(kg.show(thing["label"]))
        assert found["name"]["value"] == thing["label"]
        assert thing["s"] in found["link"]["value"].split(" | ")


@pytest.mark.parametrize("name,field,query", [
    ("Reflexion: Language Agents with Verbal Reinforcement Learning", "title",
     "SELECT ?v WHERE { method:reflexion llmrl:introducedIn/dcterms:title ?v }"),
    ("OpenAI", "models", "SELECT ?v WHERE { ?m llmrl:developedBy org:openai ; rdfs:label ?v }"),
    ("Noah Shinn", "papers", "SELECT ?v WHERE { ?p dcterms:creator person:noah-shinn ; dcterms:title ?v }"),
    ("rft", "definition", "SELECT ?v WHERE { rlrole:rft skos:definition ?v }"),
    ("π_l", "broader", "SELECT ?v WHERE { rlrole:pi_l skos:broader/skos:notation ?v }"),
    ("Comprehensive planner", "definition", "SELECT ?v WHERE { llmrl:ComprehensivePlanner skos:definition ?v }"),
    ("Grounding", "section", "SELECT ?v WHERE { topic:grounding llmrl:discussedInSection ?v }"),
    ("GPT-4", "developer", "SELECT ?v WHERE { model:gpt-4 llmrl:developedBy/rdfs:label ?v }"),
    ("ALFWorld", "used by", "SELECT ?v WHERE { ?m llmrl:evaluatedOn benchmark:alfworld ; rdfs:label ?v }"),
])
def test_cards_of_every_kind(kg, name, field, query):
    expected = {str(r["v"]) for r in rows(kg, query)}
    assert expected
    value = card(kg.show(name))[field]["value"]
    assert set(value.split(" | ")) == expected


def test_unknown_and_misspelled_names_are_refused_with_the_closest(kg):
    with pytest.raises(QuestionError, match="closest: Eureka"):
        kg.show("Eurka")
    with pytest.raises(QuestionError, match="names nothing"):
        kg.show("the capital of France")


def test_cli_show():
    runner = CliRunner()
    result = runner.invoke(cli, ["show", "GPT-4", "--format", "json"])
    assert result.exit_code == 0, result.output
    fields = {r["field"]: r["value"] for r in json.loads(result.stdout)}
    # data/models/gpt-4.ttl marks llmrl:openWeights unconfirmed (general knowledge, no source read)
    assert fields["name"] == "GPT-4" and fields["open weights"] == "no (unconfirmed)"
    assert "read as: card · model GPT-4" in result.stderr
    bad = runner.invoke(cli, ["show", "Eurka"])
    assert bad.exit_code == 2 and bad.stdout == "" and "closest: Eureka" in bad.stderr


# The card field that shows each property of a model or benchmark record (as test_show reads cards).
SHOWN_AS = {"llmrl:developedBy": "developer", "llmrl:openWeights": "open weights", "llmrl:basedOn": "based on",
            "llmrl:fineTunedFrom": "fine-tuned from", "llmrl:domain": "domain", "llmrl:year": "year",
            "schema:url": "web page", "rdfs:label": "name", "skos:altLabel": "aliases"}


def _shown(value) -> str:
    return ("yes" if value else "no") if isinstance(value, bool) else str(value)


def test_every_unconfirmed_mark_of_a_model_or_benchmark_shows_in_its_card(kg):
    marks = rows(kg, """SELECT ?s ?label ?p ?value WHERE {
        ?s llmrl:unconfirmed ?p ; rdfs:label ?label . VALUES ?c { llmrl:FoundationModel llmrl:Benchmark } ?s a ?c .
        ?s ?p ?o . OPTIONAL { ?o rdfs:label ?olabel } BIND(COALESCE(?olabel, ?o) AS ?value) }""")
    assert len(marks) >= 10
    expected: dict[tuple, set] = {}
    for mark in marks:
        prefix, local = next((p, mark["p"][len(iri):]) for p, iri in ns.PREFIXES.items()
                             if mark["p"].startswith(iri) and f"{p}:{mark['p'][len(iri):]}" in SHOWN_AS)
        expected.setdefault((mark["label"], SHOWN_AS[f"{prefix}:{local}"]), set()).add(_shown(mark["value"]))
    for (label, field), values in expected.items():
        found = card(kg.show(label))
        assert set(found[field]["value"].split(" | ")) == {v + " (unconfirmed)" for v in values}, (label, field)
        marked = {name for name, row in found.items() if "(unconfirmed)" in (row["value"] or "")}
        assert marked == {f for (other, f) in expected if other == label}, label
