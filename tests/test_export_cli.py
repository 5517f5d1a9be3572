"""`llmrl-kg export`: stdout or an atomic file, clear usage errors, and a cheap import."""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest

from llmrl_kg.export.void import void_file


def test_turtle_to_stdout_parses(cli_invoke):
    result = cli_invoke("export", "turtle")
    assert result.exit_code == 0
    assert len(list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.TURTLE))) > 1000


def test_void_export_is_the_shipped_file(cli_invoke):
    result = cli_invoke("export", "void")
    assert result.exit_code == 0
    assert result.stdout_bytes == void_file().read_bytes()


@pytest.mark.parametrize("args,message", [
    (("csv", "--view", "full"), "--view applies to the network formats"),
    (("markdown", "--inferred"), "--inferred applies to the RDF formats and to --view full"),
    (("graphml", "--inferred"), "--inferred applies to the RDF formats and to --view full"),
    (("turtle", "--source", "paper"), "--source applies to csv and markdown"),
    (("pdf",), "Invalid value for 'FORMAT'"),
])
def test_options_that_do_not_apply_are_usage_errors(args, message, cli_invoke):
    result = cli_invoke("export", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_output_file_is_replaced_atomically(tmp_path, cli_invoke):
    target = tmp_path / "kg.ttl"
    target.write_text("old")
    result = cli_invoke("export", "turtle", "-o", str(target))
    assert result.exit_code == 0
    assert target.read_bytes() == cli_invoke("export", "turtle").stdout_bytes
    assert [p.name for p in tmp_path.iterdir()] == ["kg.ttl"]


def test_unwritable_output_is_an_io_error(tmp_path, cli_invoke):
    folder = tmp_path / "a-folder"
    folder.mkdir()
    result = cli_invoke("export", "csv", "-o", str(folder))
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_export_commands_import_no_heavy_library():
    code = ("import sys, llmrl_kg.cli.export_commands, llmrl_kg.cli.maintainer_commands, llmrl_kg.export; "
            "print(sorted(m for m in ('rdflib', 'networkx', 'pyshacl', 'owlrl', 'pylode') if m in sys.modules))")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert output.strip() == "[]"


def test_html_open_writes_the_page_and_opens_it(tmp_path, monkeypatch, cli_invoke):
    import webbrowser

    opened = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    target = tmp_path / "llmrl-kg.html"
    result = cli_invoke("export", "html", "-o", str(target), "--open")
    assert result.exit_code == 0, result.output
    assert opened == [target.resolve().as_uri()]
    assert target.read_bytes().startswith(b"<!DOCTYPE html>")
    assert cli_invoke("export", "html", "--open").exit_code == 2  # nothing to open without a file


@pytest.mark.parametrize("args", [("jsonld",), ("graphml", "--view", "full"), ("html",)])
def test_exports_are_reproducible_across_processes(args):
    import os

    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-m", "llmrl_kg", "export", *args], capture_output=True, env=env, check=True)
        outputs.add(run.stdout)
    assert len(outputs) == 1


def test_a_broken_file_stops_the_export_with_its_name_and_line():
    from conftest import FIXTURES
    from llmrl_kg.export import export
    from llmrl_kg.kg.loader import LoadError

    with pytest.raises(LoadError) as error:
        export("csv", paths=[FIXTURES / "turtle-bad" / "missing-final-dot.ttl"])
    assert "missing-final-dot.ttl:" in str(error.value) and "turtle-syntax" in str(error.value)
