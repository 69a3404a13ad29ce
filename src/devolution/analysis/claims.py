"""Public claims tested on the data: each claim in plain words, the measure, period, grouping and
the comparison it implies; the verdict is supported, not supported or cannot tell, with the
numbers, the method and the sources.

A claim is judged on the measure it names, never on a stand-in: the measure is a line of a
publication or a derived measure (``analysis/measures.yaml``: government funding, spending power,
service spending like for like...). A claim about a measure the data does not hold in full
(official Core Spending Power with all its grants) or over years it does not hold (2009-10) gets
"cannot tell" with the reason.

A claim file is YAML, checked with pydantic before anything runs (unknown keys refused; the
problem is listed with its key path, e.g. ``claims.2.compare.kind``)::

    claims:
      - id: cuts-40pc
        statement: Councils have lost 40% of their spending since 2010.
        measure: service_spending
        from: 2010-11
        to: 2017-18
        per: resident
        prices: 2024-25
        compare: {kind: change, at_most: -40, tolerance: 2}
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional, Union

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from devolution.analysis import measures as derived
from devolution.analysis import per_head
from devolution.analysis.change import MEASURES, change
from devolution.errors import DevolutionError, KeyPathProblems
from devolution.files import key_path_problems, read_yaml
from devolution.numbers import money, plural
from devolution.years import parse_year, year_label

SUPPORTED, NOT_SUPPORTED, CANNOT_TELL = "supported", "not supported", "cannot tell"


class ClaimsError(DevolutionError):
    """A claim file that cannot be read: names the file and the key path."""


class ClaimsProblems(KeyPathProblems, ClaimsError):
    """Every problem of a claims file, each with its key path (``claims.0.from``)."""

    KIND = "claims file"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, allow_inf_nan=False)


#: Years whose places a claim may be put on (the register's span, as the API's ``boundaries``).
BOUNDARY_YEARS = (2009, 2030)
Text = Annotated[str, Field(max_length=2000)]
Name = Annotated[str, Field(max_length=200)]


class Change(_Strict):
    kind: Literal["change"]
    group: Name = "England"
    at_most: Optional[float] = None
    at_least: Optional[float] = None
    tolerance: float = Field(1.0, ge=0, description="percentage points")


class Deeper(_Strict):
    kind: Literal["deeper"]
    group: Name
    than: Name
    tolerance: float = Field(1.0, ge=0, description="percentage points")


class Times(_Strict):
    kind: Literal["times"]
    group: Name
    than: Name
    factor: float = Field(gt=0)
    tolerance: float = Field(0.1, ge=0, lt=1, description="relative")


class Gap(_Strict):
    kind: Literal["gap"]
    group: Name
    than: Name
    amount: float
    tolerance: float = Field(0.1, ge=0, lt=1, description="relative")


class Claim(_Strict):
    id: Name
    statement: Text
    said_by: Optional[Text] = None
    measure: Name
    from_: Union[int, Name] = Field(alias="from")
    to: Union[int, Name]
    per: Optional[Name] = None
    prices: Optional[Union[int, Name]] = None
    by: Name = "england"
    boundaries: int = Field(2023, ge=BOUNDARY_YEARS[0], le=BOUNDARY_YEARS[1])
    places: Optional[list[Name]] = Field(None, max_length=1000)
    compare: Union[Change, Deeper, Times, Gap] = Field(discriminator="kind")

    @field_validator("from_", "to", "prices")
    @classmethod
    def _year(cls, value):
        if value is None:
            return value
        try:
            return parse_year(value)
        except DevolutionError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _forwards(self):
        """A change runs from an earlier year to a later one (or the same)."""
        if self.to < self.from_:
            raise ValueError(f"claim {self.id!r}: to ({year_label(self.to)}) is before from ({year_label(self.from_)}); "
                             f"a change runs from the earlier year to the later")
        return self

    @model_validator(mode="after")
    def _known_measure(self):
        """The measure must be one the project defines (a line or a derived measure), held or not."""
        if self.measure not in MEASURES and not derived.is_derived(self.measure):
            raise ValueError(f"measure {self.measure!r} is not defined; expected one of "
                             f"{', '.join([*derived.definitions(), *MEASURES])} (see `devo data measures`)")
        return self


class ClaimFile(_Strict):
    claims: list[Claim] = Field(min_length=1)


#: What a claim file holds, for the error on one that holds none.
EXPECTED = "expected `claims:` followed by a list of claims (see examples/claims.yaml)"


def read_claims(path: Path | str) -> list[Claim]:
    """The claims of a YAML file, or one ClaimsError naming the file and the key path."""
    path = Path(path)
    content = read_yaml(path, ClaimsError)
    if content is None or (isinstance(content, dict) and content.get("claims", 0) in (None, [])):
        raise ClaimsError(f"{path}: {'the file is empty' if content is None else 'claims: the list is empty'}; {EXPECTED}")
    try:
        return ClaimFile.model_validate(content).claims
    except ValidationError as exc:
        problems = key_path_problems(exc, "unknown key (see examples/claims.yaml)")
        raise ClaimsProblems(str(path), [(where.replace("from_", "from"), message)
                                         for where, message in problems]) from None


def check(claims: list[Claim], store=None, parameters=None) -> pd.DataFrame:
    """One row per claim: verdict, the figures, the method and the sources."""
    rows = []
    for claim in claims:
        rows.append(_check_one(claim, store, parameters))
    return pd.DataFrame(rows, columns=["id", "verdict", "statement", "figures", "method", "sources"])


def _method(claim: Claim, per_label: str) -> str:
    """The claim's method in words: the measure by its own title, the denominator as applied."""
    title = derived.definition(claim.measure).title if derived.is_derived(claim.measure) else MEASURES[claim.measure]
    return (f"{title} ({claim.measure}), {per_label}, {year_label(claim.from_)} to {year_label(claim.to)}, "
            f"{'cash' if claim.prices is None else year_label(claim.prices) + ' prices'}, by {claim.by}, "
            f"{year_label(claim.boundaries)} boundaries, compared as {claim.compare.kind}")


