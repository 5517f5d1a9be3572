"""`llmrl-kg link` against a real SPARQL server (Oxigraph) holding data shaped like each external KG.

The fixtures (tests/fixtures/external/*.ttl) hold invented entities that carry the
identifiers of papers of the shipped KG, in each graph's own form (upper-case DOIs
in Wikidata, DOI IRIs in dblp, DOI URL strings in SemOpenAlex...), plus decoys with
similar titles or identifiers. The expected links were checked by hand against the
fixtures' comments and are pinned in tests/fixtures/external/expected/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from llmrl_kg.rdf.turtle import canonical_turtle
from servers import running_oxigraph

HERE = Path(__file__).parent
EXTERNAL = HERE / "fixtures" / "external"
EXPECTED = EXTERNAL / "expected"
TARGETS = ("wikidata", "dblp", "semopenalex", "orkg")
PLACEHOLDER = "http://endpoint.test/sparql"
SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01T00:00:00Z, the prov:generatedAtTime of the pinned links
PAPER = "https://w3id.org/llmrl-kg/paper/"
SENTINEL = "# an existing link file that a failed run must leave exactly as it is\n"

# Hand-checked outcomes per target (see the comments in the fixtures).
LINKED = {
    "wikidata": {"adarefiner": "http://www.wikidata.org/entity/Q9000002",
                 "agile": "http://www.wikidata.org/entity/Q9000003",
                 "reflexion": "http://www.wikidata.org/entity/Q9000001",
                 "rememberer": "http://www.wikidata.org/entity/Q9000005",
                 "schoepp-2025": "http://www.wikidata.org/entity/Q9000004"},
    "dblp": {"adarefiner": "https://dblp.org/rec/conf/naacl/Zhang900",
             "agile": "https://dblp.org/rec/journals/corr/abs-2405-14751",
             "reflexion": "https://dblp.org/rec/journals/corr/abs-2303-11366"},
    "semopenalex": {"adarefiner": "https://semopenalex.org/work/W9000002",
                    "reflexion": "https://semopenalex.org/work/W9000001",
                    "schoepp-2025": "https://semopenalex.org/work/W9000003"},
    "orkg": {"adarefiner": "http://orkg.org/orkg/resource/R9000001",
             "reflexion": "http://orkg.org/orkg/resource/R9000002"},
}
AMBIGUOUS = {
    "wikidata": {"eureka": ["Q9000020", "Q9000021"], "mineclip": ["Q9000030", "Q9000031"],
                 "predilect": ["Q9000040"], "saycan": ["Q9000040"]},
    "dblp": {"schoepp-2025": ["conf/ijcai/Schoepp900", "journals/corr/abs-2502-15214"]},
    "semopenalex": {},
    "orkg": {},
}
DECOYS = ["http://www.wikidata.org/entity/Q90000" + n for n in ("10", "11", "12", "13", "14", "15")] + [
    "https://dblp.org/rec/conf/nips/Feng900", "https://dblp.org/rec/journals/corr/abs-2303-11367",
    "https://dblp.org/rec/conf/naacl/Zhang901", "https://semopenalex.org/work/W9000010",
    "https://semopenalex.org/work/W9000011", "https://semopenalex.org/work/W9000012",
    "http://orkg.org/orkg/resource/R9000003", "http://orkg.org/orkg/resource/R9000004"]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory):
    """Oxigraph's server on loopback with the four fixture graphs loaded; stopped by PID afterwards."""
    with running_oxigraph(tmp_path_factory.mktemp("external-kgs")) as server:
        for target in TARGETS:
            request = urllib.request.Request(server.graph_store_url + "?default",
                                             data=(EXTERNAL / f"{target}.ttl").read_bytes(),
                                             headers={"Content-Type": "text/turtle"}, method="POST")
            with urllib.request.urlopen(request, timeout=30) as response:
                assert response.status in (200, 204)
        yield server.query_url


