"""`llmrl-kg new`: write a new method file (method, README-style entry, paper) in canonical form.

The file is built from the options, checked against the shipped KG with the
same validation as `llmrl-kg validate` (written to a temporary file first),
and only then written atomically to its place. An invalid file is never left
behind. Names given by the user (models, codes, benchmarks) are resolved
against the KG; an unknown name is refused with the closest known names.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import resources
from .canonical import canonical_turtle
from .findings import Finding
from .namespaces import (BENCHMARK, DCTERMS, DOC, ENTRY, FABIO, FT, LLMRL, METHOD, METRIC, MODEL, PAPER, RDF,
                         RDFS, RLROLE, SKOS, XSD)

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
# --role value -> the taxonomy leaf class whose README table gets the new row.
ROLES = {
    "parametric-agent": LLMRL + "ParametricAgent",
    "non-parametric-agent": LLMRL + "NonParametricAgent",
    "comprehensive-planner": LLMRL + "ComprehensivePlanner",
    "incremental-planner": LLMRL + "IncrementalPlanner",
    "reward-function": LLMRL + "RewardFunctionMethod",
    "reward-model": LLMRL + "RewardModelMethod",
}
_MODEL_CLASSES = {LLMRL + c for c in ("FoundationModel", "LargeLanguageModel", "VisionLanguageModel",
                                      "CodeLanguageModel")}
_TYPE = RDF + "type"


class NewMethodError(ValueError):
    """A usage problem with the options (unknown name, bad identifier, existing file)."""


@dataclass
class MethodSpec:
    """What the user asked for."""

    method_id: str
    name: str
    role: str
    models: list[str]
    fine_tuned: str = "none"
    rl_roles: list[str] = field(default_factory=list)
    metrics: list[str] = field(default_factory=list)
    code: str | None = None
    arxiv: str | None = None
    title: str | None = None
    year: str | None = None
    authors: str | None = None
    venue: str | None = None
    citation: str | None = None
    benchmarks: list[str] = field(default_factory=list)


class _Vocabulary:
    """Names in the shipped KG that the options may refer to."""

    def __init__(self) -> None:
        from .dataset import open_store

        store = open_store(inferred=False)
        self.facts: dict[str, dict[str, list[str]]] = {}
        for quad in store.quads_for_pattern(None, None, None, None):
            if isinstance(quad.subject, ox.NamedNode):
                props = self.facts.setdefault(quad.subject.value, {})
                props.setdefault(quad.predicate.value, []).append(quad.object.value)

    def of_type(self, classes: set[str]) -> list[str]:
        return sorted(s for s, p in self.facts.items() if classes & set(p.get(_TYPE, [])))

    def names(self, iri: str, namespace: str) -> list[str]:
        props = self.facts.get(iri, {})
        return [iri[len(namespace):], *props.get(RDFS + "label", []), *props.get(SKOS + "prefLabel", []),
                *props.get(SKOS + "altLabel", []), *props.get(SKOS + "notation", []),
                *props.get(LLMRL + "latexNotation", [])]

    def first(self, iri: str, predicate: str) -> str:
        values = self.facts.get(iri, {}).get(predicate, [])
        return sorted(values)[0] if values else iri.rsplit("/", 1)[-1]

    def resolve(self, given: str, candidates: list[str], namespace: str, what: str, option: str) -> str:
        wanted = given.strip().casefold()
        for iri in candidates:
            if wanted in (n.casefold() for n in self.names(iri, namespace)):
                return iri
        shown = {}
        for iri in candidates:
            local = iri[len(namespace):]
            notation = self.facts.get(iri, {}).get(SKOS + "notation")
            label = self.first(iri, RDFS + "label") if RDFS + "label" in self.facts.get(iri, {}) else None
            shown[label or local] = label or (f"{local} ({notation[0]})" if notation else local)
        close = difflib.get_close_matches(given, list(shown), n=3, cutoff=0.5)
        hint = (f"did you mean {', '.join(shown[c] for c in close)}?" if close
                else f"known: {', '.join(shown[k] for k in sorted(shown))}")
        raise NewMethodError(f"{option}: no {what} called {given!r} in the KG; {hint}")


def _concepts(vocabulary: _Vocabulary, namespace: str) -> list[str]:
    return sorted(s for s in vocabulary.facts if s.startswith(namespace))


def default_citation(authors: str | None, year: str | None) -> str | None:
    """The README's citation form: `Feng et al., 2024`, `Zhang and Lu, 2024`."""
    if not authors or not year:
        return None
    names = [n.strip() for n in authors.split(";") if n.strip()]
    incomplete = bool(names) and names[-1].rstrip(".") == "et al"
    names = [n for n in names if n.rstrip(".") != "et al"]
    if not names:
        return None
    surnames = [n.split()[-1] for n in names]
    if len(surnames) == 2 and not incomplete:
        return f"{surnames[0]} and {surnames[1]}, {year}"
    if len(surnames) == 1 and not incomplete:
        return f"{surnames[0]}, {year}"
    return f"{surnames[0]} et al., {year}"


