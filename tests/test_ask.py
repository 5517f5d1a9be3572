"""`ask`: plain-English questions mapped onto facets with the KG's own vocabulary."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from llmrl_kg import KnowledgeGraph
from llmrl_kg.cli import cli
from llmrl_kg.query.ask import QuestionError, QuestionReader, stem
from llmrl_kg.query.vocabulary import Concept, Vocabulary
from llmrl_kg.rdf import namespaces as ns
from survey_scope import survey_labels_of


@pytest.fixture(scope="module")
def kg():
    return KnowledgeGraph.load()


def test_headline_question_equals_methods_and_the_saved_query(kg):
    answer = kg.ask("non-fine-tuned planners using GPT-4")
    via_methods = kg.methods(role="planner", fine_tuned="no", model="GPT-4")
    via_query = kg.query("role-fine-tuning-model", role="planner", fine_tuning="no", model="GPT-4")
    assert answer.table.column("method") == via_methods.column("method") == via_query.column("method") \
        == ["PSL", "SayTap"]
    assert answer.table == via_methods  # same columns and rows as `methods`


# Each question and the `methods` options it must mean (the answer is compared, not hard-coded).
QUESTIONS = [
    ("Which non-fine-tuned planners use GPT-4?", dict(role="planner", fine_tuned="no", model="GPT-4")),
    ("planners that are not fine-tuned", dict(role="planner", fine_tuned="no")),
    ("frozen comprehensive planners", dict(role="comprehensive", fine_tuned="no")),
    ("fine-tuned methods", dict(fine_tuned="yes")),
    ("fully fine-tuned agents", dict(role="agent", fine_tuned="full")),
    ("parametric agents with PEFT", dict(role="parametric", fine_tuned="peft")),
    ("non-parametric agents using GPT-3.5-Turbo", dict(role="non-parametric", model="GPT-3.5-Turbo")),
    ("agents using ChatGPT", dict(role="agent", model="GPT-3.5-Turbo")),
    ("reward models using a VLM", dict(role="reward-model", modality="vlm")),
    ("reward functions", dict(role="reward-function")),
    ("methods that use vision-language models", dict(modality="vlm")),
    ("LLM/VLM as Planner", dict(role="planner")),
    ("incremental planning approaches that improve sample efficiency", dict(role="incremental", metric="se")),
    ("agents that improve generalization and use GPT-4", dict(role="agent", metric="gen", model="GPT-4")),
    ("methods that improve reward", dict(metric="rew")),
    ("methods with success rate and robustness", dict(metric=["sr", "rob"])),
    ("RL methods that learn a language-conditioned policy", dict(rl_role="pi_l")),
    ("methods with RL fine-tuning", dict(rl_role="rft")),
    ("methods using π_g", dict(rl_role="pi_g")),
    ("methods with trajectory generation", dict(rl_role="tau_pi")),
    ("methods whose FM is a world model", dict(fm_role="wm")),
    ("planners with code", dict(role="planner", has_code=True)),
    ("planners since 2024", dict(role="planner", year_from=2024)),
    ("agents published before 2024", dict(role="agent", year_to=2023)),
    ("reward methods from 2022 to 2023", dict(role="reward", year_from=2022, year_to=2023)),
    ("methods between 2022 and 2023", dict(year_from=2022, year_to=2023)),
    ("methods 2022-2023 using PaLM", dict(year_from=2022, year_to=2023, model="PaLM")),
    ("methods in 2022", dict(year_from=2022, year_to=2022)),
    ("code LLMs", dict(modality=())),  # checked below: code models are a model type of their own
]


@pytest.mark.parametrize("question,options", QUESTIONS[:-1], ids=[q for q, _ in QUESTIONS[:-1]])
def test_questions_mean_the_same_as_methods_options(kg, question, options):
    answer = kg.ask(question)
    assert answer.table.rows, "the comparison must cover real answers"
    assert answer.table == kg.methods(**options)


def test_negated_code(kg):
    without = set(kg.ask("methods without code").table.column("method"))
    everything = set(kg.methods().column("method"))
    assert without == everything - set(kg.methods(has_code=True).column("method"))
    assert "When2Ask" not in without  # the paper links its code
    # The saved query and `ask` read the same rows: the survey's and those beyond it.
    assert without == set(kg.query("methods-without-code").column("method"))
    assert without & survey_labels_of(kg) == set(kg.methods(source="survey").column("method")) - set(
        kg.methods(has_code=True, source="survey").column("method"))


def test_code_models_follow_the_models_class(kg):
    answer = kg.ask("code LLMs")
    assert answer.understood == ["'code LLMs' -> model type Code language model"]
    assert answer.table.column("method") == ["ELLM", "ICPI", "POAD", "Text2Motion"]
    assert set(answer.table.column("method")) == set(kg.query("methods-by-modality").column("method"))


def test_unplaced_words_are_reported_not_dropped(kg):
    with pytest.raises(QuestionError) as error:
        kg.ask("quantum planners using GPT-5")
    message = str(error.value)
    assert "'quantum'" in message and "'GPT'" in message and "'5'" in message
    assert "closest: GPT4, GPT4v, GPT-4" in message
    with pytest.raises(QuestionError, match="different kinds"):
        kg.ask("planners or GPT-4")  # an "or" across kinds of condition is ambiguous
    with pytest.raises(QuestionError, match="'not'"):
        kg.ask("planners not")  # a negation with nothing to negate


def test_negation_and_or_of_one_kind(kg):
    # Issue 10 asks for both where unambiguous (the former reader refused them).
    planners = set(kg.methods(role="planner").column("method"))
    with_gpt4 = set(kg.methods(role="planner", model="GPT-4").column("method"))
    assert set(kg.ask("planners not using GPT-4").table.column("method")) == planners - with_gpt4
    agents = set(kg.methods(role="agent").column("method"))
    assert set(kg.ask("planners or agents").table.column("method")) == planners | agents


def test_ambiguous_words_are_read_by_precedence_with_a_note(kg):
    answer = kg.ask("reward")
    assert answer.table == kg.methods(role="reward")
    assert answer.notes == ["'reward' read as role; it also names metric rew (reward or return)"]
    answer = kg.ask("ref")
    assert answer.notes == ["'ref' read as RL role; it also names FM role ref (refinement)"]


def test_a_model_is_not_its_family(kg):
    assert kg.ask("methods using GPT-4V").table.column("method") == ["RL-VLM-F"]
    assert "RL-VLM-F" not in kg.ask("methods using GPT-4").table.column("method")


def test_the_vocabulary_comes_from_the_kg_labels(kg):
    # A label added to a concept is understood at once: nothing is listed in the code.
    vocabulary = kg.vocabulary
    concepts = [Concept(c.iri, c.kind, c.notation, c.label, [*c.alt_labels, "zorblax"], c.broader)
                if c.iri == ns.METRIC + "se" else c for c in vocabulary.concepts]
    reading = QuestionReader(Vocabulary(concepts)).read("zorblax planners")
    assert reading.understood == ["'zorblax' -> metric se (sample efficiency)",
                                  "'planners' -> role LLM/VLM as Planner"]
    with pytest.raises(QuestionError, match="'zorblax'"):
        QuestionReader(vocabulary).read("zorblax planners")


def test_the_explained_sparql_gives_the_answer(kg):
    answer = kg.ask("frozen planners with code since 2023")
    rows = kg.sparql(answer.sparql)
    assert sorted(set(rows.column("method")), key=str.casefold) == answer.table.column("method")
    assert answer.facets == ["fine-tuning: × (no fine-tuning)  <- 'frozen'",
                             "role: LLM/VLM as Planner  <- 'planners'",
                             "code: has public code  <- 'code'", "year: 2023–...", "source: any"]


def test_stemmer():
    assert [stem(w) for w in ("planners", "planning", "tuned", "tuning", "policies", "approaches", "agents")] == [
        "planner", "plan", "tun", "tun", "policy", "approach", "agent"]


def test_cli_ask():
    runner = CliRunner()
    result = runner.invoke(cli, ["ask", "non-fine-tuned planners using GPT-4", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert [r["method"] for r in json.loads(result.stdout)] == ["PSL", "SayTap"]
    explained = runner.invoke(cli, ["ask", "non-fine-tuned planners using GPT-4", "--explain", "--format", "table"])
    assert explained.exit_code == 0
    assert "facets:\n  model: GPT-4  <- 'GPT-4'\n" in explained.stdout
    assert "VALUES ?v1 { <https://w3id.org/llmrl-kg/model/gpt-4> }" in explained.stdout
    assert explained.stdout.splitlines()[-1] == "(2 rows)"
    piped = runner.invoke(cli, ["ask", "non-fine-tuned planners using GPT-4", "--explain", "--format", "csv"])
    assert piped.stdout.splitlines()[0].startswith("method,") and "sparql:" in piped.stderr
    bad = runner.invoke(cli, ["ask", "planners using GPT-5"])
    assert bad.exit_code == 2 and "could not place" in bad.stderr and "Traceback" not in bad.output


def test_a_method_added_to_the_data_is_understood_without_code_changes(tmp_path):
    from llmrl_kg import locations

    target = tmp_path / "zorbit.ttl"
    made = CliRunner().invoke(cli, [
        "new", "zorbit", "--name", "Zorbit", "--role", "reward-model", "--model", "GPT-4V", "--fine-tuned", "no",
        "--rl-role", "pi", "--metric", "sr", "--arxiv", "2501.09999", "--title", "Zorbit: Rewards from Pictures",
        "--authors", "Cleo Park; et al.", "--venue", "ICML 2025", "--benchmark", "Meta-World",
        "--output", str(target)])
    assert made.exit_code == 0, made.output
    kg = KnowledgeGraph.load([locations.data_dir(), target])
    assert kg.ask("who wrote Zorbit?").table.rows == [
        {"method": "Zorbit", "authors": "Cleo Park; et al.", "creators": "Cleo Park"}]  # `new` records the creators
    assert "Zorbit" in kg.ask("reward models using a VLM").table.column("method")
    assert "Zorbit" in kg.ask("methods evaluated on Meta-World").table.column("method")
    assert kg.ask("does Zorbit use GPT-4V?").table.rows[0]["answer"] == "yes"
    shown = {r["field"]: r["value"] for r in kg.show("Zorbit").rows}
    assert shown["title"] == "Zorbit: Rewards from Pictures" and shown["year"] == "2025"
    assert kg.ask("who wrote Zorbt?").notes == [
        "'Zorbt' read as 'Zorbit', the closest name in the KG (did you mean Zorbit?)"]
    with pytest.raises(QuestionError, match="'Zorbit'"):
        KnowledgeGraph.load().ask("who wrote Zorbit?")  # the shipped KG has no such method


def test_questions_run_on_the_rdflib_store_too():
    from llmrl_kg.store.factory import open_backend

    memory = KnowledgeGraph(open_backend("memory"))
    oxigraph = KnowledgeGraph.load()
    for question in ("VLM agents", "who wrote Reflexion?", "which model is used most?", "how many planners use GPT-4?",
                     "does Eureka fine-tune its model?", "what does rft mean?", "compare SayCan and Inner Monologue"):
        assert memory.ask(question).table == oxigraph.ask(question).table, question


def test_read_as_line_and_explain_on_stderr_for_json():
    runner = CliRunner()
    result = runner.invoke(cli, ["ask", "planners from 2023", "--format", "json", "--explain"])
    assert result.exit_code == 0
    assert "read as: methods · role = LLM/VLM as Planner · year = 2023" in result.stderr
    assert "sparql:" in result.stderr and json.loads(result.stdout)[0].keys() >= {"method", "year"}
    count = runner.invoke(cli, ["ask", "how many reward models are there?", "--format", "json"])
    assert json.loads(count.stdout) == [{"count": len(KnowledgeGraph.load().methods(role="reward-model").rows)}]
    huge = runner.invoke(cli, ["ask", "planners " * 15000])
    assert huge.exit_code == 2 and huge.stdout == "" and "at most 500" in huge.stderr
