"""Issue 13, item 15 (validate): RDF 1.2 triple terms are a finding at their line, not an internal error.

Before the fix `validate` ended with "internal error: TypeError: an RDF 1.2 triple
term has no single value" (exit 3) on a file holding `<<( … )>>` or `<< … >>`;
`ask` and `methods` on a KG holding such a file answered as if it were valid.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from llmrl_kg.kg.files import parse_file

HEADER = "@prefix ex: <http://example.org/> .\n\n"
FINDING = ("error rdf12-term — RDF 1.2 triple terms are not supported in the KG's files "
           "(state the fact as plain triples, or reify it with rdf:Statement)")
TERMS = {
    "triple-term": "ex:x ex:says <<( ex:a ex:b ex:c )>> .\n",
    "reified-triple": "<< ex:a ex:b ex:c >> ex:statedIn ex:d .\n",
    "annotation": "ex:a ex:b ex:c {| ex:statedIn ex:d |} .\n",
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmrl_kg", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def write(folder: Path, name: str, body: str) -> Path:
    """A file whose triple term (if any) is on line 5: after the prefix, a blank line and two plain lines."""
    path = folder / f"{name}.ttl"
    path.write_text(HEADER + 'ex:a ex:b "<< not a term >>" .  # nor << this\nex:i ex:j <http://e/x#y> .\n' + body,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("kind", sorted(TERMS))
def test_validate_reports_the_triple_term_at_its_line(tmp_path, kind):
    path = write(tmp_path, kind, TERMS[kind])
    result = run("validate", "--no-reasoning", path.name, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert [line for line in result.stdout.splitlines() if "rdf12-term" in line] == [f"{kind}.ttl:5: {FINDING}"]


@pytest.mark.parametrize("kind", sorted(TERMS))
def test_parse_file_refuses_the_file_and_keeps_none_of_its_triples(tmp_path, kind):
    source, findings = parse_file(write(tmp_path, kind, TERMS[kind]))
    assert [(f.line, f.rule) for f in findings] == [(5, "rdf12-term")]
    assert not source.ok and source.triples == []


def test_angle_brackets_in_strings_comments_and_iris_are_not_triple_terms(tmp_path):
    path = write(tmp_path, "plain", 'ex:k ex:l """\n<<( ex:a ex:b ex:c )>>\n""" .\n')
    source, findings = parse_file(path)
    assert findings == [] and source.ok and len(source.triples) == 3


@pytest.fixture()
def checkout(copy_kg) -> Path:
    """A copy of the repository's KG folders with one file holding a triple term (line 5)."""
    root = copy_kg()
    write(root / "data", "zz-triple-term", TERMS["triple-term"])
    return root


@pytest.mark.parametrize("command", [("ask", "Which planners are there?"), ("methods", "--model", "GPT-4")])
def test_query_commands_on_a_kg_with_a_triple_term_say_which_file_and_line(tmp_path, checkout, command):
    result = run("--kg", str(checkout), *command, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert f"data/zz-triple-term.ttl:5: {FINDING}" in result.stderr.splitlines()[-2]
    assert result.stdout == ""
