"""Facts a record marks `llmrl:unconfirmed` are shown as unconfirmed on its site page, and only those.

The marked (record, property) pairs are found here by SPARQL on the shipped KG; each entity page is
read back with html.parser: every value under a marked property's term says "(unconfirmed)", and no
value under any other term does.
"""

from __future__ import annotations

import html.parser
from collections import defaultdict
from pathlib import Path

import pytest

from llmrl_kg.site import build_site

MARKED = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?record ?property ?label WHERE {
  GRAPH ?g { ?record llmrl:unconfirmed ?property . ?record ?property ?value }
  ?property rdfs:label ?label .
  FILTER(STRSTARTS(STR(?g), "urn:llmrl-kg:file:data/"))
}"""


class Facts(html.parser.HTMLParser):
    """The page's IRI line and, for its facts list, each term's text and the texts of its values."""

    def __init__(self) -> None:
        super().__init__()
        self.iri = ""
        self.values: dict[str, list[str]] = defaultdict(list)
        self._in: str | None = None
        self._text = ""
        self._term = ""
        self._facts = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "dl":
            self._facts = attributes.get("class") == "facts" and not self.values
        if tag == "p" and attributes.get("class") == "iri" or self._facts and tag in ("dt", "dd"):
            self._in, self._text = tag, ""

    def handle_endtag(self, tag):
        if tag == "dl":
            self._facts = False
        if tag != self._in:
            return
        if tag == "p":
            self.iri = self._text.removeprefix("IRI: ").strip()
        elif tag == "dt":
            self._term = self._text.strip()
        else:
            self.values[self._term].append(self._text.strip())
        self._in = None

    def handle_data(self, data):
        if self._in:
            self._text += data


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Facts]:
    folder: Path = tmp_path_factory.mktemp("site") / "site"
    build_site(folder)
    found = {}
    for path in sorted(folder.rglob("*.html")):
        reader = Facts()
        reader.feed(path.read_text(encoding="utf-8"))
        if reader.iri:
            found[reader.iri] = reader
    return found


def test_marked_facts_say_unconfirmed_and_no_other_fact_does(pages):
    from llmrl_kg.kg.loader import open_store

    marked: dict[str, set[str]] = defaultdict(set)
    for row in open_store().query(MARKED, use_default_graph_as_union=True):
        marked[row["record"].value].add(row["label"].value)
    assert marked, "the shipped KG marks some statements unconfirmed"
    for record, labels in marked.items():
        page = pages[record]
        for term, values in page.values.items():
            flagged = [v.endswith("(unconfirmed)") for v in values]
            if term in labels:
                assert all(flagged), (record, term, values)
            else:
                assert not any(flagged), (record, term, values)
        assert labels <= set(page.values), (record, labels)
