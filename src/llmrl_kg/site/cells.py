"""The cells of a method's table row, as the survey prints them, and which columns each document prints.

A column is printed by a document when at least one of that document's rows
states it (the README has no FM-role column, the paper's Table 1 does); a
cell a document does not print is None, a printed but empty cell is "-".
"""

from __future__ import annotations

from llmrl_kg.export.records import Entry, Index, Records
from llmrl_kg.query.safe_text import clean_text

COLUMNS = ("Model(s)", "FT", "RL role", "Metrics", "FM role", "RL agent", "RL task", "RL setting", "Code")


def _raw_cells(ix: Index, entry: Entry) -> dict[str, str]:
    def codes(iris) -> str:
        return ", ".join(ix.notation(i) for i in iris)

    def one(iri: str | None) -> str:
        return ix.notation(iri) if iri else ""

    return {
        "Model(s)": ", ".join(entry.model_labels),
        "FT": one(entry.fine_tuning),
        "RL role": codes(entry.rl_roles),
        "Metrics": codes(entry.metrics),
        "FM role": codes(entry.fm_roles),
        "RL agent": one(entry.rl_agent),
        "RL task": one(entry.rl_task),
        "RL setting": one(entry.rl_setting),
        "Code": entry.code or "",
    }


def printed_columns(kg: Records) -> dict[str, tuple[str, ...]]:
    """For each document IRI, the columns at least one of its method rows states."""
    found: dict[str, set[str]] = {}
    for method in kg.methods:
        for entry in method.entries:
            document = kg.index.value(entry.iri, "https://w3id.org/llmrl-kg/ontology#statedIn") or ""
            stated = {column for column, value in _raw_cells(kg.index, entry).items() if value}
            found.setdefault(document, set()).update(stated)
    return {document: tuple(c for c in COLUMNS if c in columns) for document, columns in found.items()}


def entry_cells(kg: Records, entry: Entry, printed: tuple[str, ...]) -> dict[str, str | None]:
    """The row's cells by column: the text as printed, "-" when empty, None when the document has no such column."""
    raw = _raw_cells(kg.index, entry)
    return {column: (clean_text(raw[column]) or "-") if column in printed else None for column in COLUMNS}
