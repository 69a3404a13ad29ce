"""The proposal format (pydantic models, unknown keys refused): what a proposal file holds and
the bounds of each value. ``proposal.check`` validates a mapping with :class:`Proposal` and then
checks it against the register. docs/reorganisation.md describes the format."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_COUNCILS = 12
MAX_MEMBERS = 60
#: The largest harmonisation period the format takes (the law's limit, where a parameter holds
#: one for the first year, is checked as well: ``council_tax.harmonisation.max_years`` years of
#: different Band Ds, so one Band D from year max_years + 1 at the latest).
MAX_STEPS = 10
MAX_POUNDS = 1e11
#: Vesting days of past reorganisations (the shipped historical examples), quoted by the vesting check.
VESTING_EXAMPLE = "Cumberland and Somerset on 2023-04-01, Buckinghamshire on 2020-04-01"
#: The rule the harmonisation years are held to, as MHCLG's written answer 79578 (2025) gives it
#: (the parameter ``council_tax.harmonisation.max_years``'s reference).
HARMONISATION_RULE = ('"harmonisation is completed by the start of year 8 at the latest" (SI 2008/3022, MHCLG '
                      'written answer 79578)')
#: What ``council_tax.increase`` takes (the format's, the CLI's and the web form's message).
INCREASE_EXPECTED = ("max, or a share between 0 and the principle, e.g. 0.0299 (above the principle, up to 1, only "
                     "with referendum: true)")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Council(_Strict):
    """A new council: its name, its GSS code once made (historical examples), and the councils
    whose areas it takes (districts, unitaries), by code or name."""

    name: str = Field(min_length=1, max_length=120)
    code: Optional[Annotated[str, Field(pattern=r"^E0[6-9]\d{6}$")]] = None
    members: list[Annotated[str, Field(min_length=1, max_length=120)]] = Field(min_length=1, max_length=MAX_MEMBERS)


class CouncilTax(_Strict):
    """How the new councils set council tax: the average Band D's yearly increase (``max``: just
    below the referendum principle; or a share, e.g. 0.0299), the years over which the predecessor
    areas' Band Ds are brought to one (1: at once), and whether they would hold a referendum."""

    harmonisation_years: int = Field(default=3, ge=1, le=MAX_STEPS)
    increase: Union[Literal["max"], float] = "max"
    referendum: bool = False

    @field_validator("increase", mode="before")
    @classmethod
    def _share_or_max(cls, value):
        """``max``, or a share from 0 to 1 (a number or its text, as the CLI and the web form give
        it); anything else is refused saying what is accepted (:data:`INCREASE_EXPECTED`)."""
        if isinstance(value, str) and value.strip() == "max":
            return "max"
        share = None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            share = float(value)
        elif isinstance(value, str):
            try:
                share = float(value)
            except ValueError:
                pass
        if share is None or not 0.0 <= share <= 1.0:  # NaN fails both
            raise ValueError(f"{str(value)[:20]!r}: expected {INCREASE_EXPECTED}")
        return share


class Spending(_Strict):
    """The outturn year of spending (latest held if not given) and a driver per county service."""

    year: Optional[Union[int, str]] = None
    drivers: dict[str, str] = Field(default_factory=dict, max_length=30)


class Transition(_Strict):
    """Costs and savings of the change, in pounds: inputs (from the proposal's own case), never
    computed here."""

    costs: Optional[float] = Field(default=None, ge=0, le=MAX_POUNDS)
    savings_per_year: Optional[float] = Field(default=None, ge=0, le=MAX_POUNDS)


class StrategicAuthority(_Strict):
    """Whether the area would form (or be in) a mayoral strategic authority."""

    mayor: bool = False


class Source(_Strict):
    title: str = Field(min_length=1, max_length=400)
    publisher: str = Field(min_length=1, max_length=200)
    url: str = Field(pattern=r"^https?://", max_length=500)


class Proposal(_Strict):
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["historical", "illustrative", "proposal"]
    description: str = Field(default="", max_length=4000)
    vesting: dt.date
    sources: list[Source] = Field(default_factory=list, max_length=20)
    councils: list[Council] = Field(min_length=1, max_length=MAX_COUNCILS)
    council_tax: CouncilTax = Field(default_factory=CouncilTax)
    spending: Spending = Field(default_factory=Spending)
    transition: Transition = Field(default_factory=Transition)
    strategic_authority: StrategicAuthority = Field(default_factory=StrategicAuthority)

    @field_validator("vesting", mode="before")
    @classmethod
    def _a_date(cls, value):
        """A date written as a date: pydantic would read a bare year (2028) as seconds since 1970."""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            raise ValueError(f"{value}: a date is needed, written YYYY-04-01 (e.g. {VESTING_EXAMPLE}), not a year alone")
        return value

    @field_validator("vesting")
    @classmethod
    def _first_of_april(cls, value: dt.date) -> dt.date:
        """New councils vest on 1 April, the first day of a financial year (every reorganisation
        the shipped examples hold did)."""
        if (value.month, value.day) != (4, 1):
            raise ValueError(f"{value.isoformat()}: new councils vest on 1 April, the first day of a financial year "
                             f"(as every past reorganisation did, e.g. {VESTING_EXAMPLE}): give YYYY-04-01")
        return value

    @property
    def first_year(self) -> int:
        """The financial year of the vesting day (the new councils' first year)."""
        return self.vesting.year  # a vesting day is 1 April (``_first_of_april``)
