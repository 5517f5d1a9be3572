"""Strict Turtle syntax: every bad case is rejected with file and line; no good case is."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

import pytest

from conftest import FIXTURES

BAD = FIXTURES / "turtle-bad"
GOOD = FIXTURES / "turtle-good"
EXPECTED = {row["file"]: int(row["line"]) for row in csv.DictReader((BAD / "expected.csv").open())}


def run_validate(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmrl_kg", "validate", "--no-reasoning", *args],
                          capture_output=True, text=True, timeout=300)


def test_every_bad_file_has_an_expected_line():
    assert sorted(EXPECTED) == sorted(p.name for p in BAD.glob("*.ttl"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_turtle_is_rejected_with_file_and_line(name):
    result = run_validate("--format", "json", str(BAD / name))
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["line"], f["path"].endswith(name)) for f in findings] == \
        [("turtle-syntax", EXPECTED[name], True)]
    assert "Traceback" not in result.stderr


def test_syntax_error_text_form_names_file_line_and_fix():
    result = run_validate(str(BAD / "undefined-prefix.ttl"))
    first = result.stdout.splitlines()[0]
    assert first.endswith(
        "undefined-prefix.ttl:2: error turtle-syntax — The prefix foo: has not been declared "
        "(declare it at the top of the file with `@prefix foo: <IRI> .`; the project's prefixes "
        "are listed in docs/data-model.md)"
    )


@pytest.mark.parametrize("name", sorted(p.name for p in GOOD.glob("*.ttl")))
def test_good_turtle_is_not_a_syntax_error(name):
    from llmrl_kg.kg.files import parse_file

    source, findings = parse_file(GOOD / name)
    assert findings == [] and source.ok and source.triples
