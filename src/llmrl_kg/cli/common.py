"""What every command shares: the output format option, writing to stdout, failing with a message."""

from __future__ import annotations

import sys
from typing import NoReturn

import click

from llmrl_kg.errors import EXIT_USAGE, KGError
from llmrl_kg.kg import model
from llmrl_kg.query.output import RESULT_FORMATS, default_format

format_option = click.option(
    "--format", "fmt", type=click.Choice(RESULT_FORMATS, case_sensitive=False), default=None,
    help="Output format. Default: an aligned table on a terminal, tab-separated values when piped.")

source_option = click.option(
    "--source", type=click.Choice(("readme", "paper", "survey", "curation", "any"), case_sensitive=False),
    default="any", show_default=True,
    help="Which rows count: the survey's README, its paper, either (survey), this KG's curation "
         "(methods beyond the survey), or any of them.")


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Stop the command: the CLI prints `llmrl-kg: message` and exits with `code`."""
    raise KGError(message, exit_code=code)


def emit(text: str) -> None:
    """Write to stdout; a closed pipe (`| head`) ends the command quietly."""
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:
        try:
            sys.stdout = None  # type: ignore[assignment]  # nothing more can be written
        finally:
            sys.exit(0)


def resolve_format(fmt: str | None) -> str:
    """The format asked for, else a table on a terminal and TSV in a pipe."""
    return fmt.lower() if fmt else default_format(sys.stdout.isatty())


class TermChoice(click.Choice):
    """A click.Choice over one of the ontology's name tables (`model.ROLES`, `model.LEAVES`, ...).

    The names are read when first needed (for --help or a value), not when the
    CLI is imported; `--help` and errors list the canonical names, and a value
    may also be an alias (`incremental` for `incremental-planner`), in any case.
    """

    def __init__(self, table: model.Choices) -> None:  # the choices are a property, not a stored tuple
        self.table = table
        self.case_sensitive = False

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(self.table)

    def convert(self, value, param, ctx):
        canonical = self.table.canonical(value) if isinstance(value, str) else None
        return super().convert(canonical or value, param, ctx)
