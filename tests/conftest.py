"""Shared fixtures: the shipped KG loaded once per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from servers import oxigraph_in_memory, virtuoso  # noqa: F401 - the loopback server fixtures, for every module
from support.chromium import running_chromium

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_addoption(parser):
    parser.addoption("--update-expected", action="store_true", default=False,
                     help="Rewrite the pinned expected files (tests/expected/) from the current KG, then test "
                          "against them. Review the diff (git diff tests/expected) before committing.")


@pytest.fixture(scope="session")
def cli_invoke():
    """Run `llmrl-kg ARGS` in this process with click's CliRunner: `cli_invoke("query", NAME, input=...)`."""
    from click.testing import CliRunner

    from llmrl_kg.cli import cli

    def invoke(*args: str, input: str | None = None, env: dict | None = None):
        return CliRunner().invoke(cli, list(args), input=input, env=env)

    return invoke


@pytest.fixture(scope="session")
def cli_run():
    """Run `llmrl-kg ARGS` in a fresh process (it inherits the session's private cache); text output."""

    def run(*args: str, timeout: float = 600, env: dict | None = None, cwd=None, input: str | None = None):
        return subprocess.run([sys.executable, "-m", "llmrl_kg", *args], capture_output=True, text=True,
                              timeout=timeout, env=env if env is not None else os.environ.copy(), cwd=cwd,
                              input=input)

    return run


@pytest.fixture(scope="session")
def update_expected(request) -> bool:
    """True when the run was asked to regenerate the pinned expected files."""
    return bool(request.config.getoption("--update-expected"))


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Keep the tests' reasoning cache out of the user's cache folder."""
    os.environ["LLMRL_KG_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    # Build the shipped KG's cache now, so that no test's output starts with the "building the KG cache" line.
    from llmrl_kg.store.backends import open_cached_store

    open_cached_store()


@pytest.fixture(scope="session")
def asserted_store():
    """The shipped KG's asserted triples in an in-memory Oxigraph store."""
    from llmrl_kg.kg.loader import open_store

    return open_store(inferred=False)


@pytest.fixture(scope="session")
def copy_kg(tmp_path_factory):
    """Copy the KG's ontology, data and queries into a new temporary folder: `root = copy_kg()`."""
    from llmrl_kg import locations

    def copy() -> Path:
        root = tmp_path_factory.mktemp("kg-copy")
        for folder in ("ontology", "data", "queries"):
            shutil.copytree(locations.kg_root() / folder, root / folder)
        return root

    return copy


@pytest.fixture(scope="session")
def chromium(tmp_path_factory):
    """Start headless Chromium with a private profile: `with chromium("--window-size=1200,900") as driver:`.

    The driver quits when the `with` block ends; a module keeps one for its tests by wrapping it
    in a module-scoped fixture. Fails if chromium is installed without chromedriver.
    """

    def start(*arguments: str):
        return running_chromium(tmp_path_factory.mktemp("chromium-profile"), *arguments)

    return start
