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
    "ask": ("llmrl_kg.cli.query_commands", "ask", "Answer a question in plain English."),
    "export": ("llmrl_kg.cli.export_commands", "export", "Export the KG (RDF, networks, tables, BibTeX, HTML)."),
    "docs": ("llmrl_kg.cli.export_commands", "docs", "Write HTML documentation of the ontology."),
    "new": ("llmrl_kg.cli.maintainer_commands", "new", "Write a new, validated method file."),
    "link": ("llmrl_kg.cli.link_commands", "link", "Link papers to Wikidata, dblp, SemOpenAlex, ORKG."),
    "load": ("llmrl_kg.cli.store_commands", "load", "Load the KG into a persistent store or a SPARQL server."),
    "serve": ("llmrl_kg.cli.store_commands", "serve", "Serve the KG over SPARQL (Oxigraph server)."),
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

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else None
        if name is not None and name not in COMMANDS and not name.startswith("-"):
            import difflib

            close = difflib.get_close_matches(name, list(COMMANDS), n=3)
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            ctx.fail(f"No such command '{name}'.{hint}")
        return super().resolve_command(ctx, args)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("llmrl-kg")
    except PackageNotFoundError:
        return "unknown"


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="llmrl-kg", message="%(prog)s %(version)s")
def cli() -> None:
    """The knowledge graph of LLM- and VLM-integrated reinforcement learning research.

    Built from the survey "The Evolving Landscape of LLM- and VLM-Integrated
    Reinforcement Learning" (arXiv 2502.15214, IJCAI 2025).
    """


def main() -> None:
    """Entry point: run the CLI; turn unexpected errors into a one-line message and exit 3."""
    try:
        cli.main(prog_name="llmrl-kg", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # noqa: BLE001 - the user must never see a traceback
        click.echo(f"llmrl-kg: internal error: {type(error).__name__}: {error}", err=True)
        click.echo("Please report this with the command you ran.", err=True)
        sys.exit(3)
