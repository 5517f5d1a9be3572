"""`llmrl-kg docs`: every class, property and code-list concept of the ontology, with its definition, offline."""

from __future__ import annotations

import html
import re
import socket
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from llmrl_kg import locations
from llmrl_kg.cli import cli

QUERY = """
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?term ?label ?definition WHERE {
  ?term a ?kind ; rdfs:label|skos:prefLabel ?label .
  OPTIONAL { ?term skos:definition ?definition }
  VALUES ?kind { owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty rdf:Property
                 skos:Concept skos:ConceptScheme }
  FILTER(isIRI(?term))
}"""


def _text(page: str) -> str:
    """The page's visible text without tags and without any whitespace (entities decoded)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    return _squeeze(html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _squeeze(text: str) -> str:
    """Text without whitespace and without Markdown's code backticks (pyLODE renders definitions as Markdown)."""
    return "".join(text.replace("`", "").split())


@pytest.fixture(scope="module")
def ontology_terms():
    store = ox.Store()
    store.load(path=str(locations.ontology_file()), format=ox.RdfFormat.TURTLE)
    return [(row["term"].value, row["label"].value, row["definition"].value if row["definition"] else None)
            for row in store.query(QUERY)]


@pytest.fixture(scope="module")
def page_text(tmp_path_factory):
    def refuse(*args, **kwargs):
        raise AssertionError(f"the documentation tried to use the network: {args!r}")

    patch = pytest.MonkeyPatch()
    for name in ("connect", "connect_ex"):
        patch.setattr(socket.socket, name, refuse)
    patch.setattr(socket, "create_connection", refuse)
    patch.setattr(socket, "getaddrinfo", refuse)
    try:
        folder = tmp_path_factory.mktemp("docs")
        result = CliRunner().invoke(cli, ["docs", "-o", str(folder)])
    finally:
        patch.undo()
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == ["index.html"]
    page = (folder / "index.html").read_text(encoding="utf-8")
    # Offline: no stylesheet, script or image is loaded from elsewhere.
    assert re.findall(r"<(?:script|img|link)\b[^>]*(?:src|href)=\"https?:", page) == []
    return _text(page)


def test_every_term_label_is_documented(ontology_terms, page_text):
    missing = sorted({(term, label) for term, label, _ in ontology_terms
                      if _squeeze(label) not in page_text})
    assert missing == []
    assert len(ontology_terms) > 100


def test_every_definition_is_documented(ontology_terms, page_text):
    missing = sorted({term for term, _, definition in ontology_terms
                      if definition and _squeeze(definition) not in page_text})
    assert missing == []


def test_code_lists_show_notations_and_latex(page_text):
    assert "Codelists" in page_text
    for needle in ("π_l", r"\pi_l", "✓*", r"\text{rft}", "rlrole:tau_pi"):
        assert needle in page_text


def test_docs_refuses_a_file_as_folder(tmp_path):
    target = tmp_path / "file.txt"
    target.write_text("x")
    result = CliRunner().invoke(cli, ["docs", "-o", str(target)])
    assert result.exit_code == 2
    assert target.read_text() == "x"


class _Header(HTMLParser):
    """The page's <title>, its <h1>s and the first <code> of the metadata section, as a browser reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.title, self.h1s, self.codes = "", [], []
        self._open: str | None = None
        self._in_metadata = False

    def handle_starttag(self, tag, attrs):
        if tag == "div" and ("id", "metadata") in attrs:
            self._in_metadata = True
        if tag in ("title", "h1") or (tag == "code" and self._in_metadata):
            self._open = tag
            if tag == "h1":
                self.h1s.append("")
            elif tag == "code":
                self.codes.append("")

    def handle_endtag(self, tag):
        if tag == self._open:
            self._open = None

    def handle_data(self, data):
        if self._open == "title":
            self.title += data
        elif self._open == "h1":
            self.h1s[-1] += data
        elif self._open == "code":
            self.codes[-1] += data


def test_page_header_is_the_ontology_title_and_iri(tmp_path):
    # Regression (issue 12): the title was "RL settings", the H1 ran the ontology's and the seven code
    # lists' titles together, and the metadata IRI was llmrl:RLSettingScheme.
    store = ox.Store()
    store.load(path=str(locations.ontology_file()), format=ox.RdfFormat.TURTLE)
    [(ontology, title)] = [(row["o"].value, row["t"].value) for row in store.query(
        "SELECT ?o ?t WHERE { ?o a <http://www.w3.org/2002/07/owl#Ontology> ; <http://purl.org/dc/terms/title> ?t }")]
    result = CliRunner().invoke(cli, ["docs", "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    header = _Header()
    header.feed((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert header.title.strip() == title
    assert [h.strip() for h in header.h1s] == [title]
    assert header.codes[0].strip() == ontology
