"""`llmrl-kg site`: the static website, read back with independent readers (html.parser, rdflib, SPARQL).

Byte-identical builds, a page for every entity the KG describes (found by SPARQL here, not by the
site's code), relative links that all resolve, the cells of every method page equal to the KG's,
per-entity Turtle and JSON-LD isomorphic to the entity's description, the tables' rows, the home
page's taxonomy counts, and the command's refusals.
"""

from __future__ import annotations

import html.parser
import json
import re
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path, PurePosixPath

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from llmrl_kg.cli import cli
from llmrl_kg.site import build_site

BASE = "https://w3id.org/llmrl-kg/"
INFERRED = "urn:llmrl-kg:inferred"
PREFIXES = """PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX doc: <https://w3id.org/llmrl-kg/document/>
"""
ENTITIES = PREFIXES + """
SELECT DISTINCT ?e WHERE {
  { GRAPH ?g { ?e ?p ?o }
    FILTER(isIRI(?e) && STRSTARTS(STR(?e), "https://w3id.org/llmrl-kg/")
           && !STRSTARTS(STR(?e), "https://w3id.org/llmrl-kg/entry/")
           && STRSTARTS(STR(?g), "urn:llmrl-kg:file:data/") && ?g != <urn:llmrl-kg:file:data/void.ttl>) }
  UNION { ?e rdfs:subClassOf* llmrl:Method } UNION { ?e skos:inScheme ?scheme } UNION { ?code skos:inScheme ?e }
  FILTER(isIRI(?e) && STRSTARTS(STR(?e), "https://w3id.org/llmrl-kg/"))
}"""


class Links(html.parser.HTMLParser):
    """The hrefs, srcs and ids of one page, and the text of elements marked with data-column or class iri."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.cells: dict[tuple[str, str], str] = {}
        self.iri = ""
        self._open: list = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name in ("href", "src"):
            if attributes.get(name) is not None:
                self.links.append(attributes[name])
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "td" and "data-column" in attributes:
            self._open.append([(attributes["data-doc"], attributes["data-column"]), ""])
        elif tag == "p" and attributes.get("class") == "iri":
            self._open.append(["iri", ""])
        elif tag in ("td", "p"):
            self._open.append(None)

    def handle_endtag(self, tag):
        if tag in ("td", "p") and self._open:
            done = self._open.pop()
            if done is not None and done[0] == "iri":
                self.iri = done[1].removeprefix("IRI: ").strip()
            elif done is not None:
                self.cells[done[0]] = done[1]

    def handle_data(self, data):
        for item in self._open:
            if item is not None:
                item[1] += data


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site") / "site"
    build_site(folder)
    return folder


@pytest.fixture(scope="module")
def pages(site) -> dict[str, Links]:
    parsed = {}
    for path in sorted(site.rglob("*.html")):
        reader = Links()
        reader.feed(path.read_text(encoding="utf-8"))
        parsed[path.relative_to(site).as_posix()] = reader
    return parsed


@pytest.fixture(scope="module")
def page_of(pages) -> dict[str, str]:
    """Entity IRI -> its page, read from each page's IRI line."""
    found = {reader.iri: path for path, reader in pages.items() if reader.iri}
    assert len(found) == sum(1 for reader in pages.values() if reader.iri), "two pages for one IRI"
    return found


@pytest.fixture(scope="module")
def store():
    from llmrl_kg.kg.loader import open_store

    return open_store()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical_and_fast(site, tmp_path):
    started = time.perf_counter()
    summary = build_site(tmp_path / "again")
    assert time.perf_counter() - started < 10
    first, second = _tree(site), _tree(tmp_path / "again")
    assert first.keys() == second.keys()
    assert [p for p in first if first[p] != second[p]] == []
    assert summary.files == len(first) and summary.pages == sum(1 for p in first if p.endswith(".html"))


