"""What a reorganisation is computed from, read from the store once (the web keeps it for the
app's life; every proposal then runs on it without touching the store)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from devolution.analysis import predecessors
from devolution.analysis.reorganisation import areas, geometry
from devolution.errors import StoreError

#: Age bands held (ONS mid-year estimates by single year of age, summed; each year on its own boundaries).
AGE_BANDS = ("population_0_17", "population_18_64", "population_65_plus", "population_85_plus")
BANDS = tuple(f"dwellings_band_{b}" for b in "abcdefgh")
TOTAL_SPENDING = "nce_total_service_expenditure"
#: Residents as the age bands sum them: ONS estimates as first published each year, on that year's
#: boundaries (the rebased ``population`` is on 2023 boundaries only). Derived here, never stored.
FIRST_PUBLISHED = "population_first_published"
COUNTS = ("population", *AGE_BANDS, *BANDS, "dwellings_total", "cla_31_march")


@dataclass
class Inputs:
    places: pd.DataFrame
    atoms: pd.DataFrame           # code, atom (areas.atoms)
    observations: pd.DataFrame    # code, year, measure, value: counts, council tax, spending, land area
    geometries: pd.Series         # code -> shapely geometry (May 2024 districts)
    services: tuple[str, ...]     # spending measures by service (nce_...), without the total
    authorities: object           # powers.authorities.Authorities
    population: pd.DataFrame      # code, year, value (ONS mid-year estimates), for readiness

    def __sizeof__(self) -> int:  # what a cache of these counts (sys.getsizeof)
        frames = (self.places, self.atoms, self.observations, self.population)
        return int(sum(f.memory_usage(index=True, deep=True).sum() for f in frames)) + 2_000_000  # + shapes

    @cached_property
    def index(self):
        """The register's names and codes, indexed once (``places.names.PlaceIndex``)."""
        from devolution.places.names import PlaceIndex

        return PlaceIndex.of(self.places)

    @property
    def latest_council_tax_year(self) -> int:
        held = self.observations.loc[self.observations["measure"] == predecessors.REQUIREMENT, "year"]
        return int(held.max())

    def measure(self, name: str) -> pd.DataFrame:
        return self.observations[self.observations["measure"] == name]


def services_of(measures: pd.Series) -> tuple[str, ...]:
    """The net current expenditure lines by service: ``nce_*`` without the total and the 2010-11
    social care line that the adult and children's lines replaced."""
    return tuple(sorted(m for m in measures if m.startswith("nce_")
                        and m not in ("nce_total_service_expenditure", "nce_social_care_total")))


def first_published(observations: pd.DataFrame) -> pd.DataFrame:
    """Residents per place and year as the sum of the age bands 0-17, 18-64 and 65+ (which sum
    exactly to all ages in ONS's tables): long rows of measure ``FIRST_PUBLISHED``."""
    bands = observations[observations["measure"].isin(("population_0_17", "population_18_64", "population_65_plus"))]
    counted = bands.groupby(["code", "year"])["value"].agg(["sum", "size"]).reset_index()
    counted = counted[counted["size"] == 3]
    return pd.DataFrame({"code": counted["code"], "year": counted["year"], "measure": FIRST_PUBLISHED,
                         "value": counted["sum"]})


def read(store) -> Inputs:
    """Everything a proposal needs from the store (``devo data load`` first)."""
    from devolution.powers.authorities import Authorities

    places = store.places()
    known = set(store.measures()["measure"])
    services = services_of(pd.Series(sorted(known)))
    wanted = [m for m in (*predecessors.MEASURES, *COUNTS, *services, TOTAL_SPENDING) if m in known]
    missing = [m for m in (*predecessors.MEASURES, "population", "dwellings_total") if m not in known]
    if missing:
        raise StoreError(f"the store has no {', '.join(missing)}: run `devo data load` with the council tax, "
                         f"population and council taxbase publications")
    observations = store.observations(wanted)
    observations = pd.concat([observations, first_published(observations)], ignore_index=True)
    geometries = geometry.shapes(store.table("boundaries"))
    observations = pd.concat([observations, geometry.area_observations(geometries)], ignore_index=True)
    population = observations.loc[observations["measure"] == "population", ["code", "year", "value"]]
    return Inputs(places=places, atoms=areas.atoms(places), observations=observations, geometries=geometries,
                  services=services, authorities=Authorities.from_store(store), population=population)
