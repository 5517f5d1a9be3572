"""The layout docs/architecture.md describes, checked on the code: stages, their order, sizes, one error model."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "llmrl_kg"
# The stages in pipeline order: a module may import from its own stage and from the stages before it.
ORDER = ["errors", "locations", "rdf", "reason", "kg", "store", "link", "query", "export", "api", "site", "cli",
         "__main__"]
MAX_ROOT_MODULES = 6
MAX_FUNCTION_LINES = 60


def stage_of(path: Path) -> str:
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imported_stages(path: Path) -> set[str]:
    """The stages a module imports from (the package root's public names count as `api`)."""
    stages = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "llmrl_kg":
            parts = node.module.split(".")
            names = [parts[1]] if len(parts) > 1 else [alias.name for alias in node.names]
            stages |= {"api" if name in ("__version__",) else name for name in names}
        elif isinstance(node, ast.Import):
            stages |= {alias.name.split(".")[1] for alias in node.names
                       if alias.name.startswith("llmrl_kg.")}
    return stages


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_package_root_holds_at_most_six_modules():
    root = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(root) <= MAX_ROOT_MODULES, root


def test_no_stage_imports_from_a_later_stage():
    upward = []
    for path in modules():
        stage = stage_of(path)
        if stage == "__init__":
            continue  # the package's lazy public names point at every stage on purpose
        for imported in imported_stages(path) - {stage}:
            if imported == "api" and stage_of(path) != "api":
                imported = "__init__"  # `from llmrl_kg import __version__` reads the root, not api.py
            if imported in ORDER and ORDER.index(imported) > ORDER.index(stage):
                upward.append(f"{path.relative_to(PACKAGE)} imports {imported}")
    assert upward == []


def test_every_stage_is_named_in_the_order_and_documented():
    stages = {stage_of(p) for p in modules()} - {"__init__"}
    assert sorted(stages - set(ORDER)) == []
    guide = (PACKAGE.parent.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    folders = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert [f for f in folders if f"`{f}/`" not in guide] == []


def test_no_function_is_longer_than_sixty_lines():
    long = []
    for path in modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} ({lines} lines)")
    assert long == []


def test_every_exception_class_belongs_to_the_one_error_model():
    """Each public exception class of the package is a KGError: it carries its exit code and its fix."""
    import importlib
    import inspect

    from llmrl_kg.errors import KGError

    strays = []
    for path in modules():
        if path.name == "__main__.py":
            continue  # running it is what it does
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts[:-1] if relative.name == "__init__" else relative.parts)
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == name
                    and not attribute.startswith("_") and not issubclass(value, KGError)):
                strays.append(f"{name}.{attribute}")
    assert strays == []


def test_debug_prints_the_traceback_of_an_internal_error(tmp_path):
    """An unexpected error is one line and exit 3; with --debug the traceback comes first."""
    script = tmp_path / "boom.py"
    script.write_text(
        "import sys\n"
        "import llmrl_kg.cli as cli\n"
        "def broken(*args, **kwargs):\n    raise RuntimeError('boom')\n"
        "cli.LazyGroup.get_command = lambda self, ctx, name: __import__('click').command(name)(broken)\n"
        "sys.argv = ['llmrl-kg', *sys.argv[1:]]\n"
        "cli.main()\n", encoding="utf-8")
    plain = subprocess.run([sys.executable, str(script), "queries"], capture_output=True, text=True, timeout=60)
    assert plain.returncode == 3
    assert plain.stderr.splitlines()[0] == "llmrl-kg: internal error: RuntimeError: boom"
    assert "Traceback" not in plain.stderr
    debug = subprocess.run([sys.executable, str(script), "--debug", "queries"], capture_output=True, text=True,
                           timeout=60)
    assert debug.returncode == 3
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert "llmrl-kg: internal error: RuntimeError: boom" in debug.stderr


@pytest.mark.parametrize("args, code, message", [
    (["query", "no-such-query"], 2, "llmrl-kg: no saved query named 'no-such-query'"),
    (["sparql", "SELECT * WHERE { ?s ?p"], 2, "llmrl-kg: SPARQL syntax error at line 1"),
])
def test_errors_of_the_model_print_one_line_and_their_exit_code(args, code, message):
    result = subprocess.run([sys.executable, "-m", "llmrl_kg", *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == code
    # (a first call may say, on a line before, that it builds the cache)
    assert any(line.startswith(message) for line in result.stderr.splitlines()), result.stderr
    assert "Traceback" not in result.stderr
