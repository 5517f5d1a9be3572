"""Issue 13 #14: each record is described in its own file only; another file's additions are findings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox

HEADER = ("@prefix llmrl: <https://w3id.org/llmrl-kg/ontology#> .\n"
          "@prefix entry: <https://w3id.org/llmrl-kg/entry/> .\n"
          "@prefix model: <https://w3id.org/llmrl-kg/model/> .\n\n")


def home_of(iri: str) -> str:
    """The shipped file that types `iri` (found by reading the files, not by the checker)."""
    root = Path(__file__).resolve().parents[2]
    for path in sorted((root / "data").rglob("*.ttl")):
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if quad.subject == ox.NamedNode(iri) and quad.predicate.value.endswith("#type"):
                return path.relative_to(root).as_posix()
    raise AssertionError(iri)


def test_a_fact_added_to_another_files_record_is_reported_at_its_line(tmp_path):
    extra = tmp_path / "extra.ttl"
    extra.write_text(HEADER + "entry:agile-readme llmrl:usesModel model:gpt-4 .\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "llmrl_kg", "validate", str(extra)], capture_output=True,
                            text=True, timeout=300)
    home = home_of("https://w3id.org/llmrl-kg/entry/agile-readme")
    assert result.returncode == 1
    assert [line for line in result.stdout.splitlines() if "record-described-elsewhere" in line] == [
        f"{extra}:5: error record-described-elsewhere — <https://w3id.org/llmrl-kg/entry/agile-readme> is defined "
        f"in {home}; this file adds statements to it (move these statements into {home})"]


def test_the_shipped_files_each_describe_only_their_own_records():
    result = subprocess.run([sys.executable, "-m", "llmrl_kg", "validate", "--no-reasoning"], capture_output=True,
                            text=True, timeout=300)
    assert "record-described-elsewhere" not in result.stdout
