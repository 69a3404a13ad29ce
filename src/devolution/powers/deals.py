"""Deals, orders, statutes and settlements (``deals.yaml``): what each place was promised or given,
when, and on whose word.

Every entry is checked on load: a known kind and status, a date, references that exist, and for
every power listed at least one reference; a power (or an amount) resting on secondary sources only
must be listed as unverified with the reason. ``held`` counts only verified powers, from the day
the entry came into force (or a later day for one power), and only while it lasts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml

from devolution.errors import DevolutionError
from devolution.powers.catalogue import powers as catalogue

DEALS_FILE = "deals.yaml"
#: Agreements (counted as deals on the timeline) and instruments (orders, statutes, transfers).
DEAL_KINDS = ("deal", "further_deal", "trailblazer", "deeper_deal", "integrated_settlement")
INSTRUMENT_KINDS = ("order", "statute", "transfer")
KINDS = DEAL_KINDS + INSTRUMENT_KINDS
STATUSES = ("in_force", "agreed", "abandoned", "superseded")
REFERENCE_STATUSES = ("official", "official_copy", "official_local", "secondary")
BASES = ("commencement", "made", "metadata", "announced", "local", "inferred")
AMOUNT_PER = ("year", "term", "once")


@dataclass(frozen=True)
class Reference:
    id: str
    title: str
    publisher: str
    url: str
    status: str
    supports: str


@dataclass(frozen=True)
class Deal:
    id: str
    places: tuple[str, ...]
    area: str
    name: str
    kind: str
    agreed: dt.date
    agreed_label: str          # "2016-03-16", or "2016-06" / "2011" when only the month or year was read
    status: str
    mayor: bool
    in_force: dt.date | None
    in_force_basis: str
    in_force_why: str
    ended: dt.date | None
    ended_label: str
    ended_reason: str
    powers: dict[str, tuple[str, ...]] = field(default_factory=dict)   # power -> reference ids
    unverified: dict[str, str] = field(default_factory=dict)           # power -> why
    powers_from: dict[str, dt.date] = field(default_factory=dict)      # power -> later first day
    amounts: tuple[dict, ...] = ()
    references: tuple[str, ...] = ()
    note: str = ""

    @property
    def verified_powers(self) -> tuple[str, ...]:
        return tuple(p for p in self.powers if p not in self.unverified)

    @property
    def is_deal(self) -> bool:
        return self.kind in DEAL_KINDS


def _when(value, where: str) -> tuple[dt.date, str]:
    """A date, or a month (YYYY-MM) or year (YYYY) when only that was read: the first day, and the label."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value, value.isoformat()
    text = str(value)
    for pattern, build in (("%Y-%m-%d", lambda d: d), ("%Y-%m", lambda d: d), ("%Y", lambda d: d)):
        try:
            return build(dt.datetime.strptime(text, pattern).date()), text
        except ValueError:
            continue
    raise DevolutionError(f"{DEALS_FILE}: {where}: {value!r} is not a date (expected YYYY-MM-DD, YYYY-MM or YYYY)")


def parse_references(raw: dict) -> dict[str, Reference]:
    out = {}
    for key, ref in (raw.get("references") or {}).items():
        missing = [k for k in ("title", "publisher", "url", "status", "supports") if not ref.get(k)]
        if missing:
            raise DevolutionError(f"{DEALS_FILE}: references.{key}: missing {', '.join(missing)}")
        if ref["status"] not in REFERENCE_STATUSES:
            raise DevolutionError(f"{DEALS_FILE}: references.{key}.status: {ref['status']!r} is not one of "
                                  f"{', '.join(REFERENCE_STATUSES)}")
        if not str(ref["url"]).startswith("http"):
            raise DevolutionError(f"{DEALS_FILE}: references.{key}.url: {ref['url']!r} is not an http(s) address")
        out[key] = Reference(id=key, **{k: str(ref[k]) for k in ("title", "publisher", "url", "status", "supports")})
    return out


