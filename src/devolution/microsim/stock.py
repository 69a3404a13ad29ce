"""Property stocks: dwellings (council tax) and hereditaments (business rates), one row each.

Neither register is public at property level, so the stocks are synthetic, built to match what
is published:

- **Dwellings** match the dwellings-by-band counts of every billing authority in the store
  (MHCLG Council Taxbase, measures ``dwellings_band_a`` .. ``dwellings_band_h``) exactly. The
  single-person-discount and exemption flags are drawn with a seeded generator at the national
  shares of :class:`DwellingAssumptions` (official national figures, applied uniformly to every
  authority and band: that uniformity is assumed).
- **Hereditaments** are spread over authorities in proportion to dwellings, with sectors and
  rateable values drawn with a seed and scaled to the national totals of
  :class:`NonDomesticAssumptions` (see there for which parts are official and which assumed).

A stock is held sorted by authority: rows ``offsets[a]:offsets[a + 1]`` belong to ``codes[a]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from devolution.errors import DataError
from devolution.microsim.kernels import offsets_from_sizes

BANDS = "abcdefgh"
BAND_MEASURES = tuple(f"dwellings_band_{b}" for b in BANDS)
SECTORS = ("retail", "office", "industrial", "other")

TAXBASE_2022 = ("Local authority Council Taxbase in England: 2022 (revised 25 May 2023), section 1",
                "Department for Levelling Up, Housing and Communities",
                "https://www.gov.uk/government/statistics/council-taxbase-2022-in-england/"
                "local-authority-council-taxbase-in-england-2022")
VOA_STOCK_2022 = ("Non-domestic rating: stock of properties, 2022: statistical commentary, section 1",
                  "Valuation Office Agency",
                  "https://www.gov.uk/government/statistics/non-domestic-rating-stock-of-properties-2022")


@dataclass(frozen=True)
class DwellingAssumptions:
    """Shares of dwellings with a single person discount and exempt, England, September 2022.

    Official: 8.3 million dwellings received a discount because they were occupied by single
    adults, and 692,000 were exempt, of 25.2 million (Council Taxbase 2022, ``TAXBASE_2022``).
    Assumed: the same shares in every authority and band (the release's per-authority tables
    are not in the data folder).
    """

    single_person_share: float = 8.3e6 / 25.2e6
    exempt_share: float = 692_000 / 25.2e6
    seed: int = 20220912
    reference: tuple[str, str, str] = TAXBASE_2022


@dataclass(frozen=True)
class NonDomesticAssumptions:
    """National totals and shapes for the synthetic hereditaments.

    Official (``VOA_STOCK_2022``): 2.14 million properties with a total rateable value of
    £66.0 billion on the local rating lists of England **and Wales** at 31 March 2022; the
    England-only totals were not verified, so the England stock is calibrated to the England and
    Wales figures (it overstates England by Wales's share). Assumed (not from any publication):
    spreading hereditaments over authorities in proportion to dwellings, the sector shares, and
    a log-normal spread of rateable values with ``log_sd``.
    """

    hereditaments: int = 2_140_000
    total_rateable_value: float = 66.0e9
    sector_shares: tuple[float, ...] = (0.25, 0.20, 0.30, 0.25)
    log_sd: float = 1.4
    seed: int = 20220331
    reference: tuple[str, str, str] = VOA_STOCK_2022
    status: str = "counts and total official (England and Wales); the rest assumed"


@dataclass
class DwellingStock:
    """One row per dwelling, sorted by billing authority."""

    codes: np.ndarray            # billing authority GSS codes, one per segment
    offsets: np.ndarray          # int64, len(codes) + 1
    band: np.ndarray             # int8, 0 = A .. 7 = H (more with new top bands)
    single_person: np.ndarray    # bool
    exempt: np.ndarray           # bool
    year: int = 0

    def __len__(self) -> int:
        return int(self.band.shape[0])

    def counts_by_band(self, n_bands: int = 8) -> np.ndarray:
        """Dwellings by authority and band (authorities x n_bands), from the rows."""
        place = np.repeat(np.arange(len(self.codes)), np.diff(self.offsets))
        flat = np.bincount(place * n_bands + self.band, minlength=len(self.codes) * n_bands)
        return flat.reshape(len(self.codes), n_bands)

    def subset(self, positions: np.ndarray) -> "DwellingStock":
        """The stock of some authorities (positions into ``codes``), still sorted."""
        sizes = np.diff(self.offsets)[positions]
        rows = np.concatenate([np.arange(self.offsets[p], self.offsets[p + 1]) for p in positions]) \
            if len(positions) else np.array([], dtype=np.int64)
        return DwellingStock(self.codes[positions], offsets_from_sizes(sizes), self.band[rows],
                             self.single_person[rows], self.exempt[rows], self.year)


@dataclass
class HereditamentStock:
    """One row per non-domestic hereditament, sorted by billing authority."""

    codes: np.ndarray
    offsets: np.ndarray
    rateable_value: np.ndarray   # float64, pounds
    sector: np.ndarray           # int8 index into SECTORS
    sectors: tuple[str, ...] = field(default=SECTORS)

    def __len__(self) -> int:
        return int(self.rateable_value.shape[0])


def dwellings_from_counts(codes, counts_by_band, assumptions: DwellingAssumptions = DwellingAssumptions(),
                          year: int = 0) -> DwellingStock:
    """A synthetic dwelling stock with exactly ``counts_by_band`` (authorities x 8) dwellings."""
    counts = np.asarray(counts_by_band)
    if counts.ndim != 2 or counts.shape[1] != len(BANDS) or len(codes) != counts.shape[0]:
        raise DataError(f"dwellings by band must be authorities x 8 (bands A to H), got {counts.shape} "
                        f"for {len(codes)} authorities")
    if (counts < 0).any() or not np.array_equal(counts, np.round(counts)):
        raise DataError("dwellings by band must be whole numbers, 0 or more")
    counts = counts.astype(np.int64)
    band = np.repeat(np.tile(np.arange(len(BANDS), dtype=np.int8), len(codes)), counts.ravel())
    rng = np.random.default_rng(assumptions.seed)
    draw = rng.random(band.shape[0], dtype=np.float32)
    exempt = draw < assumptions.exempt_share
    single = (draw >= assumptions.exempt_share) & (draw < assumptions.exempt_share + assumptions.single_person_share)
    return DwellingStock(np.asarray(codes, dtype=object), offsets_from_sizes(counts.sum(axis=1)), band,
                         single, exempt, year)


def dwellings_from_store(store, year: int = 2022,
                         assumptions: DwellingAssumptions = DwellingAssumptions()) -> DwellingStock:
    """The synthetic stock for a year's dwellings-by-band counts of every billing authority."""
    counts = dwelling_counts(store, year)
    return dwellings_from_counts(counts.index.to_numpy(dtype=object), counts.to_numpy(), assumptions, year)


def dwelling_counts(store, year: int = 2022):
    """Dwellings by band A..H for each billing authority in a year (DataFrame, codes sorted)."""
    wide = store.wide(BAND_MEASURES, year)
    if wide.empty:
        raise DataError(f"no dwellings-by-band counts for {year} in the store (years held: see "
                        f"`devo data measures`, measure dwellings_band_a)")
    incomplete = wide[wide.isna().any(axis=1)]
    if len(incomplete):
        raise DataError(f"{len(incomplete)} authorities lack some band counts for {year}, "
                        f"e.g. {incomplete.index[0]}")
    return wide.astype(np.int64)


def hereditaments_for(codes, dwellings_per_place,
                      assumptions: NonDomesticAssumptions = NonDomesticAssumptions()) -> HereditamentStock:
    """A synthetic non-domestic stock spread over authorities in proportion to dwellings."""
    weights = np.asarray(dwellings_per_place, dtype=np.float64)
    if weights.sum() <= 0:
        raise DataError("cannot spread hereditaments over authorities with no dwellings")
    exact = assumptions.hereditaments * weights / weights.sum()
    sizes = np.floor(exact).astype(np.int64)
    short = assumptions.hereditaments - sizes.sum()
    sizes[np.argsort(-(exact - sizes), kind="stable")[:short]] += 1      # largest remainders
    rng = np.random.default_rng(assumptions.seed)
    n = int(sizes.sum())
    shares = np.asarray(assumptions.sector_shares) / np.sum(assumptions.sector_shares)
    sector = rng.choice(len(shares), size=n, p=shares).astype(np.int8)
    raw = rng.lognormal(0.0, assumptions.log_sd, size=n)
    rateable_value = np.round(raw * (assumptions.total_rateable_value / raw.sum()))
    return HereditamentStock(np.asarray(codes, dtype=object), offsets_from_sizes(sizes), rateable_value, sector)
