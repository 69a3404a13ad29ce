"""The scenario format: one validated YAML format (pydantic, extra keys forbidden).

A scenario names its years, its policy (parameter overrides from a year onward, deals) and,
kept apart, its assumptions (inflation, growth, demand), each a number or a distribution for
Monte Carlo. It may build on a named base scenario. Reading a file and listing every problem in
it at once is ``scenarios.model`` (:func:`devolution.scenarios.model.load`).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator, model_validator

from devolution.years import parse_year, parse_year_range

#: The longest projection accepted: past this the stated trend methods mean little.
MAX_YEARS = 30
#: The largest yearly rate (a doubling every year): beyond it thirty years of compounding overflow.
MAX_RATE = 1.0
#: Seeds are 64-bit signed integers (numpy's generators and the stored results).
MAX_SEED = 2**63 - 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Distribution(_Strict):
    """An uncertain rate: normal (mean, sd; optional low/high clip), triangular (low, mode, high)
    or uniform (low, high). Rates are yearly shares (0.02 = 2% a year)."""

    distribution: Literal["normal", "triangular", "uniform"]
    mean: Optional[float] = None
    sd: Optional[float] = None
    low: Optional[float] = None
    mode: Optional[float] = None
    high: Optional[float] = None

    @model_validator(mode="after")
    def _shape(self) -> "Distribution":
        need = {"normal": ("mean", "sd"), "triangular": ("low", "mode", "high"), "uniform": ("low", "high")}
        missing = [k for k in need[self.distribution] if getattr(self, k) is None]
        if missing:
            raise ValueError(f"a {self.distribution} distribution needs {', '.join(need[self.distribution])} "
                             f"(missing {', '.join(missing)})")
        if self.distribution == "normal" and self.sd <= 0:
            raise ValueError(f"sd must be above 0, not {self.sd}")
        if self.low is not None and self.high is not None and not self.low < self.high:
            raise ValueError(f"low ({self.low}) must be below high ({self.high})")
        if self.distribution == "triangular" and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode ({self.mode}) must lie between low ({self.low}) and high ({self.high})")
        given = {k: getattr(self, k) for k in ("mean", "sd", "low", "mode", "high") if getattr(self, k) is not None}
        beyond = [k for k, v in given.items() if v > MAX_RATE]
        if beyond:
            raise ValueError(f"{', '.join(beyond)} must be at most {MAX_RATE:g} (a yearly rate of 100%)")
        lowest = self.low if self.low is not None else (self.mean - 4 * self.sd)
        if lowest <= -1:
            raise ValueError(f"a yearly rate must stay above -1 (a fall of 100%); the lower bound here is {lowest:g} "
                             f"(give low above -1{' or a smaller sd' if self.low is None else ''})")
        return self

    def central(self) -> float:
        """The value a single central run uses: the mean, mode or midpoint."""
        if self.distribution == "normal":
            return float(min(max(self.mean, self.low if self.low is not None else -1e300),
                             self.high if self.high is not None else 1e300))
        if self.distribution == "triangular":
            return float(self.mode)
        return float((self.low + self.high) / 2)


def _tag(value: Any) -> str:
    """Which form a value takes, so an error names one form, not every form tried."""
    if isinstance(value, BaseModel):  # already checked (e.g. a distribution moved into a ByPlace)
        return "distribution" if isinstance(value, Distribution) else "by_place"
    if isinstance(value, dict):
        return "distribution" if "distribution" in value else "by_place"
    return "max" if isinstance(value, str) and value == "max" else "number"


Number = Annotated[float, Field(le=MAX_RATE), Tag("number")]
Rate = Annotated[Union[Number, Annotated[Distribution, Tag("distribution")]], Discriminator(_tag)]


def _check_rate(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value <= -1:
        raise ValueError(f"a yearly rate must be above -1 (a fall of 100%), not {value}")
    return value


class ByPlace(_Strict):
    """A rate for England with optional overrides by region (name or code) and by place (GSS code)."""

    england: Rate = 0.0
    regions: dict[str, Rate] = Field(default_factory=dict)
    places: dict[str, Rate] = Field(default_factory=dict)

    _rates = field_validator("england", mode="before")(_check_rate)


class DemandGrowth(_Strict):
    """Yearly growth in demand per head beyond the population drivers, by service group."""

    adult_social_care: Rate = 0.0
    children: Rate = 0.0
    other: Rate = 0.0

    _rates = field_validator("adult_social_care", "children", "other", mode="before")(_check_rate)


class Assumptions(_Strict):
    """Economic and demand assumptions, kept apart from policy (all yearly shares)."""

    inflation: Rate = 0.02
    wage_growth: Rate = 0.03
    business_rates_growth: Annotated[Union[Annotated[ByPlace, Tag("by_place")], Number,
                                           Annotated[Distribution, Tag("distribution")]],
                                     Discriminator(_tag)] = 0.0
    council_tax_increase: Annotated[Union[Annotated[Literal["max"], Tag("max")], Number,
                                          Annotated[Distribution, Tag("distribution")]],
                                    Discriminator(_tag)] = "max"
    tax_base_growth: Rate = 0.01
    population_growth_shift: Rate = 0.0
    demand_growth: DemandGrowth = Field(default_factory=DemandGrowth)
    grant_growth: Rate = 0.0

    _rates = field_validator("inflation", "wage_growth", "tax_base_growth", "population_growth_shift",
                             "grant_growth", mode="before")(_check_rate)


class GrowthRetention(_Strict):
    """The business rates terms of places with a deal (or devolution by default): the local share
    they keep of rates growth, whether the levy applies, and their safety net threshold (the
    scheme's own if not given). Defaults are the terms of the 100% retention pilots from 2017-18
    (100% local share, no levy; reference section 1.5.4, from secondary sources: a scenario choice,
    not an enacted value)."""

    local_share: float = Field(default=1.0, gt=0.0, le=1.0)
    levy: bool = False
    safety_net_threshold: Optional[float] = Field(default=None, ge=0.0, le=1.0)


class Deals(_Strict):
    """Deals and devolution by default, applied from ``from`` (default: the first projection year).

    Places with a deal (``places``: councils or strategic authorities, by GSS code) and, with
    ``devolution_by_default``, every council in a strategic authority whose framework level allows
    the power ``business_rates_growth`` keep business rates growth on the ``business_rates`` terms.
    ``pooled_budgets`` (catalogue powers) and ``settlement_years`` change who decides and how sure
    the money is, not how much there is: a run says so and the gap does not move."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    devolution_by_default: bool = False
    from_year: Optional[Union[int, str]] = Field(default=None, alias="from")
    pooled_budgets: list[str] = Field(default_factory=list, max_length=100)
    settlement_years: Optional[int] = Field(default=None, ge=1, le=10)
    places: list[str] = Field(default_factory=list, max_length=1000)
    business_rates: GrowthRetention = Field(default_factory=GrowthRetention)

    @property
    def any(self) -> bool:
        return bool(self.devolution_by_default or self.places or self.pooled_budgets or self.settlement_years)


class Scenario(_Strict):
    """A named scenario: years, policy (parameters, deals) and assumptions."""

    name: str = Field(min_length=1)
    description: str = ""
    base: Optional[str] = None
    base_year: Union[int, str] = 2024
    years: str
    seed: int = Field(default=20250401, ge=0, le=MAX_SEED)
    draws: int = Field(default=1000, ge=1, le=1_000_000)
    parameters: dict[str, dict[Union[int, str], Any]] = Field(default_factory=dict, max_length=200)
    deals: Deals = Field(default_factory=Deals)
    assumptions: Assumptions = Field(default_factory=Assumptions)

    @property
    def first_year(self) -> int:
        return parse_year(self.base_year)

    @property
    def projection_years(self) -> list[int]:
        return parse_year_range(self.years)

    @property
    def deals_from(self) -> int:
        """The first year deals apply: ``deals.from``, else the first projection year."""
        given = self.deals.from_year
        return parse_year(given) if given is not None else self.projection_years[0]

    def rates(self) -> dict[str, Any]:
        """Every assumption by its key path, in a fixed order (the order draws are taken in)."""
        a = self.assumptions
        out = {"inflation": a.inflation, "wage_growth": a.wage_growth, "tax_base_growth": a.tax_base_growth,
               "population_growth_shift": a.population_growth_shift,
               "demand_growth.adult_social_care": a.demand_growth.adult_social_care,
               "demand_growth.children": a.demand_growth.children, "demand_growth.other": a.demand_growth.other}
        if a.council_tax_increase != "max":
            out["council_tax_increase"] = a.council_tax_increase
        out["grant_growth"] = a.grant_growth  # last: scenarios written before it draw the same numbers
        return out
