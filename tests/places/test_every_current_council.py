"""Every current council walked through the register: region, parents, strategic authority, start
date, a place page with figures, the simulator and a scenario row (issue #15, "Done when")."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml

from devolution.places import register, tiers


@pytest.fixture(scope="module")
def councils(loaded_store_path):
    from devolution.store import Store

    with Store(loaded_store_path, read_only=True) as store:
        places = store.places()
    return places, places[places["tier"].isin(tiers.COUNCIL_TIERS) & places["current"]].reset_index(drop=True)


def test_every_current_council_has_region_parents_authority_and_start_date(councils):
    from importlib import resources

    places, current = councils
    assert len(current) == 317  # 21 counties + 296 lower-tier and unitary councils
    amendments = yaml.safe_load(resources.files("devolution.sources").joinpath("register_amendments.yaml").read_text())
    older_than_statute = set(amendments["no_start_date"])
    regions = set(places.loc[places["tier"] == "region", "code"])
    authorities = set(places.loc[places["tier"].isin(tiers.SA_TIERS), "code"])
    sa = register.strategic_authority_of(places, current["code"])
    for row, authority in zip(current.itertuples(), sa):
        chain = register.parents(places, row.code)
        assert row.region_code in regions, row.code
        assert chain["code"].iloc[-1] == "E92000001" and row.region_code in set(chain["code"]), row.code
        if row.tier == "shire_district":
            assert row.county_code in set(chain["code"]), row.code
        assert authority == "" or authority in authorities, row.code
        assert pd.isna(row.start_date) == (row.code in older_than_statute), row.code
        assert register.lifecycle(places, row.code)["status"] == "current"
    london = current[current["tier"] == "london_borough"]
    assert set(sa[current["tier"] == "london_borough"]) == {"E61000001"} and len(london) == 32
