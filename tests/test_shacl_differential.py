"""The SPARQL engine (kg/shacl_sparql.py) gives exactly pyshacl's validation results.

Each case compares the multiset of (focus, path, value, source shape, component, severity,
message) tuples of both engines: on the shipped KG, on faulty copies of it (mutated in
memory with fixed seeds, one per constraint kind the shapes use, and combinations), and on
the W3C-style fixtures of tests/shapes/. Every faulty copy must also show the fault it was
built for, so no case passes by validating nothing.
"""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from llmrl_kg import locations
from llmrl_kg.errors import UsageError
from llmrl_kg.kg.files import parse_file, parse_files, shipped_data_files
from llmrl_kg.kg.shacl import shacl_results
from llmrl_kg.kg.shacl_sparql import UnsupportedShapes, compile_shapes

SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LLMRL = "https://w3id.org/llmrl-kg/ontology#"
LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
FIXTURES = sorted((Path(__file__).parent / "shapes").glob("*.ttl"))


def _iri(name: str) -> ox.NamedNode:
    prefixes = {"llmrl": LLMRL, "xsd": XSD, "skos": "http://www.w3.org/2004/02/skos/core#",
                "fabio": "http://purl.org/spar/fabio/", "bibo": "http://purl.org/ontology/bibo/",
                "owl": "http://www.w3.org/2002/07/owl#", "doc": "https://w3id.org/llmrl-kg/document/",
                "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"}
    prefix, local = name.split(":", 1)
    return ox.NamedNode(prefixes[prefix] + local)


@pytest.fixture(scope="module")
def kg() -> tuple[list[ox.Triple], list[ox.Triple], list[ox.Triple]]:
    ontology, _ = parse_file(locations.ontology_file())
    shapes, _ = parse_file(locations.shapes_file())
    sources, _ = parse_files(shipped_data_files())
    data = sorted({t for s in sources for t in s.triples}, key=str)
    return ontology.triples, shapes.triples, data


def _both(triple_lists: list[list[ox.Triple]], shapes: list[ox.Triple]) -> Counter:
    """pyshacl's results as a multiset; asserts the SPARQL engine's are the same multiset."""
    compile_shapes(shapes)  # the shapes used here must not need the fallback
    fast = Counter(r.key() for r in shacl_results(triple_lists, shapes, engine="sparql"))
    reference = Counter(r.key() for r in shacl_results(triple_lists, shapes, engine="pyshacl"))
    assert fast == reference, (f"only SPARQL: {list((fast - reference).items())[:5]}; "
                               f"only pyshacl: {list((reference - fast).items())[:5]}")
    return reference


def _subjects(data: list[ox.Triple], predicate: str, obj: ox.NamedNode | None = None) -> list:
    p = _iri(predicate)
    return sorted({t.subject for t in data if t.predicate == p and (obj is None or t.object == obj)}, key=str)


def _pick(rng: random.Random, data, predicate: str, obj=None):
    choices = _subjects(data, predicate, obj)
    assert choices, f"the shipped KG has no subject of {predicate}"
    return rng.choice(choices)


def _set(data, subject, predicate: str, *objects) -> list[ox.Triple]:
    """`data` with the values of (subject, predicate) replaced by `objects`."""
    p = _iri(predicate) if isinstance(predicate, str) else predicate
    kept = [t for t in data if not (t.subject == subject and t.predicate == p)]
    return kept + [ox.Triple(subject, p, o) for o in objects]


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=_iri(datatype))


def _method(rng, data):
    """A method: what a table entry is an entry of."""
    entry_of = _iri("llmrl:entryOf")
    return rng.choice(sorted({t.object for t in data if t.predicate == entry_of}, key=str))


def _paper(rng, data):
    return _pick(rng, data, "fabio:hasPublicationYear")


def _entry(rng, data):
    """A table row of the survey's kind (llmrl:MethodEntry; rows beyond the survey have shapes of their own)."""
    return _pick(rng, data, "rdf:type", _iri("llmrl:MethodEntry"))


