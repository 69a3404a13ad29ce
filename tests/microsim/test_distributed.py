"""The Dask run, partitioned by authority, gives the in-process result exactly."""

from __future__ import annotations

import pandas as pd

from devolution.microsim import partitions, stock as stocks
from devolution.microsim.distributed import council_tax_on_dask
from devolution.microsim.reforms import reform_from_options
from devolution.microsim.run import council_tax_by_authority


def test_dask_local_cluster_with_two_workers_matches_in_process(national_counts, tmp_path):
    counts, band_d = national_counts
    few = counts.iloc[:12] // 50                                     # 12 authorities, small
    dwellings = stocks.dwellings_from_counts(few.index.to_numpy(dtype=object), few.to_numpy(), year=2022)
    partitions.write_dwellings(dwellings, tmp_path / "d")
    reform = reform_from_options(2022, single_person=0.3, new_bands=["21/9:0.5"])
    local = council_tax_by_authority(dwellings, band_d[:12], 2022, reform)
    remote = council_tax_on_dask(tmp_path / "d", dict(zip(few.index, band_d[:12])), 2022, reform,
                                 n_workers=2, partitions=5)
    pd.testing.assert_frame_equal(remote, local, check_exact=True)
