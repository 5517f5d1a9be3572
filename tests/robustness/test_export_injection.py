"""Issue 13, item 4 (export injection) and issue 14 (`print(table)`): hostile curated text stays inert.

Each export is read back by an independent reader: the csv module (as a spreadsheet
would see the cells), Python-Markdown + html.parser (as a browser would see the
HTML), pybtex and bibtexparser (as LaTeX tools see the fields). The hostile text is
in tests/robustness/fixtures/hostile-kg.
"""

from __future__ import annotations

import csv
import html.parser
import io
import unicodedata
from pathlib import Path

import bibtexparser
import markdown
import pybtex.database
import pyshacl
import pytest
from rdflib import Graph, Namespace

from llmrl_kg import locations
from llmrl_kg.export import export
from llmrl_kg.export.bibtex import escape_latex
from llmrl_kg.query.output import ResultTable, render

HOSTILE_KG = Path(__file__).parent / "fixtures" / "hostile-kg"
SHAPES_FIXTURE = Path(__file__).parent / "fixtures" / "unsafe-text.ttl"
FORMULA = '=HYPERLINK("http://127.0.0.1/x","click")'
MARKUP = "<img src=x onerror=alert(1)><script>alert(2)</script>"
SH = Namespace("http://www.w3.org/ns/shacl#")


