"""One record for every kind of problem the checks find, and its two printed forms.

A finding's text comes partly from the files it is about (labels, the parser's
excerpt of a bad line, file names), so it is made terminal-safe when the finding
is made: control characters (C0 and C1, including ESC and newlines), bidirectional
overrides and line separators are written as `\\xNN` or `\\uNNNN`, and the message
is cut at MAX_MESSAGE characters. Both printed forms show only that safe text.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, fields

ERROR = "error"
WARNING = "warning"
MAX_MESSAGE = 1000
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def terminal_safe(text: str) -> str:
    """`text` with every character a terminal would act on (ESC, CR, BEL, bidi overrides…) written as an escape."""
    return _UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", text)


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

    def __post_init__(self) -> None:
        for name in (f.name for f in fields(self)):
            value = getattr(self, name)
            if isinstance(value, str):
                safe = terminal_safe(value)
                if name == "message" and len(safe) > MAX_MESSAGE:
                    safe = safe[:MAX_MESSAGE - 1] + "…"
                object.__setattr__(self, name, safe)

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
