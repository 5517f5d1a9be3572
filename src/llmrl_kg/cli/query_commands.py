"""`queries`, `query`, `sparql`, `methods`: the semantic query layer on the command line.

Only pyoxigraph and the package's own small modules are imported here: these
commands must start fast. Output is an aligned table on a terminal and
tab-separated values when piped, unless --format says otherwise.
"""

from __future__ import annotations

import sys

import click

from llmrl_kg.cli.common import TermChoice, format_option, source_option
from llmrl_kg.cli.common import emit as _emit
from llmrl_kg.cli.common import fail as _fail
from llmrl_kg.cli.common import resolve_format as _resolve_format
from llmrl_kg.cli.store_options import store_options
from llmrl_kg.kg.model import FINE_TUNED_WORDS, ROLES

# --- queries / query ------------------------------------------------------------------------------


@click.command()
@click.argument("name", required=False)
@format_option
def queries(name: str | None, fmt: str | None) -> None:
    """List the saved SPARQL queries, or describe the one called NAME.

    Each saved query is a .rq file in queries/ whose comment header gives its
    title, description, question and parameters. Run one with
    `llmrl-kg query NAME --param KEY=VALUE`.
    """
    from llmrl_kg.api import KnowledgeGraph

    kg = KnowledgeGraph()
    table = kg.describe_query(name) if name else kg.query_list()
    _emit(table.render(_resolve_format(fmt)))


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="--param")
        key = key.strip().replace("-", "_")
        if key in values:
            raise click.BadParameter(f"{key!r} is given twice", param_hint="--param")
        values[key] = value
    return values


@click.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter value (repeatable). `llmrl-kg queries NAME` lists the parameters.")
@format_option
@click.option("--online", is_flag=True,
              help="Allow a federated query (header `network: required`) to call remote SPARQL endpoints.")
@click.option("--show-sparql", is_flag=True,
              help="Print the query with its parameters as a VALUES block instead of running it.")
@store_options
def query(name: str, params: tuple[str, ...], fmt: str | None, online: bool, show_sparql: bool,
          backend) -> None:
    """Run the saved query NAME with parameters.

    Values are bound as RDF terms, never pasted into the query. Codes (RL role,
    FM role, metric, fine-tuning) are accepted as the survey prints them (π_l),
    in ASCII (pi_l) or by name. Unknown queries or parameters are reported with
    the closest names.
    """
    from llmrl_kg.api import KnowledgeGraph

    kg = KnowledgeGraph(backend)
    values = _parse_params(params)
    if show_sparql:
        _emit(kg.query_text(name, **values))
        return
    _emit(kg.query(name, online=online, **values).render(_resolve_format(fmt)))


# --- sparql ---------------------------------------------------------------------------------------


@click.command()
@click.argument("query_text", metavar="QUERY", required=False)
@click.option("--file", "-f", "query_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read the query from this file ('-' for standard input).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
              help="Seconds the query may run; it is stopped after that.")
