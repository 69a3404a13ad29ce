"""Council tax reforms at property level: parameter overrides, plus new bands above H.

A reform is a set of parameter overrides in the one format the project has
(:meth:`devolution.parameters.ParameterTree.with_overrides`: from a year onward), for example a
changed single person discount or changed band ratios, and optionally new valuation bands above
band H. The valuation list does not say how far above the band H threshold a dwelling's value is,
so moving band H dwellings into new top bands needs a stated split: ``share`` of each authority's
band H dwellings goes to each new band, chosen with a seeded generator per authority (assumed,
for illustration; not from any publication).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from devolution import parameters as parameters_module
from devolution.errors import ParameterError

RATIOS = "council_tax.band_ratios.ratios"
SINGLE_PERSON = "council_tax.discounts.single_person"


@dataclass(frozen=True)
class NewBand:
    """A valuation band above H: its proportion of Band D and the share of band H moving into it."""

    ratio: float
    share_of_band_h: float


@dataclass(frozen=True)
class Reform:
    """Parameter overrides (from a year onward) and new top bands; the baseline has neither."""

    name: str = "baseline"
    overrides: Mapping[str, Mapping[str | int, Any]] = field(default_factory=dict)
    new_bands: tuple[NewBand, ...] = ()
    seed: int = 1991

    def __post_init__(self):
        total = sum(b.share_of_band_h for b in self.new_bands)
        if any(b.ratio <= 0 or b.share_of_band_h < 0 for b in self.new_bands) or total > 1:
            raise ParameterError(f"reform {self.name!r}: new bands need a positive ratio and shares of band H "
                                 f"from 0 to 1 that sum to at most 1 (got total {total:g})")

    def tree(self, base=None):
        """The parameter tree with this reform's overrides."""
        base = base if base is not None else parameters_module.default()
        return base.with_overrides(self.overrides) if self.overrides else base


def band_ratios(tree, year: int, new_bands: tuple[NewBand, ...] = ()) -> np.ndarray:
    """Band proportions A..H in force in ``year`` (LGFA 1992 s.5(1)), then any new top bands."""
    ratios = [float(r) for r in tree.value(RATIOS, year)]
    return np.array(ratios + [b.ratio for b in new_bands], dtype=np.float64)


def single_person_discount(tree, year: int) -> float:
    """The single person discount in force in ``year`` (LGFA 1992 s.11(1)(a))."""
    return float(tree.value(SINGLE_PERSON, year))


def split_top_band(band: np.ndarray, draw: np.ndarray, top_band: int, shares: np.ndarray) -> np.ndarray:
    """Move dwellings of ``top_band`` into new bands ``top_band + 1 ..`` where their uniform
    ``draw`` falls in each new band's share (cumulative from the top); others keep their band."""
    cumulative = np.cumsum(np.asarray(shares, dtype=np.float64)[::-1])   # highest new band first
    steps = np.searchsorted(cumulative, draw, side="right")               # 0 = highest new band
    new = (top_band + len(shares) - steps).astype(band.dtype)
    return np.where((band == top_band) & (steps < len(shares)), new, band)


def rebanded(stock, reform: Reform, top_band: int = 7) -> np.ndarray:
    """The stock's bands after the reform's new top bands (the stock's own array if none).

    Each authority draws from its own seeded generator (seed, numeric part of its GSS code), so
    the result is the same whichever authorities are processed together (in-process or on Dask)."""
    if not reform.new_bands:
        return stock.band
    shares = np.array([b.share_of_band_h for b in reform.new_bands])
    out = stock.band.copy()
    for position, code in enumerate(stock.codes):
        start, stop = stock.offsets[position], stock.offsets[position + 1]
        segment = out[start:stop]
        top = np.flatnonzero(segment == top_band)
        if top.size == 0:
            continue
        rng = np.random.default_rng([reform.seed, int(str(code)[1:])])
        segment[top] = split_top_band(segment[top], rng.random(top.size), top_band, shares)
    return out


def reform_from_options(year: int, single_person: float | None = None, ratios: str | None = None,
                        new_bands: list[str] | None = None, seed: int = 1991) -> Reform:
    """A reform from command-line options: ``single_person`` discount share, ``ratios`` as eight
    comma-separated proportions (``"6/9,7/9,..."``), ``new_bands`` as ``RATIO:SHARE`` items, all
    from ``year`` onward."""
    from fractions import Fraction

    overrides: dict = {}
    if single_person is not None:
        overrides[SINGLE_PERSON] = {year: single_person}
    if ratios:
        overrides[RATIOS] = {year: [item.strip() for item in ratios.split(",")]}
    bands = []
    for item in new_bands or []:
        try:
            ratio, share = item.split(":")
            bands.append(NewBand(float(Fraction(ratio.strip())), float(share)))
        except (ValueError, ZeroDivisionError):
            raise ParameterError(f"new band {item!r}: expected RATIO:SHARE, e.g. 21/9:0.4 "
                                 f"(proportion of Band D : share of band H dwellings)") from None
    parts = [f"single person {single_person:g}" if single_person is not None else "",
             "ratios" if ratios else "", f"{len(bands)} new band(s)" if bands else ""]
    name = ", ".join(p for p in parts if p) or "baseline"
    reform = Reform(name=name, overrides=overrides, new_bands=tuple(bands), seed=seed)
    tree = reform.tree()  # every path and value checked before anything runs
    _check_top_bands(band_ratios(tree, year, reform.new_bands), len(bands), new_bands or [])
    return reform


def _check_top_bands(ratios: np.ndarray, added: int, given: list[str]) -> None:
    """New bands go above band H: each must be priced above the band below it (band H's proportion
    of Band D in force, LGFA 1992 s.5(1), then each new band in the order given)."""
    if not added:
        return
    steps = np.diff(ratios[-added - 1:])
    if (steps <= 0).any():
        at = int(np.flatnonzero(steps <= 0)[0])
        below = "band H" if at == 0 else f"new band {given[at - 1]!r}"
        raise ParameterError(f"new band {given[at]!r}: a band above H must be priced above the band below it "
                             f"({below} is {ratios[-added - 1 + at]:.4g} of Band D, this one "
                             f"{ratios[-added + at]:.4g}); give the bands in rising order, e.g. 21/9:0.4 24/9:0.2")
