"""`new`: the maintainer's command that adds a method to the KG."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from llmrl_kg.cli.common import TermChoice
from llmrl_kg.kg import model


class NeededOption(click.Option):
    """An option `new` cannot do without, marked [required] in --help.

    `new` checks these itself, after the METHOD-ID and role, so that it can name
    every missing option at once with what to give, instead of click's first one.
    """

    def get_help_extra(self, ctx: click.Context):
        extra = super().get_help_extra(ctx)
        extra["required"] = "required"
        return extra


@click.command()
@click.argument("method_id", metavar="METHOD-ID")
@click.option("--name", required=True, help='The method\'s name as the survey writes it, e.g. "AGILE".')
@click.option("--role", required=True, type=TermChoice(model.LEAVES),
              help="Its sub-role in the taxonomy (picks the README table); `incremental` and the like also work.")
@click.option("--model", "models", multiple=True, cls=NeededOption,
              help="A foundation model of the KG (label, alias or id); repeat, in printed order.")
@click.option("--fine-tuned", default="no", show_default=True, type=TermChoice(model.FINE_TUNING),
              help="Fine-tuning: full (✓), peft (✓*) or no (×).")
@click.option("--rl-role", "rl_roles", multiple=True, cls=NeededOption,
              help="An RL-role code: pi, pi_l, v_l, rft, tau_pi, … (or π_l); repeat.")
@click.option("--metric", "metrics", multiple=True, cls=NeededOption,
              help="A metric code: acc, sr, rew, gen, rob, se, exp, al, int; repeat.")
@click.option("--code", help="URL of the code repository (the README's Link); omit for '-'.")
@click.option("--arxiv", help="arXiv identifier of the paper, e.g. 2405.14751 (its abstract page becomes a source).")
@click.option("--source", "sources", multiple=True,
              help="URL of a public page you read the paper's facts from (venue page, repository); repeat. "
                   "Required unless --arxiv is given.")
@click.option("--title", cls=NeededOption, help="Title of the paper.")
@click.option("--year", help="Publication year (required unless --arxiv gives it).")
@click.option("--authors", cls=NeededOption, help='Authors, "; "-separated, ending "; et al." if incomplete.')
@click.option("--venue", help='Venue as the survey cites it, e.g. "NeurIPS 2024".')
@click.option("--citation", help='The README\'s citation (default from authors and year, e.g. "Feng et al., 2024").')
@click.option("--benchmark", "benchmarks", multiple=True, help="A benchmark of the KG the method is evaluated on; repeat.")
@click.option("--output", type=click.Path(dir_okay=False), help="Where to write (default data/methods/METHOD-ID.ttl).")
@click.option("--no-reasoning", is_flag=True, help="Skip the OWL-RL consistency check of the new file.")
def new(method_id: str, name: str, role: str, models: tuple[str, ...], fine_tuned: str, rl_roles: tuple[str, ...],
        metrics: tuple[str, ...], code: str | None, arxiv: str | None, title: str | None, year: str | None,
        authors: str | None, venue: str | None, citation: str | None, benchmarks: tuple[str, ...],
        sources: tuple[str, ...], output: str | None, no_reasoning: bool) -> None:
    """Write a new method file: the method, its README-style table row and its paper.

    The options are checked first (every missing one is named, placeholders such
    as "..." are refused); then the file is validated together with the shipped
    KG before it is written; an invalid one is refused with the findings and
    nothing is written. Then run `llmrl-kg validate`, `llmrl-kg fmt --check` and
    `llmrl-kg export markdown`. Exit 0 written, 1 missing options or an invalid
    file, 2 usage error (unknown model, placeholder, existing file, …).
    """
    from llmrl_kg.kg.loader import LoadError
    from llmrl_kg.kg.newmethod import MethodSpec, NewMethodError, create_method_file

    spec = MethodSpec(method_id=method_id, name=name, role=role, models=list(models), fine_tuned=fine_tuned,
                      rl_roles=list(rl_roles), metrics=list(metrics), code=code, arxiv=arxiv, title=title,
                      year=year, authors=authors, venue=venue, citation=citation, benchmarks=list(benchmarks), sources=list(sources))
    try:
        result = create_method_file(spec, Path(output) if output else None, reason=not no_reasoning)
    except NewMethodError as error:
        click.echo(f"llmrl-kg new: {error}", err=True)
        sys.exit(2)
    except LoadError as error:
        click.echo(f"llmrl-kg new: the shipped KG does not load: {error}", err=True)
        sys.exit(1)
    except OSError as error:
        click.echo(f"llmrl-kg new: cannot write: {error.strerror or error}", err=True)
        sys.exit(2)
    for finding in result.findings:
        click.echo(finding.format(), err=not result.written)
    if not result.written:
        errors = sum(1 for f in result.findings if f.severity == "error")
        why = (f"{errors} required option(s) missing" if not result.complete
               else f"the new file would be invalid ({errors} errors)")
        click.echo(f"refused: {why}; nothing was written.", err=True)
        sys.exit(1)
    target = output or f"data/methods/{method_id}.ttl"
    click.echo(f"wrote {target}; next: llmrl-kg validate && llmrl-kg export markdown")
