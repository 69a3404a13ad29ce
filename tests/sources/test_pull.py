"""`devo data pull`: the network is stubbed (httpx.MockTransport), the parsers are real."""

from __future__ import annotations

import functools
import os
import re
import shutil
from pathlib import Path

import httpx
import pandas as pd
import pytest

from devolution.errors import DevolutionError
from devolution.sources import PUBLICATIONS, population, publication, register
from devolution.sources.base import Context, Download, Publication
from devolution.sources.text import read_csv
from devolution.sources.official_layouts import MYE_WORKBOOK
from devolution.sources.pull import PullError, pull
from tests.conftest import with_register

DATA = Path(os.environ.get("DEVOLUTION_DATA", "/work/shared/data"))
WORKBOOK = DATA / "originals" / "ons_mye23tablesew.xlsx"
LOWER_TIER = ("E06", "E07", "E08", "E09")

pytestmark = pytest.mark.skipif(not WORKBOOK.is_file() or not (DATA / register.REGIONS_FILE).is_file(),
                                reason=f"needs {WORKBOOK} and the region lookup in DEVOLUTION_DATA")

MYE = publication("ons_mye_population")
REGIONS = publication("ons_lad_region_2024")


def official_region_bytes() -> bytes:
    """The region lookup as the ONS portal serves it: BOM, LAD24CD/LAD24NM/RGN24CD/RGN24NM, ObjectId."""
    tidy = read_csv(DATA / register.REGIONS_FILE, ["ltla24_code"], unread=None)
    frame = pd.DataFrame({"LAD24CD": tidy["ltla24_code"], "LAD24NM": tidy["ltla24_name"],
                          "RGN24CD": tidy["region24_code"], "RGN24NM": tidy["region24_name"],
                          "ObjectId": range(1, len(tidy) + 1)})
    return frame.to_csv(index=False).encode("utf-8-sig")


def serving(files: dict[str, bytes], seen: list[str] | None = None) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(str(request.url))
        body = files.get(str(request.url))
        if body is None:
            return httpx.Response(404)
        return httpx.Response(200, content=body, headers={"Content-Length": str(len(body))})
    return httpx.Client(transport=httpx.MockTransport(handler))


@pytest.fixture(scope="module")
def official() -> dict[str, bytes]:
    return {MYE.downloads[0].url: WORKBOOK.read_bytes(),
            REGIONS.downloads[0].url: official_region_bytes()}


def leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


def test_publications_with_downloads_name_official_urls():
    with_downloads = {p.id: p.downloads for p in PUBLICATIONS if p.downloads}
    assert set(with_downloads) == {"ons_mye_population", "ons_lad_region_2024", "mhclg_revenue_outturn_rsx"}
    for downloads in with_downloads.values():
        for d in downloads:
            assert d.url.startswith("https://") and "/" not in d.filename


