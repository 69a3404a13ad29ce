"""The Monte Carlo run on a Dask cluster: the same blocks of draws as in memory, one task each.

Draws are taken once on the client (one seeded Generator), so the workers compute exactly the
numbers the in-memory run computes and the percentiles are identical for the same seed.
"""

from __future__ import annotations

import numpy as np

from devolution.scenarios import model
from devolution.scenarios.inputs import Inputs
from devolution.scenarios.projection import Context, run as project
from devolution.scenarios.runner import BLOCK, block, context


def _gap_block(ctx: Context, start: int, stop: int) -> np.ndarray:
    """One block's gap, draws last: (places, years, block)."""
    return np.moveaxis(project(block(ctx, start, stop), detail=False)["gap"], 0, -1)


def simulate_on(client, scenario: model.Scenario, inputs: Inputs, draws: int,
                block_size: int = BLOCK * 4) -> np.ndarray:
    """As :func:`devolution.scenarios.runner.simulate`, with blocks computed by ``client``'s workers."""
    ctx, _ = context(scenario, inputs, draws)
    shared = client.scatter(ctx, broadcast=True)
    starts = list(range(0, draws, block_size))
    futures = [client.submit(_gap_block, shared, s, min(s + block_size, draws), pure=False) for s in starts]
    held = np.empty((inputs.n, len(ctx.years), draws))
    for s, part in zip(starts, client.gather(futures)):
        held[:, :, s:s + part.shape[-1]] = part
    return np.moveaxis(held, -1, 0)
