"""Stocks on disk: Parquet partitioned by billing authority (``billing_authority=E06000001/``).

One file per authority keeps an authority's rows together, so a reader (pyarrow, DuckDB, or a
Dask worker given some authorities) rebuilds the sorted-by-authority layout the kernels expect
without sorting. Columns use compact types: band ``int8``, flags ``bool``, sector ``int8``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from devolution.errors import DataError
from devolution.microsim.kernels import offsets_from_sizes
from devolution.microsim.stock import SECTORS, DwellingStock, HereditamentStock

PARTITION = "billing_authority"
DWELLING_COLUMNS = ("band", "single_person", "exempt")
HEREDITAMENT_COLUMNS = ("rateable_value", "sector")


def _write(root: Path, codes, offsets, columns: dict[str, np.ndarray]) -> Path:
    root.mkdir(parents=True, exist_ok=True)

    def one(position: int) -> None:
        start, stop = offsets[position], offsets[position + 1]
        folder = root / f"{PARTITION}={codes[position]}"
        folder.mkdir(exist_ok=True)
        table = pa.table({name: values[start:stop] for name, values in columns.items()})
        pq.write_table(table, folder / "part-0.parquet", compression="zstd")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(one, range(len(codes))))
    return root


def write_dwellings(stock: DwellingStock, root: Path | str) -> Path:
    """Write a dwelling stock under ``root`` (one Parquet file per billing authority)."""
    return _write(Path(root), stock.codes, stock.offsets,
                  {"band": stock.band, "single_person": stock.single_person, "exempt": stock.exempt})


def write_hereditaments(stock: HereditamentStock, root: Path | str) -> Path:
    """Write a hereditament stock under ``root`` (one Parquet file per billing authority)."""
    return _write(Path(root), stock.codes, stock.offsets,
                  {"rateable_value": stock.rateable_value, "sector": stock.sector})


def partition_codes(root: Path | str) -> list[str]:
    """The billing authorities held under ``root``, sorted."""
    root = Path(root)
    if not root.is_dir():
        raise DataError(f"no partitioned stock at {root} (expected folders {PARTITION}=E0...)", file=str(root))
    codes = sorted(p.name.split("=", 1)[1] for p in root.iterdir() if p.name.startswith(f"{PARTITION}="))
    if not codes:
        raise DataError(f"no {PARTITION}=... folders under {root}", file=str(root))
    return codes


def _read(root: Path, codes, columns) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    def one(code: str) -> pa.Table:
        folder = root / f"{PARTITION}={code}"
        files = sorted(folder.glob("*.parquet"))
        if not files:
            raise DataError(f"no Parquet file for {code}", file=str(folder))
        tables = [pq.read_table(f, columns=list(columns), use_threads=False) for f in files]
        return pa.concat_tables(tables) if len(tables) > 1 else tables[0]

    with ThreadPoolExecutor(4) as pool:
        tables = list(pool.map(one, codes))
    sizes = np.array([t.num_rows for t in tables], dtype=np.int64)
    out = {}
    for name in columns:
        chunks = [t.column(name).to_numpy() for t in tables]
        out[name] = np.concatenate(chunks) if chunks else np.array([])
    return np.asarray(codes, dtype=object), offsets_from_sizes(sizes), out


def read_dwellings(root: Path | str, codes=None, year: int = 0) -> DwellingStock:
    """Read a dwelling stock (all authorities, or the given codes) into memory, sorted."""
    root = Path(root)
    codes = partition_codes(root) if codes is None else list(codes)
    codes, offsets, cols = _read(root, codes, DWELLING_COLUMNS)
    return DwellingStock(codes, offsets, cols["band"].astype(np.int8, copy=False),
                         cols["single_person"].astype(bool, copy=False), cols["exempt"].astype(bool, copy=False),
                         year)


def read_hereditaments(root: Path | str, codes=None) -> HereditamentStock:
    """Read a hereditament stock (all authorities, or the given codes) into memory, sorted."""
    root = Path(root)
    codes = partition_codes(root) if codes is None else list(codes)
    codes, offsets, cols = _read(root, codes, HEREDITAMENT_COLUMNS)
    return HereditamentStock(codes, offsets, cols["rateable_value"].astype(np.float64, copy=False),
                             cols["sector"].astype(np.int8, copy=False), SECTORS)


def duckdb_counts_by_band(root: Path | str):
    """Dwellings by authority and band counted by DuckDB straight from the Parquet files."""
    import duckdb

    pattern = str(Path(root) / f"{PARTITION}=*" / "*.parquet")
    return duckdb.sql(f"""
        SELECT {PARTITION} AS code, band, count(*) AS dwellings
        FROM read_parquet('{pattern}', hive_partitioning = true)
        GROUP BY ALL ORDER BY code, band""").df()
