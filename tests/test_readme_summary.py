"""`llmrl-kg readme`: the generated KG summary in README.md, its counts checked by SPARQL, and its freshness."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from llmrl_kg import locations
from llmrl_kg.cli import cli
from llmrl_kg.export.summary import END, START
from llmrl_kg.kg.loader import open_store

COUNTS = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?groupLabel ?leafLabel (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?m a ?leaf . ?leaf rdfs:subClassOf* ?group . ?group rdfs:subClassOf llmrl:Method ; rdfs:label ?groupLabel .
  ?leaf rdfs:label ?leafLabel .
  FILTER NOT EXISTS { ?sub rdfs:subClassOf ?leaf }
} GROUP BY ?groupLabel ?leafLabel"""


def _readme(tmp_path, body: str = "") -> object:
    path = tmp_path / "README.md"
    path.write_text(f"# Title\n\nBefore.\n\n{START}\n{body}{END}\n\nAfter.\n", encoding="utf-8")
    return path


def test_summary_table_has_the_taxonomy_counts_sparql_finds(tmp_path):
    store = open_store(inferred=False)
    expected = {(r["groupLabel"].value, r["leafLabel"].value, int(r["n"].value)) for r in store.query(COUNTS, use_default_graph_as_union=True)}
    path = _readme(tmp_path)
    result = CliRunner().invoke(cli, ["readme", "--file", str(path)])
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Title\n\nBefore.\n\n" + START) and text.endswith(END + "\n\nAfter.\n")
    rows = re.findall(r"^\| ([^*|][^|]*) \| ([^|]+) \| (\d+) \| \d+ \|$", text, re.M)
    assert {(g, r, int(n)) for g, r, n in rows} == expected
    assert "```mermaid" in text


def test_check_exits_1_when_stale_and_0_when_fresh(tmp_path):
    path = _readme(tmp_path, "old summary\n")
    stale = CliRunner().invoke(cli, ["readme", "--check", "--file", str(path)])
    assert stale.exit_code == 1 and "stale" in stale.output
    assert path.read_text(encoding="utf-8").count("old summary") == 1  # --check writes nothing
    assert CliRunner().invoke(cli, ["readme", "--file", str(path)]).exit_code == 0
    assert CliRunner().invoke(cli, ["readme", "--check", "--file", str(path)]).exit_code == 0


def test_missing_markers_are_a_clear_error(tmp_path):
    path = tmp_path / "README.md"
    path.write_text("# No markers\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["readme", "--file", str(path)])
    assert result.exit_code == 1
    assert "kg-summary:start" in result.output and "Traceback" not in result.output


@pytest.mark.generated
def test_the_repository_readme_summary_is_fresh(update_expected):
    readme = locations.kg_root() / "README.md"
    text = readme.read_text(encoding="utf-8")
    if START not in text:
        pytest.skip(f"README.md has no {START} / {END} markers yet")
    if update_expected:  # `python -m pytest --update-expected` refreshes it, as every generated file
        refreshed = CliRunner().invoke(cli, ["readme", "--file", str(readme)])
        assert refreshed.exit_code == 0, refreshed.output
    result = CliRunner().invoke(cli, ["readme", "--check", "--file", str(readme)])
    assert result.exit_code == 0, result.output + "\nRun `llmrl-kg readme` to refresh README.md."