def _readme_table(vocabulary: _Vocabulary, leaf: str) -> str:
    for table, props in sorted(vocabulary.facts.items()):
        if leaf in props.get(LLMRL + "coversClass", []) and DOC + "readme" in props.get(LLMRL + "statedIn", []):
            return table
    raise NewMethodError(f"--role: the KG has no README table for {leaf}")


def _next_row(vocabulary: _Vocabulary, table: str) -> int:
    rows = [int(r) for s, p in vocabulary.facts.items() if table in p.get(LLMRL + "inTable", [])
            for r in p.get(LLMRL + "rowNumber", []) if r.isdigit()]
    return max(rows, default=0) + 1


def build_triples(spec: MethodSpec, vocabulary: _Vocabulary | None = None) -> list[ox.Triple]:
    """The triples of the new method file; raises NewMethodError for unusable options."""
    if not ID_PATTERN.match(spec.method_id):
        raise NewMethodError(f"METHOD-ID {spec.method_id!r} must match {ID_PATTERN.pattern} "
                             "(lower-case ASCII letters, digits and hyphens)")
    if spec.role not in ROLES:
        raise NewMethodError(f"--role must be one of {', '.join(ROLES)}")
    vocabulary = vocabulary or _Vocabulary()
    if METHOD + spec.method_id in vocabulary.facts:
        raise NewMethodError(f"method:{spec.method_id} is already in the KG; to correct it, edit its file "
                             f"(data/methods/{spec.method_id}.ttl), or choose another METHOD-ID")
    leaf = ROLES[spec.role]
    method, paper = ox.NamedNode(METHOD + spec.method_id), ox.NamedNode(PAPER + spec.method_id)
    entry = ox.NamedNode(ENTRY + spec.method_id + "-readme")
    table = _readme_table(vocabulary, leaf)

    models = [vocabulary.resolve(m, vocabulary.of_type(_MODEL_CLASSES), MODEL, "model", "--model")
              for m in spec.models]
    fine_tuning = vocabulary.resolve(spec.fine_tuned, _concepts(vocabulary, FT), FT, "fine-tuning code",
                                     "--fine-tuned")
    roles = [vocabulary.resolve(r, _concepts(vocabulary, RLROLE), RLROLE, "RL role", "--rl-role")
             for r in spec.rl_roles]
    metrics = [vocabulary.resolve(m, _concepts(vocabulary, METRIC), METRIC, "metric", "--metric")
               for m in spec.metrics]
    benchmarks = [vocabulary.resolve(b, vocabulary.of_type({LLMRL + "Benchmark"}), BENCHMARK, "benchmark",
                                     "--benchmark") for b in spec.benchmarks]
    year = spec.year or (f"20{spec.arxiv[:2]}" if spec.arxiv and spec.arxiv[:2].isdigit() else None)
    citation = spec.citation or default_citation(spec.authors, year)

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    def text(value: str) -> ox.Literal:
        return ox.Literal(value)

    def typed(value: str, datatype: str) -> ox.Literal:
        return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))

    def t(s, p: str, o) -> ox.Triple:
        return ox.Triple(s, ox.NamedNode(p), o)

    triples = [
        t(method, _TYPE, iri(leaf)), t(method, RDFS + "label", text(spec.name)),
        t(method, LLMRL + "introducedIn", paper),
        t(paper, _TYPE, iri(LLMRL + "Paper")),
        t(entry, _TYPE, iri(LLMRL + "MethodEntry")), t(entry, LLMRL + "entryOf", method),
        t(entry, LLMRL + "inTable", iri(table)),
        t(entry, LLMRL + "rowNumber", typed(str(_next_row(vocabulary, table)), "integer")),
        t(entry, LLMRL + "statedIn", iri(DOC + "readme")),
        t(entry, LLMRL + "fineTuning", iri(fine_tuning)),
    ]
    triples += [t(method, LLMRL + "evaluatedOn", iri(b)) for b in benchmarks]
    if spec.title:
        triples.append(t(paper, DCTERMS + "title", text(spec.title)))
    if year:
        triples.append(t(paper, FABIO + "hasPublicationYear", typed(year, "gYear")))
    if spec.arxiv:
        triples.append(t(paper, LLMRL + "arxivId", text(spec.arxiv)))
    if spec.authors:
        triples.append(t(paper, LLMRL + "authorList", text(spec.authors)))
    if spec.venue:
        triples.append(t(paper, LLMRL + "venue", text(spec.venue)))
    if citation:
        triples.append(t(entry, LLMRL + "citation", text(citation)))
    triples += [t(entry, LLMRL + "usesModel", iri(m)) for m in models]
    triples += [t(entry, LLMRL + "rlRole", iri(r)) for r in roles]
    triples += [t(entry, LLMRL + "improvesMetric", iri(m)) for m in metrics]
    if models:
        triples.append(t(entry, LLMRL + "modelsAsPrinted",
                         text(", ".join(vocabulary.first(m, RDFS + "label") for m in models))))
    if roles:
        triples.append(t(entry, LLMRL + "rlRolesAsPrinted",
                         text(", ".join(vocabulary.first(r, SKOS + "notation") for r in roles))))
    if metrics:
        triples.append(t(entry, LLMRL + "metricsAsPrinted",
                         text(", ".join(vocabulary.first(m, SKOS + "notation") for m in metrics))))
    if spec.code:
        if not re.match(r"^https?://", spec.code):
            raise NewMethodError(f"--code {spec.code!r} must be an http(s) URL")
        try:
            repository = ox.NamedNode(spec.code)
        except ValueError as error:
            raise NewMethodError(f"--code {spec.code!r} is not a valid IRI: {error}") from error
        triples += [t(entry, LLMRL + "codeRepository", repository),
                    t(repository, _TYPE, iri(LLMRL + "CodeRepository"))]
    return triples


