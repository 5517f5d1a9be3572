"""The `llmrl-kg` command: one group, whose subcommands are imported only when they run.

Importing every subcommand up front would pull rdflib, pyshacl and networkx
into every call; a lazy group keeps `llmrl-kg query` and `llmrl-kg methods` fast.
"""

from __future__ import annotations

import importlib
import sys

import click

# name -> (module, attribute, one-line help shown by `llmrl-kg --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "validate": ("llmrl_kg.cli.kg_commands", "validate", "Check the KG: syntax, shapes, vocabulary, consistency."),
    "fmt": ("llmrl_kg.cli.kg_commands", "fmt", "Rewrite Turtle files in canonical form (or --check)."),
    "queries": ("llmrl_kg.cli.query_commands", "queries", "List the saved SPARQL queries."),
    "query": ("llmrl_kg.cli.query_commands", "query", "Run a saved query with parameters."),
    "sparql": ("llmrl_kg.cli.query_commands", "sparql", "Run an ad-hoc read-only SPARQL query."),
    "methods": ("llmrl_kg.cli.query_commands", "methods", "Find methods by role, fine-tuning, model, codes, year."),
    "ask": ("llmrl_kg.cli.reader_commands", "ask", "Answer a question in plain English."),
    "show": ("llmrl_kg.cli.reader_commands", "show", "Show every fact about a method, paper, model, benchmark, ..."),
    "codes": ("llmrl_kg.cli.reader_commands", "codes", "The survey's legend: every code with its definition."),
    "export": ("llmrl_kg.cli.export_commands", "export", "Export the KG (RDF, networks, tables, BibTeX, HTML)."),
    "docs": ("llmrl_kg.cli.export_commands", "docs", "Write HTML documentation of the ontology."),
    "new": ("llmrl_kg.cli.maintainer_commands", "new", "Write a new, validated method file."),
    "link": ("llmrl_kg.cli.link_commands", "link", "Link papers to Wikidata, dblp, SemOpenAlex, ORKG."),
    "load": ("llmrl_kg.cli.store_commands", "load", "Load the KG into a persistent store or a SPARQL server."),
    "serve": ("llmrl_kg.cli.store_commands", "serve", "Serve the KG over SPARQL (Oxigraph server)."),
    "site": ("llmrl_kg.cli.site_commands", "site", "Write the KG as a static website (--serve previews it)."),
    "readme": ("llmrl_kg.cli.readme_commands", "readme", "Refresh (or --check) the KG summary in README.md."),
}


class LazyGroup(click.Group):
    """A click group that imports a subcommand's module only when that subcommand is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _help = COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        """Run the subcommand; a `KGError` becomes `llmrl-kg: message` on stderr and its exit code."""
        from llmrl_kg.errors import KGError

        try:
            return super().invoke(ctx)
        except KGError as error:
            click.echo(_message(error), err=True)
            ctx.exit(error.exit_code)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else None
        if name is not None and name not in COMMANDS and not name.startswith("-"):
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            ctx.fail(f"No such command '{name}'.{hint}")
        return super().resolve_command(ctx, args)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="llmrl-kg", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, envvar="LLMRL_KG_DEBUG",
              help="On an internal error, print the full traceback (for bug reports).")
@click.option("--kg", "kg_folder", metavar="PATH", type=click.Path(file_okay=False),
              help="Work on the KG in this folder (a checkout: ontology/, data/, queries/). "
                   "Default: the checkout around the current folder, else the installed copy (read-only).")
def cli(debug: bool, kg_folder: str | None) -> None:
    """The knowledge graph of LLM- and VLM-integrated reinforcement learning research.

    Built from the survey "The Evolving Landscape of LLM- and VLM-Integrated
    Reinforcement Learning" (arXiv 2502.15214, IJCAI 2025).
    """
    _settings["debug"] = debug
    if kg_folder:
        import os

        from llmrl_kg.locations import ROOT_VARIABLE

        os.environ[ROOT_VARIABLE] = kg_folder


_settings = {"debug": False}


def _message(error) -> str:
    """How a `KGError` is shown: `llmrl-kg: message` (findings as they are), then the fix."""
    from llmrl_kg.kg.findings import terminal_safe

    # Each line escaped: a message may quote the user's input, which must not drive the terminal.
    text = "\n".join(terminal_safe(line) for line in error.describe().split("\n"))
    return f"llmrl-kg: {text}" if error.prefixed else text


def main() -> None:
    """Entry point: run the CLI; a `KGError` becomes its message and exit code, a bug exit 3."""
    from llmrl_kg.errors import EXIT_INTERNAL, EXIT_INTERRUPTED, KGError

    try:
        cli.main(prog_name="llmrl-kg", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except KGError as error:  # raised outside a subcommand (the group's own callback)
        click.echo(_message(error), err=True)
        sys.exit(error.exit_code)
    except Exception as error:  # noqa: BLE001 - the user must never see a traceback unless asked
        if _settings["debug"]:
            import traceback

            traceback.print_exc()
        click.echo(f"llmrl-kg: internal error: {type(error).__name__}: {error}", err=True)
        click.echo("Please report this with the command you ran (add --debug for the traceback).", err=True)
        sys.exit(EXIT_INTERNAL)
