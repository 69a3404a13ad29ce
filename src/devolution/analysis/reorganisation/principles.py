"""A new council's referendum principles (``rules.referendum``: those of a unitary, and the
council's own where a year's report names it), the increase a proposal may give its average Band D
without a referendum, and how far a predecessor area's Band D may rise past the principle while the
average keeps to it (the principles are tested on the council's average, LGFA 1992 s.52ZB-52ZE)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pydantic import ValidationError

from devolution.analysis.reorganisation.schema import CouncilTax as CouncilTaxSettings
from devolution.rules import referendum
from devolution.years import year_label

JUST_BELOW = referendum.JUST_BELOW  # the highest increase is this far under a percentage principle
#: Years followed after the harmonisation period, for a harmonisation that the ceiling slows down.
EXTRA_YEARS = 12
TIER = "unitary"  # every new council here is a unitary council (an adult social care authority)


def principle_shares(tree, years: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, list]:
    """councils x years: each new council's referendum principle (core + adult social care +
    its own where named), as a share; and what was read. The adult social care limits that depend
    on earlier years (2019-20's cap over three years, 2022-23's carry-forward) are taken at the
    year's own limit: the council is new, and its predecessors' earlier precepts are not followed."""
    n = len(codes)
    tiers = np.full(n, TIER, dtype=object)
    out = np.empty((n, len(years)))
    used = []
    for t, year in enumerate(years):
        history = None
        earlier, carried = referendum.needs_asc_history(tree, int(year))
        if earlier or carried is not None:
            previous = float(tree.value(referendum.ASC, carried) or 0.0) if carried is not None else 0.0
            history = referendum.AscHistory(np.zeros(n), np.full(n, previous))
        found = referendum.principles(tree, int(year), codes, tiers, history)
        out[:, t] = found.core_limit + found.asc_limit + found.additional_limit
        used.append(found)
    return out, used

def increase_problems(tree, raw: dict, members: pd.DataFrame, first_year: int | None) -> list[tuple[str, str]]:
    """The proposal's ``council_tax.increase`` against each new council's principle in each year it
    is followed (a check of ``proposal.check``, run whatever else is wrong with the file): a share
    above the highest increase without a referendum (the principle less ``JUST_BELOW``) is refused,
    naming the council, the year and that highest increase, unless the proposal holds a referendum.
    Nothing is said without a valid vesting date (``first_year`` None) or a valid ``council_tax``
    (the format's own problems are listed)."""
    try:
        tax = CouncilTaxSettings.model_validate(raw.get("council_tax") or {})
    except ValidationError:
        return []
    councils = [c for c in raw.get("councils") or [] if isinstance(c, dict)] if isinstance(raw.get("councils"), list) else []
    if first_year is None or tax.increase == "max" or tax.referendum or not councils:
        return []
    years = np.arange(first_year, first_year + tax.harmonisation_years + EXTRA_YEARS)
    codes = np.array([str(c.get("code") or "") for c in councils], dtype=object)
    shares, _ = principle_shares(tree, years, codes)
    highest = shares - JUST_BELOW
    too_high = float(tax.increase) > highest + 1e-12
    if not too_high.any():
        return []
    c, t = np.argwhere(too_high)[0]
    return [("council_tax.increase", (
        f"{percent(float(tax.increase))} a year is more than {councils[c].get('name', f'council {c + 1}')} may raise "
        f"its average Band D in {year_label(int(years[t]))} without a referendum: its principle is {shares[c, t]:.2%} "
        f"(an increase of {shares[c, t]:.2%} or more is excessive), so the highest increase is {highest[c, t]:.2%} "
        f"({highest[c, t]:.4f}, what `max` uses): set that or less, `max`, or `referendum: true`"))]

def percent(share: float) -> str:
    """A share as a percentage with as many decimals as it needs (up to 8) to show the number
    given: 0.04999999 is 4.999999%, not a rounded 5.000%."""
    for places in range(2, 9):
        if abs(round(share * 100, places) - share * 100) < 1e-9:
            break
    return f"{share * 100:.{places}f}%"

def largest_rises(table: pd.DataFrame, names: list[str], held_referendum: bool) -> tuple[pd.DataFrame, list[str]]:
    """For each new council and plan, the largest yearly rise of any predecessor area's Band D in
    the years shown (``largest_area_rise_PLAN``, a share, with ``_area`` and ``_year``), and a note
    where it reaches the principle without a referendum: lawful, since the principles are tested on
    the council's average (its relevant basic amount, LGFA 1992 s.52ZB), not on an area's Band D."""
    top = table.loc[table.groupby(["council", "plan"], sort=False)["change"].idxmax()]
    out = pd.DataFrame({"council": names})
    notes = []
    for plan, rows in top.groupby("plan", sort=False):
        key = f"largest_area_rise_{plan.replace(' ', '_')}"
        rows = rows.set_index("council").reindex(names)
        out[key], out[f"{key}_area"], out[f"{key}_year"] = (rows["change"].to_numpy(), rows["area"].to_numpy(),
                                                            rows["year_label"].to_numpy())
        past = rows[rows["change"] >= rows["principle"] - 1e-12] if not held_referendum else rows.iloc[:0]
        notes += [f"{plan}: {row.area}'s Band D rises {row.change:+.2%} in {row.year_label}, past the principle "
                  f"({row.principle:.2%}) without a referendum: lawful, as the principle is tested on the council's "
                  f"average Band D (its relevant basic amount, LGFA 1992 s.52ZB), which rises "
                  f"{row.increase:+.2%}, not on each predecessor area's." for row in past.reset_index().itertuples()]
    return out, notes

def principle_notes(tree, used: list, years: np.ndarray, held_referendum: bool, places: pd.DataFrame) -> list[str]:
    """The notes on the principles of ``years``: years past the last set, the councils the
    principles report names with an additional limit (by name and code, from ``places``), the adult
    social care precept and the harmonisation's ceiling."""
    name_of = places.set_index("code")["name"]
    last = max(tree.parameter(referendum.CORE).values)
    beyond = [int(y) for y in years if y > last]
    notes = []
    if beyond:
        notes.append(f"Referendum principles after {year_label(last)} are not set yet: {year_label(beyond[0])} on "
                     f"keep {year_label(last)}'s (a parameter's last value stays in force).")
    named = [(f.year, str(c), float(a)) for f in used[:len(years)] for c, a in zip(f.codes, f.additional_limit) if a]
    named_as = {c: f"{name_of[c]} ({c})" if c in name_of.index else c for _, c, _ in named}
    notes += [f"{year_label(y)}: the principles report names {named_as[c]} with {a:+.2%} on top of the general "
              f"principle." for y, c, a in named]
    earlier = [int(y) for y in years if any(referendum.needs_asc_history(tree, int(y)))]
    if earlier:
        notes.append(f"Adult social care precept in {', '.join(year_label(y) for y in earlier)}: the year's own limit "
                     f"(the limits that depend on the precept added in earlier years are not followed for a new "
                     f"council).")
    notes.append("Harmonisation: the principles are tested on the council's average (LGFA 1992 s.52ZB-52ZE), which "
                 "is kept every year whatever the number of years; no predecessor area's Band D rises past the higher "
                 "of the council's referendum ceiling and its own last Band D raised by the highest increase the "
                 "principle allows (no household's bill rises by more than the average may unless it is still within "
                 "what the council could charge everywhere)."
                 if not held_referendum else
                 "Harmonisation: the proposal says the council would hold a referendum, so no ceiling holds the "
                 "areas' bills.")
    return notes
