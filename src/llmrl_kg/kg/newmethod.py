"""`llmrl-kg new`: write a new method file (method, README-style entry, paper) in canonical form.

The options are checked first: a bad METHOD-ID or role and placeholders
(`--title "..."`) are refused, and every missing required option is named in
words (`missing --authors`). The file is then built, checked against the
shipped KG with the same validation as `llmrl-kg validate` (written to a
temporary file first), and only then written atomically to its place. An
invalid file is never left behind. Names given by the user (models, codes,
benchmarks) are resolved against the KG; an unknown name is refused with the
closest known names. The roles and fine-tuning words come from kg/model.py.
"""

from __future__ import annotations

import difflib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from llmrl_kg import locations
from llmrl_kg.errors import UsageError
from llmrl_kg.kg import model
from llmrl_kg.kg.findings import ERROR, Finding
from llmrl_kg.rdf.namespaces import (
    BENCHMARK,
    DCTERMS,
    DOC,
    ENTRY,
    FABIO,
    FOAF,
    FT,
    LLMRL,
    METHOD,
    METRIC,
    MODEL,
    PAPER,
    PERSON,
    RDF,
    RDFS,
    RLROLE,
    SKOS,
    XSD,
)
from llmrl_kg.rdf.oxtypes import term_value
from llmrl_kg.rdf.turtle import canonical_turtle
from llmrl_kg.rdf.urls import is_http_url

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ARXIV_PATTERN = re.compile(r"^[0-9]{4}\.[0-9]{4,5}$")  # as shape:paper-arxiv-id requires
ARXIV_ABSTRACT = "https://arxiv.org/abs/"
# What the file cannot do without, beyond --name and --role: (option, MethodSpec field, the rule the
# file would break without it, what to give). `new` checks these before it builds anything.
REQUIRED = (
    ("--model", "models", "method-entry-uses-model",
     "give each foundation model the method uses, in printed order: --model GPT-4 (repeat the option)"),
    ("--rl-role", "rl_roles", "method-entry-rl-role",
     "give the codes of the RL Role cell: --rl-role pi_l (repeat the option)"),
    ("--metric", "metrics", "method-entry-metric",
     "give the codes of the Metrics cell: --metric sr (repeat the option)"),
    ("--title", "title", "paper-title", "give the paper's title as the paper prints it"),
    ("--authors", "authors", "paper-author-list",
     'give the authors in order, "; "-separated: --authors "Ann Smith; Bob Jones" (end with "; et al." '
     "only if the source lists no more)"),
)
# Text that stands for a value instead of being one: `...`, `…`, `TODO`, `<title>`, an empty string.
PLACEHOLDER = re.compile(r"\.\.\.|…|^$|^<.*>$|^(todo|tbd|tba|fixme|x{3,}|placeholder|\?+)$", re.IGNORECASE)
_TYPE = RDF + "type"


class NewMethodError(UsageError, ValueError):
    """A usage problem with the options (unknown name, bad identifier, existing file)."""


@dataclass
class MethodSpec:
    """What the user asked for."""

    method_id: str
    name: str
    role: str
    models: list[str]
    fine_tuned: str = "no"
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
    sources: list[str] = field(default_factory=list)


class _Vocabulary:
    """Names in the shipped KG that the options may refer to."""

    def __init__(self) -> None:
        from llmrl_kg.kg.loader import open_store

        store = open_store(inferred=False)
        self.facts: dict[str, dict[str, list[str]]] = {}
        for quad in store.quads_for_pattern(None, None, None, None):
            if isinstance(quad.subject, ox.NamedNode):
                props = self.facts.setdefault(quad.subject.value, {})
                props.setdefault(quad.predicate.value, []).append(term_value(quad.object))

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


