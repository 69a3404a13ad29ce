"""What a load refuses before the store is written: a year outside the edition, a figure for a
council after it ended, a publication that would shrink or lose a place it holds (``Store.load``
calls these; each raises ``DataError`` naming the files, and then nothing has been written); and
the placeholder zeros it sets aside."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd

from devolution.errors import DataError
from devolution.places.register import ABOLISHED, FORMER_CODE
from devolution.sources.base import Parsed, Publication
from devolution.years import year_label

#: A publication may come back with fewer rows or places than the store holds (a new edition that
#: drops a year), but with fewer than this share of either only when allowed by name: a cut,
#: emptied or wrong file must not wipe what is held.
KEEP_AT_LEAST = 0.9


def years_outside(publication: Publication, result: Parsed, files: dict[str, Path]) -> None:
    """The net under each parser's own check (``sources.base.years(within=...)``, which names the
    row): no observation of a year outside the years the edition holds reaches the store."""
    if publication.years is None or result.observations is None or result.observations.empty:
        return
    first, last = publication.years
    held = result.observations["year"]
    outside = held[(held < first) | (held > last)]
    if not outside.empty:
        raise DataError(f"publication {publication.id} gives rows for year {int(outside.iloc[0])}, outside the "
                        f"years this edition holds ({first} to {last}, by the year each begins); nothing "
                        f"was loaded", file=", ".join(files))


def placeholders(parsed: dict[str, Parsed], found: dict[str, dict[str, Path]],
                 places: pd.DataFrame) -> dict[str, set[tuple[str, int]]]:
    """Set aside the zeros official files print for a council in years it was not in force (the CSP
    file gives Buckinghamshire 0.00 in every column for 2015-16 to 2019-20, before it began, and
    Aylesbury Vale 0.00 for 2020-21, after it ended), which were stored and shown as real £0 figures:
    a (code, year) outside the council's life (the register's dates, on 1 April) whose every value
    in the publication is zero. Returns the (code, year) pairs set aside, by publication.

    A figure that is not zero for a council after it ended is refused (a row typed under a former
    council, or a file of the wrong year). Before it began, figures are kept: series on later
    boundaries (ONS's rebased mid-year estimates give Dorset Council for 2011) are real."""
    start = dict(zip(places["code"], pd.to_datetime(places["start_date"], errors="coerce")))
    end = dict(zip(places["code"], pd.to_datetime(places["end_date"], errors="coerce")))
    names = dict(zip(places["code"], places["name"]))
    out: dict[str, set[tuple[str, int]]] = {}
    for id_, result in parsed.items():
        frame = result.observations
        if frame is None or frame.empty:
            continue
        day = pd.to_datetime(frame["year"].astype("int64").astype(str) + "-04-01")
        began, ended = frame["code"].map(start), frame["code"].map(end)
        before = (began.notna() & (day < began)).to_numpy()
        after = (ended.notna() & (day > ended)).to_numpy()
        if not (before | after).any():
            continue
        zero = frame["value"].eq(0).groupby([frame["code"], frame["year"]]).transform("all").to_numpy()
        wrong = after & ~zero
        if wrong.any():
            at = frame.iloc[int(wrong.nonzero()[0][0])]
            raise DataError(
                f"publication {id_} gives {at['measure']} = {at['value']:,.2f} for {at['code']} "
                f"{names.get(at['code'], '')} in year {int(at['year'])} (as held: a financial year's start, or a "
                f"mid-year), after it ended on "
                f"{ended.iloc[int(wrong.nonzero()[0][0])]:%d %B %Y} (the register's date): a row under a former "
                f"council?; nothing was loaded", file=", ".join(found[id_]))
        aside = (before | after) & zero
        if aside.any():
            out[id_] = set(zip(frame.loc[aside, "code"], frame.loc[aside, "year"].astype(int)))
            result.observations = frame[~aside].reset_index(drop=True)
    return out


def size(result: Parsed) -> tuple[int, int]:
    """Rows a parsed publication brings (observations and tables) and places (codes observed)."""
    observations = result.observations
    rows = (0 if observations is None else len(observations)) + sum(len(t) for t in result.tables.values())
    return rows, (0 if observations is None else observations["code"].nunique())


def shrinks(store, parsed: dict[str, Parsed], found: dict[str, dict[str, Path]], directory: Path,
            allow_shrink: Collection[str]) -> None:
    """Refuse a publication that would replace far more than it brings (see ``KEEP_AT_LEAST``)."""
    if not store.path.exists():
        return
    held = store.query("""
        SELECT p.publication, p.rows, coalesce(o.places, 0) AS places
        FROM (SELECT publication, max(rows) AS rows FROM provenance GROUP BY ALL) p
        LEFT JOIN (SELECT publication, count(DISTINCT code) AS places FROM observations GROUP BY ALL) o
        USING (publication)""").set_index("publication")
    for id_, result in parsed.items():
        if id_ not in held.index or id_ in allow_shrink:
            continue
        rows, places = size(result)
        held_rows, held_places = int(held.at[id_, "rows"]), int(held.at[id_, "places"])
        if rows < KEEP_AT_LEAST * held_rows or places < KEEP_AT_LEAST * held_places:
            gives = "the file gives" if len(found[id_]) == 1 else "its files give"
            raise DataError(
                f"publication {id_} would shrink: {gives} {rows:,} rows for {places:,} places, "
                f"the store holds {held_rows:,} rows for {held_places:,} places (a cut or wrong file?); "
                f"nothing was loaded. If the shrink is real, run `devo data load {directory} "
                f"--allow-shrink {id_}`", file=", ".join(found[id_]))


def lost_places(store, parsed: dict[str, Parsed], found: dict[str, dict[str, Path]],
                directory: Path, allow_shrink: Collection[str], places: pd.DataFrame,
                set_aside: dict[str, set[tuple[str, int]]] | None = None) -> None:
    """Refuse a publication that would lose any place or any year of a place it holds: a code
    with observations in the store and none in the new files (Hartlepool's rows cut from the
    population file), a year gone for every place (2015's rows cut) or a place's earlier years
    gone, unless the register explains it (a former code now carried onto its successor, or an
    abolished council) or it is a placeholder set aside (``set_aside``, from :func:`placeholders`)."""
    if not store.path.exists() or not store.has_table("observations"):
        return
    ids = [id_ for id_, result in parsed.items()
           if result.observations is not None and id_ not in allow_shrink]
    if not ids:
        return
    held = store.connection.execute(
        "SELECT DISTINCT publication, code, year FROM observations WHERE list_contains(?, publication)",
        [ids]).df()
    explained = set(places.loc[places["status"].isin([ABOLISHED, FORMER_CODE]), "code"])
    names = dict(zip(places["code"], places["name"]))
    for id_, pairs in held.groupby("publication"):
        new = parsed[id_].observations[["code", "year"]].drop_duplicates().astype({"year": "int64"})
        pairs = pairs[~pairs["code"].isin(explained)].astype({"year": "int64"})
        aside = (set_aside or {}).get(id_)
        if aside:
            marked = pairs.merge(pd.DataFrame(list(aside), columns=["code", "year"]).astype({"year": "int64"}),
                                 on=["code", "year"], how="left", indicator=True)
            pairs = pairs[(marked["_merge"] == "left_only").to_numpy()]
        lost = pairs.merge(new, on=["code", "year"], how="left", indicator=True)
        lost = lost[lost["_merge"] == "left_only"]
        if lost.empty:
            continue
        whole = sorted(set(lost["code"]) - set(new["code"]))
        if whole:
            shown = ", ".join(f"{code} {names.get(code, '')}".strip() for code in whole[:5])
            more = f" and {len(whole) - 5} more" if len(whole) > 5 else ""
            what = f"{len(whole)} {'place' if len(whole) == 1 else 'places'} the store holds for it, not " \
                   f"abolished or recoded in the register: {shown}{more}"
        else:
            by_year = lost.groupby("year")["code"].agg(list).sort_index()
            shown = "; ".join(
                f"{year_label(int(year))} for " + (f"{len(codes)} places" if len(codes) > 1
                                                    else f"{codes[0]} {names.get(codes[0], '')}".strip())
                for year, codes in list(by_year.items())[:5])
            more = f" and {len(by_year) - 5} more years" if len(by_year) > 5 else ""
            what = f"{len(lost):,} place-years the store holds for it: {shown}{more}"
        raise DataError(
            f"publication {id_} would lose {what} (a cut or wrong file?); nothing was loaded. If the "
            f"loss is real, run `devo data load {directory} --allow-shrink {id_}`", file=", ".join(found[id_]))
