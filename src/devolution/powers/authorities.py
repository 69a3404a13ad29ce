"""Strategic authorities over time: which exist on a date, their members then, the authority a
council is in, mayors, and each authority's level under the English Devolution and Community
Empowerment Act 2026.

Reads the store's ``places``, ``strategic_authorities`` and ``strategic_authority_members`` tables
(built by ``sources/strategic_authorities.py``). ``Authorities.from_places`` falls back to the
register alone (current members, start and end dates) for a store loaded before those tables.
A place is found by name or code with the register's resolver (``places.register.resolve``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from devolution.errors import PlaceError
from devolution.places.crosswalk import code_changes
from devolution.places.register import lifecycle, not_in_being, resolve
from devolution.places.tiers import BILLING_TIERS, SA_TIERS
from devolution.powers import mayors as mayors_module
from devolution.powers.framework import act_level


@dataclass(frozen=True)
class Area:
    """What a query resolved to: the place itself, and the strategic authority whose deals apply
    (the place itself if it is one; None if it is in none on the date)."""
    place: pd.Series
    authority: str | None
    authority_name: str | None
    note: str


@dataclass
class Authorities:
    places: pd.DataFrame
    table: pd.DataFrame     # code, name, kind, start_date, end_date, replaced_by, instrument, region_codes, ...
    members: pd.DataFrame   # authority_code, member_code, start_date, end_date, reference

    @classmethod
    def from_store(cls, store) -> "Authorities":
        """From the store's tables; from the register alone if the store predates them."""
        from devolution.errors import StoreError

        places = store.places()
        try:
            return cls(places, store.table("strategic_authorities"), store.table("strategic_authority_members"))
        except StoreError:
            return cls.from_places(places)

    @classmethod
    def from_places(cls, places: pd.DataFrame) -> "Authorities":
        """Current members only, dates from the register (a store loaded before the tables existed)."""
        sa = places[places["tier"].isin(SA_TIERS)]
        table = pd.DataFrame({"code": sa["code"], "name": sa["name"], "official_name": sa["official_name"],
                              "kind": sa["tier"], "start_date": sa["start_date"], "start_basis": "register",
                              "end_date": sa["end_date"], "replaced_by": sa["replaced_by"], "instrument": "",
                              "instrument_url": "", "region_codes": sa["region_code"]})
        inside = places[places["strategic_authority_code"].notna() & places["current"].astype(bool)]
        members = pd.DataFrame({"authority_code": inside["strategic_authority_code"], "member_code": inside["code"],
                                "start_date": inside["strategic_authority_code"].map(
                                    sa.set_index("code")["start_date"]), "end_date": None, "reference": "register"})
        return cls(places, table.reset_index(drop=True), members.reset_index(drop=True))

    # ------------------------------------------------------------------ dates
    def row(self, code: str) -> pd.Series | None:
        hit = self.table[self.table["code"] == code]
        return hit.iloc[0] if len(hit) else None

    def established(self, code: str) -> dt.date | None:
        row = self.row(code)
        return _day(row["start_date"]) if row is not None else None

    def exists(self, code: str, on: dt.date) -> bool:
        row = self.row(code)
        if row is None:
            return False
        start, end = _day(row["start_date"]), _day(row["end_date"])
        return (start is None or start <= on) and (end is None or on <= end)

    def in_force(self, on: dt.date) -> pd.DataFrame:
        """The authorities that exist on a date."""
        return self.table[_within(self.table, on)].reset_index(drop=True)

    # ------------------------------------------------------------------ members
    def _periods(self, on: dt.date) -> pd.DataFrame:
        return self.members[_within(self.members, on)]

    def membership_on(self, on: dt.date) -> pd.Series:
        """member code -> the authority it belongs to on a date, every member at once (a member
        listed under a former code, e.g. Gateshead's E08000020, under the code it goes on under)."""
        periods = self._periods(on)
        periods = periods[periods["authority_code"].isin(set(self.in_force(on)["code"]))]
        return pd.Series(periods["authority_code"].to_numpy(), index=self._on_current_codes(periods["member_code"]),
                         name="authority_code")

    def member_codes(self, code: str, on: dt.date | None) -> list[str]:
        """An authority's members on a date (:meth:`membership_on`, so under the codes they go on
        under; none before it exists or after it ends); ``on`` None: every member it has had, under
        the codes listed and the codes they go on under (a list of former places and codes)."""
        if on is not None:
            membership = self.membership_on(on)
            return sorted(membership.index[membership.to_numpy() == code])
        listed = self.members.loc[self.members["authority_code"] == code, "member_code"]
        return sorted(set(listed) | set(self._on_current_codes(listed)))

    def founders(self) -> pd.DataFrame:
        """``authority_code, member_code``: every authority's members on its first day (current codes)."""
        first = self.members.merge(self.table[["code", "start_date"]].rename(
            columns={"code": "authority_code", "start_date": "established"}), on="authority_code")
        first = first[_within(first, pd.to_datetime(first["established"], errors="coerce"))]
        return pd.DataFrame({"authority_code": first["authority_code"].to_numpy(),
                             "member_code": self._on_current_codes(first["member_code"])})

    def _on_current_codes(self, codes: pd.Series) -> np.ndarray:
        """Member codes with a former code (Gateshead's E08000020) as the code it goes on under."""
        return codes.replace(code_changes(self.places)).to_numpy()

    def members_on(self, code: str, on: dt.date) -> list[str]:
        """The member councils of an authority on a date (empty before it exists)."""
        if not self.exists(code, on):
            return []
        return sorted(self._periods(on).loc[lambda m: m["authority_code"] == code, "member_code"])

    def area_on(self, code: str, on: dt.date) -> list[str]:
        """The councils that cover an authority's area once on a date: its members, a county member
        through its districts."""
        return self.area_of(self.members_on(code, on))

    def area_of(self, codes) -> list[str]:
        places = self.places
        codes = set(codes)
        counties = set(places.loc[places["code"].isin(codes) & places["tier"].eq("county"), "code"])
        districts = places.loc[places["county_code"].isin(counties) & places["tier"].isin(BILLING_TIERS)
                               & places["current"].astype(bool), "code"]
        return sorted((codes - counties) | set(districts))

    def authority_of(self, code: str, on: dt.date) -> str | None:
        """The authority a council (or its county) belongs to on a date; an authority is its own."""
        if code in set(self.table["code"]):
            return code
        code = self.current_code(code)
        row = self.places.set_index("code").loc[code] if code in set(self.places["code"]) else None
        county = row["county_code"] if row is not None and isinstance(row["county_code"], str) else None
        periods = self._periods(on)
        for candidate in (code, county):
            hit = periods[periods["member_code"] == candidate]
            if len(hit):
                return str(hit["authority_code"].iloc[0])
        return None

    def history_of(self, code: str) -> pd.DataFrame:
        """Every authority a council (or its county) has belonged to, with the periods."""
        code = self.current_code(code)
        county = self.places.set_index("code")["county_code"].get(code)
        wanted = {code} | ({county} if isinstance(county, str) else set())
        return self.members[self.members["member_code"].isin(wanted)].sort_values("start_date").reset_index(drop=True)

    def current_code(self, code: str) -> str:
        """A council's current code when it only changed code (same name, one successor)."""
        by_code = self.places.set_index("code")
        seen = set()
        while code in by_code.index and code not in seen:
            seen.add(code)
            row = by_code.loc[code]
            successor = row["replaced_by"]
            if bool(row["current"]) or not isinstance(successor, str) or ";" in successor \
                    or successor not in by_code.index or by_code.loc[successor, "name"] != row["name"]:
                break
            code = successor
        return code

    def predecessors(self, code: str) -> list[str]:
        """Authorities replaced by this one (e.g. the two North East authorities of 2014-2024)."""
        return sorted(self.table.loc[self.table["replaced_by"] == code, "code"])

    # ------------------------------------------------------------------ resolving a query
    def area(self, query: str, on: dt.date) -> Area:
        """The place a query names and the strategic authority whose deals apply on ``on``.

        Raises :class:`PlaceError` for a region or England (deals and readiness are for strategic
        authorities and the councils in them) and for a council not in being on ``on`` (abolished
        before it, naming what holds its area; or made after it)."""
        place = resolve(self.places, query)
        code = place["code"]
        if place["tier"] in SA_TIERS:
            return Area(place, code, place["name"], "")
        if place["tier"] in ("region", "england"):
            what = "a region" if place["tier"] == "region" else "the whole country"
            raise PlaceError(f"{place['name']} ({code}) is {what}, not a council or a strategic authority: deals, "
                             f"readiness and devolution by default are for strategic authorities and the councils "
                             f"in them (`devo deals --authorities` lists the authorities)")
        why = not_in_being(self.places, code, on)
        if why:
            life = lifecycle(self.places, code)
            then = ", ".join(f"{s['name']} ({s['code']})" for s in life["successors"])
            ask = (f"{then}, or a date up to {life['end_date']}" if " abolished " in why
                   else f"a date from {life['start_date']}, or the councils it replaced")
            raise PlaceError(f"{why}, so it has no deals, readiness or devolution on {on.isoformat()}: ask about {ask}")
        authority = self.authority_of(code, on)
        if authority is None:
            later = self.history_of(code)
            note = f"{place['name']} ({code}) is in no strategic authority on {on.isoformat()}"
            if len(later):
                first = later.iloc[0]
                note += (f" (its area is in {self._name(first['authority_code'])} ({first['authority_code']}) "
                         f"from {first['start_date']})")
            return Area(place, None, None, note)
        name = self._name(authority)
        direct = self.current_code(code) in set(self._periods(on)["member_code"])
        county = place["county_code"]
        via = "" if direct or not isinstance(county, str) else f" through {self._name(county)} ({county})"
        return Area(place, authority, name,
                    f"{place['name']} ({code}) is in {name} ({authority}){via}: the authority's deals and powers apply")

    def _name(self, code: str) -> str:
        names = self.places.set_index("code")["name"]
        return str(names.get(code, code))

    # ------------------------------------------------------------------ the summary table
    def summary(self, on: dt.date) -> pd.DataFrame:
        """One row per authority: kind, established (and how read), ended, instrument, regions,
        members now (or on its last day), first mayoral election, and its level under the 2026 Act on the date."""
        rows = []
        names = self.places.set_index("code")["name"]
        for r in self.table.itertuples():
            last = min(on, _day(r.end_date)) if _day(r.end_date) else on
            members = self.members_on(r.code, last)
            mayor = mayors_module.first_election(r.code)
            rows.append({
                "code": r.code, "name": r.name, "kind": r.kind, "established": r.start_date,
                "established_basis": r.start_basis, "ended": _text(r.end_date), "replaced_by": _text(r.replaced_by),
                "instrument": r.instrument, "regions": ", ".join(str(names.get(c, c)) for c in
                                                                  str(r.region_codes or "").split(";") if c),
                "members": len(members), "member_names": ", ".join(str(names.get(c, c)) for c in members),
                "first_mayoral_election": mayor.isoformat() if mayor else "",
                "level_2026_act": act_level(r.kind, mayor is not None and mayor <= on, r.code, on)
                if self.exists(r.code, on) else "",
            })
        return pd.DataFrame(rows)


def _within(periods: pd.DataFrame, day) -> pd.Series:
    """Rows whose ``start_date``..``end_date`` (either open) hold ``day`` (a date, or a Series of
    days row by row)."""
    start = pd.to_datetime(periods["start_date"], errors="coerce")
    end = pd.to_datetime(periods["end_date"], errors="coerce")
    day = day if isinstance(day, pd.Series) else pd.Timestamp(day)
    return (start.isna() | (start <= day)) & (end.isna() | (day <= end))


def _text(value) -> str:
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


def _day(value) -> dt.date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT or value == "":
        return None
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None
