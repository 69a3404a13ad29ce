"""Damaged copies of the real data folder are refused with one clear error each, and the store
file is left byte for byte as it was (issue #21, "Data loss and impossible data on load"; issue
#15, a two-file publication with one file missing).

Each test makes a copy of ``../shared/data`` in a temporary folder (symbolic links to the real
files, so nothing is copied) with one file damaged, and loads it into a copy of the store loaded
from the real data.
"""

from __future__ import annotations

import hashlib
import io
import os
import resource
import shutil
from pathlib import Path

import pandas as pd
import pytest

from devolution.errors import DataError
from devolution.store import Store
from tests.conftest import register_files

REGISTER = "la_register_england.csv"
KEY_LINES = "revenue_outturn_key_lines_2010_11_to_2024_25.csv"
POPULATION = "population_mye_2011_2023_lad_county_region.csv"
TAXBASE = "council_taxbase_dwellings_by_band_2010_2019_2022.csv"
LEVELS = "council_tax_band_d_by_authority_2014_15_to_2023_24.csv"
CSP = "core_spending_power_components_2015_16_to_2020_21.csv"
CLA = "children_looked_after_number_rate_per_10k_la.csv"
IMD2019 = "imd2019_lad19_summary.csv"
IMD2019_LSOA = "imd2019_lsoa11.csv"
RS = "revenue_outturn_RS_summary_2010_11_to_2014_15_and_2017_18.csv"
RSX = "revenue_outturn_RSX_2022_23_to_2024_25.csv"
RSX_DICTIONARY = "revenue_outturn_RSX_column_dictionary.csv"
CRA = "hmt_country_regional_analysis_2018_database.csv"
BOUNDARIES = "boundaries_lad_may2024_buc_england.geojson"

#: Files a publication needs along with the one named (IMD 2019 is its summary and its LSOA ranks).
COMPANIONS = {IMD2019: {IMD2019_LSOA}}
#: Rows held for the key lines of revenue outturn after loading ../shared/data (as `devo data load` reports).
KEY_LINES_ROWS = 63_062  # 18 fewer since one council-year of placeholder zeros is set aside


# ---------------------------------------------------------------- folders, stores and refusals


def copy_of_data(data_dir: Path, folder: Path, only: set[str] | None = None) -> Path:
    """``folder`` holding a symbolic link to each file of the data folder (or to the register and
    ``only`` these), for a test to damage one of them."""
    folder.mkdir()
    for path in data_dir.iterdir():
        if path.is_file() and (only is None or path.name in {*register_files(), *only}):
            (folder / path.name).symlink_to(path)
    return folder


def replace(folder: Path, name: str, content: str | bytes) -> None:
    """Put ``content`` in place of the link to the real file."""
    (folder / name).unlink()
    if isinstance(content, str):
        content = content.encode()
    (folder / name).write_bytes(content)


def set_cell(data_dir: Path, folder: Path, name: str, column: str, value: str,
             where: tuple[str, str] | None = None) -> int:
    """Write a copy of the real file with one cell changed (the first row where ``where`` matches,
    else the first row); the line number of the changed row (the header is line 1)."""
    frame = pd.read_csv(data_dir / name, dtype=str, keep_default_na=False)
    at = 0 if where is None else int((frame[where[0]] == where[1]).to_numpy().argmax())
    frame.loc[at, column] = value
    replace(folder, name, frame.to_csv(index=False))
    return at + 2


