"""The `queries`, `query` and `sparql` commands."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import sys
import types

import pyoxigraph as ox
import pytest

from expected_results import EXPECTED
from llmrl_kg import locations
from llmrl_kg.query.catalogue import Catalogue
from llmrl_kg.store.backends import Solutions

LOCAL = [q.name for q in Catalogue().all() if not q.network]


def _tree_hash():
    digest = hashlib.sha256()
    for folder in (locations.data_dir(), locations.ontology_file().parent, locations.queries_dir()):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


def test_queries_lists_every_saved_query(cli_invoke):
    result = cli_invoke("queries", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["name"] for r in rows] == Catalogue().names()
    headline = next(r for r in rows if r["name"] == "role-fine-tuning-model")
    assert headline["title"] == "Methods of a role with a fine-tuning type and a model"
    assert headline["parameters"] == "role=planner (role); fine_tuning=no (fine-tuning); model=GPT-4 (string)"


def test_queries_describes_one(cli_invoke):
    result = cli_invoke("queries", "methods-by-rl-role", "--format", "json")
    fields = {r["field"]: r["value"] for r in json.loads(result.output)}
    assert fields["question"] == "In which methods is RL used to learn a language-conditioned policy?"
    assert fields["param rl_role"].startswith("rl_role=pi_l (rl-role) an RL-role code")


@pytest.mark.parametrize("name", LOCAL)
def test_query_json_equals_the_pinned_rows(name, cli_invoke):
    result = cli_invoke("query", name, "--format", "json")
    assert result.exit_code == 0, result.output
    expected = json.loads((EXPECTED / f"{name}.json").read_text(encoding="utf-8"))
    assert json.loads(result.output) == expected["rows"]


def test_query_with_params_in_tsv(cli_invoke):
    result = cli_invoke("query", "methods-by-rl-role", "--param", "rl_role=τ_π", "-p", "rl-role=tau_pi")
    assert result.exit_code == 2 and "'rl_role' is given twice" in result.output
    result = cli_invoke("query", "methods-by-rl-role", "--param", "rl-role=τ_π")
    lines = result.output.splitlines()
    assert lines[0] == "method\tdocument\trl_roles"
    assert lines[1:3] == ["AdaRefiner\treadme\tπ_l, v_l, τ_π", "AdaRefiner\tpaper\tπ_l, v_l, τ_π"]
    assert {line.split("\t")[0] for line in lines[1:]} == {
        "AdaRefiner", "BOSS", "Eureka", "ExpeL", "ICPI", "Reflexion", "REMEMBERER", "RLingua", "Zeng et al."}


@pytest.mark.parametrize("args,message", [
    (["query", "methods-by-rol"], "no saved query named 'methods-by-rol'; closest: methods-by-role"),
    (["query", "methods-by-role", "-p", "rol=agent"], "has no parameter 'rol'; closest: role"),
    (["query", "methods-by-role", "-p", "role"], "'role' is not KEY=VALUE"),
    (["query", "methods-by-role", "-p", "role=critic"], "'critic' is not accepted; accepted values: agent, planner"),
    (["query", "methods-by-metric", "-p", "metric=speed"], "'speed' is not a metric code; accepted values: acc"),
    (["query", "methods-by-modality", "-p", "model_type=x> } ; DROP ALL ; <y"], "is not an absolute IRI"),
    (["query", "role-fine-tuning-model", "-p", "fine_tuning=yes"], "'yes' means full or PEFT fine-tuning"),
    (["queries", "nope"], "no saved query named 'nope'"),
])
def test_usage_errors_exit_2_with_a_clear_message(args, message, cli_invoke):
    before = _tree_hash()
    result = cli_invoke(*args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert _tree_hash() == before


@pytest.mark.parametrize("value", ['GPT-4" || true || "', "x> } ; DROP ALL ; <y", "GPT-4' } UNION { ?s ?p ?o"])
def test_injected_parameter_values_match_nothing(value, cli_invoke):
    """The value is bound as a literal: it matches no model, so the answer is empty and, being no model's
    name, it is reported as unknown (exit 2, nothing on stdout); nothing is written."""
    before = _tree_hash()
    result = cli_invoke("query", "role-fine-tuning-model", "--param", f"model={value}", "--format", "json")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"llmrl-kg: parameter model: no model named {value!r} in the KG")
    assert _tree_hash() == before


def test_show_sparql_runs_anywhere(cli_invoke):
    shown = cli_invoke("query", "role-fine-tuning-model", "-p", "model=gpt-4", "--show-sparql")
    assert '\n  VALUES (?role ?fine_tuning ?model) { (<https://w3id.org/llmrl-kg/ontology#PlannerMethod> ' \
           '<https://w3id.org/llmrl-kg/vocab/fine-tuning/none> "gpt-4") }\n' in shown.output
    result = cli_invoke("sparql", shown.output, "--format", "json")
    assert [r["method"] for r in json.loads(result.output)] == ["PSL", "SayTap"]


# --- network queries ------------------------------------------------------------------------------


@pytest.fixture()
def federated_folder(tmp_path, monkeypatch):
    (tmp_path / "federated").mkdir()
    (tmp_path / "federated" / "remote-ids.rq").write_text(
        "# title: Remote\n# description: D\n# question: Q?\n# network: required\n"
        "# param: model (string, default: GPT-4) — a model\n"
        "SELECT ?id ?model WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?id ?p ?model } } ORDER BY ?id\n",
        encoding="utf-8")
    monkeypatch.setattr(locations, "queries_dir", lambda: tmp_path)
    return tmp_path


def test_network_query_needs_online(federated_folder, cli_invoke):
    listed = cli_invoke("queries", "--format", "csv")
    assert "remote-ids,Remote,model=GPT-4 (string),required" in listed.output
    result = cli_invoke("query", "remote-ids")
    assert result.exit_code == 2
    assert "calls remote SPARQL endpoints; run it with --online" in result.output


def test_online_calls_the_linking_module(federated_folder, monkeypatch, cli_invoke):
    calls = []

    class Rows(list):  # what llmrl_kg.link.federated returns: rows of terms, with the variables in order
        variables = ["id", "model", "count"]

    def run_online(text, bindings):
        calls.append((text, bindings))
        if len(calls) == 1:
            return Solutions(["id", "model"], [{"id": ox.NamedNode("http://www.wikidata.org/entity/Q1"),
                                                 "model": ox.Literal("GPT-4")}])
        return Rows([{"id": ox.NamedNode("http://www.wikidata.org/entity/Q2"), "model": ox.Literal("GPT-4"),
                      "count": ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))}])

    module = types.ModuleType("llmrl_kg.link.federated")
    module.run_online = run_online
    monkeypatch.setitem(sys.modules, "llmrl_kg.link", types.ModuleType("llmrl_kg.link"))
    monkeypatch.setitem(sys.modules, "llmrl_kg.link.federated", module)
    result = cli_invoke("query", "remote-ids", "--online", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"id": "http://www.wikidata.org/entity/Q1"}]
    assert calls[0][1] == {"model": ox.Literal("GPT-4")} and "SERVICE" in calls[0][0]
    result = cli_invoke("query", "remote-ids", "--online", "-p", "model=GPT-4V", "--format", "csv")
    assert result.output == "id,count\nhttp://www.wikidata.org/entity/Q2,3\n"
    assert calls[1][1] == {"model": ox.Literal("GPT-4V")}


def test_online_without_the_linking_module(federated_folder, monkeypatch, cli_invoke):
    monkeypatch.setitem(sys.modules, "llmrl_kg.link.federated", None)  # import fails
    result = cli_invoke("query", "remote-ids", "--online")
    assert result.exit_code == 2
    assert "online queries are not available in this installation" in result.output


# --- sparql ---------------------------------------------------------------------------------------


def test_sparql_select_with_predeclared_prefixes(cli_invoke):
    result = cli_invoke("sparql", "SELECT ?label WHERE { model:gpt-4 rdfs:label ?label }", "--format", "csv")
    assert result.exit_code == 0 and result.output == "label\nGPT-4\n"


def test_sparql_sees_inferences_and_answers_ask_and_construct(cli_invoke):
    assert cli_invoke("sparql", "ASK { method:saytap a llmrl:PlannerMethod }").output == "true\n"
    assert cli_invoke("sparql", "ASK { method:saytap a llmrl:RewardMethod }").output == "false\n"
    result = cli_invoke("sparql", "CONSTRUCT { method:saytap a ?c } WHERE { method:saytap a ?c . "
                           "?c rdfs:subClassOf* llmrl:PlannerMethod }")
    triples = {str(t) for t in ox.parse(result.output.encode(), format=ox.RdfFormat.N_TRIPLES)}
    assert triples == {
        "<https://w3id.org/llmrl-kg/method/saytap> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/llmrl-kg/ontology#ComprehensivePlanner>",
        "<https://w3id.org/llmrl-kg/method/saytap> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/llmrl-kg/ontology#PlannerMethod>"}


def test_sparql_from_a_file_and_stdin(tmp_path, cli_invoke):
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?label WHERE { method:saycan a llmrl:PlannerMethod ; rdfs:label ?label }",
                     encoding="utf-8")
    assert cli_invoke("sparql", "-f", str(query)).output == "label\nSayCan\n"
    assert cli_invoke("sparql", "-f", "-", input=query.read_text()).output == "label\nSayCan\n"
    missing = cli_invoke("sparql", "-f", str(tmp_path / "missing.rq"))
    assert missing.exit_code == 2 and "cannot read" in missing.output and "missing.rq" in missing.output
    assert cli_invoke("sparql").exit_code == 2
    assert cli_invoke("sparql", "ASK {}", "-f", str(query)).exit_code == 2


@pytest.mark.parametrize("text,message", [
    ("INSERT DATA { method:x a llmrl:Method }", "INSERT at line 1, column 1: updates are refused"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE at line 1, column 1: updates are refused"),
    ("DROP ALL", "DROP at line 1, column 1: updates are refused"),
    ("SELECT * WHERE {\n  SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
     "SERVICE at line 2, column 3: federated queries would reach the network"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM at line 1, column 10: FROM and FROM NAMED"),
    ("SELECT * FROM NAMED <http://x/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM at line 1, column 10"),
])
def test_sparql_refuses_updates_service_and_from(text, message, cli_invoke):
    before = _tree_hash()
    result = cli_invoke("sparql", text)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert _tree_hash() == before


def test_sparql_allows_the_keywords_inside_literals(cli_invoke):
    result = cli_invoke("sparql", 'SELECT ?x WHERE { BIND("SERVICE <http://x> FROM INSERT" AS ?x) } # DROP ALL')
    assert result.exit_code == 0 and result.output == "x\nSERVICE <http://x> FROM INSERT\n"


def test_sparql_syntax_error_has_line_and_column(cli_invoke):
    result = cli_invoke("sparql", "SELECT ?m\nWHERE {\n  ?m a llmrl:Method ;\n     rdfs:label }\n")
    assert result.exit_code == 2
    assert "SPARQL syntax error at line 4, column" in result.output
    assert "\n       rdfs:label }\n" in result.output and "Traceback" not in result.output


def test_table_output_is_aligned(cli_invoke):
    result = cli_invoke("query", "methods-using-vlm", "--format", "table")
    lines = result.output.splitlines()
    assert lines[0] == "method       model"
    assert lines[1] == "-----------  ------------------"
    assert lines[2] == "MineCLIP     CLIP"
    assert lines[-1] == "(5 rows)"


def test_markdown_and_tsv_escape_cells():
    from llmrl_kg.query.output import render

    rows = [{"a": "x|y", "b": "tab\there\nnew\\line"}, {"a": None, "b": True}]
    assert render(["a", "b"], rows, "markdown") == (
        "| a | b |\n|---|---|\n| x\\|y | tab here new\\\\line |\n|  | true |\n")
    assert render(["a", "b"], rows, "tsv") == "a\tb\nx|y\ttab\\there\\nnew\\\\line\n\ttrue\n"
    assert json.loads(render(["a", "b"], rows, "json")) == [{"a": "x|y", "b": "tab\there\nnew\\line"},
                                                         {"a": None, "b": True}]