def test_every_entity_has_a_page(store, page_of):
    expected = {row["e"].value for row in store.query(ENTITIES, use_default_graph_as_union=True)}
    assert len(expected) > 400
    assert sorted(expected - page_of.keys()) == []
    assert sorted(page_of.keys() - expected) == []


def _internal(link: str) -> bool:
    return not re.match(r"^(https?:|data:|mailto:)", link)


def test_links_are_relative_and_resolve(site, pages):
    broken = []
    for path, reader in pages.items():
        for link in reader.links:
            if not _internal(link):
                continue
            assert not link.startswith("/") and "://" not in link, (path, link)
            target, _, fragment = link.partition("#")
            resolved = PurePosixPath(path).parent / urllib.parse.unquote(target) if target else PurePosixPath(path)
            normal = PurePosixPath(*[p for p in resolved.parts if p != "."])
            while ".." in normal.parts:
                at = normal.parts.index("..")
                assert at > 0, (path, link)
                normal = PurePosixPath(*normal.parts[:at - 1], *normal.parts[at + 1:])
            if not (site / normal).is_file():
                broken.append((path, link))
            elif fragment and normal.suffix == ".html" and fragment not in pages[normal.as_posix()].ids:
                broken.append((path, link))
    assert broken == []


CELLS = PREFIXES + """
SELECT ?entry ?method ?document ?column ?value WHERE {
  ?entry a llmrl:MethodEntry ; llmrl:entryOf ?method ; llmrl:statedIn ?document .
  {
    VALUES (?column ?p) { ("FT" llmrl:fineTuning) ("RL role" llmrl:rlRole) ("Metrics" llmrl:improvesMetric)
                          ("FM role" llmrl:fmRole) ("RL agent" llmrl:rlAgent) ("RL task" llmrl:rlTask)
                          ("RL setting" llmrl:rlSetting) }
    ?entry ?p ?code . ?code skos:notation ?value
  } UNION {
    BIND("Model(s)" AS ?column) ?entry llmrl:usesModel/rdfs:label ?value
  } UNION {
    BIND("Code" AS ?column) ?entry llmrl:codeRepository ?repository BIND(STR(?repository) AS ?value)
  }
}"""
COLUMNS = ("Model(s)", "FT", "RL role", "Metrics", "FM role", "RL agent", "RL task", "RL setting", "Code")


def test_each_method_page_shows_the_cells_of_the_kg(store, pages, page_of):
    stated: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    methods_documents: dict[str, set[str]] = defaultdict(set)
    for row in store.query(CELLS, use_default_graph_as_union=True):
        document = row["document"].value.rsplit("/", 1)[-1]
        stated[(row["method"].value, document, row["column"].value)].add(row["value"].value)
    for row in store.query(PREFIXES + "SELECT ?m ?d WHERE { ?e a llmrl:MethodEntry ; llmrl:entryOf ?m ; "
                                      "llmrl:statedIn ?d }", use_default_graph_as_union=True):
        methods_documents[row["m"].value].add(row["d"].value.rsplit("/", 1)[-1])
    printed = {(d, c) for (_m, d, c) in stated}
    assert len(methods_documents) >= 34
    for method, documents in methods_documents.items():
        cells = pages[page_of[method]].cells
        assert {d for d, _c in cells} == documents, method
        for document in documents:
            for column in COLUMNS:
                shown = cells[(document, column)]
                values = stated.get((method, document, column), set())
                if (document, column) not in printed:
                    assert shown == "", (method, document, column)
                else:
                    assert set(shown.split(", ")) - {"-"} == values, (method, document, column)
                    assert (shown == "-") == (not values)