class _Html(html.parser.HTMLParser):
    """The elements, attributes and text of an HTML document."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _browser_view(markdown_text: str) -> _Html:
    parsed = _Html()
    parsed.feed(markdown.markdown(markdown_text, extensions=["tables"]))
    return parsed


# --- CSV -----------------------------------------------------------------------------------

def test_export_csv_neutralises_formula_cells():
    rows = list(csv.DictReader(io.StringIO(export("csv", paths=[HOSTILE_KG]).decode("utf-8"))))
    assert len(rows) == 1
    row = rows[0]
    # OWASP: a cell that starts with = + - @ (or tab/CR) is prefixed with a single quote.
    assert row["Method"] == "'" + FORMULA
    assert row["Citation"] == "'@SUM(1+1)"
    assert row["Model(s)"] == MARKUP  # not a formula: kept as it is
    assert not [c for r in rows for c in r.values() if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_result_csv_neutralises_formula_cells(value):
    text = render(["x", "n"], [{"x": value, "n": -3}], "csv")
    (row,) = list(csv.reader(io.StringIO(text, newline="")))[1:]
    assert row == ["'" + value, "-3"]  # numbers stay numbers


def test_result_csv_keeps_ordinary_text():
    text = render(["x"], [{"x": "PPO, =x"}, {"x": "GPT-4"}], "csv")
    assert [r[0] for r in csv.reader(io.StringIO(text, newline=""))] == ["x", "PPO, =x", "GPT-4"]


# --- Markdown ------------------------------------------------------------------------------

def test_export_markdown_renders_no_markup_and_no_script_link():
    page = _browser_view(export("markdown", paths=[HOSTILE_KG]).decode("utf-8"))
    tags = {tag for tag, _ in page.tags}
    assert tags <= {"h3", "table", "thead", "tbody", "tr", "th", "td", "a", "p", "em", "strong"}, tags
    assert not [a for _tag, a in page.tags for name in a if name.startswith("on")]
    assert not [a for tag, a in page.tags if tag == "a"]  # the only link was javascript:
    text = "".join(page.text)
    assert MARKUP in text  # shown as text, exactly
    assert "javascript:alert(1)" in text


def test_export_markdown_keeps_http_links():
    from llmrl_kg.export.markdown import link_cell

    page = _browser_view("| Code |\n|---|\n| " + link_cell("https://github.com/x/y (z)") + " |\n")
    assert [a["href"] for tag, a in page.tags if tag == "a"] == ["https://github.com/x/y%20%28z%29"]


def test_result_markdown_escapes_html_and_links():
    rows = [{"x": MARKUP}, {"x": "[click](javascript:alert(1))"}]
    page = _browser_view(render(["x"], rows, "markdown"))
    assert {tag for tag, _ in page.tags} <= {"table", "thead", "tbody", "tr", "th", "td"}
    cells = [t for t in page.text if t.strip()]
    assert cells == ["x", MARKUP, "[click](javascript:alert(1))"]


# --- BibTeX --------------------------------------------------------------------------------

def test_bibtex_title_cannot_close_its_field():
    text = export("bibtex", paths=[HOSTILE_KG]).decode("utf-8")
    title = "Safe \\} title}, note = {injected"
    expected = "{" + escape_latex(title) + "}"
    pybtex_entry = pybtex.database.parse_string(text, "bibtex").entries["hostile"]
    assert sorted(pybtex_entry.fields) == ["archivePrefix", "eprint", "title", "url", "year"]
    assert pybtex_entry.fields["title"] == expected
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    (entry,) = library.entries
    assert {f.key: f.value for f in entry.fields}["title"] == expected
    assert sorted(f.key for f in entry.fields) == ["archivePrefix", "eprint", "title", "url", "year"]


@pytest.mark.parametrize("title", ["a {b} c", "}{", "x}", "{y", "\\}", "{{a}} }"])
def test_escaped_braces_are_balanced_for_bibtex(title):
    escaped = escape_latex(title)
    depth = 0
    for char in escaped:  # BibTeX counts every brace: a backslash does not escape one
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0, escaped
    assert depth == 0, escaped
    entry = pybtex.database.parse_string("@misc{k, title = {" + escaped + "}}", "bibtex").entries["k"]
    assert entry.fields["title"] == escaped


def test_balanced_braces_decode_back_to_the_title():
    from bibtexparser.middlewares import LatexDecodingMiddleware

    title = "Costs & {LLM} agents_1"
    library = bibtexparser.parse_string("@misc{k, title = {" + escape_latex(title) + "}}",
                                        append_middleware=[LatexDecodingMiddleware()])
    assert library.entries[0].fields_dict["title"].value == title


# --- Shapes: curated text that would be dangerous in an export ----------------------------

def _shape_results(data: Graph) -> set[tuple[str, str, str]]:
    shapes = Graph().parse(locations.shapes_file(), format="turtle")
    _conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                                advanced=False, do_owl_imports=False)
    out = set()
    for result in report.objects(None, SH.result):
        shape = report.value(result, SH.sourceShape)
        out.add((str(report.value(result, SH.focusNode)).rsplit("/", 1)[-1],
                 str(report.value(result, SH.resultPath)).rsplit("#", 1)[-1].rsplit("/", 1)[-1],
                 str(shapes.value(shape, SH.name))))
    return out


def test_unsafe_curated_text_is_flagged_by_the_shapes():
    data = Graph().parse(SHAPES_FIXTURE, format="turtle")
    results = _shape_results(data)
    expected = set()
    for subject, predicate, _o in data:
        name = str(subject).rsplit("/", 1)[-1]
        if name.startswith("bad-"):
            path = str(predicate).rsplit("#", 1)[-1].rsplit("/", 1)[-1]
            if path != "type":
                expected.add((name, path, {"label": "label-unsafe-text", "altLabel": "alt-label-unsafe-text",
                                           "prefLabel": "pref-label-unsafe-text", "title": "title-unsafe-text",
                                           "name": "name-unsafe-text"}[path]))
    assert expected and {r for r in results if r[2].endswith("unsafe-text")} == expected
    assert not [r for r in results if r[0].startswith("good-")]


def test_unsafe_text_fixture_holds_what_its_names_say():
    """The fixture's bad labels really are NFD, mixed-script, markup…, and the good ones are not."""
    data = Graph().parse(SHAPES_FIXTURE, format="turtle")
    labels = {str(s).rsplit("/", 1)[-1]: str(o) for s, p, o in data if not str(p).endswith("type")}
    assert unicodedata.normalize("NFC", labels["bad-nfd"]) != labels["bad-nfd"]
    assert unicodedata.normalize("NFC", labels["good-nfc"]) == labels["good-nfc"]
    assert any("CYRILLIC" in unicodedata.name(c, "") for c in labels["bad-cyrillic"])


def test_unsafe_text_shapes_do_not_fire_on_the_shipped_data():
    data = Graph()
    for path in [locations.ontology_file(), *sorted(locations.data_dir().rglob("*.ttl"))]:
        data.parse(path, format="turtle")
    assert [r for r in _shape_results(data) if r[2].endswith("unsafe-text")] == []


# --- ResultTable (issue 14) ----------------------------------------------------------------

def test_print_result_table_shows_the_rows():
    table = ResultTable(["method", "year"], [{"method": "AGILE", "year": 2024}, {"method": "ELLM", "year": None}])
    assert str(table) == ("method  year\n"
                          "------  ----\n"
                          "AGILE   2024\n"
                          "ELLM\n"
                          "(2 rows)")


def test_result_table_html_is_escaped():
    table = ResultTable(["a<b"], [{"a<b": MARKUP}])
    page = _Html()
    page.feed(table._repr_html_())
    assert [tag for tag, _ in page.tags] == ["table", "thead", "tr", "th", "tbody", "tr", "td"]
    assert [t for t in page.text if t.strip()] == ["a<b", MARKUP]
