"""The faceted finder (`llmrl-kg methods`) against the README's six tables, parsed independently."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re

import pytest

from conftest import FIXTURES
from llmrl_kg import KnowledgeGraph, locations
from llmrl_kg.errors import UsageError
from llmrl_kg.query.output import default_format
from llmrl_kg.query.vocabulary import UnknownValue
from readme_tables import parse_detailed_tables, rl_role_notations, split_method_cell
from survey_scope import SurveyScoped, survey_labels_of

# Which taxonomy classes each README table stands for (its heading names the sub-role).
TABLE_ROLES = {
    "Table of Parametric LLM/VLM Agents": {"agent", "parametric"},
    "Table of Non-Parametric LLM/VLM Agents": {"agent", "non-parametric"},
    "Table of Comprehensive Planning Approaches": {"planner", "comprehensive"},
    "Table of Incremental Planning Approaches": {"planner", "incremental"},
    "Table of Reward Function Approaches": {"reward", "reward-function"},
    "Table of Reward Model Approaches": {"reward", "reward-model"},
}
ROLES = sorted(set().union(*TABLE_ROLES.values()))
FT_CELLS = {"yes": {"✓", "✓\\*"}, "full": {"✓"}, "peft": {"✓\\*"}, "no": {"×"}}
# The four models of the README's tables that are vision-language models (checked by hand:
# CLIP, Gemini-Pro as used by RL-VLM-F, GPT-4V and LLaVA are VLMs; the others are text LLMs).
VLM_LABELS = {"CLIP", "Gemini-Pro", "GPT-4V", "LLaVA-v1.6-Mistral"}


def _readme_rows():
    tables = parse_detailed_tables((FIXTURES / "survey-readme.md").read_text(encoding="utf-8"))
    rows = []
    for heading, table in tables.items():
        for row in table:
            name, citation = split_method_cell(row["Method"])
            rows.append({
                "name": name, "roles": TABLE_ROLES[heading], "ft": row["FT"],
                "models": [m.strip() for m in row["Model(s)"].split(",")],
                "rl_roles": set(rl_role_notations(row["RL Role"])),
                "metrics": {m.strip() for m in row["Metrics"].split(",")},
                "code": row["Code"] != "-", "year": int(re.search(r"\d{4}", citation).group()),
            })
    return rows


README = _readme_rows()
MODELS = sorted({m for row in README for m in row["models"]})


def expected(predicate) -> list[str]:
    """The names of the README rows that satisfy `predicate`, in the finder's order."""
    return sorted((r["name"] for r in README if predicate(r)), key=lambda n: (n.casefold(), n))


@pytest.fixture(scope="module")
def kg():
    # The survey's facts are checked on the survey's methods; a contributor's new row leaves them as they are.
    return SurveyScoped(KnowledgeGraph.load())


def test_the_readme_has_34_rows_and_19_models():
    assert len(README) == 34 and len(MODELS) == 19


@pytest.mark.parametrize("source", ["readme", "survey"])
@pytest.mark.parametrize("fine_tuned", [None, "yes", "full", "peft", "no"])
@pytest.mark.parametrize("role", [None, *ROLES])
def test_every_role_and_fine_tuning_combination(kg, role, fine_tuned, source):
    found = kg.methods(role=role, fine_tuned=fine_tuned, source=source).column("method")
    assert found == expected(lambda r: (role is None or role in r["roles"])
                             and (fine_tuned is None or r["ft"] in FT_CELLS[fine_tuned]))


@pytest.mark.parametrize("model", MODELS)
def test_every_model(kg, model):
    want = expected(lambda r: model in r["models"])
    assert want
    assert kg.methods(model=model, source="readme").column("method") == want
    assert kg.methods(model=model.lower(), source="survey").column("method") == want
    assert kg.methods(model=model.upper(), source="survey").column("method") == want


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("model", MODELS)
def test_every_role_and_model(kg, role, model):
    found = kg.methods(role=role, model=model, fine_tuned="no", source="survey").column("method")
    assert found == expected(lambda r: role in r["roles"] and model in r["models"] and r["ft"] == "×")


def test_headline_non_fine_tuned_planners_using_gpt4(kg):
    table = kg.methods(role="planner", fine_tuned="no", model="GPT-4")
    assert table.column("method") == ["PSL", "SayTap"]
    assert table.rows[1] == {"method": "SayTap", "category": "Comprehensive planner", "year": 2023,
                             "models": "GPT-4", "fine_tuning": "×", "code": None}