def check_options(spec: MethodSpec) -> None:
    """Refuse what is wrong in the options alone: the METHOD-ID, the role, placeholders, the arXiv ID, the URLs."""
    if not ID_PATTERN.match(spec.method_id):
        raise NewMethodError(f"METHOD-ID {spec.method_id!r} must match {ID_PATTERN.pattern} "
                             "(lower-case ASCII letters, digits and hyphens)")
    if spec.role not in model.LEAVES:
        raise NewMethodError(f"--role {spec.role!r} is not a sub-role of the taxonomy; use one of "
                             f"{', '.join(model.LEAVES)}")
    texts = [("--name", spec.name), ("--title", spec.title), ("--authors", spec.authors), ("--venue", spec.venue),
             ("--citation", spec.citation), ("--code", spec.code), ("--arxiv", spec.arxiv), ("--year", spec.year),
             *(("--source", source) for source in spec.sources)]
    for option, value in texts:
        if value is not None and PLACEHOLDER.search(value.strip()):
            raise NewMethodError(f"{option} {value!r} is a placeholder, not a value; give the real one as its "
                                 "source states it, or leave the option out")
    if spec.arxiv is not None and not ARXIV_PATTERN.match(spec.arxiv):
        raise NewMethodError(f"--arxiv {spec.arxiv!r} must be a new-style arXiv identifier such as 2405.14751 "
                             '(no "arXiv:" prefix, no version suffix)')
    urls = [("--code", spec.code)] if spec.code else []
    for option, url in [*urls, *(("--source", source) for source in spec.sources)]:
        _check_url(option, url)


def _check_url(option: str, url: str) -> None:
    if not is_http_url(url):
        raise NewMethodError(f"{option} {url!r} must be an http(s) URL, e.g. https://arxiv.org/abs/2405.14751")
    try:
        ox.NamedNode(url)
    except ValueError as error:
        raise NewMethodError(f"{option} {url!r} is not a valid IRI: {error}") from error


def paper_sources(spec: MethodSpec) -> list[str]:
    """The paper's dcterms:source URLs: its arXiv abstract page (from --arxiv), then each --source, once."""
    sources = [ARXIV_ABSTRACT + spec.arxiv] if spec.arxiv else []
    return list(dict.fromkeys([*sources, *spec.sources]))


def _year(spec: MethodSpec) -> str | None:
    return spec.year or (f"20{spec.arxiv[:2]}" if spec.arxiv and spec.arxiv[:2].isdigit() else None)


def missing_options(spec: MethodSpec, path: str) -> list[Finding]:
    """A finding for each option the new file needs and was not given, naming the option in words."""
    findings = [Finding(path, None, ERROR, rule, f"missing {option}: the file needs it", fix)
                for option, attribute, rule, fix in REQUIRED if not getattr(spec, attribute)]
    if not paper_sources(spec):
        findings.append(Finding(path, None, ERROR, "record-source", "missing --source: the paper needs a source",
                                "give --source URL for each public page you read the paper's facts from "
                                "(its venue page, its repository; repeat the option), or --arxiv ID"))
    if not _year(spec):
        findings.append(Finding(path, None, ERROR, "paper-year", "missing --year: the paper needs its year",
                                "give --year YYYY, or --arxiv (its identifier starts with the year)"))
    elif spec.authors and not (spec.citation or default_citation(spec.authors, _year(spec))):
        findings.append(Finding(path, None, ERROR, "method-entry-citation",
                                "missing --citation: it cannot be made from --authors",
                                'give --citation as the README cites the paper, e.g. "Feng et al., 2024"'))
    return findings


@dataclass
class _Resolved:
    """The options' names resolved to the KG's IRIs."""

    leaf: str
    table: str
    row: int
    models: list[str]
    fine_tuning: str
    rl_roles: list[str]
    metrics: list[str]
    benchmarks: list[str]