def run(*args: str, cache: Path, env: dict | None = None, command: str = "link") -> subprocess.CompletedProcess:
    """Run the CLI in a subprocess (its timeout only guards against a hang of the test itself)."""
    environment = {k: v for k, v in os.environ.items() if k != "LLMRL_KG_ENDPOINTS"}
    environment.update({"LLMRL_KG_CACHE": str(cache), "SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, **(env or {})})
    return subprocess.run([sys.executable, "-m", "llmrl_kg", command, *args], capture_output=True, text=True,
                          timeout=300, env=environment)


def triples(path: Path) -> set:
    return {q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)}


def expected_triples(name: str, url: str) -> set:
    text = (EXPECTED / f"{name}.ttl").read_text(encoding="utf-8").replace(PLACEHOLDER, url)
    return {q.triple for q in ox.parse(text.encode(), format=ox.RdfFormat.TURTLE)}


def same_as(path: Path) -> dict[str, str]:
    sameas = "http://www.w3.org/2002/07/owl#sameAs"
    return {t.subject.value[len(PAPER):]: t.object.value for t in triples(path) if t.predicate.value == sameas}


def batch_count(identifiers: dict[str, int], size: int = 100) -> int:
    """How many queries the documented batching sends: papers in IRI order, a new query whenever the
    next paper's identifiers would take the current one past `size` (a paper is never split)."""
    count, filled = 0, 0
    for paper in sorted(identifiers):
        if count == 0 or filled and filled + identifiers[paper] > size:
            count, filled = count + 1, 0
        filled += identifiers[paper]
    return count


def shipped_identifiers() -> dict[str, int]:
    """Identifiers per paper of the shipped KG (arXiv ID, its DataCite DOI, stated DOIs), by SPARQL."""
    from llmrl_kg.kg.loader import open_store

    query = ("PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#> PREFIX bibo: <http://purl.org/ontology/bibo/> "
             "SELECT ?p (COUNT(DISTINCT LCASE(?id)) AS ?n) WHERE { GRAPH ?g { "
             "{ ?p llmrl:arxivId ?id } UNION { ?p llmrl:arxivId ?a BIND(CONCAT('10.48550/arxiv.', ?a) AS ?id) } "
             "UNION { ?p bibo:doi ?id } } } GROUP BY ?p")
    return {row["p"].value: int(row["n"].value) for row in open_store(inferred=False).query(query)}


@pytest.fixture(scope="module")
def linked(endpoint, tmp_path_factory):
    """Run `llmrl-kg link TARGET --endpoint URL --output FILE` once per target with a fresh cache."""
    folder = tmp_path_factory.mktemp("links")
    results = {}
    for target in TARGETS:
        output = folder / f"{target}.ttl"
        results[target] = (run(target, "--endpoint", endpoint, "--output", str(output),
                               cache=folder / f"cache-{target}"), output)
    return results


@pytest.mark.parametrize("target", TARGETS)
def test_link_writes_exactly_the_pinned_links(linked, endpoint, target):
    result, output = linked[target]
    assert result.returncode == 0, result.stdout + result.stderr
    assert same_as(output) == LINKED[target]
    assert triples(output) == expected_triples(target, endpoint)
    assert output.read_text(encoding="utf-8") == canonical_turtle(triples(output))  # canonical Turtle
    text = output.read_text(encoding="utf-8")
    assert not [decoy for decoy in DECOYS if f"<{decoy}>" in text]


@pytest.mark.parametrize("target", TARGETS)
def test_the_json_report_lists_linked_and_ambiguous_papers(endpoint, target, tmp_path, asserted_store):
    result = run(target, "--endpoint", endpoint, "--dry-run", "--format", "json", cache=tmp_path)
    assert result.returncode == 0, result.stderr
    (report,) = json.loads(result.stdout)["targets"]
    outcomes = {o["paper"][len(PAPER):]: o for o in report["outcomes"]}
    linked = {p: o["candidates"][0]["entity"] for p, o in outcomes.items() if o["status"] == "linked"}
    ambiguous = {p: sorted(c["entity"].rsplit("/", 1)[-1] if target != "dblp" else
                           c["entity"][len("https://dblp.org/rec/"):] for c in o["candidates"])
                 for p, o in outcomes.items() if o["status"] == "ambiguous"}
    assert linked == LINKED[target]
    assert ambiguous == AMBIGUOUS[target]
    assert report["file"] == "dry run" and report["ok"] is True
    lacking = sorted(row["p"].value for row in asserted_store.query(
        "PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#> PREFIX bibo: <http://purl.org/ontology/bibo/> "
        "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?p a ?c VALUES ?c { llmrl:Paper llmrl:Survey } } "
        "FILTER NOT EXISTS { GRAPH ?h { ?p llmrl:arxivId|bibo:doi ?id } } }"))
    assert report["without_identifier"] == lacking


def test_the_text_report_is_pinned(linked, endpoint, asserted_store):
    result, output = linked["wikidata"]
    expected = (EXPECTED / "wikidata-report.txt").read_text(encoding="utf-8")
    expected = expected.replace("{endpoint}", endpoint).replace("{output}", str(output))
    # The counts and the not-found list depend on the shipped papers: computed here from the KG.
    prefixes = ("PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#> "
                "PREFIX bibo: <http://purl.org/ontology/bibo/> ")
    papers = sorted(row["p"].value for row in asserted_store.query(
        prefixes + "SELECT DISTINCT ?p WHERE { GRAPH ?g { ?p a ?c VALUES ?c { llmrl:Paper llmrl:Survey } } }"))
    # arXiv ID, the DataCite DOI derived from it, and stated DOIs (case-insensitive, without repeats)
    counted = asserted_store.query(
        prefixes + "SELECT ?p (COUNT(DISTINCT LCASE(?id)) AS ?n) WHERE { GRAPH ?g { "
        "{ ?p llmrl:arxivId ?id } UNION { ?p llmrl:arxivId ?a BIND(CONCAT('10.48550/arxiv.', ?a) AS ?id) } "
        "UNION { ?p bibo:doi ?id } } } GROUP BY ?p")
    identifiers = {row["p"].value: int(row["n"].value) for row in counted}
    seen = set(LINKED["wikidata"]) | set(AMBIGUOUS["wikidata"])
    not_found = [p for p in papers if p in identifiers and p[len(PAPER):] not in seen]
    lines = expected.splitlines()
    lines[1] = (f"  {len(papers)} papers, {sum(identifiers.values())} identifiers; "
                f"requests sent: {batch_count(identifiers)}, answers from the cache: 0")
    lines[3] = (f"  linked {len(LINKED['wikidata'])}, not found {len(not_found)}, "
                f"ambiguous {len(AMBIGUOUS['wikidata'])}, rejected candidates 0")
    lines[-2] = "  not found: " + ", ".join("paper:" + p[len(PAPER):] for p in not_found)
    lacking = [p for p in papers if p not in identifiers]
    if lacking:
        lines[2] = "  no identifier Wikidata can be searched by: " + ", ".join("paper:" + p[len(PAPER):] for p in lacking)
    else:
        del lines[2]
    assert result.stdout.splitlines() == lines


def test_rejected_matches_are_respected(endpoint, tmp_path):
    output = tmp_path / "wikidata.ttl"
    result = run("wikidata", "--endpoint", endpoint, "--output", str(output),
                 "--rejected", str(EXTERNAL / "rejected.tsv"), cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    assert triples(output) == expected_triples("wikidata-rejected", endpoint)
    assert same_as(output)["mineclip"] == "http://www.wikidata.org/entity/Q9000030"
    assert ("  rejected paper:mineclip → <http://www.wikidata.org/entity/Q9000031>: duplicate item for the "
            "NeurIPS 2022 datasets track version (test fixture)") in result.stdout.splitlines()


def test_a_malformed_rejected_file_is_reported_with_its_line(tmp_path):
    bad = tmp_path / "rejected.tsv"
    bad.write_text("target\tresource\texternal\treason\nwikidata\thttps://w3id.org/llmrl-kg/paper/x\tQ1\n",
                   encoding="utf-8")
    result = run("wikidata", "--rejected", str(bad), "--offline", cache=tmp_path / "cache")
    assert result.returncode == 1
    assert result.stderr.strip() == (f"{bad}:2: error rejected-matches — expected 4 tab-separated columns, "
                                     "found 3 (separate target, resource, external IRI and reason by single tabs)")


def test_offline_uses_only_the_cache_and_lists_the_lookups_it_lacks(endpoint, tmp_path):
    cache, output = tmp_path / "cache", tmp_path / "wikidata.ttl"
    output.write_text(SENTINEL, encoding="utf-8")
    missing = run("wikidata", "--endpoint", endpoint, "--output", str(output), "--offline", cache=cache)
    assert missing.returncode == 1
    lookups = int(missing.stdout.splitlines()[1].split(" papers, ")[1].split(" identifiers")[0])
    assert (f"  no cached answer (offline) for {lookups} of {lookups} lookups (" in missing.stdout
            and "; run without --offline to ask the endpoint, or add --verbose to list them" in missing.stdout)
    assert f"  FAILED: {output} left untouched" in missing.stdout
    assert output.read_text(encoding="utf-8") == SENTINEL

    queries = batch_count(shipped_identifiers())
    online = run("wikidata", "--endpoint", endpoint, "--output", str(output), cache=cache)
    assert online.returncode == 0 and f"requests sent: {queries}, answers from the cache: 0" in online.stdout
    written = output.read_bytes()
    offline = run("wikidata", "--endpoint", endpoint, "--output", str(output), "--offline", cache=cache)
    assert offline.returncode == 0, offline.stdout
    assert f"requests sent: 0, answers from the cache: {queries}" in offline.stdout
    assert f"  {output} is up to date (5 links)" in offline.stdout
    assert output.read_bytes() == written
    refreshed = run("wikidata", "--endpoint", endpoint, "--output", str(output), "--refresh", cache=cache)
    assert refreshed.returncode == 0 and f"requests sent: {queries}, answers from the cache: 0" in refreshed.stdout


def test_dry_run_writes_nothing(endpoint, tmp_path):
    output = tmp_path / "links" / "dblp.ttl"
    result = run("dblp", "--endpoint", endpoint, "--output", str(output), "--dry-run", cache=tmp_path / "cache")
    assert result.returncode == 0
    assert f"  dry run: {output} not written" in result.stdout
    assert not output.parent.exists()


def test_a_failing_target_does_not_stop_the_others(endpoint, tmp_path):
    folder = tmp_path / "links"
    folder.mkdir()
    (folder / "dblp.ttl").write_text(SENTINEL, encoding="utf-8")
    mirrors = {"https://query-scholarly.wikidata.org/sparql": endpoint,
               "https://sparql.dblp.org/sparql": "http://127.0.0.1:9/sparql",  # nothing listens there
               "https://semopenalex.org/sparql": endpoint,
               "https://orkg.org/triplestore": endpoint.replace("/query", "/no-such-endpoint")}
    result = run("all", "--output-dir", str(folder), "--retries", "0", cache=tmp_path / "cache",
                 env={"LLMRL_KG_ENDPOINTS": " ".join(f"{k}={v}" for k, v in mirrors.items())})
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "failed: dblp, orkg"
    assert "  error: connection failed: [Errno 111] Connection refused" in result.stdout
    assert "  error: no SPARQL endpoint at this URL (HTTP 404); check --endpoint" in result.stdout
    assert (folder / "dblp.ttl").read_text(encoding="utf-8") == SENTINEL
    assert not (folder / "orkg.ttl").exists()
    assert triples(folder / "wikidata.ttl") == expected_triples("wikidata", endpoint)
    assert triples(folder / "semopenalex.ttl") == expected_triples("semopenalex", endpoint)


def test_the_links_pass_validation(linked, tmp_path):
    paths = [str(linked[target][1]) for target in TARGETS]
    result = run(*paths, cache=tmp_path / "cache", command="validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("valid: checked 4 files")


def test_the_shapes_catch_hand_edited_links(linked, tmp_path):
    text = linked["wikidata"][1].read_text(encoding="utf-8")
    broken = tmp_path / "wikidata.ttl"
    broken.write_text(text.replace("owl:sameAs <http://www.wikidata.org/entity/Q9000002>",
                                   "owl:sameAs <https://example.org/Q9000002>")
                          .replace('"arXiv:2502.15214"', '"arXiv 2502.15214"')
                          .replace('"2026-01-01T00:00:00Z"^^xsd:dateTime', '"2026-01-01"^^xsd:dateTime', 1),
                      encoding="utf-8")
    result = run(str(broken), "--no-reasoning", cache=tmp_path / "cache", command="validate")
    assert result.returncode == 1
    rules = {line.split(" — ")[0].split(" error ")[1] for line in result.stdout.splitlines() if " error " in line}
    assert rules == {"external-link-identifier", "external-link-time", "same-as-entity"}
