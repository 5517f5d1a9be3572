"""`llmrl-kg new`: a valid method file is written in canonical form; an invalid one is refused, nothing left."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from llmrl_kg import locations
from llmrl_kg.export import export
from llmrl_kg.rdf.turtle import canonical_turtle
from readme_tables import parse_detailed_tables

DEMO = ["new", "demo-agent", "--name", "DemoAgent", "--role", "parametric-agent",
        "--model", "GPT-4", "--model", "llama-2", "--fine-tuned", "peft",
        "--rl-role", "pi_l", "--rl-role", "v_l", "--rl-role", "rft", "--metric", "sr", "--metric", "gen",
        "--code", "https://github.com/example/demo-agent", "--arxiv", "2501.01234",
        "--title", "Demo: An Agent", "--authors", "Ann Smith; Bob Jones; et al.", "--venue", "ICLR 2025",
        "--benchmark", "ALFWorld"]

EXPECTED = """
@prefix llmrl: <https://w3id.org/llmrl-kg/ontology#> .
@prefix rlrole: <https://w3id.org/llmrl-kg/vocab/rl-role/> .
@prefix ft: <https://w3id.org/llmrl-kg/vocab/fine-tuning/> .
@prefix metric: <https://w3id.org/llmrl-kg/vocab/metric/> .
@prefix method: <https://w3id.org/llmrl-kg/method/> .
@prefix paper: <https://w3id.org/llmrl-kg/paper/> .
@prefix model: <https://w3id.org/llmrl-kg/model/> .
@prefix benchmark: <https://w3id.org/llmrl-kg/benchmark/> .
@prefix entry: <https://w3id.org/llmrl-kg/entry/> .
@prefix table: <https://w3id.org/llmrl-kg/table/> .
@prefix doc: <https://w3id.org/llmrl-kg/document/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix fabio: <http://purl.org/spar/fabio/> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix person: <https://w3id.org/llmrl-kg/person/> .

method:demo-agent a llmrl:ParametricAgent ; rdfs:label "DemoAgent" ;
    llmrl:introducedIn paper:demo-agent ; llmrl:evaluatedOn benchmark:alfworld .
paper:demo-agent a llmrl:Paper ; dcterms:title "Demo: An Agent" ; fabio:hasPublicationYear "2025"^^xsd:gYear ;
    llmrl:arxivId "2501.01234" ; llmrl:authorList "Ann Smith; Bob Jones; et al." ; llmrl:venue "ICLR 2025" ;
    dcterms:source <https://arxiv.org/abs/2501.01234> .
%(authors)s
entry:demo-agent-readme a llmrl:MethodEntry ; llmrl:entryOf method:demo-agent ;
    llmrl:inTable table:readme-parametric-agents ; llmrl:rowNumber %(row)d ; llmrl:statedIn doc:readme ;
    llmrl:citation "Smith et al., 2025" ;
    llmrl:usesModel model:gpt-4 , model:llama-2 ; llmrl:modelsAsPrinted "GPT-4, Llama 2" ;
    llmrl:fineTuning ft:peft ;
    llmrl:rlRole rlrole:pi_l , rlrole:v_l , rlrole:rft ; llmrl:rlRolesAsPrinted "π_l, v_l, rft" ;
    llmrl:improvesMetric metric:sr , metric:gen ; llmrl:metricsAsPrinted "sr, gen" ;
    llmrl:codeRepository <https://github.com/example/demo-agent> .
<https://github.com/example/demo-agent> a llmrl:CodeRepository .
"""


def _next_row(store) -> int:
    (row,) = store.query("""
        SELECT (MAX(?n) AS ?max) WHERE {
          ?e <https://w3id.org/llmrl-kg/ontology#inTable> <https://w3id.org/llmrl-kg/table/readme-parametric-agents> ;
             <https://w3id.org/llmrl-kg/ontology#rowNumber> ?n }""", use_default_graph_as_union=True)
    return int(row["max"].value) + 1


def _authors(store) -> str:
    """The creators `new` must write: a person the KG already names is reused, others get a record."""
    lines = []
    for name, slug in (("Ann Smith", "ann-smith"), ("Bob Jones", "bob-jones")):
        known = list(store.query(f'SELECT ?p WHERE {{ ?p <http://xmlns.com/foaf/0.1/name> "{name}" }}',
                                 use_default_graph_as_union=True))
        person = f"<{known[0]['p'].value}>" if known else f"person:{slug}"
        lines.append(f"paper:demo-agent dcterms:creator {person} .")
        if not known:
            lines.append(f'{person} a foaf:Person ; foaf:name "{name}" .')
    return "\n".join(lines)


def _triples(text: str) -> set:
    return set(ox.parse(text.encode("utf-8"), format=ox.RdfFormat.TURTLE))


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory, cli_invoke):
    target = tmp_path_factory.mktemp("new") / "demo-agent.ttl"
    result = cli_invoke(*[*DEMO, "--output", str(target)])
    assert result.exit_code == 0, result.output
    return target


