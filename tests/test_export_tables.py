"""Markdown and CSV exports: the README's six tables round-trip cell for cell; the CSV reads back."""

from __future__ import annotations

import csv
import io
import re

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from llmrl_kg.cli import cli
from llmrl_kg.export import export
from readme_tables import (
    DETAILED_HEADINGS,
    parse_detailed_tables,
    rl_role_notations,
    split_method_cell,
)
from survey_scope import fixture_names, survey_rows

README = (FIXTURES / "survey-readme.md").read_text(encoding="utf-8")
README_TABLES = parse_detailed_tables(README)
PAPER_ROWS = {r["method"]: r for r in csv.DictReader((FIXTURES / "paper-table1-extra.csv").open(encoding="utf-8"))}


def _readme_methods_beyond_the_fixture() -> set[str]:
    """Labels of the KG's methods with a README row that the fixture copy of the README does not have."""
    from llmrl_kg.kg.loader import open_store

    query = ("PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
             "SELECT DISTINCT ?label WHERE { ?e llmrl:entryOf ?m ; llmrl:statedIn "
             "<https://w3id.org/llmrl-kg/document/readme> . ?m rdfs:label ?label }")
    labels = {row["label"].value for row in open_store(inferred=False).query(query, use_default_graph_as_union=True)}
    return labels - fixture_names()


@pytest.fixture(scope="module")
def readme_markdown() -> str:
    return export("markdown").decode("utf-8")


@pytest.fixture(scope="module")
def paper_markdown() -> str:
    return export("markdown", source="paper").decode("utf-8")


def test_markdown_round_trip_equals_the_seed_readme_cell_for_cell(readme_markdown):
    exported = parse_detailed_tables(readme_markdown)
    assert list(exported) == list(DETAILED_HEADINGS)
    assert survey_rows(exported) == README_TABLES
    # Any other row is a method the KG adds to the README's tables (a contributor's), each a KG method.
    added = {split_method_cell(r["Method"])[0] for rows in exported.values() for r in rows} - fixture_names()
    assert added == _readme_methods_beyond_the_fixture()


def test_markdown_table_lines_are_the_readmes_lines(readme_markdown):
    # Stronger than the cells: every table line, padding included, is a line of the README.
    table_lines = [line for line in readme_markdown.splitlines() if line.startswith("|")]
    readme_lines = set(README.splitlines())
    added = _readme_methods_beyond_the_fixture()
    # A table holding a contributor's row is padded to that row's width: its cells are checked by the
    # round trip above; every line of every other table is a line of the README.
    for block in re.split(r"\n(?!\|)", readme_markdown):
        lines = [line for line in block.splitlines() if line.startswith("|")]
        if not any(line.startswith(f"| {name} \\[") for name in added for line in lines):
            assert [line for line in lines if line not in readme_lines] == []
    assert len(table_lines) == sum(len(rows) + 2 for rows in README_TABLES.values()) + len(added)


def test_markdown_headings_are_the_readmes(readme_markdown):
    headings = [line for line in readme_markdown.splitlines() if line.startswith("### ")]
    assert headings == [f"### {h}" for h in DETAILED_HEADINGS]


def test_markdown_from_the_paper_shows_the_papers_cells(paper_markdown):
    tables = parse_detailed_tables(paper_markdown)
    assert list(tables) == list(DETAILED_HEADINGS)
    for heading, rows in tables.items():
        names = [split_method_cell(r["Method"])[0] for r in rows]
        assert names == [split_method_cell(r["Method"])[0] for r in README_TABLES[heading]], heading
        for row in rows:
            name = split_method_cell(row["Method"])[0]
            assert rl_role_notations(row["RL Role"]) == \
                [c.strip() for c in PAPER_ROWS[name]["rl_role"].split(",")], name
    by_name = {split_method_cell(r["Method"])[0]: r for rows in tables.values() for r in rows}
    assert by_name["Inner Monologue"]["RL Role"] == r"$\text{o}$"
    assert by_name["When2Ask"]["Code"] == "[Link](https://github.com/ZJLAB-AMMI/LLM4RL)"


def test_csv_reads_back_one_row_per_surveyed_method_with_the_survey_cells():
    rows = [r for r in csv.DictReader(io.StringIO(export("csv").decode("utf-8"))) if r["Method"] in fixture_names()]
    readme_rows = [r for rows_ in README_TABLES.values() for r in rows_]
    assert [r["Method"] for r in rows] == [split_method_cell(r["Method"])[0] for r in readme_rows]
    for row, readme in zip(rows, readme_rows):
        name, citation = split_method_cell(readme["Method"])
        assert row["Citation"] == citation, name
        assert row["Model(s)"] == readme["Model(s)"], name
        assert row["FT"] == readme["FT"].replace("\\*", "*"), name
        assert row["RL Role"] == ", ".join(rl_role_notations(readme["RL Role"])), name
        assert row["Metrics"] == readme["Metrics"], name
        assert row["Code"] == ("" if readme["Code"] == "-" else readme["Code"][len("[Link]("):-1]), name
        paper = PAPER_ROWS[name]
        assert row["FM Role"] == paper["fm_role"], name
        for column, key in (("RL Agent", "rl_agent"), ("RL Task", "rl_task"), ("RL Setting", "rl_setting")):
            assert row[column] == ("" if paper[key] == "-" else paper[key]), (name, column)


def test_csv_from_the_paper_uses_the_papers_rl_roles():
    rows = [r for r in csv.DictReader(io.StringIO(export("csv", source="paper").decode("utf-8")))
            if r["Method"] in PAPER_ROWS]
    assert len(rows) == 34
    for row in rows:
        assert row["RL Role"] == PAPER_ROWS[row["Method"]]["rl_role"], row["Method"]


def test_tables_clean_control_characters():
    markdown = export("markdown", paths=[FIXTURES / "export-kg"]).decode("utf-8")
    row = parse_detailed_tables(markdown)["Table of Parametric LLM/VLM Agents"][0]
    assert row["Method"] == r"Odd Text Method \[Núñez et al., 2024]"
    assert row["Model(s)"] == "Odd Model"
    rows = list(csv.DictReader(io.StringIO(export("csv", paths=[FIXTURES / "export-kg"]).decode("utf-8"))))
    assert [(r["Method"], r["Model(s)"]) for r in rows] == [("Odd Text Method", "Odd Model")]


def test_cli_writes_markdown_atomically_to_a_file(tmp_path):
    target = tmp_path / "tables.md"
    result = CliRunner().invoke(cli, ["export", "markdown", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert survey_rows(parse_detailed_tables(target.read_text(encoding="utf-8"))) == README_TABLES
    assert [p.name for p in tmp_path.iterdir()] == ["tables.md"]