def test_disagreements_are_marked(site, pages, page_of, store):
    """A row of the comparison is marked `differs` exactly when both documents print different cells."""
    both = PREFIXES + ("SELECT DISTINCT ?m WHERE { ?e llmrl:entryOf ?m ; llmrl:statedIn doc:readme . "
                       "?f llmrl:entryOf ?m ; llmrl:statedIn doc:paper-v1 }")
    methods = {r["m"].value for r in store.query(both, use_default_graph_as_union=True)}
    assert len(methods) >= 30
    marked = 0
    for method in methods:
        cells = pages[page_of[method]].cells
        source = (site / page_of[method]).read_text(encoding="utf-8")
        for column in COLUMNS:
            readme, paper = cells[("readme", column)], cells[("paper-v1", column)]
            differs = bool(readme) and bool(paper) and readme != paper
            row = re.search(r'<tr( class=differs)?><th scope="row">' + re.escape(column) + "</th>", source)
            assert row and bool(row.group(1)) == differs, (method, column)
            marked += differs
    assert marked > 0


DESCRIPTION = """
CONSTRUCT { ?s ?p ?o } WHERE {
  { GRAPH ?g { ?entity ?p ?o } BIND(?entity AS ?s) FILTER(!isBlank(?o)) }
  UNION { GRAPH ?g { ?s <https://w3id.org/llmrl-kg/ontology#entryOf> ?entity ; ?p ?o } }
  FILTER(?g != <urn:llmrl-kg:inferred>)
}"""


def _rdflib(triples):
    import rdflib

    graph = rdflib.Graph()
    for t in triples:
        def term(x):
            if isinstance(x, ox.NamedNode):
                return rdflib.URIRef(x.value)
            if x.language:
                return rdflib.Literal(x.value, lang=x.language)
            if x.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
                return rdflib.Literal(x.value)  # rdflib's parsers read plain strings without a datatype
            return rdflib.Literal(x.value, datatype=rdflib.URIRef(x.datatype.value))
        graph.add((term(t.subject), term(t.predicate), term(t.object)))
    return graph


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's JSON-LD reader
def test_rdf_of_each_entity_is_its_description(site, store, page_of):
    import rdflib
    from rdflib.compare import isomorphic

    for iri, path in page_of.items():
        expected = _rdflib(store.query(DESCRIPTION, use_default_graph_as_union=False,
                                       substitutions={ox.Variable("entity"): ox.NamedNode(iri)}))
        stem = site / path.removesuffix(".html")
        turtle = rdflib.Graph().parse(data=stem.with_suffix(".ttl").read_text(encoding="utf-8"), format="turtle")
        jsonld = rdflib.Graph().parse(data=stem.with_suffix(".jsonld").read_text(encoding="utf-8"), format="json-ld")
        assert len(expected) > 0, iri
        assert isomorphic(turtle, expected), iri
        assert isomorphic(jsonld, expected), iri


def test_the_kg_file_of_the_sparql_page_holds_every_quad(site, store):
    loaded = ox.Store()
    loaded.load(path=str(site / "data" / "kg.nq"), format=ox.RdfFormat.N_QUADS)
    assert len(loaded) == len(store)

    def ground(s):
        return {q for q in s if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}

    assert ground(loaded) == ground(store)


ROWS = PREFIXES + """SELECT ?table (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e llmrl:inTable ?table } GROUP BY ?table"""


def test_each_table_page_has_the_rows_of_its_table(site, store, page_of):
    counts = {r["table"].value: int(r["n"].value) for r in store.query(ROWS, use_default_graph_as_union=True)}
    assert len(counts) >= 11
    for table, count in counts.items():
        body = (site / page_of[table]).read_text(encoding="utf-8")
        tbody = body.split('<table class="sortable" id="rows-table">', 1)[1].split("</tbody>", 1)[0]
        assert tbody.count("<tr id=") == count, table
        assert f"{count} of {count} rows" in body


BEYOND = PREFIXES + """ASK { ?e a llmrl:MethodEntry ; llmrl:statedIn ?d . FILTER(?d NOT IN (doc:readme, doc:paper-v1)) }"""


def test_beyond_the_survey_table_exactly_when_the_kg_has_such_rows(site, store):
    assert (site / "beyond-the-survey.html").exists() == bool(store.query(BEYOND, use_default_graph_as_union=True))


