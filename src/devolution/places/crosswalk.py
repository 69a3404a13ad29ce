"""Crosswalks: put a series on one year's boundaries, through mergers, splits and code changes.

A crosswalk is a table ``from_code, to_code, weight``: each place that ever existed maps onto the
places in force in the target year, with weights that sum to one for every ``from_code``, so
totals are kept exactly. Mergers and code changes have weight one. A place split between several
successors (a county replaced by two unitaries, e.g. Northamptonshire 2021, Cumbria 2023) is
shared out by a driver (population, or dwellings where population on old boundaries is missing)
of its districts, each of which went wholly to one successor.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution.errors import PlaceError
from devolution.places.register import among, in_force, register_year
from devolution.years import financial_year_of


def successors(places: pd.DataFrame, year: int) -> dict[str, list[str]]:
    """For each place: the place(s) in force in ``year`` that hold its area, following chains."""
    alive = set(places.loc[in_force(places, year), "code"])
    replaced = {row.code: [c.strip() for c in str(row.replaced_by).split(";")]
                for row in places.itertuples() if isinstance(row.replaced_by, str) and row.replaced_by}

    def follow(code: str, seen: tuple[str, ...] = ()) -> list[str]:
        if code in alive:
            return [code]
        if code in seen or code not in replaced:
            return []
        out: list[str] = []
        for nxt in replaced[code]:
            out += [c for c in follow(nxt, seen + (code,)) if c not in out]
        return out

    return {code: follow(code) for code in places["code"]}


def code_changes(places: pd.DataFrame) -> dict[str, str]:
    """Former GSS codes of councils that go on under a new code -> the code in use now (following
    chains): Barnsley E08000016 -> E08000038, Gateshead E08000020 -> E08000037. Their weight in
    every crosswalk is one."""
    former = places[places["status"].eq("former_code")] if "status" in places else places.iloc[:0]
    step = dict(zip(former["code"], former["replaced_by"].str.split(";").str[0].str.strip()))
    out = {}
    for old, new in step.items():
        seen = {old}
        while new in step and new not in seen:
            seen.add(new)
            new = step[new]
        out[old] = new
    return out


def onto_current_codes(frame: pd.DataFrame, changes: dict[str, str], what: str,
                       keys: tuple[str, ...] = ("year", "measure")) -> pd.DataFrame:
    """Rows keyed by a former code carried onto the code in use now (``code`` column). A file that
    holds the same figure under both codes (same ``keys``) is refused, naming both codes."""
    old = frame["code"].isin(list(changes))
    if not old.any():
        return frame
    out = frame.copy()
    out.loc[old, "code"] = out.loc[old, "code"].map(changes)
    keys = [k for k in ("code", *keys) if k in out.columns]
    clash = out.duplicated(keys, keep=False) & old.to_numpy()
    if clash.any():
        row = out[clash].iloc[0]
        former = frame.loc[clash[clash].index[0], "code"]
        raise PlaceError(f"{what}: {row['code']} is held both under its own code and under its former code "
                         f"{former} ({', '.join(f'{k}={row[k]}' for k in keys[1:])}): keep one of them")
    return out


DRIVERS = ("population", "dwellings_total")


def crosswalk(places: pd.DataFrame, year: int, driver: pd.DataFrame | None = None,
              prefer: tuple[str, ...] = DRIVERS) -> pd.DataFrame:
    """``from_code, to_code, weight`` onto the boundaries in force in financial year ``year``.

    ``driver``: long ``code, year, measure, value`` rows used to share out splits (the latest
    year available for each old district is used). A county's successors are taken from its
    districts where it had them (Dorset County went to Dorset and, for Christchurch, to BCP).
    A ``PlaceError`` for a year the register does not describe (``register.register_year``).
    """
    succ = successors(places, register_year(places, year))
    district_of = places.groupby("county_code")["code"].apply(list).to_dict()
    latest = _latest_values(driver, prefer)
    rows = []
    for code, targets in succ.items():
        if targets == [code]:  # in force in the target year: itself
            rows.append((code, code, 1.0))
            continue
        districts = district_of.get(code, [])
        by_district = {d: succ.get(d, []) for d in districts}
        if len(targets) == 1 and not (districts and len({t for ts in by_district.values() for t in ts}) > 1):
            rows.append((code, targets[0], 1.0))
            continue
        if not targets and not districts:
            continue  # a body that never had a successor in force (e.g. a future place): not mapped
        weights = _split_weights(code, targets, by_district, latest, year)
        rows += [(code, to, w) for to, w in weights.items()]
    out = pd.DataFrame(rows, columns=["from_code", "to_code", "weight"])
    return out[out["weight"] > 0].reset_index(drop=True)


def _latest_values(driver: pd.DataFrame | None, prefer: tuple[str, ...]) -> list[dict[str, float]]:
    """For each driver measure in order of preference: each code's value in its latest year."""
    if driver is None or driver.empty:
        return []
    return [driver[driver["measure"] == m].sort_values("year").groupby("code")["value"].last().to_dict()
            for m in prefer]


