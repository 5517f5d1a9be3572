"""The ontology is the only taxonomy source: a new leaf class reaches every command; one spelling each.

A copy of the KG (ontology, data, queries) gets a new Planner subclass, a README
table for it and one method typed with it; `validate`, `methods --role`, `ask`,
`new --role` and the exports must all pick it up with no code change.
"""

from __future__ import annotations

import csv
import io
import json
import re

import networkx as nx
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import readme_tables
from llmrl_kg import locations
from llmrl_kg.cli import cli
from llmrl_kg.kg import model
from readme_tables import parse_detailed_tables

LLMRL = "https://w3id.org/llmrl-kg/ontology#"
NEW_CLASS = LLMRL + "HierarchicalPlanner"
NEW_TABLE = "https://w3id.org/llmrl-kg/table/readme-hierarchical-planners"
NEW_CLASS_TTL = """
llmrl:HierarchicalPlanner
    a owl:Class ;
    rdfs:subClassOf llmrl:PlannerMethod ;
    rdfs:label "Hierarchical planner" ;
    skos:altLabel "hierarchical planning" ;
    skos:definition "A planner method whose plan is a hierarchy of sub-goals (a class added by a test)." .
"""
PREFIXES = """@prefix llmrl: <https://w3id.org/llmrl-kg/ontology#> .
@prefix rlrole: <https://w3id.org/llmrl-kg/vocab/rl-role/> .
@prefix ft: <https://w3id.org/llmrl-kg/vocab/fine-tuning/> .
@prefix metric: <https://w3id.org/llmrl-kg/vocab/metric/> .
@prefix method: <https://w3id.org/llmrl-kg/method/> .
@prefix paper: <https://w3id.org/llmrl-kg/paper/> .
@prefix model: <https://w3id.org/llmrl-kg/model/> .
@prefix entry: <https://w3id.org/llmrl-kg/entry/> .
@prefix table: <https://w3id.org/llmrl-kg/table/> .
@prefix doc: <https://w3id.org/llmrl-kg/document/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
"""
TABLE_TTL = PREFIXES + """
table:readme-hierarchical-planners
    a llmrl:SurveyTable ;
    rdfs:label "Table of Hierarchical Planning Approaches" ;
    llmrl:coversClass llmrl:HierarchicalPlanner ;
    llmrl:statedIn doc:readme ;
    llmrl:tablePosition %(position)d .
"""
METHOD_TTL = PREFIXES + """
method:tree-planner a %(types)s ; rdfs:label "TreePlanner" ; llmrl:introducedIn paper:tree-planner .
paper:tree-planner a llmrl:Paper ; dcterms:title "TreePlanner: Plans as Trees" ;
    fabio:hasPublicationYear "2025"^^xsd:gYear ; llmrl:arxivId "2501.09999" ; dcterms:source <https://arxiv.org/abs/2501.09999> ;
    llmrl:authorList "Ann Smith; Bob Jones" .
entry:tree-planner-readme a llmrl:MethodEntry ; llmrl:entryOf method:tree-planner ;
    llmrl:inTable table:readme-hierarchical-planners ; llmrl:rowNumber 1 ; llmrl:statedIn doc:readme ;
    llmrl:citation "Smith and Jones, 2025" ;
    llmrl:usesModel model:gpt-4 ; llmrl:modelsAsPrinted "GPT-4" ; llmrl:fineTuning ft:none ;
    llmrl:rlRole rlrole:pi_l ; llmrl:rlRolesAsPrinted "π_l" ;
    llmrl:improvesMetric metric:sr ; llmrl:metricsAsPrinted "sr" .
"""
NEW_ARGS = ["--model", "GPT-4", "--rl-role", "pi_l", "--metric", "sr", "--title", "Leaf: A Planner",
            "--authors", "Ann Smith; Bob Jones", "--year", "2025", "--source", "https://example.org/papers/leaf"]


def _run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture(scope="module")
def copied_kg(copy_kg):
    """A copy of the KG whose ontology has one more leaf class, with a README table and a method of it."""
    root = copy_kg()
    with open(root / "ontology" / "llmrl.ttl", "a", encoding="utf-8") as ontology:
        ontology.write(NEW_CLASS_TTL)
    store = ox.Store()
    store.load(path=str(root / "data" / "survey" / "survey.ttl"), format=ox.RdfFormat.TURTLE)
    (last,) = store.query(f"SELECT (MAX(?p) AS ?max) WHERE {{ ?t <{LLMRL}tablePosition> ?p }}")
    (root / "data" / "survey" / "hierarchical-planners.ttl").write_text(
        TABLE_TTL % {"position": int(last["max"].value) + 1}, encoding="utf-8")
    (root / "data" / "methods" / "tree-planner.ttl").write_text(
        METHOD_TTL % {"types": "llmrl:HierarchicalPlanner"}, encoding="utf-8")
    return root


