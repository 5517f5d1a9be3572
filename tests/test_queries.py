"""Saved queries: headers, syntax, pinned results, parameter binding (substitution = VALUES), SPARQL text tools."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from expected_results import EXPECTED, current_results, update
from llmrl_kg.query.catalogue import (
    Catalogue,
    QueryError,
    bind_parameters,
    check_saved_query,
    parse_saved_query,
    run_saved,
)
from llmrl_kg.query.vocabulary import CODE_CLASSES, ROLE_CLASSES, Vocabulary
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.rdf.sparqltext import (
    UnsafeQuery,
    bind_as_values,
    check_read_only,
    outer_where_brace,
    projected_variables,
    query_form,
    tokenize,
)
from llmrl_kg.store.backends import OxigraphBackend, plain_value
from survey_scope import SURVEY_METHODS

CATALOGUE = Catalogue()
ALL = CATALOGUE.all()
LOCAL = [q for q in ALL if not q.network]


@pytest.fixture(scope="module")
def backend():
    return OxigraphBackend.load()


@pytest.fixture(scope="module")
def vocabulary(backend):
    return Vocabulary.load(backend)


@pytest.fixture(scope="module")
def results():
    return current_results()


# --- the catalogue --------------------------------------------------------------------------------


def test_at_least_twenty_local_saved_queries():
    assert len(LOCAL) >= 20


@pytest.mark.parametrize("saved", ALL, ids=[q.name for q in ALL])
def test_every_query_has_a_header_and_parses(saved):
    assert check_saved_query(saved) == []
    assert saved.title and saved.description and saved.question
    assert query_form(saved.text) == "SELECT"
    # pyoxigraph parses when query() is called and evaluates lazily: nothing is iterated here.
    ox.Store().query(saved.text)


@pytest.mark.parametrize("saved", LOCAL, ids=[q.name for q in LOCAL])
def test_local_queries_are_portable_and_ordered(saved):
    words = [t.text.upper() for t in tokenize(saved.text) if t.kind == "word"]
    assert "ORDER" in words, "every saved query orders its rows"
    check_read_only(saved.text)  # no SERVICE, FROM, updates
    if any(w in words for w in ("COUNT", "SUM", "MIN", "MAX", "AVG", "GROUP_CONCAT", "SAMPLE")):
        assert "GROUP" in words, "aggregates need an explicit GROUP BY"
    for i, word in enumerate(words):
        if word == "COUNT" and words[i + 1:i + 2] != ["DISTINCT"]:
            pytest.fail("COUNT without DISTINCT")


@pytest.mark.generated
def test_pinned_files_match_the_local_queries_exactly(update_expected):
    if update_expected:
        for stale in {p.stem for p in EXPECTED.glob("*.json")} - {q.name for q in LOCAL}:
            (EXPECTED / f"{stale}.json").unlink()
    assert sorted(p.stem for p in EXPECTED.glob("*.json")) == sorted(q.name for q in LOCAL)


@pytest.mark.generated
@pytest.mark.parametrize("saved", LOCAL, ids=[q.name for q in LOCAL])
def test_pinned_results(saved, results, update_expected):
    if update_expected:
        update(saved.name, results[saved.name])
    expected = json.loads((EXPECTED / f"{saved.name}.json").read_text(encoding="utf-8"))
    assert results[saved.name]["columns"] == expected["columns"]
    assert results[saved.name]["rows"] == expected["rows"]


def test_headline_query_answers_saytap_and_psl(backend, vocabulary):
    saved = CATALOGUE.get("role-fine-tuning-model")
    table = run_saved(backend, saved, bind_parameters(saved, {}, lambda: vocabulary))
    assert table.column("method") == ["PSL", "SayTap"]
    assert table.column("model_label") == ["GPT-4", "GPT-4"]


def test_results_are_plain_python_values(results):
    for result in results.values():
        for row in result["rows"]:
            assert all(isinstance(v, (str, int, float, bool)) or v is None for v in row.values())


# --- reasoning ------------------------------------------------------------------------------------


def test_planners_are_found_through_inferred_types(backend, vocabulary, asserted_store):
    saved = CATALOGUE.get("methods-by-role")
    bindings = bind_parameters(saved, {"role": "planner"}, lambda: vocabulary)
    with_inference = run_saved(backend, saved, bindings)
    subroles = {"Comprehensive planner", "Incremental planner"}
    survey = {row["label"].value for row in asserted_store.query(SURVEY_METHODS, use_default_graph_as_union=True)}
    assert set(r["category"] for r in with_inference.rows if r["method"] in survey) == subroles
    assert len([r for r in with_inference.rows if r["method"] in survey]) == 12
    # Over the whole KG: every method whose asserted class is a planner subclass, found independently.
    planners = {row["l"].value for row in asserted_store.query(
        f"SELECT ?l WHERE {{ VALUES ?c {{ <{ns.LLMRL}IncrementalPlanner> <{ns.LLMRL}ComprehensivePlanner> }} "
        f"?m a ?c ; <{ns.RDFS}label> ?l }}", use_default_graph_as_union=True)}
    assert sorted(with_inference.column("method")) == sorted(planners)
    # No file states `a llmrl:PlannerMethod`: without the inferred graph nothing is found.
    without = run_saved(OxigraphBackend(asserted_store), saved, bindings)
    assert len(without) == 0


def test_vlm_use_follows_the_models_class(backend):
    found = run_saved(backend, CATALOGUE.get("methods-using-vlm"), {})
    vlm_models = {plain_value(r["m"]) for r in backend.select(
        f"SELECT ?m WHERE {{ ?m a <{ns.LLMRL}VisionLanguageModel> }}").rows}
    labels = {plain_value(r["l"]) for r in backend.select(
        f"SELECT ?l WHERE {{ ?m a <{ns.LLMRL}VisionLanguageModel> ; <{ns.RDFS}label> ?l }}").rows}
    assert vlm_models and set(found.column("model")) == labels


# --- parameters -----------------------------------------------------------------------------------

ALTERNATIVES = {
    "role": list(ROLE_CLASSES),
    "string": ["GPT-4", "gpt-4", "Llama 2", "AGILE", "ALFWorld", 'GPT-4" || true || "', "x> } ; DROP ALL ; <y"],
    "iri": [ns.LLMRL + "LargeLanguageModel", ns.LLMRL + "VisionLanguageModel"],
}


def _alternatives(parameter, vocabulary):
    if parameter.type in CODE_CLASSES:
        return [c.local_name for c in vocabulary.of_kind(parameter.type)]
    return ALTERNATIVES[parameter.type]


PARAMETERISED = [q for q in LOCAL if q.parameters]


@pytest.mark.parametrize("saved", PARAMETERISED, ids=[q.name for q in PARAMETERISED])
def test_values_binding_gives_the_same_answer_as_substitution(saved, backend, vocabulary):
    cases = [{}]
    for parameter in saved.parameters:
        cases += [{parameter.name: value} for value in _alternatives(parameter, vocabulary)]
    nonempty = 0
    for values in cases:
        bindings = bind_parameters(saved, values, lambda: vocabulary)
        substituted = backend.select(saved.text, bindings)
        inlined = backend.select(bind_as_values(saved.text, bindings))
        assert substituted.variables == inlined.variables, values
        assert substituted.rows == inlined.rows, values
        nonempty += bool(substituted.rows)
    assert nonempty >= 2, "the comparison must cover real answers"


@pytest.mark.parametrize("value", ['GPT-4" || true || "', "x> } ; DROP ALL ; <y", "GPT-4' } UNION { ?s ?p ?o"])
def test_injected_strings_are_just_names_that_match_nothing(value, backend, vocabulary):
    saved = CATALOGUE.get("role-fine-tuning-model")
    table = run_saved(backend, saved, bind_parameters(saved, {"model": value}, lambda: vocabulary))
    assert table.rows == []
    assert len(backend.store) == len(OxigraphBackend.load().store)


def test_parameter_errors_name_the_accepted_values(vocabulary):
    saved = CATALOGUE.get("methods-by-rl-role")
    with pytest.raises(QueryError, match=r"rl_rol.*closest: rl_role"):
        bind_parameters(saved, {"rl_rol": "pi"}, lambda: vocabulary)
    with pytest.raises(QueryError, match=r"'zz' is not an RL-role code; accepted values: .*π_l \(pi_l\)"):
        bind_parameters(saved, {"rl_role": "zz"}, lambda: vocabulary)
    role = CATALOGUE.get("methods-by-role")
    with pytest.raises(QueryError, match="'critic' is not accepted; accepted values: agent, planner"):
        bind_parameters(role, {"role": "critic"}, lambda: vocabulary)
    iri = CATALOGUE.get("methods-by-modality")
    with pytest.raises(QueryError, match="not an absolute IRI"):
        bind_parameters(iri, {"model_type": "x> } ; DROP ALL ; <y"}, lambda: vocabulary)
    with pytest.raises(QueryError, match="not a valid IRI"):
        bind_parameters(iri, {"model_type": "http://x> } DROP ALL { <y"}, lambda: vocabulary)


@pytest.mark.parametrize("spelling", ["π_l", "pi_l", "PI_L", "language-conditioned policy learning"])
def test_code_parameters_accept_notation_ascii_and_names(spelling, vocabulary):
    saved = CATALOGUE.get("methods-by-rl-role")
    assert bind_parameters(saved, {"rl_role": spelling}, lambda: vocabulary) == {
        "rl_role": ox.NamedNode(ns.RLROLE + "pi_l")}


def test_unknown_query_names_the_closest():
    with pytest.raises(QueryError, match="closest: methods-by-role"):
        CATALOGUE.get("methods-by-rol")


# --- header parsing (files written here) ----------------------------------------------------------


def test_header_problems_are_reported(tmp_path: Path):
    (tmp_path / "bad.rq").write_text(
        "# title: Bad\n# param: who (person, default: x) — an unknown type\n# param: broken line\n"
        "# param: unused (string, optional)\n# param: hidden (string, required)\n"
        "SELECT ?s WHERE { ?s ?p ?who . ?s ?p ?hidden }\n", encoding="utf-8")
    problems = check_saved_query(parse_saved_query(tmp_path / "bad.rq"))
    assert problems == [
        "line 3: cannot read the parameter 'broken line'; write `# param: NAME (TYPE, default: VALUE) — description`",
        "the header has no `# description:` line",
        "the header has no `# question:` line",
        "parameter who: unknown type 'person'; accepted: string, integer, boolean, iri, role, modality, "
        "rl-role, fm-role, fine-tuning, metric, rl-agent, rl-task, rl-setting",
        "parameter who: add ?who to the SELECT clause",
        "parameter unused: the query never uses ?unused",
        "parameter hidden: add ?hidden to the SELECT clause",
    ]


def test_network_header_and_service_without_it(tmp_path: Path, backend):
    (tmp_path / "federated").mkdir()
    (tmp_path / "federated" / "remote.rq").write_text(
        "# title: T\n# description: D\n# question: Q?\n# network: required\n"
        "SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } ORDER BY ?s\n", encoding="utf-8")
    (tmp_path / "sneaky.rq").write_text(
        "# title: T\n# description: D\n# question: Q?\n"
        "SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } } ORDER BY ?s\n", encoding="utf-8")
    catalogue = Catalogue(tmp_path)
    assert catalogue.names() == ["remote", "sneaky"]
    remote, sneaky = catalogue.get("remote"), catalogue.get("sneaky")
    assert remote.network and not sneaky.network
    assert check_saved_query(sneaky) == ["the query uses SERVICE but its header lacks `# network: required`"]
    with pytest.raises(QueryError, match="needs the network"):
        run_saved(backend, remote, {})
    with pytest.raises(QueryError, match="refused: SERVICE"):
        run_saved(backend, sneaky, {})


def test_parameter_header_forms(tmp_path: Path):
    (tmp_path / "q.rq").write_text(
        "# title: T\n# description: D\n# question: Q?\n"
        "# param: a (string, default: Llama 2) — with a default\n# param: b (integer, required)\n"
        "# param: c (boolean, optional): no default\n# Param: d (iri)\n"
        "SELECT ?a ?b ?c ?d WHERE { ?a ?b ?c , ?d } ORDER BY ?a\n", encoding="utf-8")
    saved = parse_saved_query(tmp_path / "q.rq")
    assert [(p.name, p.type, p.default, p.required, p.description) for p in saved.parameters] == [
        ("a", "string", "Llama 2", False, "with a default"), ("b", "integer", None, True, ""),
        ("c", "boolean", None, False, "no default"), ("d", "iri", None, False, "")]
    assert check_saved_query(saved) == []
    assert [p.signature() for p in saved.parameters] == [
        "a=Llama 2 (string)", "b (integer, required)", "c (boolean, optional)", "d (iri, optional)"]
    with pytest.raises(QueryError, match="needs --param b=VALUE"):
        bind_parameters(saved, {}, lambda: None)
    assert bind_parameters(saved, {"b": "+7", "c": "yes"}, lambda: None) == {
        "a": ox.Literal("Llama 2"), "b": ox.Literal("7", datatype=ox.NamedNode(ns.XSD + "integer")),
        "c": ox.Literal(True)}
    with pytest.raises(QueryError, match="not a whole number"):
        bind_parameters(saved, {"b": "7; DROP ALL"}, lambda: None)


# --- SPARQL text tools ----------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://x> { }" }',
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://x> FROM <file:///etc/passwd> INSERT",
    "SELECT * WHERE { ?s <http://example.org/SERVICE/FROM/insert> ?o }",
    "PREFIX service: <http://x/> SELECT ?from WHERE { ?from service:from ?insert }",
    "SELECT * WHERE { ?s ?p '''multi\nline SERVICE\n FROM''' }",
])
def test_keywords_inside_strings_comments_iris_and_names_are_allowed(text):
    check_read_only(text)


@pytest.mark.parametrize("text,keyword", [
    ("SELECT * WHERE { SERVICE <http://x> { ?s ?p ?o } }", "SERVICE"),
    ("select * where { service silent <http://x> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "FROM"),
    ("SELECT * FROM NAMED <http://x/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "FROM"),
    ("INSERT DATA { <a:b> <a:b> <a:b> }", "INSERT"),
    ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
    ("DROP ALL", "DROP"),
    ("LOAD <http://x/data.ttl>", "LOAD"),
    ('SELECT * WHERE { ?s ?p "x" } ; CLEAR ALL', "CLEAR"),
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o<1)SERVICE<http://x>{?a ?b ?c} }", "SERVICE"),
])
def test_updates_service_and_from_are_refused(text, keyword):
    with pytest.raises(UnsafeQuery, match=f"^{keyword} at line 1"):
        check_read_only(text)


def test_values_go_after_the_outermost_where():
    text = ("SELECT ?x (EXISTS { ?a ?b ?c } AS ?e) WHERE {\n  { SELECT ?x WHERE { ?x ?y ?z } }\n"
            "  FILTER(?x != \"WHERE {\")\n}")
    at = outer_where_brace(text)
    assert text[:at].endswith("?e) WHERE {")
    bound = bind_as_values(text, {"x": ox.NamedNode("http://a/b"), "n": ox.Literal('say "hi"\n')})
    assert bound == text[:at] + '\n  VALUES (?x ?n) { (<http://a/b> "say \\"hi\\"\\n") }' + text[at:]
    with pytest.raises(ValueError, match="no `WHERE {`"):
        outer_where_brace("SELECT * { ?s ?p ?o }")
    with pytest.raises(TypeError):
        bind_as_values(text, {"x": "http://a/b"})


def test_projected_variables():
    assert projected_variables("SELECT ?a (COUNT(DISTINCT ?m) AS ?n) ?b WHERE { ?a ?m ?b }") == {"a", "n", "b"}
    assert projected_variables("SELECT DISTINCT * WHERE { ?a ?m ?b }") is None
    assert projected_variables("ASK { ?a ?b ?c }") is None


@pytest.mark.slow
def test_pinned_results_survive_owl_same_as_links_of_papers(tmp_path, results):
    """Linking writes `paper:x owl:sameAs <external>`; OWL-RL then copies the paper's facts to the
    external IRI. The answers must not change (no duplicated rows through the paper)."""
    from llmrl_kg import KnowledgeGraph, locations

    links = tmp_path / "links.ttl"
    links.write_text("@prefix owl: <http://www.w3.org/2002/07/owl#> .\n@prefix paper: <%s> .\n"
                     "paper:agile owl:sameAs <http://www.wikidata.org/entity/Q1> .\n"
                     "paper:saytap owl:sameAs <http://www.wikidata.org/entity/Q2> .\n"
                     "paper:psl owl:sameAs <https://dblp.org/rec/journals/corr/abs-2405-01534> .\n"
                     "paper:kalm owl:sameAs <http://www.wikidata.org/entity/Q3> .\n" % ns.PAPER, encoding="utf-8")
    linked = KnowledgeGraph.load([locations.data_dir(), links])
    # The one inference path (reason/materialise.py) has no owl:sameAs rules: a linked paper's facts
    # are not copied to the external IRI, so nothing can be answered twice through it.
    assert linked.sparql("ASK { ?m <%sintroducedIn> <http://www.wikidata.org/entity/Q2> }" % ns.LLMRL) is False
    for saved in LOCAL:
        table = linked.query(saved.name)
        assert (table.columns, table.rows) == (results[saved.name]["columns"], results[saved.name]["rows"]), \
            saved.name
    assert linked.methods(role="planner", fine_tuned="no", model="GPT-4").column("method") == ["PSL", "SayTap"]
    assert linked.methods(year_from=2023, year_to=2023) == KnowledgeGraph.load().methods(year_from=2023, year_to=2023)


def test_docs_list_every_local_saved_query():
    docs = (Path(__file__).parent.parent / "docs" / "queries.md").read_text(encoding="utf-8")
    assert [q.name for q in LOCAL if f"| `{q.name}` |" not in docs] == []
