"""Canonical Turtle: deterministic, lossless, idempotent; `fmt --check` enforces it on the shipped data."""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest

from llmrl_kg import locations
from llmrl_kg.kg.files import discover
from llmrl_kg.rdf.turtle import BlankNodeError, canonical_turtle

DATA_FILES = discover([locations.data_dir()])


def _triples(text: str) -> set:
    return set(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))


def fmt(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmrl_kg", "fmt", *args],
                          capture_output=True, text=True, timeout=120)


def test_shipped_data_is_canonical():
    result = fmt("--check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == f"{len(DATA_FILES)} files already canonical."


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.name for p in DATA_FILES])
def test_canonical_form_is_lossless_and_order_independent(path):
    text = path.read_text(encoding="utf-8")
    triples = list(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))
    assert canonical_turtle(reversed(triples)) == text
    assert _triples(canonical_turtle(triples)) == set(triples)


def test_literals_keep_their_lexical_form():
    text = ('<http://example.org/a> <http://example.org/p> "01"^^<http://www.w3.org/2001/XMLSchema#integer> , '
            '"1e3"^^<http://www.w3.org/2001/XMLSchema#double> , "line\\nbreak \\"q\\" \\\\ \\u0007" , "x"@en-GB .')
    written = canonical_turtle(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))
    assert _triples(written) == _triples(text)
    assert written == (
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
        "<http://example.org/a>\n    <http://example.org/p>\n"
        '        "1e3"^^xsd:double ,\n'
        '        "line\\nbreak \\"q\\" \\\\ \\u0007" ,\n'
        '        "x"@en-gb ,\n'
        "        01 .\n"
    )


def test_blank_nodes_are_refused():
    triples = ox.parse(b"<http://example.org/a> <http://example.org/p> [ <http://example.org/q> 1 ] .",
                       format=ox.RdfFormat.TURTLE)
    with pytest.raises(BlankNodeError):
        canonical_turtle(triples)


def test_fmt_check_fails_then_fmt_fixes_atomically(tmp_path):
    messy = tmp_path / "messy.ttl"
    messy.write_text("@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
                     "<https://w3id.org/llmrl-kg/method/x> rdfs:label 'X' ; rdfs:comment \"c\" .\n")
    check = fmt("--check", str(messy))
    assert (check.returncode, check.stdout.splitlines()[0]) == (1, f"{messy}: not canonical")
    assert "rdfs:label 'X'" in messy.read_text()
    fixed = fmt(str(messy))
    assert fixed.returncode == 0
    assert messy.read_text() == (
        "@prefix method: <https://w3id.org/llmrl-kg/method/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
        "method:x\n    rdfs:label \"X\" ;\n    rdfs:comment \"c\" .\n"
    )
    assert fmt("--check", str(messy)).returncode == 0
    assert [p.name for p in tmp_path.iterdir()] == ["messy.ttl"]


def test_fmt_leaves_a_broken_file_alone(tmp_path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("<http://example.org/a> <http://example.org/p> \"x .\n")
    result = fmt(str(broken))
    assert result.returncode == 1
    assert result.stderr.strip() == (f"{broken}:1: error turtle-syntax — Unexpected end of file "
                                      "(fix the Turtle syntax at this place; see https://www.w3.org/TR/turtle/)")
    assert broken.read_text() == "<http://example.org/a> <http://example.org/p> \"x .\n"
