"""`llmrl-kg validate`: exact findings for broken files, exit codes, nothing written."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys

import pytest

from conftest import FIXTURES
from llmrl_kg import resources
from llmrl_kg.sources import discover

BROKEN = FIXTURES / "broken"

# file -> the exact (line, severity, rule) of every finding
EXPECTED = {
    "example-valid.ttl": [],
    "syntax-error.ttl": [(31, "error", "turtle-syntax")],
    "undefined-prefix.ttl": [(34, "error", "turtle-syntax")],
    "missing-label.ttl": [(22, "error", "method-label")],
    "unknown-fine-tuning.ttl": [(49, "error", "method-entry-fine-tuning"), (78, "error", "method-entry-fine-tuning")],
    "year-twenty.ttl": [(35, "error", "paper-year")],
    "misspelt-class.ttl": [(23, "error", "undeclared-class"), (48, "error", "entry-of"),
                           (77, "error", "entry-of"), (99, "error", "entry-of")],
    "duplicate-method.ttl": [(9, "error", "duplicate-record"), (14, "error", "duplicate-record"),
                             (17, "error", "paper-year")],
    "printed-cell-mismatch.ttl": [(58, "error", "printed-cell-mismatch"), (83, "error", "printed-cell-mismatch")],
}


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmrl_kg", "validate", *args],
                          capture_output=True, text=True, timeout=600)


def tree_digest() -> str:
    digest = hashlib.sha256()
    for folder in (resources.kg_root() / "data", resources.kg_root() / "ontology", BROKEN):
        for path in sorted(folder.rglob("*")):
            digest.update(str(path).encode() + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()


def test_every_broken_fixture_is_listed():
    assert sorted(EXPECTED) == sorted(p.name for p in BROKEN.glob("*.ttl"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_gets_exact_findings_and_nothing_changes(name):
    before = tree_digest()
    result = run("--format", "json", str(BROKEN / name))
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert [(f["line"], f["severity"], f["rule"]) for f in report["findings"]] == EXPECTED[name]
    assert all(f["path"].endswith(f"broken/{name}") and f["message"] and f["fix"] for f in report["findings"])
    assert result.returncode == (1 if EXPECTED[name] else 0)
    assert tree_digest() == before


def test_text_and_json_give_the_same_findings():
    text = run(str(BROKEN / "duplicate-method.ttl"))
    report = json.loads(run("--format", "json", str(BROKEN / "duplicate-method.ttl")).stdout)
    lines = text.stdout.splitlines()
    assert len(lines) == len(report["findings"]) + 1
    for line, finding in zip(lines, report["findings"]):
        assert line == (f"{finding['path']}:{finding['line']}: {finding['severity']} {finding['rule']} — "
                        f"{finding['message']} ({finding['fix']})")
    assert "data/methods/agile.ttl" in lines[0]
    assert '"2023"' in lines[2] and '"2024"' in lines[2]


def test_shipped_kg_is_valid_and_the_summary_counts_what_was_checked(asserted_store):
    result = run()
    assert result.returncode == 0, result.stdout
    files = len(discover([resources.data_dir()]))
    triples = len({q.triple for q in asserted_store})

    def count(query):
        return int(next(iter(asserted_store.query(
            "PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#> " + query,
            use_default_graph_as_union=True)))[0].value)

    methods = count("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m llmrl:introducedIn ?p . ?p a llmrl:Paper . "
                    "FILTER(STRSTARTS(STR(?m), 'https://w3id.org/llmrl-kg/method/')) }")
    in_table = count("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?e a llmrl:MethodEntry ; llmrl:entryOf ?m }")
    papers = count("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a llmrl:Paper }")
    models = count("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { VALUES ?c { llmrl:LargeLanguageModel "
                   "llmrl:VisionLanguageModel } ?m a ?c }")
    assert (methods, in_table) == (39, 34)
    assert result.stdout.splitlines()[-1] == (
        f"valid: checked {files} files, {methods} methods ({in_table} in Table 1), {papers} papers, "
        f"{models} models, {triples} triples; 0 errors, 1 warnings")


def test_missing_path_is_a_usage_error():
    result = run("no/such/file.ttl")
    assert (result.returncode, result.stdout, result.stderr.strip()) == (
        2, "", "llmrl-kg: no such file or folder: no/such/file.ttl")
