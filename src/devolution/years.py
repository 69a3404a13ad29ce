"""Financial years: April to March, held as the int of the start year and shown as ``2024-25``."""

from __future__ import annotations

import re

from devolution.errors import DevolutionError

_LABEL = re.compile(r"^(\d{4})[-/](\d{2}|\d{4})$")


def financial_year_of(day):
    """The financial year a day falls in, as the int of its start year: 1 April 2023 to 31 March
    2024 is 2023 (2023-24). ``day``: a date, datetime or pandas Timestamp (-> int), or a pandas
    Series of datetimes (-> a Series; NaT stays missing)."""
    if hasattr(day, "dt"):
        return day.dt.year - (day.dt.month < 4)
    return day.year - (day.month < 4)


def parse_year(value: int | str) -> int:
    """``"2024-25"``, ``"2024/25"``, ``2024`` or ``"2024"`` -> ``2024``; anything else is an error."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value).strip()
    if text.isdigit() and len(text) == 4:
        return int(text)
    match = _LABEL.match(text)
    if match:
        start, end = int(match.group(1)), match.group(2)
        if int(end[-2:]) == (start + 1) % 100:
            return start
    raise DevolutionError(f"not a financial year: {value!r} (expected e.g. 2024-25 or 2024)")


def year_label(year: int) -> str:
    """``2024`` -> ``"2024-25"``."""
    return f"{year}-{(year + 1) % 100:02d}"


def parse_year_range(text: str) -> list[int]:
    """``"2026-27..2030-31"`` -> ``[2026, ..., 2030]``; a single year gives a list of one."""
    if ".." in text:
        first, last = (parse_year(part) for part in text.split("..", 1))
        if last < first:
            raise DevolutionError(f"year range {text!r} runs backwards")
        return list(range(first, last + 1))
    return [parse_year(text)]


def year_spans(years) -> str:
    """``[2010, 2011, 2012, 2015]`` -> ``"2010-11 to 2012-13, 2015-16"``: the years held, short."""
    years = sorted({int(y) for y in years})
    if not years:
        return "none"
    runs, start = [], years[0]
    for previous, year in zip(years, [*years[1:], None]):
        if year != previous + 1:
            runs.append(year_label(start) if start == previous else f"{year_label(start)} to {year_label(previous)}")
            start = year
    return ", ".join(runs)
