"""The house (DESIGN.md, docs/architecture.md): imports point one way, no cycles, modules of a size
a reader can hold.

The import contracts are import-linter's, in pyproject.toml (``[tool.importlinter]``): the layers
(sources -> store -> rules -> scenarios -> analysis -> cli / api / web / report, with where
places, powers, parameters, microsim, explain and the small shared modules sit), no cycles at any
depth, rules that import numpy and not the data, sources that compute no policy. ``lint-imports``
runs them on the package as it is, and on a copy with one deliberate breach added, to show that
each kind of breach is caught (a contract that cannot fail would say nothing).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "src" / "devolution"
#: DESIGN.md: "A module that grows past ~400 lines is two modules." No module is exempt.
MAX_LINES = 400
#: The contracts' names by id, as lint-imports reports them.
CONTRACTS = {c["id"]: c["name"] for c in
             tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]}


def lint_imports(folder: Path = ROOT) -> subprocess.CompletedProcess:
    """``lint-imports`` run in ``folder``, with the contracts of the ``pyproject.toml`` there: the
    repository (the installed package), or a folder holding a ``devolution`` copy and the same
    ``pyproject.toml`` (the copy comes first on the path). No cache is written."""
    env = {**os.environ, "COLUMNS": "400"}  # one line per contract in the report
    return subprocess.run([sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
                           "--no-cache"], cwd=folder, env=env, capture_output=True, text=True, timeout=600)


def test_every_import_points_down_and_none_forms_a_cycle():
    result = lint_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(f"{name} KEPT" in result.stdout for name in CONTRACTS.values()), result.stdout
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in result.stdout


#: Deliberate breaches, each as (module, the line added at its end, the contract that must break,
#: the import the report must name). A breach may break other contracts too (an upward import into
#: the API is also a cycle with it); the one named must be among them.
BREACHES = {
    "the analysis imports the public API (the cycle issue 19 began with)": (
        "analysis/change.py", "from devolution.api import series",
        "layers", "devolution.analysis.change -> devolution.api"),
    "a rule imports the web app, inside a function (a lazy import is an import)": (
        "rules/council_tax.py", "def _hidden():\n    from devolution.web import app",
        "layers", "devolution.rules.council_tax -> devolution.web"),
    "a rule reads a file with pandas": (
        "rules/needs.py", "import pandas",
        "rules-are-pure", "devolution.rules.needs -> pandas"),
    "a source imports a finance rule": (
        "sources/council_tax.py", "from devolution.rules import council_tax as rule",
        "sources-compute-no-policy", "devolution.sources.council_tax -> devolution.rules.council_tax"),
    "two modules of one layer import each other": (
        "scenarios/resources.py", "from devolution.scenarios import projection",
        "no-cycles", ".resources -> .projection"),
    "a new top-level module given no layer": (
        "unplaced.py", "from devolution.years import year_label",
        "layers", "devolution.unplaced"),
}


@pytest.mark.parametrize("breach", list(BREACHES))
def test_a_deliberate_breach_is_caught(tmp_path, breach):
    module, line, contract, named = BREACHES[breach]
    copy = tmp_path / "devolution"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    target = copy / module
    target.write_text((target.read_text() if target.exists() else "") + f"\n\n{line}\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{CONTRACTS[contract]} BROKEN" in result.stdout, result.stdout
    assert named in result.stdout.split("Broken contracts", 1)[1], result.stdout


def test_no_module_is_past_the_line_limit():
    lengths = {str(path.relative_to(PACKAGE)): len(path.read_text(encoding="utf-8").splitlines())
               for path in PACKAGE.rglob("*.py")}
    assert len(lengths) > 100  # the walk found the package
    assert {name: n for name, n in lengths.items() if n > MAX_LINES} == {}
