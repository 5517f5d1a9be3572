"""`validate FILE` checks only what an edit can affect, and reports exactly what a full `validate` reports.

Each case edits one survey method file of a copy of the KG (valid and broken edits), then
compares `validate FILE` (cold caches, then warm ones) with a full `validate` of the same
copy run in the test, filtered to that file. The pieces the speed rests on are checked on
their own: SHACL at chosen focus nodes gives the whole run's results at those nodes, the
compiled shapes read back from the cache give the same results, the literals decided
without rdflib are those rdflib reads unchanged, and a warm validation does not import rdflib.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from llmrl_kg import locations
from llmrl_kg.kg import shacl_sparql
from llmrl_kg.kg.files import parse_file, parse_files, shipped_data_files
from llmrl_kg.kg.validate import validate

METHOD_FILE = Path("data", "methods", "eureka.ttl")
XSD = "http://www.w3.org/2001/XMLSchema#"
LLMRL = "https://w3id.org/llmrl-kg/ontology#"

# name -> (text replaced in the method file, its replacement, a rule the edit must produce or None)
EDITS = {
    "valid-title": ('dcterms:title "Eureka: ', 'dcterms:title "Eureka (edited): ', None),
    "no-label": ('    rdfs:label "Eureka" ;\n', "", "method-label"),
    "fine-tuning-outside-list": ("llmrl:fineTuning ft:none ;", "llmrl:fineTuning ft:partly ;",
                                 "method-entry-fine-tuning"),
    "ill-typed-year": ('"2024"^^xsd:gYear', '"20x4"^^xsd:gYear', "ill-typed-literal"),
    "non-canonical-integer": ("llmrl:rowNumber 28 ;", 'llmrl:rowNumber "028"^^xsd:integer, 28 ;', None),
    "disjoint-classes": ("    a llmrl:RewardFunctionMethod ;", "    a llmrl:RewardFunctionMethod , llmrl:Paper ;",
                         "owl-inconsistency"),
    "statements-about-another-record": ("entry:eureka-paper\n", "method:reflexion rdfs:comment \"x\" .\n\n"
                                        "entry:eureka-paper\n", "record-described-elsewhere"),
    "syntax-error": ('    rdfs:label "Eureka" ;', '    rdfs:label "Eureka ;', "turtle-syntax"),
}


@pytest.fixture()
def kg_copy(copy_kg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the KG as the working KG, with an empty cache folder of its own."""
    root = copy_kg()
    monkeypatch.setenv("LLMRL_KG_ROOT", str(root))
    monkeypatch.setenv("LLMRL_KG_CACHE", str(tmp_path / "cache"))
    return root