def _split_weights(code: str, targets: list[str], by_district: dict[str, list[str]],
                   latest: list[dict[str, float]], year: int) -> dict[str, float]:
    """Share a split place by a driver: first one known for all its districts (each went wholly
    to one successor), then one known for enough districts to reach every successor, then one
    known for the successors themselves. Every successor must get a share."""
    whole = {d: t[0] for d, t in by_district.items() if len(t) == 1}
    reachable = set(targets) | set(whole.values())

    def by_districts(values: dict[str, float]) -> dict[str, float]:
        totals: dict[str, float] = {}
        for district, target in whole.items():
            if district in values:
                totals[target] = totals.get(target, 0.0) + values[district]
        return totals

    candidates = (
        [by_districts(v) for v in latest if whole and all(d in v for d in whole)]
        + [by_districts(v) for v in latest]
        + [{t: v[t] for t in reachable if t in v} for v in latest]
    )
    for totals in candidates:
        if totals and set(totals) == reachable:
            whole_total = sum(totals.values())
            return {t: v / whole_total for t, v in totals.items()}
    raise PlaceError(f"cannot share {code} between its successors {', '.join(sorted(reachable))} on "
                     f"{year} boundaries: no driver (population or dwellings) for its districts")


def to_boundaries(series: pd.DataFrame, walk: pd.DataFrame) -> pd.DataFrame:
    """Move long rows (``code, year, [measure,] value``) onto the crosswalk's places, summing.

    Rows whose code the crosswalk does not know are refused, naming the code.
    """
    unknown = sorted(set(series["code"]) - set(walk["from_code"]))
    if unknown:
        raise PlaceError(f"no crosswalk for {', '.join(unknown[:5])}: a place that did not exist "
                         f"yet cannot be moved back onto earlier boundaries")
    keys = [c for c in series.columns if c not in ("code", "value")]
    moved = series.merge(walk, left_on="code", right_on="from_code")
    moved["value"] = moved["value"] * moved["weight"]
    return (moved.groupby(["to_code", *keys], as_index=False)["value"].sum()
            .rename(columns={"to_code": "code"}))


def missing_pieces(reported: dict[int, set[str]], walk: pd.DataFrame, places: pd.DataFrame,
                   tiers: tuple[str, ...]) -> pd.DataFrame:
    """``year, to_code, from_code``: each place of ``tiers`` in force in a year of ``reported`` that
    made up (part of) ``to_code`` on the crosswalk's boundaries and has no figure that year.
    ``reported`` maps a year to the codes that reported then."""
    gaps = [expected.loc[~among(expected["from_code"], codes), ["to_code", "from_code"]].assign(year=year)
            for year, codes, expected in _expected(reported, walk, places, tiers)]
    columns = ["year", "to_code", "from_code"]
    return pd.concat(gaps, ignore_index=True)[columns] if gaps else pd.DataFrame(columns=columns)


def reported_in_full(reported: dict[int, set[str]], walk: pd.DataFrame, places: pd.DataFrame,
                     councils: set[str], tiers: tuple[str, ...]) -> set[str]:
    """The ``councils`` (on the crosswalk's boundaries) that have a figure in every year of
    ``reported`` from every place of ``tiers`` that made them up in that year. ``reported`` maps
    a year to the codes that reported then; a merged council missing a predecessor is left out
    (which predecessor, and when: :func:`missing_pieces`)."""
    complete = set(councils)
    for _, codes, expected in _expected(reported, walk, places, tiers):
        complete &= set(expected["to_code"])
        complete -= set(expected.loc[~among(expected["from_code"], codes), "to_code"])
    return complete


