"""The KG states every cell of the survey README's six tables and of the paper's extra Table 1 columns."""

from __future__ import annotations

import csv

import pyoxigraph as ox
import pytest

from conftest import FIXTURES
from readme_tables import parse_detailed_tables, rl_role_notations, split_method_cell
from survey_scope import fixture_names

PREFIXES = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX doc: <https://w3id.org/llmrl-kg/document/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""

TABLES = parse_detailed_tables((FIXTURES / "survey-readme.md").read_text(encoding="utf-8"))
README_ROWS = [(heading, position, row) for heading, rows in TABLES.items()
               for position, row in enumerate(rows, 1)]
PAPER_ROWS = list(csv.DictReader((FIXTURES / "paper-table1-extra.csv").open(encoding="utf-8")))
ARXIV = list(csv.DictReader((FIXTURES / "arxiv-ids.csv").open(encoding="utf-8")))


def _values(store, query, **bindings):
    """Run `query` with `bindings` as a VALUES block (terms serialised by pyoxigraph)."""
    if bindings:
        terms = [ox.Literal(v) if isinstance(v, str) else v for v in bindings.values()]
        values = "VALUES (" + " ".join("?" + k for k in bindings) + ") { (" + " ".join(map(str, terms)) + ") }"
        query = query.replace("WHERE {", "WHERE { " + values, 1)
    return [[term.value if term is not None else None for term in solution]
            for solution in store.query(PREFIXES + query, use_default_graph_as_union=True)]


def _entry(store, name, document):
    rows = _values(store, """
        SELECT ?e WHERE { ?m rdfs:label ?name . ?e llmrl:entryOf ?m ; a llmrl:MethodEntry ; llmrl:statedIn ?doc }
    """, name=name, doc=ox.NamedNode("https://w3id.org/llmrl-kg/document/" + document))
    assert len(rows) == 1, f"{name}: expected one {document} entry, found {len(rows)}"
    return ox.NamedNode(rows[0][0])


def _cell(store, entry, query):
    return sorted(r[0] for r in _values(store, query, e=entry))


def test_six_tables_have_34_rows():
    assert [len(rows) for rows in TABLES.values()] == [6, 7, 7, 5, 3, 6]


@pytest.mark.parametrize("heading,position,row", README_ROWS,
                         ids=[split_method_cell(r["Method"])[0] for _, _, r in README_ROWS])
def test_readme_row_is_in_the_kg(asserted_store, heading, position, row):
    name, citation = split_method_cell(row["Method"])
    entry = _entry(asserted_store, name, "readme")
    where = f"{name} (README, {heading}, row {position})"

    table = _values(asserted_store, "SELECT ?label ?n WHERE { ?e llmrl:inTable ?t ; llmrl:rowNumber ?n . ?t rdfs:label ?label }", e=entry)
    assert table == [[heading, str(position)]], f"{where}: table/row"
    assert _cell(asserted_store, entry, "SELECT ?c WHERE { ?e llmrl:citation ?c }") == [citation], f"{where}: citation cell"

    models = [m.strip() for m in row["Model(s)"].split(",")]
    assert _cell(asserted_store, entry, "SELECT ?l WHERE { ?e llmrl:usesModel/rdfs:label ?l }") == sorted(models), \
        f"{where}: Model(s) cell"
    assert _cell(asserted_store, entry, "SELECT ?p WHERE { ?e llmrl:modelsAsPrinted ?p }") == [", ".join(models)], \
        f"{where}: Model(s) cell order"

    ft = row["FT"].replace("\\*", "*")
    assert _cell(asserted_store, entry, "SELECT ?n WHERE { ?e llmrl:fineTuning/skos:notation ?n }") == [ft], \
        f"{where}: FT cell"

    roles = rl_role_notations(row["RL Role"])
    assert _cell(asserted_store, entry, "SELECT ?n WHERE { ?e llmrl:rlRole/skos:notation ?n }") == sorted(roles), \
        f"{where}: RL Role cell"
    assert _cell(asserted_store, entry, "SELECT ?p WHERE { ?e llmrl:rlRolesAsPrinted ?p }") == [", ".join(roles)], \
        f"{where}: RL Role cell order"

    metrics = [m.strip() for m in row["Metrics"].split(",")]
    assert _cell(asserted_store, entry, "SELECT ?n WHERE { ?e llmrl:improvesMetric/skos:notation ?n }") == sorted(metrics), \
        f"{where}: Metrics cell"
    assert _cell(asserted_store, entry, "SELECT ?p WHERE { ?e llmrl:metricsAsPrinted ?p }") == [", ".join(metrics)], \
        f"{where}: Metrics cell order"

    code = [] if row["Code"] == "-" else [row["Code"].removeprefix("[Link](").removesuffix(")")]
    assert _cell(asserted_store, entry, "SELECT ?c WHERE { ?e llmrl:codeRepository ?c }") == code, f"{where}: Code cell"


