"""Which knowledge graph a command works on, and where its files live.

In order:
1. `--kg PATH` (or `$LLMRL_KG_ROOT`): that folder, which must hold `ontology/`, `data/`, `queries/`;
2. a checkout found from the current directory upwards (a folder holding the three);
3. the copy the package was installed with: the source tree of an editable install, or
   `llmrl_kg/shipped/` inside a wheel. That installed copy is read-only: a command that writes
   (`fmt`, `new`, `link`) refuses to write into it (`writable_data_dir`).
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from llmrl_kg.errors import UsageError

_PACKAGE_DIR = Path(__file__).resolve().parent
ROOT_VARIABLE = "LLMRL_KG_ROOT"
# How deep the upward search for a checkout goes: far enough for any project layout, and bounded.
_MAX_PARENTS = 32


def is_kg_folder(folder: Path) -> bool:
    """True when `folder` holds the ontology, the data and the saved queries."""
    return (folder / "ontology" / "llmrl.ttl").is_file() and (folder / "data").is_dir() \
        and (folder / "queries").is_dir()


def find_checkout(start: Path) -> Path | None:
    """The nearest folder at or above `start` that holds a KG (ontology/, data/, queries/), or None."""
    folder = start.resolve()
    for _ in range(_MAX_PARENTS):
        if is_kg_folder(folder):
            return folder
        if folder.parent == folder:
            return None
        folder = folder.parent
    return None


def installed_root() -> Path:
    """The KG the package was installed with (a wheel's `llmrl_kg/shipped/`, or an editable source tree)."""
    shipped = _PACKAGE_DIR / "shipped"
    if (shipped / "ontology").is_dir():
        return shipped
    source_tree = _PACKAGE_DIR.parent.parent
    if is_kg_folder(source_tree):
        return source_tree
    raise UsageError(f"the knowledge graph's files (ontology/, data/, queries/) were not found next to "
                     f"{_PACKAGE_DIR}", fix="Reinstall the package, or name a KG folder with --kg PATH.")


def kg_root() -> Path:
    """The folder of the KG this process works on (see the module's docstring for the order)."""
    return _resolve_root(os.getcwd(), os.environ.get(ROOT_VARIABLE))


@functools.lru_cache(maxsize=8)
def _resolve_root(cwd: str, explicit: str | None) -> Path:
    if explicit:
        folder = Path(explicit)
        if not is_kg_folder(folder):
            raise UsageError(f"--kg {explicit}: not a KG folder (it needs ontology/llmrl.ttl, data/ and queries/)",
                             fix="Name the root of a checkout of llmrl-kg.")
        return folder.resolve()
    return find_checkout(Path(cwd)) or installed_root()


def is_installed_copy(root: Path) -> bool:
    """True when `root` is the read-only copy inside the installed package."""
    return root.resolve() == (_PACKAGE_DIR / "shipped").resolve()


def describe_root() -> str:
    """One line for people: which KG is used, e.g. `the checkout /home/me/llmrl-kg`."""
    root = kg_root()
    if is_installed_copy(root):
        return f"the installed copy {root} (read-only)"
    return f"{'--kg' if os.environ.get(ROOT_VARIABLE) else 'the checkout'} {root}"


def writable_data_dir(what: str) -> Path:
    """The data folder to write `what` into; UsageError when that would be the installed package."""
    root = kg_root()
    if is_installed_copy(root):
        raise UsageError(f"{what}: refusing to write into the installed package ({root / 'data'})",
                         fix="Run the command inside a checkout of llmrl-kg, name one with --kg PATH, "
                             "or give an output path (--output).")
    return root / "data"


def ontology_file() -> Path:
    """The OWL ontology (TBox and code lists)."""
    return kg_root() / "ontology" / "llmrl.ttl"


def shapes_file() -> Path:
    """The SHACL shapes."""
    return kg_root() / "ontology" / "shapes.ttl"


def data_dir() -> Path:
    """The curated instance data."""
    return kg_root() / "data"


def queries_dir() -> Path:
    """The saved SPARQL queries."""
    return kg_root() / "queries"
