"""English Indices of Deprivation 2019 and 2025: local authority summaries and LSOA ranks.

IMD is not annual: the 2019 summaries are held as year 2019 (on 2019 districts) and the 2025
ones as year 2025 (on 2024 districts). LSOA tables are kept whole for population-weighted work.
"""

from __future__ import annotations

from pathlib import Path

from devolution.sources.base import (AVERAGE_RANK, DECILE, IMD_SCORE, OGL, RANK, SHARE, Context, Kind,
                                     Measure, Parsed, Publication, keep_places, melt, numbers, require_unique)
from devolution.sources.text import read_csv

LAD19_FILE = "imd2019_lad19_summary.csv"
LSOA11_FILE = "imd2019_lsoa11.csv"
LAD24_FILE = "imd2025_lad24_summary.csv"
LSOA21_FILE = "imd2025_lsoa21.csv"

#: File column -> (measure, unit, description, what the column may hold).
IMD2019 = {
    "imd_average_score": ("imd2019_average_score", "score", "IMD 2019: population-weighted average LSOA score", IMD_SCORE),
    "imd_rank_of_average_score": ("imd2019_rank_of_average_score", "rank", "IMD 2019: rank of average score (1 = most deprived)", RANK),
    "imd_proportion_lsoas_most_deprived_10pc": ("imd2019_share_lsoas_most_deprived_10pc", "share", "IMD 2019: share of LSOAs in the most deprived 10% nationally", SHARE),
    "imd_extent": ("imd2019_extent", "share", "IMD 2019: extent", SHARE),
}
IMD2025 = {
    "imd_average_score": ("imd2025_average_score", "score", "IMD 2025: population-weighted average LSOA score", IMD_SCORE),
    "imd_rank_of_average_score": ("imd2025_rank_of_average_score", "rank", "IMD 2025: rank of average score (1 = most deprived)", RANK),
    "imd_average_rank": ("imd2025_average_rank", "rank", "IMD 2025: average LSOA rank", AVERAGE_RANK),
    "imd_proportion_of_lso_as_in_most_deprived_10_percent_nationally": (
        "imd2025_share_lsoas_most_deprived_10pc", "share", "IMD 2025: share of LSOAs in the most deprived 10% nationally", SHARE),
    "imd25_extent": ("imd2025_extent", "share", "IMD 2025: extent", SHARE),
}


#: The other columns of each File 10 (district summaries): names, and the statistics of each domain
#: this project does not read (their ranks, the domains' own scores).
UNREAD_2019 = ["lad19_name", *(f"{domain}_{statistic}" for domain in (
    "income", "employment", "education", "health", "crime", "housing_and_access", "environment")
    for statistic in ("score", "proportion"))]
UNREAD_2025 = ["ltla24_name", *(f"{domain}_{statistic}" for domain in (
    "imd", "income", "employment", "education_skills_and_training", "health_deprivation_and_disability", "crime",
    "barriers_to_housing_and_services", "living_environment") for statistic in (
    "average_rank", "rank_of_average_rank", "average_score", "rank_of_average_score",
    "proportion_of_lso_as_in_most_deprived_10_percent_nationally",
    "rank_of_proportion_of_lso_as_in_most_deprived_10_percent_nationally")),
    "imd25_rank_of_extent", "imd25_local_concentration", "imd25_rank_of_local_concentration",
    "income_scale", "rank_of_income_scale", "employment_scale", "rank_of_employment_scale"]


def _summary(path: Path, code: str, year: int, columns: dict, context: Context, unread: list[str]) -> Parsed:
    frame = read_csv(path, [code, *columns], unread=unread)
    frame, skipped = keep_places(frame, code, path, context)
    require_unique(frame, [code], path)
    frame["year"] = year
    return Parsed(observations=melt(frame, code, "year", {c: (m, 1.0) for c, (m, *_) in columns.items()}, path,
                                    kind={c: kind for c, (*_, kind) in columns.items()}),
                  skipped=skipped)


def _with_lsoas(parsed: Parsed, files: dict[str, Path], name: str, table: str, lsoa: str, lad: str,
                columns: dict[str, Kind | None], context: Context) -> Parsed:
    """Add the LSOA table (each LSOA once, its district a known place, its ranks, deciles and
    scores possible)."""
    frame = read_csv(files[name], [lsoa, lad, *columns], unread=None)  # kept whole
    keep_places(frame, lad, files[name], context)
    require_unique(frame, [lsoa], files[name])
    for column, kind in columns.items():
        if kind is not None:
            numbers(frame, column, files[name], kind=kind)
    parsed.tables[table] = frame
    return parsed


def parse_2019(files: dict[str, Path], context: Context) -> Parsed:
    parsed = _summary(files[LAD19_FILE], "lad19_code", 2019, IMD2019, context, UNREAD_2019)
    return _with_lsoas(parsed, files, LSOA11_FILE, "imd2019_lsoa", "lsoa11_code", "lad23_code",
                       {"lad19_code": None, "imd_rank": RANK, "imd_decile": DECILE}, context)


def parse_2025(files: dict[str, Path], context: Context) -> Parsed:
    parsed = _summary(files[LAD24_FILE], "ltla24_code", 2025, IMD2025, context, UNREAD_2025)
    return _with_lsoas(parsed, files, LSOA21_FILE, "imd2025_lsoa", "lsoa21_code", "ltla24_code",
                       {"imd_rank": RANK, "imd_decile": DECILE, "imd_score": IMD_SCORE}, context)


PUBLISHER = "Ministry of Housing, Communities and Local Government"

PUBLICATIONS = (
    Publication(
        id="mhclg_imd2019",
        title="English indices of deprivation 2019: local authority district summaries (File 10) and LSOA ranks (File 7)",
        publisher=PUBLISHER, url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2019",
        licence=OGL, files=(LAD19_FILE, LSOA11_FILE), parse=parse_2019, years=(2019, 2019),
        measures=tuple(Measure(m, u, d) for m, u, d, _ in IMD2019.values()),
    ),
    Publication(
        id="mhclg_imd2025",
        title="English indices of deprivation 2025: local authority district summaries (File 10) and LSOA scores (File 7)",
        publisher=PUBLISHER, url="https://www.gov.uk/government/statistics/english-indices-of-deprivation-2025",
        licence=OGL, files=(LAD24_FILE, LSOA21_FILE), parse=parse_2025, years=(2025, 2025),
        measures=tuple(Measure(m, u, d) for m, u, d, _ in IMD2025.values()),
    ),
)
