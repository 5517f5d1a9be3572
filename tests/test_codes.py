"""`codes [SCHEME]` / `kg.codes()`: the survey's legend, every code with its label and definition."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from llmrl_kg import KnowledgeGraph
from llmrl_kg.cli import cli
from llmrl_kg.query.legend import UnknownScheme
from llmrl_kg.rdf import namespaces as ns

PREFIXES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in ns.PREFIXES.items())
ALL_CODES = """SELECT ?scheme ?code ?label ?definition WHERE {
  ?c skos:inScheme ?s ; skos:notation ?code ; skos:prefLabel ?label ; skos:definition ?definition .
  ?s a skos:ConceptScheme ; skos:prefLabel ?scheme }"""


@pytest.fixture(scope="module")
def kg():
    return KnowledgeGraph.load()


def _key(row: dict) -> tuple:
    return (row["scheme"], row["code"], row["label"], row["definition"])


def test_every_code_of_every_scheme_with_label_and_definition(kg):
    expected = {_key(r) for r in kg.sparql(PREFIXES + ALL_CODES).rows}
    table = kg.codes()
    assert table.columns == ["scheme", "code", "label", "definition", "note"]
    assert len(table.rows) == len(expected) and {_key(r) for r in table.rows} == expected
    assert len({r["scheme"] for r in table.rows}) == 7


@pytest.mark.parametrize("scheme", ["rl-role", "RL roles", "RLRoleScheme", "rl_role", "RL role"])
def test_one_scheme_by_any_of_its_names(kg, scheme):
    table = kg.codes(scheme)
    expected = {r["code"] for r in kg.sparql(PREFIXES + ALL_CODES).rows if r["scheme"] == "RL roles"}
    assert {r["code"] for r in table.rows} == expected and "π_g" in expected


def test_undefined_codes_say_so(kg):
    rows = {r["code"]: r for r in kg.codes("rl-role").rows}
    for code in ("π_g", "v_g"):
        assert "never defines" in rows[code]["definition"] and rows[code]["note"]


def test_unknown_scheme(kg):
    with pytest.raises(UnknownScheme, match="code lists: .*rl-role"):
        kg.codes("colours")


def test_cli_codes():
    runner = CliRunner()
    result = runner.invoke(cli, ["codes", "fine-tuning", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["code"] for r in json.loads(result.stdout)] == ["✓", "×", "✓*"] or \
        sorted(r["code"] for r in json.loads(result.stdout)) == sorted(["✓", "×", "✓*"])
    bad = runner.invoke(cli, ["codes", "colours"])
    assert bad.exit_code == 2 and bad.stdout == "" and "not a code list" in bad.stderr