def test_new_writes_exactly_the_expected_triples(demo_file, asserted_store):
    expected = _triples(EXPECTED % {"row": _next_row(asserted_store), "authors": _authors(asserted_store)})
    assert _triples(demo_file.read_text(encoding="utf-8")) == expected


def test_an_author_the_kg_already_names_is_reused_not_described_again(tmp_path, cli_invoke, asserted_store):
    (known,) = asserted_store.query(
        'SELECT ?person WHERE { ?person <http://xmlns.com/foaf/0.1/name> "Noah Shinn" }',
        use_default_graph_as_union=True)
    target = tmp_path / "demo-agent.ttl"
    args = [a if a != "Ann Smith; Bob Jones; et al." else "Noah Shinn; Ann Smith" for a in DEMO]
    result = cli_invoke(*[*args, "--output", str(target)])
    assert result.exit_code == 0, result.output
    written = _triples(target.read_text(encoding="utf-8"))
    creators = {t.object for t in written if t.predicate.value == "http://purl.org/dc/terms/creator"}
    assert creators == {known["person"], ox.NamedNode("https://w3id.org/llmrl-kg/person/ann-smith")}
    assert not [t for t in written if t.subject == known["person"]]  # its record stays in its own file


def test_new_file_is_canonical_and_valid(demo_file):
    from llmrl_kg.kg.validate import validate

    text = demo_file.read_text(encoding="utf-8")
    assert text == canonical_turtle(ox.parse(text.encode(), format=ox.RdfFormat.TURTLE))
    report = validate([demo_file])
    assert report.findings == []


def test_new_row_shows_up_at_the_end_of_its_readme_table(demo_file):
    markdown = export("markdown", paths=[locations.data_dir(), demo_file]).decode("utf-8")
    rows = parse_detailed_tables(markdown)["Table of Parametric LLM/VLM Agents"]
    assert rows[-1] == {"Method": r"DemoAgent \[Smith et al., 2025]", "Model(s)": "GPT-4, Llama 2",
                        "FT": r"✓\*", "RL Role": r"$\pi_l, v_l, \text{rft}$", "Metrics": "sr, gen",
                        "Code": "[Link](https://github.com/example/demo-agent)"}


def test_invalid_method_is_refused_with_findings_and_no_file(tmp_path, cli_invoke):
    target = tmp_path / "no-roles.ttl"
    args = [a for a in DEMO if a not in ("--rl-role", "pi_l", "v_l", "rft")]
    result = cli_invoke(*[*args, "--output", str(target), "--no-reasoning"])
    assert result.exit_code == 1
    assert "error method-entry-rl-role" in result.output
    assert "nothing was written" in result.output
    assert list(tmp_path.iterdir()) == []


def test_clash_with_an_existing_record_is_refused(tmp_path, cli_invoke):
    # paper:alfworld is the benchmark's paper: a method "alfworld" would define it a second time.
    target = tmp_path / "alfworld.ttl"
    args = ["new", "alfworld", "--name", "ALFWorld", "--role", "reward-model", "--model", "GPT-4",
            "--rl-role", "pi", "--metric", "sr", "--title", "T", "--arxiv", "2501.00002", "--authors", "A B"]
    result = cli_invoke(*[*args, "--output", str(target), "--no-reasoning"])
    assert result.exit_code == 1
    assert "error duplicate-record" in result.output and "data/benchmarks/alfworld.ttl" in result.output
    assert str(tmp_path) not in result.output.replace(str(target), "")  # no temporary file names
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("change,message", [
    (["--model", "GPT-5"], "no model called 'GPT-5' in the KG; did you mean"),
    (["--rl-role", "pii"], "did you mean pi (π)"),
    (["--benchmark", "AlfWrld"], "did you mean ALFWorld"),
    (["--code", "ftp://example.org/x"], "must be an http(s) URL"),
    (["--source", "ftp://example.org/card"], "--source 'ftp://example.org/card' must be an http(s) URL"),
    (["--source", "https://"], "--source 'https://' must be an http(s) URL"),
    (["--source", "https://github.com/..."], "--source 'https://github.com/...' is a placeholder"),
    (["--arxiv", "arXiv:2501.01234v2"], "--arxiv 'arXiv:2501.01234v2' must be a new-style arXiv identifier"),
])
def test_unknown_names_are_usage_errors(tmp_path, change, message, cli_invoke):
    result = cli_invoke(*[*DEMO, *change, "--output", str(tmp_path / "x.ttl"), "--no-reasoning"])
    assert result.exit_code == 2
    assert message in result.output
    assert list(tmp_path.iterdir()) == []


