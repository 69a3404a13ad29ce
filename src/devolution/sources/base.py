"""What every source module shares: the publication record and the checks a file must pass.

A source module knows one official publication: its title, publisher, URL and licence, the files
it reads, and how to turn them into tidy tables. Parsing never touches the store; loading does
(``devolution.store``), all or nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from devolution.errors import DataError
from devolution.nations import NATIONS
from devolution.years import parse_year, year_label

OGL = "Open Government Licence v3.0"

#: GSS code: a letter for the nation, then 8 digits (E06000001).
GSS_CODE = re.compile(r"^[EWSNK]\d{8}$")

#: Entity prefixes the register of places covers. A code with one of these prefixes must be a
#: known place; codes of other bodies (police E23, fire E31, national parks E26, Wales W06 ...)
#: are outside the register and their rows are set aside, counted in the provenance.
REGISTERED_PREFIXES = ("E06", "E07", "E08", "E09", "E10", "E12", "E47", "E61", "E92")

#: Entity prefixes of the other English bodies the official files read here list beside the
#: places, whose rows are set aside (each seen in ../shared/data). A code of any other entity, such
#: as ``E99999999``, is refused: a mistyped code, not a body to skip.
OTHER_BODIES = {
    "E11": "metropolitan counties (ONS population estimates)",
    "E13": "Inner and Outer London (DfE statistics)",
    "E23": "police force areas (police precepts, revenue outturn)",
    "E26": "national park authorities (revenue outturn)",
    "E31": "fire and rescue authorities (precepts, CSP, revenue outturn)",
    "E50": "waste authorities such as the East London Waste Authority (revenue outturn)",
}

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
    """What parsing a publication gives: observations, other tables, and how many rows were set aside."""

    observations: pd.DataFrame | None = None
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    skipped: int = 0


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
    #: the first and last year this edition holds (start years of financial years, or mid-years for
    #: population), as its title and file names state; a row outside is refused (a row pasted from
    #: another edition, or a mistyped year, would otherwise show every council as missing that year).
    #: ``None`` for tables with no years.
    years: tuple[int, int] | None = None
    #: (file, its own official page) for a file published apart from ``url``'s, e.g. an earlier edition
    file_urls: tuple[tuple[str, str], ...] = ()

    def url_of(self, file: str) -> str:
        """The official page of ``file``: its own (``file_urls``) or the publication's ``url``."""
        return dict(self.file_urls).get(file, self.url)

    def missing(self, present: set[str]) -> list[str]:
        """Required files absent from ``present`` with no stand-in there either."""
        stand_in = dict(self.alternatives)
        return [name for name in self.files if name not in self.optional_files and name not in present
                and stand_in.get(name) not in present]


@dataclass
class Context:
    """What a parser may check against: the codes of the register of places."""

    known_codes: frozenset[str] = frozenset()
    #: the years the publication being read holds (``Publication.years``), or ``None``
    years: tuple[int, int] | None = None


# ---------------------------------------------------------------- reading and checking


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


@dataclass(frozen=True)
class Kind:
    """What a column of numbers holds, and so which values are possible. Every value must be a
    finite number (after scaling to pounds); a kind adds its bounds and whether it is whole."""

    what: str
    minimum: float | None = None
    maximum: float | None = None
    whole: bool = False

    @property
    def expected(self) -> str:
        """``a count: a whole number, 0 or more``."""
        number = "a whole number" if self.whole else "a finite number"
        if self.minimum is not None and self.maximum is not None:
            return f"{self.what}: {number} from {self.minimum:g} to {self.maximum:g}"
        if self.minimum is not None:
            return f"{self.what}: {number}, {self.minimum:g} or more"
        return f"{self.what}: {number}"


#: People, dwellings, children: whole and never negative.
COUNT = Kind("a count", minimum=0, whole=True)
#: Spending, grants, council tax, precepts, Band D charges (as published, never negative).
MONEY = Kind("an amount of money", minimum=0)
#: Net expenditure and financing lines of publications that record income as negative
#: (revenue outturn RO/RS/RSX, HM Treasury's CRA).
NET_MONEY = Kind("an amount of money (net: income is recorded as negative)")
#: Council tax bases, in Band D equivalents (fractional).
BAND_D_EQUIVALENTS = Kind("a tax base in Band D equivalents", minimum=0)
SHARE = Kind("a share", minimum=0, maximum=1)
#: A rate published either as a fraction or as a percentage (council tax collection rates).
PERCENT_OR_SHARE = Kind("a rate (a fraction, or a percentage)", minimum=0, maximum=100)
RATE_PER_10K = Kind("a rate per 10,000", minimum=0, maximum=10_000)
RANK = Kind("a rank", minimum=1, whole=True)
AVERAGE_RANK = Kind("an average of ranks", minimum=1)
DECILE = Kind("a decile", minimum=1, maximum=10, whole=True)
#: The IMD score (and an area's population-weighted average of it).
IMD_SCORE = Kind("an IMD score", minimum=0, maximum=100)
#: A number whose meaning is checked elsewhere (e.g. a second copy compared with the first).
NUMBER = Kind("a number")