def _edit(root: Path, old: str, new: str) -> Path:
    path = root / METHOD_FILE
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{METHOD_FILE} no longer holds {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize("name", sorted(EDITS))
def test_validate_file_reports_what_the_full_run_reports_for_it(kg_copy: Path, name: str) -> None:
    old, new, rule = EDITS[name]
    if name == "statements-about-another-record":
        assert (kg_copy / "data" / "methods" / "reflexion.ttl").is_file()
    path = _edit(kg_copy, old, new)
    cold = validate([path]).findings
    warm = validate([path]).findings  # the unchanged files' results now come from the cache
    full = [f for f in validate().findings if f.path == METHOD_FILE.as_posix()]
    assert cold == full
    assert warm == full
    if rule is None:
        assert [f for f in full if f.severity == "error"] == []
    else:
        assert rule in {f.rule for f in full}, (name, full)


def test_an_edit_elsewhere_between_runs_is_seen(kg_copy: Path) -> None:
    """The cached results of the other files are keyed by their content: editing one of them counts."""
    path = _edit(kg_copy, *EDITS["valid-title"][:2])
    assert validate([path]).valid
    other = kg_copy / "data" / "methods" / "reflexion.ttl"
    text = other.read_text(encoding="utf-8")
    method = "method:reflexion\n    a "
    assert method in text
    other.write_text(text.replace(method, "method:reflexion\n    a llmrl:Paper ;\n    a ", 1), encoding="utf-8")
    incremental = validate([path]).findings
    # method:reflexion is not stated in the method file, so its contradiction is shown at the ontology
    # (as `validate FILE` always has), and it is one the full run finds too.
    full = {(f.rule, f.focus) for f in validate().findings if f.rule == "owl-inconsistency"}
    assert full and {(f.rule, f.focus) for f in incremental if f.rule == "owl-inconsistency"} == full


def _shipped() -> tuple[list[ox.Triple], list[ox.Triple], list[ox.Triple]]:
    ontology, _ = parse_file(locations.ontology_file())
    shapes, _ = parse_file(locations.shapes_file())
    sources, _ = parse_files(shipped_data_files())
    return ontology.triples, shapes.triples, sorted({t for s in sources for t in s.triples}, key=str)


def test_shacl_at_chosen_focus_nodes_gives_the_whole_runs_results_there() -> None:
    ontology, shapes, data = _shipped()
    year = ox.NamedNode("http://purl.org/spar/fabio/hasPublicationYear")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    paper = ox.NamedNode("https://w3id.org/llmrl-kg/paper/eureka")
    method = ox.NamedNode("https://w3id.org/llmrl-kg/method/eureka")
    faulty = [t for t in data if not (t.subject == paper and t.predicate == year)
              and not (t.subject == method and t.predicate == label)]
    faulty.append(ox.Triple(paper, year, ox.Literal("20x4", datatype=ox.NamedNode(XSD + "gYear"))))
    nodes = sorted({t.subject for t in faulty if "eureka" in t.subject.value}, key=str)
    whole = shacl_sparql.validate_triples(shapes, [ontology, faulty])
    restricted = shacl_sparql.validate_triples(shapes, [ontology, faulty], nodes)
    expected = Counter(r.key() for r in whole if r.focus in set(nodes))
    assert Counter(r.key() for r in restricted) == expected
    assert {r.focus for r in restricted} == {paper, method}  # both faults show


def test_the_cached_shapes_program_gives_the_same_results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from llmrl_kg.rdf.cache import with_header

    ontology, shapes, data = _shipped()
    faulty = data + [ox.Triple(ox.NamedNode("https://w3id.org/llmrl-kg/method/eureka"),
                               ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal(""))]
    monkeypatch.setenv("LLMRL_KG_CACHE", str(tmp_path))
    shacl_sparql._PROGRAMS.clear()
    compiled = Counter(r.key() for r in shacl_sparql.validate_triples(shapes, [ontology, faulty]))
    (cached,) = tmp_path.glob("shapes-*.json")
    assert json.loads(cached.read_bytes().split(b"\n", 1)[1])["shapes"]
    shacl_sparql._PROGRAMS.clear()
    assert Counter(r.key() for r in shacl_sparql.validate_triples(shapes, [ontology, faulty])) == compiled
    cached.write_bytes(with_header(b'{"shapes": [{"node": 1}]}'))  # intact checksum, damaged content
    shacl_sparql._PROGRAMS.clear()
    assert Counter(r.key() for r in shacl_sparql.validate_triples(shapes, [ontology, faulty])) == compiled
    assert "http://www.w3.org/ns/shacl#MinLengthConstraintComponent" in {key[4].value for key in compiled}


PLAIN_CANDIDATES = {
    "integer": ["0", "1", "28", "-5", "1030", "01", "+1", "-0", " 2", "1.0", "", "0x1"],
    "boolean": ["true", "false", "1", "0", "TRUE", "True", ""],
    "gYear": ["2024", "0999", "1999", "24", "-2024", "+2024", "2024Z", "12345", "20x4", ""],
}


def test_literals_decided_without_rdflib_are_those_rdflib_keeps_and_reads() -> None:
    from rdflib import Literal, URIRef

    ontology, _shapes, data = _shipped()
    literals = {t.object for t in [*ontology, *data] if isinstance(t.object, ox.Literal)}
    literals |= {ox.Literal(v, datatype=ox.NamedNode(XSD + kind)) for kind, vs in PLAIN_CANDIDATES.items()
                 for v in vs}
    plain = [lit for lit in literals if shacl_sparql._plain(lit)]
    for literal in plain:
        read = Literal(literal.value, datatype=URIRef(literal.datatype.value))
        assert str(read) == literal.value, literal
        assert getattr(read, "ill_typed", None) is not True, literal
        expected = shacl_sparql._VALUE_TYPES.get(literal.datatype.value)
        assert expected is None or isinstance(read.value, expected), literal
    decided = {(lit.datatype.value.removeprefix(XSD), lit.value) for lit in plain}
    assert {("integer", "28"), ("boolean", "true"), ("gYear", "2024")} <= decided
    assert not decided & {("integer", "01"), ("integer", "-0"), ("boolean", "1"), ("gYear", "20x4")}


def test_a_warm_validation_does_not_import_rdflib(kg_copy: Path) -> None:
    script = ("import sys; from pathlib import Path; from llmrl_kg.kg.validate import validate; "
              f"one = validate([Path({str(kg_copy / METHOD_FILE)!r})]); whole = validate(); "
              "print(one.valid, whole.valid, 'rdflib' in sys.modules)")
    env = dict(os.environ)
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert first.returncode == 0, first.stderr
    again = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    assert again.stdout.split() == ["True", "True", "False"]


def _reasoned(sources) -> list[ox.Triple]:
    from llmrl_kg.kg.loader import reasoning_input

    return [t for s in reasoning_input(sources) for t in s.triples if not t.predicate.value.endswith("#sameAs")]


def test_contradictions_composed_from_the_other_files_equal_the_whole_check() -> None:
    """The other files' contradictions away from what the edit mentions, plus a check of what it mentions."""
    from llmrl_kg.reason import consistency

    ontology, _ = parse_file(locations.ontology_file())
    sources, _ = parse_files(shipped_data_files())
    edited = next(s for s in sources if s.display == METHOD_FILE.as_posix())
    others = [s for s in sources if s is not edited]
    paper = ox.NamedNode(LLMRL + "Paper")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert any(s.display == "data/methods/reflexion.ttl" for s in others)
    # one fault in the edited file, one elsewhere
    edited_triples = _reasoned([edited]) + [ox.Triple(ox.NamedNode("https://w3id.org/llmrl-kg/method/eureka"),
                                                      rdf_type, paper)]
    other_triples = _reasoned(others) + [ox.Triple(ox.NamedNode("https://w3id.org/llmrl-kg/method/reflexion"),
                                                   rdf_type, paper)]
    data = other_triples + edited_triples
    tbox = consistency.tbox_closure(ontology.triples, data, ontology.text)
    assert consistency.reasons_locally([*ontology.triples, *tbox, *data], edited_triples)
    about = consistency.mentioned(edited_triples)
    composed = {c for c in consistency.check(ontology.triples, other_triples, tbox=tbox)
                if c.rule != "dt-not-type" and c.focus not in about}
    composed |= set(consistency.contradictions_about(ontology.triples, data, about, tbox))
    composed |= set(consistency.ill_typed_literals(data))
    whole = set(consistency.check(ontology.triples, data, tbox=tbox))
    assert composed == whole
    assert {c.focus for c in whole if c.rule == "cax-dw"} >= {"https://w3id.org/llmrl-kg/method/eureka",
                                                              "https://w3id.org/llmrl-kg/method/reflexion"}


def test_schema_in_the_edit_or_a_transitive_property_needs_the_whole_check() -> None:
    from llmrl_kg.reason import consistency

    subclass = ox.Triple(ox.NamedNode(LLMRL + "Method"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
                         ox.NamedNode(LLMRL + "Paper"))
    transitive = ox.Triple(ox.NamedNode(LLMRL + "cites"), ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                           ox.NamedNode("http://www.w3.org/2002/07/owl#TransitiveProperty"))
    label = ox.Triple(ox.NamedNode(LLMRL + "x"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                      ox.Literal("x"))
    assert consistency.reasons_locally([label], [label])
    assert not consistency.reasons_locally([label], [label, subclass])
    assert not consistency.reasons_locally([label, transitive], [label])
