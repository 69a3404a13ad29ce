"""Derived measures: quantities the field measures (government funding, spending power, service
spending like for like) defined as signed sums of lines the store holds, computed on read.

The definitions are data (``measures.yaml``, next to this module): each names its components (a
store measure, the publication and the line of the return it is, a sign, the years it applies),
what it leaves out and why, the transfers of responsibility it adjusts for or only states, and the
published method it follows with references. The store keeps only what the publications say;
nothing derived is written to it, so a change of definition needs no reload.

A place has a derived value in a year only when every component that applies in that year is held
for it (the returns record zeros, so a missing line means the body did not report): a value is
never made from part of its definition.

``observations`` answers for store measures and derived ones alike, in the store's long form
(``code, year, measure, value``); ``catalogue`` lists both, with each derived measure's formula.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal, Optional

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from devolution.errors import DevolutionError
from devolution.years import parse_year, year_label, year_spans

FILE = "measures.yaml"
#: The lines of publications ``devo change`` compares, with their scope (``lines.yaml``).
LINES_FILE = "lines.yaml"
#: The year an open span ("2013-14..") runs to.
OPEN_END = 2100


class MeasureError(DevolutionError):
    """A measure that is unknown, not held in full, or a definitions file that is not valid."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _span(text: Optional[str]) -> Optional[tuple[int, int]]:
    """``"2010-11..2012-13"`` -> (2010, 2012); ``"2013-14.."`` -> (2013, OPEN_END); None -> None."""
    if text is None:
        return None
    first, sep, last = str(text).partition("..")
    if not sep:
        raise ValueError(f"{text!r}: expected a span such as 2010-11..2012-13 or 2013-14..")
    start, end = parse_year(first), parse_year(last) if last.strip() else OPEN_END
    if end < start:
        raise ValueError(f"{text!r} runs backwards")
    return start, end


class Component(_Strict):
    measure: str
    sign: Literal[1, -1]
    years: Optional[tuple[int, int]] = None
    publication: str
    line: str

    @field_validator("years", mode="before")
    @classmethod
    def _years(cls, value):
        return _span(value)

    def applies(self, years: np.ndarray) -> np.ndarray:
        if self.years is None:
            return np.ones(len(years), dtype=bool)
        return (years >= self.years[0]) & (years <= self.years[1])

    def label(self) -> str:
        span = "" if self.years is None else f", {span_label(self.years)}"
        return f"{'+' if self.sign > 0 else '-'} {self.measure} ({self.line}{span})"


class Exclusion(_Strict):
    what: str
    why: str


class Transfer(_Strict):
    name: str
    treatment: Literal["adjusted", "stated"]
    how: str


class Reference(_Strict):
    title: str
    publisher: str
    url: str = Field(pattern=r"^https://")
    copy_read: Optional[str] = Field(None, pattern=r"^https://")
    date: str
    supports: str

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, value):
        return str(value)


class Method(_Strict):
    follows: str
    references: list[Reference] = Field(min_length=1)


class Definition(_Strict):
    name: str
    title: str
    short: str
    unit: str
    description: str
    years: Optional[tuple[int, int]] = None
    scope: str
    components: list[Component] = Field(min_length=1)
    excluded: list[Exclusion]
    transfers: list[Transfer]
    method: Method
    verified: str
    held: bool = True
    not_held: Optional[str] = None

    @field_validator("years", mode="before")
    @classmethod
    def _years(cls, value):
        return _span(value)

    def expression(self) -> str:
        """``a - b (2013-14 on) - c``: the components without their lines, for a note."""
        parts = [f"{'+' if c.sign > 0 else '-'} {c.measure}" + ("" if c.years is None else f" ({span_label(c.years)})")
                 for c in self.components]
        return " ".join(parts).lstrip("+ ")

    def formula(self) -> str:
        """``name = + a (line) - b (line, 2013-14 on)``: the definition in one line."""
        return f"{self.name} = " + " ".join(c.label() for c in self.components)

    def years_label(self) -> str:
        return "every year its lines are held" if self.years is None else span_label(self.years)


class Line(_Strict):
    """A line of a publication as ``devo change`` compares it (``lines.yaml``)."""

    name: str
    title: str
    short: Optional[str] = None
    scope: str
    per: Optional[str] = None
    weighted_by: Optional[str] = None
    method: Optional[str] = None


def span_label(span: tuple[int, int]) -> str:
    first, last = span
    if first == last:
        return year_label(first)
    return f"{year_label(first)} on" if last >= OPEN_END else f"{year_label(first)} to {year_label(last)}"


