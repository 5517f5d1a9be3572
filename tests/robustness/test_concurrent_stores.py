"""Issue 13, item 16: `load --into` is locked, swaps atomically, and cleans up after killed runs.

A reader keeps the version of the store it opened whole, however long it reads: PATH is a link\nto a version folder, and a build deletes only the versions no reader holds.

The stores hold the ontology plus one small data file written here; their
contents are checked by counting with an independent SPARQL query.
"""

from __future__ import annotations

import fcntl
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
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
    os.symlink(".kg-store.v-1", tmp_path / ".kg-store.link-999999")  # a killed build's link, not yet moved
    build_store(target, _data(tmp_path, 3))
    assert _count(open_read_only(target)) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == [".kg-store.v-2", ".other.building-1", "data-1", "data-3",
                                                          "kg-store"]
    assert os.readlink(target) == ".kg-store.v-2"


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


GROWN = "http://example.org/grown"
COUNT_GROWN = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{GROWN}> ?o }} }}"


def _grow(folder: Path, batches: int = 8, size: int = 500) -> int:
    """Add quads to the store in `folder` in flushed batches, each its own SST files; the number added.

    RocksDB opens at most 16 SST files when it opens a store and the others only
    when a query first needs them, by name: the case where deleting (or
    replacing) the folder under an open reader broke its queries.
    """
    store = ox.Store(str(folder))
    for batch in range(batches):
        graph = ox.NamedNode(f"{GROWN}/{batch}")
        store.bulk_extend(ox.Quad(ox.NamedNode(f"{GROWN}/{batch}/{i}"), ox.NamedNode(GROWN), ox.Literal(i), graph)
                          for i in range(size))
        store.flush()
    del store
    gc.collect()  # closes the database
    return batches * size


def _sst_files(folder: Path) -> int:
    return sum(1 for p in folder.iterdir() if p.suffix == ".sst")


def test_a_reader_keeps_reading_every_part_of_the_old_store_after_a_rebuild(tmp_path):
    """Regression: the old store's folder was deleted under the reader ("No such file" / "Corruption")."""
    target = tmp_path / "kg-store"
    build_store(target, _data(tmp_path, 2))
    grown = _grow(target.resolve())
    assert _sst_files(target.resolve()) > 16
    reader = open_read_only(target)
    assert _count(reader) == 2  # touches a few files only
    build_store(target, _data(tmp_path, 5))
    assert _count(open_read_only(target)) == 5
    assert int(next(iter(reader.query(COUNT_GROWN)))["n"].value) == grown  # reads the files it had not opened
    assert sum(1 for _ in reader) == len(reader)


def test_a_version_in_use_is_kept_until_a_build_after_its_reader_closed(tmp_path):
    target = tmp_path / "kg-store"
    build_store(target, _data(tmp_path, 1))
    first = target.resolve()
    reader = open_read_only(target)
    build_store(target, _data(tmp_path, 2))
    build_store(target, _data(tmp_path, 3))
    versions = sorted(p.name for p in tmp_path.glob(".kg-store.*"))
    assert versions == [first.name, ".kg-store.v-3"] and first.name == ".kg-store.v-1"
    assert _count(reader) == 1
    del reader
    build_store(target, _data(tmp_path, 4))
    assert sorted(p.name for p in tmp_path.glob(".kg-store.*")) == [".kg-store.v-4"]
    assert _count(open_read_only(target)) == 4


def _older_layout(tmp_path: Path, n: int) -> Path:
    """A store as builds before version folders left it: PATH itself a real folder."""
    built = tmp_path / "built"
    build_store(built, _data(tmp_path, n))
    target = tmp_path / "kg-store"
    shutil.copytree(built.resolve(), target)
    return target


def test_a_store_of_the_older_layout_is_read_and_replaced_by_a_link_on_the_next_build(tmp_path):
    target = _older_layout(tmp_path, 2)
    assert _count(open_read_only(target)) == 2
    build_store(target, _data(tmp_path, 5))
    assert os.readlink(target) == ".kg-store.v-1" and _count(open_read_only(target)) == 5
    assert sorted(p.name for p in tmp_path.glob(".kg-store.*")) == [".kg-store.v-1"]


def test_a_store_of_the_older_layout_being_read_is_not_replaced_under_its_reader(tmp_path):
    target = _older_layout(tmp_path, 2)
    grown = _grow(target)
    reader = open_read_only(target)
    with pytest.raises(StoreError, match="a query is reading this store right now, and a store of the older "
                                         "layout cannot be replaced while it is read; run the load again"):
        build_store(target, _data(tmp_path, 5))
    assert not target.is_symlink()
    assert int(next(iter(reader.query(COUNT_GROWN)))["n"].value) == grown and _count(reader) == 2
    assert sorted(p.name for p in tmp_path.glob(".kg-store.*")) == []
    del reader
    build_store(target, _data(tmp_path, 5))
    assert _count(open_read_only(target)) == 5


READER = textwrap.dedent("""
    import sys, time
    from llmrl_kg.store.disk import open_read_only
    query = sys.argv[2]
    stop = time.monotonic() + float(sys.argv[3])
    while time.monotonic() < stop:
        try:
            store = open_read_only(sys.argv[1])
            print(next(iter(store.query(query)))["n"].value, flush=True)
            del store
        except Exception as error:
            print("ERROR", type(error).__name__, error, flush=True)
""")


def test_readers_opening_during_builds_see_the_old_or_the_new_store_only(tmp_path):
    target = tmp_path / "kg-store"
    build_store(target, _data(tmp_path, 2))
    sizes = (2, 5)
    for n in sizes:
        _data(tmp_path, n)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(target), COUNT_EX, "8"], stdout=subprocess.PIPE,
                              text=True)
    started = time.monotonic()
    builds = 0
    while time.monotonic() - started < 6:
        build_store(target, [tmp_path / f"data-{sizes[builds % 2]}"])
        builds += 1
    answers = reader.communicate(timeout=60)[0].splitlines()
    assert builds >= 3 and len(answers) > 20
    assert set(answers) <= {"2", "5"}, [a for a in answers if a not in {"2", "5"}][:3]
    assert len(list(tmp_path.glob(".kg-store.*"))) <= 2  # the current version, and one a reader may still hold