def numbers(frame: pd.DataFrame, column: str, path: Path, *, kind: Kind, scale: float = 1.0,
            columns: pd.Series | None = None) -> pd.Series:
    """A column as float64, times ``scale`` (e.g. 1e3 from £ thousand to pounds): blanks and official
    missing markers become NaN; anything that is not a number, or not possible for its ``kind``
    (infinite, too large to scale, out of the kind's bounds, not whole) is refused with its row and
    column. ``columns`` names the file column of each row of a frame melted from a wide file."""
    values = check_numbers(frame, [column], path, kind=kind, scale=scale, columns=columns)
    return pd.Series(values[0], index=frame.index, name=column)


def check_numbers(frame: pd.DataFrame, names: Sequence[str], path: Path, *, kind: Kind, scale: float = 1.0,
                  columns: pd.Series | None = None) -> np.ndarray:
    """``numbers`` for several columns of one kind in one pass (fast for a wide table): a
    (column, row) float64 array, or the first impossible value refused with its row and column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chunks = []
    for name in names:  # each column's text (blanks as nulls), without copying text columns
        try:
            array = pa.array(frame[name], type=pa.large_string(), from_pandas=True)
        except (pa.ArrowTypeError, pa.ArrowInvalid):  # not text (e.g. numbers from a workbook)
            array = pa.array(frame[name].astype("string"), type=pa.large_string(), from_pandas=True)
        chunks.extend(array.chunks if isinstance(array, pa.ChunkedArray) else [array])
    trimmed = pc.utf8_trim_whitespace(pa.chunked_array(chunks, type=pa.large_string()))
    # A comma is a thousands separator only in groups of three ("92,358"); "92,192358" or a decimal
    # comma ("92,5") would be read 1,000 times too big or small, so such a value is refused.
    misplaced = pc.fill_null(pc.and_(pc.match_substring(trimmed, ","), pc.invert(
        pc.match_substring_regex(trimmed, r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"))), False).to_numpy(zero_copy_only=False)
    text = pc.replace_substring(trimmed, ",", "")
    given = pc.fill_null(pc.and_(pc.greater(pc.utf8_length(text), 0),
                                 pc.invert(pc.is_in(text, value_set=pa.array(sorted(MISSING_MARKERS))))), False)
    text = pc.if_else(given, text, pa.scalar(None, pa.large_string()))
    try:
        values = pc.cast(text, pa.float64()).to_numpy()
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all numbers: pandas' parser says which
        values = pd.to_numeric(text.to_pandas(), errors="coerce").astype("float64").to_numpy()
    given = given.to_numpy()
    rows = len(frame)

    def refuse(bad: np.ndarray, why: str) -> None:
        if bad.any():
            column, at = divmod(int(np.flatnonzero(bad)[0]), rows)
            shown = names[column] if columns is None else str(columns.iloc[at])
            raise DataError(f"{frame[names[column]].iloc[at]!r} {why} (expected {kind.expected})",
                            file=path.name, row=file_row(frame, at), column=shown)

    present = ~np.isnan(values)
    refuse(misplaced, "has a comma that is not a thousands separator (groups of three digits, e.g. 92,358)")
    refuse(given & ~present, "is not a number, blank or a missing-value marker such as [x]")
    refuse(present & ~np.isfinite(values), "is not a finite number")
    with np.errstate(over="ignore", invalid="ignore"):
        scaled = values * scale
        refuse(present & ~np.isfinite(scaled), f"is too large: times {scale:,.0f} (to pounds) it is infinite")
        if kind.minimum is not None:
            refuse(values < kind.minimum, "is negative" if kind.minimum == 0 else f"is below {kind.minimum:g}")
        if kind.maximum is not None:
            refuse(values > kind.maximum, f"is above {kind.maximum:g}")
        if kind.whole:
            refuse(present & (values != np.round(values)), "is not a whole number")
    return scaled.reshape(len(names), rows)


#: Years a file may hold: anything else (``0000``, ``20233``) is a typing or export error.
YEAR_RANGE = (1900, 2100)
_WHOLE = re.compile(r"^(\d{4})\.0*$")


def years(frame: pd.DataFrame, column: str, path: Path, offset: int = 0,
          within: tuple[int, int] | None = None) -> pd.Series:
    """A column of years (``2023-24``, ``2023`` or ``2023.0``) as int start years, plus ``offset``.

    A value that is not a year (``2011.7``, blank) or lies outside ``YEAR_RANGE`` (``0000``) is
    refused with its row and column, and so is one whose year (after ``offset``) lies outside
    ``within``, the years the edition holds (``Context.years``): a 2031-32 row in a file of
    2015-16 to 2020-21."""
    text = frame[column].astype("string").str.strip()
    parsed: dict[str, int] = {}
    for label in text.dropna().unique():  # each distinct label once (a handful), not each row
        whole = _WHOLE.match(label)
        try:
            parsed[label] = parse_year(whole.group(1) if whole else label)
        except Exception:
            continue
    values = text.map(parsed)
    refuse_first(values.isna(), frame, path, column, lambda at: (
        ("the year is blank" if pd.isna(frame[column].iloc[at]) else f"{frame[column].iloc[at]!r} is not a year")
        + " (expected e.g. 2023-24 or 2023)"))
    values = values.astype("int64")
    low, high = YEAR_RANGE
    refuse_first((values < low) | (values > high), frame, path, column, lambda at: (
        f"{frame[column].iloc[at]!r} is not a possible year (expected {low} to {high}, e.g. 2023-24)"))
    values = values + offset
    if within is not None:
        first, last = within
        financial = text.str.contains("-", regex=False).fillna(False)
        refuse_first((values < first) | (values > last), frame, path, column, lambda at: (
            f"{frame[column].iloc[at]!r} is outside the years this edition holds, "
            f"{_span(first - offset, last - offset, bool(financial.iloc[at]))} (a row from another "
            f"edition, or a mistyped year? A newer edition is a new publication for this project)"))
    return values


def _span(first: int, last: int, financial: bool) -> str:
    """``2015-16 to 2020-21`` (financial years) or ``2011 to 2023``, as the file writes its years."""
    label = year_label if financial else str
    return f"{label(first)} to {label(last)}"


def keep_places(frame: pd.DataFrame, column: str, path: Path, context: Context,
                other_nations: bool = False) -> tuple[pd.DataFrame, int]:
    """Keep rows whose code is a place in the register; set aside rows of other bodies.

    A malformed code, or a code with a registered prefix that the register does not know, is
    refused with its row and column, and so is an English code of an entity that is neither a
    place nor one of ``OTHER_BODIES``. Blank codes (bodies with no GSS code) are set aside. A code
    of another nation (W06..., K02...) is set aside only where the publication covers other nations
    (``other_nations``); in a publication of England it is a damaged code and is refused.
    """
    codes = frame[column].astype("string").str.strip()
    blank = codes.isna() | codes.isin(MISSING_MARKERS)
    malformed = ~blank & ~codes.str.match(GSS_CODE.pattern).fillna(False)
    refuse_first(malformed, frame, path, column, lambda at: (
        f"{codes.iloc[at]!r} is not a GSS code (expected a letter and 8 digits, e.g. E06000001)"))
    if not other_nations:
        elsewhere = ~blank & (codes.str[:1] != "E").fillna(False)
        refuse_first(elsewhere, frame, path, column, lambda at: (
            f"{codes.iloc[at]!r} is a code of {NATIONS.get(str(codes.iloc[at])[:1], 'another nation')}, "
            f"in a publication of England (expected an E code such as E06000001)"))
    registered = ~blank & codes.str[:3].isin(REGISTERED_PREFIXES).fillna(False)
    unknown_body = ~blank & ~registered & (codes.str[:1] == "E").fillna(False) \
        & ~codes.str[:3].isin(OTHER_BODIES).fillna(False)
    refuse_first(unknown_body, frame, path, column, lambda at: (
        f"{codes.iloc[at]!r} is neither a place of the register (codes {', '.join(REGISTERED_PREFIXES)}) "
        f"nor another body official files list ({', '.join(OTHER_BODIES)}): a mistyped code?"))
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
         path: Path, *, kind: Kind | dict[str, Kind]) -> pd.DataFrame:
    """Wide columns -> tidy ``code, year, measure, value`` (scaled; rows with no value dropped).

    ``measures`` maps a file column to (measure name, scale to pounds or units); ``kind`` says what
    the columns hold (one kind for all, or one per column), and impossible values are refused.
    """
    parts = []
    for column, (measure, scale) in measures.items():
        values = numbers(frame, column, path, kind=kind if isinstance(kind, Kind) else kind[column], scale=scale)
        parts.append(pd.DataFrame({"code": frame[code].to_numpy(), "year": frame[year].to_numpy(),
                                   "measure": measure, "value": values.to_numpy()}))
    out = pd.concat(parts, ignore_index=True)
    return out[out["value"].notna()].reset_index(drop=True)
