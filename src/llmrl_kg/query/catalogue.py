"""The saved-query catalogue: `.rq` files, their comment headers, parameters and binding.

Each file in `queries/` (and `queries/federated/`) starts with a comment header:

    # title: Non-fine-tuned methods of a role using a model
    # description: Methods of one role whose entries state a fine-tuning type and a model.
    # question: Which planners use GPT-4 without fine-tuning it?
    # param: role (role, default: planner) — the integration role
    # param: model (string, default: GPT-4) — a model's label or alias, any case
    # network: required          (only for federated queries that use SERVICE)

A parameter named `model` is the SPARQL variable `?model`. Values given by a
user are converted to RDF terms according to the parameter's type (codes and
roles are looked up in the KG) and bound, never pasted into the query text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from llmrl_kg import locations
from llmrl_kg.errors import UsageError
from llmrl_kg.query.output import ResultTable
from llmrl_kg.query.vocabulary import (
    CODE_CLASSES,
    MODALITY_CLASSES,
    ROLE_CLASSES,
    Vocabulary,
    closest_hint,
)
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.rdf.sparqltext import (
    UnsafeQuery,
    bind_as_values,
    check_read_only,
    projected_variables,
    query_form,
    uses_service,
    variables,
)
from llmrl_kg.store.backends import Backend, Solutions, Term, plain_value

BASIC_PARAM_TYPES = ("string", "integer", "boolean", "iri", "role", "modality")
_HEADER_LINE = re.compile(r"#\s*([A-Za-z][A-Za-z-]*)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(
    r"(?P<name>[a-z][a-z0-9_]*)\s*\(\s*(?P<type>[a-z-]+)\s*"
    r"(?:,\s*(?:(?P<required>required)|(?P<optional>optional)|default:\s*(?P<default>[^)]*?)))?\s*\)"
    r"\s*(?:(?:—|--|-|:)\s*(?P<description>.*))?$")


def param_types() -> tuple[str, ...]:
    """The parameter types a saved query may declare: the basic ones and the ontology's code lists.

    A function, not a constant: the ontology is read when first needed, not when this module is imported.
    """
    return (*BASIC_PARAM_TYPES, *CODE_CLASSES)


class QueryError(UsageError):
    """A usage error with saved queries or parameters (unknown name, bad value, network needed)."""


@dataclass
class Parameter:
    """A parameter of a saved query: its name (= SPARQL variable), type, default and meaning."""

    name: str
    type: str
    default: str | None = None
    required: bool = False
    description: str = ""

    def signature(self) -> str:
        """`model=GPT-4 (string)` — how `llmrl-kg queries` shows it."""
        if self.default is not None:
            return f"{self.name}={self.default} ({self.type})"
        return f"{self.name} ({self.type}, {'required' if self.required else 'optional'})"


@dataclass
class SavedQuery:
    """One `.rq` file: its header fields and its SPARQL text."""

    name: str
    path: Path
    text: str
    title: str = ""
    description: str = ""
    question: str = ""
    parameters: list[Parameter] = field(default_factory=list)
    network: bool = False
    header: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def parameter(self, name: str) -> Parameter:
        """The parameter called `name` (`-` and `_` are the same); QueryError with the closest names if none."""
        wanted = name.replace("-", "_")
        for parameter in self.parameters:
            if parameter.name == wanted:
                return parameter
        names = [p.name for p in self.parameters]
        accepted = f"; its parameters are: {', '.join(names)}" if names else "; it has no parameters"
        raise QueryError(f"query {self.name!r} has no parameter {name!r}"
                         f"{closest_hint(wanted, names)}{accepted}")


def parse_saved_query(path: Path, name: str | None = None) -> SavedQuery:
    """Read one `.rq` file and its header (`check_saved_query` checks it further)."""
    text = path.read_text(encoding="utf-8")
    query = SavedQuery(name=name or path.stem, path=path, text=text)
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if not line.lstrip().startswith("#"):
            break
        match = _HEADER_LINE.match(line.strip())
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2)
        if key == "param":
            parameter = _parse_parameter(value)
            if parameter is None:
                query.problems.append(f"line {number}: cannot read the parameter {value!r}; write "
                                      "`# param: NAME (TYPE, default: VALUE) — description`")
            else:
                query.parameters.append(parameter)
        else:
            query.header[key] = value
    query.title = query.header.get("title", "")
    query.description = query.header.get("description", "")
    query.question = query.header.get("question", "")
    query.network = query.header.get("network", "").lower() in ("required", "yes", "true")
    return query


def check_saved_query(query: SavedQuery) -> list[str]:
    """Problems of a saved query's header and text (missing fields, unused or unprojected parameters)."""
    problems = list(query.problems)
    text = query.text
    for key in ("title", "description", "question"):
        if not query.header.get(key):
            problems.append(f"the header has no `# {key}:` line")
    mentioned = variables(text)
    projected = projected_variables(text)
    for parameter in query.parameters:
        if parameter.type not in param_types():
            problems.append(f"parameter {parameter.name}: unknown type {parameter.type!r}; "
                            f"accepted: {', '.join(param_types())}")
        if parameter.name not in mentioned:
            problems.append(f"parameter {parameter.name}: the query never uses ?{parameter.name}")
        elif projected is not None and parameter.name not in projected:
            # pyoxigraph binds (substitutes) only projected variables; the printed rows leave them out.
            problems.append(f"parameter {parameter.name}: add ?{parameter.name} to the SELECT clause")
    if uses_service(text) and not query.network:
        problems.append("the query uses SERVICE but its header lacks `# network: required`")
    return problems


