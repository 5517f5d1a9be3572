"""Issue 14's paper cuts in the commands: each one a newcomer met, pinned so that it stays fixed."""

from __future__ import annotations

import subprocess
import sys

import pytest

ROLE_CLASSES = {"agent": "AgentMethod", "planner": "PlannerMethod", "reward": "RewardMethod"}


def run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmrl_kg", *args], capture_output=True, text=True, timeout=300,
                          cwd=cwd)


@pytest.mark.parametrize("first, second", [("agent", "planner"), ("planner", "reward"), ("agent", "reward")])
def test_two_disjoint_roles_are_refused_with_the_reason(first, second, cli_invoke):
    from llmrl_kg import KnowledgeGraph

    kg = KnowledgeGraph.load()
    both = kg.sparql(f"SELECT ?m WHERE {{ ?m a llmrl:{ROLE_CLASSES[first]}, llmrl:{ROLE_CLASSES[second]} }}")
    assert both.rows == []  # the KG itself has no such method, as the ontology's disjointness says
    result = cli_invoke("methods", "--role", first, "--role", second)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"llmrl-kg: no method can be both {first!r} and {second!r}: the ontology declares the two roles disjoint",
        "Give one --role, or ask for each role in turn."]


def test_a_role_and_its_sub_role_still_combine(cli_invoke):
    result = cli_invoke("methods", "--role", "agent", "--role", "parametric-agent", "--format", "json")
    assert result.exit_code == 0, result.output
    assert '"method": "AGILE"' in result.stdout


def test_export_into_a_missing_folder_creates_nothing(tmp_path):
    target = tmp_path / "no" / "such" / "kg.ttl"
    result = run("export", "turtle", "-o", str(target))
    assert result.returncode == 2
    assert result.stderr.strip() == (f"llmrl-kg: cannot write {target}: the folder {target.parent} does not "
                                     "exist (create it first)")
    assert list(tmp_path.iterdir()) == []


def test_validate_help_names_every_check_and_the_summary_counts_in_words(tmp_path):
    help_text = " ".join(run("validate", "--help").stdout.split())
    for check in ("Turtle syntax", "hygiene", "vocabulary closure", "duplicate records", "printed cells",
                  "SHACL", "OWL-RL consistency"):
        assert check in help_text
    one_warning = tmp_path / "no-identifier.ttl"
    one_warning.write_text(
        "@prefix llmrl: <https://w3id.org/llmrl-kg/ontology#> .\n"
        "@prefix paper: <https://w3id.org/llmrl-kg/paper/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
        "paper:x a llmrl:Paper .\n", encoding="utf-8")
    summary = run("validate", "--no-reasoning", str(one_warning)).stdout.splitlines()[-1]
    errors = sum(1 for line in run("validate", "--no-reasoning", "--format", "text", str(one_warning))
                 .stdout.splitlines() if " error " in line)
    assert summary.endswith(f"{errors} error{'' if errors == 1 else 's'}, 1 warning"), summary
