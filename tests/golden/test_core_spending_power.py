"""Golden: the Core Spending Power total of the six listed components (MHCLG CSP tables with the
2020-21 settlement) reproduced with ``rules.spending_power.csp_total`` for every authority,
2015-16 to 2020-21. Tolerance: 1p per authority (the file is in £ million to 9 decimal places).
"""

from __future__ import annotations

import numpy as np
import pytest

from devolution.rules.spending_power import csp_total
from devolution.sources import core_spending_power
from devolution.sources.base import Context

TOLERANCE = 0.01
COMPONENTS = ["csp_settlement_funding_assessment", "csp_under_indexing", "csp_council_tax", "csp_new_homes_bonus",
              "csp_new_homes_bonus_returned", "csp_rural_services_delivery_grant"]


@pytest.fixture(scope="module")
def csp(data_dir):
    parsed = core_spending_power.parse({core_spending_power.FILE: data_dir / core_spending_power.FILE}, Context())
    return parsed.observations.pivot_table(index=["code", "year"], columns="measure", values="value").reset_index()


def test_csp_total_is_the_sum_of_its_six_components_for_every_authority_and_year(csp):
    computed = csp_total(*(csp[c].to_numpy() for c in COMPONENTS))
    published = csp["csp_total"].to_numpy()
    difference = np.abs(computed - published)
    bad = csp.assign(computed=computed, difference=difference)[difference > TOLERANCE]
    assert bad.empty, f"{len(bad)} of {len(csp)} rows differ; worst 5:\n" \
                      f"{bad.nlargest(5, 'difference')[['code', 'year', 'csp_total', 'computed']].to_string()}"
    assert sorted(csp["year"].unique()) == [2015, 2016, 2017, 2018, 2019, 2020]
    assert len(csp) > 2000

