"""Money per head, or per unit of need: a figure divided by a count, place by place (arrays in,
arrays out). Which count divides a figure, and from which year, is ``analysis.per_head``.
"""

from __future__ import annotations

import numpy as np


def per_unit(amount, count) -> np.ndarray:
    """``amount / count`` element by element: money per resident (or per unit of need); NaN where
    the count is missing or not positive, never infinity."""
    amount = np.asarray(amount, dtype=np.float64)
    count = np.asarray(count, dtype=np.float64)
    out = np.full(np.broadcast(amount, count).shape, np.nan)
    np.divide(amount, count, out=out, where=count > 0)
    return out
