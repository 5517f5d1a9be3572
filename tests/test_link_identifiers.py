"""Identifier normalisation per target, query building from validated terms, matching decisions."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from llmrl_kg.link import identifiers as ids
from llmrl_kg.link import make_aligner
from llmrl_kg.link.aligner import (
    AMBIGUOUS,
    LINKED,
    NOT_FOUND,
    Candidate,
    batches,
    decide,
)
from llmrl_kg.link.papers import Lookup, Paper
from llmrl_kg.rdf.sparqltext import values_block as values

PAPER = "https://w3id.org/llmrl-kg/paper/"


@pytest.mark.parametrize("text, expected", [
    ("2303.11366", "2303.11366"),
    ("arXiv:2303.11366v2", "2303.11366"),
    ("https://arxiv.org/abs/2405.14751v1", "2405.14751"),
    ("  1810.08272 ", "1810.08272"),
])
def test_arxiv_ids_are_normalised(text, expected):
    assert ids.arxiv_id(text) == expected


@pytest.mark.parametrize("text", ["2303.113", "cs/0101001", "2303.11366x", "", "2303.11366\" } ; DROP"])
def test_invalid_arxiv_ids_are_refused(text):
    with pytest.raises(ids.IdentifierError):
        ids.arxiv_id(text)


@pytest.mark.parametrize("text, expected", [
    ("10.18653/v1/2024.findings-naacl.50", "10.18653/v1/2024.findings-naacl.50"),
    ("https://doi.org/10.1145/3610977.3634970", "10.1145/3610977.3634970"),
    ("doi:10.24963/ijcai.2025/1181", "10.24963/ijcai.2025/1181"),
])
def test_dois_are_normalised_keeping_their_case(text, expected):
    assert ids.doi(text) == expected


@pytest.mark.parametrize("text", ["11.1145/x", "10.1/x", "10.1145/", "10.1145/a b", "10.1145/a>b", '10.1145/"x'])
def test_invalid_dois_are_refused(text):
    with pytest.raises(ids.IdentifierError):
        ids.doi(text)


def test_forms_per_target():
    assert ids.wikidata_doi("10.18653/v1/2024.findings-naacl.50") == "10.18653/V1/2024.FINDINGS-NAACL.50"
    assert ids.arxiv_datacite_doi("2303.11366") == "10.48550/arXiv.2303.11366"
    assert ids.doi_url("10.1145/X") == "https://doi.org/10.1145/X"
    assert ids.dblp_corr_key("2303.11366") == "journals/corr/abs-2303-11366"
    assert ids.doi_case_variants("10.48550/arXiv.1") == ["10.48550/arXiv.1", "10.48550/arxiv.1", "10.48550/ARXIV.1"]
    assert ids.key_of("https://doi.org/10.48550/ARXIV.2303.11366") == ("doi", "10.48550/arxiv.2303.11366")
    assert ids.key_of("2303.11366") == ("arxiv", "2303.11366")
    assert ids.key_of("https://example.org/x") is None


def test_a_paper_is_looked_up_by_arxiv_id_its_datacite_doi_and_its_dois():
    paper = Paper(PAPER + "x", arxiv=["2306.07929"], dois=["10.48550/arXiv.2306.07929", "10.1145/A"])
    lookups, problems = paper.lookups()
    assert problems == []
    assert [(found.scheme, found.value, found.derived) for found in lookups] == [
        ("arxiv", "2306.07929", False),
        ("doi", "10.1145/A", False),
        ("doi", "10.48550/arXiv.2306.07929", False),  # stated in the data, so not derived again
    ]


def test_invalid_identifiers_in_the_data_are_reported_not_sent():
    lookups, problems = Paper(PAPER + "x", arxiv=["23.1"], dois=["not-a-doi"]).lookups()
    assert lookups == []
    assert problems == [
        f"<{PAPER}x> bibo:doi: 'not-a-doi' is not a DOI such as 10.1145/3610977.3634970; not looked up",
        f"<{PAPER}x> llmrl:arxivId: '23.1' is not a new-style arXiv ID such as 2303.11366; not looked up",
    ]


def test_wikidata_query_sends_upper_case_dois_and_bare_arxiv_ids():
    lookups = [Lookup(PAPER + "a", "arxiv", "2303.11366"), Lookup(PAPER + "b", "doi", "10.1145/Ab")]
    query = make_aligner("wikidata").query(lookups)
    assert 'VALUES ?value { "2303.11366" }' in query
    assert 'VALUES ?value { "10.1145/AB" "10.1145/Ab" "10.1145/ab" }' in query  # upper case first
    assert "wdt:P818 ?value" in query and "wdt:P356 ?value" in query
    ox.Store().query(query)  # the generated text is valid SPARQL


def test_values_are_serialised_terms_never_pasted_text():
    hostile, doi = ox.Literal('x" } DROP ALL ; { "'), ox.NamedNode("https://doi.org/10.1/a")
    block = values("value", [hostile, doi])
    assert block == 'VALUES ?value { "x\\" } DROP ALL ; { \\"" <https://doi.org/10.1/a> }'
    results = ox.Store().query(f"SELECT ?value WHERE {{ {block} }}")
    assert [row["value"] for row in results] == [hostile, doi]


def test_dblp_query_sends_doi_iris_and_corr_record_keys():
    lookups = [Lookup(PAPER + "a", "arxiv", "2303.11366"), Lookup(PAPER + "a", "doi", "10.1145/Ab")]
    query = make_aligner("dblp").query(lookups)
    assert ('VALUES (?entity ?value) { (<https://dblp.org/rec/journals/corr/abs-2303-11366> "2303.11366") }'
            in query)
    for variant in ("10.1145/Ab", "10.1145/ab", "10.1145/AB"):
        assert f"<https://doi.org/{variant}>" in query
    ox.Store().query(query)


def test_semopenalex_and_orkg_send_only_dois():
    lookups = [Lookup(PAPER + "a", "arxiv", "2303.11366"), Lookup(PAPER + "a", "doi", "10.1145/Ab")]
    soa = make_aligner("semopenalex").query(lookups)
    assert "2303.11366" not in soa
    assert '"https://doi.org/10.1145/ab"' in soa
    assert '"https://doi.org/10.1145/Ab"^^<http://www.w3.org/2001/XMLSchema#anyURI>' in soa
    orkg = make_aligner("orkg").query(lookups)
    assert "2303.11366" not in orkg
    assert '"10.1145/AB"' in orkg and '"https://doi.org/10.1145/ab"' in orkg
    for query in (soa, orkg):
        ox.Store().query(query)


def test_batches_keep_a_papers_identifiers_together():
    lookups = [Lookup(f"{PAPER}{p}", "doi", f"10.1/{p}{i}") for p in "abc" for i in range(3)]
    assert [[found.paper[-1] for found in batch] for batch in batches(lookups, 4)] == [list("aaa"), list("bbb"),
                                                                              list("ccc")]
    assert len(batches(lookups, 100)) == 1


def test_decide_links_single_candidates_and_reports_the_rest():
    a, b, c, d = (PAPER + name for name in "abcd")
    found = {
        a: {"Q1": Candidate("Q1")},
        b: {"Q2": Candidate("Q2"), "Q3": Candidate("Q3")},
        c: {"Q4": Candidate("Q4")},
        d: {"Q4": Candidate("Q4"), "Q5": Candidate("Q5")},
    }
    outcomes = {o.paper: o for o in decide([a, b, c, d, PAPER + "e"], found, rejected={(d, "Q5")})}
    assert outcomes[a].status == LINKED
    assert outcomes[b].status == AMBIGUOUS and outcomes[b].reason == "several entities match"
    assert outcomes[c].status == AMBIGUOUS and outcomes[c].reason == f"the entity also matches <{d}>"
    assert outcomes[d].status == AMBIGUOUS and [r.entity for r in outcomes[d].rejected] == ["Q5"]
    assert outcomes[PAPER + "e"].status == NOT_FOUND
    # Rejecting one of two candidates links the other.
    resolved = {o.paper: o for o in decide([b], found, rejected={(b, "Q3")})}
    assert resolved[b].status == LINKED and resolved[b].candidates[0].entity == "Q2"
