"""Exports of the knowledge graph: RDF, property-graph files, tables, BibTeX, HTML, VoID.

One module per concern; `export(fmt, …)` picks the right one. Heavy libraries
(rdflib, networkx) are imported only by the formats that need them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from llmrl_kg.errors import UsageError

# The formats, by family; the modules that write them import these (one definition each).
RDF_FORMATS = ("turtle", "ntriples", "jsonld", "trig")
NETWORK_FORMATS = ("graphml", "gexf", "cytoscape", "dot")
TABLE_FORMATS = ("csv", "markdown")
OTHER_FORMATS = ("bibtex", "html", "void")
EXPORT_FORMATS = RDF_FORMATS + NETWORK_FORMATS + TABLE_FORMATS + OTHER_FORMATS
VIEWS = ("methods", "full")
SOURCES = ("readme", "paper")


class ExportUsageError(UsageError, ValueError):
    """An option that does not apply to the chosen format."""


def check_options(fmt: str, *, inferred: bool, view: str | None, source: str | None,
                  beyond_survey: bool = False) -> None:
    """Refuse option combinations that would be silently ignored."""
    if fmt not in EXPORT_FORMATS:
        raise ExportUsageError(f"unknown format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    if beyond_survey and (fmt != "markdown" or source is not None):
        raise ExportUsageError("--beyond-survey applies to markdown only, without --source (its rows are "
                               "stated by this KG's curation, not by the README or the paper)")
    if view is not None and fmt not in NETWORK_FORMATS:
        raise ExportUsageError(f"--view applies to the network formats ({', '.join(NETWORK_FORMATS)}), not {fmt}")
    if source is not None and fmt not in TABLE_FORMATS:
        raise ExportUsageError(f"--source applies to csv and markdown, not {fmt}")
    if inferred and not (fmt in RDF_FORMATS or (fmt in NETWORK_FORMATS and view == "full")):
        raise ExportUsageError("--inferred applies to the RDF formats and to --view full")


def export(fmt: str, *, inferred: bool = False, view: str | None = None, source: str | None = None,
           paths: list[Path] | None = None, beyond_survey: bool = False) -> bytes:
    """The KG (shipped, or ontology + data under `paths`) in format `fmt`, as bytes.

    `beyond_survey` (markdown only): the table of methods added beyond the survey instead of its six tables."""
    return b"".join(export_chunks(fmt, inferred=inferred, view=view, source=source, paths=paths,
                                  beyond_survey=beyond_survey))


def export_chunks(fmt: str, *, inferred: bool = False, view: str | None = None, source: str | None = None,
                  paths: list[Path] | None = None, beyond_survey: bool = False) -> Iterator[bytes]:
    """`export`'s bytes in chunks, so that a large GraphML or GEXF file is never whole in memory.

    The options are checked (ExportUsageError) and the KG is loaded before the first chunk."""
    check_options(fmt, inferred=inferred, view=view, source=source, beyond_survey=beyond_survey)
    if fmt in NETWORK_FORMATS and view == "full":
        from llmrl_kg.export.graphfiles import graph_chunks
        from llmrl_kg.export.network import project_full
        from llmrl_kg.kg.loader import open_store

        return graph_chunks(project_full(open_store(paths, inferred=inferred)), fmt, view)
    return iter((_whole(fmt, inferred=inferred, view=view, source=source, paths=paths,
                        beyond_survey=beyond_survey),))


def _whole(fmt: str, *, inferred: bool, view: str | None, source: str | None, paths: list[Path] | None,
           beyond_survey: bool) -> bytes:
    """The formats written in one piece."""
    if fmt in RDF_FORMATS:
        from llmrl_kg.export.rdf import serialize_rdf

        return serialize_rdf(fmt, paths, inferred)
    if fmt == "void":
        from llmrl_kg.export.void import void_turtle

        return void_turtle(paths).encode("utf-8")

    from llmrl_kg.export.records import load_kg

    kg = load_kg(paths, inferred=inferred)
    if fmt in NETWORK_FORMATS:
        from llmrl_kg.export.graphfiles import write_graph
        from llmrl_kg.export.network import methods_view

        return write_graph(methods_view(kg), fmt, view or "methods")
    if fmt == "csv":
        from llmrl_kg.export.tables import methods_csv

        return methods_csv(kg, source or "readme").encode("utf-8")
    if fmt == "markdown" and beyond_survey:
        from llmrl_kg.export.beyond import beyond_survey_table

        return beyond_survey_table(kg).encode("utf-8")
    if fmt == "markdown":
        from llmrl_kg.export.markdown import markdown_tables

        return markdown_tables(kg, source or "readme").encode("utf-8")
    if fmt == "bibtex":
        from llmrl_kg.export.bibtex import bibtex

        return bibtex(kg).encode("utf-8")
    from llmrl_kg.export.html import html_page

    return html_page(kg).encode("utf-8")