def parse(raw: dict) -> tuple[Deal, ...]:
    """Check a loaded ``deals.yaml`` document and return its entries sorted by the day agreed."""
    refs = parse_references(raw)
    known = catalogue()
    seen: set[str] = set()
    out = []
    for i, entry in enumerate(raw.get("deals") or []):
        key = entry.get("id") or f"deals[{i}]"
        where = f"deal {key!r}"

        def fail(message: str):
            raise DevolutionError(f"{DEALS_FILE}: {where}: {message}")

        if key in seen:
            fail("the id is used twice")
        seen.add(key)
        if entry.get("kind") not in KINDS:
            fail(f"kind {entry.get('kind')!r} is not one of {', '.join(KINDS)}")
        if entry.get("status") not in STATUSES:
            fail(f"status {entry.get('status')!r} is not one of {', '.join(STATUSES)}")
        if not entry.get("places"):
            fail("no places (strategic authority or council codes)")
        if not entry.get("references"):
            fail("no references")

        def check_refs(ids, what):
            if not ids:
                fail(f"{what}: no references")
            unknown = [r for r in ids if r not in refs]
            if unknown:
                fail(f"{what}: unknown reference(s) {', '.join(unknown)}")
            return tuple(ids)

        check_refs(entry["references"], "references")
        agreed, agreed_label = _when(entry.get("agreed"), f"{where}.agreed")
        in_force, basis, why = None, "", entry.get("in_force_why", "")
        if entry.get("in_force"):
            block = entry["in_force"]
            in_force, _ = _when(block.get("date"), f"{where}.in_force.date")
            basis = block.get("basis")
            if basis not in BASES:
                fail(f"in_force.basis {basis!r} is not one of {', '.join(BASES)}")
            if basis == "inferred" and not block.get("why"):
                fail("an inferred in_force date must say why")
            check_refs(block.get("references"), "in_force")
            why = block.get("why", "")
        elif entry["status"] in ("in_force", "agreed") and not why:
            fail("give in_force {date, basis, references} or in_force_why saying why the day is not known")
        ended, ended_label, reason = None, "", ""
        if entry["status"] in ("abandoned", "superseded"):
            block = entry.get("ended") or {}
            if not block.get("reason"):
                fail(f"a {entry['status']} entry needs ended: {{date, reason, references}}")
            ended, ended_label = _when(block.get("date"), f"{where}.ended.date")
            reason = block["reason"]
            check_refs(block.get("references"), "ended")
        powers = entry.get("powers") or {}
        unknown = [p for p in powers if p not in known]
        if unknown:
            fail(f"unknown power(s) {', '.join(unknown)} (see `devo powers`)")
        unverified = dict(entry.get("unverified") or {})
        for power, ids in powers.items():
            check_refs(ids, f"power {power!r}")
            secondary_only = all(refs[r].status == "secondary" for r in ids)
            if secondary_only and power not in unverified:
                fail(f"power {power!r} rests on secondary sources only: list it under unverified with the reason")
        stray = [p for p in unverified if p not in powers]
        if stray:
            fail(f"unverified lists power(s) not in powers: {', '.join(stray)}")
        powers_from = {}
        for power, block in (entry.get("powers_from") or {}).items():
            if power not in powers:
                fail(f"powers_from names {power!r}, which is not among its powers")
            if block.get("basis") not in BASES or (block["basis"] == "inferred" and not block.get("why")):
                fail(f"powers_from.{power}: a basis ({', '.join(BASES)}) is needed, and why if inferred")
            check_refs(block.get("references"), f"powers_from.{power}")
            powers_from[power], _ = _when(block.get("date"), f"{where}.powers_from.{power}")
        amounts = tuple(_check_amount(a, refs, fail) for a in entry.get("amounts") or [])
        out.append(Deal(
            id=key, places=tuple(entry["places"]), area=entry.get("area", ""), name=entry["name"],
            kind=entry["kind"], agreed=agreed, agreed_label=agreed_label, status=entry["status"],
            mayor=bool(entry.get("mayor", False)), in_force=in_force, in_force_basis=basis or "",
            in_force_why=why, ended=ended, ended_label=ended_label, ended_reason=reason,
            powers={p: tuple(ids) for p, ids in powers.items()}, unverified=unverified,
            powers_from=powers_from, amounts=amounts, references=tuple(entry["references"]),
            note=entry.get("note", "")))
    return tuple(sorted(out, key=lambda d: (d.agreed, d.id)))


def _check_amount(amount: dict, refs: dict[str, Reference], fail) -> dict:
    what = amount.get("what") or "?"
    if amount.get("value") is None:
        if not amount.get("unverified"):
            fail(f"amount {what!r} is null and must say why (unverified)")
        return dict(amount)
    if not isinstance(amount["value"], (int, float)) or amount["value"] <= 0:
        fail(f"amount {what!r}: value {amount['value']!r} is not a positive number of pounds")
    if amount.get("per") not in AMOUNT_PER:
        fail(f"amount {what!r}: per {amount.get('per')!r} is not one of {', '.join(AMOUNT_PER)}")
    ids = amount.get("references") or []
    if not ids or any(r not in refs for r in ids):
        fail(f"amount {what!r}: references missing or unknown")
    if all(refs[r].status == "secondary" for r in ids):
        fail(f"amount {what!r} rests on secondary sources only: make it null with unverified saying why")
    return dict(amount)


