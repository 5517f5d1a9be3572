"""Which KG a command works on: the checkout around the current folder, `--kg`, else the installed copy.

The installed copy is simulated exactly as the wheel lays it out (pyproject's force-include):
the package with `ontology/`, `data/` and `queries/` under `llmrl_kg/shipped/`, imported through
PYTHONPATH so that the source checkout is not on the path.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
KG_FOLDERS = ("ontology", "data", "queries")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A site folder holding the package as a wheel installs it."""
    site = tmp_path_factory.mktemp("site")
    shutil.copytree(REPO / "src" / "llmrl_kg", site / "llmrl_kg", ignore=shutil.ignore_patterns("__pycache__"))
    for folder in KG_FOLDERS:
        shutil.copytree(REPO / folder, site / "llmrl_kg" / "shipped" / folder)
    return site


@pytest.fixture()
def checkout(tmp_path) -> Path:
    """A user's checkout of the repository (its KG folders), somewhere else on disk."""
    root = tmp_path / "checkout"
    for folder in KG_FOLDERS:
        shutil.copytree(REPO / folder, root / folder)
    return root


def run_installed(installed: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(installed)}
    env.pop("LLMRL_KG_ROOT", None)
    return subprocess.run([sys.executable, "-m", "llmrl_kg", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
            and "__pycache__" not in p.parts}


def test_inside_a_checkout_validate_checks_the_checkout_not_the_installed_copy(installed, checkout):
    broken = checkout / "data" / "methods" / "eureka.ttl"
    broken.write_text(broken.read_text(encoding="utf-8") + "\nthis is not turtle\n", encoding="utf-8")
    result = run_installed(installed, checkout / "data" / "methods", "validate", "--no-reasoning")
    assert result.returncode == 1
    assert f"checking the KG of the checkout {checkout.resolve()}" in result.stderr
    assert any(line.startswith("data/methods/eureka.ttl:") and "turtle-syntax" in line
               for line in result.stdout.splitlines()), result.stdout


def test_outside_a_checkout_the_installed_copy_is_used_and_named(installed, tmp_path):
    result = run_installed(installed, tmp_path, "validate", "--no-reasoning")
    assert result.returncode == 0, result.stdout + result.stderr
    shipped = (installed / "llmrl_kg" / "shipped").resolve()
    assert result.stderr.strip() == f"checking the KG of the installed copy {shipped} (read-only)"


@pytest.mark.parametrize("args", [
    ("fmt",),
    ("new", "some-method", "--name", "Some method", "--role", "reward-model", "--model", "GPT-4",
     "--arxiv", "2501.00001", "--title", "A title", "--authors", "Ann Author", "--venue", "arXiv"),
    ("link", "wikidata", "--offline"),
], ids=["fmt", "new", "link"])
def test_no_command_writes_into_the_installed_package(installed, tmp_path, args):
    before = snapshot(installed)
    result = run_installed(installed, tmp_path, *args)
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"{args[0]}: refusing to write into the installed package" in result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(installed) == before


def test_kg_option_names_the_kg_explicitly(installed, checkout, tmp_path):
    result = run_installed(installed, tmp_path, "--kg", str(checkout), "validate", "--no-reasoning")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == f"checking the KG of --kg {checkout.resolve()}"
    missing = run_installed(installed, tmp_path, "--kg", str(tmp_path), "validate")
    assert missing.returncode == 2
    assert missing.stderr.splitlines()[0] == (f"llmrl-kg: --kg {tmp_path}: not a KG folder (it needs "
                                              "ontology/llmrl.ttl, data/ and queries/)")