@pytest.fixture
def kg_copy(copied_kg, monkeypatch):
    """Every command of the test works on the copy."""
    monkeypatch.setattr(locations, "kg_root", lambda: copied_kg)
    return copied_kg


def test_the_new_leaf_is_in_every_table_of_the_model(kg_copy):
    ontology = model.ontology()
    assert ontology.leaf_groups[NEW_CLASS] == LLMRL + "PlannerMethod"
    assert NEW_CLASS in ontology.method_classes() and NEW_CLASS in ontology.record_classes()
    assert model.ROLES["hierarchical-planner"] == model.ROLES["hierarchical"] == NEW_CLASS
    assert model.LEAVES["Hierarchical-Planner"] == NEW_CLASS


def test_validate_accepts_the_new_leaf_and_counts_its_method(kg_copy):
    from llmrl_kg.kg.validate import validate

    report = validate([kg_copy / "data" / "methods" / "tree-planner.ttl", kg_copy / "data" / "survey"])
    assert report.findings == []
    whole = validate(reason=False)
    assert whole.errors == []
    store = ox.Store()
    for path in (kg_copy / "data").rglob("*.ttl"):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=path.as_uri())
    methods = {row["m"].value for row in store.query(f"""
        SELECT DISTINCT ?m WHERE {{ ?m a ?c . VALUES ?c {{ <{LLMRL}Method> <{LLMRL}AgentMethod>
          <{LLMRL}ParametricAgent> <{LLMRL}NonParametricAgent> <{LLMRL}PlannerMethod>
          <{LLMRL}ComprehensivePlanner> <{LLMRL}IncrementalPlanner> <{NEW_CLASS}> <{LLMRL}RewardMethod>
          <{LLMRL}RewardFunctionMethod> <{LLMRL}RewardModelMethod> <{LLMRL}OtherIntegrationMethod> }} }}""")}
    assert "https://w3id.org/llmrl-kg/method/tree-planner" in methods
    assert whole.summary["methods"] == len(methods)


def test_validate_counts_the_new_leaf_as_a_leaf(kg_copy, tmp_path):
    from llmrl_kg.kg.validate import validate

    both = tmp_path / "tree-planner.ttl"  # replaces the copy's file: typed with two leaves now
    both.write_text(METHOD_TTL % {"types": "llmrl:HierarchicalPlanner , llmrl:IncrementalPlanner"},
                    encoding="utf-8")
    rules = [(f.rule, f.line) for f in validate([both], reason=False).errors]
    assert ("method-type", 16) in rules


def test_validate_takes_the_leaf_classes_and_table_classes_from_the_ontology(tmp_path):
    role_only = tmp_path / "tree-planner.ttl"
    role_only.write_text(METHOD_TTL % {"types": "llmrl:PlannerMethod"}, encoding="utf-8")
    wrong_table = tmp_path / "table.ttl"
    wrong_table.write_text(TABLE_TTL.replace("llmrl:HierarchicalPlanner", "llmrl:Paper") % {"position": 30},
                           encoding="utf-8")
    from llmrl_kg.kg.validate import validate

    found = {(f.path.rsplit("/", 1)[-1], f.line, f.rule, f.message) for f in
             validate([role_only, wrong_table], reason=False).errors}
    assert ("tree-planner.ttl", 16, "method-type", "<https://w3id.org/llmrl-kg/method/tree-planner>: the method "
            "is typed with 0 leaf classes of the integration-role taxonomy, not exactly one") in found
    assert ("table.ttl", 19, "table-covers-class", f"<{NEW_TABLE}>: llmrl:coversClass llmrl:Paper is not a class "
            "of the method taxonomy") in found


def test_methods_finds_the_new_sub_role_by_both_spellings(kg_copy):
    for role in ("hierarchical-planner", "hierarchical", "Hierarchical-Planner"):
        result = _run("methods", "--role", role, "--format", "json")
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == [{"method": "TreePlanner", "category": "Hierarchical planner",
                                              "year": 2025, "models": "GPT-4", "fine_tuning": "×",
                                              "code": None}]
    planners = json.loads(_run("methods", "--role", "planner", "--format", "json").stdout)
    assert "TreePlanner" in [row["method"] for row in planners]
    assert "hierarchical-planner" in _run("methods", "--help").output


