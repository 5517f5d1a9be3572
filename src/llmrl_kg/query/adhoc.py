"""Ad-hoc SPARQL: the read-only check, the project's prefixes predeclared, syntax errors located."""

from __future__ import annotations

from dataclasses import dataclass

from llmrl_kg.errors import UsageError
from llmrl_kg.query.output import ResultTable
from llmrl_kg.rdf import namespaces as ns
from llmrl_kg.rdf.sparqltext import check_complexity, check_read_only, query_form, syntax_error_location


class SparqlSyntaxError(UsageError, SyntaxError):
    """A query that does not parse; the message gives its line and column in the user's own text."""


@dataclass(frozen=True)
class AdHocQuery:
    """A user's query, checked read-only, with the prefixes it uses declared in front of it."""

    original: str
    text: str
    form: str | None  # SELECT, ASK, CONSTRUCT or DESCRIBE; None when no such keyword is found

    @classmethod
    def prepare(cls, original: str) -> "AdHocQuery":
        """Refuse oversized queries (QueryTooComplex), updates, SERVICE and FROM (UnsafeQuery),
        then predeclare the project's prefixes."""
        check_complexity(original)
        check_read_only(original)
        prefixes = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in ns.PREFIXES.items() if f"{p}:" in original)
        return cls(original, prefixes + original, query_form(original))

    def syntax_error(self, error: SyntaxError) -> SparqlSyntaxError:
        """The engine's syntax error re-told against the user's lines (the prefixes added are not counted)."""
        line, column, message = syntax_error_location(error)
        where = ""
        if line is not None:
            line -= self.text.count("\n") - self.original.count("\n")
            lines = self.original.splitlines()
            shown = lines[line - 1] if 0 < line <= len(lines) else ""
            caret = " " * max((column or 1) - 1, 0) + "^"
            where = f" at line {line}, column {column}" + (f"\n  {shown}\n  {caret}" if shown else "")
        return SparqlSyntaxError(f"SPARQL syntax error{where}\n{message}")


class SparqlTable(ResultTable):
    """The rows of an ad-hoc SELECT; `more` is True when the row limit left further rows out."""

    more: bool = False
