"""The shared `--store` / `--endpoint` options: the same command gives the same output on every store."""

from __future__ import annotations

import pytest

from servers import running_oxigraph

COMMANDS = [
    ("methods", "--role", "planner", "--fine-tuned", "no", "--model", "GPT-4", "--format", "json"),
    ("ask", "non-fine-tuned planners using GPT-4", "--format", "json"),
    ("query", "taxonomy-overview", "--format", "json"),
    ("query", "role-fine-tuning-model", "--param", "model=GPT-4V", "--format", "json"),
    ("sparql", "SELECT ?m WHERE { ?m a llmrl:IncrementalPlanner } ORDER BY ?m", "--format", "json"),
]


@pytest.fixture(scope="module")
def built_store(tmp_path_factory, cli_run):
    path = tmp_path_factory.mktemp("store") / "kg"
    result = cli_run("load", "--into", f"oxigraph:{path}")
    assert result.returncode == 0, result.stderr
    return path


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_every_store_gives_the_default_output(command, built_store, tmp_path, cli_run):
    expected = cli_run(*command)
    assert expected.returncode == 0, expected.stderr
    assert expected.stdout.strip().startswith("[")
    with running_oxigraph(tmp_path / "server", built_store, read_only=True) as server:
        outputs = {
            "memory": cli_run(*command, "--store", "memory"),
            "oxigraph": cli_run(*command, "--store", "oxigraph"),
            "oxigraph:PATH": cli_run(*command, "--store", f"oxigraph:{built_store}"),
            "endpoint": cli_run(*command, "--endpoint", server.query_url),
        }
    for store, result in outputs.items():
        assert (store, result.returncode, result.stdout) == (store, 0, expected.stdout), result.stderr


def test_store_and_endpoint_exclude_each_other(cli_run):
    result = cli_run("methods", "--store", "memory", "--endpoint", "http://127.0.0.1:9/query")
    assert result.returncode == 2
    assert "--store and --endpoint exclude each other" in result.stderr


def test_a_missing_store_is_a_clear_error(tmp_path, cli_run):
    result = cli_run("methods", "--store", f"oxigraph:{tmp_path / 'nothing'}")
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert str(tmp_path / "nothing") in result.stderr