CLASS_COUNTS = PREFIXES + """
SELECT ?class (COUNT(DISTINCT ?m) AS ?n) WHERE {
  GRAPH <urn:llmrl-kg:file:ontology/llmrl.ttl> { ?class rdfs:subClassOf+ llmrl:Method }
  OPTIONAL { GRAPH ?g { ?m a ?leaf } FILTER(?g != <urn:llmrl-kg:inferred>) ?leaf rdfs:subClassOf* ?class }
} GROUP BY ?class"""


def test_home_taxonomy_counts(site, store, page_of):
    home = (site / "index.html").read_text(encoding="utf-8")
    shown = dict(re.findall(r'<a href="([^"]+)"><title>[^<]*: (\d+) methods</title>', home))
    expected = {page_of[r["class"].value]: r["n"].value
                for r in store.query(CLASS_COUNTS, use_default_graph_as_union=True)}
    assert shown == expected


def test_search_index_lists_every_page(site, page_of):
    home = (site / "index.html").read_text(encoding="utf-8")
    data = re.search(r'<script type="application/json" id="search-index">(.*?)</script>', home).group(1)
    index = json.loads(data)
    assert sorted(e["path"] for e in index) == sorted(page_of.values())
    assert Counter(e["path"] for e in index).most_common(1)[0][1] == 1


