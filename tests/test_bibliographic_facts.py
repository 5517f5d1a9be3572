"""Bibliographic facts and their provenance (issue 15): full author lists, venues, sources, confidence."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from survey_scope import fixture_names

ROOT = Path(__file__).resolve().parent.parent
PREFIXES = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX doc: <https://w3id.org/llmrl-kg/document/>
PREFIX paper: <https://w3id.org/llmrl-kg/paper/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


def _rows(store: ox.Store, query: str) -> list[list[str | None]]:
    return [[t.value if t is not None else None for t in row]
            for row in store.query(PREFIXES + query, use_default_graph_as_union=True)]


def _one(store: ox.Store, paper: str, prop: str) -> list[str]:
    return sorted(r[0] for r in _rows(store, f"SELECT ?v WHERE {{ paper:{paper} {prop} ?v }}"))


# Each fact as the named public page states it.
FIXED = [
    # https://icml.cc/virtual/2023/poster/24174
    ("instructrl", "llmrl:authorList", ["Hengyuan Hu; Dorsa Sadigh"]),
    # http://120.26.44.124:3004/details/1/1172471479 (index record of the IEEE Access article)
    ("lai-zang-2024", "llmrl:authorList", ["Jinbang Lai; Zhaoxiang Zang"]),
    ("lai-zang-2024", "bibo:doi", ["10.1109/ACCESS.2024.3395457"]),
    ("lai-zang-2024", "llmrl:venue", ["IEEE Access"]),
    ("lai-zang-2024", "bibo:volume", ["12"]),
    ("rlingua", "llmrl:venue", ["IEEE Robotics and Automation Letters"]),
    ("rlingua", "bibo:volume", ["9"]),
    ("rlingua", "bibo:issue", ["7"]),
    ("text2motion", "llmrl:venue", ["Autonomous Robots"]),
    ("text2motion", "bibo:volume", ["47"]),
    ("text2motion", "bibo:issue", ["8"]),
    # https://icml.cc/virtual/2024/poster/33663 (the first author is Haotian Fu)
    ("last", "llmrl:authorList", ["Haotian Fu; Pratyusha Sharma; Elias Stengel-Eskin; George Konidaris; "
                                  "Nicolas Le Roux; Marc-Alexandre Côté; Xingdi Yuan"]),
]


@pytest.mark.parametrize(("paper", "prop", "expected"), FIXED, ids=[f"{p}-{q}" for p, q, _ in FIXED])
def test_corrected_facts(asserted_store, paper, prop, expected):
    assert _one(asserted_store, paper, prop) == expected


def test_no_venue_holds_a_volume(asserted_store):
    rows = _rows(asserted_store, r"""
        SELECT ?p ?v WHERE { ?p llmrl:venue ?v FILTER(REGEX(?v, "(\\s[0-9]{1,3}(\\([0-9]+\\))?|\\bvol\\.\\s*[0-9].*)$")) }""")
    assert rows == []


def test_creators_are_the_people_of_the_author_list(asserted_store):
    rows = _rows(asserted_store, """
        SELECT ?p ?list (GROUP_CONCAT(?name; separator="|") AS ?names) WHERE {
          ?p a llmrl:Paper ; llmrl:authorList ?list .
          OPTIONAL { ?p dcterms:creator/foaf:name ?name } } GROUP BY ?p ?list""")
    assert rows
    for paper, author_list, names in rows:
        listed = {n for n in author_list.split("; ") if n != "et al."}
        assert listed == set(filter(None, (names or "").split("|"))), paper


def test_only_saycan_of_the_surveys_papers_lacks_a_full_author_list(asserted_store):
    """The survey's papers (its table rows and the works its text discusses), from their pages."""
    rows = _rows(asserted_store, """
        SELECT DISTINCT ?p ?name WHERE {
          ?m llmrl:introducedIn ?p ; rdfs:label ?name .
          { ?e llmrl:entryOf ?m ; llmrl:statedIn ?d VALUES ?d { doc:readme doc:paper-v1 } }
          UNION { ?m llmrl:discussedInSection ?s BIND("discussed" AS ?d) }
          ?p llmrl:authorList ?list FILTER(STRENDS(?list, "; et al.")) }""")
    # The survey's: its tables' rows (the fixture copy of its README, its paper) and the works it discusses.
    survey = fixture_names() | {name for (name,) in _rows(asserted_store, """
        SELECT DISTINCT ?name WHERE { ?m rdfs:label ?name .
          { ?e llmrl:entryOf ?m ; llmrl:statedIn doc:paper-v1 } UNION { ?m llmrl:discussedInSection ?s } }""")}
    assert [p for p, name in rows if name in survey] == ["https://w3id.org/llmrl-kg/paper/saycan"]


def _curated(*folders: str) -> ox.Store:
    store = ox.Store()
    for folder in folders:
        for path in sorted((ROOT / "data" / folder).glob("*.ttl")):
            store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def test_every_paper_model_benchmark_and_organisation_record_has_a_source():
    store = _curated("methods", "models", "benchmarks", "organizations")
    records = _rows(store, """
        SELECT DISTINCT ?r WHERE { ?r a ?c VALUES ?c { llmrl:Paper llmrl:LargeLanguageModel
          llmrl:VisionLanguageModel llmrl:CodeLanguageModel llmrl:Benchmark foaf:Organization } }""")
    unsourced = _rows(store, """
        SELECT DISTINCT ?r WHERE { ?r a ?c VALUES ?c { llmrl:Paper llmrl:LargeLanguageModel
          llmrl:VisionLanguageModel llmrl:CodeLanguageModel llmrl:Benchmark foaf:Organization }
          FILTER NOT EXISTS { ?r dcterms:source ?s } }""")
    assert len(records) > 100 and unsourced == []


def test_an_unconfirmed_mark_names_a_statement_of_its_record(asserted_store):
    marks = _rows(asserted_store, "SELECT ?r ?p WHERE { ?r llmrl:unconfirmed ?p }")
    assert ["https://w3id.org/llmrl-kg/model/gpt-4", "https://w3id.org/llmrl-kg/ontology#openWeights"] in marks
    for record, prop in marks:
        assert asserted_store.query(f"ASK {{ <{record}> <{prop}> ?v }}", use_default_graph_as_union=True), (
            record, prop)