def fingerprint(store_path: Path) -> dict[str, str]:
    """The SHA-256 of the store file and of any file DuckDB keeps next to it (a write-ahead log)."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in store_path.parent.iterdir() if path.name.startswith(store_path.name)}


@pytest.fixture()
def held(loaded_store_path, tmp_path) -> Path:
    """A writable copy of the store loaded from ../shared/data."""
    path = tmp_path / "store" / "devolution.duckdb"
    path.parent.mkdir()
    shutil.copy(loaded_store_path, path)
    return path


def refused(store_path: Path, folder: Path, **options) -> DataError:
    """Load ``folder``, which must be refused, and check the store is byte-identical afterwards."""
    before = fingerprint(store_path)
    with Store(store_path) as store, pytest.raises(DataError) as caught:
        store.load(folder, **options)
    assert fingerprint(store_path) == before, "a refused load changed the store file"
    return caught.value


# ---------------------------------------------------------------- a publication never shrinks silently


@pytest.mark.parametrize("name", [KEY_LINES, POPULATION, REGISTER])
def test_a_header_only_file_is_refused_and_the_store_is_byte_identical(name, held, data_dir, tmp_path):
    """Today a header-only key lines file loads "0 rows" and wipes all 50,084 outturn rows."""
    folder = copy_of_data(data_dir, tmp_path / "data")
    replace(folder, name, (data_dir / name).read_text().splitlines()[0] + "\n")
    error = refused(held, folder)
    assert error.file == name
    assert "no rows of data" in str(error)


def test_a_file_cut_off_after_a_comma_is_refused(held, data_dir, tmp_path):
    """The key lines file cut half-way through, just after a comma (as an interrupted download)."""
    data = (data_dir / KEY_LINES).read_bytes()
    line_end = data.index(b"\n", len(data) // 2)
    cut = data.index(b",", data.index(b",", line_end + 1) + 1) + 1  # after the second comma of a row
    folder = copy_of_data(data_dir, tmp_path / "data")
    replace(folder, KEY_LINES, data[:cut])
    error = refused(held, folder)
    assert error.file == KEY_LINES
    assert error.row == data[:cut].count(b"\n") + 1
    assert "ends in the middle of a row" in str(error)


def test_a_row_with_fewer_fields_than_the_header_is_refused_with_its_row(held, data_dir, tmp_path):
    lines = (data_dir / POPULATION).read_text().splitlines(keepends=True)
    lines[100] = ",".join(lines[100].split(",")[:3]) + "\n"  # line 101: 3 of the 5 fields
    folder = copy_of_data(data_dir, tmp_path / "data")
    replace(folder, POPULATION, "".join(lines))
    error = refused(held, folder)
    assert (error.file, error.row) == (POPULATION, 101)
    assert "cut short: it has 3 of the header's 5 fields" in str(error)


def test_far_fewer_rows_than_the_store_holds_is_refused_unless_allowed(held, data_dir, tmp_path):
    """Half the key lines file (cut at a line break, so each row is whole): refused, saying how
    many rows the store holds and how many the file gives; allowed by name, it loads."""
    data = (data_dir / KEY_LINES).read_bytes()
    half = data[:data.index(b"\n", len(data) // 2) + 1]
    folder = copy_of_data(data_dir, tmp_path / "data", only={KEY_LINES})
    replace(folder, KEY_LINES, half)
    error = refused(held, folder)
    assert error.file == KEY_LINES
    message = str(error)
    assert "publication mhclg_revenue_outturn would shrink" in message
    assert f"the store holds {KEY_LINES_ROWS:,} rows" in message
    assert "--allow-shrink mhclg_revenue_outturn" in message

    with Store(held) as store:
        report = store.load(folder, allow_shrink=["mhclg_revenue_outturn"])
        assert 0 < report.loaded["mhclg_revenue_outturn"] < 0.9 * KEY_LINES_ROWS
        held_rows = store.query("SELECT count(*) AS n FROM observations "
                                "WHERE publication = 'mhclg_revenue_outturn'")["n"].item()
        assert held_rows == report.loaded["mhclg_revenue_outturn"]


def test_allowing_a_shrink_of_a_publication_not_in_the_folder_is_refused(held, data_dir, tmp_path):
    folder = copy_of_data(data_dir, tmp_path / "data", only={POPULATION})
    error = refused(held, folder, allow_shrink=["mhclg_revenue_outturn"])
    assert "--allow-shrink mhclg_revenue_outturn: not a publication loaded from" in str(error)


# ---------------------------------------------------------------- impossible values


VALUES = {
    # case: (file, column, value, row where (column, value), expected in the message)
    "inf outturn": (KEY_LINES, "value_gbp_thousands", "inf", ("ons_code", "E06000001"), "is not a finite number"),
    "-Infinity outturn": (KEY_LINES, "value_gbp_thousands", "-Infinity", ("ons_code", "E06000001"),
                          "is not a finite number"),
    "1e308 thousand pounds": (KEY_LINES, "value_gbp_thousands", "1e308", ("ons_code", "E06000001"),
                              "is too large: times 1,000 (to pounds) it is infinite"),
    "NaN population": (POPULATION, "population", "NaN", ("gss_code", "E06000001"), "is not a number"),
    "negative population": (POPULATION, "population", "-92088", ("gss_code", "E06000001"), "is negative"),
    "fractional population": (POPULATION, "population", "92088.5", ("gss_code", "E06000001"),
                              "is not a whole number"),
    "fractional dwellings": (TAXBASE, "dwellings_band_A", "2619.4", ("ons_code", "E07000223"),
                             "is not a whole number"),
    "negative dwellings": (TAXBASE, "dwellings_total", "-1", ("ons_code", "E07000223"), "is negative"),
    "negative children looked after": (CLA, "children_count", "-5", None, "is negative"),
    "rate per 10,000 above 10,000": (CLA, "rate_per_10000", "12000", None, "is above 10000"),
    "negative grant": (CSP, "sfa", "-3.0", ("ons_code", "E07000223"), "is negative"),
    "1e308 million pounds": (CSP, "sfa", "1e308", ("ons_code", "E07000223"), "is too large"),
    "collection rate above 100": (LEVELS, "collection_rate", "250", ("ons_code", "E06000022"), "is above 100"),
    "negative Band D": (LEVELS, "band_d_excl_parish", "-1201.85", ("ons_code", "E06000022"), "is negative"),
    "share above 1": (IMD2019, "imd_proportion_lsoas_most_deprived_10pc", "36.21", None, "is above 1"),
    "fractional rank": (IMD2019, "imd_rank_of_average_score", "10.5", None, "is not a whole number"),
    "inf in the RS table": (RS, "Net current expenditure: Education services", "inf", None,
                            "is not a finite number"),
    "1e308 in an RSX line": (RSX, "RSX-trans-empl", "1e308", ("ons_code", "E07000026"), "is too large"),
    "inf in the CRA": (CRA, "2015-16", "inf", None, "is not a finite number"),
    "year 0000": (POPULATION, "year", "0000", ("gss_code", "E06000001"), "'0000' is not a possible year"),
    "year 2011.7": (POPULATION, "year", "2011.7", ("gss_code", "E06000001"), "'2011.7' is not a year"),
    # A break test's made-up code was set aside as "a body outside the register" and counted.
    "a code of no known body": (CSP, "ons_code", "E99999999", ("ons_code", "E07000223"),
                                "'E99999999' is neither a place of the register"),
    "a start year that disagrees with its financial year": (CSP, "year_start", "2016", ("ons_code", "E07000223"),
                                                            "'2016' disagrees with financial_year '2015-16'"),
    # A break test's 2031-32 row in the CSP file loaded, and `devo data gaps` then listed every council.
    "a year after the edition": (CSP, "financial_year", "2031-32", ("ons_code", "E07000223"),
                                 "'2031-32' is outside the years this edition holds, 2015-16 to 2020-21"),
    "a year before the edition": (POPULATION, "year", "1999", ("gss_code", "E06000001"),
                                  "'1999' is outside the years this edition holds, 2011 to 2023"),
    "a reporting year after the edition": (CLA, "time_period", "2031", None,
                                           "'2031' is outside the years this edition holds, 2021 to 2025"),
    # A break test stored "92,192358" as 92,192,358 people: a comma outside groups of three.
    "comma not a thousands separator": (POPULATION, "population", "92,192358", ("gss_code", "E06000001"),
                                        "has a comma that is not a thousands separator"),
    "decimal comma": (KEY_LINES, "value_gbp_thousands", "1234,5", ("ons_code", "E06000001"),
                      "has a comma that is not a thousands separator"),
}


@pytest.mark.parametrize("case", VALUES, ids=list(VALUES))
def test_an_impossible_value_is_refused_with_file_row_and_column(case, held, data_dir, tmp_path):
    name, column, value, where, expected = VALUES[case]
    folder = copy_of_data(data_dir, tmp_path / "data", only={name, *COMPANIONS.get(name, ())})
    row = set_cell(data_dir, folder, name, column, value, where)
    error = refused(held, folder)
    assert (error.file, error.row, error.column) == (name, row, column)
    assert expected in str(error)
    assert "duplicated" not in str(error)


def test_possible_values_at_their_bounds_load(tmp_path, data_dir):
    """A population of 0, a share of exactly 1 and net outturn below 0 are possible: they load."""
    folder = copy_of_data(data_dir, tmp_path / "data", only={POPULATION, IMD2019, IMD2019_LSOA, KEY_LINES})
    set_cell(data_dir, folder, POPULATION, "population", "0", ("gss_code", "E06000001"))
    with Store(tmp_path / "fresh.duckdb") as store:
        store.load(folder)
        population = store.observations("population", years=[2011])
        assert population.loc[population["code"] == "E06000001", "value"].item() == 0
        net = store.observations("nce_central_services")["value"]
        assert (net < 0).any()  # net expenditure (income recorded as negative) is kept


# ---------------------------------------------------------------- one line, not a traceback


def test_a_boundaries_file_in_utf16_is_refused(held, data_dir, tmp_path):
    folder = copy_of_data(data_dir, tmp_path / "data", only={BOUNDARIES})
    replace(folder, BOUNDARIES, (data_dir / BOUNDARIES).read_text(encoding="utf-8").encode("utf-16"))
    error = refused(held, folder)
    assert error.file == BOUNDARIES
    assert "is UTF-16" in str(error) and "must be UTF-8" in str(error)


def test_a_boundaries_file_in_latin1_is_refused(held, data_dir, tmp_path):
    text = (data_dir / BOUNDARIES).read_text(encoding="utf-8").replace("Hartlepool", "Hartlepôol", 1)
    folder = copy_of_data(data_dir, tmp_path / "data", only={BOUNDARIES})
    replace(folder, BOUNDARIES, text.encode("latin-1"))
    error = refused(held, folder)
    assert error.file == BOUNDARIES
    assert "is not UTF-8 text" in str(error)


def test_a_boundaries_file_with_no_features_is_refused(held, data_dir, tmp_path):
    folder = copy_of_data(data_dir, tmp_path / "data", only={BOUNDARIES})
    replace(folder, BOUNDARIES, '{"type": "FeatureCollection", "features": []}')
    error = refused(held, folder)
    assert error.file == BOUNDARIES
    assert "has no features" in str(error)


# ---------------------------------------------------------------- files that are not files, or too big


def test_a_folder_in_place_of_a_file_is_refused_as_such(held, data_dir, tmp_path):
    folder = copy_of_data(data_dir, tmp_path / "data")
    (folder / POPULATION).unlink()
    (folder / POPULATION).mkdir()
    error = refused(held, folder)
    assert error.file == POPULATION
    assert "is a folder" in str(error) and "not in" not in str(error)


def test_a_symbolic_link_loop_is_refused_as_such(held, data_dir, tmp_path):
    folder = copy_of_data(data_dir, tmp_path / "data")
    (folder / POPULATION).unlink()
    (folder / POPULATION).symlink_to(folder / "other.csv")
    (folder / "other.csv").symlink_to(folder / POPULATION)
    error = refused(held, folder)
    assert error.file == POPULATION
    assert "symbolic link" in str(error) and "loops" in str(error)


def test_a_broken_symbolic_link_is_refused_as_such(held, data_dir, tmp_path):
    folder = copy_of_data(data_dir, tmp_path / "data")
    (folder / POPULATION).unlink()
    (folder / POPULATION).symlink_to(tmp_path / "gone.csv")
    error = refused(held, folder)
    assert error.file == POPULATION
    assert "broken symbolic link" in str(error)


def test_a_2gb_sparse_file_is_refused_by_size_before_it_is_read(held, data_dir, tmp_path):
    folder = copy_of_data(data_dir, tmp_path / "data")
    (folder / POPULATION).unlink()
    with (folder / POPULATION).open("wb") as handle:
        handle.truncate(2 * 1024 ** 3)  # sparse: costs no disk and, unread, no memory
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB on Linux
    error = refused(held, folder)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak < 200_000  # under 200 MB more
    assert error.file == POPULATION
    assert "is 2,147 MB, over the limit of 100 MB per file" in str(error)
    assert "--max-file-mb" in str(error) and "DEVOLUTION_MAX_FILE_MB" in str(error)


def test_the_size_limit_can_be_raised(tmp_path, data_dir, monkeypatch):
    folder = copy_of_data(data_dir, tmp_path / "data", only={POPULATION})
    monkeypatch.setenv("DEVOLUTION_MAX_FILE_MB", "0.1")  # the population file is 0.26 MB
    with Store(tmp_path / "s.duckdb") as store, pytest.raises(DataError, match="over the limit of 0.1 MB"):
        store.load(folder)
    with Store(tmp_path / "s.duckdb") as store:
        assert "ons_mye_population" in store.load(folder, max_file_bytes=1_000_000).loaded


# ---------------------------------------------------------------- a publication of several files


def test_a_two_file_publication_with_one_file_missing_is_refused_naming_it(held, data_dir, tmp_path):
    """IMD 2019 is its district summary and its LSOA ranks: today the summary loads alone."""
    folder = copy_of_data(data_dir, tmp_path / "data")
    (folder / IMD2019_LSOA).unlink()
    error = refused(held, folder)
    assert error.file == IMD2019_LSOA
    assert f"publication mhclg_imd2019 is incomplete: {IMD2019_LSOA} is not in" in str(error)
    assert IMD2019 in str(error)


def test_the_other_file_of_a_two_file_publication_missing_is_refused_too(held, data_dir, tmp_path):
    folder = copy_of_data(data_dir, tmp_path / "data")
    (folder / IMD2019).unlink()
    error = refused(held, folder)
    assert error.file == IMD2019
    assert "publication mhclg_imd2019 is incomplete" in str(error)


def test_an_optional_file_stays_optional(tmp_path, data_dir):
    """RSX loads without its column dictionary (a description of the lines, not data)."""
    folder = copy_of_data(data_dir, tmp_path / "data", only={RSX})
    assert not (folder / RSX_DICTIONARY).exists()
    with Store(tmp_path / "s.duckdb") as store:
        report = store.load(folder)
        assert report.loaded["mhclg_revenue_outturn_rsx"] > 100_000
        assert not store.has_table("revenue_outturn_rsx_lines")


def test_a_refused_load_into_a_new_store_creates_no_file(tmp_path, data_dir):
    folder = copy_of_data(data_dir, tmp_path / "data", only={POPULATION})
    for name in register_files():
        (folder / name).unlink()
    path = tmp_path / "new" / "devolution.duckdb"
    with Store(path) as store, pytest.raises(Exception, match="register of places"):
        store.load(folder)
    assert not path.exists()


def test_nothing_in_a_refused_load_touches_the_store_file(held, data_dir, tmp_path):
    """Even the refusals decided after the store is opened (a shrink) leave its bytes and its
    modification time as they were."""
    folder = copy_of_data(data_dir, tmp_path / "data", only={POPULATION})
    data = (data_dir / POPULATION).read_bytes()
    replace(folder, POPULATION, data[:data.index(b"\n", len(data) // 3) + 1])
    before = os.stat(held).st_mtime_ns
    error = refused(held, folder)
    assert "would shrink" in str(error)
    assert os.stat(held).st_mtime_ns == before


def test_a_damaged_file_loaded_without_the_register_leaves_the_store_as_it_was(held, data_dir, tmp_path):
    """Without the register in the folder the store's own register is read (the store is opened
    for writing before anything is parsed), and a refusal still writes nothing."""
    folder = copy_of_data(data_dir, tmp_path / "data", only={POPULATION})
    for name in register_files():
        (folder / name).unlink()
    row = set_cell(data_dir, folder, POPULATION, "population", "-1", ("gss_code", "E06000001"))
    error = refused(held, folder)
    assert (error.file, error.row, error.column) == (POPULATION, row, "population")


def test_a_code_of_another_nation_in_a_file_of_england_is_refused_not_set_aside(held, data_dir, tmp_path):
    """One wrong letter (Bristol's E06000023 typed W06000023) made a Welsh code, and the row was set
    aside as a body outside the register: the publication lost a council without a word."""
    name = "council_tax_band_d_by_authority_2014_15_to_2023_24.csv"
    folder = copy_of_data(data_dir, tmp_path / "data", only={name})
    row = set_cell(data_dir, folder, name, "ons_code", "W06000023", ("ons_code", "E06000023"))
    error = refused(held, folder)
    assert (error.file, error.row, error.column) == (name, row, "ons_code")
    assert "code of Wales" in str(error) and "publication of England" in str(error)


@pytest.mark.parametrize("lost", ["E06000028", "E08000016"])  # a start date amended; a recode amended
def test_a_register_that_lost_rows_is_blamed_not_the_amendments(lost, data_dir, tmp_path):
    """A register file missing a council the amendments act on (cut off at a line end, or a row
    lost) is the file at fault: the error names it, not register_amendments.yaml."""
    from devolution.sources import register
    from devolution.sources.base import Context

    folder = copy_of_data(data_dir, tmp_path / "data", only=set())
    lines = (data_dir / REGISTER).read_text().splitlines(keepends=True)
    replace(folder, REGISTER, "".join(line for line in lines if not line.startswith(lost + ",")))
    with pytest.raises(DataError) as caught:
        register.parse({name: folder / name for name in register_files()}, Context())
    assert caught.value.file == REGISTER
    assert f"{lost} (" in str(caught.value) and "cut off or damaged" in str(caught.value)


def test_a_publication_that_loses_one_place_is_refused_naming_it_unless_allowed(held, data_dir, tmp_path):
    """Hartlepool's rows cut from the population file: far under the 90% shrink threshold, yet the
    load dropped its whole series without a word. Refused, naming it; allowed by name, it loads."""
    folder = copy_of_data(data_dir, tmp_path / "data", only={POPULATION})
    lines = (data_dir / POPULATION).read_text().splitlines(keepends=True)
    replace(folder, POPULATION, "".join(line for line in lines if not line.startswith("E06000001,")))
    error = refused(held, folder)
    assert error.file == POPULATION
    message = str(error)
    assert "publication ons_mye_population would lose 1 place" in message
    assert "E06000001 Hartlepool" in message and "--allow-shrink ons_mye_population" in message

    with Store(held) as store:
        store.load(folder, allow_shrink=["ons_mye_population"])
        held_codes = store.query("SELECT DISTINCT code FROM observations "
                                 "WHERE publication = 'ons_mye_population'")["code"]
        assert "E06000001" not in set(held_codes) and len(held_codes) > 300


@pytest.mark.parametrize("cut, expected", [
    (lambda line: ",2015," in line, "would lose 327 place-years the store holds for it: 2015-16 for 327 places"),
    (lambda line: line.startswith("E06000001,") and ",2023," not in line,
     "would lose 12 place-years the store holds for it: 2011-12 for E06000001 Hartlepool"),
], ids=["a year for every place", "a place's earlier years"])
def test_a_publication_that_loses_a_year_it_held_is_refused(held, data_dir, tmp_path, cut, expected):
    """A fresh user's break test: every 2015 row cut from the population file (92% of rows left,
    above the shrink threshold), or Hartlepool's 2011 to 2022 rows cut (2023 kept), loaded without a
    word and the store lost them. Refused, naming the years and places, the store unchanged."""
    folder = copy_of_data(data_dir, tmp_path / "data", only={POPULATION})
    lines = (data_dir / POPULATION).read_text().splitlines(keepends=True)
    replace(folder, POPULATION, "".join(line for line in lines if not cut(line)))
    message = str(refused(held, folder))
    assert f"publication ons_mye_population {expected}" in message, message
    assert "--allow-shrink ons_mye_population" in message


def test_a_latin1_byte_in_the_register_is_refused_with_its_row_and_column(held, data_dir, tmp_path):
    """Darlington written "Dérlington" in Latin-1: the error said "position 22" of a decoder's chunk."""
    folder = copy_of_data(data_dir, tmp_path / "data", only=set())
    lines = (data_dir / REGISTER).read_bytes().split(b"\n")
    at = next(i for i, line in enumerate(lines) if line.startswith(b"E06000005,"))
    lines[at] = lines[at].replace(b"Darlington,", "Dérlington,".encode("latin-1"), 1)
    replace(folder, REGISTER, b"\n".join(lines))
    error = refused(held, folder)
    assert (error.file, error.row, error.column) == (REGISTER, at + 1, "name")
    assert "byte 0xe9 is not UTF-8 text" in str(error)


