"""One record for every kind of problem the checks find, and its two printed forms."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """A problem found in a file: where it is, which rule it breaks, and how to fix it."""

    path: str
    line: int | None
    severity: str
    rule: str
    message: str
    fix: str = ""
    focus: str | None = None

    def format(self) -> str:
        """The one-line text form: `path:line: severity rule — message (how to fix)`."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        fix = f" ({self.fix})" if self.fix else ""
        return f"{where}: {self.severity} {self.rule} — {self.message}{fix}"

    def as_dict(self) -> dict:
        """The JSON form: every field, with the same names."""
        return asdict(self)


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Order findings by file, line and rule, and drop exact repeats."""
    return sorted(set(findings), key=lambda f: (f.path, f.line or 0, f.rule, f.message, f.focus or ""))


def findings_json(findings: list[Finding], summary: dict) -> str:
    """Findings and summary as one JSON document."""
    return json.dumps(
        {"findings": [f.as_dict() for f in findings], "summary": summary},
        ensure_ascii=False,
        indent=2,
    )