def test_a_model_is_not_its_family(kg):
    assert "RL-VLM-F" not in kg.methods(model="GPT-4").column("method")
    assert kg.methods(model="GPT-4V").column("method") == ["RL-VLM-F"]
    assert kg.methods(model="GPT4").column("method") == kg.methods(model="GPT-4").column("method")  # an alias


def test_repeated_options_must_all_hold(kg):
    both = kg.methods(model=["GPT-4", "Llama 2"]).column("method")
    assert both == expected(lambda r: {"GPT-4", "Llama 2"} <= set(r["models"])) == ["AdaRefiner"]
    # The roles are disjoint: no method is both, and the finder says so instead of an empty table (issue 14).
    with pytest.raises(UsageError, match="no method can be both 'planner' and 'agent'"):
        kg.methods(role=["planner", "agent"])
    assert kg.methods(metric=["sr", "se"]).column("method") == expected(lambda r: {"sr", "se"} <= r["metrics"])


NARROWER = {"π": {"π", "π_l", "π_g"}, "v": {"v", "v_l", "v_g"}}


@pytest.mark.parametrize("code,ascii_name", [("π", "pi"), ("π_l", "pi_l"), ("π_g", "pi_g"), ("v", "v"),
                                             ("v_l", "v_l"), ("v_g", "v_g"), ("rft", "rft"),
                                             ("τ_π", "tau_pi"), ("ref", "ref")])
def test_rl_role_codes_in_every_spelling(kg, code, ascii_name):
    want = expected(lambda r: bool(r["rl_roles"] & NARROWER.get(code, {code})))
    assert want
    assert kg.methods(rl_role=code, source="readme").column("method") == want
    assert kg.methods(rl_role=ascii_name, source="readme").column("method") == want


def test_rl_role_differs_by_source(kg):
    # Inner Monologue: README "π, v", paper "o"; with source any, either document counts.
    assert "Inner Monologue" in kg.methods(rl_role="o", source="any").column("method")
    assert "Inner Monologue" not in kg.methods(rl_role="o", source="readme").column("method")
    assert "Inner Monologue" not in kg.methods(rl_role="v", source="paper").column("method")
    assert "Inner Monologue" in kg.methods(rl_role=["o", "π"]).column("method")
    assert kg.methods(rl_role="ref", source="paper").rows == []  # only the README prints ref


@pytest.mark.parametrize("metric", ["acc", "sr", "rew", "gen", "rob", "se", "exp", "al", "int"])
def test_every_metric(kg, metric):
    assert kg.methods(metric=metric, source="readme").column("method") == expected(lambda r: metric in r["metrics"])


def test_fm_roles_come_from_the_paper_only(kg):
    assert kg.methods(fm_role="wm").column("method") == ["ICPI"]
    assert kg.methods(fm_role="wm", source="readme").rows == []
    assert kg.methods(fm_role="o").column("method") == kg.methods(fm_role="other").column("method")


def test_modality(kg):
    assert kg.methods(modality="vlm", source="readme").column("method") == expected(
        lambda r: bool(VLM_LABELS & set(r["models"])))
    assert kg.methods(modality="llm", source="readme").column("method") == expected(
        lambda r: bool(set(r["models"]) - VLM_LABELS))


@pytest.mark.parametrize("year_from,year_to", [(2022, 2022), (2023, None), (None, 2023), (2023, 2024), (2025, None)])
def test_years(kg, year_from, year_to):
    found = kg.methods(year_from=year_from, year_to=year_to, source="survey").column("method")
    assert found == expected(lambda r: (year_from is None or r["year"] >= year_from)
                             and (year_to is None or r["year"] <= year_to))


def test_has_code(kg):
    assert kg.methods(has_code=True, source="readme").column("method") == expected(lambda r: r["code"])
    # When2Ask: only the paper links its code.
    assert kg.methods(has_code=True, source="survey").column("method") == expected(
        lambda r: r["code"] or r["name"] == "When2Ask")


def test_unknown_values_raise(kg):
    with pytest.raises(UnknownValue, match="role 'critic' is not accepted; accepted values: agent, planner"):
        kg.methods(role="critic")
    with pytest.raises(UnknownValue, match=r"model 'GPT-5' is not in the KG; closest: .*GPT-4"):
        kg.methods(model="GPT-5")
    with pytest.raises(UnknownValue, match="accepted values: acc, al, exp"):
        kg.methods(metric="accuracy!")


