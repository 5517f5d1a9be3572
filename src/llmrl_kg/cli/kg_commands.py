"""`validate` and `fmt`: checking and formatting the curated files."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from llmrl_kg.cli.common import fail
from llmrl_kg.errors import EXIT_FAILED, EXIT_OK
from llmrl_kg.kg.findings import findings_json


def _existing_paths(paths: tuple[str, ...]) -> list[Path]:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        fail(f"no such file or folder: {', '.join(missing)}")
    return [Path(p) for p in paths]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="How to print the findings.")
@click.option("--no-reasoning", is_flag=True, help="Skip the OWL-RL consistency check.")
def validate(paths: tuple[str, ...], output_format: str, no_reasoning: bool) -> None:
    """Validate the shipped knowledge graph, or the given Turtle files and folders.

    Checks, in order: strict Turtle syntax, data hygiene (no blank nodes, shapes
    or imports), vocabulary closure (every class and property is declared),
    duplicate records and records described outside their own file, printed
    cells (a table cell's text agrees with its codes), the taxonomy types, the
    SHACL shapes, and OWL-RL consistency (disjoint classes, ill-typed literals). Given files are
    checked together with the shipped KG they extend. Exit 0 valid, 1 invalid,
    2 usage or I/O error. Nothing is written and nothing is fetched.
    """
    from llmrl_kg import locations
    from llmrl_kg.kg.validate import validate as run_validation

    targets = _existing_paths(paths) or None
    kg = locations.describe_root()
    click.echo(f"checking {', '.join(paths)} with the KG of {kg}" if paths else f"checking the KG of {kg}", err=True)
    report = run_validation(targets, reason=not no_reasoning)
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
            f"{_count(s['errors'], 'error')}, {_count(s['warnings'], 'warning')}"
        )
    sys.exit(EXIT_OK if report.valid else EXIT_FAILED)


@click.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--check", is_flag=True, help="Only report files that are not canonical; change nothing.")
def fmt(paths: tuple[str, ...], check: bool) -> None:
    """Rewrite curated Turtle files in canonical form (default: every file under data/).

    Each file is rewritten atomically; a file that does not parse is left as it is.
    With --check nothing is written and the exit code is 1 if any file would change.
    """
    from llmrl_kg import locations
    from llmrl_kg.kg.files import discover
    from llmrl_kg.kg.fmt import format_files

    targets = discover(_existing_paths(paths) or [locations.data_dir() if check else locations.writable_data_dir("fmt")])
    results = format_files(targets, check)
    failed = [r for r in results if r.finding]
    changed = [r for r in results if r.changed]
    for result in failed:
        assert result.finding is not None
        click.echo(result.finding.format(), err=True)
    for result in changed:
        click.echo(f"{result.display}: {'not canonical' if check else 'reformatted'}")
    if check and changed:
        click.echo(f"{len(changed)} of {len(results)} files are not canonical; run `llmrl-kg fmt` to fix them.")
    elif not changed and not failed:
        click.echo(f"{len(results)} files already canonical.")
    sys.exit(EXIT_FAILED if failed or (check and changed) else EXIT_OK)
