"""Shared fixtures: the real datasets (DEVOLUTION_DATA) and a store loaded from them once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = Path(os.environ.get("DEVOLUTION_DATA", DEFAULT_DATA))
    if not (path / "la_register_england.csv").is_file():
        pytest.fail(f"the official datasets are not at {path}: set DEVOLUTION_DATA")
    return path


@pytest.fixture(scope="session")
def loaded_store_path(data_dir, tmp_path_factory) -> Path:
    from devolution.store import Store

    path = tmp_path_factory.mktemp("store") / "devolution.duckdb"
    with Store(path) as store:
        store.load(data_dir)
    return path


@pytest.fixture()
def store(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as s:
        yield s


@pytest.fixture(scope="session")
def reorganisation_inputs(loaded_store_path):
    """What every reorganisation proposal reads from the store (``analysis.reorganisation.read_inputs``),
    read once for the session: the analysis, golden, CLI and web tests of reorganisation share it."""
    from devolution.analysis.reorganisation import read_inputs
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as s:
        return read_inputs(s)


@pytest.fixture(scope="session")
def reorganisation_history(reorganisation_inputs):
    """Every historical example against MHCLG's published figures (``check_history``), computed
    once: the golden test checks it, the CLI test how ``--check-history`` shows it."""
    from devolution.analysis.reorganisation import check_history

    return check_history(reorganisation_inputs)


def register_files() -> tuple[str, ...]:
    """The files of the register publication (the compiled register and ONS's region lookup): a
    test folder that holds "the register" holds all of them."""
    from devolution.sources import register

    return register.PUBLICATIONS[0].files


def with_register(data_dir: Path, folder: Path, link: bool = True) -> Path:
    """Put the register publication's files in ``folder`` (symbolic links, or copies)."""
    import shutil

    for name in register_files():
        if link:
            (folder / name).symlink_to(data_dir / name)
        else:
            shutil.copy(data_dir / name, folder / name)
    return folder