def _check_one(claim: Claim, store, parameters) -> dict:
    title = derived.definition(claim.measure).title if derived.is_derived(claim.measure) else MEASURES[claim.measure]
    line = derived.lines().get(claim.measure)
    asked = claim.per or (line.per if line is not None and line.per else "resident")
    label = per_head.DENOMINATORS[asked].label if asked in per_head.DENOMINATORS else f"per {asked}"
    base = {"id": claim.id, "statement": claim.statement, "method": _method(claim, label), "sources": ""}
    if derived.is_derived(claim.measure) and not derived.definition(claim.measure).held:
        return {**base, "verdict": CANNOT_TELL, "sources": ", ".join(derived.publications(claim.measure)),
                "figures": f"the data does not hold {title} in full: {derived.definition(claim.measure).not_held}"}
    try:
        table = change(claim.measure, claim.from_, claim.to, claim.by, prices=claim.prices, per=claim.per,
                       boundaries=claim.boundaries, places=claim.places, store=store, parameters=parameters)
    except DevolutionError as exc:
        return {**base, "verdict": CANNOT_TELL, "figures": f"not computable: {exc}"}
    base["sources"] = "; ".join(table.attrs.get("publications", []))
    by_group = table.set_index("group")
    c = claim.compare
    names = [c.group] + ([c.than] if hasattr(c, "than") else [])
    for field, name in zip(("group", "than"), names):
        if name not in by_group.index:
            raise ClaimsError(f"claim {claim.id!r}: compare.{field}: no group {name!r} when grouped by {claim.by}; "
                              f"the groups are: {', '.join(map(str, by_group.index))}")
    g = by_group.loc[c.group]
    missing = [n for n in names if pd.isna(by_group.loc[n, "change_pct"])]
    if missing:
        return {**base, "verdict": CANNOT_TELL,
                "figures": f"{missing[0]}: no percentage change ({_no_percentage(table.attrs)})"}
    if isinstance(c, Change):
        value = g["change_pct"]
        ok = (c.at_most is None or value <= c.at_most + c.tolerance) and \
             (c.at_least is None or value >= c.at_least - c.tolerance)
        limits = " and ".join(p for p in (f"at most {c.at_most:+.1f}%" if c.at_most is not None else "",
                                          f"at least {c.at_least:+.1f}%" if c.at_least is not None else "") if p)
        amount = _amount(table.attrs)
        figures = (f"{c.group}: {amount(g['value_first'])} -> {amount(g['value_last'])} ({table.attrs['unit']}), "
                   f"change {value:+.1f}%; the claim implies {limits} (tolerance {plural(c.tolerance, 'point')})")
        return {**base, "verdict": SUPPORTED if ok else NOT_SUPPORTED, "figures": figures}
    t = by_group.loc[c.than]
    pair = f"{c.group} {g['change_pct']:+.1f}% against {c.than} {t['change_pct']:+.1f}%"
    if isinstance(c, Deeper):
        diff = g["change_pct"] - t["change_pct"]
        verdict = SUPPORTED if diff < -c.tolerance else NOT_SUPPORTED if diff > c.tolerance else CANNOT_TELL
        return {**base, "verdict": verdict,
                "figures": f"{pair}: a difference of {diff:+.1f} points (tolerance {plural(c.tolerance, 'point')})"}
    if isinstance(c, Times):
        if t["change_pct"] >= 0 or g["change_pct"] >= 0:
            return {**base, "verdict": NOT_SUPPORTED, "figures": f"{pair}: not both cuts, so no ratio of cuts"}
        ratio = g["change_pct"] / t["change_pct"]
        verdict = SUPPORTED if ratio >= c.factor * (1 - c.tolerance) else NOT_SUPPORTED
        return {**base, "verdict": verdict,
                "figures": f"{pair}: a cut {ratio:.2f} times as deep; the claim implies {c.factor:g} times"}
    gap = g["value_last"] - t["value_last"]
    verdict = SUPPORTED if abs(gap) >= abs(c.amount) * (1 - c.tolerance) else NOT_SUPPORTED
    return {**base, "verdict": verdict,
            "figures": f"{c.group} {g['value_last']:,.0f} against {c.than} {t['value_last']:,.0f} "
                       f"({table.attrs['unit']}, {year_label(claim.to)}): a gap of {gap:,.0f}; the claim says {c.amount:,.0f}"}


def _no_percentage(attrs: dict) -> str:
    """Why a change table shows no percentage for a group: its note, or the reason in short."""
    why = [n for n in attrs.get("notes", []) if n.startswith("No percentage change")]
    return why[0] if why else "its first-year value is no base for a percentage"


def _amount(attrs: dict):
    """How a claim's figures write a value: totals of money in £m or £bn, others with separators."""
    if attrs.get("per") == "total" and attrs.get("unit", "").startswith("£"):
        return lambda v: f"{money(v / 1e9, 2)}bn" if abs(v) >= 1e9 else f"{money(v / 1e6, 1)}m"
    return lambda v: f"{v:,.0f}"
