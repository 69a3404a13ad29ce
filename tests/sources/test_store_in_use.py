"""A load while another process holds the store (a running `devo serve`, another `devo data load`)
waits a bounded time, then says which process holds it, in one line (issue #21)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from devolution.cli import app
from devolution.errors import StoreError
from devolution.store import Store
from tests.conftest import with_register

REGISTER = "la_register_england.csv"

#: Open the store as the web app does (``Store(read_only=True)``, kept open) or as a load does
#: (read-write), say so, and hold it for the given seconds.
HOLD = """
import sys, time
from devolution.store import Store
store = Store(sys.argv[1], read_only=sys.argv[2] == "read")
store.connection
print("holding", flush=True)
time.sleep(float(sys.argv[3]))
store.close()
"""


@pytest.fixture()
def small_store(tmp_path, data_dir) -> tuple[Path, Path]:
    """A store holding the register, and a folder with the register to load again."""
    folder = tmp_path / "data"
    folder.mkdir()
    with_register(data_dir, folder)
    path = tmp_path / "store.duckdb"
    with Store(path) as store:
        store.load(folder)
    return path, folder


def hold(path: Path, mode: str, seconds: float) -> subprocess.Popen:
    """A process holding the store (started, and holding it, when this returns)."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(path), mode, str(seconds)],
                               stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "holding"
    return process


def release(process: subprocess.Popen) -> None:
    process.kill()
    process.wait()


def test_a_load_while_the_server_reads_the_store_names_the_process(small_store):
    path, folder = small_store
    before = path.read_bytes()
    server = hold(path, "read", 60)
    try:
        started = time.monotonic()
        with Store(path, wait=0.5) as store, pytest.raises(StoreError) as caught:
            store.load(folder)
        assert 0.5 <= time.monotonic() - started < 10  # it waited, for a bounded time
        message = str(caught.value)
        assert f"is in use by process {server.pid} (python" in message
        assert "waited 0.5 s" in message
    finally:
        release(server)
    assert path.read_bytes() == before


def test_a_second_load_waits_for_the_first_to_finish(small_store):
    path, folder = small_store
    first = hold(path, "write", 1.5)
    try:
        started = time.monotonic()
        with Store(path, wait=30) as store:
            report = store.load(folder)
        assert time.monotonic() - started >= 1.0  # it waited for the first load's lock
        assert report.loaded["la_register"] > 380
    finally:
        release(first)


def test_devo_data_load_on_a_store_in_use_is_one_line_and_exit_1(small_store, monkeypatch):
    path, folder = small_store
    monkeypatch.setenv("DEVOLUTION_STORE", str(path))
    monkeypatch.setenv("COLUMNS", "300")
    server = hold(path, "read", 60)
    try:
        result = CliRunner().invoke(app, ["data", "load", str(folder), "--wait", "0.2"])
    finally:
        release(server)
    assert result.exit_code == 1
    assert f"error: the store {path} is in use by process {server.pid}" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_reader_waits_while_a_load_writes(small_store):
    """`devo serve` or any read command started during a load gets the store once it is written."""
    path, _ = small_store
    writer = hold(path, "write", 1.5)
    try:
        with Store(path, read_only=True, wait=30) as store:
            assert len(store.places()) > 380
    finally:
        release(writer)
