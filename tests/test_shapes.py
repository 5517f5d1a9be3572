"""The SHACL shapes (ontology/shapes.ttl), tested in the style of the W3C data-shapes test suite.

Every tests/shapes/<case>.ttl is a small, self-contained data graph (it carries the
rdfs:subClassOf triples it needs, so the tests do not depend on ontology/llmrl.ttl). Its
header comments state the exact validation results the shapes must produce, one per line:

    # expect: <focus node> <result path or -> <source constraint component> <source shape>
    # expect: nothing

Terms are prefixed names declared by the fixture's own @prefix lines, or <full IRIs>.
The test compares the multiset of (focus, path, component, shape) tuples exactly.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

HERE = Path(__file__).parent
SHAPES_FILE = HERE.parent / "ontology" / "shapes.ttl"
CASES = sorted((HERE / "shapes").glob("*.ttl"))

SH = Namespace("http://www.w3.org/ns/shacl#")
OWL_IMPORTS = URIRef("http://www.w3.org/2002/07/owl#imports")
SHAPES_NS = "https://w3id.org/llmrl-kg/shapes#"
TEXT_PATTERN = "^[^\\u0000-\\u001F\\u007F\\u202A-\\u202E\\u2066-\\u2069]+$"

# The SHACL Core vocabulary a shape may use as a predicate (no SHACL-SPARQL, no SHACL-AF).
CORE_PREDICATES = {SH[name] for name in (
    "targetClass targetNode targetSubjectsOf targetObjectsOf path property node not and or xone "
    "class datatype nodeKind minCount maxCount minInclusive maxInclusive minExclusive maxExclusive "
    "minLength maxLength pattern flags languageIn uniqueLang equals disjoint lessThan "
    "lessThanOrEquals qualifiedValueShape qualifiedMinCount qualifiedMaxCount "
    "qualifiedValueShapesDisjoint closed ignoredProperties hasValue in name description message "
    "severity deactivated order group defaultValue"
).split()}

_PREFIX = re.compile(r"^@prefix\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*\.\s*$", re.M)
_EXPECT = re.compile(r"^#\s*expect:\s*(.*?)\s*$", re.M)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_FILE, format="turtle")


def _expectations(text: str) -> Counter:
    """The expected result tuples written in a fixture's `# expect:` comments."""
    prefixes = {name or "": iri for name, iri in _PREFIX.findall(text)}

    def term(token: str):
        if token == "-":
            return None
        if token.startswith("<") and token.endswith(">"):
            return URIRef(token[1:-1])
        prefix, _, local = token.partition(":")
        assert prefix in prefixes, f"undeclared prefix in expectation: {token}"
        return URIRef(prefixes[prefix] + local)

    lines = _EXPECT.findall(text)
    assert lines, "the fixture states no expectation (write '# expect: nothing' for a valid case)"
    if lines == ["nothing"]:
        return Counter()
    expected = Counter()
    for line in lines:
        tokens = line.split()
        assert len(tokens) == 4, f"an expectation needs focus, path, component and shape: {line!r}"
        expected[tuple(term(t) for t in tokens)] += 1
    return expected


def _results(report: Graph) -> list:
    """The top-level results of a pyshacl validation report."""
    (report_node,) = report.subjects(RDF.type, SH.ValidationReport)
    return list(report.objects(report_node, SH.result))


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_fixture_gives_exactly_the_expected_results(case: Path, shapes: Graph):
    text = case.read_text(encoding="utf-8")
    # The fixture is strict Turtle, like the curated data.
    list(pyoxigraph.parse(path=str(case), format=pyoxigraph.RdfFormat.TURTLE))
    data = Graph().parse(case, format="turtle")

    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, inference="none", advanced=False, do_owl_imports=False,
    )

    results = _results(report)
    actual = Counter(
        (report.value(r, SH.focusNode), report.value(r, SH.resultPath),
         report.value(r, SH.sourceConstraintComponent), report.value(r, SH.sourceShape))
        for r in results
    )
    expected = _expectations(text)
    assert actual == expected, (
        f"unexpected: {sorted(map(str, actual - expected))}\nmissing: {sorted(map(str, expected - actual))}"
    )

    # Each result carries its shape's own severity and message (what the validator prints).
    for r in results:
        shape = report.value(r, SH.sourceShape)
        assert report.value(r, SH.resultSeverity) == (shapes.value(shape, SH.severity) or SH.Violation)
        assert str(report.value(r, SH.resultMessage)) == str(shapes.value(shape, SH.message))


