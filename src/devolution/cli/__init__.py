"""The ``devo`` command: nouns then verbs (``devo data load``, ``devo places show``).

Each module here holds the commands of one area; importing it adds them to ``app``. Heavy imports
(pandas, DuckDB, Altair) happen inside commands so ``devo --help`` starts fast. Errors of the
project's own types print as one clear line and exit with status 1.
"""

from __future__ import annotations

from devolution.cli.common import app
from devolution.cli import data, export, finance, places, powers, budget, reorganise, reports, scenarios, web  # noqa: F401  (registers commands; in the order of `devo --help`)


def main() -> None:  # pragma: no cover
    app()
