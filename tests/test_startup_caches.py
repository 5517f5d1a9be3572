"""Issue 11, warm commands: what they keep between calls serves exactly what a fresh computation gives.

The dataset's fingerprint is remembered under the files' stat data (not re-read on every call), the
vocabulary and the question lexicon are cached beside the dataset, and the read-only verdict on a saved
query's text is cached by its hash. Each test compares against the value computed from scratch.
"""

from __future__ import annotations

import time

import pyoxigraph as ox
import pytest

from llmrl_kg.kg import loader
from llmrl_kg.query import catalogue
from llmrl_kg.query.questions.lexicon import Lexicon, _tables
from llmrl_kg.query.vocabulary import Vocabulary, _read_concepts
from llmrl_kg.rdf.cache import with_header
from llmrl_kg.rdf.sparqltext import UnsafeQuery
from llmrl_kg.store import backends
from llmrl_kg.store.backends import OxigraphBackend, open_cached_store

DATA = '@prefix ex: <http://example.org/> .\nex:a ex:p "{value}" .\n'


@pytest.fixture()
def small_kg(tmp_path, monkeypatch):
    """A data folder of one file, and an empty cache folder of its own."""
    monkeypatch.setenv("LLMRL_KG_CACHE", str(tmp_path / "cache"))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "small.ttl").write_text(DATA.format(value="1"), encoding="utf-8")
    return tmp_path


def _values(store: ox.Store) -> set[str]:
    return {q.object.value for q in store.quads_for_pattern(None, ox.NamedNode("http://example.org/p"), None)}


def test_an_edit_of_the_same_size_is_served_at_once(small_kg):
    data = [small_kg / "data"]
    assert _values(open_cached_store(data)) == {"1"}
    (small_kg / "data" / "small.ttl").write_text(DATA.format(value="9"), encoding="utf-8")  # same size
    assert _values(open_cached_store(data)) == {"9"}


def test_settled_files_are_not_read_again_and_any_edit_is_seen(small_kg, monkeypatch):
    data = [small_kg / "data"]
    monkeypatch.setattr(backends, "SETTLING_SECONDS", 0.0)  # as if the files were older than that
    assert _values(open_cached_store(data)) == {"1"}
    [remembered] = (small_kg / "cache").glob("fingerprint-*.txt")
    assert remembered.read_bytes().endswith(loader.files_fingerprint(data).encode())

    real = loader.files_fingerprint
    monkeypatch.setattr(loader, "files_fingerprint", lambda paths=None: pytest.fail("the files were read"))
    assert _values(open_cached_store(data)) == {"1"}

    time.sleep(0.05)  # past the file system's timestamp granularity
    monkeypatch.setattr(loader, "files_fingerprint", real)
    (small_kg / "data" / "small.ttl").write_text(DATA.format(value="9"), encoding="utf-8")
    assert _values(open_cached_store(data)) == {"9"}


def test_the_cached_vocabulary_and_lexicon_are_those_built_from_the_store():
    backend = OxigraphBackend.load()
    assert backend.cache_key
    built = Vocabulary(_read_concepts(backend))
    for _ in range(2):  # the first call may build and save them, the second reads the files
        vocabulary = Vocabulary.load(backend)
        assert [vars(c) for c in vocabulary.concepts] == [vars(c) for c in built.concepts]
        assert _tables(Lexicon.load(backend, vocabulary)) == _tables(Lexicon.build(backend, built))


def test_a_lexicon_cache_of_another_shape_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMRL_KG_CACHE", str(tmp_path))
    backend = OxigraphBackend(open_cached_store(), cache_key="test-key")
    vocabulary = Vocabulary.load(backend)
    (tmp_path / "lexicon-test-key.json").write_bytes(with_header(b'{"trie": {}}'))  # intact, wrong shape
    expected = _tables(Lexicon.build(backend, vocabulary))
    assert _tables(Lexicon.load(backend, vocabulary)) == expected
    assert _tables(Lexicon.load(backend, vocabulary)) == expected  # now from the rewritten file


def test_a_store_not_loaded_from_the_cache_caches_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMRL_KG_CACHE", str(tmp_path / "cache"))
    store = ox.Store()
    backend = OxigraphBackend(store)
    assert Vocabulary.load(backend).concepts == [c for c in _read_concepts(backend)]
    assert not list(tmp_path.glob("cache/*.json"))


def test_the_read_only_verdict_is_cached_only_for_queries_that_pass(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMRL_KG_CACHE", str(tmp_path))
    with pytest.raises(UnsafeQuery, match="INSERT"):
        catalogue.read_only_form("INSERT DATA { <http://a/s> <http://a/p> 1 }")
    assert not list(tmp_path.glob("checked-query-*"))
    text = "SELECT ?s WHERE { ?s ?p ?o }"
    assert catalogue.read_only_form(text) == "SELECT"
    [verdict] = tmp_path.glob("checked-query-*")
    verdict.write_bytes(with_header(b"INSERT"))  # intact but not a form: recomputed
    assert catalogue.read_only_form(text) == "SELECT"
    assert catalogue.read_only_form("ASK { ?s ?p ?o }") == "ASK"