def test_pull_then_parse_the_mye_workbook(tmp_path, official):
    seen: list[str] = []
    progress: list[tuple[str, int, int | None]] = []
    report = pull(tmp_path, [MYE, REGIONS], client=serving(official, seen),
                  progress=lambda d, done, total: progress.append((d.filename, done, total)))
    assert seen == [MYE.downloads[0].url, REGIONS.downloads[0].url]
    assert [p.path.name for p in report.pulled] == [MYE_WORKBOOK, register.REGIONS_FILE]
    assert (tmp_path / MYE_WORKBOOK).read_bytes() == WORKBOOK.read_bytes()
    assert report.pulled[0].size == WORKBOOK.stat().st_size
    assert [p.name for p in report.pulled[0].derived] == [population.MYE_FILE]
    assert leftovers(tmp_path) == sorted([MYE_WORKBOOK, population.MYE_FILE, register.REGIONS_FILE])
    assert progress[-1] == (register.REGIONS_FILE, len(official[REGIONS.downloads[0].url]),
                            len(official[REGIONS.downloads[0].url]))

    # Parse the pulled workbook (the official layout) and the derived tidy CSV: same observations.
    files = {name: tmp_path / name for name in MYE.files if (tmp_path / name).is_file()}
    assert set(files) == {MYE_WORKBOOK, population.MYE_FILE}
    from_workbook = MYE.parse(files, Context()).observations
    from_csv = MYE.parse({population.MYE_FILE: tmp_path / population.MYE_FILE}, Context()).observations
    pd.testing.assert_frame_equal(from_workbook, from_csv)
    y2023 = from_workbook[from_workbook["year"] == 2023]
    assert y2023.loc[y2023["code"] == "E92000001", "value"].item() == 57_690_323
    districts = y2023[y2023["code"].str[:3].isin(LOWER_TIER)]
    assert len(districts) == 296 and districts["value"].sum() == 57_690_323
    assert y2023.loc[y2023["code"] == "E06000001", "value"].item() == 95_366  # Hartlepool, as in MYE4

    regions = REGIONS.parse({register.REGIONS_FILE: tmp_path / register.REGIONS_FILE}, Context())
    table = regions.tables["lookup_lad_region"]
    assert len(table) == 296
    assert table.loc[table["code"] == "E06000001", "region_code"].item() == "E12000001"


def test_load_reads_what_was_pulled(tmp_path, official):
    from devolution.store import Store

    folder = tmp_path / "pulled"
    pull(folder, [MYE, REGIONS], client=serving(official))
    shutil.copy(DATA / register.FILE, folder / register.FILE)  # the register has no official download
    with Store(tmp_path / "store.duckdb") as store:
        report = store.load(folder)
        assert set(report.loaded) == {"la_register", "ons_mye_population", "ons_lad_region_2024"}
        total = store.query("SELECT sum(value) AS v FROM observations o JOIN places p USING (code) "
                            "WHERE measure = 'population' AND year = 2023 AND p.tier IN "
                            "('shire_district', 'unitary', 'metropolitan_district', 'london_borough', "
                            "'city_of_london')")["v"].item()
        assert total == 57_690_323
        files = set(store.provenance().query("publication == 'ons_mye_population'")["file"])
        assert files == {MYE_WORKBOOK, population.MYE_FILE}
        assert len(store.table("lookup_lad_region")) == 296


def test_http_error_names_the_url_and_leaves_nothing(tmp_path, official):
    missing = Publication(id="x", title="x", publisher="x", url="x", licence="x", files=("x.csv",),
                          parse=MYE.parse, downloads=(Download("https://example.org/gone.xlsx", "gone.xlsx"),))
    with pytest.raises(DevolutionError, match="https://example.org/gone.xlsx returned HTTP 404") as info:
        pull(tmp_path, [missing], client=serving(official))
    assert leftovers(tmp_path) == []
    assert info.value.report.failed[0][1] == "https://example.org/gone.xlsx"


def test_connection_error_names_the_url_and_keeps_the_old_file(tmp_path):
    def refuse(request):
        raise httpx.ConnectError("Name or service not known", request=request)
    (tmp_path / MYE_WORKBOOK).write_bytes(b"previous copy")
    with pytest.raises(PullError, match=re.escape(f"{MYE.downloads[0].url} could not be fetched")):
        pull(tmp_path, [MYE], client=httpx.Client(transport=httpx.MockTransport(refuse)))
    assert leftovers(tmp_path) == [MYE_WORKBOOK]
    assert (tmp_path / MYE_WORKBOOK).read_bytes() == b"previous copy"


def test_timeout_names_the_url(tmp_path):
    def slow(request):
        raise httpx.ReadTimeout("timed out", request=request)
    with pytest.raises(PullError, match=re.escape(f"{REGIONS.downloads[0].url} timed out")):
        pull(tmp_path, [REGIONS], client=httpx.Client(transport=httpx.MockTransport(slow)))
    assert leftovers(tmp_path) == []


