"""Issue 13, item 12: a cached dataset is verified before it is served, and keyed by code and libraries.

The KG here is the ontology plus one small data file written by the test; the
expected quads are those of a fresh load with no cache at all.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from llmrl_kg.rdf import cache
from llmrl_kg.rdf.cache import cached, code_tag, read_triples, triples_bytes, verified
from llmrl_kg.store.backends import open_cached_store

DATA = """@prefix ex: <http://example.org/> .
ex:a ex:p "1" .
ex:b ex:p "2" .
ex:c ex:p "3" .
"""


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """A data folder, and a cache folder whose reasoning results the tests share (it is slow)."""
    folder = tmp_path_factory.mktemp("small-kg")
    (folder / "data").mkdir()
    (folder / "data" / "small.ttl").write_text(DATA, encoding="utf-8")
    return folder


@pytest.fixture()
def small_kg(shared, monkeypatch):
    monkeypatch.setenv("LLMRL_KG_CACHE", str(shared / "cache"))
    for old in (shared / "cache").glob("dataset-*.nq"):
        old.unlink()
    return [shared / "data"]


def _quads(store: ox.Store) -> set[str]:
    """The quads with blank nodes canonically relabelled (each load labels them afresh)."""
    dataset = ox.Dataset(store)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(quad) for quad in dataset}


def _dataset_file(shared):
    (found,) = (shared / "cache").glob("dataset-*.nq")
    return found


def test_a_truncated_dataset_cache_is_rebuilt_not_served(small_kg, shared):
    expected = _quads(open_cached_store(small_kg))
    path = _dataset_file(shared)
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[: len(lines) // 2]))  # cut at a line boundary: still valid N-Quads
    assert _quads(open_cached_store(small_kg)) == expected
    assert verified(path)  # and the file was replaced by a complete one


def test_an_injected_quad_is_not_served(small_kg, shared):
    expected = _quads(open_cached_store(small_kg))
    path = _dataset_file(shared)
    injected = b'<http://evil/s> <http://evil/p> "injected" <urn:llmrl-kg:inferred> .\n'
    path.write_bytes(path.read_bytes() + injected)
    served = _quads(open_cached_store(small_kg))
    assert served == expected and not any("evil" in quad for quad in served)


def test_the_cache_key_names_the_code_and_library_versions(small_kg, shared, monkeypatch):
    open_cached_store(small_kg)
    assert code_tag() in _dataset_file(shared).name
    before = code_tag()
    cache.code_tag.cache_clear()
    monkeypatch.setattr(ox, "__version__", ox.__version__ + ".other")
    try:
        assert code_tag() != before
    finally:
        cache.code_tag.cache_clear()


def test_cached_rejects_a_file_without_its_header_or_with_a_wrong_one(tmp_path):
    triple = ox.Triple(ox.NamedNode("http://a/s"), ox.NamedNode("http://a/p"), ox.Literal("o"))
    other = ox.Triple(ox.NamedNode("http://a/s"), ox.NamedNode("http://a/p"), ox.Literal("x"))
    path = tmp_path / "t.nt"
    calls = []

    def compute():
        calls.append(1)
        return [triple]

    assert cached(path, compute, read_triples, triples_bytes) == [triple]
    header = path.read_bytes().splitlines(keepends=True)[0]
    path.write_bytes(triples_bytes([other]))  # valid N-Triples, no header
    assert cached(path, compute, read_triples, triples_bytes) == [triple] and len(calls) == 2
    path.write_bytes(header + triples_bytes([other]))  # the header of another body
    assert cached(path, compute, read_triples, triples_bytes) == [triple] and len(calls) == 3
    assert cached(path, compute, read_triples, triples_bytes) == [triple] and len(calls) == 3
