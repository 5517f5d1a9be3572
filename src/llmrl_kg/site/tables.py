"""The survey's tables as sortable, filterable HTML tables, and the 'beyond the survey' table.

Every `llmrl:SurveyTable` gets a page with its rows in printed order. Method
rows show the survey's columns; other rows (summary tables, the datasets
table) show the properties their entries state. The 'beyond the survey' table
collects the method rows stated in any document other than the README and the
paper's v1 (it exists only when the KG has such rows).
"""

from __future__ import annotations

import pyoxigraph as ox

from llmrl_kg.export.records import PAPER_V1, README, Entry
from llmrl_kg.rdf.namespaces import LLMRL, RDF
from llmrl_kg.site.cells import COLUMNS, entry_cells
from llmrl_kg.site.entities import facts_section, heading, row_anchor, sources_section, term_html
from llmrl_kg.site.graph import ENTRY_OF, SiteGraph
from llmrl_kg.site.template import Page, esc, external, link

BEYOND = "beyond-the-survey.html"
STRUCTURAL = {RDF + "type", LLMRL + "inTable", LLMRL + "statedIn", LLMRL + "rowNumber", ENTRY_OF,
              LLMRL + "describes", LLMRL + "nameAsPrinted"}


def _entries(site: SiteGraph) -> dict[str, Entry]:
    return {e.iri: e for m in site.kg.methods for e in m.entries}


def rows_of(site: SiteGraph, table: str) -> list[str]:
    """The entries of a table, by row number."""
    found = [f.subject.value for f in site.by_object.get(table, [])
             if f.predicate.value == LLMRL + "inTable" and isinstance(f.subject, ox.NamedNode)]
    return sorted(set(found), key=lambda e: (int(site.index.value(e, LLMRL + "rowNumber") or 0), e))


def sortable_table(table_id: str, caption: str, head: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """A table the site's script can sort (header buttons) and filter (the search box above it)."""
    ths = "".join(f'<th scope="col" aria-sort="none"><button type="button">{esc(h)}</button></th>' for h in head)
    trs = "\n".join(f'<tr id="{esc(anchor)}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
                    for anchor, cells in rows)
    return f"""<p class="filter"><label for="{table_id}-filter">Filter rows</label>
<input type="search" id="{table_id}-filter" data-filter-for="{table_id}" autocomplete="off">
<span class="count" role="status" aria-live="polite" data-count-for="{table_id}">{len(rows)} of {len(rows)} rows</span></p>
<div class="scroll"><table class="sortable" id="{table_id}">
<caption>{esc(caption)} (select a column heading to sort)</caption>
<thead><tr>{ths}</tr></thead>
<tbody>
{trs}
</tbody></table></div>"""


def _method_rows(site: SiteGraph, here: str, entries: list[Entry], printed: dict[str, tuple[str, ...]],
                 with_document: bool) -> tuple[list[str], list[tuple[str, list[str]]]]:
    documents = [site.index.value(e.iri, LLMRL + "statedIn") or "" for e in entries]
    shown = [c for c in COLUMNS if any(c in printed.get(d, ()) for d in documents)]
    head = (["Stated in"] if with_document else []) + ["Row", "Method", "Citation", *shown]
    rows = []
    for entry, document in zip(entries, documents, strict=True):
        cells = entry_cells(site.kg, entry, printed.get(document, ()))
        values = [external(v) if c == "Code" and v and v != "-" else esc(v or "") for c, v in
                  ((c, cells[c]) for c in shown)]
        first = [term_html(site, here, ox.NamedNode(document))] if with_document else []
        rows.append((row_anchor(entry.iri), first + [str(entry.row), term_html(site, here, ox.NamedNode(entry.method)),
                                                     esc(entry.citation), *values]))
    return head, rows


def _other_rows(site: SiteGraph, here: str, entries: list[str]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    predicates = sorted({f.predicate.value for e in entries for f in site.by_subject.get(e, [])} - STRUCTURAL,
                        key=lambda p: site.predicate_label(p).lower())
    head = ["Row", "Name", *(site.predicate_label(p) for p in predicates)]
    rows = []
    for entry in entries:
        ix = site.index
        name = ix.value(entry, LLMRL + "nameAsPrinted") or ""
        target = ix.value(entry, ENTRY_OF) or ix.value(entry, LLMRL + "describes")
        named = link(here, site.pages[target], name) if target in site.pages else esc(name)
        cells = [", ".join(term_html(site, here, o) for o in ix.objects(entry, p)) for p in predicates]
        rows.append((row_anchor(entry), [esc(ix.value(entry, LLMRL + "rowNumber") or ""), named, *cells]))
    return head, rows


def table_page(site: SiteGraph, table: str, printed: dict[str, tuple[str, ...]]) -> Page:
    """The page of one survey table."""
    here = site.pages[table]
    records = _entries(site)
    entries = rows_of(site, table)
    if entries and all(e in records for e in entries):
        head, rows = _method_rows(site, here, [records[e] for e in entries], printed, with_document=False)
    else:
        head, rows = _other_rows(site, here, entries)
    document = site.index.value(table, LLMRL + "statedIn")
    source = f"<p>Printed in {term_html(site, here, ox.NamedNode(document))}.</p>" if document else ""
    body = (heading(site, table) + source
            + sortable_table("rows-table", site.label(table), head, rows))
    body += facts_section(site, here, site.by_subject.get(table, []), "About this table")
    body += sources_section(site, here, table)
    return Page(here, site.label(table), body, scripts=("assets/site.js",))


def beyond_entries(site: SiteGraph) -> list[Entry]:
    """Method rows stated in a document other than the README and the paper's v1."""
    found = [e for m in site.kg.methods for e in m.entries
             if site.index.value(e.iri, LLMRL + "statedIn") not in (README, PAPER_V1)]
    return sorted(found, key=lambda e: (site.label(e.method).lower(), e.iri))


def beyond_page(site: SiteGraph, printed: dict[str, tuple[str, ...]]) -> Page | None:
    """The 'beyond the survey' table, or None when every row is the README's or the paper's."""
    entries = beyond_entries(site)
    if not entries:
        return None
    head, rows = _method_rows(site, BEYOND, entries, printed, with_document=True)
    body = ("<h1>Beyond the survey</h1><p>Methods whose rows are stated in a document other than the "
            "survey&rsquo;s README and paper, each with the document it comes from.</p>"
            + sortable_table("rows-table", "Rows beyond the survey", head, rows))
    return Page(BEYOND, "Beyond the survey", body, scripts=("assets/site.js",))


def tables_index(site: SiteGraph, beyond: bool) -> Page:
    """table/index.html: the survey's tables by document, with their row counts."""
    here = "table/index.html"
    tables = sorted((t for t in site.pages if site.kind(t) == "table"),
                    key=lambda t: (site.index.value(t, LLMRL + "statedIn") or "", site.kg.table_position(t)))
    items = "".join(f"<li>{link(here, site.pages[t], site.label(t))} ({len(rows_of(site, t))} rows; "
                    f"{term_html(site, here, ox.NamedNode(site.index.value(t, LLMRL + 'statedIn') or ''))})</li>"
                    for t in tables)
    extra = f"<p>{link(here, BEYOND, 'Beyond the survey')}: methods stated in other documents.</p>" if beyond else ""
    return Page(here, "The survey's tables",
                f"<h1>The survey&rsquo;s tables ({len(tables)})</h1><ul>{items}</ul>{extra}")
