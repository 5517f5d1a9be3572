"""`validate` and `fmt`: checking and formatting the curated files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..findings import findings_json


def _existing_paths(paths: tuple[str, ...]) -> list[Path]:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        click.echo(f"llmrl-kg: no such file or folder: {', '.join(missing)}", err=True)
        sys.exit(2)
    return [Path(p) for p in paths]


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the findings.")
@click.option("--no-reasoning", is_flag=True, help="Skip the OWL-RL consistency check.")
def validate(paths: tuple[str, ...], output_format: str, no_reasoning: bool) -> None:
    """Validate the shipped knowledge graph, or the given Turtle files and folders.

    Checks, in order: strict Turtle syntax, data hygiene (no blank nodes, shapes
    or imports), vocabulary closure (every class and property is declared),
    duplicate records, the SHACL shapes, and OWL-RL consistency. Given files are
    checked together with the shipped KG they extend. Exit 0 valid, 1 invalid,
    2 usage or I/O error. Nothing is written and nothing is fetched.
    """
    from ..validate import validate as run_validation

    report = run_validation(_existing_paths(paths) or None, reason=not no_reasoning)
    s = report.summary
    if output_format == "json":
        click.echo(findings_json(report.findings, s))
    else:
        for finding in report.findings:
            click.echo(finding.format())
        verdict = "valid" if report.valid else "INVALID"
        click.echo(
            f"{verdict}: checked {s['files']} files, {s['methods']} methods ({s['table_methods']} in "
            f"Table 1), {s['papers']} papers, {s['models']} models, {s['triples']} triples; "
            f"{s['errors']} errors, {s['warnings']} warnings"
        )
    sys.exit(0 if report.valid else 1)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True, help="Only report files that are not canonical; change nothing.")
def fmt(paths: tuple[str, ...], check: bool) -> None:
    """Rewrite curated Turtle files in canonical form (default: every file under data/).

    Each file is rewritten atomically; a file that does not parse is left as it is.
    With --check nothing is written and the exit code is 1 if any file would change.
    """
    from .. import resources
    from ..formatting import format_files
    from ..sources import discover

    targets = discover(_existing_paths(paths) or [resources.data_dir()])
    results = format_files(targets, check)
    failed = [r for r in results if r.finding]
    changed = [r for r in results if r.changed]
    for result in failed:
        click.echo(result.finding.format(), err=True)
    for result in changed:
        click.echo(f"{result.display}: {'not canonical' if check else 'reformatted'}")
    if check and changed:
        click.echo(f"{len(changed)} of {len(results)} files are not canonical; run `llmrl-kg fmt` to fix them.")
    elif not changed and not failed:
        click.echo(f"{len(results)} files already canonical.")
    sys.exit(1 if failed or (check and changed) else 0)