def test_failure_midway_through_the_body_leaves_nothing(tmp_path, official):
    body = official[MYE.downloads[0].url]

    class Broken(httpx.SyncByteStream):
        def __iter__(self):
            yield body[:100_000]
            raise httpx.ReadError("connection reset")

    def handler(request):
        return httpx.Response(200, stream=Broken(), headers={"Content-Length": str(len(body))})
    with pytest.raises(PullError, match="could not be fetched"):
        pull(tmp_path, [MYE], client=httpx.Client(transport=httpx.MockTransport(handler)))
    assert leftovers(tmp_path) == []


def test_a_page_instead_of_the_workbook_is_refused(tmp_path):
    client = serving({MYE.downloads[0].url: b"<html>Page not found</html>"})
    with pytest.raises(PullError, match="not in the expected layout"):
        pull(tmp_path, [MYE], client=client)
    assert leftovers(tmp_path) == []


def test_other_downloads_continue_after_a_failure(tmp_path, official):
    served = {REGIONS.downloads[0].url: official[REGIONS.downloads[0].url]}
    with pytest.raises(PullError, match="1 download\\(s\\) failed") as info:
        pull(tmp_path, [MYE, REGIONS], client=serving(served))
    assert [p.path.name for p in info.value.report.pulled] == [register.REGIONS_FILE]
    assert leftovers(tmp_path) == [register.REGIONS_FILE]


def test_cli_pull(tmp_path, official, monkeypatch):
    from typer.testing import CliRunner

    from devolution import cli
    from devolution.sources import pull as pull_module

    monkeypatch.setattr(pull_module, "pull", functools.partial(
        pull_module.pull, publications=[MYE, REGIONS], client=serving(official)))
    result = CliRunner().invoke(cli.app, ["data", "pull", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Pulled 2 file(s)" in result.output
    assert (tmp_path / population.MYE_FILE).is_file()

    monkeypatch.setattr(pull_module, "pull", functools.partial(
        pull_module.pull, publications=[MYE], client=serving({})))
    result = CliRunner().invoke(cli.app, ["data", "pull", str(tmp_path / "other")])
    assert result.exit_code == 1
    assert "returned HTTP 404" in result.output and MYE.downloads[0].url in result.output


def test_a_folder_that_cannot_be_written_is_a_clear_error(tmp_path, official, monkeypatch):
    """(Simulated: tests may run as root, who can write anywhere.)"""
    import devolution.sources.pull as pull_module

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(pull_module.tempfile, "mkstemp", refuse)
    folder = tmp_path / "read-only"
    with pytest.raises(DevolutionError, match="cannot write .* Permission denied"):
        pull(folder, [REGIONS], client=serving(official))
    assert list(folder.iterdir()) == []


def test_pull_the_rsx_workbook_then_load_it_in_its_official_layout(tmp_path):
    """The RSX 2024-25 workbook as GOV.UK serves it (the real original's bytes) is saved under its
    official name, and a folder with it and the register loads without the tidy CSV."""
    from devolution.sources.official_layouts import RSX_WORKBOOK
    from devolution.store import Store

    rsx = publication("mhclg_revenue_outturn_rsx")
    body = (DATA / "originals" / "mhclg_RSX_LA_Data_2024-25_data_by_LA.ods").read_bytes()
    report = pull(tmp_path, [rsx], client=serving({rsx.downloads[0].url: body}))
    assert [p.path.name for p in report.pulled] == [RSX_WORKBOOK]
    with_register(DATA, tmp_path, link=False)
    with Store(tmp_path / "s.duckdb") as store:
        assert "mhclg_revenue_outturn_rsx" in store.load(tmp_path).loaded
        rows = store.table("revenue_outturn_rsx")
    assert set(rows["year"]) == {2024}
    assert rows.groupby("ecode")["line"].count().eq(98).all()  # every body once, 98 RSX lines
