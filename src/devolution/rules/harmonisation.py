"""Council tax harmonisation after a reorganisation: one new council, several predecessor areas
paying different Band Ds, brought to one Band D.

A council sets one basic amount of council tax for its area (LGFA 1992 s.30), but a new council
may set different amounts for its predecessor areas for a few years while it harmonises them: the
gap between the highest and lowest predecessor area must narrow each year and one Band D must be
reached by the start of the eighth year at the latest (the Local Government (Structural Changes)
(Finance) Regulations 2008, SI 2008/3022, reg. 15 and following, as MHCLG described them in its
written answers to questions 79578 and 79581, 2025). The referendum principles are tested on the
council's average Band D (its relevant basic amount; in its first year against its predecessors'
alternative notional amount, LGFA 1992 s.52ZE), so the average is the lever and harmonisation only
shares it out between the areas; the households of each area are held to the higher of the
council's ceiling and their own Band D raised by the principle (:func:`harmonise`).

Arrays: ``areas`` (one element per predecessor area, each with the index of its new council) and
``councils`` x ``years``. No I/O, no loop over areas (a loop over the few years).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from devolution.errors import DevolutionError
from devolution.rules.council_tax import notional_band_d


def average_path(notional_band_d: np.ndarray, increase: np.ndarray) -> np.ndarray:
    """Each new council's average Band D in each year: its predecessors' notional Band D (£, one per
    council) raised by ``increase`` (shares, councils x years: year 1 is the first year of the new
    council). Returns councils x years (£)."""
    start = np.asarray(notional_band_d, dtype=np.float64)
    rise = np.asarray(increase, dtype=np.float64)
    return start[:, None] * np.cumprod(1.0 + rise, axis=1)


def equal_steps(band_d: np.ndarray, tax_base: np.ndarray, council: np.ndarray, average: np.ndarray,
                steps: np.ndarray) -> np.ndarray:
    """Each area's Band D when the gap to its council's average closes in equal steps: area i of
    council c pays ``average[c, t] * (1 + r_i * max(0, 1 - t / steps[c]))`` in year t (1, 2, ...),
    where r_i is its base-year Band D's gap to the council's weighted average, as a share of it.

    The gaps, weighted by tax base, sum to zero, so every year the areas raise exactly the
    council's average times its tax base, whatever ``steps`` is. ``steps`` = 1 harmonises at once.
    Returns areas x years (£)."""
    index = np.asarray(council, dtype=np.int64)
    base_band_d = np.asarray(band_d, dtype=np.float64)
    start = notional_band_d(np.asarray(base_band_d, dtype=np.float64) * np.asarray(tax_base, dtype=np.float64),
                            tax_base, index, average.shape[0])  # the requirement over the tax base
    gap = base_band_d / start[index] - 1.0
    years = np.arange(1, average.shape[1] + 1)
    left = np.clip(1.0 - years[None, :] / np.asarray(steps, dtype=np.float64)[index][:, None], 0.0, None)
    return average[index] * (1.0 + gap[:, None] * left)


def harmonise(band_d: np.ndarray, tax_base: np.ndarray, council: np.ndarray, average: np.ndarray,
              steps: np.ndarray, ceiling: np.ndarray, rise: np.ndarray,
              names: Sequence[str] | None = None, years: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each predecessor area's Band D year by year: equal steps towards the council's average
    (:func:`equal_steps`), with no area's Band D rising past its bound.

    ``band_d`` (£) and ``tax_base`` (Band D equivalents): each area in the base year (the year
    before the first); ``council``: the index of its new council; ``average``: councils x years,
    the council's average Band D (:func:`average_path`); ``steps``: councils, the years over which
    the gap closes (1: at once); ``ceiling``: councils x years, the highest Band D the council may
    set for its whole area without a referendum in each year (its relevant basic amount's ceiling
    on last year's average; ``inf`` where the council would hold a referendum); ``rise``: councils
    x years, the highest increase (a share) the principles allow the average in each year (``inf``
    under a referendum). ``names`` and ``years`` (labels) name the council and year in messages.

    The principles are tested on the council's average only (its relevant basic amount, LGFA 1992
    s.52ZB); for the households of each area the bound is the higher of (a) the council's ceiling
    and (b) the area's own last-year Band D raised by ``rise``: no area's bill rises by more than
    the average may, unless it is still within what the council could charge everywhere without
    a referendum. Equal steps never pass it while the average rises by no more than ``rise`` (an
    area above the average rises by less than the average; one below it stays below the average,
    within the ceiling). Where a step would pass it (a ceiling in pounds above the percentage, or a
    caller's own paths), the area pays its bound and what it does not raise is shared among the
    areas below theirs in proportion to their room (so harmonisation may take longer than
    ``steps``). Every bound is at least the ceiling, so the bounds together allow the year's
    requirement when the average is within the ceiling, and the council's requirement, its average
    times its tax base, is kept every year whatever ``steps`` is.

    Returns (areas x years Band D in £, areas x years True where the area is held at its bound).
    Raises DevolutionError, naming the council and the year, if a council's average is above its
    ceiling (the caller chose an increase the principles do not allow without a referendum)."""
    index = np.asarray(council, dtype=np.int64)
    base = np.asarray(tax_base, dtype=np.float64)
    average = np.asarray(average, dtype=np.float64)
    ceiling = np.asarray(ceiling, dtype=np.float64)
    rise = np.asarray(rise, dtype=np.float64)
    n_councils, n_years = average.shape
    over_ceiling = average > ceiling * (1.0 + 1e-12)
    if over_ceiling.any():
        c, t = np.argwhere(over_ceiling)[0]
        name = names[c] if names is not None else f"council {c + 1}"
        year = years[t] if years is not None else f"year {t + 1}"
        raise DevolutionError(f"{name}: the average Band D of {year} (£{average[c, t]:,.2f}) is above its "
                              f"referendum ceiling (£{ceiling[c, t]:,.2f}): a higher increase needs a referendum")
    target = equal_steps(band_d, base, index, average, steps)
    out = np.empty_like(target)
    held = np.zeros(target.shape, dtype=bool)
    previous = np.asarray(band_d, dtype=np.float64)
    for t in range(n_years):
        bound = np.fmax(ceiling[index, t], previous * (1.0 + rise[index, t]))
        wanted = target[:, t]
        over = wanted > bound * (1.0 + 1e-12)
        paid = np.where(over, bound, wanted)
        short = np.bincount(index, weights=base * (wanted - paid), minlength=n_councils)
        room = np.where(over, 0.0, bound - wanted)
        space = np.bincount(index, weights=base * room, minlength=n_councils)
        share = np.divide(short, space, out=np.zeros(n_councils), where=space > 0)
        extra = np.zeros_like(room)  # no bound (inf) where nothing is short: 0 x inf is not computed
        np.multiply(share[index], room, out=extra, where=share[index] > 0)
        paid = paid + extra
        out[:, t] = paid
        held[:, t] = over
        previous = paid
    return out, held


