"""Shared fixtures: the shipped KG loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Keep the tests' reasoning cache out of the user's cache folder."""
    os.environ["LLMRL_KG_CACHE"] = str(tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def asserted_store():
    """The shipped KG's asserted triples in an in-memory Oxigraph store."""
    from llmrl_kg.dataset import open_store

    return open_store(inferred=False)