@cache
def definitions() -> dict[str, Definition]:
    """Every derived measure, in the file's order; a MeasureError names the entry and key that is wrong."""
    text = resources.files("devolution.analysis").joinpath(FILE).read_text(encoding="utf-8")
    return parse_definitions(yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), FILE)


@cache
def lines() -> dict[str, Line]:
    """The lines of publications ``devo change`` compares, in the file's order; a MeasureError
    names the entry and key that is wrong."""
    text = resources.files("devolution.analysis").joinpath(LINES_FILE).read_text(encoding="utf-8")
    content = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(content, dict) or not content:
        raise MeasureError(f"{LINES_FILE}: expected a mapping of measure names to lines")
    out: dict[str, Line] = {}
    for name, body in content.items():
        try:
            out[name] = Line.model_validate({"name": name, **(body or {})})
        except ValidationError as exc:
            first = exc.errors()[0]
            raise MeasureError(f"{LINES_FILE}: {name}.{'.'.join(str(p) for p in first['loc'])}: {first['msg']}") from None
    return out


def parse_definitions(content, source: str) -> dict[str, Definition]:
    """Definitions from the YAML mapping ``content``; checks names, fields and that components
    refer to no derived measure defined later (so there is no cycle)."""
    if not isinstance(content, dict) or not content:
        raise MeasureError(f"{source}: expected a mapping of measure names to definitions")
    out: dict[str, Definition] = {}
    for name, body in content.items():
        try:
            out[name] = Definition.model_validate({"name": name, **(body or {})})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise MeasureError(f"{source}: {name}.{where}: {first['msg']}") from None
        later = [c.measure for c in out[name].components if c.measure in content and c.measure not in out]
        if later or name in {c.measure for c in out[name].components}:
            raise MeasureError(f"{source}: {name}: a component refers to {(later or [name])[0]!r}, which is "
                               f"not defined before it (derived components must come first)")
        if not out[name].held and not out[name].not_held:
            raise MeasureError(f"{source}: {name}: held is false, so not_held must say why")
    return out


def is_derived(name: str) -> bool:
    return name in definitions()


def definition(name: str) -> Definition:
    if name not in definitions():
        raise MeasureError(f"unknown derived measure {name!r}; derived measures are: {', '.join(definitions())}")
    return definitions()[name]


def require_held(name: str) -> None:
    """A MeasureError with the reason when ``name`` is a derived measure the data does not hold in full."""
    if is_derived(name) and not definitions()[name].held:
        raise MeasureError(f"{name} ({definitions()[name].title}) is not held in full: {definitions()[name].not_held}")


# ------------------------------------------------------------------------------- computing


def compute(item: Definition, rows: pd.DataFrame) -> pd.DataFrame:
    """The derived measure from its components' long rows (``code, year, measure, value``, each
    component's value as the store holds it). Returns ``code, year, measure, value`` for every
    place and year where all components that apply are present and the year is in the
    definition's span. Pure: no store, no I/O."""
    if rows.empty:
        return pd.DataFrame({"code": pd.Series(dtype=object), "year": pd.Series(dtype="int64"),
                             "measure": pd.Series(dtype=object), "value": pd.Series(dtype="float64")})
    wide = rows.pivot_table(index=["code", "year"], columns="measure", values="value", aggfunc="first")
    years = wide.index.get_level_values("year").to_numpy(dtype=np.int64)
    total = np.zeros(len(wide))
    complete = np.ones(len(wide), dtype=bool)
    any_applies = np.zeros(len(wide), dtype=bool)
    for component in item.components:
        applies = component.applies(years)
        values = (wide[component.measure].to_numpy(dtype=np.float64) if component.measure in wide.columns
                  else np.full(len(wide), np.nan))
        complete &= ~applies | ~np.isnan(values)
        any_applies |= applies
        total += np.where(applies & ~np.isnan(values), component.sign * values, 0.0)
    keep = complete & any_applies
    if item.years is not None:
        keep &= (years >= item.years[0]) & (years <= item.years[1])
    index = wide.index[keep]
    return pd.DataFrame({"code": index.get_level_values("code").to_numpy(), "year": years[keep],
                         "measure": item.name, "value": total[keep]})


