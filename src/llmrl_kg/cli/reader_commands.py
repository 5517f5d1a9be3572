"""`ask`, `show`, `codes`: the KG for readers — questions in plain English, cards, the survey's legend.

Like the query commands, these import only pyoxigraph and the package's own
small modules, and run their SPARQL on any store (`--store`, `--endpoint`).
"""

from __future__ import annotations

import click

from llmrl_kg.cli.common import emit, format_option, resolve_format, source_option
from llmrl_kg.cli.store_options import store_options


def _print_answer(answer, explain: bool, fmt: str | None) -> None:
    """`read as:` and notes on stderr; with --explain the reading and the SPARQL; then the rows."""
    fmt = resolve_format(fmt)
    click.echo(f"read as: {answer.read_as}", err=True)
    for note in answer.notes:
        click.echo(f"note: {note}", err=True)
    if explain:
        explanation = ("understood:\n" + "".join(f"  {line}\n" for line in answer.understood)
                       + "facets:\n" + "".join(f"  {line}\n" for line in answer.facets)
                       + "sparql:\n" + "".join(f"  {line}\n" for line in answer.sparql.splitlines()) + "\n")
        # Keep machine-readable output clean: the explanation goes to stderr for csv/tsv/json.
        if fmt in ("table", "markdown"):
            emit(explanation)
        else:
            click.echo(explanation, err=True, nl=False)
    emit(answer.table.render(fmt))


@click.command()
@click.argument("question")
@click.option("--explain", is_flag=True, help="Also print how the question was read and the SPARQL that ran.")
@source_option
@format_option
@store_options
def ask(question: str, explain: bool, source: str, fmt: str | None, backend) -> None:
    """Answer a question in plain English, e.g. "non-fine-tuned planners using GPT-4".

    Lists with conditions ("VLM agents since 2024", "reward models not using a
    VLM"), facts ("who wrote Reflexion?"), definitions ("what does rft mean?"),
    counts ("how many planners use GPT-4?"), superlatives ("which model is used
    most?"), comparisons ("compare SayCan and Inner Monologue") and yes/no
    questions ("does Eureka fine-tune its model?"). The words are matched
    against the KG's own names; no language model and no network. A question
    with a word it cannot place is refused (exit 2), never answered in part.
    """
    from llmrl_kg.api import KnowledgeGraph

    _print_answer(KnowledgeGraph(backend).ask(question, source=source.lower()), explain, fmt)


@click.command()
@click.argument("name")
@click.option("--explain", is_flag=True, help="Also print the SPARQL that ran.")
@format_option
@store_options
def show(name: str, explain: bool, fmt: str | None, backend) -> None:
    """Show every fact the KG holds about NAME: a method, paper, model, benchmark, organisation, author or code.

    Facts of the survey's table rows are shown side by side, README and paper;
    links (IRI, code, arXiv, DOI) are rows too. NAME is a label, alias, title or
    code, in any case; a close misspelling gets the closest names.
    """
    from llmrl_kg.api import KnowledgeGraph
    from llmrl_kg.query.cards import show_card

    kg = KnowledgeGraph(backend)
    from llmrl_kg.query.questions.lexicon import Lexicon

    lexicon = Lexicon.load(backend, kg.vocabulary)
    _print_answer(show_card(name, lexicon, backend), explain, fmt)


@click.command()
@click.argument("scheme", required=False)
@format_option
@store_options
def codes(scheme: str | None, fmt: str | None, backend) -> None:
    """The survey's legend: every code with its label and definition (of one code list, when SCHEME is given).

    SCHEME is a code list: rl-role, fm-role, fine-tuning, metric, rl-agent,
    rl-task, rl-setting (or its label, e.g. "RL roles").
    """
    from llmrl_kg.query.legend import legend

    table, _query = legend(backend, scheme)
    emit(table.render(resolve_format(fmt)))
