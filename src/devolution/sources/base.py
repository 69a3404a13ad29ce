"""What every source module shares: the publication record and the checks a file must pass.

A source module knows one official publication: its title, publisher, URL and licence, the files
it reads, and how to turn them into tidy tables. Parsing never touches the store; loading does
(``devolution.store``), all or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from devolution.errors import DataError
from devolution.years import parse_year

OGL = "Open Government Licence v3.0"

#: GSS code: a letter for the nation, then 8 digits (E06000001).
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")

#: Entity prefixes the register of places covers. A code with one of these prefixes must be a
#: known place; codes of other bodies (police E23, fire E31, national parks E26, Wales W06 ...)
#: are outside the register and their rows are set aside, counted in the provenance.
REGISTERED_PREFIXES = ("E06", "E07", "E08", "E09", "E10", "E12", "E47", "E61", "E92")

OBSERVATION_COLUMNS = ["code", "year", "measure", "value"]


@dataclass(frozen=True)
class Download:
    """One official file to fetch: its URL and the name it is saved under."""

    url: str
    filename: str


@dataclass(frozen=True)
class Measure:
    """A measure a publication provides, with its unit and plain description."""

    name: str
    unit: str
    description: str


@dataclass
class Parsed:
    """What parsing a publication gives: observations, other tables, and rows set aside."""

    observations: pd.DataFrame | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    skipped: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Publication:
    """One official dataset: who publishes it, where, and how to read it."""

    id: str
    title: str
    publisher: str
    url: str
    licence: str
    files: tuple[str, ...]
    parse: Callable[[dict[str, Path], "Context"], Parsed]
    measures: tuple[Measure, ...] = ()
    downloads: tuple[Download, ...] = ()
    #: files that may be absent (the publication loads from the others)
    optional_files: tuple[str, ...] = ()
    #: (required file, official original that can stand in for it), e.g. the ONS workbook for
    #: the tidy CSV made from it
    alternatives: tuple[tuple[str, str], ...] = ()

    def missing(self, present: set[str]) -> list[str]:
        """Required files absent from ``present`` with no stand-in there either."""
        stand_in = dict(self.alternatives)
        return [name for name in self.files if name not in self.optional_files and name not in present
                and stand_in.get(name) not in present]


@dataclass
class Context:
    """What a parser may check against: the codes of the register of places."""

    known_codes: frozenset[str] = frozenset()


# ---------------------------------------------------------------- reading and checking


def read_csv(path: Path, columns: Iterable[str]) -> pd.DataFrame:
    """Read a CSV as text, refusing it if a required column is missing (named, with the header row)."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"cannot be read as CSV ({exc})", file=path.name) from exc
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(map(repr, missing))}; "
            f"expected columns include {', '.join(columns)}",
            file=path.name, row=1, column=missing[0],
        )
    return frame


