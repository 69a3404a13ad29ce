"""Place by place: ``change`` for every council area, ranked, with its region, type and
deprivation decile, narrowed to a region, a type, the largest falls or the largest rises.

Each row is a billing area of the boundary year (district, unitary, metropolitan district, London
borough, City of London, Isles of Scilly) with its own spending plus its population share of its
county's, as in the group tables, so a two-tier area is comparable with a unitary. Rank 1 is the
lowest change (the largest fall, or the smallest rise when every area rose); ranks are among every
area in England, also when the table is narrowed, and places without a percentage change come
last, unranked: no count in a year, or a first-year value a percentage of which means nothing
(``percent_change``: zero, negative, or below ``MIN_BASE_SHARE`` of the typical area's).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution.analysis import per_head
from devolution.analysis.areas import on_boundaries
from devolution.analysis.groupings import AREA_TYPES, assign
from devolution.errors import DevolutionError
from devolution.years import year_label

PLACE = "place"
DECILE = "imd2019_decile"
#: A first-year value below this share of the typical area's (the median of the areas' absolute
#: first-year values) gives no percentage change: -£1m to +£2m is not "+-300%", and 0.1 to 10 is
#: not "+9,900%". A presentation threshold, not a policy value.
MIN_BASE_SHARE = 0.05
COLUMNS = ["rank", "code", "name", "region", "region_code", "type", "imd2019_decile", "first", "value_first", "last",
           "value_last", "change_pct", "money_first_m", "money_last_m", "count_first", "count_last"]


def typical_base(values_first) -> float:
    """The typical size of a measure's first-year values: the median of the areas' absolute values
    (NaN without any)."""
    values = np.abs(np.asarray(values_first, dtype=np.float64))
    values = values[np.isfinite(values)]
    return float(np.median(values)) if len(values) else float("nan")


def percent_change(value_first, value_last, typical: float) -> np.ndarray:
    """``100 * (last / first - 1)`` where the first value is a base a percentage can be taken of:
    above zero and at least ``MIN_BASE_SHARE`` of ``typical`` (:func:`typical_base`); NaN elsewhere
    (a fall from a negative base would read as a rise, a tiny base gives thousands of per cent)."""
    first = np.asarray(value_first, dtype=np.float64)
    last = np.asarray(value_last, dtype=np.float64)
    meaningful = (first > 0) & (first >= MIN_BASE_SHARE * typical)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(meaningful, 100 * (last / first - 1), np.nan)


def no_percentage_note(names: pd.Series, value_first: pd.Series, typical: float, what: str) -> str | None:
    """The note for the rows (``names``) whose first value gives no percentage change, or None."""
    first = np.asarray(value_first, dtype=np.float64)
    none = np.isfinite(first) & ~((first > 0) & (first >= MIN_BASE_SHARE * typical))
    if not none.any():
        return None
    listed = ", ".join(f"{n} ({v:,.2f})" for n, v in zip(names[none].head(8), first[none][:8]))
    return (f"No percentage change for {int(none.sum())} of the {what}: the first-year value is zero, negative or "
            f"below {MIN_BASE_SHARE:.0%} of the typical area's ({typical:,.2f}), so a percentage of it means "
            f"nothing: {listed}{'…' if none.sum() > 8 else ''}")


def rank_note(change_pct: pd.Series) -> str:
    """What rank 1 is, in the words that fit the ranked changes (all rises, all falls, or both)."""
    ranked = change_pct.dropna()
    if len(ranked) and ranked.min() > 0:
        return "Rank 1 is the smallest rise: every ranked area rose."
    if len(ranked) and ranked.max() < 0:
        return "Rank 1 is the largest fall: every ranked area fell."
    return "Rank 1 is the largest fall and the last rank the largest rise."


def check_place_options(by: str, top: int | None, bottom: int | None, region: str | None,
                        area_type: str | None) -> None:
    """Options that narrow a place-by-place table are refused with any other grouping (they would
    change nothing), and ``top`` / ``bottom`` must be at least 1."""
    given = [f"{name} (--{name})" for name, value in (("top", top), ("bottom", bottom), ("region", region),
                                                      ("type", area_type)) if value is not None]
    if given and by != PLACE:
        raise DevolutionError(f"{', '.join(given)} narrow a table of places: use them with by=place "
                              f"(--by place), not by={by}")
    for name, value in (("top", top), ("bottom", bottom)):
        if value is not None and value < 1:
            raise DevolutionError(f"{name}={value} (--{name}): expected a number of places, 1 or more")


def by_place(panel: pd.DataFrame, years: tuple[int, int], store, boundaries: int, notes: list[str],
             top: int | None = None, bottom: int | None = None, region: str | None = None,
             area_type: str | None = None) -> pd.DataFrame:
    """The place-by-place table from ``change``'s panel (indexed by area code, with ``money_Y``,
    ``count_Y`` and ``people_Y`` for both years): ``COLUMNS``, ranked and narrowed. ``attrs``
    carries ``england`` (the same figures for all the areas together) and ``shown`` (what the
    narrowing kept)."""
    first, last = years
    names = on_boundaries(store, boundaries).places.set_index("code")["name"]
    out = pd.DataFrame({
        "code": panel.index.to_numpy(), "name": panel["name"].to_numpy(),
        "region": panel["region_code"].map(names).fillna("Unknown region").to_numpy(),
        "region_code": panel["region_code"].to_numpy(),
        "type": panel["tier"].map(AREA_TYPES).to_numpy(),
        "first": year_label(first), "value_first": per_head.per_unit(panel[f"money_{first}"], panel[f"count_{first}"]),
        "last": year_label(last), "value_last": per_head.per_unit(panel[f"money_{last}"], panel[f"count_{last}"]),
        "money_first_m": panel[f"money_{first}"].to_numpy() / 1e6, "money_last_m": panel[f"money_{last}"].to_numpy() / 1e6,
        "count_first": panel[f"count_{first}"].to_numpy(), "count_last": panel[f"count_{last}"].to_numpy(),
    })
    typical = typical_base(out["value_first"])
    out["change_pct"] = percent_change(out["value_first"], out["value_last"], typical)
    note = no_percentage_note(out["name"], out["value_first"], typical, "areas (left unranked)")
    if note:
        notes.append(note)
    out[DECILE] = _deciles(panel, last, store, boundaries, notes)
    out = out.sort_values(["change_pct", "code"], kind="mergesort", na_position="last").reset_index(drop=True)
    ranked = out["change_pct"].notna().to_numpy()
    out["rank"] = pd.Series(np.cumsum(ranked), dtype="Int64").where(ranked)
    england = _england(panel, years, typical)
    notes.append(f"{rank_note(out['change_pct'])} Ranks are among all areas in England.")
    out = narrow(out, top, bottom, region, area_type)
    out.attrs["england"] = england
    return out[COLUMNS]


def narrow(table: pd.DataFrame, top: int | None, bottom: int | None, region: str | None,
           area_type: str | None) -> pd.DataFrame:
    """Rows of one region (name or E12 code) and one type (label, e.g. "London borough", or tier
    key, e.g. london_borough), then the ``top`` lowest ranks (the largest falls, or the smallest rises
    when every area rose) and / or the ``bottom`` highest among the ranked rows. Unknown names are refused with the choices."""
    out = table
    if region is not None:
        out = out[_matches(out["region"], region, "--region", extra=out["region_code"] == region.strip().upper())]
    if area_type is not None:
        key = area_type.strip().lower().replace(" ", "_")
        label = AREA_TYPES.get(key, area_type)
        out = out[_matches(out["type"], label, "--type")]
    if top is None and bottom is None:
        return out
    ranked = out[out["rank"].notna()]
    picked = pd.concat([ranked.head(top or 0), ranked.tail(bottom or 0)])
    return picked[~picked.index.duplicated()]


def _matches(column: pd.Series, wanted: str, option: str, extra: pd.Series | None = None) -> pd.Series:
    hit = column.str.casefold() == wanted.strip().casefold()
    if extra is not None:
        hit |= extra
    if not hit.any():
        raise DevolutionError(f"{option} {wanted!r}: no such {option[2:]} among the places; expected one of "
                              f"{', '.join(sorted(column.dropna().unique()))}")
    return hit


def _deciles(panel: pd.DataFrame, last: int, store, boundaries: int, notes) -> pd.Series:
    """IMD 2019 decile of each area (population-weighted, 1 = most deprived), NA where no score."""
    try:
        labels, _ = assign(DECILE, panel.reset_index(), panel[f"people_{last}"], store, boundaries)
    except DevolutionError as exc:
        notes.append(f"No deprivation decile: {exc}")
        return pd.Series(pd.NA, index=range(len(panel)), dtype="Int64")
    number = labels.reindex(panel.index).str.extract(r"^Decile (\d+)")[0]
    notes.append("imd2019_decile: IMD 2019 average score of the area, population-weighted deciles, 1 = most deprived.")
    return pd.Series(pd.to_numeric(number).to_numpy(), dtype="Int64")


def _england(panel: pd.DataFrame, years: tuple[int, int], typical: float) -> dict:
    first, last = years
    sums = panel[[f"money_{first}", f"money_{last}", f"count_{first}", f"count_{last}"]].sum()
    value_first = float(per_head.per_unit(sums[f"money_{first}"], sums[f"count_{first}"]))
    value_last = float(per_head.per_unit(sums[f"money_{last}"], sums[f"count_{last}"]))
    return {"areas": len(panel), "value_first": value_first, "value_last": value_last,
            "change_pct": float(percent_change(value_first, value_last, typical))}
