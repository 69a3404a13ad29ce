"""Questions of the register of places: which places, of which tier, inside which parent.

Functions take the ``places`` table (from the store) and return DataFrames; no I/O here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution.errors import PlaceError
from devolution.places.names import KINDS, NoPlaceMatch, PlaceIndex
from devolution.places.tiers import SA_TIERS, TIER_LABELS
from devolution.years import financial_year_of

#: ``status`` of a row of the register: a place in being, one abolished (with its end date and
#: successors), or an earlier GSS code of a place that goes on under a new code (never in force:
#: its series are carried onto the new code when loaded, as ONS and MHCLG do).
CURRENT, ABOLISHED, FORMER_CODE = "current", "abolished", "former_code"
#: The first financial year the register describes in full: it records the unitary councils made on
#: 1 April 2009 (Cornwall, Wiltshire, ...) but not the districts they replaced, so on earlier
#: boundaries it would show a map with holes.
FIRST_REGISTER_YEAR = 2009


def register_year(places: pd.DataFrame, year: int, what: str = "year") -> int:
    """``year`` if the register describes the places in force in it: from ``FIRST_REGISTER_YEAR``
    to the later of this financial year and the latest change it records (a future year's
    councils are not known). Otherwise a ``PlaceError`` naming the years it does describe."""
    from devolution.years import year_label

    dates = pd.to_datetime(pd.concat([places["start_date"], places["end_date"]]), errors="coerce").dropna()
    today = pd.Timestamp.today()
    last = max([financial_year_of(today), *financial_year_of(dates).tolist()])
    if not FIRST_REGISTER_YEAR <= year <= last:
        shown = year_label(year) if 1000 <= year <= 9998 else str(year)
        raise PlaceError(f"{what} {shown}: the register of places describes the councils in force from "
                         f"{year_label(FIRST_REGISTER_YEAR)} to {year_label(last)}")
    return year


def successor_links(places: pd.DataFrame) -> pd.DataFrame:
    """``code, successor``: one row per place and each place its ``replaced_by`` names (a council
    split between two has two rows; a place replaced by none has none)."""
    split = places.assign(successor=places["replaced_by"].fillna("").astype(str).str.split(";")).explode("successor")
    split["successor"] = split["successor"].str.strip()
    return split.loc[split["successor"] != "", ["code", "successor"]].reset_index(drop=True)


def in_force(places: pd.DataFrame, year: int) -> pd.Series:
    """Which places existed on 1 April of financial year ``year``.

    Dates follow one convention: ``start_date`` is the first day a place existed (its vesting
    day) and ``end_date`` the last (the day before its successor's vesting day), so a place is in
    force on a day when ``start_date <= day <= end_date``. A former code is never in force.
    """
    return in_force_on(places, pd.Timestamp(year=year, month=4, day=1))


def in_force_on(places: pd.DataFrame, day) -> pd.Series:
    """Which places existed on ``day`` (a date), by the dates convention of :func:`in_force`."""
    date = pd.Timestamp(day)
    start, end = _dates(places["start_date"]), _dates(places["end_date"])
    ended = end.notna() & (end < date)
    former = places["status"].eq(FORMER_CODE) if "status" in places else (~places["current"].astype(bool) & end.isna())
    return (start.isna() | (start <= date)) & ~ended & ~former


def among(codes, wanted) -> np.ndarray:
    """Which of ``codes`` (a column or index of codes) are among ``wanted`` (any collection of
    codes), as a bool array: ``codes.isin(wanted)``, through a hash table of ``wanted`` (under
    pandas 3's string dtype ``isin`` makes an Arrow scalar of every wanted code, each call: some
    eight times slower on a few hundred codes). A missing code is among none."""
    wanted = pd.Index(list(wanted) if isinstance(wanted, (set, frozenset)) else wanted, dtype=object).unique()
    return wanted.get_indexer(pd.Index(codes, dtype=object)) >= 0


def _dates(column: pd.Series) -> pd.Series:
    """A column of dates as timestamps (NaT where empty or not a date): read as YYYY-MM-DD, as the
    register writes them (several times quicker than guessing the form), or, if any is in another
    form, as pandas reads dates of any form."""
    parsed = pd.to_datetime(column, errors="coerce", format="%Y-%m-%d")
    if parsed.isna().sum() != column.isna().sum():
        parsed = pd.to_datetime(column, errors="coerce")
    return parsed


def resolve(places: pd.DataFrame, query: str, kind: str | None = None) -> pd.Series:
    """One place by GSS code (current or former), MHCLG E-code or name in any official spelling,
    of ``kind`` (``council``, ``strategic_authority``, ``region``) if given; a :class:`PlaceError`
    naming the closest names, or the candidates and their codes (see :mod:`devolution.places.names`)."""
    # A GSS code is looked up directly (most callers pass one): the name index is built only for names.
    text = str(query).strip().upper()
    hit = places[places["code"] == text]
    if len(hit) == 1 and (kind is None or (kind in KINDS and hit["tier"].iloc[0] in KINDS[kind][0])):
        found = hit.iloc[0]
    else:
        found = PlaceIndex.of(places).find(query, kind)
    return current_code_of(places, found)


def current_code_of(places: pd.DataFrame, row: pd.Series) -> pd.Series:
    """A place under the code it goes on under: a former code (Barnsley's E08000016, the North
    East combined authority's E47000005) is the same place as its new code, whose series, deals and
    budget are held there; the chain of recodes is followed to its end. Other places as given."""
    by_code = places.set_index("code", drop=False)
    seen = set()
    while row.get("status") == FORMER_CODE and isinstance(row.get("replaced_by"), str) \
            and row["replaced_by"] in by_code.index and row["code"] not in seen:
        seen.add(row["code"])
        row = by_code.loc[row["replaced_by"]]
    return row


def strategic_authority_for(places: pd.DataFrame, query: str, index=None) -> tuple[pd.Series, str | None]:
    """The strategic authority ``query`` names, or the one a named council is in (its own, else its
    county's), with a note saying so (``None`` when the query named the authority itself).

    Raises :class:`PlaceError` when the query names nothing, or a place in no strategic authority
    (saying which place it found and why it has none). ``index``: a :class:`PlaceIndex` of
    ``places`` already built (the web keeps one).
    """
    index = index or PlaceIndex.of(places)
    try:  # a code or a name as it is: a council called "Manchester" is not Greater Manchester's word
        place = index.find(query, exact=True)
    except NoPlaceMatch:
        place = index.find(query, "strategic_authority")
    if place["tier"] in SA_TIERS:
        return place, None
    label = tier_phrase(place["tier"])
    if place["tier"] in ("region", "england"):
        raise PlaceError(f"{query!r} is {place['name']} ({place['code']}), {label}, not a strategic authority: "
                         f"give a combined authority, the GLA, or a council inside one")
    authority = strategic_authority_of(places, [place["code"]])[0]
    if not authority:
        raise PlaceError(f"{place['name']} ({place['code']}) is {label} in no strategic authority "
                         f"(no combined authority or the GLA covers it in the register)")
    found = places.set_index("code", drop=False).loc[authority]
    return found, (f"{place['name']} ({place['code']}) is {label} in {found['name']} ({authority}): "
                   f"showing {found['name']}")


def tier_phrase(tier: str) -> str:
    """A tier in a sentence: "a metropolitan district", "a London borough", "the City of London"."""
    label = TIER_LABELS.get(tier, tier)
    label = label if label.split()[0] in ("London", "City", "Greater", "England") else label.lower()
    return f"{'an' if label[0] in 'aeiouAEIOU' else 'a'} {label}"


def lifecycle(places: pd.DataFrame, code: str) -> dict:
    """When a place began and ended and what replaced it, in fields and in words, for pages and
    the CLI: ``status`` (current / abolished / former_code), ``start_date``, ``end_date`` (last day),
    ``ended_on`` (the first day it no longer existed), ``successors`` (code, name) and ``text``."""
    by_code = places.set_index("code", drop=False)
    if code not in by_code.index:
        raise PlaceError(f"unknown place code {code!r}")
    row = by_code.loc[code]
    status = row.get("status") or (CURRENT if row["current"] else ABOLISHED)
    start, end = (_date(row["start_date"]), _date(row["end_date"]))
    ended_on = None if end is None else (pd.Timestamp(end) + pd.Timedelta(days=1)).date().isoformat()
    successors = [{"code": c, "name": by_code.loc[c, "name"] if c in by_code.index else c}
                  for c in _codes(row["replaced_by"])]
    named = " and ".join(f"{s['name']} ({s['code']})" for s in successors) or "no successor in the register"
    since = f"since {_long(start)}" if start else "since before the register's records begin"
    if status == FORMER_CODE:
        when = (f", used until {_long(end)}" if end else
                " (the register does not say when it stopped being used)")
        text = f"{code} is a former code of {named}{when}; its series are held under the new code."
    elif status == ABOLISHED:
        text = (f"Abolished on {_long(ended_on)} (it existed {'from ' + _long(start) + ' ' if start else ''}"
                f"to {_long(end)}); its area passed to {named}." if end else f"Abolished; its area passed to {named}.")
    else:
        text = f"In being {since}."
    return {"status": status, "start_date": start, "end_date": end, "ended_on": ended_on,
            "successors": successors, "text": text}


def not_in_being(places: pd.DataFrame, code: str, day) -> str:
    """Why a place did not exist on ``day`` (a date), in a sentence naming what held its area
    then ("Allerdale (E07000026) was abolished on 1 April 2023 (its last day was 31 March 2023):
    its area passed to Cumberland (E06000063)"); "" when it existed. Dates as :func:`in_force`."""
    row = places.set_index("code", drop=False).loc[code]
    life = lifecycle(places, code)
    day = pd.Timestamp(day)
    named = " and ".join(f"{s['name']} ({s['code']})" for s in life["successors"])
    if life["status"] == FORMER_CODE:
        return f"{code} is a former code of {named}: ask about {named}"
    if life["end_date"] and day > pd.Timestamp(life["end_date"]):
        return (f"{row['name']} ({code}) was abolished on {_long(life['ended_on'])} (its last day was "
                f"{_long(life['end_date'])}): its area passed to {named or 'no successor in the register'}")
    if life["start_date"] and day < pd.Timestamp(life["start_date"]):
        return f"{row['name']} ({code}) came into being only on {_long(life['start_date'])}"
    return ""


def years_in_being(places: pd.DataFrame, code: str, day) -> tuple[int, str]:
    """For a place not in being on ``day``: the nearest financial year it was in force on 1 April,
    and which way the others lie: ``(2019, "earlier")`` for Aylesbury Vale (last day 31 March
    2020) after it ended, ``(2019, "later")`` for North of Tyne (began 2 November 2018) before."""
    life = lifecycle(places, code)
    if life["end_date"] and pd.Timestamp(day) > pd.Timestamp(life["end_date"]):
        return int(financial_year_of(pd.Timestamp(life["end_date"]))), "earlier"
    start = pd.Timestamp(life["start_date"])
    first = int(financial_year_of(start))
    return first + int(start > pd.Timestamp(year=first, month=4, day=1)), "later"


def _date(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _codes(value) -> list[str]:
    return [c.strip() for c in value.split(";") if c.strip()] if isinstance(value, str) else []


def _long(iso: str | None) -> str:
    return "an unrecorded date" if not iso else f"{pd.Timestamp(iso).day} {pd.Timestamp(iso):%B %Y}"


def select(places: pd.DataFrame, *, tier: str | None = None, region: str | None = None,
           county: str | None = None, strategic_authority: str | None = None,
           year: int | None = None, former: bool = False, members=None, membership=None) -> pd.DataFrame:
    """Filter the register: current places, or those in force on 1 April of ``year``, or
    (``former``) every place ever held. ``region`` / ``county`` / ``strategic_authority`` take a
    code or name.

    ``members``: ``(authority code, day) -> member codes`` on that day (``day`` None: at any time),
    the strategic authorities' membership over time
    (:meth:`devolution.powers.authorities.Authorities.member_codes`, the one the place budget uses);
    without it, the register's current members (the register holds one authority per place).
    ``membership``: ``day -> Series(member code -> authority code)`` on that day
    (:meth:`~devolution.powers.authorities.Authorities.membership_on`): with a day asked, each
    place's ``strategic_authority_code`` is the authority it belonged to then (Newcastle's in 2017
    is the North East combined authority of 2014-2024, not the one of 2024), blank for none.

    A parent not in being on the day asked raises :class:`PlaceError` saying when it began or ended
    (and what holds its area) and which years to ask for. Without ``year``, a parent that has ended
    gives its places on its last day, and the frame's ``attrs["note"]`` says so (else ``""``).
    """
    out = places
    if tier is not None:
        tiers = [t.strip() for t in tier.split(",")]
        unknown = [t for t in tiers if t not in TIER_LABELS]
        if unknown:
            raise PlaceError(f"unknown tier {unknown[0]!r}; expected one of {', '.join(TIER_LABELS)}")
        out = out[out["tier"].isin(tiers)]
    chosen = [(column, resolve(places[places["tier"].isin(tiers)], value, kind)["code"])
              for column, value, tiers, kind in (("region_code", region, ("region",), "region"),
                                                 ("county_code", county, ("county",), "council"),
                                                 ("strategic_authority_code", strategic_authority, SA_TIERS,
                                                  "strategic_authority"))
              if value is not None]
    day, note = _day_asked(places, [code for _, code in chosen], year, former)
    if membership is not None and day is not None:  # the authority of the day, not today's
        out = out.assign(strategic_authority_code=out["code"].map(membership(day.date())))
    for column, code in chosen:
        if column == "strategic_authority_code" and members is not None:
            # the authority they were members of then, not the register's current one
            out = out[among(out["code"], members(code, None if day is None else day.date()))].assign(
                strategic_authority_code=code)
        else:
            out = out[out[column] == code]
    if day is not None:
        out = out[in_force_on(out, day)]
    elif not former:
        out = out[out["current"].astype(bool)]
    out = out.reset_index(drop=True)
    out.attrs["note"] = note
    return out


def _day_asked(places: pd.DataFrame, parents: list[str], year: int | None, former: bool) -> tuple:
    """The day whose places :func:`select` lists (``None``: the current ones, or every one with
    ``former``) and a note: 1 April of ``year``; without it, the last day of a parent that has
    ended. A :class:`PlaceError` for a parent not in being on 1 April of ``year`` (or today)."""
    day = None if year is None else pd.Timestamp(year=year, month=4, day=1)
    if former and day is None:
        return None, ""
    note = ""
    for code in parents:
        life = lifecycle(places, code)
        if day is None and life["end_date"]:  # ended: its places on its last day
            day = pd.Timestamp(life["end_date"])
            name = places.loc[places["code"] == code, "name"].iloc[0]
            note = (f"{name} ({code}) has ended (its last day was {_long(life['end_date'])}): listing its "
                    f"places on that day; give --year for another year")
        why = not_in_being(places, code, pd.Timestamp.today().normalize() if day is None else day)
        if why:
            year, side = years_in_being(places, code, pd.Timestamp.today().normalize() if day is None else day)
            raise PlaceError(f"{why} (give --year {year} or {side})")
    return day, note


def parents(places: pd.DataFrame, code: str) -> pd.DataFrame:
    """A place and every place above it: county, strategic authority, region, England."""
    by_code = places.set_index("code", drop=False)
    if code not in by_code.index:
        raise PlaceError(f"unknown place code {code!r}")
    place = by_code.loc[code]
    chain = [place]
    for column in ("county_code", "strategic_authority_code", "region_code"):
        parent = place[column]
        if isinstance(parent, str) and parent in by_code.index:
            chain.append(by_code.loc[parent])
    if place["tier"] != "england":
        chain.append(by_code.loc["E92000001"])
    return pd.DataFrame(chain).reset_index(drop=True)


def children(places: pd.DataFrame, code: str) -> pd.DataFrame:
    """The places directly inside a county, strategic authority or region (current ones)."""
    inside = (places["county_code"] == code) | (places["strategic_authority_code"] == code) | (
        places["region_code"] == code)
    return places[inside & places["current"].astype(bool)].reset_index(drop=True)


def strategic_authority_of(places: pd.DataFrame, codes) -> np.ndarray:
    """Each place's strategic authority code ("" if none): itself if it is one, else its own
    authority, else its county's (a district of a county that is a member of a combined county
    authority is in that authority's area)."""
    by_code = places.set_index("code")
    codes = pd.Series(np.asarray(codes, dtype=object))
    own = codes.map(by_code["strategic_authority_code"])
    county = codes.map(by_code["county_code"]).map(by_code["strategic_authority_code"])
    found = own.fillna(county).fillna("")
    return np.where(codes.map(by_code["tier"]).isin(SA_TIERS), codes, found).astype(object)