def test_ask_lists_the_methods_of_the_new_sub_role(kg_copy):
    result = _run("ask", "hierarchical planners", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [row["method"] for row in json.loads(result.stdout)] == ["TreePlanner"]


def test_new_writes_a_method_of_the_new_sub_role_into_its_table(kg_copy, tmp_path):
    target = tmp_path / "leaf.ttl"
    result = _run("new", "leaf", "--name", "Leaf", "--role", "hierarchical", *NEW_ARGS, "--output", str(target))
    assert result.exit_code == 0, result.output
    triples = {q.triple for q in ox.parse(path=str(target), format=ox.RdfFormat.TURTLE)}
    method, entry = ox.NamedNode("https://w3id.org/llmrl-kg/method/leaf"), \
        ox.NamedNode("https://w3id.org/llmrl-kg/entry/leaf-readme")
    assert ox.Triple(method, ox.NamedNode(RDF_TYPE), ox.NamedNode(NEW_CLASS)) in triples
    assert ox.Triple(entry, ox.NamedNode(LLMRL + "inTable"), ox.NamedNode(NEW_TABLE)) in triples
    row = ox.Literal("2", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))
    assert ox.Triple(entry, ox.NamedNode(LLMRL + "rowNumber"), row) in triples  # after TreePlanner's row 1


RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def test_csv_and_markdown_exports_show_the_new_sub_role(kg_copy, monkeypatch):
    from llmrl_kg.export import export

    heading = "Table of Hierarchical Planning Approaches"
    monkeypatch.setattr(readme_tables, "DETAILED_HEADINGS", (*readme_tables.DETAILED_HEADINGS, heading))

    rows = list(csv.DictReader(io.StringIO(export("csv").decode("utf-8"))))
    (tree,) = [r for r in rows if r["Method"] == "TreePlanner"]
    assert tree["Category"] == "Hierarchical planner"
    tables = parse_detailed_tables(export("markdown").decode("utf-8"))
    assert tables[heading] == [{
        "Method": r"TreePlanner \[Smith and Jones, 2025]", "Model(s)": "GPT-4", "FT": "×",
        "RL Role": r"$\pi_l$", "Metrics": "sr", "Code": "-"}]


def test_network_and_html_exports_show_the_new_sub_role(kg_copy, tmp_path):
    from llmrl_kg.export import export
    from llmrl_kg.export.html import page_data
    from llmrl_kg.export.records import load_kg

    path = tmp_path / "methods.graphml"
    path.write_bytes(export("graphml"))
    graph = nx.read_graphml(path)
    (node,) = [n for n, a in graph.nodes(data=True) if a.get("label") == "TreePlanner"]
    assert graph.nodes[node]["role_class"] == "llmrl:HierarchicalPlanner"
    assert graph.has_edge(node, "llmrl:HierarchicalPlanner")
    assert graph.has_edge("llmrl:HierarchicalPlanner", "llmrl:PlannerMethod")
    data = page_data(load_kg())
    roles = [r["id"] for r in data["roles"]]
    assert roles.index("llmrl:HierarchicalPlanner") == roles.index("llmrl:IncrementalPlanner") + 1
    assert data["groupOf"]["llmrl:HierarchicalPlanner"] == "llmrl:PlannerMethod"
    colours = data["roleColours"]
    assert re.fullmatch(r"#[0-9a-f]{6}", colours["llmrl:HierarchicalPlanner"])
    assert len(set(colours.values())) == len(colours)  # every class its own colour


# --- one spelling of each vocabulary, the old ones as aliases (the shipped KG) --------------------------


@pytest.mark.parametrize("canonical,old", [("parametric-agent", "parametric"),
                                           ("non-parametric-agent", "non-parametric"),
                                           ("comprehensive-planner", "comprehensive"),
                                           ("incremental-planner", "incremental")])
def test_methods_accepts_the_old_role_spelling(canonical, old):
    new_way = _run("methods", "--role", canonical, "--format", "json")
    old_way = _run("methods", "--role", old, "--format", "json")
    assert new_way.exit_code == old_way.exit_code == 0
    assert json.loads(new_way.output) == json.loads(old_way.output) != []


