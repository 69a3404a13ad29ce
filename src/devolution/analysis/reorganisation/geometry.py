"""Proposed councils drawn from their districts' boundaries, and land area (km²).

The boundaries are ONS's Local Authority Districts of May 2024 (ultra-generalised to 500 m, clipped
to the coastline, in longitude and latitude). A proposed council is the union (dissolve) of the
districts that tile it (:mod:`.areas`): a council made before May 2024 (Cumberland, BCP) has its
own boundary there, so a historical proposal is drawn from it; a council abolished before then has
none of its own. Shapely does the geometry (unions, simplification for the page).

Area: the sinusoidal projection is equal-area, so a polygon's area in projected metres is its area
on a sphere of the Earth's mean radius (to well under 1% for districts; the generalised boundaries
themselves are the larger error).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping, shape

#: The year the boundaries describe (May 2024: financial year 2024-25).
BOUNDARY_YEAR = 2024
#: The Earth's mean radius (m), IUGG.
EARTH_RADIUS = 6_371_008.8
#: Tolerance when simplifying dissolved shapes for a page (degrees, about 200 m).
SIMPLIFY = 0.002


def shapes(boundaries: pd.DataFrame) -> pd.Series:
    """The store's ``boundaries`` table (``code, name, geometry`` as GeoJSON text) as shapely
    geometries by code."""
    geometries = [shape(json.loads(text)) for text in boundaries["geometry"]]
    return pd.Series(shapely.make_valid(np.array(geometries, dtype=object)), index=boundaries["code"].to_numpy())


def area_km2(geometries: pd.Series) -> pd.Series:
    """Each geometry's area in km² (sinusoidal equal-area projection of longitude and latitude)."""
    def project(coords: np.ndarray) -> np.ndarray:
        lon, lat = np.radians(coords[:, 0]), np.radians(coords[:, 1])
        return np.column_stack([EARTH_RADIUS * lon * np.cos(lat), EARTH_RADIUS * lat])

    projected = shapely.transform(geometries.to_numpy(), project)
    return pd.Series(shapely.area(projected) / 1e6, index=geometries.index)


def area_observations(geometries: pd.Series) -> pd.DataFrame:
    """Land area as long observations (``code, year, measure, value``), so it tiles like any figure."""
    areas = area_km2(geometries)
    return pd.DataFrame({"code": areas.index, "year": BOUNDARY_YEAR, "measure": "area_km2", "value": areas.to_numpy()})


def dissolve(geometries: pd.Series, tiles: pd.DataFrame) -> pd.Series:
    """One geometry per group: the union of the boundaries of the codes that tile it (``tiles``:
    ``group, code``), simplified for drawing."""
    out = {}
    for group, rows in tiles.groupby("group", sort=False):  # a few proposed councils
        union = shapely.union_all(geometries.reindex(rows["code"]).dropna().to_numpy())
        out[group] = shapely.simplify(union, SIMPLIFY, preserve_topology=True)
    return pd.Series(out, dtype=object)


def feature_collection(geometries: pd.Series, properties: pd.DataFrame) -> dict:
    """A GeoJSON FeatureCollection: one feature per group, with the row of ``properties`` (indexed
    by group) as its properties (NaN as null). Coordinates rounded to 5 decimals (about 1 m)."""
    features = []
    for group, geometry in geometries.items():
        row = properties.loc[group].to_dict() if group in properties.index else {}
        clean = {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in row.items()}
        rounded = shapely.set_precision(geometry, 1e-5)
        label = rounded.representative_point()  # inside the shape, for its name on a map
        features.append({"type": "Feature", "properties": {"group": str(group), **clean,
                                                           "label_lon": round(label.x, 5), "label_lat": round(label.y, 5)},
                         "geometry": mapping(rounded)})
    return {"type": "FeatureCollection", "features": features}
