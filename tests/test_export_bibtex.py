"""BibTeX export: parses with bibtexparser (v2), one entry per paper, arXiv and DOI fields from the KG."""

from __future__ import annotations

import bibtexparser
import pyoxigraph as ox
import pytest

from conftest import FIXTURES
from llmrl_kg.export import export
from llmrl_kg.export.bibtex import escape_latex

QUERY = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?paper ?title ?arxiv (MIN(?d) AS ?doi) WHERE {
  { ?paper a llmrl:Paper } UNION { ?paper a llmrl:Survey }
  ?paper dcterms:title ?title .
  OPTIONAL { ?paper llmrl:arxivId ?arxiv } OPTIONAL { ?paper bibo:doi ?d }
} GROUP BY ?paper ?title ?arxiv
"""


def _papers(store) -> dict[str, dict[str, str | None]]:
    out = {}
    for row in store.query(QUERY, use_default_graph_as_union=True):
        key = row["paper"].value.rsplit("/", 1)[-1]
        out[key] = {name: (row[name].value if row[name] is not None else None) for name in ("title", "arxiv", "doi")}
    return out


def _fields(entry) -> dict[str, str]:
    return {field.key: field.value for field in entry.fields}


@pytest.fixture(scope="module")
def library():
    return bibtexparser.parse_string(export("bibtex").decode("utf-8"))


def test_one_entry_per_paper_and_nothing_unparsed(asserted_store, library):
    papers = _papers(asserted_store)
    assert library.failed_blocks == []
    assert sorted(e.key for e in library.entries) == sorted(papers)
    assert library.entries[0].key == "schoepp-2025"  # the survey first


def test_arxiv_eprint_and_doi_fields(asserted_store, library):
    papers = _papers(asserted_store)
    for entry in library.entries:
        fields, paper = _fields(entry), papers[entry.key]
        if paper["arxiv"]:
            assert (fields["eprint"], fields["archivePrefix"]) == (paper["arxiv"], "arXiv"), entry.key
        else:
            assert "eprint" not in fields, entry.key
        assert fields.get("doi") == paper["doi"], entry.key
        assert fields["title"] == "{" + escape_latex(paper["title"]) + "}", entry.key


def test_survey_entry(asserted_store, library):
    survey = _fields(library.entries[0])
    authors = next(iter(asserted_store.query(
        'SELECT ?a WHERE { <https://w3id.org/llmrl-kg/paper/schoepp-2025> '
        '<https://w3id.org/llmrl-kg/ontology#authorList> ?a }', use_default_graph_as_union=True)))["a"].value
    assert survey["author"] == " and ".join(authors.split("; "))
    assert (library.entries[0].entry_type, survey["year"]) == ("inproceedings", "2025")


_UNESCAPE = [(r"\textbackslash{}", "\\"), (r"\textasciitilde{}", "~"), (r"\textasciicircum{}", "^"),
             (r"\{", "{"), (r"\}", "}"), (r"\&", "&"), (r"\%", "%"), (r"\$", "$"), (r"\#", "#"), (r"\_", "_")]


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        for escaped, plain in _UNESCAPE:
            if text.startswith(escaped, i):
                out.append(plain)
                i += len(escaped)
                break
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def test_latex_special_characters_are_escaped():
    store = ox.Store()
    store.load(path=str(FIXTURES / "export-kg" / "odd-text.ttl"), format=ox.RdfFormat.TURTLE)
    title = _papers(store)["odd-text"]["title"]
    library = bibtexparser.parse_string(export("bibtex", paths=[FIXTURES / "export-kg"]).decode("utf-8"))
    assert library.failed_blocks == []
    (entry,) = library.entries
    fields = _fields(entry)
    assert entry.entry_type == "article" and fields["journal"] == "IEEE Transactions on Odd Text 1(2)"
    # Every special character is escaped; unescaping gives the title back (the U+202E override dropped).
    assert _unescape(fields["title"][1:-1]) == title.replace("\u202e", "")
    assert fields["author"] == "Ana Núñez and Bo O'Neil and others"
    assert fields["doi"] == "10.1234/odd_text#1"  # verbatim field: not escaped
