"""Property-level council tax and business rates: synthetic stocks matched to official counts,
partitioned Parquet, fused numba kernels with numpy twins, and a Dask runner."""
