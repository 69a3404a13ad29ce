"""What leaves the project: files asked for with --out (checked before any work, one clear error),
the overview in every format, figures in words (no "-0.0", "-£50", plurals), string years in the
API, and one Vega-Lite version for the bundle and the specs."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from devolution.cli import app
from devolution.errors import DevolutionError, OutputError, PlaceError
from devolution.files import output_folder, output_path
from devolution.numbers import money, number, plural

runner = CliRunner()


@pytest.fixture()
def env(loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    monkeypatch.setenv("COLUMNS", "200")


@pytest.mark.parametrize("name, message", [
    ("missing/r.html", r"--out .*missing/r.html: the folder .*missing does not exist \(no folder is made"),
    ("a-file/r.html", r"the folder .*a-file is a file, not a folder"),
    ("folder", r"--out .*folder: is a folder; give a file name ending .html or .json"),
    ("chart.png", r"--out .*chart.png: cannot write a .png file; it writes .html \(a page that works offline\), "
                  r".json"),
])
def test_an_out_path_that_cannot_be_written_is_one_error_naming_it(tmp_path, name, message):
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputError, match=message):
        output_path(tmp_path / name, (".html", ".json"))
    assert not (tmp_path / "missing").exists()
    with pytest.raises(OutputError, match="does not exist"):
        output_folder(tmp_path / "missing")


@pytest.mark.parametrize("command", [
    ["overview", "--out", "{tmp}/r.png"], ["overview", "--out", "{tmp}/no/r.html"],
    ["change", "--from", "2010", "--to", "2014", "--out", "{tmp}/c.png"],
    ["budget", "Leeds", "--out", "{tmp}/no/b.html"],
    ["scenario", "run", "examples/scenarios/baseline.yaml", "--out", "{tmp}/s.json"],
    ["reorganise", "dorset-2019", "--out", "{tmp}/no/r.html"],
])
def test_every_out_is_checked_before_the_work_and_refused_in_one_line(env, tmp_path, command):
    result = runner.invoke(app, [part.format(tmp=tmp_path) for part in command])
    assert result.exit_code == 1 and result.output.startswith("error: --out "), result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) <= 2
    assert list(tmp_path.iterdir()) == []  # nothing written, no folder made


def test_the_overview_takes_every_format_and_writes_only_what_is_asked(env, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["overview", "--format", "json"])
    assert result.exit_code == 0, result.output
    tables = json.loads(result.stdout)
    assert set(tables) == {"by_region", "by_tier", "councils", "left_out"} and len(tables["councils"]) == 317
    assert list(tmp_path.iterdir()) == []  # no report.html nobody asked for
    refused = runner.invoke(app, ["overview", "--format", "csv"])
    assert refused.exit_code == 1 and "needs --out FOLDER" in refused.output and "--format json" in refused.output
    (tmp_path / "out").mkdir()
    written = runner.invoke(app, ["overview", "--format", "parquet", "--out", "out"])
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "by_region.parquet", "by_tier.parquet", "councils.parquet", "left_out.parquet"]


def test_figures_in_words_have_no_negative_zero_and_the_sign_before_the_pound():
    assert money(-5e10) == "-£50,000,000,000" and money(1234.5, 2) == "£1,234.50" and money(float("nan")) == "no figure"
    assert money(-0.004, 2) == "£0.00" and number(-0.004, 2) == "0.00" and number(None) == ""
    assert plural(1, "point") == "1 point" and plural(2, "point") == "2 points" and plural(1.5, "point") == "1.5 points"


def test_explain_prints_no_negative_zero_difference(env):
    result = runner.invoke(app, ["explain", "Cumberland", "2023", "band_d"])
    assert result.exit_code == 0, result.output
    assert "(difference 0.00)" in result.output and "-0.00" not in result.output


def test_settlement_exports_no_negative_zero(env):
    result = runner.invoke(app, ["settlement", "--year", "2017", "--format", "csv"])
    assert result.exit_code == 0 and "Halton" in result.stdout
    assert ",-0.0," not in result.stdout and not result.stdout.count(",-0.0\n")


def test_the_api_takes_years_as_the_command_line_does(store):
    import devolution

    assert len(devolution.places(year="2017", store=store)) == len(devolution.places(year=2017, store=store))
    on = devolution.series("population", boundaries="2023-24", years=["2017", "2018-19", 2019], store=store)
    assert [c for c in on.columns if isinstance(c, int)] == [2017, 2018, 2019]
    assert devolution.crosswalk("2019/20", store=store).equals(devolution.crosswalk(2019, store=store))
    with pytest.raises(DevolutionError, match=r"not a financial year: '20x3' \(expected e.g. 2024-25 or 2024\)"):
        devolution.series("population", boundaries="20x3", store=store)
    with pytest.raises(TypeError):  # store by name only: a second year is not taken for a store
        devolution.crosswalk("2019", "2023")


@pytest.mark.parametrize("call, words", [
    (lambda s: __import__("devolution").places(year=1066, store=s), "year 1066-67"),
    (lambda s: __import__("devolution").crosswalk(2030, store=s), "year 2030-31"),
    (lambda s: __import__("devolution").crosswalk(-1, store=s), "year -1"),
    (lambda s: __import__("devolution").series("population", boundaries=2030, store=s), "boundaries 2030-31"),
])
def test_the_api_refuses_years_the_register_does_not_describe(store, call, words):
    """places(year=1066) gave the regions as England's places, crosswalk(2030) a future map and
    crosswalk(-1) a bare ValueError."""
    with pytest.raises(PlaceError, match=words + r": the register of places describes the councils in "
                                                  r"force from 2009-10 to 20\d\d-\d\d"):
        call(store)


def test_specs_name_the_vega_lite_the_pages_bundle():
    import re

    import altair
    import vl_convert

    from devolution.report.chart_text import SCHEMA, VEGA_LITE_VERSION

    major = re.search(r"vega-lite/v(\d+)\.json$", SCHEMA).group(1)
    assert VEGA_LITE_VERSION in vl_convert.get_vegalite_versions() and VEGA_LITE_VERSION.split(".")[0] == major
    assert altair.SCHEMA_VERSION.lstrip("v").split(".")[0] == major  # the reports' specs too


def test_the_register_says_plainly_what_it_does_not_record():
    import pandas as pd

    from devolution.places.register import lifecycle

    places = pd.DataFrame({"code": ["E06000001", "E08000016", "E08000038"], "name": ["Hartlepool", "Barnsley", "Barnsley"],
                           "current": [True, False, True], "status": ["current", "former_code", "current"],
                           "start_date": [None, None, None], "end_date": [None, None, None],
                           "replaced_by": [None, "E08000038", None]})
    assert lifecycle(places, "E06000001")["text"] == "In being since before the register's records begin."
    former = lifecycle(places, "E08000016")["text"]
    assert former.startswith("E08000016 is a former code of Barnsley (E08000038) (the register does not say when")
    assert "unrecorded" not in former


def test_the_place_pages_latest_figures_show_counts_whole_and_money_signed():
    from devolution.web.figures import figure

    assert figure(92202.0, "persons") == "92,202" and figure(117.0, "children") == "117"  # were "92,202.00"
    assert figure(-5e4, "GBP") == "-£50,000" and figure(12.345, "GBP") == "£12.35"
    assert figure(0.2345, "share") == "0.23" and figure(float("nan"), "persons") == ""


def test_show_writes_counts_as_integers_and_refuses_a_count_with_a_fraction(capsys):
    """A count column held as floats (a sum, or NaN for a missing one) was written "276876.0"."""
    import pandas as pd

    from devolution.cli.common import Format, show

    frame = pd.DataFrame({"place": ["a", "b"], "people": [276876.0, float("nan")], "share": [0.0306, 0.5]})
    show(frame, Format.csv, counts=("people",), shares=("share",))
    assert capsys.readouterr().out.splitlines()[1:] == ["a,276876,0.0306", "b,,0.5"]
    show(frame, Format.json, counts=("people",))
    assert json.loads(capsys.readouterr().out)[0]["people"] == 276876
    with pytest.raises(DevolutionError, match=r"column 'share' is shown as a count but holds a fraction \(0.0306\)"):
        show(frame, Format.csv, counts=("share",))
