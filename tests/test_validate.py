"""`llmrl-kg validate`: exact findings for broken files, exit codes, nothing written."""

from __future__ import annotations

import hashlib
import json

import pytest

from conftest import FIXTURES
from llmrl_kg import locations
from llmrl_kg.kg.files import discover

BROKEN = FIXTURES / "broken"

# file -> the exact (line, severity, rule) of every finding
EXPECTED = {
    "example-valid.ttl": [],
    "syntax-error.ttl": [(31, "error", "turtle-syntax")],
    "undefined-prefix.ttl": [(34, "error", "turtle-syntax")],
    "missing-label.ttl": [(22, "error", "method-label")],
    "unknown-fine-tuning.ttl": [(49, "error", "method-entry-fine-tuning"), (78, "error", "method-entry-fine-tuning")],
    "year-twenty.ttl": [(35, "error", "ill-typed-literal"), (35, "error", "paper-year")],
    "misspelt-class.ttl": [(23, "error", "undeclared-class"), (48, "error", "entry-of"),
                           (77, "error", "entry-of"), (99, "error", "entry-of")],
    "duplicate-method.ttl": [(9, "error", "duplicate-record"), (14, "error", "duplicate-record"),
                             (17, "error", "paper-year")],
    "printed-cell-mismatch.ttl": [(58, "error", "printed-cell-mismatch"), (83, "error", "printed-cell-mismatch")],
}


def tree_digest() -> str:
    digest = hashlib.sha256()
    for folder in (locations.kg_root() / "data", locations.kg_root() / "ontology", BROKEN):
        for path in sorted(folder.rglob("*")):
            digest.update(str(path).encode() + (path.read_bytes() if path.is_file() else b""))
    return digest.hexdigest()


def test_every_broken_fixture_is_listed():
    assert sorted(EXPECTED) == sorted(p.name for p in BROKEN.glob("*.ttl"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_gets_exact_findings_and_nothing_changes(name, cli_run):
    before = tree_digest()
    result = cli_run("validate", "--format", "json", str(BROKEN / name))
    assert "Traceback" not in result.stderr
    report = json.loads(result.stdout)
    assert [(f["line"], f["severity"], f["rule"]) for f in report["findings"]] == EXPECTED[name]
    assert all(f["path"].endswith(f"broken/{name}") and f["message"] and f["fix"] for f in report["findings"])
    assert result.returncode == (1 if EXPECTED[name] else 0)
    assert tree_digest() == before


def test_text_and_json_give_the_same_findings(cli_run):
    text = cli_run("validate", str(BROKEN / "duplicate-method.ttl"))
    report = json.loads(cli_run("validate", "--format", "json", str(BROKEN / "duplicate-method.ttl")).stdout)
    lines = text.stdout.splitlines()
    assert len(lines) == len(report["findings"]) + 1
    for line, finding in zip(lines[:-1], report["findings"], strict=True):
        assert line == (f"{finding['path']}:{finding['line']}: {finding['severity']} {finding['rule']} — "
                        f"{finding['message']} ({finding['fix']})")
    assert "data/methods/agile.ttl" in lines[0]
    assert '"2023"' in lines[2] and '"2024"' in lines[2]


def test_shipped_kg_is_valid_and_the_summary_counts_what_was_checked(asserted_store, cli_run):
    result = cli_run("validate")
    assert result.returncode == 0, result.stdout
    files = len(discover([locations.data_dir()]))
    triples = len({q.triple for q in asserted_store})

    def count(query):
        return int(next(iter(asserted_store.query(
            "PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#> " + query,
            use_default_graph_as_union=True)))[0].value)

    methods = count("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m llmrl:introducedIn ?p . ?p a llmrl:Paper . "
                    "FILTER(STRSTARTS(STR(?m), 'https://w3id.org/llmrl-kg/method/')) }")
    # The survey's methods: the rows of its README (as the fixture copy prints them) and of its paper,
    # and the works its text discusses; not the rows beyond the survey nor a contributor's new row.
    survey_methods = len(_survey_method_labels(asserted_store))
    # "in Table 1": a row stated by the paper (doc:paper-v1), the only document with Table 1.
    in_table = count("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?e a llmrl:MethodEntry ; llmrl:entryOf ?m ; "
                     "llmrl:statedIn <https://w3id.org/llmrl-kg/document/paper-v1> }")
    # Warnings are pinned by rule: the only one the shipped KG may give is paper-identifier, once per
    # paper with neither an arXiv ID nor a DOI; none of those is a survey paper.
    no_identifier = _papers_without_identifier(asserted_store)
    report = json.loads(cli_run("validate", "--format", "json").stdout)
    warnings = sorted((f["rule"], f["focus"]) for f in report["findings"] if f["severity"] == "warning")
    assert warnings == sorted(("paper-identifier", p) for p in no_identifier)
    papers = count("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a llmrl:Paper }")
    models = count("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { VALUES ?c { llmrl:LargeLanguageModel "
                   "llmrl:VisionLanguageModel } ?m a ?c }")
    assert (survey_methods, in_table) == (39, 34)
    assert [p for p in no_identifier if p.rsplit("/", 1)[-1] in _survey_paper_ids(asserted_store)] == []
    assert result.stdout.splitlines()[-1] == (
        f"valid: checked {files} files, {methods} methods ({in_table} in Table 1), {papers} papers, "
        f"{models} models, {triples} triples; 0 errors, {len(no_identifier)} warnings")


def _survey_method_labels(store) -> set[str]:
    from survey_scope import fixture_names

    rows = store.query("""PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT DISTINCT ?name ?paper_or_text WHERE { ?m llmrl:introducedIn ?p ; rdfs:label ?name .
          OPTIONAL { ?e llmrl:entryOf ?m ; llmrl:statedIn <https://w3id.org/llmrl-kg/document/paper-v1> .
                     BIND(true AS ?in_paper) }
          OPTIONAL { ?m llmrl:discussedInSection ?s . BIND(true AS ?discussed) }
          BIND(BOUND(?in_paper) || BOUND(?discussed) AS ?paper_or_text) }""", use_default_graph_as_union=True)
    return {row["name"].value for row in rows
            if row["paper_or_text"].value == "true" or row["name"].value in fixture_names()}


def _papers_without_identifier(store) -> list[str]:
    return sorted(row[0].value for row in store.query(
        "PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#> PREFIX bibo: <http://purl.org/ontology/bibo/> "
        "SELECT DISTINCT ?p WHERE { ?p a llmrl:Paper FILTER NOT EXISTS { ?p llmrl:arxivId ?a } "
        "FILTER NOT EXISTS { ?p bibo:doi ?d } }", use_default_graph_as_union=True))


def _survey_paper_ids(store) -> set[str]:
    return {row[0].value.rsplit("/", 1)[-1] for row in store.query(
        "PREFIX llmrl: <https://w3id.org/llmrl-kg/ontology#> SELECT DISTINCT ?p WHERE { ?m llmrl:introducedIn ?p "
        "FILTER NOT EXISTS { ?c llmrl:entryOf ?m ; "
        "llmrl:statedIn <https://w3id.org/llmrl-kg/document/llmrl-kg-curation> } }", use_default_graph_as_union=True)}


def test_missing_path_is_a_usage_error(cli_run):
    result = cli_run("validate", "no/such/file.ttl")
    assert (result.returncode, result.stdout, result.stderr.strip()) == (
        2, "", "llmrl-kg: no such file or folder: no/such/file.ttl")