def bounds(band_d: np.ndarray, bills: np.ndarray, council: np.ndarray, ceiling: np.ndarray,
           rise: np.ndarray) -> np.ndarray:
    """The bound :func:`harmonise` held each area to in each year: the higher of the council's
    ``ceiling`` and the area's Band D of the year before (``band_d`` in the base year, then
    ``bills``) raised by ``rise``. Returns areas x years (£)."""
    index = np.asarray(council, dtype=np.int64)
    before = np.column_stack([np.asarray(band_d, dtype=np.float64), np.asarray(bills, dtype=np.float64)[:, :-1]])
    return np.fmax(np.asarray(ceiling, dtype=np.float64)[index], before * (1.0 + np.asarray(rise)[index]))


def harmonised_year(band_d: np.ndarray, council: np.ndarray, n_councils: int, tolerance: float = 0.005) -> np.ndarray:
    """The first year (1, 2, ...) in which every area of a council pays the same Band D (within
    ``tolerance`` pounds) and stays so; 0 if that is not reached in the years given.
    ``band_d`` is areas x years; returns councils."""
    bills = np.asarray(band_d, dtype=np.float64)
    index = np.asarray(council, dtype=np.int64)
    n_years = bills.shape[1]
    high = np.full((n_councils, n_years), -np.inf)
    low = np.full((n_councils, n_years), np.inf)
    np.maximum.at(high, index, bills)
    np.minimum.at(low, index, bills)
    same = (high - low) <= tolerance
    # the first year from which every later year is harmonised too
    stays = np.flip(np.logical_and.accumulate(np.flip(same, axis=1), axis=1), axis=1)
    found = stays.any(axis=1)
    return np.where(found, np.argmax(stays, axis=1) + 1, 0)