@pytest.mark.parametrize("row", PAPER_ROWS, ids=[r["method"] for r in PAPER_ROWS])
def test_paper_extra_columns_are_in_the_kg(asserted_store, row):
    name = row["method"]
    entry = _entry(asserted_store, name, "paper-v1")
    where = f"{name} (paper v1, Table 1)"
    fm = [c.strip() for c in row["fm_role"].split(",")]
    assert _cell(asserted_store, entry, "SELECT ?n WHERE { ?e llmrl:fmRole/skos:notation ?n }") == sorted(fm), \
        f"{where}: FM Role cell"
    for column, prop in (("rl_agent", "rlAgent"), ("rl_task", "rlTask"), ("rl_setting", "rlSetting")):
        expected = [] if row[column] == "-" else [row[column]]
        found = _cell(asserted_store, entry, f"SELECT ?n WHERE {{ ?e llmrl:{prop}/skos:notation ?n }}")
        assert found == expected, f"{where}: {column} cell"
    roles = [c.strip() for c in row["rl_role"].split(",")]
    assert _cell(asserted_store, entry, "SELECT ?n WHERE { ?e llmrl:rlRole/skos:notation ?n }") == sorted(roles), \
        f"{where}: RL Role cell"


def test_paper_rows_are_numbered_in_survey_order(asserted_store):
    rows = _values(asserted_store, """
        SELECT ?name ?n WHERE { ?e llmrl:statedIn doc:paper-v1 ; a llmrl:MethodEntry ; llmrl:rowNumber ?n ;
                                   llmrl:entryOf/rdfs:label ?name } ORDER BY ?n""")
    assert [name for name, _ in rows] == [split_method_cell(r["Method"])[0] for _, _, r in README_ROWS]
    assert [int(n) for _, n in rows] == list(range(1, 35))


def test_all_34_arxiv_ids(asserted_store):
    found = dict(_values(asserted_store, """
        SELECT ?name ?id WHERE { ?m llmrl:introducedIn ?p ; rdfs:label ?name . ?p llmrl:arxivId ?id .
                                  FILTER EXISTS { ?e llmrl:entryOf ?m ; llmrl:statedIn ?doc .
                                                  VALUES ?doc { doc:readme doc:paper-v1 } } }"""))
    expected = {r["method"]: r["arxiv_id"] for r in ARXIV}
    # Scoped to the survey's methods (the fixture README's rows and the paper's): a contributor's row adds its own.
    assert {name: arxiv for name, arxiv in found.items() if name in fixture_names() or name in expected} == expected


def test_readme_and_paper_disagreements_are_both_kept(asserted_store):
    def roles(name, document):
        return _cell(asserted_store, _entry(asserted_store, name, document),
                     "SELECT ?n WHERE { ?e llmrl:rlRole/skos:notation ?n }")

    assert (roles("Inner Monologue", "readme"), roles("Inner Monologue", "paper-v1")) == (["v", "π"], ["o"])
    assert (roles("Text2Reward", "readme"), roles("Text2Reward", "paper-v1")) == (["ref", "π"], ["π"])
    code = [_cell(asserted_store, _entry(asserted_store, "When2Ask", d), "SELECT ?c WHERE { ?e llmrl:codeRepository ?c }")
            for d in ("readme", "paper-v1")]
    assert code == [[], ["https://github.com/ZJLAB-AMMI/LLM4RL"]]
    link = _values(asserted_store, """
        SELECT ?category ?url WHERE { ?e a llmrl:SummaryEntry ; llmrl:entryOf/rdfs:label "Inner Monologue" ;
                                        llmrl:statedCategory ?category ; llmrl:linkedURL ?url }""")
    assert link == [["Hybrid", "https://arxiv.org/abs/2212.01599"]]
