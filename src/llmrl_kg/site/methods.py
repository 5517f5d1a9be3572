"""A method's page: its place in the taxonomy, its table rows side by side, its paper, code, models, benchmarks.

The rows are shown one column per source document (README, paper Table 1, any
other document that states a row); a cell two documents print differently is
marked as a disagreement, in words and not only by colour.
"""

from __future__ import annotations

import pyoxigraph as ox

from llmrl_kg.export.records import Method
from llmrl_kg.kg.model import METHOD
from llmrl_kg.rdf.namespaces import BIBO, DCTERMS, FABIO, LLMRL
from llmrl_kg.site.cells import COLUMNS, entry_cells
from llmrl_kg.site.entities import entity_page, entry_target, term_html
from llmrl_kg.site.graph import SiteGraph
from llmrl_kg.site.template import Page, esc, external, link

DOCUMENT_ORDER = {"readme": 0, "paper-v1": 1}


def taxonomy_place(site: SiteGraph, here: str, leaf: str | None) -> str:
    """`Method › group › sub-role` as a breadcrumb of class pages."""
    chain: list[str] = []
    current = leaf
    while current and current != METHOD:
        chain.insert(0, current)
        parents = [p for p in site.ontology.classes[current].parents if p in site.ontology.method_classes()]
        current = parents[0] if parents else None
    chain.insert(0, METHOD)
    crumbs = "".join(f"<li>{link(here, site.pages[c], site.label(c))}</li>" for c in chain if c in site.pages)
    return f'<nav aria-label="Place in the taxonomy" class="crumbs"><ol>{crumbs}</ol></nav>'


def rows_table(site: SiteGraph, here: str, method: Method, printed: dict[str, tuple[str, ...]]) -> str:
    """The cells of every row of the method, one column per document, disagreements marked."""
    entries = sorted(method.entries, key=lambda e: (DOCUMENT_ORDER.get(e.document, 2), e.table, e.row))
    if not entries:
        return "<p>This method is not a row of the survey&rsquo;s tables.</p>"
    documents = [site.index.value(e.iri, LLMRL + "statedIn") or "" for e in entries]
    cells = [entry_cells(site.kg, e, printed.get(d, ())) for e, d in zip(entries, documents, strict=True)]
    head = "".join(f'<th scope="col">{term_html(site, here, ox.NamedNode(d))}<br>'
                   f'<small>{link(here, entry_target(site, e.iri) or here, _row_name(site, e))}</small></th>'
                   for e, d in zip(entries, documents, strict=True))
    body = []
    for column in COLUMNS:
        values = [c[column] for c in cells]
        stated = {v for v in values if v is not None}
        differs = len(stated) > 1
        tds = "".join(f'<td data-doc="{esc(_doc_key(d))}" data-column="{esc(column)}">'
                      f"{_cell_html(column, v)}</td>" for v, d in zip(values, documents, strict=True))
        mark = '<td class="differs"><strong>differs</strong></td>' if differs else "<td></td>"
        body.append(f'<tr{" class=differs" if differs else ""}><th scope="row">{esc(column)}</th>{tds}{mark}</tr>')
    return f"""<div class="scroll"><table class="rows" id="cells">
<caption>The method&rsquo;s rows in the survey&rsquo;s tables (a dash: the cell is empty; a blank: the document has no such column)</caption>
<thead><tr><th scope="col">Column</th>{head}<th scope="col">Agreement</th></tr></thead>
<tbody>{"".join(body)}</tbody></table></div>"""


def _row_name(site: SiteGraph, entry) -> str:
    return f"{site.label(entry.table)}, row {entry.row}"


def _doc_key(document: str) -> str:
    return document.rsplit("/", 1)[-1]


def _cell_html(column: str, value: str | None) -> str:
    if value is None:
        return ""
    if column == "Code" and value != "-":
        return external(value)
    return esc(value)


def paper_section(site: SiteGraph, here: str, method: Method) -> str:
    """The paper: title, authors, venue, year, arXiv and DOI links."""
    paper = method.paper
    if not paper:
        return ""
    ix = site.index
    authors = ", ".join(term_html(site, here, ox.NamedNode(p)) for p in ix.iris(paper, DCTERMS + "creator"))
    printed = ix.value(paper, LLMRL + "authorList")
    links = [external(f"https://arxiv.org/abs/{a.value}", f"arXiv:{a.value}")
             for a in ix.objects(paper, LLMRL + "arxivId")]
    links += [external(f"https://doi.org/{d.value}", f"doi:{d.value}") for d in ix.objects(paper, BIBO + "doi")]
    rows = [("Paper", term_html(site, here, ox.NamedNode(paper))), ("Authors", authors),
            ("Authors as listed", esc(printed or "")), ("Venue", esc(ix.value(paper, LLMRL + "venue") or "")),
            ("Year", esc(ix.value(paper, FABIO + "hasPublicationYear") or "")), ("Links", " · ".join(links))]
    items = "".join(f"<dt>{name}</dt><dd>{value}</dd>" for name, value in rows if value)
    return f'<section aria-labelledby="paper"><h2 id="paper">Paper</h2><dl class="facts">{items}</dl></section>'


def uses_section(site: SiteGraph, here: str, method: Method) -> str:
    """Code, models and benchmarks (from all of the method's rows), and external links of data/links/."""
    models = sorted({m for e in method.entries for m in e.models}, key=lambda m: site.label(m).lower())
    code = sorted({e.code for e in method.entries if e.code})
    links = site.link_facts([method.iri, *([method.paper] if method.paper else [])])
    groups = [("Code", [external(c) for c in code]),
              ("Models", [term_html(site, here, ox.NamedNode(m)) for m in models]),
              ("Benchmarks", [term_html(site, here, ox.NamedNode(b)) for b in method.benchmarks]),
              ("External links", [f"{esc(site.predicate_label(f.predicate.value))}: "
                                  f"{term_html(site, here, f.object)}" for f in links])]
    items = "".join(f"<dt>{name}</dt>" + "".join(f"<dd>{v}</dd>" for v in values)
                    for name, values in groups if values)
    return f'<section aria-labelledby="uses"><h2 id="uses">Code, models, benchmarks</h2><dl class="facts">{items}</dl></section>'


def method_page(site: SiteGraph, method: Method, printed: dict[str, tuple[str, ...]]) -> Page:
    """The page of one method."""
    here = site.pages[method.iri]
    rows = f'<section aria-labelledby="rows"><h2 id="rows">Table rows</h2>{rows_table(site, here, method, printed)}</section>'
    leaf = method.leaf_class or next((t for t in site.types(method.iri) if t in site.ontology.method_classes()), None)
    return entity_page(site, method.iri, [taxonomy_place(site, here, leaf), rows,
                                          paper_section(site, here, method), uses_section(site, here, method)])
