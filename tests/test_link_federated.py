"""Saved federated queries: our KG locally, the SERVICE block at a (loopback) mirror of Wikidata or dblp."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from llmrl_kg.link.federated import FederatedError, run_online
from llmrl_kg.locations import queries_dir
from servers import running_oxigraph

EXTERNAL = Path(__file__).parent / "fixtures" / "external"
WIKIDATA = "https://query-scholarly.wikidata.org/sparql"
DBLP = "https://sparql.dblp.org/sparql"
WD = "http://www.wikidata.org/entity/"


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    """Oxigraph on loopback holding the Wikidata- and dblp-shaped fixtures."""
    with running_oxigraph(tmp_path_factory.mktemp("mirror")) as server:
        for name in ("wikidata", "dblp"):
            request = urllib.request.Request(server.graph_store_url + "?default",
                                             data=(EXTERNAL / f"{name}.ttl").read_bytes(),
                                             headers={"Content-Type": "text/turtle"}, method="POST")
            urllib.request.urlopen(request, timeout=30).close()
        yield server.query_url


def saved(name: str) -> str:
    return (queries_dir() / "federated" / f"{name}.rq").read_text(encoding="utf-8")


def plain(rows) -> list[tuple]:
    return [tuple(None if v is None else v.value for v in row.values()) for row in rows]


def test_citation_counts_from_wikidata(mirror, tmp_path):
    rows = run_online(saved("wikidata-citations"), {}, endpoints={WIKIDATA: mirror}, cache_dir=tmp_path)
    assert rows.variables == ["method", "arxiv", "item", "citations"]
    # Q9000001 (Reflexion) is cited by three fixture items; the other matched items by none.
    expected = [("Reflexion", "2303.11366", WD + "Q9000001", "3"),
                ("Eureka", "2310.12931", WD + "Q9000020", "0"), ("Eureka", "2310.12931", WD + "Q9000021", "0"),
                ("MineCLIP", "2206.08853", WD + "Q9000030", "0"), ("MineCLIP", "2206.08853", WD + "Q9000031", "0"),
                ("SayCan", "2204.01691", WD + "Q9000040", "0")]
    assert sorted(plain(rows)) == sorted(expected)
    assert [row[0] for row in plain(rows)] == [row[0] for row in expected]  # ORDER BY DESC(?citations), method
    # A bound join: every local row travelled in one VALUES table, so one request (one cached answer).
    assert len(list(tmp_path.rglob("*.json"))) == 1


def test_bindings_restrict_the_local_part(mirror, tmp_path):
    rows = run_online(saved("wikidata-citations"), {"method": ox.Literal("Reflexion")},
                      endpoints={WIKIDATA: mirror}, cache_dir=tmp_path)
    assert plain(rows) == [("Reflexion", "2303.11366", WD + "Q9000001", "3")]


def test_authors_from_dblp(mirror, tmp_path):
    rows = run_online(saved("dblp-authors"), {}, endpoints={DBLP: mirror}, cache_dir=tmp_path)
    assert rows.variables == ["method", "record", "author"]
    record = "https://dblp.org/rec/journals/corr/abs-2303-11366"
    assert plain(rows) == [("Reflexion", record, "Federico Cassano"), ("Reflexion", record, "Noah Shinn")]


def test_query_online_through_the_cli(mirror, tmp_path):
    environment = {**os.environ, "LLMRL_KG_CACHE": str(tmp_path), "LLMRL_KG_ENDPOINTS": f"{DBLP}={mirror}"}
    result = subprocess.run([sys.executable, "-m", "llmrl_kg", "query", "dblp-authors", "--online", "--format", "csv"],
                            capture_output=True, text=True, timeout=120, env=environment)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "method,record,author",
        "Reflexion,https://dblp.org/rec/journals/corr/abs-2303-11366,Federico Cassano",
        "Reflexion,https://dblp.org/rec/journals/corr/abs-2303-11366,Noah Shinn",
    ]


def test_a_failing_service_is_an_error_with_the_endpoint_named(tmp_path):
    with pytest.raises(FederatedError) as caught:
        run_online(saved("dblp-authors"), {}, endpoints={DBLP: "http://127.0.0.1:9/sparql"}, retries=0,
                   cache_dir=tmp_path)
    assert str(caught.value).startswith("dblp (http://127.0.0.1:9/sparql): connection failed: ")


def test_service_silent_turns_a_failure_into_no_remote_values(tmp_path):
    query = saved("dblp-authors").replace("SERVICE <", "SERVICE SILENT <")
    rows = run_online(query, {"method": ox.Literal("AGILE")}, endpoints={DBLP: "http://127.0.0.1:9/sparql"},
                      retries=0, cache_dir=tmp_path)
    assert plain(rows) == [("AGILE", "https://dblp.org/rec/journals/corr/abs-2405-14751", None)]


@pytest.mark.parametrize("query, message", [
    ("SELECT * WHERE { SERVICE <https://example.org/sparql> { ?s ?p ?o } }",
     "SERVICE <https://example.org/sparql> is not a known scholarly endpoint"),
    ("SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
     "SERVICE ?endpoint: write the endpoint as a full IRI in angle brackets"),
    (f"SELECT * WHERE {{ SERVICE <{DBLP}> {{ ?s ?p ?o }} SERVICE <{WIKIDATA}> {{ ?s ?p ?o }} }}",
     "only one SERVICE block per query is supported"),
    ("SELECT * WHERE { ?s ?p ?o }", "the query has no SERVICE block; run it without --online"),
    (f"ASK {{ SERVICE <{DBLP}> {{ ?s ?p ?o }} }}", "only SELECT queries can run online"),
])
def test_unsupported_queries_are_refused_before_any_request(query, message, tmp_path):
    with pytest.raises(FederatedError) as caught:
        run_online(query, {}, cache_dir=tmp_path, graph=object())
    assert message in str(caught.value)
    assert not list(tmp_path.rglob("*.json"))


def test_service_keywords_in_strings_and_comments_are_not_blocks(mirror, tmp_path):
    query = ('# SERVICE <https://example.org/> { } in a comment\n'
             'PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n'
             'SELECT ?item ?note WHERE { BIND("SERVICE <x> {" AS ?note) VALUES ?id { "2303.11366" }\n'
             f'  SERVICE <{WIKIDATA}> {{ ?item wdt:P818 ?id . }} }}')
    import rdflib

    rows = run_online(query, {}, endpoints={WIKIDATA: mirror}, cache_dir=tmp_path, graph=rdflib.Graph())
    assert plain(rows) == [(WD + "Q9000001", "SERVICE <x> {")]