def apply_corrections(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Correct the known errors of this file listed (with the reason) in ``corrections.yaml``."""
    from importlib import resources

    import yaml

    text = resources.files("devolution.sources").joinpath("corrections.yaml").read_text()
    for fix in (yaml.safe_load(text) or {}).get(path.name, []):
        at = np.ones(len(frame), dtype=bool)
        for column, value in fix["match"].items():
            at &= (frame[column] == value).to_numpy()
        if "keep_first_of" in fix:
            repeated = frame.duplicated(fix["keep_first_of"], keep="first").to_numpy()
            frame = frame[~(at & repeated)]
            continue
        for column, value in fix["set"].items():
            frame.loc[at, column] = value
    return frame


def refuse_first(bad: pd.Series | np.ndarray, frame: pd.DataFrame, path: Path, column: str,
                 message: Callable[[int], str]) -> None:
    """If any row is ``bad``, refuse the file at the first one: ``message(position)`` says why."""
    mask = np.asarray(bad, dtype=bool)
    if mask.any():
        at = int(np.flatnonzero(mask)[0])
        raise DataError(message(at), file=path.name, row=file_row(frame, at), column=column)


def file_row(frame: pd.DataFrame, position: int) -> int:
    """The line number in the file of a frame row (header is line 1, first data row line 2)."""
    return int(frame.index[position]) + 2


#: Markers the official files use for "no value" (suppressed, not applicable, not available).
MISSING_MARKERS = {"[x]", "[z]", "[c]", "[u]", "[low]", "x", "z", "c", "u", "-", "..", ":", "*"}


def numbers(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    """A column as float64: blanks and official missing markers become NaN; anything else that is
    not a number is refused with its row and column."""
    text = frame[column].astype("string").str.strip().str.replace(",", "", regex=False)
    text = text.mask(text.isin(MISSING_MARKERS))
    values = pd.to_numeric(text, errors="coerce")
    refuse_first(values.isna() & text.notna(), frame, path, column, lambda at: (
        f"{frame[column].iloc[at]!r} is not a number (expected a number, blank or a "
        f"missing-value marker such as [x])"))
    return values.astype("float64")


def years(frame: pd.DataFrame, column: str, path: Path, offset: int = 0) -> pd.Series:
    """A column of years (``2023-24`` or ``2023``) as int start years, plus ``offset``."""
    out = np.empty(len(frame), dtype="int64")
    cache: dict[str, int] = {}
    for position, raw in enumerate(frame[column].tolist()):
        if raw not in cache:
            try:
                cache[raw] = parse_year(str(raw).split(".")[0] if isinstance(raw, str) else raw)
            except Exception:
                raise DataError(
                    f"{raw!r} is not a year (expected e.g. 2023-24 or 2023)",
                    file=path.name, row=file_row(frame, position), column=column,
                ) from None
        out[position] = cache[raw]
    return pd.Series(out + offset, index=frame.index)


def keep_places(frame: pd.DataFrame, column: str, path: Path, context: Context) -> tuple[pd.DataFrame, int]:
    """Keep rows whose code is a place in the register; set aside rows of other bodies.

    A malformed code, or a code with a registered prefix that the register does not know, is
    refused with its row and column. Blank codes (bodies with no GSS code) are set aside.
    """
    codes = frame[column].astype("string").str.strip()
    blank = codes.isna() | codes.isin(MISSING_MARKERS)
    malformed = ~blank & ~codes.str.match(GSS_CODE.pattern).fillna(False)
    refuse_first(malformed, frame, path, column, lambda at: (
        f"{codes.iloc[at]!r} is not a GSS code (expected a letter and 8 digits, e.g. E06000001)"))
    registered = ~blank & codes.str[:3].isin(REGISTERED_PREFIXES).fillna(False)
    if context.known_codes:
        unknown = registered & ~codes.isin(context.known_codes).fillna(False)
        refuse_first(unknown, frame, path, column, lambda at: (
            f"unknown GSS code {codes.iloc[at]!r}: not in the register of places (see `devo places list`)"))
    kept = frame.loc[registered.to_numpy()].copy()
    kept[column] = codes[registered]
    return kept, int((~registered).sum())


def require_unique(frame: pd.DataFrame, keys: list[str], path: Path, shown: dict[str, str] | None = None) -> None:
    """Refuse a table where the same key (e.g. code and year) appears twice, naming the second row."""
    refuse_first(frame.duplicated(keys, keep="first"), frame, path, (shown or {}).get(keys[0], keys[0]),
                 lambda at: f"duplicated ({', '.join(f'{k}={frame[k].iloc[at]}' for k in keys)}): "
                            f"each key may appear once")


def melt(frame: pd.DataFrame, code: str, year: str, measures: dict[str, tuple[str, float]],
         path: Path) -> pd.DataFrame:
    """Wide columns -> tidy ``code, year, measure, value`` (scaled; rows with no value dropped).

    ``measures`` maps a file column to (measure name, scale to pounds or units).
    """
    parts = []
    for column, (measure, scale) in measures.items():
        values = numbers(frame, column, path) * scale
        parts.append(pd.DataFrame({"code": frame[code].to_numpy(), "year": frame[year].to_numpy(),
                                   "measure": measure, "value": values.to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    return out[out["value"].notna()].reset_index(drop=True)