def observations(store, measures: str | list[str], years: list[int] | None = None) -> pd.DataFrame:
    """Long ``code, year, measure, value`` rows for store measures and derived ones alike (the
    store's ``observations`` with derived measures computed from their components). The store is
    read once, for every line any of them needs."""
    names = [measures] if isinstance(measures, str) else list(measures)
    for name in names:
        require_held(name)
    leaves = sorted({leaf for name in names for leaf in _leaves(name)})
    rows = store.observations(leaves, years=years) if leaves else compute(definition(names[0]), pd.DataFrame())
    parts = [rows[rows["measure"].isin([m for m in names if not is_derived(m)])]]
    computed: dict[str, pd.DataFrame] = {}
    for name in (m for m in names if is_derived(m)):
        parts.append(_computed(name, rows, computed))
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["measure", "code", "year"], kind="mergesort").reset_index(drop=True)


def _leaves(name: str) -> list[str]:
    """The store measures a measure is made of (itself when it is one)."""
    if not is_derived(name):
        return [name]
    return [leaf for c in definitions()[name].components for leaf in _leaves(c.measure)]


def _computed(name: str, rows: pd.DataFrame, done: dict[str, pd.DataFrame]) -> pd.DataFrame:
    if name not in done:
        item = definitions()[name]
        inputs = [(_computed(c.measure, rows, done) if is_derived(c.measure) else rows[rows["measure"] == c.measure])
                  for c in item.components]
        done[name] = compute(item, pd.concat(inputs, ignore_index=True)[["code", "year", "measure", "value"]])
    return done[name]


def publications(name: str) -> list[str]:
    """The store publications a measure's value comes from (through nested definitions)."""
    if not is_derived(name):
        return []
    out: list[str] = []
    for c in definitions()[name].components:
        for p in publications(c.measure) if is_derived(c.measure) else [c.publication]:
            if p not in out:
                out.append(p)
    return out


def catalogue(store) -> pd.DataFrame:
    """Every measure: the store's (unit, publication, years, rows, description) and then each
    derived one with its formula, the years it has values for and whether it is held in full."""
    held = store.measures().assign(kind="published", definition="")
    rows = []
    for item in definitions().values():
        values = observations(store, item.name) if item.held else pd.DataFrame(columns=["year"])
        first = int(values["year"].min()) if len(values) else None
        last = int(values["year"].max()) if len(values) else None
        rows.append({"measure": item.name, "unit": item.unit, "publication": "derived: " + ", ".join(publications(item.name)),
                     "first_year": first, "last_year": last, "rows": len(values),
                     "description": item.title + ("" if item.held else f". NOT HELD IN FULL: {item.not_held}"),
                     "kind": "derived" if item.held else "derived, not held", "definition": item.formula()})
    out = pd.concat([held, pd.DataFrame(rows)], ignore_index=True)
    for column in ("first_year", "last_year", "rows"):
        out[column] = out[column].astype("Int64")
    return out


def years_held(store, name: str) -> str:
    """The years a measure (derived or not) has values for, e.g. '2010-11 to 2017-18'."""
    return year_spans(observations(store, name)["year"].unique())


def describe(item: Definition) -> list[str]:
    """The whole definition as lines of text (for `devo data measures NAME` and the docs)."""
    out = [f"{item.name}: {item.title}", f"  unit: {item.unit}; years: {item.years_label()}", f"  {item.description}"]
    if not item.held:
        out.append(f"  NOT HELD IN FULL: {item.not_held}")
    out.append(f"  scope: {item.scope}")
    out.append("  components (sign, store measure, publication, line, years):")
    out += [f"    {'+' if c.sign > 0 else '-'} {c.measure} [{c.publication}] {c.line}"
            + ("" if c.years is None else f" ({span_label(c.years)})") for c in item.components]
    if item.excluded:
        out.append("  left out:")
        out += [f"    {e.what}: {e.why}" for e in item.excluded]
    if item.transfers:
        out.append("  transfers of responsibility:")
        out += [f"    {t.name} ({t.treatment}): {t.how}" for t in item.transfers]
    out.append(f"  method: {item.method.follows}")
    out += [f"    reference: {r.title}, {r.publisher}, {r.date}, {r.url}" + (f" (read in a copy: {r.copy_read})" if r.copy_read else "")
            + f"; supports: {r.supports}" for r in item.method.references]
    out.append(f"  verified: {item.verified}")
    return out


def definition_table(item: Definition) -> pd.DataFrame:
    """One row per component of a derived measure, with the measure's title and method, as a table."""
    return pd.DataFrame([{"measure": item.name, "title": item.title, "component": c.measure, "sign": c.sign,
                          "publication": c.publication, "line": c.line,
                          "years": "all" if c.years is None else span_label(c.years),
                          "method": item.method.follows} for c in item.components])