def _resolve(spec: MethodSpec, vocabulary: _Vocabulary) -> _Resolved:
    leaf = model.LEAVES[spec.role]
    table = _readme_table(vocabulary, leaf)
    fine_tuning = model.FINE_TUNING.term(spec.fine_tuned)
    return _Resolved(
        leaf=leaf, table=table, row=_next_row(vocabulary, table),
        models=[vocabulary.resolve(m, vocabulary.of_type(model.ontology().model_classes()), MODEL, "model",
                                   "--model") for m in spec.models],
        fine_tuning=fine_tuning.iri if fine_tuning else vocabulary.resolve(
            spec.fine_tuned, _concepts(vocabulary, FT), FT, "fine-tuning code", "--fine-tuned"),
        rl_roles=[vocabulary.resolve(r, _concepts(vocabulary, RLROLE), RLROLE, "RL role", "--rl-role")
                  for r in spec.rl_roles],
        metrics=[vocabulary.resolve(m, _concepts(vocabulary, METRIC), METRIC, "metric", "--metric")
                 for m in spec.metrics],
        benchmarks=[vocabulary.resolve(b, vocabulary.of_type({LLMRL + "Benchmark"}), BENCHMARK, "benchmark",
                                       "--benchmark") for b in spec.benchmarks],
    )


def _t(subject: ox.NamedNode, predicate: str, value: ox.NamedNode | ox.Literal) -> ox.Triple:
    return ox.Triple(subject, ox.NamedNode(predicate), value)


def _typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def _paper_triples(spec: MethodSpec, paper: ox.NamedNode) -> list[ox.Triple]:
    year = _year(spec)
    given = [(DCTERMS + "title", spec.title), (LLMRL + "arxivId", spec.arxiv),
             (LLMRL + "authorList", spec.authors), (LLMRL + "venue", spec.venue)]
    triples = [_t(paper, _TYPE, ox.NamedNode(LLMRL + "Paper"))]
    triples += [_t(paper, predicate, ox.Literal(value)) for predicate, value in given if value]
    triples += [_t(paper, DCTERMS + "source", ox.NamedNode(url)) for url in paper_sources(spec)]
    if year:
        triples.append(_t(paper, FABIO + "hasPublicationYear", _typed(year, "gYear")))
    return triples


def _entry_triples(spec: MethodSpec, found: _Resolved, vocabulary: _Vocabulary, entry: ox.NamedNode,
                   method: ox.NamedNode) -> list[ox.Triple]:
    citation = spec.citation or default_citation(spec.authors, _year(spec))
    triples = [
        _t(entry, _TYPE, ox.NamedNode(LLMRL + "MethodEntry")), _t(entry, LLMRL + "entryOf", method),
        _t(entry, LLMRL + "inTable", ox.NamedNode(found.table)),
        _t(entry, LLMRL + "rowNumber", _typed(str(found.row), "integer")),
        _t(entry, LLMRL + "statedIn", ox.NamedNode(DOC + "readme")),
        _t(entry, LLMRL + "fineTuning", ox.NamedNode(found.fine_tuning)),
    ]
    if citation:
        triples.append(_t(entry, LLMRL + "citation", ox.Literal(citation)))
    cells = ((LLMRL + "usesModel", LLMRL + "modelsAsPrinted", found.models, RDFS + "label"),
             (LLMRL + "rlRole", LLMRL + "rlRolesAsPrinted", found.rl_roles, SKOS + "notation"),
             (LLMRL + "improvesMetric", LLMRL + "metricsAsPrinted", found.metrics, SKOS + "notation"))
    for link, printed, values, naming in cells:
        triples += [_t(entry, link, ox.NamedNode(v)) for v in values]
        if values:
            triples.append(_t(entry, printed, ox.Literal(", ".join(vocabulary.first(v, naming) for v in values))))
    if spec.code:
        repository = ox.NamedNode(spec.code)
        triples += [_t(entry, LLMRL + "codeRepository", repository),
                    _t(repository, _TYPE, ox.NamedNode(LLMRL + "CodeRepository"))]
    return triples


def _check_new(spec: MethodSpec, vocabulary: _Vocabulary) -> None:
    if METHOD + spec.method_id in vocabulary.facts:
        raise NewMethodError(f"method:{spec.method_id} is already in the KG; to correct it, edit its file "
                             f"(data/methods/{spec.method_id}.ttl), or choose another METHOD-ID")


