"""What the million-triple paths of issue 11 rest on, checked on small inputs.

- The benchmark's synthetic KG is valid: `validate` measured on it measures a clean run, not the
  writing of tens of thousands of findings (it lacked dcterms:source once the shapes asked for it).
- Validating many files at once runs the shapes on the whole graph and keeps the findings of those
  files: the same findings as restricting the shapes to the files' nodes.
- The line index finds every prefix declaration its full scan found.
- Exports are written as they are produced, atomically: a failure part-way leaves the old file.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from llmrl_kg import locations
from llmrl_kg.kg import shacl
from llmrl_kg.kg.validate import validate
from llmrl_kg.rdf.atomic import write_atomically
from llmrl_kg.rdf.lines import _PREFIX_LINE, LineIndex

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_generate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic") / "kg"
    stats = _generator().generate(locations_size(), out, seed=7)
    return out, stats


def locations_size() -> int:
    """A size a little above the shipped KG's, so that a few dozen synthetic methods are written."""
    import pyoxigraph as ox

    from llmrl_kg.kg.loader import source_paths

    shipped = sum(1 for path in source_paths() for _ in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    return shipped + 3000


def test_the_benchmarks_synthetic_kg_is_valid(synthetic):
    out, stats = synthetic
    assert stats["methods"] > 10
    report = validate([out], reason=True)
    assert [f.format() for f in report.findings] == []


def test_many_files_are_checked_on_the_whole_graph_with_the_same_findings(synthetic, tmp_path, monkeypatch):
    out, _stats = synthetic
    faulty = tmp_path / "faulty"
    faulty.mkdir()
    for path in sorted((out / "methods").glob("*.ttl"))[:6]:
        text = path.read_text(encoding="utf-8").replace("llmrl:entryOf", "llmrl:entryOf method:no-such-method ,", 1)
        (faulty / path.name).write_text(text.replace("dcterms:source", "rdfs:seeAlso"), encoding="utf-8")
    restricted = [f.format() for f in validate([faulty], reason=False).findings]
    assert restricted  # the edits broke shapes
    nodes = shacl._reported_nodes
    seen = []

    def spy(sources, report_on):
        found = nodes(sources, report_on)
        seen.append(found)
        return found

    monkeypatch.setattr(shacl, "_reported_nodes", spy)
    monkeypatch.setattr(shacl, "MAX_RESTRICTED_NODES", 1)
    assert [f.format() for f in validate([faulty], reason=False).findings] == restricted
    assert seen == [None]  # above the limit: the whole graph, then filtered by file


def test_the_line_index_finds_every_prefix_a_full_scan_finds():
    text = ("@prefix a: <http://a/> .\n  PREFIX b: <http://b/>\n\tprefix c:<http://c/>\n"
            "\u00a0@PREFIX d: <http://d/> .\n# @prefix e: <http://e/> .\nx @prefix f: <http://f/> .\n"
            "@prefix : <http://default/> .\n\u2028@prefix g: <http://g/> .\n")
    full = {}
    for line in text.splitlines():
        match = _PREFIX_LINE.match(line)
        if match:
            full[match.group(1) or ""] = match.group(2)
    assert LineIndex(text).prefixes == full
    assert set(full) == {"a", "b", "c", "d", "", "g"}


def test_a_failure_part_way_through_the_chunks_leaves_the_old_file(tmp_path):
    target = tmp_path / "out.graphml"
    target.write_bytes(b"old")

    def chunks():
        yield b"new part one\n"
        raise RuntimeError("the export failed part-way")

    with pytest.raises(RuntimeError):
        write_atomically(target, chunks())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.graphml"]
    assert write_atomically(target, iter([b"a", b"bc"])) == 3
    assert target.read_bytes() == b"abc"


def test_the_exported_graphml_file_is_what_export_returns(cli_run, tmp_path):
    from llmrl_kg.export import export

    target = tmp_path / "full.graphml"
    done = cli_run("export", "graphml", "--view", "full", "--inferred", "-o", str(target))
    assert done.returncode == 0, done.stderr
    data = target.read_bytes()
    assert data == export("graphml", view="full", inferred=True)
    assert f"wrote {target} ({len(data)} bytes, graphml)" in done.stderr
    assert locations.kg_root().is_dir()


# --- the saved-query path: each cell converted once -------------------------------------------------


def test_saved_query_rows_are_the_converted_solutions_without_parameters():
    from llmrl_kg.api import KnowledgeGraph
    from llmrl_kg.query.catalogue import bind_parameters, run_saved, solutions_table, without_parameters

    kg = KnowledgeGraph.load()
    checked = 0
    for query in kg.catalogue.all():
        if query.network:
            continue
        bindings = bind_parameters(query, {}, lambda: kg.vocabulary)
        expected = without_parameters(solutions_table(kg.backend.select(query.text, bindings)), query)
        found = run_saved(kg.backend, query, bindings)
        assert (found.columns, found.rows) == (expected.columns, expected.rows), query.name
        checked += 1
    assert checked == len([q for q in kg.catalogue.all() if not q.network])


def _reference_plain_value(term):
    xsd = "http://www.w3.org/2001/XMLSchema#"
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        integers = {xsd + t for t in ("integer", "int", "long", "short", "byte", "nonNegativeInteger",
                                      "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt",
                                      "unsignedLong", "unsignedShort", "unsignedByte", "gYear")}
        try:
            if datatype in integers:
                return int(term.value)
            if datatype in {xsd + "decimal", xsd + "double", xsd + "float"}:
                return float(term.value)
        except ValueError:
            return term.value
        if datatype == xsd + "boolean":
            return term.value in ("true", "1")
        return term.value
    return str(term)


def test_plain_values_are_what_they_were():
    from llmrl_kg.store.backends import plain_value

    xsd = "http://www.w3.org/2001/XMLSchema#"
    terms = [None, ox.NamedNode("http://e/x"), ox.BlankNode("b1"), ox.Literal("text"), ox.Literal("chat", language="fr"),
             ox.Triple(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("o"))]
    for datatype, lexicals in (("integer", ["7", "-3", "+5", "x1"]), ("gYear", ["2024", "20x4"]),
                               ("unsignedByte", ["255"]), ("decimal", ["0.5", "abc"]), ("double", ["1e3", "NaN"]),
                               ("boolean", ["true", "1", "false", "0", "yes"]), ("date", ["2024-01-02"]),
                               ("string", ["plain"])):
        terms += [ox.Literal(value, datatype=ox.NamedNode(xsd + datatype)) for value in lexicals]
    for term in terms:
        assert repr(plain_value(term)) == repr(_reference_plain_value(term)), term  # repr: NaN is not NaN
        assert type(plain_value(term)) is type(_reference_plain_value(term)), term


def test_paths_resolved_once_per_folder_are_what_resolve_gives(tmp_path, monkeypatch):
    from llmrl_kg.kg.files import folders_resolved_once, resolved

    real = tmp_path / "real"
    (real / "sub").mkdir(parents=True)
    (real / "sub" / "a.ttl").write_text("", encoding="utf-8")
    (tmp_path / "linked-folder").symlink_to(real, target_is_directory=True)
    (real / "link.ttl").symlink_to(real / "sub" / "a.ttl")
    (real / "dangling.ttl").symlink_to(tmp_path / "nowhere.ttl")
    monkeypatch.chdir(real)
    paths = [real / "sub" / "a.ttl", tmp_path / "linked-folder" / "sub" / "a.ttl", real / "link.ttl",
             real / "dangling.ttl", Path("sub/a.ttl"), Path("sub/../sub/a.ttl"), Path("missing/x.ttl"),
             Path("."), Path(".."), tmp_path / "linked-folder" / "sub"]
    with folders_resolved_once():
        inside = [resolved(p) for p in paths] + [resolved(p) for p in paths]  # the second time from memory
    assert inside == [p.resolve() for p in paths] * 2
    assert [resolved(p) for p in paths] == [p.resolve() for p in paths]


def test_files_with_the_same_prefixes_share_one_prefix_table():
    block = "@prefix a: <http://a/> .\n@prefix b: <http://b/> .\n"
    first, second = LineIndex(block + "a:x b:y a:z .\n"), LineIndex(block + "\na:q b:r a:s .\n")
    other = LineIndex("@prefix a: <http://other/> .\n")
    assert first.prefixes is second.prefixes and first.prefixes == {"a": "http://a/", "b": "http://b/"}
    assert other.prefixes == {"a": "http://other/"}
    assert first.forms("http://a/x") == ["<http://a/x>", "a:x"] and other.forms("http://a/x") == ["<http://a/x>"]