def test_a_first_load_that_lacks_a_council_says_so_and_devo_data_gaps_lists_it(data_dir, tmp_path, monkeypatch):
    """A fresh user's break test: every Maidstone row cut from the council tax levels file, loaded
    into a new store, loaded without a word (over a store that held it, it is refused above). The
    load now names the councils in force a publication lacks, and `devo data gaps` lists them; the
    real file's own gap (Boston, 2018-19, not in the levels file as given) is listed too."""
    from typer.testing import CliRunner

    from devolution.cli import app

    folder = copy_of_data(data_dir, tmp_path / "data", only={LEVELS})
    lines = (data_dir / LEVELS).read_text().splitlines(keepends=True)
    replace(folder, LEVELS, "".join(line for line in lines if ",E07000110," not in line))
    monkeypatch.setenv("DEVOLUTION_STORE", str(tmp_path / "new.duckdb"))
    loaded = CliRunner().invoke(app, ["data", "load", str(folder)], env={"COLUMNS": "200"})
    assert loaded.exit_code == 0, loaded.output
    said = " ".join(loaded.output.split())
    assert "Councils in force that a publication lacks" in said
    assert "mhclg_council_tax_levels: 11 council-years (2014-15 Maidstone; 2015-16 Maidstone; 2016-17 Maidstone;" in said

    listed = CliRunner().invoke(app, ["data", "gaps", "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    table = pd.read_csv(io.StringIO(listed.output))
    maidstone = table[table["code"] == "E07000110"]
    assert list(maidstone["year"]) == [f"{y}-{(y + 1) % 100:02d}" for y in range(2014, 2024)]
    assert set(maidstone["publication"]) == {"mhclg_council_tax_levels"}
    boston = table[table["code"] == "E07000136"]
    assert list(zip(boston["publication"], boston["year"])) == [("mhclg_council_tax_levels", "2018-19")]

    # at 80 columns, one table per publication with tiers in words (five columns were cut to "mhclg_council_t…")
    narrow = CliRunner().invoke(app, ["data", "gaps"], env={"COLUMNS": "80"})
    assert narrow.exit_code == 0 and "…" not in narrow.output, narrow.output
    assert "mhclg_council_tax_levels: councils in force it lacks" in " ".join(narrow.output.split())
    assert "│ 2018-19 │ E07000136 │ Boston" in narrow.output and "Shire district" in narrow.output

    unknown = CliRunner().invoke(app, ["data", "gaps", "--publication", "nope"])
    assert unknown.exit_code == 1 and "not a loaded publication" in unknown.output


def test_a_place_with_more_people_than_england_is_refused(held, data_dir, tmp_path):
    """A fresh user's break test: Hartlepool's 2014 population typed as 920,880,000 loaded over the
    store without a word and made the North East's spending £2.10 a head. No part is larger than
    the whole: refused, naming the place, the year and England's figure; the store unchanged."""
    folder = copy_of_data(data_dir, tmp_path / "data", only={POPULATION})
    lines = (data_dir / POPULATION).read_text().splitlines(keepends=True)
    replace(folder, POPULATION, "".join("E06000001,Hartlepool,Unitary Authority,2014,920880000\n"
                                        if line.startswith("E06000001,Hartlepool,Unitary Authority,2014,") else line
                                        for line in lines))
    message = str(refused(held, folder))
    assert "E06000001 has 920,880,000 people (population) in 2014, more than England's" in message, message


def test_every_publication_of_measures_says_which_years_it_holds_and_holds_them(held):
    """Each edition's span (``Publication.years``) is what the loaded data holds, no wider: the
    check that refuses a stray year cannot be missing for a publication, or looser than its files."""
    from devolution.sources import PUBLICATIONS

    with Store(held) as store:
        spans = store.query("SELECT publication, min(year) AS first, max(year) AS last FROM observations "
                            "GROUP BY ALL").set_index("publication")
    for publication in PUBLICATIONS:
        if publication.measures:
            assert publication.years == tuple(spans.loc[publication.id, ["first", "last"]].astype(int)), \
                publication.id


def test_a_parser_that_lets_a_stray_year_through_is_stopped_before_the_store(held, data_dir, tmp_path):
    """The store's own net under the parsers' check: a publication whose parser does not look."""
    from dataclasses import replace as changed

    from devolution.sources import PUBLICATIONS
    from devolution.sources.base import Parsed

    csp = next(p for p in PUBLICATIONS if p.id == "mhclg_core_spending_power")

    def careless(files, context):
        parsed = csp.parse(files, context)
        parsed.observations.loc[0, "year"] = 2031
        return Parsed(observations=parsed.observations)

    folder = copy_of_data(data_dir, tmp_path / "data", only={CSP})
    others = [p for p in PUBLICATIONS if p.id != csp.id]
    error = refused(held, folder, publications=[*others, changed(csp, parse=careless)])
    assert error.file == CSP
    assert "gives rows for year 2031, outside the years this edition holds (2015 to 2020" in str(error)


def test_the_two_council_tax_files_that_disagree_are_both_named_with_their_cells(held, data_dir, tmp_path):
    """A break test typed "1,234" into the wide levels file: a possible Band D (1234), refused only
    because the long file says otherwise, and the message blamed the long file's row alone."""
    long_name = "council_tax_requirement_band_d_2014_15_to_2023_24_long.csv"
    folder = copy_of_data(data_dir, tmp_path / "data", only={LEVELS, long_name})
    wide_row = set_cell(data_dir, folder, LEVELS, "band_d_excl_parish", "1,234", ("ons_code", "E06000022"))
    wide = pd.read_csv(data_dir / LEVELS, dtype=str).iloc[wide_row - 2]
    long = pd.read_csv(data_dir / long_name, dtype=str)
    long_row = int(((long["ecode"] == wide["ecode"]) & (long["year"] == wide["year"])
                    & (long["section"] == wide["section"]) & (long["variable"] == "band_d_excl_parish"))
                   .to_numpy().argmax()) + 2
    error = refused(held, folder)
    message = str(error)
    assert LEVELS in error.file and long_name in error.file
    assert f"{LEVELS} row {wide_row} column 'band_d_excl_parish' says 1,234" in message
    assert f"{long_name} row {long_row} column 'value' says {long['value'].iloc[long_row - 2]}" in message


def test_a_column_added_to_an_official_file_is_refused_by_name(held, data_dir, tmp_path):
    """A break test added a column to a file and it loaded, silently unread."""
    frame = pd.read_csv(data_dir / CSP, dtype=str, keep_default_na=False)
    frame.insert(6, "sfa_2021_22", "1.0")
    folder = copy_of_data(data_dir, tmp_path / "data", only={CSP})
    replace(folder, CSP, frame.to_csv(index=False))
    error = refused(held, folder)
    assert (error.file, error.row, error.column) == (CSP, 1, "sfa_2021_22")
    assert "is not in this file's layout, so it would not be read" in str(error)


def test_a_figure_blanked_in_one_council_tax_file_but_not_its_twin_is_refused(held, data_dir, tmp_path):
    """A break test blanked Bath & North East Somerset's 2014-15 Band D in the wide file: the long
    file still said 1201.85, the load went through and the store lost the figure."""
    long_name = "council_tax_requirement_band_d_2014_15_to_2023_24_long.csv"
    folder = copy_of_data(data_dir, tmp_path / "data", only={LEVELS, long_name})
    wide_row = set_cell(data_dir, folder, LEVELS, "band_d_excl_parish", "", ("ons_code", "E06000022"))
    error = refused(held, folder)
    assert f"{LEVELS} row {wide_row} column 'band_d_excl_parish' says nothing (blank)" in str(error)


def test_placeholder_zeros_for_councils_not_in_force_are_set_aside_not_stored(store):
    """The CSP file prints 0.00 in every column for a council in years it did not exist:
    Buckinghamshire before 1 April 2020, Aylesbury Vale (abolished 31 March 2020) in 2020-21. They
    were stored and shown as real £0 figures (a trend chart at £0, "CSP 2020-21 £0.00")."""
    held = store.query("SELECT code, year FROM observations WHERE publication = 'mhclg_core_spending_power' "
                       "AND code IN ('E06000060', 'E07000004') AND measure = 'csp_total' ORDER BY code, year")
    assert held.loc[held["code"] == "E06000060", "year"].tolist() == [2020]   # 2015-16 to 2019-20 set aside
    assert held.loc[held["code"] == "E07000004", "year"].tolist() == [2015, 2016, 2017, 2018, 2019]
    real = store.query("SELECT value FROM observations WHERE code = 'E06000060' AND year = 2020 "
                       "AND measure = 'csp_total'")["value"].item()
    assert real > 0


def test_a_figure_for_a_council_after_it_ended_is_refused(held, data_dir, tmp_path):
    """A break test added Aylesbury Vale (abolished 31 March 2020) to the population file for 2023,
    and the load stored 200,000 people for it."""
    folder = copy_of_data(data_dir, tmp_path / "data", only={POPULATION})
    text = (data_dir / POPULATION).read_text()
    replace(folder, POPULATION, text + "E07000004,Aylesbury Vale,Non-metropolitan District,2023,200000\n")
    error = refused(held, folder)
    assert error.file == POPULATION
    assert "population = 200,000.00 for E07000004 Aylesbury Vale in year 2023" in str(error)
    assert "after it ended on 31 March 2020" in str(error)
