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

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from .backends import Backend, OxigraphBackend, default_backend
from .output import ResultTable
from .querying import Catalogue, QueryError, SavedQuery, bind_parameters, run_online, run_saved, solutions_table
from .sparqltext import check_read_only, query_form
from .vocabulary import Vocabulary


@dataclass
class Answer:
    """The answer to a question: the rows, the facets understood, notes, and the SPARQL that ran."""

    table: ResultTable
    understood: list[str]
    facets: list[str]
    notes: list[str]
    sparql: str


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
        self.catalogue = Catalogue(queries_folder)
        self._vocabulary: Vocabulary | None = None

    @classmethod
    def load(cls, paths: list[Path] | None = None, *, queries_folder: Path | None = None) -> "KnowledgeGraph":
        """The shipped KG (or the Turtle files under `paths` with the ontology), loaded now."""
        kg = cls(OxigraphBackend.load(paths), queries_folder=queries_folder)
        return kg

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
        saved = self.catalogue.get(name)
        bindings = bind_parameters(saved, {k: _text(v) for k, v in params.items()}, lambda: self.vocabulary)
        if saved.network:
            if not online:
                raise QueryError(f"query {name!r} needs the network; pass online=True to run it")
            return run_online(saved, bindings)
        return run_saved(self.backend, saved, bindings)

    # --- ad-hoc SPARQL -------------------------------------------------------------------------

    def sparql(self, text: str) -> ResultTable | bool | list:
        """Run a read-only SPARQL query: a ResultTable for SELECT, a bool for ASK, triples otherwise.

        Updates, SERVICE and FROM are refused (UnsafeQuery); syntax errors raise SyntaxError.
        """
        check_read_only(text)
        form = query_form(text)
        if form == "ASK":
            return self.backend.ask(text)
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self.backend.construct(text)
        return solutions_table(self.backend.select(text))

    # --- facets and questions ------------------------------------------------------------------

    def methods(self, *, role=None, fine_tuned=None, model=None, rl_role=None, fm_role=None, metric=None,
                modality=None, year_from: int | None = None, year_to: int | None = None,
                has_code: bool = False, source: str = "any") -> ResultTable:
        """The faceted finder: each argument takes one value or a list (all must hold)."""
        from .facets import build_facets, find_methods

        facets = build_facets(self.vocabulary, role=_many(role), fine_tuned=_many(fine_tuned),
                              model=_many(model), rl_role=_many(rl_role), fm_role=_many(fm_role),
                              metric=_many(metric), modality=_many(modality), year_from=year_from,
                              year_to=year_to, has_code=has_code, source=source)
        return find_methods(self.backend, facets)

    def ask(self, question: str, *, source: str = "any") -> Answer:
        """Answer a question in plain English (QuestionError names any word it cannot place)."""
        from .ask import QuestionReader
        from .facets import SOURCES, facet_query, find_methods

        if source not in SOURCES:
            raise QueryError(f"source {source!r} is not accepted; accepted values: {', '.join(SOURCES)}")
        reading = QuestionReader(self.vocabulary).read(question)
        reading.facets.source = source
        return Answer(find_methods(self.backend, reading.facets), reading.understood,
                      reading.facets.describe(self.vocabulary), reading.notes, facet_query(reading.facets))


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
