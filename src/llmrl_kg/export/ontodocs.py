"""`llmrl-kg docs`: HTML documentation of the ontology, written by pyLODE plus a code-list section.

pyLODE (OntPub profile) documents every class and property with its
definition; it does not list SKOS concepts, so a "Code lists" section (every
scheme with its concepts: notation, label, LaTeX, definition) is added to the
same page. pyLODE gets an rdflib graph (never a file name or URL), so it parses
nothing itself and fetches nothing; its background vocabularies ship inside it.

pyLODE's page is not deterministic: it collects the members of an owl:unionOf or
owl:intersectionOf in a Python set of HTML elements, whose order follows memory
addresses, so "Benchmark or Method" comes out either way round from run to run.
`deterministic` sorts those members, and gives pyLODE's sections new ids where a
term of the ontology has the same id (llmrl:classes, llmrl:properties), so that
every anchor names one element. The result is cached (`rdf.cache`) by the
ontology's text, the package and pyLODE's version, since pyLODE takes seconds.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import logging
import re
import sys
import types
from pathlib import Path

from llmrl_kg import locations
from llmrl_kg.errors import DataError
from llmrl_kg.export.records import Index
from llmrl_kg.kg.files import parse_file
from llmrl_kg.rdf.atomic import write_atomically
from llmrl_kg.rdf.cache import cache_dir, cached, code_tag
from llmrl_kg.rdf.namespaces import DCTERMS, LLMRL, RDFS, SKOS, curie

CODE_LIST_ANCHOR = "codelists"


class DocsError(DataError):
    """The documentation could not be written (pyLODE missing or failing)."""


def _import_ontpub():
    """pyLODE's OntPub class.

    pyLODE 3.4.1 (the newest release on PyPI) reads its version from a
    pyproject.toml that its wheel does not ship, so `import pylode` fails
    (RDFLib/pyLODE#260, fixed upstream after that release). Giving it its
    version module first makes the import work with that release and later ones.
    """
    if "pylode.version" not in sys.modules:
        sys.modules["pylode.version"] = types.SimpleNamespace(__version__=pylode_version())
    try:
        from pylode import OntPub
    except ImportError as error:
        raise DocsError(f"pyLODE cannot be imported: {error}") from error
    return OntPub


_PROSE = (SKOS + "definition", SKOS + "editorialNote", SKOS + "scopeNote", RDFS + "comment",
          DCTERMS + "description")


def _ontology_graph(triples):
    """The ontology as an rdflib graph for pyLODE, with HTML's special characters in prose escaped.

    pyLODE renders literals as Markdown and inserts the HTML unescaped, so a definition
    mentioning `<target>` would lose those words; as entities they survive Markdown.
    """
    import rdflib

    from llmrl_kg.rdf.terms import to_rdflib_graph

    graph = to_rdflib_graph(triples)
    for prose in _PROSE:
        for subject, obj in list(graph.subject_objects(rdflib.URIRef(prose))):
            if isinstance(obj, rdflib.Literal) and any(c in obj for c in "<>&"):
                graph.remove((subject, rdflib.URIRef(prose), obj))
                graph.add((subject, rdflib.URIRef(prose), rdflib.Literal(html.escape(str(obj), quote=False),
                                                                         lang=obj.language)))
    _one_ontology_header(graph)
    for prefix, namespace in _prefixes().items():
        graph.bind(prefix, namespace, override=True)
    return graph


def _one_ontology_header(graph) -> None:
    """Leave pyLODE one ontology to head the page: the owl:Ontology, titled by its dcterms:title.

    pyLODE takes every skos:ConceptScheme for an ontology too (so the page's title became the last
    code list's, the H1 ran all their titles together and the metadata IRI was a scheme's), and joins
    the ontology's rdfs:label to its title. The code lists have their own section (code_lists_html).
    """
    import rdflib
    from rdflib.namespace import DCTERMS as DCT
    from rdflib.namespace import OWL as OWL_NS
    from rdflib.namespace import RDF as RDF_NS
    from rdflib.namespace import RDFS as RDFS_NS
    from rdflib.namespace import SKOS as SKOS_NS

    graph.remove((None, RDF_NS.type, SKOS_NS.ConceptScheme))
    for ontology in graph.subjects(RDF_NS.type, OWL_NS.Ontology):
        if isinstance(ontology, rdflib.URIRef) and graph.value(ontology, DCT.title) is not None:
            graph.remove((ontology, RDFS_NS.label, None))


def _prefixes() -> dict[str, str]:
    from llmrl_kg.rdf.namespaces import PREFIXES

    return {p: ns for p, ns in PREFIXES.items() if p != "sh"}


def code_lists_html(index: Index) -> str:
    """The "Code lists" section: every SKOS concept scheme with its concepts."""
    schemes = index.subjects_of_type(SKOS + "ConceptScheme")
    concepts = index.subjects_of_type(SKOS + "Concept")
    parts = [f'<div id="{CODE_LIST_ANCHOR}">', "<h2>Code lists</h2>",
             "<p>The codes of the survey's tables, as SKOS concept schemes. Each concept is also an "
             "instance of the OWL class of its code list.</p>"]
    for scheme in schemes:
        members = [c for c in concepts if scheme in index.iris(c, SKOS + "inScheme")]
        anchor = "codelist-" + scheme.rsplit("#", 1)[-1]
        parts.append(f'<div class="entity" id="{html.escape(anchor)}">')
        parts.append(f"<h3>{html.escape(index.label(scheme))} <sup class=\"sup-c\">scheme</sup></h3>")
        parts.append(f"<p><code>{html.escape(curie(scheme))}</code>: "
                     f"{html.escape(index.value(scheme, SKOS + 'definition') or '')}</p>")
        parts.append('<table class="entity"><tr><th>Notation</th><th>Concept</th><th>Label</th>'
                     "<th>LaTeX</th><th>Broader</th><th>Definition</th></tr>")
        for concept in sorted(members, key=lambda c: (index.value(c, SKOS + "notation") or "", c)):
            broader = ", ".join(curie(b) for b in index.iris(concept, SKOS + "broader"))
            cells = [index.value(concept, SKOS + "notation") or "", curie(concept),
                     index.value(concept, SKOS + "prefLabel") or index.label(concept),
                     index.value(concept, LLMRL + "latexNotation") or "", broader,
                     index.value(concept, SKOS + "definition") or ""]
            parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        parts.append("</table></div>")
    parts.append("</div>")
    return "\n".join(parts)


def _code_lists_toc(index: Index) -> str:
    items = "".join(
        f'<li><a href="#codelist-{html.escape(s.rsplit("#", 1)[-1])}">{html.escape(index.label(s))}</a></li>'
        for s in index.subjects_of_type(SKOS + "ConceptScheme"))
    return f'<li><h4><a href="#{CODE_LIST_ANCHOR}">Code lists</a></h4><ul class="second">{items}</ul></li>'


def _insert(page: str, section: str, toc: str) -> str:
    """Put the section before pyLODE's Namespaces section and its TOC item before Namespaces'."""
    marker = '<div id="namespaces">'
    page = page.replace(marker, section + "\n" + marker, 1) if marker in page else \
        page.replace("</body>", section + "\n</body>", 1)
    toc_marker = '<a href="#namespaces">'
    at = page.find(toc_marker)
    if at >= 0:
        start = page.rfind("<li>", 0, at)
        if start >= 0:
            page = page[:start] + toc + page[start:]
    return page


def _set_class_member(lines: list[str], start: int) -> int | None:
    """The end (exclusive) of the `<span>` element opening at `lines[start]` on a line of its own, if it is one."""
    line = lines[start]
    if line.strip() != "<span>":
        return None
    indent = line[:len(line) - len(line.lstrip(" "))]
    for end in range(start + 1, len(lines)):
        if lines[end] == indent + "</span>":
            return end + 1
        if not lines[end].startswith(indent + " "):
            return None
    return None


_JOINER = re.compile(r'( *)<span class="cardinality">(or|and|,)</span>')


def _set_class_run(lines: list[str], start: int) -> tuple[list[list[str]], str, int] | None:
    """The members of a pyLODE set class starting at `start` (member, joiner, member, ...), its joiner line, its end."""
    end = _set_class_member(lines, start)
    if end is None:
        return None
    indent = lines[start][:len(lines[start]) - len(lines[start].lstrip(" "))]
    members, joiner = [lines[start:end]], None
    while end < len(lines):
        match = _JOINER.fullmatch(lines[end])
        if not match or match.group(1) != indent or (joiner is not None and lines[end] != joiner):
            break
        after = _set_class_member(lines, end + 1)
        if after is None:
            break
        joiner = lines[end]
        members.append(lines[end + 1:after])
        end = after
    return (members, joiner, end) if joiner is not None else None


def sorted_set_classes(page: str) -> str:
    """pyLODE's page with the members of every "A or B" / "A and B" set class in sorted order."""
    lines, out, at = page.split("\n"), [], 0
    while at < len(lines):
        run = _set_class_run(lines, at)
        if run is None:
            out.append(lines[at])
            at += 1
            continue
        members, joiner, at = run
        for number, member in enumerate(sorted(members, key="\n".join)):
            out += ([joiner] if number else []) + member
    return "\n".join(out)


def unique_section_ids(page: str) -> str:
    """pyLODE's page with `-section` added to the id of each section that a term's id repeats, and to its TOC link."""
    for section in re.findall(r'<div class="section" id="([^"]+)">', page):
        if len(re.findall(rf'\bid="{re.escape(section)}"', page)) > 1:
            page = page.replace(f'<div class="section" id="{section}">',
                                f'<div class="section" id="{section}-section">', 1)
            page = re.sub(rf'(<h4>\s*<a href="#){re.escape(section)}(">)', rf"\g<1>{section}-section\g<2>", page,
                          count=1)
    return page


def deterministic(page: str) -> str:
    """pyLODE's page made the same on every run, with one element per id (see the module's docstring)."""
    return unique_section_ids(sorted_set_classes(page))


def _pylode_page(source) -> str:
    """pyLODE's page of the parsed ontology file, quiet (pyLODE logs and prints as it goes)."""
    OntPub = _import_ontpub()
    graph = _ontology_graph(source.triples)
    quiet = logging.getLogger()
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # pyLODE logs every step at INFO
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return OntPub(ontology=graph).make_html()
    except SystemExit as error:  # pyLODE calls exit() on some errors
        raise DocsError(f"pyLODE failed (exit {error.code})") from error
    except Exception as error:  # noqa: BLE001 - report any pyLODE failure as one clear message
        raise DocsError(f"pyLODE failed: {type(error).__name__}: {error}") from error
    finally:
        quiet.setLevel(level)


def pylode_version() -> str:
    """The installed pyLODE's version (DocsError if it is not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pylode")
    except PackageNotFoundError as error:
        raise DocsError("pyLODE is not installed; run `pip install pylode`") from error


def ontology_html() -> str:
    """The whole documentation page of the shipped ontology (from the cache when the ontology is unchanged)."""
    source, problems = parse_file(locations.ontology_file())
    if problems:
        raise DocsError(problems[0].format())
    key = hashlib.sha256(f"{pylode_version()}\0{source.text}".encode()).hexdigest()[:16]

    def compute() -> str:
        index = Index(source.triples)
        notice = ("<!-- Generated by llmrl-kg docs from ontology/llmrl.ttl (pyLODE plus the code lists); "
                  "do not edit by hand. -->\n")
        page = deterministic(_pylode_page(source))
        return notice + _insert(page, code_lists_html(index), _code_lists_toc(index))

    return cached(cache_dir() / f"ontodocs-{key}-{code_tag()}.html", compute,
                  read=lambda path: path.read_bytes().split(b"\n", 1)[1].decode("utf-8"), write=str)


def write_docs(directory: Path) -> Path:
    """Write DIRECTORY/index.html; return its path."""
    target = Path(directory) / "index.html"
    write_atomically(target, ontology_html())
    return target
