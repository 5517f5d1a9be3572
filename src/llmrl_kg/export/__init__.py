"""Exports of the knowledge graph: RDF, property-graph files, tables, BibTeX, HTML, VoID.

One module per concern; `export(fmt, …)` picks the right one. Heavy libraries
(rdflib, networkx) are imported only by the formats that need them.
"""

from __future__ import annotations

from pathlib import Path

RDF_FORMATS = ("turtle", "ntriples", "jsonld", "trig")
NETWORK_FORMATS = ("graphml", "gexf", "cytoscape", "dot")
TABLE_FORMATS = ("csv", "markdown")
OTHER_FORMATS = ("bibtex", "html", "void")
FORMATS = RDF_FORMATS + NETWORK_FORMATS + TABLE_FORMATS + OTHER_FORMATS
VIEWS = ("methods", "full")
SOURCES = ("readme", "paper")


class ExportUsageError(ValueError):
    """An option that does not apply to the chosen format."""


def check_options(fmt: str, *, inferred: bool, view: str | None, source: str | None) -> None:
    """Refuse option combinations that would be silently ignored."""
    if fmt not in FORMATS:
        raise ExportUsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if view is not None and fmt not in NETWORK_FORMATS:
        raise ExportUsageError(f"--view applies to the network formats ({', '.join(NETWORK_FORMATS)}), not {fmt}")
    if source is not None and fmt not in TABLE_FORMATS:
        raise ExportUsageError(f"--source applies to csv and markdown, not {fmt}")
    if inferred and not (fmt in RDF_FORMATS or (fmt in NETWORK_FORMATS and view == "full")):
        raise ExportUsageError("--inferred applies to the RDF formats and to --view full")


def export(fmt: str, *, inferred: bool = False, view: str | None = None, source: str | None = None,
           paths: list[Path] | None = None) -> bytes:
    """The KG (shipped, or ontology + data under `paths`) in format `fmt`, as bytes."""
    check_options(fmt, inferred=inferred, view=view, source=source)
    if fmt in RDF_FORMATS:
        from .rdf import serialize_rdf

        return serialize_rdf(fmt, paths, inferred)
    if fmt == "void":
        from .void import void_turtle

        return void_turtle(paths).encode("utf-8")

    from .records import load_kg

    kg = load_kg(paths, inferred=inferred)
    if fmt in NETWORK_FORMATS:
        from .graphfiles import write_graph
        from .network import full_view, methods_view

        view = view or "methods"
        graph = methods_view(kg) if view == "methods" else full_view(kg)
        return write_graph(graph, fmt, view)
    if fmt == "csv":
        from .tables import methods_csv

        return methods_csv(kg, source or "readme").encode("utf-8")
    if fmt == "markdown":
        from .markdown import markdown_tables

        return markdown_tables(kg, source or "readme").encode("utf-8")
    if fmt == "bibtex":
        from .bibtex import bibtex

        return bibtex(kg).encode("utf-8")
    from .html import html_page

    return html_page(kg).encode("utf-8")