def _paper_entry(rng, data):
    return _pick(rng, data, "llmrl:statedIn", _iri("doc:paper-v1"))


# Each mutation: (name, function(data, rng) -> faulty data, a component the fault must produce).
MUTATIONS = [
    ("remove-required", lambda d, r: _set(d, _method(r, d), LABEL), "MinCount"),
    ("second-value", lambda d, r: d + [ox.Triple(_method(r, d), LABEL, ox.Literal("Another name"))], "MaxCount"),
    ("max-count-zero", lambda d, r: d + [ox.Triple(_method(r, d), _iri("llmrl:hasEntry"),
                                                   _entry(r, d))], "MaxCount"),
    ("wrong-datatype", lambda d, r: _set(d, _paper(r, d), "fabio:hasPublicationYear",
                                         _typed("2024", "xsd:integer")), "Datatype"),
    ("language-tag", lambda d, r: _set(d, _method(r, d), LABEL, ox.Literal("Name", language="en")), "Datatype"),
    ("ill-typed-integer", lambda d, r: _set(d, _entry(r, d), "llmrl:rowNumber",
                                            _typed("first", "xsd:integer")), "Datatype"),
    ("literal-for-iri", lambda d, r: _set(d, _method(r, d), "llmrl:introducedIn", ox.Literal("paper")), "NodeKind"),
    ("bad-pattern", lambda d, r: _set(d, _paper(r, d), "llmrl:arxivId", ox.Literal("arXiv:2405.1")), "Pattern"),
    ("control-character", lambda d, r: _set(d, _method(r, d), LABEL, ox.Literal("Tab\there")), "Pattern"),
    ("empty-string", lambda d, r: _set(d, _method(r, d), LABEL, ox.Literal("")), "MinLength"),
    ("bad-year", lambda d, r: _set(d, _paper(r, d), "fabio:hasPublicationYear",
                                   _typed("2024-01", "xsd:gYear")), "Pattern"),
    ("outside-in", lambda d, r: _set(d, _entry(r, d), "llmrl:fineTuning", _iri("llmrl:Method")), "In"),
    ("wrong-class", lambda d, r: _set(d, _method(r, d), "llmrl:evaluatedOn", _paper(r, d)), "Class"),
    ("entry-of-paper", lambda d, r: _set(d, _paper_entry(r, d), "llmrl:entryOf", _paper(r, d)), "Class"),
    ("below-minimum", lambda d, r: _set(d, _entry(r, d), "llmrl:rowNumber", _typed("0", "xsd:integer")),
     "MinInclusive"),
    ("missing-has-value", lambda d, r: d + [ox.Triple(ox.NamedNode("https://w3id.org/llmrl-kg/vocab/fm-role/new"),
                                                      RDF_TYPE, _iri("llmrl:FMRole"))], "HasValue"),
    ("or-neither", lambda d, r: _set(d, _pick(r, d, "llmrl:describes"), "llmrl:describes", _paper(r, d)), "Or"),
    ("not-conforms", lambda d, r: _set(d, _paper_entry(r, d), "llmrl:fmRole"), "Not"),
    ("qualified-max", lambda d, r: d + [ox.Triple(_pick(r, d, "rdf:type", _iri("llmrl:LargeLanguageModel")),
                                                  RDF_TYPE, _iri("llmrl:VisionLanguageModel"))], "QualifiedMaxCount"),
    ("warning-or", lambda d, r: _set(_set(d, (p := _paper(r, d)), "llmrl:arxivId"), p, "bibo:doi"), "Or"),
    ("same-as-target", lambda d, r: d + [ox.Triple(_method(r, d), _iri("owl:sameAs"),
                                                   ox.NamedNode("https://example.org/x"))], "Class"),
    ("blank-node-focus", lambda d, r: d + [ox.Triple(ox.BlankNode("b1"), RDF_TYPE, _iri("llmrl:Paper")),
                                           ox.Triple(ox.BlankNode("b1"), LABEL, ox.Literal("x"))], "NodeKind"),
]


