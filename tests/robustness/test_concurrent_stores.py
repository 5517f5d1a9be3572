"""Issue 13, item 16: `load --into` is locked, swaps atomically, and cleans up after killed runs.

The stores hold the ontology plus one small data file written here; their
contents are checked by counting with an independent SPARQL query.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest

from llmrl_kg.store import server
from llmrl_kg.store.disk import StoreError, build_store, open_read_only

COUNT_EX = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s <http://example.org/p> ?o } }"


def _data(folder: Path, n: int) -> list[Path]:
    data = folder / f"data-{n}"
    data.mkdir(exist_ok=True)
    lines = "".join(f'ex:s{i} ex:p "{i}" .\n' for i in range(n))
    (data / "small.ttl").write_text("@prefix ex: <http://example.org/> .\n" + lines, encoding="utf-8")
    return [data]


def _count(store: ox.Store) -> int:
    return int(next(iter(store.query(COUNT_EX)))["n"].value)


def test_a_second_build_at_the_same_time_is_refused_clearly(tmp_path):
    target = tmp_path / "kg-store"
    build_store(target, _data(tmp_path, 2))
    held = os.open(tmp_path, os.O_RDONLY)  # the lock a running build holds (on the store's folder)
    try:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(StoreError, match="another `llmrl-kg load --into` is building a store in"):
            build_store(target, _data(tmp_path, 5))
    finally:
        os.close(held)
    assert _count(open_read_only(target)) == 2  # the store in use is untouched


def test_a_reader_keeps_the_old_store_while_a_new_one_is_swapped_in(tmp_path):
    target = tmp_path / "kg-store"
    build_store(target, _data(tmp_path, 2))
    reader = open_read_only(target)
    assert _count(reader) == 2
    build_store(target, _data(tmp_path, 5))
    assert _count(reader) == 2  # the old version stays whole for the reader that has it open
    assert _count(open_read_only(target)) == 5  # new readers see the new one
    del reader


def test_leftovers_of_killed_builds_are_removed_by_the_next_build(tmp_path):
    target = tmp_path / "kg-store"
    build_store(target, _data(tmp_path, 1))
    leftovers = [tmp_path / ".kg-store.building-999999", tmp_path / ".kg-store.old-7"]
    for folder in leftovers:
        folder.mkdir()
        (folder / "000001.sst").write_bytes(b"\0" * 1000)
    (tmp_path / ".kg-store.quads-999999.nq").write_text("", encoding="utf-8")
    other = tmp_path / ".other.building-1"  # another store's: not ours to remove
    other.mkdir()
    build_store(target, _data(tmp_path, 3))
    assert _count(open_read_only(target)) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.building-1", "data-1", "data-3", "kg-store"]


def test_serve_removes_the_temporary_store_of_a_killed_serve():
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    dead = Path(tempfile.mkdtemp(prefix=f"{server.TEMP_PREFIX}{finished.stdout.strip()}-"))
    alive = Path(tempfile.mkdtemp(prefix=f"{server.TEMP_PREFIX}{os.getppid()}-"))
    try:
        server.remove_stale_temporaries()
        assert not dead.exists() and alive.exists()
    finally:
        alive.rmdir()
