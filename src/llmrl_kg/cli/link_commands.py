"""`link`: tie the KG's papers to their entities in Wikidata, dblp, SemOpenAlex and ORKG."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from llmrl_kg.errors import EXIT_FAILED, EXIT_OK
from llmrl_kg.link.session import TARGET_NAMES


@click.command()
@click.argument("target", type=click.Choice([*TARGET_NAMES, "all"]))
@click.option("--endpoint", metavar="URL", help="SPARQL endpoint to ask instead of the target's public one.")
@click.option("--output", metavar="FILE", type=click.Path(dir_okay=False),
              help="Where to write the links (default: data/links/TARGET.ttl).")
@click.option("--output-dir", metavar="DIR", type=click.Path(file_okay=False),
              help="Write DIR/TARGET.ttl instead (also for 'all').")
@click.option("--offline", is_flag=True, help="Use only cached answers; list the lookups that have none.")
@click.option("--refresh", is_flag=True, help="Ignore cached answers and ask the endpoint again.")
@click.option("--dry-run", is_flag=True, help="Look up and report, but write no link file.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=600), default=75.0, show_default=True,
              metavar="SECONDS", help="Total deadline of each request.")
@click.option("--retries", type=click.IntRange(min=0, max=10), default=3, show_default=True,
              help="Retries of a request after a transient failure (429, 503, deadline, ...).")
@click.option("--cache-dir", type=click.Path(file_okay=False), metavar="DIR",
              help="Folder of cached answers (default: the llmrl-kg cache folder, or $LLMRL_KG_CACHE, + /http).")
@click.option("--rejected", "rejected_file", type=click.Path(dir_okay=False), metavar="FILE",
              help="Rejected matches, tab-separated (default: data/links/rejected.tsv).")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the report.")
@click.option("--verbose", is_flag=True, help="List every lookup an --offline run has no cached answer for.")
def link(target: str, endpoint: str | None, output: str | None, output_dir: str | None, offline: bool,
         refresh: bool, dry_run: bool, timeout: float, retries: int, cache_dir: str | None,
         rejected_file: str | None, output_format: str, verbose: bool) -> None:
    """Link every paper to its entity in an external scholarly knowledge graph.

    TARGET is wikidata, dblp, semopenalex, orkg or all. Each paper is looked up by
    its arXiv ID and DOI (never by title), in batches; a paper with exactly one
    match gets `owl:sameAs` that entity, with a link record saying which
    identifier matched, at which endpoint and when. Papers with several matches
    are reported as ambiguous and not linked. The links are written atomically as
    canonical Turtle to data/links/TARGET.ttl.

    What is sent: SPARQL queries holding the papers' arXiv IDs and DOIs, to the
    target's public endpoint (or --endpoint, or a mirror named in
    $LLMRL_KG_ENDPOINTS as PUBLIC-URL=MIRROR-URL pairs), with a User-Agent naming
    llmrl-kg, its URL and a contact ($LLMRL_KG_CONTACT, else the issue tracker).

    Exit 0 when every target asked for was done, 1 when a target failed (its
    existing file is left untouched) or the data is invalid, 2 for usage errors.
    """
    from llmrl_kg.link.report import format_json, format_text
    from llmrl_kg.link.session import LinkOptions, run_link

    options = LinkOptions(target, endpoint=endpoint, output=_path(output), output_dir=_path(output_dir),
                          offline=offline, refresh=refresh, dry_run=dry_run, timeout=timeout, retries=retries,
                          cache_dir=_path(cache_dir), rejected_file=_path(rejected_file))

    def print_report(report) -> None:
        if output_format == "text":
            click.echo("\n".join(format_text(report, verbose=verbose)))

    run = run_link(options, on_report=print_report,
                   log=lambda message: click.echo(f"llmrl-kg link: {message}", err=True))
    if output_format == "json":
        click.echo(format_json(run.reports))
    elif len(run.reports) > 1:
        failed = [r.target for r in run.reports if not r.ok]
        click.echo(f"failed: {', '.join(failed)}" if failed else "all targets done")
    if run.cache_failures:
        click.echo(f"llmrl-kg link: warning: {run.cache_failures} answers could not be cached in "
                   f"{run.cache_directory}", err=True)
    sys.exit(EXIT_OK if run.ok else EXIT_FAILED)


def _path(value: str | None) -> Path | None:
    return Path(value) if value else None