def _expected(reported: dict[int, set[str]], walk: pd.DataFrame, places: pd.DataFrame, tiers: tuple[str, ...]):
    """For each year of ``reported``: the year, the codes that reported, and the crosswalk's rows
    from the places of ``tiers`` in force that year (the places expected to report)."""
    of_tiers = places["tier"].isin(tiers)
    for year, codes in reported.items():
        existed = places.loc[in_force(places, year) & of_tiers, "code"]
        yield year, codes, walk[among(walk["from_code"], existed)]


def to_boundaries_in_full(series: pd.DataFrame, walk: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """:func:`to_boundaries`, with the value missing (NaN) for a place and year that is not
    reported in full (:func:`reported_in_full`): one of the places that made it up that year has no
    figure, so a sum would count it as £0. The tiers expected to report in a year are those of
    the places that reported the measure then (a measure only upper tiers report expects none from
    shire districts). ``.attrs["not_in_full"]``: ``year, code, missing`` (the codes without a figure)."""
    moved = to_boundaries(series, walk)
    has = series[series["value"].notna()]
    tier = places.set_index("code")["tier"]
    keys = [c for c in series.columns if c not in ("code", "value", "year")]
    gaps = []
    for key, rows in series.groupby(["year", *keys], sort=False):
        key = key if isinstance(key, tuple) else (key,)
        year = int(key[0])
        reporting = has.loc[has.index.intersection(rows.index), "code"]
        tiers = tuple(set(reporting.map(tier).dropna()))
        gap = missing_pieces({year: set(reporting)}, walk, places, tiers)
        for column, value in zip(keys, key[1:]):
            gap[column] = value
        gaps.append(gap)
    gaps = pd.concat(gaps, ignore_index=True) if gaps else pd.DataFrame(columns=["year", "to_code", "from_code", *keys])
    hit = moved.merge(gaps[["year", *keys, "to_code"]].drop_duplicates().rename(columns={"to_code": "code"}),
                      on=["code", "year", *keys], how="left", indicator=True)["_merge"].eq("both").to_numpy()
    moved.loc[hit, "value"] = np.nan
    moved.attrs["not_in_full"] = (gaps.groupby(["year", *keys, "to_code"])["from_code"]
                                  .apply(lambda c: ", ".join(sorted(c))).reset_index()
                                  .rename(columns={"to_code": "code", "from_code": "missing"}))
    return moved


class LaterBoundaries:
    """The billing councils in force in ``year`` and what held each one's area on every later set
    of boundaries (:func:`successors`), to read a figure held only on later boundaries: ONS
    publishes its population series on the latest boundaries, so Cumbria's 2017 population is
    Cumberland's plus Westmorland and Furness's, whose areas are exactly Cumbria's six districts."""

    def __init__(self, places: pd.DataFrame, year: int, tiers: tuple[str, ...]):
        self.year = year
        self.alive = set(places.loc[in_force(places, year) & places["tier"].isin(tiers), "code"])
        start = pd.to_datetime(places["start_date"], errors="coerce").dropna()
        later = sorted({financial_year_of(d) for d in start if d > pd.Timestamp(year=year, month=4, day=1)})
        self.later = [successors(places, y) for y in later]

    def total(self, values: pd.Series, codes) -> float:
        """The sum of ``values`` (by code) over ``codes`` (councils in force in ``year``). A council
        without a figure is read through what held its area later, when that later place (or places)
        is made of councils all among ``codes``; NaN when there is no such place."""
        codes = set(codes)
        own = values.reindex(sorted(codes))
        missing = set(own.index[own.isna()])
        if not missing:
            return float(own.sum())
        for succ, targets in self._holders(values, missing):
            pieces = {c for c in self.alive if set(succ.get(c, [])) & targets}
            if missing <= pieces <= codes and all(set(succ[c]) <= targets for c in pieces):
                return float(values.reindex(sorted(codes - pieces)).sum() + values.reindex(sorted(targets)).sum())
            return np.nan
        return np.nan

    def held_by(self, values: pd.Series, code: str) -> list[str]:
        """The later places that hold a figure for ``code``'s area (empty if none)."""
        return sorted(next((targets for _, targets in self._holders(values, {code})), set()))

    def _holders(self, values: pd.Series, missing: set[str]):
        for succ in self.later:
            targets = {t for c in missing for t in succ.get(c, [])}
            if targets and values.reindex(sorted(targets)).notna().all():
                yield succ, targets
