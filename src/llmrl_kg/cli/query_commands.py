"""`queries`, `query`, `sparql`, `methods`, `ask`: the semantic query layer on the command line.

Only pyoxigraph and the package's own small modules are imported here: these
commands must start fast. Output is an aligned table on a terminal and
tab-separated values when piped, unless --format says otherwise.
"""

from __future__ import annotations

import functools
import sys

import click

from ..output import FORMATS, default_format
from .store_options import store_options

EXIT_USAGE = 2
EXIT_FAILED = 1

format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS, case_sensitive=False), default=None,
    help="Output format. Default: an aligned table on a terminal, tab-separated values when piped.")


def _fail(message: str, code: int = EXIT_USAGE) -> None:
    click.echo(f"llmrl-kg: {message}", err=True)
    sys.exit(code)


def _emit(text: str) -> None:
    """Write to stdout; a closed pipe (`| head`) ends the command quietly."""
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:
        try:
            sys.stdout = None  # type: ignore[assignment]  # nothing more can be written
        finally:
            sys.exit(0)


def _resolve_format(fmt: str | None) -> str:
    return fmt.lower() if fmt else default_format(sys.stdout.isatty())


def handle_errors(command):
    """Turn the query layer's errors into one-line messages: exit 2 for usage, 1 for a broken KG."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except Exception as error:  # the error classes are imported only when something went wrong
            from ..ask import QuestionError
            from ..backends import BackendError
            from ..dataset import LoadError
            from ..querying import QueryError
            from ..sparqltext import UnsafeQuery
            from ..vocabulary import UnknownValue

            if isinstance(error, (QueryError, UnknownValue, UnsafeQuery, QuestionError, FileNotFoundError)):
                _fail(str(error))
            if isinstance(error, LoadError):
                _fail(f"the knowledge graph could not be loaded:\n{error}", EXIT_FAILED)
            if isinstance(error, BackendError):
                _fail(str(error), EXIT_FAILED)
            raise

    return wrapper


# --- queries / query ------------------------------------------------------------------------------


@click.command()
@click.argument("name", required=False)
@format_option
@handle_errors
def queries(name: str | None, fmt: str | None) -> None:
    """List the saved SPARQL queries, or describe the one called NAME.

    Each saved query is a .rq file in queries/ whose comment header gives its
    title, description, question and parameters. Run one with
    `llmrl-kg query NAME --param KEY=VALUE`.
    """
    from ..output import render
    from ..querying import Catalogue

    catalogue = Catalogue()
    fmt = _resolve_format(fmt)
    if name:
        saved = catalogue.get(name)
        rows = [{"field": "name", "value": saved.name}, {"field": "title", "value": saved.title},
                {"field": "description", "value": saved.description},
                {"field": "question", "value": saved.question},
                {"field": "network", "value": "required (run with --online)" if saved.network else "no"}]
        rows += [{"field": f"param {p.name}", "value": f"{p.signature()} {p.description}".strip()}
                 for p in saved.parameters]
        rows.append({"field": "file", "value": str(saved.path)})
        _emit(render(["field", "value"], rows, fmt))
        return
    rows = [{"name": q.name, "title": q.title,
             "parameters": "; ".join(p.signature() for p in q.parameters),
             "network": "required" if q.network else ""} for q in catalogue.all()]
    _emit(render(["name", "title", "parameters", "network"], rows, fmt))


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
@handle_errors
def query(name: str, params: tuple[str, ...], fmt: str | None, online: bool, show_sparql: bool,
          backend) -> None:
    """Run the saved query NAME with parameters.

    Values are bound as RDF terms, never pasted into the query. Codes (RL role,
    FM role, metric, fine-tuning) are accepted as the survey prints them (π_l),
    in ASCII (pi_l) or by name. Unknown queries or parameters are reported with
    the closest names.
    """
    from ..querying import Catalogue, QueryError, bind_parameters, run_online, run_saved, text_with_values
    from ..vocabulary import Vocabulary

    saved = Catalogue().get(name)
    values = _parse_params(params)
    for key in values:
        saved.parameter(key)  # unknown parameter names fail before the KG is loaded
    if saved.network and not online and not show_sparql:
        raise QueryError(f"query {name!r} calls remote SPARQL endpoints; run it with --online "
                         "(nothing is fetched without it)")
    state: dict = {}

    def vocabulary() -> Vocabulary:
        if "vocabulary" not in state:
            state["vocabulary"] = Vocabulary.load(backend)
        return state["vocabulary"]

    bindings = bind_parameters(saved, values, vocabulary)
    if show_sparql:
        _emit(text_with_values(saved, bindings))
        return
    table = run_online(saved, bindings) if saved.network else run_saved(backend, saved, bindings)
    _emit(table.render(_resolve_format(fmt)))


# --- sparql ---------------------------------------------------------------------------------------


@click.command()
@click.argument("query_text", metavar="QUERY", required=False)
@click.option("--file", "-f", "query_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="Read the query from this file ('-' for standard input).")
@format_option
@store_options
@handle_errors
def sparql(query_text: str | None, query_file: str | None, fmt: str | None, backend) -> None:
    """Run an ad-hoc read-only SPARQL query (QUERY, or -f FILE) on the KG with its inferences.

    The default graph is the union of all graphs. SELECT prints rows, ASK
    prints true or false, CONSTRUCT and DESCRIBE print N-Triples. Updates,
    SERVICE and FROM / FROM NAMED are refused: nothing is written or fetched.
    Prefixes of the project (llmrl:, method:, model:, rdfs:, skos:, ...) are predeclared.
    """
    import pyoxigraph as ox

    from .. import namespaces as ns
    from ..querying import solutions_table
    from ..sparqltext import check_read_only, query_form, syntax_error_location

    if (query_text is None) == (query_file is None):
        raise click.UsageError("give either a QUERY or -f FILE")
    if query_file is not None:
        try:
            query_text = sys.stdin.read() if query_file == "-" else open(query_file, encoding="utf-8").read()
        except (OSError, UnicodeDecodeError) as error:
            _fail(f"cannot read {query_file}: {getattr(error, 'strerror', None) or error}")
    assert query_text is not None
    check_read_only(query_text)
    form = query_form(query_text)
    text = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in ns.PREFIXES.items()
                   if f"{p}:" in query_text) + query_text
    offset = text.count("\n") - query_text.count("\n")
    try:
        if form == "ASK":
            answer = backend.ask(text)
            _emit(("true" if answer else "false") + "\n")
        elif form in ("CONSTRUCT", "DESCRIBE"):
            triples = backend.construct(text)
            _emit(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"))
        else:
            _emit(solutions_table(backend.select(text)).render(_resolve_format(fmt)))
    except SyntaxError as error:
        line, column, message = syntax_error_location(error)
        where = ""
        if line is not None:
            line -= offset
            lines = query_text.splitlines()
            shown = lines[line - 1] if 0 < line <= len(lines) else ""
            caret = " " * max((column or 1) - 1, 0) + "^"
            where = f" at line {line}, column {column}" + (f"\n  {shown}\n  {caret}" if shown else "")
        _fail(f"SPARQL syntax error{where}\n{message}")


# --- methods / ask ---------------------------------------------------------------------------------

ROLE_CHOICES = ("agent", "planner", "reward", "parametric", "non-parametric", "comprehensive", "incremental",
                "reward-function", "reward-model")


source_option = click.option(
    "--source", type=click.Choice(("readme", "paper", "any"), case_sensitive=False), default="any",
    show_default=True, help="Which document's table rows count; any = either states the fact.")


@click.command()
@click.option("--role", multiple=True, type=click.Choice(ROLE_CHOICES, case_sensitive=False),
              help="Integration role or sub-role (repeatable; all must hold).")
@click.option("--fine-tuned", "fine_tuned", multiple=True,
              type=click.Choice(("yes", "full", "peft", "no"), case_sensitive=False),
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
@handle_errors
def methods(role, fine_tuned, model, rl_role, fm_role, metric, modality, year_from, year_to, has_code,
            source, fmt, backend) -> None:
    """Find the survey's methods by role, fine-tuning, model, codes and year.

    Every option can be repeated and all conditions must hold. Rows are sorted
    by name; the first column, `method`, is the name as the survey writes it.
    """
    from ..facets import build_facets, find_methods
    from ..vocabulary import UnknownValue, Vocabulary

    vocabulary = Vocabulary.load(backend)
    try:
        facets = build_facets(vocabulary, role=[r.lower() for r in role], fine_tuned=[f.lower() for f in fine_tuned],
                              model=model, rl_role=rl_role, fm_role=fm_role, metric=metric,
                              modality=[m.lower() for m in modality], year_from=year_from, year_to=year_to,
                              has_code=has_code, source=source.lower())
    except UnknownValue as error:
        _fail(f"methods: {error}")
    _emit(find_methods(backend, facets).render(_resolve_format(fmt)))


@click.command()
@click.argument("question")
@click.option("--explain", is_flag=True, help="Also print the facets understood and the SPARQL that ran.")
@source_option
@format_option
@store_options
@handle_errors
def ask(question: str, explain: bool, source: str, fmt: str | None, backend) -> None:
    """Answer a question in plain English, e.g. "non-fine-tuned planners using GPT-4".

    The words are matched against the KG's own labels, synonyms and codes
    (roles, fine-tuning, models, model types, metrics, RL and FM roles, years,
    code); no language model and no network. A word it cannot place is
    reported. Prints the same columns as `llmrl-kg methods`.
    """
    from ..api import KnowledgeGraph

    answer = KnowledgeGraph(backend).ask(question, source=source.lower())
    fmt = _resolve_format(fmt)
    for note in answer.notes:
        click.echo(f"note: {note}", err=True)
    if explain:
        explanation = ("understood:\n" + "".join(f"  {line}\n" for line in answer.understood)
                       + "facets:\n" + "".join(f"  {line}\n" for line in answer.facets)
                       + "sparql:\n" + "".join(f"  {line}\n" for line in answer.sparql.splitlines()) + "\n")
        # Keep machine-readable output clean: the explanation goes to stderr for csv/tsv/json.
        if fmt in ("table", "markdown"):
            _emit(explanation)
        else:
            click.echo(explanation, err=True, nl=False)
    _emit(answer.table.render(fmt))
