"""`link`: tie the KG's papers to their entities in Wikidata, dblp, SemOpenAlex and ORKG."""

from __future__ import annotations

import sys
from pathlib import Path

import click

TARGET_NAMES = ("wikidata", "dblp", "semopenalex", "orkg")


def _usage_error(message: str) -> None:
    click.echo(f"llmrl-kg link: {message}", err=True)
    sys.exit(2)


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
def link(target: str, endpoint: str | None, output: str | None, output_dir: str | None, offline: bool,
         refresh: bool, dry_run: bool, timeout: float, retries: int, cache_dir: str | None,
         rejected_file: str | None, output_format: str) -> None:
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
    from .. import resources
    from ..dataset import LoadError
    from ..link import aligner as make_aligner
    from ..link.cache import ResponseCache, default_cache_dir
    from ..link.client import SparqlClient, check_endpoint_url, endpoint_overrides
    from ..link.papers import load_papers
    from ..link.rejected import default_rejected_file, load_rejected
    from ..link.report import format_json, format_text
    from ..link.runner import link_target
    from ..sources import display_name

    targets = list(TARGET_NAMES) if target == "all" else [target]
    if target == "all" and (endpoint or output):
        _usage_error("--endpoint and --output need a single TARGET, not 'all' (use --output-dir)")
    if output and output_dir:
        _usage_error("give --output or --output-dir, not both")
    if offline and refresh:
        _usage_error("--offline and --refresh exclude each other")
    overrides = endpoint_overrides()
    given = [("--endpoint", endpoint)] if endpoint else []
    for option, url in given + [("$LLMRL_KG_ENDPOINTS", url) for url in overrides.values()]:
        try:
            check_endpoint_url(url)
        except ValueError as error:
            _usage_error(f"{option}: {error}")

    rejected_path = Path(rejected_file) if rejected_file else default_rejected_file()
    if rejected_file and not rejected_path.is_file():
        _usage_error(f"--rejected: no such file: {rejected_file}")
    rejected, findings = load_rejected(rejected_path, set(TARGET_NAMES), display_name(rejected_path))
    if findings:
        for finding in findings:
            click.echo(finding.format(), err=True)
        sys.exit(1)
    try:
        papers = load_papers()
    except LoadError as error:
        click.echo(str(error), err=True)
        sys.exit(1)

    cache = ResponseCache(Path(cache_dir) if cache_dir else default_cache_dir())
    client = SparqlClient(cache=cache, offline=offline, refresh=refresh, timeout=timeout, retries=retries,
                          log=lambda message: click.echo(f"llmrl-kg link: {message}", err=True))
    reports = []
    for name in targets:
        aligner = make_aligner(name)
        folder = Path(output_dir) if output_dir else resources.data_dir() / "links"
        path = Path(output) if output else folder / f"{name}.ttl"
        url = endpoint or overrides.get(aligner.endpoint, aligner.endpoint)
        report = link_target(aligner, papers, client, endpoint=url, output=path,
                             output_display=display_name(path), rejected=rejected, dry_run=dry_run)
        reports.append(report)
        if output_format == "text":
            click.echo("\n".join(format_text(report)))
    if output_format == "json":
        click.echo(format_json(reports))
    elif len(reports) > 1:
        failed = [r.target for r in reports if not r.ok]
        click.echo(f"failed: {', '.join(failed)}" if failed else "all targets done")
    if client.cache_failures:
        click.echo(f"llmrl-kg link: warning: {client.cache_failures} answers could not be cached in "
                   f"{cache.directory}", err=True)
    sys.exit(0 if all(r.ok for r in reports) else 1)
