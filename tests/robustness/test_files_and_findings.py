"""Issue 13, items 2, 3, 10 and 13: what `validate` reads, and what it prints about it.

Symbolic links out of the checked tree are not followed, a bad line is echoed only as
a short escaped excerpt, control characters never reach the terminal, only regular
files are read and never past the size limit, and an unreadable or empty input is
an error, not a silent "valid".
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from llmrl_kg.kg.files import discover, parse_file
from llmrl_kg.kg.findings import Finding

SECRET = "LLMRL_TEST_SECRET=hunter2"
PREFIXES = """@prefix paper: <https://w3id.org/llmrl-kg/paper/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix llmrl: <https://w3id.org/llmrl-kg/ontology#> .
"""


def run(*args: str, timeout: float = 120, memory: int | None = None) -> subprocess.CompletedProcess:
    """`llmrl-kg ARGS` in a child process, optionally with a cap on its address space."""
    def limits() -> None:
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run([sys.executable, "-m", "llmrl_kg", *args], capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limits, errors="surrogateescape")


def _terminal_unsafe(text: str) -> list[str]:
    """Characters a terminal would act on: C0/C1 controls (except newline) and bidi overrides."""
    return [c for c in text if c != "\n" and (unicodedata.category(c) == "Cc"
                                              or "\u202a" <= c <= "\u202e" or "\u2066" <= c <= "\u2069")]


# --- item 2: symlinks out of the tree, and echoed secrets --------------------------------

def test_symlink_out_of_the_tree_is_not_followed(tmp_path):
    secret = tmp_path / "environ"
    secret.write_bytes(f"SHELL=/bin/sh\0{SECRET}\0".encode())
    tree = tmp_path / "d"
    tree.mkdir()
    (tree / "x.ttl").symlink_to(secret)
    result = run("validate", "--no-reasoning", str(tree))
    assert result.returncode == 1, result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    (finding,) = [line for line in result.stdout.splitlines() if "symlink-outside-tree" in line]
    assert finding.startswith(f"{tree / 'x.ttl'}: error symlink-outside-tree")


def test_symlink_inside_the_tree_is_read(tmp_path):
    (tmp_path / "real.ttl").write_text(PREFIXES + 'paper:x rdfs:label "X" .\n', encoding="utf-8")
    (tmp_path / "link.ttl").symlink_to("real.ttl")
    source, problems = parse_file(tmp_path / "link.ttl")
    assert problems == [] and len(source.triples) == 1


def test_syntax_error_echoes_a_short_excerpt(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("A" * 5000 + " <http://x/b> <http://x/c> .\n", encoding="utf-8")
    _source, (finding,) = parse_file(bad)
    assert finding.rule == "turtle-syntax" and finding.line == 1
    assert len(finding.message) <= 200 and "AAAA" in finding.message and "…" in finding.message


# --- item 3: terminal escapes --------------------------------------------------------------

def test_findings_escape_control_characters():
    finding = Finding("a\x1b]0;x\x07.ttl", 3, "error", "rule", "bad \x1b[2J\x9b2J\u202e text",
                      "fix \r it", focus="urn:x\x00")
    text = finding.format()
    assert _terminal_unsafe(text) == []
    assert text == "a\\x1b]0;x\\x07.ttl:3: error rule — bad \\x1b[2J\\x9b2J\\u202e text (fix \\x0d it)"
    assert _terminal_unsafe(json.dumps(finding.as_dict(), ensure_ascii=False)) == []


def test_validate_prints_no_escape_sequences(tmp_path):
    (tmp_path / "escape-label.ttl").write_text(
        PREFIXES + 'paper:escape a llmrl:Paper ; rdfs:label "Title\\u001B]0;pwned\\u0007\\u009B2J" ;\n'
        '    dcterms:title "x\\u001B[2J" .\n', encoding="utf-8")
    (tmp_path / "escape-syntax.ttl").write_bytes(b"\x1b]0;pwned\x07 <http://x/b> <http://x/c> .\n")
    for fmt in ("text", "json"):
        result = run("validate", "--no-reasoning", "--format", fmt, str(tmp_path))
        assert result.returncode == 1, result.stderr
        assert _terminal_unsafe(result.stdout + result.stderr) == []
        assert "escape-syntax.ttl:1: error turtle-syntax" in result.stdout or fmt == "json"
    findings = json.loads(result.stdout)["findings"]
    assert {f["path"].rsplit("/", 1)[-1] for f in findings} == {"escape-label.ttl", "escape-syntax.ttl"}


# --- item 10: only regular files, never read past the limit -------------------------------

def test_fifo_is_refused_without_hanging(tmp_path):
    fifo = tmp_path / "pipe.ttl"
    os.mkfifo(fifo)
    result = run("validate", "--no-reasoning", str(fifo), timeout=60)
    assert result.returncode == 2
    assert "not a regular file" in result.stderr and "pipe.ttl" in result.stderr


def test_refusal_names_the_file_without_its_escape_sequences(tmp_path):
    fifo = tmp_path / "pipe\x1b[2J\x1b]0;pwned\x07.ttl"
    os.mkfifo(fifo)
    result = run("validate", "--no-reasoning", str(tmp_path), timeout=60)
    assert result.returncode == 2
    assert _terminal_unsafe(result.stdout + result.stderr) == []
    assert "pipe\\x1b[2J\\x1b]0;pwned\\x07.ttl is not a regular file (a FIFO)" in result.stderr


def test_device_is_refused_without_reading_it():
    result = run("validate", "--no-reasoning", "/dev/zero", timeout=60, memory=2 * 1024 ** 3)
    assert result.returncode == 2, result.stderr[-500:]
    assert "llmrl-kg: /dev/zero is not a regular file (a character device)" in result.stderr


def test_huge_file_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.ttl"
    with open(huge, "wb") as handle:  # sparse: takes no disk space
        handle.truncate(4 * 1024 ** 3)
    result = run("validate", "--no-reasoning", str(huge), timeout=60, memory=2 * 1024 ** 3)
    assert result.returncode == 1, result.stderr[-500:]
    assert "error file-too-large — the file has 4294967296 bytes, more than the" in result.stdout


def test_bounded_read_does_not_trust_a_zero_size():
    """Files in /proc state a size of 0; the bounded read still reads what they hold."""
    from llmrl_kg.kg.files import read_regular_file

    assert Path("/proc/self/cmdline").stat().st_size == 0
    expected = Path("/proc/self/cmdline").read_bytes()
    assert expected and read_regular_file(Path("/proc/self/cmdline")) == expected


def test_bounded_read_stops_at_the_limit(tmp_path):
    from llmrl_kg.kg.files import FileTooLargeError, read_regular_file

    path = tmp_path / "eleven.ttl"
    path.write_bytes(b"#" * 11)
    assert read_regular_file(path, limit=11) == b"#" * 11
    with pytest.raises(FileTooLargeError) as raised:
        read_regular_file(path, limit=10)
    assert raised.value.size == 11


# --- item 13: no silent skip ---------------------------------------------------------------

def _refuse(monkeypatch, locked: Path, function: str) -> None:
    """chmod 0 for real; as root (whom permissions do not stop), emulate the kernel's refusal."""
    locked.chmod(0)
    if os.geteuid() != 0:
        return
    original = getattr(os, function)

    def refusing(path, *args, **kwargs):
        if isinstance(path, (str, os.PathLike)) and Path(path).absolute() == locked:
            raise PermissionError(13, "Permission denied", str(locked))
        return original(path, *args, **kwargs)

    monkeypatch.setattr(os, function, refusing)


