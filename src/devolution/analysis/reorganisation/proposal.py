"""The proposal file: named new councils, each a list of current councils, with a vesting date.

One validated YAML format (pydantic, :mod:`.schema`; unknown keys refused). Every problem in a file is listed with
its key path in one pass (:func:`check`), never one at a time: the format first, then each member
against the register of places (given by GSS code, MHCLG E-code or any official name, through the
register's resolver), then the proposal as a whole (a member in two councils, a county split without
all its districts).

```yaml
name: Cumbria 2023
kind: historical            # historical | illustrative | proposal
vesting: 2023-04-01
councils:
  - name: Cumberland
    code: E06000063         # the council's GSS code, once it exists (required for historical)
    members: [Allerdale, Carlisle, Copeland]
  - name: Westmorland and Furness
    code: E06000064
    members: [Barrow-in-Furness, Eden, South Lakeland]
council_tax: {harmonisation_years: 3, increase: max, referendum: false}
spending: {year: 2022-23, drivers: {highways_transport: area}}
transition: {costs: 0, savings_per_year: 0}     # inputs, never computed
strategic_authority: {mayor: false}
```
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd
from pydantic import ValidationError

from devolution.analysis.predecessors import pieces
from devolution.analysis.reorganisation.schema import HARMONISATION_RULE, MAX_STEPS, Proposal
from devolution.errors import DevolutionError, KeyPathProblems, ProposalError
from devolution.files import key_path_problems
from devolution.places.register import in_force, lifecycle
from devolution.places.tiers import BILLING_TIERS, TIER_LABELS
from devolution.years import financial_year_of, parse_year, year_label


class ProposalProblems(KeyPathProblems, ProposalError):
    """Every problem in a proposal, each with its key path (``councils.0.members.2``)."""

    KIND = "proposal"



@dataclass(frozen=True)
class Checked:
    """A proposal checked against the register: ``members`` has one row per predecessor council
    (``council`` index, ``council_name``, ``code``, ``name``, ``tier``, ``county_code``, ``given``)."""

    proposal: Proposal
    members: pd.DataFrame
    base_year: int          # the council tax year the predecessors are measured in
    source: str

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.proposal.councils]

    @property
    def first_year(self) -> int:
        return self.proposal.first_year


def base_year_for(first_year: int, latest_council_tax_year: int) -> int:
    """The year the predecessors' council tax is measured in: the year before the first, or the
    latest the data holds when that is later than the data."""
    return min(first_year - 1, latest_council_tax_year)


def check(raw, places: pd.DataFrame, latest_council_tax_year: int, source: str = "<proposal>",
          services: tuple[str, ...] = (), drivers: tuple[str, ...] = (), max_years: int | None = None,
          max_years_from: int | None = None, index=None,
          more: Sequence[Callable[[dict, pd.DataFrame, int | None], list[tuple[str, str]]]] = ()
          ) -> Checked:
    """A :class:`Checked` proposal from a mapping, or :class:`ProposalProblems` listing every
    problem with its key path: the format; each member against the register (unknown or ambiguous
    names with the closest ones; a county, a strategic authority or a region; a council not in being
    on 1 April of the base year, with what replaced it); a member in two councils; a county split
    without all its districts; a historical council without its code, or whose code's predecessors
    in the register are not its members; a driver or service the tool does not know
    (``services``, ``drivers``: the names allowed); a harmonisation longer than ``max_years`` (the
    law's, for the first year; None where its parameter, which starts in ``max_years_from``, does
    not cover it) or than the tool follows (``MAX_STEPS``).
    ``index``: the register's ``PlaceIndex`` if one is kept (built here otherwise). ``more``: the
    caller's further checks, each given the mapping, the members found (those refused left out)
    and the first year (None without a valid vesting date), returning ``(key path, message)``
    problems listed with the rest (the increase against the principles, the drivers that cannot be
    measured)."""
    if not isinstance(raw, dict):
        raise ProposalProblems(source, [("(top)", "expected a mapping of keys (name, kind, vesting, councils, ...)")])
    problems: list[tuple[str, str]] = []
    try:
        proposal = Proposal.model_validate(raw)
    except ValidationError as exc:
        problems += key_path_problems(exc, "unknown key (not part of the proposal format; see docs/reorganisation.md)")
        proposal = None
    first_year = first_year_of(raw.get("vesting"))
    base_year = base_year_for(first_year, latest_council_tax_year) if first_year is not None else latest_council_tax_year
    members, found, suggested = _members(raw, places, base_year, index)
    problems += found
    # a member refused above (unknown, a county, abolished) is not in ``members``: a historical
    # council's predecessors would only repeat that problem, and so would a county "split without"
    # a district the refused member may have meant (one of its suggestions), so those are left out
    refused = {int(path.split(".")[1]) for path, _ in found}
    problems += _whole(raw, members, places, base_year, refused, suggested)
    knobs = _knobs(raw, services, drivers, max_years, first_year, max_years_from)
    # the law's limit on the harmonisation years says more than the format's bound at the same key
    problems = [p for p in problems if p[0] not in {path for path, _ in knobs}] + knobs
    for further in more:
        problems += further(raw, members, first_year if vesting_day(raw.get("vesting")) else None)
    problems = list(dict.fromkeys(problems))
    if problems:
        raise ProposalProblems(source, problems)
    return Checked(proposal=proposal, members=members, base_year=base_year, source=source)


# ------------------------------------------------------------------------------------ the parts

def vesting_day(vesting) -> dt.date | None:
    """The vesting date as written, if it is a valid one (a date, 1 April); else None."""
    if isinstance(vesting, str):
        try:
            vesting = dt.date.fromisoformat(vesting)
        except ValueError:
            return None
    if isinstance(vesting, dt.datetime):
        vesting = vesting.date()
    return vesting if isinstance(vesting, dt.date) and (vesting.month, vesting.day) == (4, 1) else None


def first_year_of(vesting) -> int | None:
    if isinstance(vesting, dt.datetime):
        vesting = vesting.date()
    if isinstance(vesting, str):
        try:
            vesting = dt.date.fromisoformat(vesting)
        except ValueError:
            return None
    if not isinstance(vesting, dt.date):
        return None
    return financial_year_of(vesting)


def _listed(raw) -> list[tuple[int, int, str]]:
    """(council, position, text) of every member as written (whatever else is wrong with the file)."""
    out = []
    councils = raw.get("councils")
    for i, council in enumerate(councils if isinstance(councils, list) else []):
        members = council.get("members") if isinstance(council, dict) else None
        for j, given in enumerate(members if isinstance(members, list) else []):
            if isinstance(given, (str, int)) and str(given).strip():
                out.append((i, j, str(given).strip()))
    return out


def _members(raw, places: pd.DataFrame, base_year: int, index=None
             ) -> tuple[pd.DataFrame, list[tuple[str, str]], set[str]]:
    """Each member resolved through the register's names index, with the problems found and the
    codes suggested for the members refused (the resolver's "did you mean" candidates; a county's
    districts), which a county split is not reported without."""
    from devolution.places.names import PlaceIndex

    index = index or PlaceIndex.of(places)
    alive = set(places.loc[in_force(places, base_year), "code"])
    councils = raw.get("councils") if isinstance(raw.get("councils"), list) else []
    rows, problems, suggested = [], [], set()
    for i, j, given in _listed(raw):
        path = f"councils.{i}.members.{j}"
        try:
            place = index.find(given, "council")
        except DevolutionError as exc:
            problems.append((path, _not_a_council(index, given) or str(exc)))
            suggested |= set(index.candidates(given, "council")["code"])
            continue
        code, tier, name = place["code"], place["tier"], place["name"]
        if tier == "county":
            districts = places[(places["county_code"] == code) & places["code"].isin(alive)]
            suggested |= set(districts["code"])
            problems.append((path, f"{name} ({code}) is a county: list its districts instead "
                                   f"({', '.join(sorted(districts['name'])) or 'none in being'}); "
                                   f"its services are shared between the new councils by drivers"))
            continue
        if tier not in BILLING_TIERS:
            problems.append((path, f"{name} ({code}) is {TIER_LABELS.get(tier, tier).lower()}, not a district or "
                                   f"unitary council"))
            continue
        if code not in alive:
            life = lifecycle(places, code)
            problems.append((path, f"{name} ({code}) was not in being on 1 April {base_year} (the start of "
                                   f"{year_label(base_year)}, the year the predecessors are measured in): "
                                   f"{life['text'].removesuffix('.')}"))
            continue
        council = councils[i] if i < len(councils) and isinstance(councils[i], dict) else {}
        rows.append({"council": i, "council_name": str(council.get("name", f"council {i + 1}")), "code": code,
                     "name": name, "tier": tier, "county_code": place["county_code"]
                     if isinstance(place["county_code"], str) else None, "given": given, "path": path})
    members = pd.DataFrame(rows, columns=["council", "council_name", "code", "name", "tier", "county_code",
                                          "given", "path"])
    return members, problems, suggested


def _not_a_council(index, given: str) -> str | None:
    """What ``given`` is if it names a strategic authority or a region rather than a council (the
    register's resolver with those kinds) or the country, as a problem's message; None if it names
    none of them."""
    try:
        place = index.find(given, exact=True)
        if place["tier"] == "england":
            named = place["name"] if given.lower() == str(place["name"]).lower() else \
                f"{place['name']} ({place['code']})"
            return f"{named} is the country, not a council: list councils"
    except DevolutionError:
        pass
    found = []
    for kind in ("strategic_authority", "region"):
        try:
            place = index.find(given, kind)
        except DevolutionError:
            continue
        label = "a region" if kind == "region" else f"a strategic authority ({TIER_LABELS.get(place['tier'], place['tier']).lower()})"
        found.append(f"{label}, {place['name']} ({place['code']})")
    if not found:
        return None
    return (f"{given} is {' and '.join(found)}, not a council: list its member councils (the districts and unitaries "
            f"of its area that go to this new council)")


def _whole(raw, members: pd.DataFrame, places: pd.DataFrame, base_year: int,
           refused: set[int] | frozenset[int] = frozenset(), suggested: set[str] | frozenset[str] = frozenset()
           ) -> list[tuple[str, str]]:
    """Problems of the proposal as a whole: a member twice, a county split without all its
    districts, duplicate council names, historical codes and their predecessors. ``refused``: the
    councils (indices) with a member already refused, whose predecessors are not checked;
    ``suggested``: the codes suggested for those members, which a county is not reported split
    without (the refused member may be that district)."""
    problems = []
    twice = members[members.duplicated("code", keep="first")]
    for row in twice.itertuples():
        first = members[members["code"] == row.code].iloc[0]
        problems.append((row.path, f"{row.name} ({row.code}) is already a member at {first['path']}: a council's "
                                   f"area goes to one new council"))
    alive = places[in_force(places, base_year)]
    listed = set(members["code"])
    for county in sorted(set(members["county_code"].dropna())):
        districts = alive[(alive["county_code"] == county) & alive["tier"].isin(BILLING_TIERS)]
        missing = districts[~districts["code"].isin(listed | set(suggested))]
        if len(missing):
            name = places.set_index("code")["name"].get(county, county)
            problems.append(("councils", f"{name} ({county}) would be split without {', '.join(sorted(missing['name']))}: "
                                         f"every district of a county that becomes unitary must go to a new council"))
    councils = raw.get("councils") if isinstance(raw.get("councils"), list) else []
    names = [str(c.get("name", "")).strip().lower() for c in councils if isinstance(c, dict)]
    for i, name in enumerate(names):
        if name and name in names[:i]:
            problems.append((f"councils.{i}.name", f"{councils[i]['name']!r} names another council too: each needs "
                                                   f"its own name"))
    kind = raw.get("kind")
    by_code = places.set_index("code")
    for i, council in enumerate(councils):
        if not isinstance(council, dict):
            continue
        code = council.get("code")
        if code is None:
            if kind == "historical":
                problems.append((f"councils.{i}.code", "a historical council needs its GSS code (to compare with "
                                                       "its published figures)"))
            continue
        if str(code) not in by_code.index:
            problems.append((f"councils.{i}.code", f"{code!r} is not a code in the register of places"))
            continue
        predecessors = set(pieces(places, [str(code)])["predecessor"])
        mine = set(members.loc[members["council"] == i, "code"])
        if predecessors and mine and predecessors != mine and i not in refused:
            names_of = lambda codes: ", ".join(sorted(by_code.loc[list(codes), "name"]))  # noqa: E731
            problems.append((f"councils.{i}.members", f"{by_code.loc[str(code), 'name']} ({code}) replaced "
                                                      f"{names_of(predecessors)} in the register, not {names_of(mine)}"))
    return problems


def _knobs(raw, services: tuple[str, ...], drivers: tuple[str, ...], max_years: int | None,
           first_year: int | None, max_years_from: int | None = None) -> list[tuple[str, str]]:
    problems = []
    spending = raw.get("spending") if isinstance(raw.get("spending"), dict) else {}
    if spending.get("year") is not None:
        try:
            parse_year(spending["year"])
        except DevolutionError as exc:
            problems.append(("spending.year", str(exc)))
    given = spending.get("drivers") if isinstance(spending.get("drivers"), dict) else {}
    for service, driver in given.items():
        if services and service not in services:
            problems.append((f"spending.drivers.{service}", f"unknown service (expected one of {', '.join(services)})"))
        elif drivers and driver not in drivers:
            problems.append((f"spending.drivers.{service}", f"unknown driver {driver!r} (expected one of "
                                                            f"{', '.join(drivers)})"))
    tax = raw.get("council_tax") if isinstance(raw.get("council_tax"), dict) else {}
    steps = tax.get("harmonisation_years")
    # N steps: different Band Ds in years 1 to N - 1 and one Band D from year N, so the law's
    # "by the start of year max_years + 1" allows N = max_years + 1 steps at most
    if max_years is not None and isinstance(steps, int) and not isinstance(steps, bool) and steps > max_years + 1:
        problems.append(("council_tax.harmonisation_years",
                         f"{steps} years: the predecessor areas would pay one Band D only from year {steps}, and the law "
                         f"wants it by the start of year {max_years + 1}: {HARMONISATION_RULE} (parameter "
                         f"council_tax.harmonisation.max_years: at most {max_years} years of different Band Ds from "
                         f"{year_label(first_year) if first_year else 'the first year'}), so at most {max_years + 1} "
                         f"years"))
    elif isinstance(steps, int) and not isinstance(steps, bool) and steps > MAX_STEPS:
        problems.append(("council_tax.harmonisation_years",
                         f"{steps} years: the tool follows at most {MAX_STEPS} years (the law's limit, parameter "
                         f"council_tax.harmonisation.max_years, is checked from "
                         f"{year_label(max_years_from) + ', ' if max_years_from else ''}the first year its parameter "
                         f"covers, so not for {year_label(first_year) if first_year else 'this proposal'})"))
    return problems