def _parse_parameter(value: str) -> Parameter | None:
    match = _PARAM.match(value)
    if not match:
        return None
    default = match.group("default")
    return Parameter(name=match.group("name"), type=match.group("type"),
                     default=default.strip() if default is not None else None,
                     required=bool(match.group("required")),
                     description=(match.group("description") or "").strip())


class Catalogue:
    """The saved queries of a folder (default: the shipped `queries/`), by name."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or locations.queries_dir()
        self._queries: dict[str, SavedQuery] | None = None
        self._read: dict[str, SavedQuery] = {}  # the queries `get` read one by one

    def paths(self) -> list[Path]:
        """The `.rq` files: `queries/*.rq`, then `queries/federated/*.rq`."""
        return sorted(self.folder.glob("*.rq")) + sorted(self.folder.glob("federated/*.rq"))

    def _load(self) -> dict[str, SavedQuery]:
        if self._queries is None:
            found: dict[str, SavedQuery] = {}
            for path in self.paths():
                query = parse_saved_query(path)
                if query.name in found:
                    found[query.name].problems.append(f"the name {query.name!r} is also used by {path}")
                    continue
                found[query.name] = query
            self._queries = found
        return self._queries

    def names(self) -> list[str]:
        """Every saved query's name, sorted."""
        return sorted(self._load())

    def all(self) -> list[SavedQuery]:
        """Every saved query, sorted by name."""
        return [self._load()[n] for n in self.names()]

    def get(self, name: str) -> SavedQuery:
        """The saved query called `name`; QueryError with the closest names if there is none."""
        if self._queries is None and "/" not in name:  # one query: read only its file (start-up time)
            found = self._read.get(name)
            if found is not None:
                return found
            for path in (self.folder / f"{name}.rq", self.folder / "federated" / f"{name}.rq"):
                if path.is_file():
                    found = self._read[name] = parse_saved_query(path)  # read once, as _load does
                    return found
        queries = self._load()
        if name in queries:
            return queries[name]
        close = difflib.get_close_matches(name, list(queries), n=3, cutoff=0.4)
        hint = f"; closest: {', '.join(close)}" if close else ""
        raise QueryError(f"no saved query named {name!r}{hint}. `llmrl-kg queries` lists them all")


