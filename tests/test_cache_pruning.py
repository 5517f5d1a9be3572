"""The cache folder does not grow without end: each kind of cache file keeps its newest few."""

from __future__ import annotations

import os

from llmrl_kg.rdf import cache


def test_writing_a_cache_file_keeps_the_newest_of_its_kind_only(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMRL_KG_CACHE", str(tmp_path))
    old = []
    for number in range(cache.KEEP_PER_KIND + 4):
        path = tmp_path / f"dataset-{number:08x}.nq"
        path.write_bytes(cache.with_header(b""))
        os.utime(path, ns=(number * 10**9, number * 10**9))
        old.append(path.name)
    other = tmp_path / "lexicon-0000000a.json"
    other.write_text("{}", encoding="utf-8")
    unrelated = tmp_path / "notes.txt"
    unrelated.write_text("mine", encoding="utf-8")

    written = tmp_path / "dataset-ffffffff.nq"
    assert cache.cached(written, lambda: b"", lambda p: b"read", lambda v: v) == b""

    left = sorted(p.name for p in tmp_path.iterdir())
    newest_old = old[-(cache.KEEP_PER_KIND - 1):]  # the new file is one of the kept
    assert left == sorted([written.name, *newest_old, other.name, unrelated.name])
