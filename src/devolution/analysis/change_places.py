"""Place by place: ``change`` for every council area, ranked, with its region, type and
deprivation decile, narrowed to a region, a type, the largest falls or the largest rises.

Each row is a billing area of the boundary year (district, unitary, metropolitan district, London
borough, City of London, Isles of Scilly) with its own spending plus its population share of its
county's, as in the group tables, so a two-tier area is comparable with a unitary. Rank 1 is the
largest fall (the most negative change); ranks are among every area in England, also when the
table is narrowed, and places without a change (no count in a year) come last, unranked.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution.analysis import per_head
from devolution.analysis.groupings import AREA_TYPES, assign
from devolution.errors import DevolutionError
from devolution.years import year_label

PLACE = "place"
DECILE = "imd2019_decile"
COLUMNS = ["rank", "code", "name", "region", "region_code", "type", "imd2019_decile", "first", "value_first", "last",
           "value_last", "change_pct", "money_first_m", "money_last_m", "count_first", "count_last"]


def check_place_options(by: str, top: int | None, bottom: int | None, region: str | None,
                        area_type: str | None) -> None:
    """Options that narrow a place-by-place table are refused with any other grouping (they would
    change nothing), and ``top`` / ``bottom`` must be at least 1."""
    given = [name for name, value in (("--top", top), ("--bottom", bottom), ("--region", region),
                                      ("--type", area_type)) if value is not None]
    if given and by != PLACE:
        raise DevolutionError(f"{', '.join(given)} narrow a table of places: use them with --by place "
                              f"(not --by {by})")
    for name, value in (("--top", top), ("--bottom", bottom)):
        if value is not None and value < 1:
            raise DevolutionError(f"{name} {value}: expected a number of places, 1 or more")


def by_place(panel: pd.DataFrame, years: tuple[int, int], store, walk: pd.DataFrame, places: pd.DataFrame,
             notes: list[str], top: int | None = None, bottom: int | None = None, region: str | None = None,
             area_type: str | None = None) -> pd.DataFrame:
    """The place-by-place table from ``change``'s panel (indexed by area code, with ``money_Y``,
    ``count_Y`` and ``people_Y`` for both years): ``COLUMNS``, ranked and narrowed. ``attrs``
    carries ``england`` (the same figures for all the areas together) and ``shown`` (what the
    narrowing kept)."""
    first, last = years
    names = places.set_index("code")["name"]
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
    out["change_pct"] = 100 * (out["value_last"] / out["value_first"] - 1)
    out[DECILE] = _deciles(panel, last, store, walk, places, notes)
    out = out.sort_values(["change_pct", "code"], kind="mergesort", na_position="last").reset_index(drop=True)
    ranked = out["change_pct"].notna().to_numpy()
    out["rank"] = pd.Series(np.cumsum(ranked), dtype="Int64").where(ranked)
    england = _england(panel, years)
    out = narrow(out, top, bottom, region, area_type)
    notes.append("Each row is a council area: a shire district carries its population share of its county's "
                 "figures. Rank 1 is the largest fall, among all areas in England.")
    out.attrs["england"] = england
    return out[COLUMNS]


def narrow(table: pd.DataFrame, top: int | None, bottom: int | None, region: str | None,
           area_type: str | None) -> pd.DataFrame:
    """Rows of one region (name or E12 code) and one type (label, e.g. "London borough", or tier
    key, e.g. london_borough), then the ``top`` largest falls and / or the ``bottom`` largest rises
    (smallest falls) among the ranked rows. Unknown names are refused with the choices."""
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


def _deciles(panel: pd.DataFrame, last: int, store, walk, places, notes) -> pd.Series:
    """IMD 2019 decile of each area (population-weighted, 1 = most deprived), NA where no score."""
    try:
        labels, _ = assign(DECILE, panel.reset_index(), panel[f"people_{last}"], store, walk, places)
    except DevolutionError as exc:
        notes.append(f"No deprivation decile: {exc}")
        return pd.Series(pd.NA, index=range(len(panel)), dtype="Int64")
    number = labels.reindex(panel.index).str.extract(r"^Decile (\d+)")[0]
    notes.append("imd2019_decile: IMD 2019 average score of the area, population-weighted deciles, 1 = most deprived.")
    return pd.Series(pd.to_numeric(number).to_numpy(), dtype="Int64")


def _england(panel: pd.DataFrame, years: tuple[int, int]) -> dict:
    first, last = years
    sums = panel[[f"money_{first}", f"money_{last}", f"count_{first}", f"count_{last}"]].sum()
    value_first = float(per_head.per_unit(sums[f"money_{first}"], sums[f"count_{first}"]))
    value_last = float(per_head.per_unit(sums[f"money_{last}"], sums[f"count_{last}"]))
    return {"areas": len(panel), "value_first": value_first, "value_last": value_last,
            "change_pct": 100 * (value_last / value_first - 1)}
