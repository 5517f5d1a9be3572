"""Issue 13, item 15: `fmt` never loses data and never rewrites what it should not.

RDF 1.2 terms (directional language tags, triple terms) are refused with a clear
message instead of being dropped or crashing; a file is replaced only by one with
exactly the same triples; links, hard links and read-only files are left alone
(and the reason is printed); a folder that cannot be written, or a full disk, is
exit 2 with a message and leaves the file as it was.
"""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from llmrl_kg.errors import KGError
from llmrl_kg.kg.fmt import format_files

PAPER = """@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix paper: <https://w3id.org/llmrl-kg/paper/> .
paper:x   rdfs:label   "X" .
"""


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "llmrl_kg", "fmt", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def triples(path: Path) -> set:
    return {q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)}


@pytest.mark.parametrize("literal", ['"x"@ar--rtl', '"x"@en--ltr'])
def test_directional_language_tag_is_refused_not_dropped(tmp_path, literal):
    path = tmp_path / "direction.ttl"
    path.write_text(f"<https://w3id.org/llmrl-kg/paper/x> <http://www.w3.org/2000/01/rdf-schema#label> {literal} .\n",
                    encoding="utf-8")
    before = digest(path)
    result = run(path.name, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert digest(path) == before
    assert "direction.ttl: error rdf12-term — " in result.stderr
    assert "base direction" in result.stderr


def test_triple_term_is_refused_not_an_internal_error(tmp_path):
    path = tmp_path / "triple-term.ttl"
    path.write_text("<http://x/a> <http://x/b> <<( <http://x/a> <http://x/b> <http://x/c> )>> .\n", encoding="utf-8")
    before = digest(path)
    result = run(path.name, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert digest(path) == before
    assert "triple-term.ttl:1: error rdf12-term — " in result.stderr and "triple term" in result.stderr


def test_a_rewrite_that_changes_the_triples_is_refused(tmp_path, monkeypatch):
    """The guard itself: whatever the writer produces, a file is only replaced by the same triples."""
    from llmrl_kg.kg import fmt

    path = tmp_path / "paper.ttl"
    path.write_text(PAPER, encoding="utf-8")
    before = digest(path)
    monkeypatch.setattr(fmt, "canonical_turtle", lambda _triples: "<http://x/a> <http://x/b> <http://x/c> .\n")
    (result,) = format_files([path], check=False)
    assert digest(path) == before
    assert result.finding is not None and result.finding.rule == "fmt-changes-triples"
    assert result.finding.message == ("the canonical form would change the triples (1 lost, 1 added); "
                                      "the file was left as it is")


def test_formatting_keeps_the_triples(tmp_path):
    path = tmp_path / "paper.ttl"
    path.write_text(PAPER, encoding="utf-8")
    before = triples(path)
    (result,) = format_files([path], check=False)
    assert result.changed and result.finding is None
    assert triples(path) == before


def test_symlink_is_not_replaced_by_a_regular_file(tmp_path):
    (tmp_path / "real.ttl").write_text(PAPER, encoding="utf-8")
    link = tmp_path / "link.ttl"
    link.symlink_to("real.ttl")
    before = digest(tmp_path / "real.ttl")
    result = run("link.ttl", cwd=tmp_path)
    assert result.returncode == 1
    assert link.is_symlink() and os.readlink(link) == "real.ttl"
    assert digest(tmp_path / "real.ttl") == before
    assert "link.ttl: error fmt-symlink — " in result.stderr


def test_folder_with_a_link_formats_the_file_itself(tmp_path):
    (tmp_path / "real.ttl").write_text(PAPER, encoding="utf-8")
    (tmp_path / "a-link.ttl").symlink_to("real.ttl")
    result = run(".", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "a-link.ttl").is_symlink()
    assert result.stdout.splitlines() == ["real.ttl: reformatted"]


def test_hard_link_is_not_broken(tmp_path):
    path = tmp_path / "paper.ttl"
    path.write_text(PAPER, encoding="utf-8")
    os.link(path, tmp_path / "other-name.ttl")
    before = digest(path)
    result = run("paper.ttl", cwd=tmp_path)
    assert result.returncode == 1
    assert path.stat().st_nlink == 2 and os.path.samefile(path, tmp_path / "other-name.ttl")
    assert digest(path) == before
    assert "paper.ttl: error fmt-hard-link — " in result.stderr


def test_read_only_file_is_not_rewritten(tmp_path):
    path = tmp_path / "paper.ttl"
    path.write_text(PAPER, encoding="utf-8")
    path.chmod(0o444)
    before = digest(path)
    result = run("paper.ttl", cwd=tmp_path)
    assert result.returncode == 1
    assert digest(path) == before and (path.stat().st_mode & 0o777) == 0o444
    assert "paper.ttl: error fmt-read-only — " in result.stderr


def test_check_mode_still_reports_links_and_read_only_files(tmp_path):
    path = tmp_path / "paper.ttl"
    path.write_text(PAPER, encoding="utf-8")
    path.chmod(0o444)
    result = run("--check", "paper.ttl", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "paper.ttl: not canonical"


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EACCES, errno.EROFS])
def test_write_failure_is_exit_2_and_leaves_the_file(tmp_path, monkeypatch, error):
    """A full disk or a folder that cannot be written (emulated: as root, permissions do not stop a write)."""
    import tempfile

    path = tmp_path / "paper.ttl"
    path.write_text(PAPER, encoding="utf-8")
    before = digest(path)

    def failing_mkstemp(*_args, **_kwargs):
        raise OSError(error, os.strerror(error))

    monkeypatch.setattr(tempfile, "mkstemp", failing_mkstemp)
    with pytest.raises(KGError) as raised:
        format_files([path], check=False)
    assert raised.value.exit_code == 2
    reason = os.strerror(error)
    assert str(raised.value) == f"cannot write {path}: {reason[:1].lower() + reason[1:]}; the file was left as it is"
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["paper.ttl"]


def test_read_only_folder_is_exit_2_not_3(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "paper.ttl").write_text(PAPER, encoding="utf-8")
    before = digest(folder / "paper.ttl")
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK) and os.geteuid() == 0:
            pytest.skip("root writes into a read-only folder; test_write_failure_is_exit_2_and_leaves_the_file "
                        "covers the error path")
        result = run("ro/paper.ttl", cwd=tmp_path)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 2, result.stderr
    assert "llmrl-kg: cannot write ro/paper.ttl: permission denied" in result.stderr
    assert digest(folder / "paper.ttl") == before