def test_shapes_parse_strictly():
    triples = list(pyoxigraph.parse(path=str(SHAPES_FILE), format=pyoxigraph.RdfFormat.TURTLE))
    assert triples


def test_shapes_pass_shacl_shacl(shapes: Graph):
    shacl_shacl = Graph().parse(Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl", format="turtle")
    conforms, _report, text = pyshacl.validate(shapes, shacl_graph=shacl_shacl, inference="none")
    assert conforms, text
    # pyshacl's own meta-validation of a shapes graph (raises on an invalid one).
    conforms, _report, text = pyshacl.validate(shapes, shacl_graph=shapes, meta_shacl=True, inference="none")
    assert conforms, text


def _all_shapes(shapes: Graph) -> set:
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    for predicate in (SH.property, SH.node, SH["not"], SH.qualifiedValueShape):
        found |= set(shapes.objects(None, predicate))
    for predicate in (SH["or"], SH["and"], SH.xone):
        for head in shapes.objects(None, predicate):
            found |= set(Collection(shapes, head))
    return found


def test_every_shape_is_named_and_documented(shapes: Graph):
    names = Counter()
    for shape in _all_shapes(shapes):
        assert isinstance(shape, URIRef) and str(shape).startswith(SHAPES_NS), f"anonymous or foreign shape: {shape}"
        kinds = set(shapes.objects(shape, RDF.type)) & {SH.NodeShape, SH.PropertyShape}
        assert len(kinds) == 1, f"{shape} must be typed sh:NodeShape or sh:PropertyShape"
        is_property_shape = (shape, SH.path, None) in shapes
        assert (SH.PropertyShape in kinds) == is_property_shape, f"{shape}: type and sh:path disagree"
        for predicate in (SH.name, SH.message, SH.description):
            values = list(shapes.objects(shape, predicate))
            assert len(values) == 1, f"{shape} needs exactly one {predicate}"
            assert isinstance(values[0], Literal) and values[0].language is None and str(values[0]).strip()
        name = str(shapes.value(shape, SH.name))
        assert re.fullmatch(r"[a-z][a-z0-9-]*", name), f"{shape}: rule id {name!r} is not kebab-case"
        if is_property_shape:
            assert str(shape) == SHAPES_NS + name, f"property shape {shape} is not named after its rule {name}"
        names[name] += 1
    assert not [n for n, count in names.items() if count > 1], "rule ids must be unique"


def test_shapes_use_shacl_core_only(shapes: Graph):
    for s, p, _o in shapes:
        assert p != OWL_IMPORTS, "the shapes must not import anything"
        if str(p).startswith(str(SH)):
            assert p in CORE_PREDICATES, f"{p} is not SHACL Core"
        if isinstance(s, BNode):
            assert p in (RDF.first, RDF.rest), f"blank node {s} is not an RDF list cell ({p})"
    for o in shapes.objects():
        if isinstance(o, BNode):
            assert (None, RDF.rest, o) in shapes or (None, SH["in"], o) in shapes or (None, SH["or"], o) in shapes


def test_only_the_paper_identifier_rule_is_advisory(shapes: Graph):
    severities = {(s, o) for s, o in shapes.subject_objects(SH.severity)}
    assert severities == {(URIRef(SHAPES_NS + "PaperIdentifier"), SH.Warning)}


def test_patterns_compile_and_text_pattern_rejects_control_and_bidi_characters(shapes: Graph):
    for pattern in shapes.objects(None, SH.pattern):
        re.compile(str(pattern))
    assert Literal(TEXT_PATTERN) in set(shapes.objects(None, SH.pattern))
    text = re.compile(TEXT_PATTERN)
    assert text.search("Inner Monologue") and text.search("π_l, v_l, rft") and text.search("✓*")
    for bad in ("", "a\tb", "a\nb", "a\x00b", "a\x7fb", "a\u202eb", "a\u2066b"):
        assert not text.search(bad), repr(bad)