def build_triples(spec: MethodSpec, vocabulary: _Vocabulary | None = None) -> list[ox.Triple]:
    """The triples of the new method file; raises NewMethodError for unusable options."""
    check_options(spec)
    vocabulary = vocabulary or _Vocabulary()
    _check_new(spec, vocabulary)
    found = _resolve(spec, vocabulary)
    method, paper = ox.NamedNode(METHOD + spec.method_id), ox.NamedNode(PAPER + spec.method_id)
    entry = ox.NamedNode(ENTRY + spec.method_id + "-readme")
    triples = [_t(method, _TYPE, ox.NamedNode(found.leaf)), _t(method, RDFS + "label", ox.Literal(spec.name)),
               _t(method, LLMRL + "introducedIn", paper)]
    triples += [_t(method, LLMRL + "evaluatedOn", ox.NamedNode(b)) for b in found.benchmarks]
    return (triples + _paper_triples(spec, paper) + _author_triples(spec, paper, vocabulary)
            + _entry_triples(spec, found, vocabulary, entry, method))


def _author_triples(spec: MethodSpec, paper: ox.NamedNode, vocabulary: _Vocabulary) -> list[ox.Triple]:
    """dcterms:creator for each listed author ("et al." aside), in a person record of its own.

    A person the KG already names (same foaf:name) is reused, not described again: each record is
    described in its own file only.
    """
    import unicodedata

    known = {name: iri for iri in vocabulary.of_type({FOAF + "Person"})
             for name in vocabulary.facts[iri].get(FOAF + "name", [])}
    triples = []
    for name in (n.strip() for n in (spec.authors or "").split(";")):
        if not name or name == "et al.":
            continue
        if name in known:
            triples.append(_t(paper, DCTERMS + "creator", ox.NamedNode(known[name])))
            continue
        ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
        person = ox.NamedNode(PERSON + "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower())))
        triples += [_t(paper, DCTERMS + "creator", person), _t(person, _TYPE, ox.NamedNode(FOAF + "Person")),
                    _t(person, FOAF + "name", ox.Literal(name))]
    return triples


@dataclass
class NewMethodResult:
    """The outcome: the Turtle text, the findings, and whether the file was written.

    `complete` is False when required options were missing: then nothing was built
    and the findings name the options.
    """

    text: str
    findings: list[Finding]
    written: bool
    complete: bool = True


def _target(spec: MethodSpec, output: Path | None) -> Path:
    output = Path(output) if output else locations.writable_data_dir("new") / "methods" / f"{spec.method_id}.ttl"
    if output.exists():
        raise NewMethodError(f"{output} already exists; edit it, or choose another METHOD-ID or --output")
    return output


def _validated(text: str, output: Path, reason: bool) -> tuple[list[Finding], bool]:
    """Validate `text` as the file `output` (from a temporary copy); findings name `output`."""
    from llmrl_kg.kg.files import display_name
    from llmrl_kg.kg.validate import validate

    with tempfile.TemporaryDirectory(prefix="llmrl-kg-new-") as folder:
        candidate = Path(folder) / output.name
        candidate.write_text(text, encoding="utf-8")
        report = validate([candidate], reason=reason)
        shown = display_name(output)
        temporary = display_name(candidate)
        findings = [Finding(shown if f.path == temporary else f.path, f.line, f.severity, f.rule,
                            f.message.replace(temporary, shown), f.fix, f.focus) for f in report.findings]
    return findings, report.valid


def create_method_file(spec: MethodSpec, output: Path | None = None, *, reason: bool = True) -> NewMethodResult:
    """Check the options, build the file, validate it with the shipped KG and, if valid, write it.

    Unusable options (a bad METHOD-ID or role, a placeholder, an unknown name, an
    existing method or file) raise NewMethodError; missing required options come
    back as findings, all of them at once, before anything is built.
    """
    from llmrl_kg.kg.files import display_name
    from llmrl_kg.rdf.atomic import write_atomically

    output = _target(spec, output)
    check_options(spec)
    vocabulary = _Vocabulary()
    _check_new(spec, vocabulary)
    missing = missing_options(spec, display_name(output))
    if missing:
        return NewMethodResult("", missing, False, complete=False)
    text = canonical_turtle(build_triples(spec, vocabulary))
    findings, valid = _validated(text, output, reason)
    if valid:
        write_atomically(output, text)
    return NewMethodResult(text, findings, valid)
