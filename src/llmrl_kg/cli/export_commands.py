"""`export` and `docs`: the KG in other formats, and the ontology's HTML documentation."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from llmrl_kg.cli.common import fail as _fail
from llmrl_kg.export import EXPORT_FORMATS, SOURCES, VIEWS


@click.command()
@click.argument("fmt", metavar="FORMAT", type=click.Choice(EXPORT_FORMATS))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file (atomically) instead of stdout.")
@click.option("--inferred", is_flag=True, help="Include the OWL-RL inferences (RDF formats and --view full).")
@click.option("--view", type=click.Choice(VIEWS), default=None,
              help="Network formats: the compact methods view (default) or every resource.")
@click.option("--source", type=click.Choice(SOURCES), default=None,
              help="csv/markdown: the README's values (default) or the paper's Table 1 values.")
@click.option("--open", "open_page", is_flag=True, help="html: open the written page in the web browser.")
@click.option("--beyond-survey", is_flag=True,
              help="markdown: the table of methods added beyond the survey (stated by llmrl-kg curation).")
def export(fmt: str, output: str | None, inferred: bool, view: str | None, source: str | None,
           open_page: bool, beyond_survey: bool) -> None:
    """Export the knowledge graph as FORMAT.

    \b
    RDF:     turtle, ntriples, jsonld (compact @context), trig (one named graph per file)
    network: graphml, gexf, cytoscape (Cytoscape.js JSON), dot  (--view methods|full)
    tables:  csv (one row per method), markdown (the README's six detailed tables)
    other:   bibtex (every paper), html (one self-contained interactive page),
             void (the VoID/DCAT description shipped as data/void.ttl)

    Writes to stdout, or atomically to --output. Exit 0 done, 1 the KG's files
    do not load, 2 usage or I/O error. Nothing is fetched.

    \b
    A picture of the taxonomy in the browser:
      llmrl-kg export html -o llmrl-kg.html --open
    """
    from llmrl_kg.export import export_chunks

    if open_page and (fmt != "html" or output is None):
        _fail("--open needs the html format and an --output file", 2)
    chunks = export_chunks(fmt, inferred=inferred, view=view, source=source, beyond_survey=beyond_survey)
    if output is not None and not Path(output).parent.is_dir():
        _fail(f"cannot write {output}: the folder {Path(output).parent} does not exist (create it first)", 2)
    if output is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return
    from llmrl_kg.rdf.atomic import write_atomically

    try:
        written = write_atomically(Path(output), chunks)
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}", 2)
    click.echo(f"wrote {output} ({written} bytes, {fmt})", err=True)
    if open_page:
        import webbrowser

        if not webbrowser.open(Path(output).resolve().as_uri()):
            click.echo(f"no web browser found; open {Path(output).resolve()} yourself", err=True)


@click.command()
@click.option("-o", "--output", "directory", required=True, type=click.Path(file_okay=False),
              help="Folder to write index.html into (created if missing).")
def docs(directory: str) -> None:
    """Write HTML documentation of the ontology to DIR/index.html.

    Every class, property and code list with its definition (pyLODE, plus a
    section for the SKOS code lists). Works offline: nothing is fetched.
    """
    from llmrl_kg.export.ontodocs import write_docs

    target = Path(directory)
    if target.exists() and not target.is_dir():
        _fail(f"{directory} exists and is not a folder", 2)
    try:
        written = write_docs(target)
    except OSError as error:
        _fail(f"cannot write into {directory}: {error.strerror or error}", 2)
    click.echo(f"wrote {written}")