def convert_value(parameter: Parameter, value: str, vocabulary: Callable[[], Vocabulary]) -> Term:
    """The RDF term for a user's `value` of `parameter`, or QueryError saying what is accepted."""
    kind = parameter.type
    where = f"parameter {parameter.name} ({kind})"
    if kind == "string":
        return ox.Literal(value)
    if kind == "integer":
        if not re.fullmatch(r"[+-]?[0-9]{1,18}", value.strip()):
            raise QueryError(f"{where}: {value!r} is not a whole number")
        return ox.Literal(str(int(value)), datatype=ox.NamedNode(ns.XSD + "integer"))
    if kind == "boolean":
        truth = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}
        if value.strip().lower() not in truth:
            raise QueryError(f"{where}: {value!r} is not true or false")
        return ox.Literal(truth[value.strip().lower()])
    if kind == "iri":
        value = _expand_iri(value)
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", value):
            raise QueryError(f"{where}: {value!r} is not an absolute IRI, a CURIE (llmrl:VisionLanguageModel) "
                             "or a short name (vlm, llm, planner, ...)")
        try:
            return ox.NamedNode(value)
        except ValueError as error:
            raise QueryError(f"{where}: {value!r} is not a valid IRI ({error})") from None
    if kind in ("role", "modality"):
        table = ROLE_CLASSES if kind == "role" else MODALITY_CLASSES
        if value not in table:
            raise QueryError(f"{where}: {value!r} is not accepted; accepted values: {', '.join(table)}")
        return ox.NamedNode(table[value])
    if kind in CODE_CLASSES:
        from llmrl_kg.query.facets import FINE_TUNED
        from llmrl_kg.query.vocabulary import UnknownValue

        if kind == "fine-tuning" and value.lower() in FINE_TUNED:
            # The words of `methods --fine-tuned`; "yes" (full or PEFT) is two codes, not one.
            if len(FINE_TUNED[value.lower()]) != 1:
                raise QueryError(f"{where}: {value!r} means full or PEFT fine-tuning; this parameter takes one "
                                 f"of: full, peft, no (or the codes {vocabulary().accepted(kind)})")
            value = FINE_TUNED[value.lower()][0]
        try:
            return ox.NamedNode(vocabulary().code(kind, value).iri)
        except UnknownValue as error:
            raise QueryError(f"{where}: {error}") from None
    raise QueryError(f"{where}: the query's header declares an unknown type")


def _expand_iri(value: str) -> str:
    """A CURIE of the project's prefixes or a short name (`vlm`, `planner`) as its IRI; else `value`."""
    from llmrl_kg.kg import model

    prefix, colon, local = value.strip().partition(":")
    if colon and prefix in ns.PREFIXES and not local.startswith("//"):
        return ns.PREFIXES[prefix] + local
    for table in (model.MODALITIES, model.ROLES):
        if not colon and table.canonical(value):
            return str(table[value])
    return value


def bind_parameters(query: SavedQuery, values: dict[str, str],
                    vocabulary: Callable[[], Vocabulary]) -> dict[str, Term]:
    """Check the user's values against the query's parameters; return the bindings (defaults included)."""
    given: dict[str, str | None] = {}
    for key, text in values.items():
        given[query.parameter(key).name] = text
    bindings: dict[str, Term] = {}
    for parameter in query.parameters:
        value = given.get(parameter.name, parameter.default)
        if value is None:
            if parameter.required:
                raise QueryError(f"query {query.name!r} needs --param {parameter.name}=VALUE ({parameter.type})")
            continue
        bindings[parameter.name] = convert_value(parameter, value, vocabulary)
    return bindings


def solutions_table(solutions: Solutions) -> ResultTable:
    """A backend's solutions as a ResultTable of plain Python values."""
    return ResultTable(solutions.variables,
                       [{name: plain_value(row.get(name)) for name in solutions.variables}
                        for row in solutions.rows])