@lru_cache(maxsize=None)
def _raw() -> dict:
    return yaml.safe_load(resources.files("devolution.powers").joinpath(DEALS_FILE).read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def deals() -> tuple[Deal, ...]:
    """Every entry of ``deals.yaml``, checked (see ``parse``), in the order agreed."""
    return parse(_raw())


@lru_cache(maxsize=None)
def references() -> dict[str, Reference]:
    return parse_references(_raw())


def for_places(codes) -> tuple[Deal, ...]:
    wanted = set(codes)
    return tuple(d for d in deals() if wanted & set(d.places))


def amount_text(amount: dict) -> str:
    """``£30.0m a year for 30 years``, ``£600.0m over 30 years``, ``£240.0m``."""
    value = f"£{amount['value'] / 1e6:,.1f}m"
    years = amount.get("years")
    if amount.get("per") == "year":
        return f"{value} a year" + (f" for {years} years" if years else "")
    if amount.get("per") == "term":
        return f"{value} over {years} years" if years else f"{value} (term not verified)"
    return value


TABLE_COLUMNS = ["date", "place", "area", "deal", "kind", "status", "mayor", "in_force", "ended", "powers",
                 "unverified_powers", "verified_amounts", "unverified", "source"]
# The columns a terminal table shows (readable at 80 columns); --format csv/json give all of TABLE_COLUMNS.
SHORT_COLUMNS = ["date", "area", "deal", "kind", "status"]


def table(places=None) -> pd.DataFrame:
    """One row per entry and place (all places, or those given: a code or a list of codes): the
    day agreed, kind, status, when in force or ended, verified and unverified powers and amounts,
    and the first source."""
    wanted = None if places is None else ({places} if isinstance(places, str) else set(places))
    refs = references()
    rows = []
    for d in deals():
        for code in d.places:
            if wanted is not None and code not in wanted:
                continue
            verified = [a for a in d.amounts if a.get("value") is not None]
            rows.append({
                "date": d.agreed_label, "place": code, "area": d.area, "deal": d.name, "kind": d.kind,
                "status": d.status, "mayor": d.mayor,
                "in_force": f"{d.in_force.isoformat()} ({d.in_force_basis})" if d.in_force else "",
                "ended": f"{d.ended_label}: {d.ended_reason}" if d.ended else "",
                "powers": ", ".join(d.verified_powers),
                "unverified_powers": "; ".join(f"{p}: {why}" for p, why in d.unverified.items()),
                "verified_amounts": "; ".join(f"{a['what']}: {amount_text(a)}" for a in verified),
                "unverified": "; ".join([f"{a['what']}: {a['unverified']}" for a in d.amounts if a.get("value") is None]
                                        + [f"{a['what']} (term): {a['years_unverified']}" for a in verified
                                           if a.get("years_unverified")]),
                "source": refs[d.references[0]].url})
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def sources_table() -> pd.DataFrame:
    """One row per reference: id, status, title, publisher, url, what it supports."""
    return pd.DataFrame([vars(r) for r in references().values()],
                        columns=["id", "status", "title", "publisher", "url", "supports"])


def in_force_on(deal: Deal, on: dt.date) -> bool:
    """Whether an entry's powers apply on a date: in force by then and not yet ended."""
    if deal.in_force is None or deal.in_force > on or deal.status in ("abandoned",):
        return False
    return deal.ended is None or on <= deal.ended


def held(place: str, on: dt.date) -> dict[str, Deal]:
    """Powers a place holds on a date by a deal, order or statute: power id -> the first entry that
    gave it. Only verified powers count, each from its own first day if later."""
    out: dict[str, Deal] = {}
    for d in sorted(for_places([place]), key=lambda d: d.in_force or dt.date.max):
        if not in_force_on(d, on):
            continue
        for p in d.verified_powers:
            if d.powers_from.get(p, d.in_force) <= on:
                out.setdefault(p, d)
    return out


def mayor_since(place: str) -> dt.date | None:
    """The earliest in-force day of an entry providing a mayor for the place (None if none)."""
    dates = [d.in_force for d in for_places([place]) if d.mayor and d.in_force is not None
             and d.status != "abandoned"]
    return min(dates) if dates else None
