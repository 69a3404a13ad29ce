"""A bad file is refused with one message naming file, row and column, and the store is left
exactly as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devolution.errors import DataError
from devolution.store import Store
from tests.conftest import with_register

REGISTER = "la_register_england.csv"
POPULATION = "population_mye_2011_2023_lad_county_region.csv"
HEADER = "gss_code,name,geography,year,population\n"


def snapshot(path: Path) -> dict:
    """Everything in the store, as comparable values."""
    with Store(path, read_only=True) as store:
        out = {}
        for (name,) in store.connection.execute(
                "SELECT table_name FROM information_schema.tables ORDER BY 1").fetchall():
            frame = store.query(f'SELECT * FROM "{name}"')
            out[name] = (len(frame), frame.to_csv(index=False).__hash__())
        return out


@pytest.fixture()
def good_store(tmp_path, data_dir) -> Path:
    """A store loaded from the register and a small, valid population file."""
    folder = tmp_path / "good"
    folder.mkdir()
    with_register(data_dir, folder, link=False)
    (folder / POPULATION).write_text(HEADER + "E06000001,Hartlepool,Unitary Authority,2022,93847\n"
                                     "E06000001,Hartlepool,Unitary Authority,2023,95366\n")
    path = tmp_path / "store.duckdb"
    with Store(path) as store:
        store.load(folder)
    return path


def bad_folder(tmp_path, body: str, header: str = HEADER) -> Path:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / POPULATION).write_text(header + body)
    return folder


CASES = {
    "missing column": (HEADER.replace(",population", ""), "E06000001,Hartlepool,Unitary Authority,2023\n",
                       1, "population", "missing column"),
    "wrong type": (HEADER, "E06000001,Hartlepool,Unitary Authority,2023,95366\n"
                           "E06000002,Middlesbrough,Unitary Authority,2023,lots\n",
                   3, "population", "'lots' is not a number"),
    "unknown GSS code": (HEADER, "E06000001,Hartlepool,Unitary Authority,2023,95366\n"
                                 "E06999999,Nowhere,Unitary Authority,2023,1\n",
                         3, "gss_code", "unknown GSS code 'E06999999'"),
    "malformed code": (HEADER, "E0600001,Hartlepool,Unitary Authority,2023,95366\n",
                       2, "gss_code", "not a GSS code"),
    "duplicated code and year": (HEADER, "E06000001,Hartlepool,Unitary Authority,2023,95366\n"
                                         "E06000002,Middlesbrough,Unitary Authority,2023,152650\n"
                                         "E06000001,Hartlepool,Unitary Authority,2023,95000\n",
                                 4, "gss_code", "duplicated (gss_code=E06000001, year=2023)"),
    "bad year": (HEADER, "E06000001,Hartlepool,Unitary Authority,mid-2023,95366\n",
                 2, "year", "is not a year"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_file_is_refused_naming_file_row_and_column_and_store_is_unchanged(case, good_store, tmp_path):
    header, body, row, column, message = CASES[case]
    before = snapshot(good_store)
    with Store(good_store) as store, pytest.raises(DataError) as caught:
        store.load(bad_folder(tmp_path, body, header))
    error = caught.value
    assert error.file == POPULATION
    assert error.row == row
    assert error.column == column
    assert message in str(error)
    assert f"file {POPULATION}, row {row}, column '{column}'" in str(error)
    assert snapshot(good_store) == before


def test_a_good_file_replaces_its_publication_and_nothing_else(good_store, tmp_path):
    folder = bad_folder(tmp_path, "E06000001,Hartlepool,Unitary Authority,2022,900\n"
                                  "E06000001,Hartlepool,Unitary Authority,2023,1000\n")
    with Store(good_store) as store:
        store.load(folder)
        rows = store.observations("population")
        assert rows[["code", "year", "value"]].values.tolist() == [["E06000001", 2022, 900.0],
                                                                   ["E06000001", 2023, 1000.0]]
        assert len(store.places()) > 380  # the register stays


def test_a_failure_while_writing_rolls_back(good_store, tmp_path, monkeypatch):
    """Even if writing fails half-way, the transaction leaves the store as it was."""
    before = snapshot(good_store)
    folder = bad_folder(tmp_path, "E06000001,Hartlepool,Unitary Authority,2022,900\n"
                                  "E06000001,Hartlepool,Unitary Authority,2023,1000\n")
    shutil.copy(Path(__file__).parent / "test_refusals.py", folder / "ignored.txt")
    import devolution.store as store_module

    def broken(path):
        raise OSError("disk gone")

    monkeypatch.setattr(store_module, "_sha256", broken)
    with Store(good_store) as store, pytest.raises(OSError, match="disk gone"):
        store.load(folder)
    assert snapshot(good_store) == before


def test_files_other_than_the_register_need_the_register(tmp_path):
    folder = bad_folder(tmp_path, "E06000001,Hartlepool,Unitary Authority,2023,95366\n")
    with Store(tmp_path / "empty.duckdb") as store, pytest.raises(Exception, match="register of places"):
        store.load(folder)


def test_a_folder_with_no_known_file_is_refused(tmp_path):
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    with Store(tmp_path / "s.duckdb") as store, pytest.raises(DataError, match="no file of a known publication"):
        store.load(tmp_path)


def test_the_official_workbook_stands_in_for_the_tidy_population_csv(tmp_path, data_dir):
    """A folder with the ONS MYE workbook (as `devo data pull` fetches it) but no tidy CSV loads."""
    folder = tmp_path / "pulled"
    folder.mkdir()
    with_register(data_dir, folder, link=False)
    shutil.copy(data_dir / "originals" / "ons_mye23tablesew.xlsx", folder / "mye23tablesew.xlsx")  # ONS name
    with Store(tmp_path / "s.duckdb") as store:
        report = store.load(folder)
        assert "ons_mye_population" in report.loaded
        pop = store.observations("population", years=[2023])
        assert pop.loc[pop["code"] == "E92000001", "value"].item() == 57_690_323