def test_the_shipped_kg_gets_the_same_results(kg) -> None:
    ontology, shapes, data = kg
    _both([ontology, data], shapes)


@pytest.mark.parametrize("name, mutate, component", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_a_faulty_copy_gets_the_same_results(kg, name, mutate, component) -> None:
    ontology, shapes, data = kg
    faulty = mutate(list(data), random.Random(sum(map(ord, name))))
    results = _both([ontology, faulty], shapes)
    assert SH + component + "ConstraintComponent" in {str(key[4]) for key in results}, name


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_combined_faults_get_the_same_results(kg, seed) -> None:
    ontology, shapes, data = kg
    rng = random.Random(seed)
    faulty = list(data)
    chosen = rng.sample(MUTATIONS, 5)
    for _name, mutate, _component in chosen:
        faulty = mutate(faulty, rng)
    results = _both([ontology, faulty], shapes)
    components = {str(key[4]) for key in results}
    # A later fault may overwrite an earlier one on the same node (e.g. two label faults), so
    # not every component must show; most must.
    expected = {SH + c + "ConstraintComponent" for _n, _m, c in chosen}
    assert len(expected & components) >= len(expected) - 2, (expected, components)


def test_non_canonical_literals_are_read_as_rdflib_reads_them(kg) -> None:
    """"01" and "1" are one xsd:integer to rdflib, so pyshacl counts one row number, not two."""
    ontology, shapes, data = kg
    entry = _entry(random.Random(5), data)
    faulty = _set(data, entry, "llmrl:rowNumber", _typed("01", "xsd:integer"), _typed("1", "xsd:integer"),
                  _typed(" 2", "xsd:integer"))
    results = _both([ontology, faulty], shapes)
    assert any(str(key[4]) == SH + "MaxCountConstraintComponent" and key[0].toPython() == entry.value
               for key in results)


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f.stem for f in FIXTURES])
def test_the_shape_fixtures_get_the_same_results(kg, fixture) -> None:
    _ontology, shapes, _data = kg
    triples = list(ox.parse(path=str(fixture), format=ox.RdfFormat.TURTLE))
    _both([triples], shapes)


XONE_SHAPES = b"""
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:xone ( ex:A ex:B ) ; sh:message "not exactly one" .
ex:A sh:path ex:a ; sh:minCount 1 ; sh:message "no a" .
ex:B sh:path ex:b ; sh:minCount 1 ; sh:message "no b" .
"""
XONE_DATA = b"""
@prefix ex: <https://example.org/> .
ex:x a ex:C ; ex:a 1 ; ex:b 2 .  ex:y a ex:C ; ex:a 1 .
"""


def test_unsupported_shapes_fall_back_to_pyshacl() -> None:
    shapes = list(ox.parse(XONE_SHAPES, format=ox.RdfFormat.TURTLE))
    data = list(ox.parse(XONE_DATA, format=ox.RdfFormat.TURTLE))
    with pytest.raises(UnsupportedShapes, match="xone"):
        compile_shapes(shapes)
    fast = shacl_results([data], shapes, engine="sparql")
    assert [(str(r.focus), str(r.component)) for r in fast] == [
        ("https://example.org/x", SH + "XoneConstraintComponent")]
    assert Counter(r.key() for r in fast) == Counter(r.key() for r in shacl_results([data], shapes,
                                                                                   engine="pyshacl"))


def test_the_engine_is_chosen_by_argument_or_environment(monkeypatch) -> None:
    with pytest.raises(UsageError, match="unknown SHACL engine 'fast'"):
        shacl_results([], [], engine="fast")
    monkeypatch.setenv("LLMRL_KG_SHACL", "nonsense")
    with pytest.raises(UsageError, match="nonsense"):
        shacl_results([], [])