def run_saved(backend: Backend, query: SavedQuery, bindings: dict[str, Term]) -> ResultTable:
    """Run a local (non-network) saved SELECT query with its bindings."""
    if query.network:
        raise QueryError(f"query {query.name!r} needs the network (it calls remote SPARQL endpoints); "
                         "run it with --online")
    try:
        form = read_only_form(query.text)  # a local query must not reach the network, files or write
    except UnsafeQuery as error:
        raise QueryError(f"query {query.name!r} is refused: {error}") from None
    if form != "SELECT":
        raise QueryError(f"query {query.name!r} is not a SELECT query")
    solutions = backend.select(query.text, bindings)
    hidden = {p.name for p in query.parameters}
    columns = [c for c in solutions.variables if c not in hidden]
    # Each cell converted once, straight into the row the caller gets (no intermediate tables).
    return ResultTable.of_new_rows(columns, [{c: plain_value(row.get(c)) for c in columns}
                                             for row in solutions.rows])


QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def read_only_form(text: str) -> str | None:
    """The form of a query (`query_form`) that `check_read_only` lets through; UnsafeQuery if it refuses it.

    The tokenizer's pattern takes ~40 ms to compile, more than a warm saved query takes to run,
    so the verdict on a text that passed is cached under the text's hash (and the code's tag).
    """
    import hashlib

    from llmrl_kg.rdf.cache import body, cache_dir, cached, code_tag

    def check() -> str:
        check_read_only(text)
        return query_form(text) or "-"

    def read(path: Path) -> str:
        form = body(path).decode("ascii", errors="replace")
        if form not in (*QUERY_FORMS, "-"):
            raise SyntaxError(f"{path}: not a query form")
        return form

    form = _CHECKED_FORMS.get(text)
    if form is None:
        digest = hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]
        form = _CHECKED_FORMS[text] = cached(cache_dir() / f"checked-query-{digest}-{code_tag()}.txt",
                                             check, read, str)
    return None if form == "-" else form


# Texts already checked in this process -> their form (a saved query run again costs no file read).
_CHECKED_FORMS: dict[str, str] = {}


def without_parameters(table: ResultTable, query: SavedQuery) -> ResultTable:
    """The table without the parameters' columns (they are projected only so that they can be bound)."""
    hidden = {p.name for p in query.parameters}
    columns = [c for c in table.columns if c not in hidden]
    return ResultTable(columns, [{c: row[c] for c in columns} for row in table.rows])


def run_online(query: SavedQuery, bindings: dict[str, Term]) -> ResultTable:
    """Run a federated saved query through the linking module (the only code that may use the network).

    `llmrl_kg.link.federated.run_online(text, bindings)` returns a Solutions, a ResultTable, or a list of
    rows (dicts of pyoxigraph terms) with a `variables` attribute.
    """
    try:
        from llmrl_kg.link.federated import run_online as federated_run
    except ImportError:
        raise QueryError("online queries are not available in this installation "
                         "(the module llmrl_kg.link.federated is missing)") from None
    answer = federated_run(query.text, bindings)
    if isinstance(answer, Solutions):
        table = solutions_table(answer)
    elif isinstance(answer, ResultTable):
        table = answer
    else:  # a list of rows, with `.variables` when it has them
        rows = list(answer)
        columns = list(getattr(answer, "variables", None) or (rows[0] if rows else []))
        terms = (ox.NamedNode, ox.Literal, ox.BlankNode)
        table = ResultTable(columns, [{k: plain_value(v) if isinstance(v, terms) else v for k, v in row.items()}
                                      for row in rows])
    return without_parameters(table, query)


def text_with_values(query: SavedQuery, bindings: dict[str, Term]) -> str:
    """The query text with its bindings written as a VALUES block (runnable on any SPARQL endpoint)."""
    return bind_as_values(query.text, bindings)