# --- the command ----------------------------------------------------------------------------------


def test_cli_headline_in_every_format(cli_invoke):
    args = ["--role", "planner", "--fine-tuned", "no", "--model", "GPT-4"]
    tsv = cli_invoke("methods", *args)
    assert tsv.exit_code == 0, tsv.output
    assert [line.split("\t")[0] for line in tsv.output.splitlines()] == ["method", "PSL", "SayTap"]
    rows = list(csv.DictReader(io.StringIO(cli_invoke("methods", *args, "--format", "csv").output)))
    assert list(rows[0])[0] == "method" and [r["method"] for r in rows] == ["PSL", "SayTap"]
    data = json.loads(cli_invoke("methods", *args, "--format", "json").output)
    assert [r["method"] for r in data] == ["PSL", "SayTap"] and data[0]["year"] == 2024
    markdown = cli_invoke("methods", *args, "--format", "markdown").output.splitlines()
    assert markdown[0].startswith("| method | category |") and markdown[2].startswith("| PSL |")
    table = cli_invoke("methods", *args, "--format", "table").output.splitlines()
    assert table[0].split() == ["method", "category", "year", "models", "fine_tuning", "code"]
    assert table[2].startswith("PSL     Comprehensive planner  2024") and table[-1] == "(2 rows)"
    assert default_format(True) == "table" and default_format(False) == "tsv"


def test_cli_names_exactly_as_the_survey_writes_them(cli_invoke):
    names = json.loads(cli_invoke("methods", "--role", "agent", "--format", "json").output)
    assert {"Zhai et al.", "Xu et al."} <= {r["method"] for r in names}
    assert "Inner Monologue" in cli_invoke("methods", "--role", "comprehensive").output


def _tree_hash():
    digest = hashlib.sha256()
    for folder in (locations.data_dir(), locations.ontology_file().parent, locations.queries_dir()):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(str(path).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("args,message", [
    (["--role", "critic"], "'critic' is not one of 'agent', 'planner', 'reward', 'other-integration', 'parametric-agent'"),
    (["--fine-tuned", "maybe"], "'maybe' is not one of 'yes', 'full', 'peft', 'no'"),
    (["--model", "GPT-5"], "model 'GPT-5' is not in the KG; closest: GPT-3.5, GPT-4"),
    (["--model", 'GPT-4" || true || "'], "model 'GPT-4\" || true || \"' is not in the KG"),
    (["--model", "x> } ; DROP ALL ; <y"], "is not in the KG"),
    (["--rl-role", "pi_x"], "'pi_x' is not an RL-role code; accepted values: n/a (none), o (other), ref, rft"),
    (["--fm-role", "plans"], "accepted values: act, cr, eval, o (other), plan, ref, rew, wm"),
    (["--metric", "speed"], "'speed' is not a metric code; accepted values: acc, al, exp, gen"),
    (["--modality", "audio"], "'audio' is not one of 'llm', 'vlm'"),
    (["--year-from", "20x4"], "'20x4' is not a valid integer"),
    (["--source", "blog"], "'blog' is not one of 'readme', 'paper', 'survey', 'curation', 'any'"),
])
def test_cli_unknown_values_exit_2_with_accepted_values(args, message, cli_invoke):
    before = _tree_hash()
    result = cli_invoke("methods", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert _tree_hash() == before


CURATED = """
PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?label ?class WHERE {
  ?entry a llmrl:CuratedEntry ; llmrl:entryOf ?m ; llmrl:statedIn <https://w3id.org/llmrl-kg/document/llmrl-kg-curation> .
  ?m rdfs:label ?label ; a ?class .
}"""


def test_source_any_adds_the_methods_beyond_the_survey_and_curation_is_only_those(kg):
    kg = kg.kg  # the whole KG
    rows = kg.sparql(CURATED).rows
    curated = {row["label"] for row in rows}
    planners = {row["label"] for row in rows if row["class"].endswith(("#ComprehensivePlanner", "#IncrementalPlanner"))}
    assert sorted(kg.methods(source="curation").column("method"), key=str.casefold) == \
        sorted(curated, key=str.casefold)
    assert set(kg.methods().column("method")) == set(kg.methods(source="survey").column("method")) | curated
    assert set(kg.methods(role="planner").column("method")) == \
        set(kg.methods(role="planner", source="survey").column("method")) | planners
    assert set(kg.methods(source="survey").column("method")) == survey_labels_of(kg)
