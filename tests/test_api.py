"""The Python API (`KnowledgeGraph`) and the backend seam."""

from __future__ import annotations

import json
import subprocess
import sys

import pyoxigraph as ox
import pytest

import llmrl_kg
from expected_results import EXPECTED
from llmrl_kg import KnowledgeGraph
from llmrl_kg.query.catalogue import QueryError
from llmrl_kg.rdf.sparqltext import UnsafeQuery, bind_as_values
from llmrl_kg.store.backends import OxigraphBackend, Solutions, plain_value
from survey_scope import SURVEY_METHODS, survey_labels_of


@pytest.fixture(scope="module")
def kg():
    return KnowledgeGraph.load()


class ValuesBackend:
    """A backend that, like a remote endpoint, only takes query text: parameters become VALUES."""

    def __init__(self, inner: OxigraphBackend) -> None:
        self.inner = inner
        self.seen: list[str] = []

    def select(self, query, bindings=None) -> Solutions:
        text = bind_as_values(query, bindings or {})
        self.seen.append(text)
        return self.inner.select(text)

    def ask(self, query, bindings=None) -> bool:
        return self.inner.ask(bind_as_values(query, bindings or {}))

    def construct(self, query, bindings=None):
        return self.inner.construct(bind_as_values(query, bindings or {}))


def test_saved_queries_are_listed_with_titles_and_parameters(kg):
    queries = kg.saved_queries()
    assert len([q for q in queries if not q.network]) >= 20
    headline = next(q for q in queries if q.name == "role-fine-tuning-model")
    assert [(p.name, p.type, p.default) for p in headline.parameters] == [
        ("role", "role", "planner"), ("fine_tuning", "fine-tuning", "no"), ("model", "string", "GPT-4")]


def test_query_with_parameters_returns_plain_rows(kg):
    table = kg.query("methods-by-role", role="incremental")
    assert table.columns == ["method", "category", "year"]
    survey = survey_labels_of(kg)
    assert [m for m in table.column("method") if m in survey] == [
        "AdaRefiner", "BOSS", "LLM4Teach", "SayCan", "Text2Motion"]
    # Incremental planners beyond the survey: found independently of the saved query.
    others = {r["label"] for r in kg.sparql(
        "SELECT ?label WHERE { ?m a <https://w3id.org/llmrl-kg/ontology#IncrementalPlanner> ; "
        "<http://www.w3.org/2000/01/rdf-schema#label> ?label }").rows} - survey
    assert set(table.column("method")) - survey == others
    assert table.rows[0] == {"method": "AdaRefiner", "category": "Incremental planner", "year": 2024}
    assert kg.query("role-fine-tuning-model", model="gpt-4v", role="reward", fine_tuning="none").column(
        "method") == ["RL-VLM-F"]


def test_errors(kg):
    with pytest.raises(QueryError, match="closest: model-usage"):
        kg.query("model-usag")
    with pytest.raises(QueryError, match="has no parameter 'colour'"):
        kg.query("methods-by-role", colour="red")
    with pytest.raises(UnsafeQuery, match="^INSERT"):
        kg.sparql("INSERT DATA { <a:b> <a:b> <a:b> }")
    with pytest.raises(SyntaxError):
        kg.sparql("SELECT ?x WHERE { ?x ")


