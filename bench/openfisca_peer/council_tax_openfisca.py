"""The OpenFisca-Core peer: the same per-dwelling council tax written as an OpenFisca system.

Runs inside bench/openfisca_peer/.venv (create it with create_venv.sh); written for this
benchmark against OpenFisca-Core's public API (no OpenFisca code copied). Prints one JSON line
per size: dwellings, seconds to calculate the charge on every dwelling and sum it by authority,
and the national total (so the caller can check it equals ours).

    bench/openfisca_peer/.venv/bin/python bench/openfisca_peer/council_tax_openfisca.py 1000000
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np
from openfisca_core import periods
from openfisca_core.entities import build_entity
from openfisca_core.parameters import ParameterNode
from openfisca_core.simulations import SimulationBuilder
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

YEAR = getattr(getattr(periods, "DateUnit", None), "YEAR", "year")
RATIOS = [6 / 9, 7 / 9, 8 / 9, 1.0, 11 / 9, 13 / 9, 15 / 9, 18 / 9]

Dwelling = build_entity(key="dwelling", plural="dwellings", label="A dwelling on the valuation list",
                        is_person=True)


class band(Variable):
    value_type = int
    entity = Dwelling
    definition_period = YEAR
    label = "Valuation band, 0 = A .. 7 = H"


class single_person(Variable):
    value_type = bool
    entity = Dwelling
    definition_period = YEAR
    label = "Only one resident counts"


class exempt(Variable):
    value_type = bool
    entity = Dwelling
    definition_period = YEAR
    label = "Exempt dwelling"


class band_d(Variable):
    value_type = float
    entity = Dwelling
    definition_period = YEAR
    label = "Band D of the dwelling's billing authority"


class council_tax_charge(Variable):
    value_type = float
    entity = Dwelling
    definition_period = YEAR
    label = "Council tax charged on the dwelling"

    def formula(dwelling, period, parameters):
        p = parameters(period).council_tax
        b = dwelling("band", period)
        ratio = np.select([b == k for k in range(8)], [p.ratios[f"band_{k}"] for k in range(8)])
        discount = np.where(dwelling("single_person", period), p.single_person_discount, 0.0)
        return dwelling("band_d", period) * ratio * (1 - discount) * np.logical_not(dwelling("exempt", period))


def system() -> TaxBenefitSystem:
    tbs = TaxBenefitSystem([Dwelling])
    tbs.add_variables(band, single_person, exempt, band_d, council_tax_charge)
    tbs.parameters = ParameterNode("", data={"council_tax": {
        "single_person_discount": {"values": {"1993-04-01": 0.25}},
        "ratios": {f"band_{k}": {"values": {"1993-04-01": r}} for k, r in enumerate(RATIOS)},
    }})
    return tbs


def run(n: int, n_places: int = 309, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    place = np.sort(rng.integers(0, n_places, n))
    band_d_by_place = rng.uniform(1500, 2500, n_places)
    inputs = {"band": rng.integers(0, 8, n), "single_person": rng.random(n) < 0.33,
              "exempt": rng.random(n) < 0.03, "band_d": band_d_by_place[place]}
    tbs = system()
    start = time.perf_counter()
    sim = SimulationBuilder().build_default_simulation(tbs, count=n)
    for name, values in inputs.items():
        sim.set_input(name, "2022", values)
    charge = sim.calculate("council_tax_charge", "2022")
    by_place = np.bincount(place, weights=charge, minlength=n_places)
    seconds = time.perf_counter() - start
    return {"dwellings": n, "seconds": seconds, "total": float(by_place.sum())}


if __name__ == "__main__":
    for size in sys.argv[1:] or ["1000000"]:
        print(json.dumps(run(int(size))), flush=True)