@click.option("--limit", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Most rows (or triples) printed; a note on stderr says when more exist.")
@format_option
@store_options
def sparql(query_text: str | None, query_file: str | None, timeout: float, limit: int, fmt: str | None,
           backend) -> None:
    """Run an ad-hoc read-only SPARQL query (QUERY, or -f FILE) on the KG with its inferences.

    The default graph is the union of all graphs. SELECT prints rows, ASK
    prints true or false, CONSTRUCT and DESCRIBE print N-Triples. Updates,
    SERVICE and FROM / FROM NAMED are refused: nothing is written or fetched.
    Prefixes of the project (llmrl:, method:, model:, rdfs:, skos:, ...) are predeclared.
    """
    from llmrl_kg.api import KnowledgeGraph
    from llmrl_kg.rdf.oxtypes import ntriples_bytes

    if (query_text is None) == (query_file is None):
        raise click.UsageError("give either a QUERY or -f FILE")
    if query_file is not None:
        query_text = _read_query_file(query_file)
    assert query_text is not None
    result = KnowledgeGraph(backend).sparql(query_text, timeout=timeout, limit=limit)
    if isinstance(result, bool):
        _emit(("true" if result else "false") + "\n")
    elif isinstance(result, list):
        _emit(ntriples_bytes(result).decode("utf-8"))
    else:
        _emit(result.render(_resolve_format(fmt)))
    if getattr(result, "more", False):
        click.echo(f"note: {limit} {'rows' if hasattr(result, 'columns') else 'triples'} shown; more exist "
                   "(raise --limit, or narrow the query)", err=True)


def _read_query_file(query_file: str) -> str:
    """The query text of -f FILE ('-': standard input), at most MAX_QUERY_CHARS + 1 characters read."""
    from llmrl_kg.rdf.sparqltext import MAX_QUERY_CHARS

    try:
        if query_file == "-":
            return sys.stdin.read(MAX_QUERY_CHARS + 1)
        with open(query_file, encoding="utf-8") as handle:
            return handle.read(MAX_QUERY_CHARS + 1)
    except (OSError, UnicodeDecodeError) as error:
        _fail(f"cannot read {query_file}: {getattr(error, 'strerror', None) or error}")
    return ""


# --- methods / ask ---------------------------------------------------------------------------------

# Role and fine-tuning words, read from the ontology (kg/model.py); old spellings are accepted too.
ROLE_CHOICES = TermChoice(ROLES)


@click.command()
@click.option("--role", multiple=True, type=ROLE_CHOICES,
              help="Integration role or sub-role (repeatable; all must hold).")
@click.option("--fine-tuned", "fine_tuned", multiple=True, type=TermChoice(FINE_TUNED_WORDS),
              help="full = ✓, peft = ✓*, yes = either, no = ×.")
@click.option("--model", multiple=True, metavar="NAME",
              help="A model by its label or alias, any case (GPT-4 does not match GPT-4V).")
@click.option("--rl-role", "rl_role", multiple=True, metavar="CODE",
              help="RL role code: π, π_l (pi_l), π_g, v, v_l, v_g, rft, τ_π (tau_pi), o, n/a, ref. "
                   "A code includes its narrower codes (π includes π_l and π_g).")
@click.option("--fm-role", "fm_role", multiple=True, metavar="CODE",
              help="FM role code (paper only): act, plan, rew, wm, eval, cr, ref, o.")
@click.option("--metric", multiple=True, metavar="CODE",
              help="Metric code: acc, sr, rew, gen, rob, se, exp, al, int.")
@click.option("--modality", multiple=True, type=click.Choice(("llm", "vlm"), case_sensitive=False),
              help="Uses at least one model of this kind.")
@click.option("--year-from", type=click.IntRange(1900, 2100), help="Published in this year or later.")
@click.option("--year-to", type=click.IntRange(1900, 2100), help="Published in this year or earlier.")
@click.option("--has-code", is_flag=True, help="A code repository is linked.")
@source_option
@format_option
@store_options
def methods(role, fine_tuned, model, rl_role, fm_role, metric, modality, year_from, year_to, has_code,
            source, fmt, backend) -> None:
    """Find the survey's methods by role, fine-tuning, model, codes and year.

    Every option can be repeated and all conditions must hold. Rows are sorted
    by name; the first column, `method`, is the name as the survey writes it.
    """
    from llmrl_kg.api import KnowledgeGraph

    table = KnowledgeGraph(backend).methods(
        role=[r.lower() for r in role], fine_tuned=[f.lower() for f in fine_tuned], model=model,
        rl_role=rl_role, fm_role=fm_role, metric=metric, modality=[m.lower() for m in modality],
        year_from=year_from, year_to=year_to, has_code=has_code, source=source.lower())
    _emit(table.render(_resolve_format(fmt)))