@dataclass
class NewMethodResult:
    """The outcome: the Turtle text, the validation findings, and whether the file was written."""

    text: str
    findings: list[Finding]
    written: bool


def create_method_file(spec: MethodSpec, output: Path | None = None, *, reason: bool = True) -> NewMethodResult:
    """Build, validate (in the context of the shipped KG) and, if valid, write the new method file."""
    from .atomic import write_atomically
    from .sources import display_name
    from .validate import validate

    if output is None and resources.kg_root() == Path(resources.__file__).resolve().parent / "kg":
        # An installed wheel keeps the KG inside the package: new files belong in a source checkout.
        raise NewMethodError("the KG is the installed package's copy; run `llmrl-kg new` in a source "
                             "checkout (pip install -e .) or give --output")
    output = Path(output) if output else resources.data_dir() / "methods" / f"{spec.method_id}.ttl"
    if output.exists():
        raise NewMethodError(f"{output} already exists; edit it, or choose another METHOD-ID or --output")
    text = canonical_turtle(build_triples(spec))
    with tempfile.TemporaryDirectory(prefix="llmrl-kg-new-") as folder:
        candidate = Path(folder) / output.name
        candidate.write_text(text, encoding="utf-8")
        report = validate([candidate], reason=reason)
        shown = display_name(output)
        temporary = display_name(candidate)
        findings = [Finding(shown if f.path == temporary else f.path, f.line, f.severity, f.rule,
                            f.message.replace(temporary, shown), f.fix, f.focus) for f in report.findings]
    if not report.valid:
        return NewMethodResult(text, findings, False)
    write_atomically(output, text)
    return NewMethodResult(text, findings, True)
