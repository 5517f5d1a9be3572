"""The methods added beyond the survey: their own Markdown table, and the survey's tables unchanged."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from llmrl_kg.export import export

CURATED = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label ?n (COUNT(DISTINCT ?model) AS ?models) (SAMPLE(?repo) AS ?code) WHERE {
  ?e a llmrl:CuratedEntry ; llmrl:inTable <https://w3id.org/llmrl-kg/table/beyond-the-survey> ;
     llmrl:statedIn <https://w3id.org/llmrl-kg/document/llmrl-kg-curation> ;
     llmrl:rowNumber ?n ; llmrl:entryOf/rdfs:label ?label .
  OPTIONAL { ?e llmrl:usesModel ?model } OPTIONAL { ?e llmrl:codeRepository ?repo }
} GROUP BY ?label ?n ORDER BY ?n"""


def _rows(markdown: str) -> list[list[str]]:
    lines = [line for line in markdown.splitlines() if line.startswith("| ")]
    return [[c.strip() for c in line.strip("| ").split(" | ")] for line in lines[2:]]


def test_beyond_survey_table_has_one_row_per_curated_entry(asserted_store):
    expected = list(asserted_store.query(CURATED, use_default_graph_as_union=True))
    if not expected:
        pytest.skip("the KG holds no rows beyond the survey yet")
    rows = _rows(export("markdown", beyond_survey=True).decode("utf-8"))
    assert len(rows) == len(expected)
    for row, solution in zip(rows, expected, strict=True):
        assert row[0].split(" \\[")[0] == solution["label"].value
        assert (row[2] == "not stated") == (int(solution["models"].value) == 0)
        code = solution["code"]
        assert row[6] == (f"[Link]({code.value})" if isinstance(code, ox.NamedNode) else "not stated")
        assert row[7] != "not stated"  # every curated row names its pages


def test_no_curated_row_is_in_the_survey_tables():
    labels = {r[0].split(" \\[")[0] for r in _rows(export("markdown", beyond_survey=True).decode("utf-8"))}
    if not labels:
        pytest.skip("the KG holds no rows beyond the survey yet")
    for source in ("readme", "paper"):
        survey = {r[0].split(" \\[")[0] for r in _rows(export("markdown", source=source).decode("utf-8"))
                  if r and not r[0].startswith("-")}
        assert labels and not labels & survey, source