def test_fine_tuning_words_are_the_same_in_methods_and_new():
    assert _run("methods", "--fine-tuned", "none", "--format", "json").output == \
        _run("methods", "--fine-tuned", "no", "--format", "json").output
    help_text = _run("new", "--help").output
    assert "[full|peft|no]" in help_text
    roles = re.search(r"--role \[([^\]]+)\]", help_text).group(1).split("|")
    assert roles == [t.name for t in model.ontology().leaves()]
    assert "incremental-planner" in roles and "incremental" not in roles  # aliases work, help lists one name


def test_the_readme_example_role_and_fine_tuning_are_accepted_by_new(tmp_path):
    target = tmp_path / "my-method.ttl"
    result = _run("new", "my-method", "--name", "MyMethod", "--role", "incremental", "--fine-tuned", "no",
                  *NEW_ARGS, "--output", str(target), "--no-reasoning")
    assert result.exit_code == 0, result.output
    triples = {q.triple for q in ox.parse(path=str(target), format=ox.RdfFormat.TURTLE)}
    entry = ox.NamedNode("https://w3id.org/llmrl-kg/entry/my-method-readme")
    assert ox.Triple(ox.NamedNode("https://w3id.org/llmrl-kg/method/my-method"), ox.NamedNode(RDF_TYPE),
                     ox.NamedNode(LLMRL + "IncrementalPlanner")) in triples
    assert ox.Triple(entry, ox.NamedNode(LLMRL + "fineTuning"),
                     ox.NamedNode("https://w3id.org/llmrl-kg/vocab/fine-tuning/none")) in triples


# --- `new` checks its own options first -----------------------------------------------------------------


def test_new_names_every_missing_option_in_words(tmp_path):
    target = tmp_path / "bare.ttl"
    result = _run("new", "bare", "--name", "Bare", "--role", "reward-model", "--output", str(target))
    assert result.exit_code == 1
    missing = re.findall(r"error ([a-z-]+) — missing (--[a-z-]+):", result.output)
    assert missing == [("method-entry-uses-model", "--model"), ("method-entry-rl-role", "--rl-role"),
                       ("method-entry-metric", "--metric"), ("paper-title", "--title"),
                       ("paper-author-list", "--authors"), ("record-source", "--source"), ("paper-year", "--year")]
    assert "refused: 7 required option(s) missing; nothing was written." in result.output
    assert "shacl" not in result.output.lower() and "llmrl:authorList" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_new_says_missing_authors_in_words(tmp_path):
    args = [a for a in NEW_ARGS if a not in ("--authors", "Ann Smith; Bob Jones")]
    result = _run("new", "x", "--name", "X", "--role", "reward-model", *args, "--output", str(tmp_path / "x.ttl"))
    assert result.exit_code == 1
    assert "error paper-author-list — missing --authors: the file needs it" in result.output
    assert list(tmp_path.iterdir()) == []


def test_new_help_marks_every_needed_option_required():
    help_text = _run("new", "--help").output
    marked = re.findall(r"^\s+(--[a-z-]+)[^\n]*(?:\n(?!\s+--)[^\n]*)*?\[required\]", help_text, re.M)
    assert marked == ["--name", "--role", "--model", "--rl-role", "--metric", "--title", "--authors"]


@pytest.mark.parametrize("option,value", [("--title", "..."), ("--title", "…"), ("--title", "TODO"),
                                          ("--code", "https://github.com/..."), ("--authors", "<authors>"),
                                          ("--venue", ""), ("--name", "TBD")])
def test_new_refuses_placeholders(tmp_path, option, value):
    args = ["new", "p", "--name", "P", "--role", "reward-model", *NEW_ARGS, option, value,
            "--output", str(tmp_path / "p.ttl")]
    result = _run(*args)
    assert result.exit_code == 2
    assert f"{option} {value!r} is a placeholder, not a value" in result.output
    assert list(tmp_path.iterdir()) == []


def test_new_refuses_a_role_group_and_names_the_sub_roles(tmp_path):
    result = _run("new", "g", "--name", "G", "--role", "planner", *NEW_ARGS, "--output", str(tmp_path / "g.ttl"))
    assert result.exit_code == 2
    assert ("'planner' is not one of 'parametric-agent', 'non-parametric-agent', 'comprehensive-planner', "
            "'incremental-planner', 'reward-function', 'reward-model', 'other-integration'") in result.output
