"""The Monte Carlo run on a Dask cluster: the same blocks of draws as in memory, one task each.

Draws are taken once on the client (one seeded Generator) and the kernel's tables prepared there
(:func:`scenarios.kernels.prepare`), so the workers compute exactly the numbers the in-memory run
computes and the percentiles are identical for the same seed.
"""

from __future__ import annotations

import numpy as np

from devolution.scenarios import kernels
from devolution.scenarios.inputs import Inputs
from devolution.scenarios.runner import BLOCK, context
from devolution.scenarios.schema import Scenario


def _gap_block(cells: kernels.Cells, places: int, start: int, stop: int) -> np.ndarray:
    """One block's gap, draws last: (places, years, block)."""
    out = np.empty((places, len(cells.steps), stop - start))
    return kernels.gap(cells, out, (start, stop), (0, places))


def simulate_on(client, scenario: Scenario, inputs: Inputs, draws: int,
                block_size: int = BLOCK * 4) -> np.ndarray:
    """As :func:`devolution.scenarios.runner.simulate`, with blocks computed by ``client``'s workers."""
    ctx, _ = context(scenario, inputs, draws)
    shared = client.scatter(kernels.prepare(ctx, draws), broadcast=True)
    starts = list(range(0, draws, block_size))
    futures = [client.submit(_gap_block, shared, inputs.n, s, min(s + block_size, draws), pure=False) for s in starts]
    held = np.empty((inputs.n, len(ctx.years), draws))
    for s, part in zip(starts, client.gather(futures)):
        held[:, :, s:s + part.shape[-1]] = part
    return np.moveaxis(held, -1, 0)