def test_cli_builds_and_refuses_a_foreign_folder(tmp_path):
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "keep.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["site", "-o", str(foreign)])
    assert result.exit_code == 2
    assert "is not empty and holds no site built by llmrl-kg" in result.output
    assert sorted(p.name for p in foreign.iterdir()) == ["keep.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["notes"]  # no temporary folder left behind
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["site", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "index.html").is_file() and (out / ".llmrl-kg-site").is_file()
    (out / "stale.html").write_text("old")
    assert CliRunner().invoke(cli, ["site", "-o", str(out)]).exit_code == 0  # an earlier build is replaced
    assert not (out / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes", "site"]


# The ontology documentation (pyLODE's page of `llmrl-kg docs`, made deterministic) as ontology.html.

class Anchors(html.parser.HTMLParser):
    """Every id of a page (with repeats), the IRI each pyLODE entity block names, the <title> and the <h1>s."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.iri_of: dict[str, str] = {}
        self.title, self.h1s = "", []
        self._entity: str | None = None
        self._open: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.append(attributes["id"])
            if tag == "div" and "entity" in (attributes.get("class") or "").split():
                self._entity = attributes["id"]
        if tag == "code" and self._entity is not None and self._entity not in self.iri_of:
            self._open = "code"
            self.iri_of[self._entity] = ""
        elif tag in ("title", "h1"):
            self._open = tag
            if tag == "h1":
                self.h1s.append("")

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None

    def handle_data(self, data):
        if self._open == "code":
            self.iri_of[self._entity] += data
        elif self._open == "title":
            self.title += data
        elif self._open == "h1":
            self.h1s[-1] += data


ONTOLOGY_GRAPH = "<urn:llmrl-kg:file:ontology/llmrl.ttl>"
ONTOLOGY_TERMS = PREFIXES + """PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?term WHERE { GRAPH """ + ONTOLOGY_GRAPH + """ { ?term a ?kind }
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }
  FILTER(isIRI(?term) && STRSTARTS(STR(?term), STR(llmrl:))) }"""


@pytest.fixture(scope="module")
def ontology_page(site) -> Anchors:
    reader = Anchors()
    reader.feed((site / "ontology.html").read_text(encoding="utf-8"))
    return reader


def _resolve(page: str, link: str) -> str:
    import posixpath

    target = urllib.parse.unquote(link.partition("#")[0])
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), target)) if target else page


def test_ontology_page_is_linked_from_home_and_every_framed_page(pages):
    home = [link for link in pages["index.html"].links if _resolve("index.html", link) == "ontology.html"]
    assert len(home) == 2  # the navigation and the list of contents
    unlinked = [path for path, reader in pages.items() if path != "network.html"
                and "ontology.html" not in {_resolve(path, link) for link in reader.links}]
    assert unlinked == []


def test_ontology_page_header_is_the_ontology_title(ontology_page, store):
    [title] = [r["t"].value for r in store.query(
        "SELECT ?t WHERE { GRAPH " + ONTOLOGY_GRAPH + " { ?o a <http://www.w3.org/2002/07/owl#Ontology> ; "
        "<http://purl.org/dc/terms/title> ?t } }")]
    assert ontology_page.title == f"{title} · llmrl-kg"
    assert [h.strip() for h in ontology_page.h1s] == [title]


def test_ontology_page_ids_are_unique(ontology_page):
    # Regression: pyLODE gave its Classes and Properties sections the ids of the properties llmrl:classes and
    # llmrl:properties (and its credit line the id of llmrl:version), so those anchors named two elements.
    assert [i for i, n in Counter(ontology_page.ids).items() if n > 1] == []


def test_ontology_page_has_an_anchor_for_every_term(ontology_page, pages, store):
    terms = {r["term"].value for r in store.query(ONTOLOGY_TERMS, use_default_graph_as_union=True)}
    assert len(terms) > 50
    anchored = {iri.strip(): anchor for anchor, iri in ontology_page.iri_of.items()}
    assert sorted(terms - anchored.keys()) == []
    toc = {link.removeprefix("#") for link in pages["ontology.html"].links if link.startswith("#")}
    assert sorted(term for term in terms if anchored[term] not in toc) == []


def test_ontology_page_offers_the_ontology_as_turtle(site, pages):
    from llmrl_kg import locations

    assert "ontology.ttl" in pages["ontology.html"].links
    assert (site / "ontology.ttl").read_bytes() == locations.ontology_file().read_bytes()


def test_ontology_page_loads_nothing_from_elsewhere(site):
    page = (site / "ontology.html").read_text(encoding="utf-8")
    assert re.findall(r"<(?:script|img|link|iframe|source|video|audio)\b[^>]*\b(?:src|href)=\"(?!data:)[a-z]+:", page) \
        == []
    assert re.findall(r"@import|url\(", page) == []


SET_CLASS = """          <td>
            <span>
              <a href="#{0}">{0}</a>
              <sup class="sup-c" title="OWL/RDFS Class">c</sup>
            </span>
            <span class="cardinality">or</span>
            <span>
              <a href="#{1}">{1}</a>
              <sup class="sup-c" title="OWL/RDFS Class">c</sup>
            </span>
          </td>"""


def test_set_class_members_are_sorted():
    # Regression: pyLODE lists the members of an owl:unionOf from a Python set, in a different order per run.
    from llmrl_kg.export.ontodocs import deterministic

    assert deterministic(SET_CLASS.format("Method", "Benchmark")) == SET_CLASS.format("Benchmark", "Method")
    assert deterministic(SET_CLASS.format("Benchmark", "Method")) == SET_CLASS.format("Benchmark", "Method")


PAGE_SCRIPT = "import sys\nfrom llmrl_kg.site.ontology import ontology_page\nsys.stdout.buffer.write(ontology_page().encode())"


@pytest.mark.slow
def test_ontology_page_is_the_same_in_fresh_processes(site, tmp_path):
    # Regression: pyLODE's page differed between runs. Two processes with their own empty caches and their own
    # hash seeds both run pyLODE; each writes the page this build wrote.
    import os
    import subprocess
    import sys

    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "LLMRL_KG_CACHE": str(tmp_path / f"cache-{seed}")}
        runs.append(subprocess.Popen([sys.executable, "-c", PAGE_SCRIPT], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE))
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err.decode()[-500:] for _out, err in outputs]
    built = (site / "ontology.html").read_bytes()
    assert [out == built for out, _err in outputs] == [True, True]
    assert [any(p.name.startswith("ontodocs-") for p in (tmp_path / f"cache-{seed}").iterdir())
            for seed in ("1", "2")] == [True, True]  # each process ran pyLODE (its cache was empty)
