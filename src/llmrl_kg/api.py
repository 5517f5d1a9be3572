"""The Python API: `KnowledgeGraph` — saved queries, ad-hoc SPARQL, the facet finder and questions.

    >>> from llmrl_kg import KnowledgeGraph
    >>> kg = KnowledgeGraph.load()
    >>> kg.methods(role="planner", fine_tuned="no", model="GPT-4").column("method")
    ['PSL', 'SayTap']
    >>> kg.query("role-fine-tuning-model", role="planner", model="GPT-4").rows[0]["method"]
    'PSL'

Every result is a `ResultTable`: `.columns`, `.rows` (a list of dicts of plain
Python values), `.render(fmt)` and `.to_dataframe()` (with pandas installed).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from llmrl_kg.query.output import ResultTable
from llmrl_kg.query.vocabulary import Vocabulary
from llmrl_kg.store.backends import Backend, OxigraphBackend, default_backend

if TYPE_CHECKING:
    from llmrl_kg.query.catalogue import Catalogue, SavedQuery
    from llmrl_kg.query.questions.context import QuestionAnswer


def __getattr__(name: str):
    # `Answer` (a QuestionAnswer: rows, how the question was read, the conditions, notes, the SPARQL and
    # the kind of question) is imported on first use: the question parser is not needed to start up.
    if name == "Answer":
        from llmrl_kg.query.questions.context import QuestionAnswer

        return QuestionAnswer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _many(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


class KnowledgeGraph:
    """The knowledge graph with its inferences, ready to query. Nothing is fetched from the network."""

    def __init__(self, backend: Backend | None = None, *, queries_folder: Path | None = None) -> None:
        self._backend = backend
        self._queries_folder = queries_folder
        self._catalogue: Catalogue | None = None
        self._vocabulary: Vocabulary | None = None

    @classmethod
    def load(cls, paths: list[Path] | None = None, *, queries_folder: Path | None = None) -> "KnowledgeGraph":
        """The shipped KG (or the Turtle files under `paths` with the ontology), loaded now."""
        kg = cls(OxigraphBackend.load(paths), queries_folder=queries_folder)
        return kg

    @property
    def catalogue(self) -> Catalogue:
        """The saved queries (read when first used: `ask`, `show` and `methods` need none)."""
        if self._catalogue is None:
            from llmrl_kg.query.catalogue import Catalogue

            self._catalogue = Catalogue(self._queries_folder)
        return self._catalogue

    @property
    def backend(self) -> Backend:
        """The store the queries run on (the shipped KG in memory unless another backend was given)."""
        if self._backend is None:
            self._backend = default_backend()
        return self._backend

    @property
    def vocabulary(self) -> Vocabulary:
        """The KG's code lists, taxonomy classes and models (read once)."""
        if self._vocabulary is None:
            self._vocabulary = Vocabulary.load(self.backend)
        return self._vocabulary

    # --- saved queries -------------------------------------------------------------------------

    def saved_queries(self) -> list[SavedQuery]:
        """Every saved query (title, description, question, parameters), sorted by name."""
        return self.catalogue.all()

    def query(self, name: str, *, online: bool = False, **params: object) -> ResultTable:
        """Run the saved query `name`; keyword arguments are its parameters (as text or numbers)."""
        from llmrl_kg.query.catalogue import QueryError, run_online, run_saved

        saved, bindings = self._bound(name, params)
        if saved.network:
            if not online:
                raise QueryError(f"query {name!r} calls remote SPARQL endpoints; run it with --online "
                                 "(online=True in Python); nothing is fetched without it")
            return run_online(saved, bindings)
        table = run_saved(self.backend, saved, bindings)
        if not table.rows:
            self._check_names(saved, params)
        return table

    def _check_names(self, saved: SavedQuery, params: dict[str, object]) -> None:
        """After an empty answer: a method, model or benchmark name the KG does not know is an error."""
        from llmrl_kg.query.catalogue import QueryError
        from llmrl_kg.query.names import NAMED_PARAMETERS, unknown_name

        for key, value in params.items():
            kind = NAMED_PARAMETERS.get(saved.parameter(key).name)
            if kind and saved.parameter(key).type == "string":
                problem = unknown_name(self.backend, kind, str(value))
                if problem:
                    raise QueryError(f"parameter {saved.parameter(key).name}: {problem}")

    def query_text(self, name: str, **params: object) -> str:
        """The saved query `name` with its parameters written as a VALUES block (runs on any endpoint)."""
        from llmrl_kg.query.catalogue import text_with_values

        saved, bindings = self._bound(name, params)
        return text_with_values(saved, bindings)

    def _bound(self, name: str, params: dict[str, object]) -> tuple[SavedQuery, dict]:
        from llmrl_kg.query.catalogue import bind_parameters

        saved = self.catalogue.get(name)
        for key in params:
            saved.parameter(key)  # unknown parameter names fail before the KG is loaded
        return saved, bind_parameters(saved, {k: _text(v) for k, v in params.items()}, lambda: self.vocabulary)

    def query_list(self) -> ResultTable:
        """One row per saved query: name, title, parameters, whether it needs the network."""
        return ResultTable(["name", "title", "parameters", "network"], [
            {"name": q.name, "title": q.title, "parameters": "; ".join(p.signature() for p in q.parameters),
             "network": "required" if q.network else ""} for q in self.catalogue.all()])

    def describe_query(self, name: str) -> ResultTable:
        """The saved query `name` as field/value rows: title, description, question, parameters, file."""
        saved = self.catalogue.get(name)
        rows = [{"field": "name", "value": saved.name}, {"field": "title", "value": saved.title},
                {"field": "description", "value": saved.description},
                {"field": "question", "value": saved.question},
                {"field": "network", "value": "required (run with --online)" if saved.network else "no"}]
        rows += [{"field": f"param {p.name}", "value": f"{p.signature()} {p.description}".strip()}
                 for p in saved.parameters]
        rows.append({"field": "file", "value": str(saved.path)})
        return ResultTable(["field", "value"], rows)

    # --- ad-hoc SPARQL -------------------------------------------------------------------------

    def sparql(self, text: str, *, timeout: float | None = 30.0,
               limit: int | None = 100_000) -> ResultTable | bool | list:
        """Run a read-only SPARQL query: a ResultTable for SELECT, a bool for ASK, triples otherwise.

        The project's prefixes (llmrl:, method:, model:, skos:, ...) are predeclared. Updates,
        SERVICE and FROM are refused (UnsafeQuery), over-long or over-deep queries too
        (QueryTooComplex); syntax errors raise SparqlSyntaxError with the line and column in
        `text`. The query stops after `timeout` seconds (QueryTimeout); at most `limit` rows or
        triples come back, and the answer's `more` attribute tells whether others exist.
        """
        from llmrl_kg.query.adhoc import AdHocQuery, SparqlTable
        from llmrl_kg.query.catalogue import solutions_table

        query = AdHocQuery.prepare(text)
        try:
            if query.form == "ASK":
                return self.backend.ask(query.text, timeout=timeout)
            if query.form in ("CONSTRUCT", "DESCRIBE"):
                return self.backend.construct(query.text, limit=limit, timeout=timeout)
            solutions = self.backend.select(query.text, limit=limit, timeout=timeout)
        except SyntaxError as error:
            raise query.syntax_error(error) from None
        plain = solutions_table(solutions)
        table = SparqlTable(plain.columns, plain.rows)
        table.more = solutions.more
        return table

    # --- facets and questions ------------------------------------------------------------------

    def methods(self, *, role=None, fine_tuned=None, model=None, rl_role=None, fm_role=None, metric=None,
                modality=None, year_from: int | None = None, year_to: int | None = None,
                has_code: bool = False, source: str = "any") -> ResultTable:
        """The faceted finder: each argument takes one value or a list (all must hold)."""
        from llmrl_kg.query.facets import build_facets, find_methods

        facets = build_facets(self.vocabulary, role=_many(role), fine_tuned=_many(fine_tuned),
                              model=_many(model), rl_role=_many(rl_role), fm_role=_many(fm_role),
                              metric=_many(metric), modality=_many(modality), year_from=year_from,
                              year_to=year_to, has_code=has_code, source=source)
        return find_methods(self.backend, facets)

    def ask(self, question: str, *, source: str = "any") -> QuestionAnswer:
        """Answer a question in plain English: a list, count, fact, definition, comparison or yes/no.

        Raises QuestionError (naming the words it could not place) rather than drop a condition.
        """
        from llmrl_kg.query.conditions import SOURCES
        from llmrl_kg.query.questions import answer_question
        from llmrl_kg.query.questions.lexicon import Lexicon

        if source not in SOURCES:
            from llmrl_kg.query.catalogue import QueryError

            raise QueryError(f"source {source!r} is not accepted; accepted values: {', '.join(SOURCES)}")
        if getattr(self, "_lexicon", None) is None:
            self._lexicon = Lexicon.load(self.backend, self.vocabulary)
        return answer_question(question, self._lexicon, self.backend, source)

    def show(self, name: str) -> ResultTable:
        """The card of the method, paper, model, benchmark, organisation, author, code or class `name`."""
        from llmrl_kg.query.cards import show_card
        from llmrl_kg.query.questions.lexicon import Lexicon

        if getattr(self, "_lexicon", None) is None:
            self._lexicon = Lexicon.load(self.backend, self.vocabulary)
        return show_card(name, self._lexicon, self.backend).table

    def codes(self, scheme: str | None = None) -> ResultTable:
        """The survey's legend: every code (of one code list, e.g. "rl-role") with its label and definition."""
        from llmrl_kg.query.legend import legend

        return legend(self.backend, scheme)[0]

def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