def _without_arxiv() -> list[str]:
    at = DEMO.index("--arxiv")
    return [*DEMO[:at], *DEMO[at + 2:], "--year", "2025"]


def test_sources_given_with_source_are_the_papers_sources(tmp_path, cli_invoke):
    target = tmp_path / "demo-agent.ttl"
    venue, repository = "https://openreview.net/forum?id=demo", "https://github.com/example/demo-agent"
    result = cli_invoke(*[*_without_arxiv(), "--source", venue, "--source", repository, "--source", venue,
                          "--output", str(target), "--no-reasoning"])
    assert result.exit_code == 0, result.output
    sources = {t.object for t in _triples(target.read_text(encoding="utf-8"))
               if t.subject == ox.NamedNode("https://w3id.org/llmrl-kg/paper/demo-agent")
               and t.predicate == ox.NamedNode("http://purl.org/dc/terms/source")}
    assert sources == {ox.NamedNode(venue), ox.NamedNode(repository)}


def test_paper_without_arxiv_or_source_is_refused_as_missing_source(tmp_path, cli_invoke):
    target = tmp_path / "demo-agent.ttl"
    result = cli_invoke(*[*_without_arxiv(), "--output", str(target), "--no-reasoning"])
    assert result.exit_code == 1
    assert "error record-source" in result.output and "missing --source: the paper needs a source" in result.output
    assert "nothing was written" in result.output
    assert list(tmp_path.iterdir()) == []


def test_existing_method_and_bad_id_are_usage_errors(tmp_path, cli_invoke):
    existing = cli_invoke(*["new", "agile", "--name", "AGILE", "--role", "parametric-agent", "--output",
                     str(tmp_path / "agile.ttl")])
    assert existing.exit_code == 2 and "method:agile is already in the KG" in existing.output
    bad = cli_invoke(*["new", "Bad_ID", "--name", "x", "--role", "reward-model", "--output", str(tmp_path / "x.ttl")])
    assert bad.exit_code == 2 and "must match" in bad.output
    occupied = tmp_path / "taken.ttl"
    occupied.write_text("keep")
    taken = cli_invoke(*[*DEMO, "--output", str(occupied)])
    assert taken.exit_code == 2 and "already exists" in taken.output
    assert occupied.read_text() == "keep"


def test_contributing_explains_every_rule():
    """CONTRIBUTING.md names every rule that `validate` can report (code checks and shapes)."""
    import re

    root = Path(__file__).resolve().parent.parent  # the repository checkout
    guide = (root / "CONTRIBUTING.md").read_text(encoding="utf-8")
    code_rules = set()
    for module in sorted((root / "src" / "llmrl_kg" / "kg").glob("*.py")):
        text = module.read_text(encoding="utf-8")
        code_rules |= set(re.findall(r'(?:ERROR|WARNING),\s*"([a-z]+(?:-[a-z]+)+)"', text))
        if 'f"undeclared-{kind}"' in text:
            code_rules |= {"undeclared-property", "undeclared-class"}
    shapes = ox.Store()
    shapes.load(path=str(locations.shapes_file()), format=ox.RdfFormat.TURTLE)
    shape_rules = {row["name"].value for row in shapes.query("""
        PREFIX sh: <http://www.w3.org/ns/shacl#>
        SELECT ?name WHERE { ?s sh:name ?name OPTIONAL { ?s sh:description ?d }
                             FILTER(!BOUND(?d) || !STRSTARTS(STR(?d), "Helper")) }""")}
    assert len(code_rules) >= 12 and len(shape_rules) >= 100
    assert sorted(r for r in code_rules | shape_rules if f"`{r}`" not in guide) == []
