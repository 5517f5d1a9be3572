"""A small parser for the survey README's six detailed Markdown tables (used by several tests)."""

from __future__ import annotations

import re

DETAILED_HEADINGS = (
    "Table of Parametric LLM/VLM Agents",
    "Table of Non-Parametric LLM/VLM Agents",
    "Table of Comprehensive Planning Approaches",
    "Table of Incremental Planning Approaches",
    "Table of Reward Function Approaches",
    "Table of Reward Model Approaches",
)
COLUMNS = ("Method", "Model(s)", "FT", "RL Role", "Metrics", "Code")


def parse_detailed_tables(markdown: str) -> dict[str, list[dict[str, str]]]:
    """Heading -> rows (dicts keyed by column name, cells stripped) for the six detailed tables."""
    tables: dict[str, list[dict[str, str]]] = {}
    heading = None
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("### "):
            heading = line[4:].strip()
        elif line.startswith("|") and heading in DETAILED_HEADINGS:
            block = []
            while i < len(lines) and lines[i].startswith("|"):
                block.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
                i += 1
            header, rows = block[0], block[2:]
            assert tuple(header) == COLUMNS, header
            tables[heading] = [dict(zip(header, row)) for row in rows]
            heading = None
            continue
        i += 1
    return tables


def split_method_cell(cell: str) -> tuple[str, str]:
    """`AGILE \\[Feng et al., 2024]` -> ("AGILE", "Feng et al., 2024")."""
    match = re.fullmatch(r"(.*?) \\\[(.*)\]", cell)
    assert match, cell
    return match.group(1), match.group(2)


LATEX_TO_NOTATION = {
    r"\pi": "π", r"\pi_l": "π_l", r"\pi_g": "π_g", "v": "v", "v_l": "v_l", "v_g": "v_g",
    r"\text{rft}": "rft", r"\text{ref}": "ref", r"\tau_\pi": "τ_π", r"\text{o}": "o", r"\text{n/a}": "n/a",
}


def rl_role_notations(cell: str) -> list[str]:
    """`$\\pi_l, v_l, \\text{rft}$` -> ["π_l", "v_l", "rft"]."""
    return [LATEX_TO_NOTATION[part.strip()] for part in cell.strip("$").split(",")]