def test_sparql_select_ask_construct(kg):
    table = kg.sparql("SELECT ?label WHERE { <https://w3id.org/llmrl-kg/model/gpt-4> "
                      "<http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    assert table.rows == [{"label": "GPT-4"}]
    assert kg.sparql("ASK { <https://w3id.org/llmrl-kg/method/psl> a "
                     "<https://w3id.org/llmrl-kg/ontology#PlannerMethod> }") is True
    triples = kg.sparql("CONSTRUCT { ?m a <urn:x:Planner> } WHERE { ?m a "
                        "<https://w3id.org/llmrl-kg/ontology#PlannerMethod> }")
    survey = {r["method"] for r in kg.sparql(SURVEY_METHODS).rows}
    assert len([t for t in triples if t.subject.value in survey]) == 12
    planners = {r["m"] for r in kg.sparql(
        "SELECT ?m WHERE { ?m a <https://w3id.org/llmrl-kg/ontology#PlannerMethod> }").rows}
    assert {t.subject.value for t in triples} == planners and len(triples) == len(planners)
    assert all(isinstance(t, ox.Triple) for t in triples)


def test_methods_and_ask(kg):
    assert kg.methods(role="planner", fine_tuned="no", model="GPT-4").column("method") == ["PSL", "SayTap"]
    answer = kg.ask("non-fine-tuned planners using GPT-4")
    assert answer.table.column("method") == ["PSL", "SayTap"]
    assert answer.understood[0] == "'GPT-4' -> model GPT-4"


def test_to_dataframe(kg):
    pandas = pytest.importorskip("pandas")
    table = kg.query("model-usage")
    frame = table.to_dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == table.columns
    assert frame.to_dict("records") == table.rows


def test_plain_values():
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert plain_value(ox.Literal("2024", datatype=ox.NamedNode(xsd + "gYear"))) == 2024
    assert plain_value(ox.Literal("3", datatype=ox.NamedNode(xsd + "integer"))) == 3
    assert plain_value(ox.Literal("0.5", datatype=ox.NamedNode(xsd + "decimal"))) == 0.5
    assert plain_value(ox.Literal(False)) is False
    assert plain_value(ox.Literal("x", language="en")) == "x"
    assert plain_value(ox.Literal("twenty", datatype=ox.NamedNode(xsd + "gYear"))) == "twenty"
    assert plain_value(ox.NamedNode("http://a/b")) == "http://a/b"
    assert plain_value(ox.BlankNode("b1")) == "_:b1"
    assert plain_value(None) is None


def test_a_text_only_backend_gives_the_pinned_results(kg):
    """Another backend plugs in unchanged: every saved query through VALUES binding, as on an endpoint."""
    remote_like = ValuesBackend(kg.backend)
    other = KnowledgeGraph(remote_like)
    for saved in kg.saved_queries():
        if saved.network:
            continue
        expected = json.loads((EXPECTED / f"{saved.name}.json").read_text(encoding="utf-8"))
        table = other.query(saved.name)
        assert (table.columns, table.rows) == (expected["columns"], expected["rows"]), saved.name
    assert any("VALUES (?role ?fine_tuning ?model)" in text for text in remote_like.seen)
    assert other.methods(role="planner", fine_tuned="no", model="GPT-4").column("method") == ["PSL", "SayTap"]


def test_import_is_cheap_and_the_query_path_avoids_rdflib(kg):
    code = ("import sys, llmrl_kg; print(sorted(m for m in ('pyoxigraph', 'rdflib', 'llmrl_kg.api', 'click') "
            "if m in sys.modules)); llmrl_kg.KnowledgeGraph; print('llmrl_kg.api' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "True"]
    # The KG is loaded (and its cache filled) by the fixture; a CLI query must not need rdflib.
    code = ("import sys\nfrom llmrl_kg.cli import cli\n"
            "try:\n    cli.main(args=sys.argv[1:], standalone_mode=False)\n"
            "finally:\n    print('rdflib' in sys.modules, 'owlrl' in sys.modules)\n")
    for args in (["methods", "--role", "planner", "--fine-tuned", "no", "--model", "GPT-4"],
                 ["query", "role-fine-tuning-model"], ["ask", "non-fine-tuned planners using GPT-4"]):
        out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True).stdout
        assert out.splitlines()[-1] == "False False", args
        assert "PSL" in out and "SayTap" in out


def test_version_and_exports():
    assert llmrl_kg.__version__
    assert "KnowledgeGraph" in llmrl_kg.__all__
    with pytest.raises(AttributeError):
        llmrl_kg.NoSuchThing  # noqa: B018


def _canonical(quads) -> set:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)  # blank node labels differ per parse
    return set(dataset)


def test_the_loaded_dataset_is_cached_and_a_damaged_cache_is_rebuilt(kg, tmp_path, monkeypatch):
    import os
    import shutil
    from pathlib import Path

    from llmrl_kg.kg.loader import open_store
    from llmrl_kg.store.backends import open_cached_store

    for inferred in Path(os.environ["LLMRL_KG_CACHE"]).glob("inferred-*.nt"):  # no need to reason again
        shutil.copy(inferred, tmp_path)
    monkeypatch.setenv("LLMRL_KG_CACHE", str(tmp_path))
    reference = _canonical(open_store())
    assert _canonical(open_cached_store()) == reference
    [cached] = tmp_path.glob("dataset-*.nq")
    assert _canonical(ox.parse(path=str(cached), format=ox.RdfFormat.N_QUADS)) == reference
    assert _canonical(open_cached_store()) == reference  # now read from the cache file
    cached.write_text("<broken", encoding="utf-8")
    assert _canonical(open_cached_store()) == reference
    assert _canonical(ox.parse(path=str(cached), format=ox.RdfFormat.N_QUADS)) == reference
