"""Rendering result rows: an aligned table for people, CSV/TSV/JSON/Markdown for programs.

Rows are dicts of plain Python values (str, int, float, bool, None); the
columns are given separately so that their order is kept even for no rows.
Values are data, never markup: a CSV text cell that a spreadsheet would run as a
formula starts with `'`, and Markdown and HTML cells escape `&`, `<`, `>` (and
Markdown's `[`, `]`), so no cell becomes a tag or a link.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import Any

from llmrl_kg.query.safe_text import html_safe, spreadsheet_safe

RESULT_FORMATS = ("table", "csv", "tsv", "json", "markdown")
Row = dict[str, Any]
HTML_ROWS = 500  # rows shown by ResultTable._repr_html_


def default_format(is_terminal: bool) -> str:
    """`table` on a terminal; tab-separated values when the output goes to a pipe or file."""
    return "table" if is_terminal else "tsv"


def render(columns: Sequence[str], rows: Sequence[Row], fmt: str) -> str:
    """The rows in format `fmt` (one of RESULT_FORMATS), ending with a newline."""
    renderers = {"table": render_table, "csv": render_csv, "tsv": render_tsv,
                 "json": render_json, "markdown": render_markdown}
    if fmt not in renderers:
        raise ValueError(f"unknown format {fmt!r}; accepted: {', '.join(RESULT_FORMATS)}")
    return renderers[fmt](list(columns), list(rows))


def cell_text(value: Any) -> str:
    """A value as text: None is empty, booleans are true/false, the rest is str()."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def display_width(text: str) -> int:
    """How many terminal columns `text` takes (wide East Asian characters count 2, combining marks 0)."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def _one_line(text: str) -> str:
    return " ".join(text.split()) if any(c in text for c in "\n\r\t") else text


def render_table(columns: list[str], rows: list[Row]) -> str:
    """Columns aligned with spaces, a rule under the header, and a row count."""
    cells = [[_one_line(cell_text(row.get(c))) for c in columns] for row in rows]
    widths = [max([display_width(c)] + [display_width(r[i]) for r in cells]) for i, c in enumerate(columns)]

    def line(values: list[str]) -> str:
        padded = [v + " " * (w - display_width(v)) for v, w in zip(values, widths)]
        return "  ".join(padded).rstrip()

    out = [line(columns), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in cells)
    out.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(out) + "\n"


def _csv_cell(value: Any) -> str:
    text = cell_text(value)
    if isinstance(value, str):
        text = spreadsheet_safe(text)  # numbers stay numbers
    if any(char in text for char in ',"\r\n'):  # the csv module leaves a lone \r unquoted
        return '"' + text.replace('"', '""') + '"'
    return text


def render_csv(columns: list[str], rows: list[Row]) -> str:
    """RFC 4180 CSV with a header row; text that would start a spreadsheet formula is prefixed with `'`."""
    def line(cells: list[str]) -> str:
        return ",".join(cells) if cells != [""] else '""'  # an empty line would be no row at all

    lines = [line([_csv_cell(c) for c in columns])]
    lines.extend(line([_csv_cell(row.get(c)) for c in columns]) for row in rows)
    return "\n".join(lines) + "\n"


def _tsv_cell(value: Any) -> str:
    return (cell_text(value).replace("\\", "\\\\").replace("\t", "\\t")
            .replace("\n", "\\n").replace("\r", "\\r"))


def render_tsv(columns: list[str], rows: list[Row]) -> str:
    """Tab-separated values with a header row; tabs, newlines and backslashes are escaped as \\t, \\n, \\\\."""
    lines = ["\t".join(_tsv_cell(c) for c in columns)]
    lines.extend("\t".join(_tsv_cell(row.get(c)) for c in columns) for row in rows)
    return "\n".join(lines) + "\n"


def render_json(columns: list[str], rows: list[Row]) -> str:
    """A JSON list of objects, keys in column order; null for unbound values."""
    import json

    return json.dumps([{c: row.get(c) for c in columns} for row in rows], ensure_ascii=False, indent=2) + "\n"


def _markdown_cell(value: Any) -> str:
    text = _one_line(cell_text(value)).replace("\\", "\\\\")
    for char in "|[]":
        text = text.replace(char, "\\" + char)
    return html_safe(text)


def render_markdown(columns: list[str], rows: list[Row]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(_markdown_cell(c) for c in columns) + " |",
             "|" + "|".join("---" for _ in columns) + "|"]
    lines.extend("| " + " | ".join(_markdown_cell(row.get(c)) for c in columns) + " |" for row in rows)
    return "\n".join(lines) + "\n"


class ResultTable:
    """Rows of plain Python values with their column names, as every query of this package returns them."""

    def __init__(self, columns: Sequence[str], rows: Sequence[Row]) -> None:
        self.columns = list(columns)
        self.rows = [dict(row) for row in rows]

    @classmethod
    def of_new_rows(cls, columns: list[str], rows: list[Row]) -> ResultTable:
        """A table that takes `rows` as they are: for rows just built for it, which nothing else holds."""
        table = cls.__new__(cls)
        table.columns, table.rows = columns, rows
        return table

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> Row:
        return self.rows[index]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ResultTable):
            return (self.columns, self.rows) == (other.columns, other.rows)
        return NotImplemented

    def __repr__(self) -> str:
        return f"ResultTable(columns={self.columns!r}, {len(self.rows)} rows)"

    def __str__(self) -> str:
        """The aligned table (what `print(table)` shows)."""
        return render_table(self.columns, self.rows).rstrip("\n")

    def _repr_html_(self) -> str:
        """An HTML table for notebooks; every value is escaped, and long results show their first rows."""
        import html

        def cells(tag: str, values: list[Any]) -> str:
            return "".join(f"<{tag}>{html.escape(_one_line(cell_text(v)))}</{tag}>" for v in values)

        shown = self.rows[:HTML_ROWS]
        body = "".join(f"<tr>{cells('td', [row.get(c) for c in self.columns])}</tr>" for row in shown)
        more = f"<p>… {len(self.rows) - len(shown)} more rows</p>" if len(self.rows) > len(shown) else ""
        return f"<table><thead><tr>{cells('th', self.columns)}</tr></thead><tbody>{body}</tbody></table>{more}"

    def column(self, name: str) -> list[Any]:
        """The values of one column, in row order."""
        return [row.get(name) for row in self.rows]

    def render(self, fmt: str = "table") -> str:
        """The rows as text in one of RESULT_FORMATS."""
        return render(self.columns, self.rows, fmt)

    def to_dataframe(self):
        """A pandas DataFrame of the rows (needs pandas: `pip install llmrl-kg[dataframe]`)."""
        try:
            import pandas
        except ImportError as error:
            raise ImportError("to_dataframe() needs pandas: pip install 'llmrl-kg[dataframe]'") from error
        return pandas.DataFrame(self.rows, columns=self.columns)
