"""The fast OWL-RL consistency check (Oxigraph) equals owlrl's on the shipped KG and on seeded faulty graphs.

owlrl stays the reference: each case is closed by both, and owlrl's messages
are read back into the same (rule, individual, classes) facts as the fast check's.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from llmrl_kg.kg.loader import load_sources, reasoning_input
from llmrl_kg.rdf.namespaces import LLMRL, OWL, RDF, XSD
from llmrl_kg.rdf.terms import to_rdflib_graph
from llmrl_kg.reason.consistency import check
from llmrl_kg.reason.owl_rl import owl_rl_closure

BASE = "https://w3id.org/llmrl-kg/"
REPO = Path(__file__).resolve().parent.parent


def iri(text: str) -> ox.NamedNode:
    return ox.NamedNode(text)


# Each case: triples added to the shipped KG. The IRIs are the survey's own records.
CASES = {
    "none": [],
    "two disjoint roles": [ox.Triple(iri(BASE + "method/agile"), iri(RDF + "type"), iri(LLMRL + "IncrementalPlanner"))],
    "two disjoint sub-roles": [ox.Triple(iri(BASE + "method/eureka"), iri(RDF + "type"),
                                         iri(LLMRL + "RewardModelMethod"))],
    "a wrong link": [ox.Triple(iri(BASE + "entry/agile-readme"), iri(LLMRL + "usesModel"), iri(BASE + "paper/agile"))],
    "a model that is a method": [ox.Triple(iri(BASE + "model/gpt-4"), iri(RDF + "type"), iri(LLMRL + "ParametricAgent"))],
    "owl:Nothing": [ox.Triple(iri(BASE + "method/agile"), iri(RDF + "type"), iri(OWL + "Nothing"))],
    "an ill-typed integer": [ox.Triple(iri(BASE + "entry/agile-readme"), iri(LLMRL + "rowNumber"),
                                       ox.Literal("abc", datatype=iri(XSD + "integer")))],
    "two faults at once": [
        ox.Triple(iri(BASE + "method/saycan"), iri(RDF + "type"), iri(LLMRL + "ParametricAgent")),
        ox.Triple(iri(BASE + "entry/eureka-paper"), iri(LLMRL + "rowNumber"), ox.Literal("x1", datatype=iri(XSD + "integer"))),
    ],
}


@pytest.fixture(scope="module")
def shipped():
    sources = load_sources()
    ontology = sources[0].triples
    data = [t for s in reasoning_input(sources[1:]) for t in s.triples]
    return ontology, data


def owlrl_facts(ontology, data) -> set[tuple]:
    _inferred, errors = owl_rl_closure(to_rdflib_graph([*ontology, *data]))
    facts = set()
    for message in errors:
        if match := re.fullmatch(r"Disjoint classes (\S+) and (\S+) have a common individual (\S+)", message):
            facts.add(("cax-dw", match[3], *sorted((match[1], match[2]))))
        elif match := re.fullmatch(r"(\S+) is defined of type 'Nothing'", message):
            facts.add(("cls-nothing2", match[1]))
        elif match := re.fullmatch(r"Lexical value of the literal '(.*)' does not match its datatype \((\S+)\)",
                                   message, re.S):
            facts.add(("dt-not-type", match[1], match[2]))
        else:
            facts.add(("unread", message))
    # An owl:Nothing individual is in every class; owlrl lists each disjoint pair, the fast check only the cause.
    nothing = {fact[1] for fact in facts if fact[0] == "cls-nothing2"}
    return {fact for fact in facts if not (fact[0] == "cax-dw" and fact[1] in nothing)}


def fast_facts(ontology, data) -> set[tuple]:
    facts = set()
    for found in check(ontology, data):
        if found.rule == "cax-dw":
            classes = re.fullmatch(r"it is both a (\S+) and a (\S+), and the two classes are disjoint", found.message)
            assert classes
            facts.add(("cax-dw", found.focus, *sorted(classes.groups())))
        elif found.rule == "dt-not-type":
            assert found.literal is not None
            facts.add(("dt-not-type", found.literal.value, found.literal.datatype.value))
        else:
            facts.add((found.rule, found.focus))
    return facts


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(CASES))
def test_the_fast_check_finds_exactly_what_owlrl_finds(shipped, case):
    ontology, data = shipped
    faulty = [*data, *CASES[case]]
    expected = owlrl_facts(ontology, faulty)
    assert ("unread",) not in {f[:1] for f in expected}, expected
    assert fast_facts(ontology, faulty) == expected
    assert bool(expected) == bool(CASES[case])


def test_an_ill_typed_literal_is_reported_at_its_data_file_and_line(tmp_path):
    """Issue 13 #18: not against ontology/llmrl.ttl with no line."""
    added = tmp_path / "bad-year.ttl"
    added.write_text('@prefix fabio: <http://purl.org/spar/fabio/> .\n'
                     '@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n'
                     '<https://w3id.org/llmrl-kg/paper/agile>\n'
                     '    fabio:hasPublicationYear "20x4"^^xsd:gYear .\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "llmrl_kg", "validate", str(added)], capture_output=True,
                            text=True, timeout=300)
    lines = [line for line in result.stdout.splitlines() if "ill-typed-literal" in line]
    assert result.returncode == 1
    assert lines == [f"{added}:5: error ill-typed-literal — <https://w3id.org/llmrl-kg/paper/agile>: the literal "
                     "'20x4' is not a valid xsd:gYear (write the value in the datatype's lexical form, e.g. "
                     "\"2024\"^^xsd:gYear, \"12\"^^xsd:integer, true)"]


def _chain(tmp_path: Path, links: int) -> Path:
    folder = tmp_path / f"chain-{links}"
    folder.mkdir()
    text = ["@prefix owl: <http://www.w3.org/2002/07/owl#> ."]
    text += [f"<https://example.org/x{i}> owl:sameAs <https://example.org/x{i + 1}> ." for i in range(links)]
    (folder / "chain.ttl").write_text("\n".join(text) + "\n", encoding="utf-8")
    return folder


def test_owl_same_as_chains_are_refused_before_reasoning_in_linear_time(tmp_path):
    """Issue 13 #11: chains of 50/100/150 links took 9.5/44.6/188.9 s in owlrl's equality rules."""
    timings, findings = [], []
    for links in (50, 400):
        folder = _chain(tmp_path, links)
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-m", "llmrl_kg", "validate", str(folder)], capture_output=True,
                                text=True, timeout=300)
        timings.append(time.monotonic() - started)
        findings.append([line for line in result.stdout.splitlines() if "same-as-outside-links" in line])
        assert result.returncode == 1
    assert [len(f) for f in findings] == [50, 400]
    assert findings[0][0].startswith(f"{tmp_path / 'chain-50' / 'chain.ttl'}:2: error same-as-outside-links — "
                                     "<https://example.org/x0> owl:sameAs <https://example.org/x1>")


