"""Local Authority District boundaries (May 2024, ultra-generalised, clipped to the coastline)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from devolution.errors import DataError
from devolution.sources.base import OGL, Context, Parsed, Publication, keep_places, require_unique

FILE = "boundaries_lad_may2024_buc_england.geojson"


def parse(files: dict[str, Path], context: Context) -> Parsed:
    path = files[FILE]
    collection = _read_geojson(path)
    try:
        features = collection["features"]
        rows = [{"code": f["properties"]["lad24cd"], "name": f["properties"]["lad24nm"],
                 "geometry": json.dumps(f["geometry"])} for f in features]
    except (KeyError, TypeError) as exc:
        raise DataError(f"not a GeoJSON FeatureCollection with lad24cd / lad24nm properties ({exc!r})",
                        file=path.name) from None
    if not rows:
        raise DataError("has no features (expected one boundary per local authority district)", file=path.name)
    frame = pd.DataFrame(rows)
    frame, skipped = keep_places(frame, "code", path, context)
    require_unique(frame, ["code"], path)
    return Parsed(tables={"boundaries": frame}, skipped=skipped)


def _read_geojson(path: Path):
    """The parsed JSON of a GeoJSON file, which must be UTF-8 text (RFC 7946, section 11)."""
    data = path.read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
        raise DataError("is UTF-16 (or UTF-32) text; GeoJSON must be UTF-8 (RFC 7946): save it again as UTF-8",
                        file=path.name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"is not UTF-8 text (byte {exc.start:,} is {data[exc.start:exc.start + 1]!r}; Latin-1?); "
                        f"GeoJSON must be UTF-8 (RFC 7946): save it again as UTF-8", file=path.name) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"is not valid JSON ({exc})", file=path.name) from None


PUBLICATIONS = (
    Publication(
        id="ons_lad_boundaries_2024",
        title="Local Authority Districts (May 2024) Boundaries UK BUC (England)",
        publisher="Office for National Statistics",
        url="https://geoportal.statistics.gov.uk/datasets/ons::local-authority-districts-may-2024-boundaries-uk-buc-2/about",
        licence=OGL + "; contains OS data © Crown copyright and database right 2024",
        files=(FILE,), parse=parse,
    ),
)
