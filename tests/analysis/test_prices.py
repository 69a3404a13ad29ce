"""Real terms from the packaged GDP deflator series (HM Treasury, March 2026 release, 2024-25 = 100).

Golden values are the release's financial-year index as given to 4 decimal places in the copies
cited in ``parameters/economy/gdp_deflators.yaml``; they are compared exactly (tolerance 0) because
they are typed in from the release, and any edit of one must be a deliberate change of release.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from devolution import parameters
from devolution.analysis.change import change
from devolution.analysis.prices import COLLECTION, deflator_index, price_factors, to_prices
from devolution.cli import app
from devolution.errors import ParameterError

NCE = "nce_total_service_expenditure"


@pytest.mark.parametrize("year, published", [
    ("2015-16", 74.5804),   # March 2026 release; same figure in the independent BENEFITS copy
    ("2019-20", 80.8738),   # idem
    ("2022-23", 91.2996),   # idem
    ("2024-25", 100.0),     # the release's base year
])
def test_index_values_are_the_march_2026_release(year, published):
    assert deflator_index(year) == published


def test_2020_21_matches_the_two_decimal_copy_of_the_release():
    assert deflator_index("2020-21") == pytest.approx(85.10, abs=0.005)  # Haresign.net copy, 2 dp


def test_every_year_of_the_outturn_data_has_its_own_value():
    parameter = parameters.default().parameter("economy.gdp_deflators")
    assert not parameter.unverified
    assert sorted(parameter.values) == list(range(2010, 2025))
    index = np.array([parameter.values[y] for y in range(2010, 2025)])
    assert (index[1:] > index[:-1]).all()  # the deflator rose every year 2010-11 to 2024-25


def test_real_terms_of_a_known_cash_figure_computed_by_hand():
    # £1m spent in 2010-11 is 1,000,000 x 100 / 68.8561 = £1,452,304.15 in 2024-25 prices.
    assert to_prices(np.array([1_000_000.0]), np.array([2010]), "2024-25")[0] == pytest.approx(1_452_304.15, abs=0.01)
    # The factor 2019-20 -> 2024-25 printed in the BENEFITS copy: 100 / 80.8738 = 1.236494.
    assert price_factors([2019], "2024-25")[0] == pytest.approx(1.236494, abs=5e-7)
    # In 2010-11 prices instead: 2024-25 cash x 68.8561 / 100.
    assert to_prices(np.array([100.0]), np.array([2024]), "2010-11")[0] == pytest.approx(68.8561, abs=1e-9)


def test_cash_is_unchanged_without_a_price_base():
    cash = np.array([1.0, 2.0])
    assert (to_prices(cash, np.array([2010, 2024]), None) == cash).all()


def test_a_year_outside_the_series_names_the_download_and_the_option():
    with pytest.raises(ParameterError) as err:
        deflator_index("2025-26")
    message = str(err.value)
    assert "no GDP deflator for 2025-26" in message and "years held: 2010-11 to 2024-25" in message
    assert COLLECTION in message and "--deflators FILE.xlsx" in message and "\n" not in message


@pytest.fixture(scope="module")
def totals(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        cash = change(NCE, 2010, 2017, per="total", store=store).iloc[-1]
        real = change(NCE, 2010, 2017, per="total", prices="2024-25", store=store).iloc[-1]
    return cash, real


def test_england_total_in_real_terms_is_cash_times_the_index_ratio(totals):
    cash, real = totals
    assert cash["group"] == real["group"] == "England"
    assert real["money_first_m"] == pytest.approx(cash["money_first_m"] * 100 / 68.8561, rel=1e-12)
    assert real["money_last_m"] == pytest.approx(cash["money_last_m"] * 100 / 77.0388, rel=1e-12)
    expected = 100 * ((1 + cash["change_pct"] / 100) * 68.8561 / 77.0388 - 1)
    assert real["change_pct"] == pytest.approx(expected, abs=1e-9)


def test_devo_change_in_real_terms_needs_no_deflator_file(tmp_path, loaded_store_path, monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    args = ["change", NCE, "--from", "2010", "--to", "2017", "--format", "json", "--chart", str(tmp_path / "c.json")]
    runner = CliRunner()
    cash, real = runner.invoke(app, args), runner.invoke(app, [*args, "--prices", "2024-25"])
    assert cash.exit_code == 0 and real.exit_code == 0, real.output
    cash_england, real_england = json.loads(cash.output)[-1], json.loads(real.output)[-1]
    assert real_england["value_first"] == pytest.approx(cash_england["value_first"] * 100 / 68.8561, rel=1e-12)
    assert "2024-25 prices" in json.loads((tmp_path / "c.json").read_text())["encoding"]["x"]["title"]


def test_devo_change_for_a_year_without_a_deflator_is_one_line_with_the_download(tmp_path, loaded_store_path,
                                                                                  monkeypatch):
    monkeypatch.setenv("DEVOLUTION_STORE", str(loaded_store_path))
    result = CliRunner().invoke(app, ["change", NCE, "--from", "2010", "--to", "2017", "--prices", "2025-26",
                                      "--chart", str(tmp_path / "c.html")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "no GDP deflator for 2025-26" in result.output and "--deflators" in result.output
