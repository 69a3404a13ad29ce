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
    try:
        collection = json.loads(path.read_text())
        features = collection["features"]
        rows = [{"code": f["properties"]["lad24cd"], "name": f["properties"]["lad24nm"],
                 "geometry": json.dumps(f["geometry"])} for f in features]
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise DataError(f"not a GeoJSON FeatureCollection with lad24cd / lad24nm properties ({exc})",
                        file=path.name) from exc
    frame = pd.DataFrame(rows)
    frame, skipped = keep_places(frame, "code", path, context)
    require_unique(frame, ["code"], path)
    return Parsed(tables={"boundaries": frame}, skipped=skipped)


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