def run_in_process(*args: str):
    from click.testing import CliRunner

    from llmrl_kg.cli import cli

    return CliRunner().invoke(cli, list(args))


def test_unreadable_subfolder_is_an_error(tmp_path, monkeypatch):
    locked = tmp_path / "d" / "locked"
    locked.mkdir(parents=True)
    (tmp_path / "d" / "ok.ttl").write_text(PREFIXES + 'paper:x rdfs:label "X" .\n', encoding="utf-8")
    (locked / "broken.ttl").write_text("this is not turtle\n", encoding="utf-8")
    _refuse(monkeypatch, locked, "scandir")
    monkeypatch.chdir(tmp_path)
    try:
        result = run_in_process("validate", "--no-reasoning", "d")
    finally:
        locked.chmod(0o755)
    assert result.exit_code == 2, result.output
    assert "valid" not in result.stdout.lower()
    assert "llmrl-kg: cannot read the folder d/locked: permission denied" in result.stderr


def test_unreadable_file_is_an_error(tmp_path, monkeypatch):
    unreadable = tmp_path / "secret.ttl"
    unreadable.write_text(PREFIXES, encoding="utf-8")
    _refuse(monkeypatch, unreadable, "open")
    monkeypatch.chdir(tmp_path)
    result = run_in_process("validate", "--no-reasoning", ".")
    assert result.exit_code == 2, result.output
    assert "valid" not in result.stdout.lower()
    assert "llmrl-kg: cannot read secret.ttl: permission denied" in result.stderr


def test_empty_folder_is_nothing_to_check(tmp_path):
    (tmp_path / "notes.txt").write_text("no Turtle here\n", encoding="utf-8")
    result = run("validate", "--no-reasoning", str(tmp_path))
    assert result.returncode == 2
    assert "valid" not in result.stdout.lower()
    assert f"llmrl-kg: nothing to check: no .ttl file in {tmp_path}" in result.stderr


def test_discover_lists_every_kind_of_entry_for_parse_file_to_judge(tmp_path):
    (tmp_path / "a.ttl").write_text("", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.ttl").write_text("", encoding="utf-8")
    os.mkfifo(tmp_path / "sub" / "c.ttl")
    (tmp_path / "dangling.ttl").symlink_to(tmp_path / "missing.ttl")
    (tmp_path / "notes.txt").write_text("", encoding="utf-8")
    found = [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])]
    assert found == ["a.ttl", "dangling.ttl", "sub/b.ttl", "sub/c.ttl"]
