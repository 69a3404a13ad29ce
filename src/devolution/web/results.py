"""What residents chose in the budget simulator, for everyone to see: per council, the number of
budgets submitted, the average change asked for each service, and the council tax change chosen.

Published only once at least ``minimum()`` budgets have been submitted for the council's budget
year (``DEVOLUTION_RESULTS_MINIMUM``, default 10): with fewer, an average could give away what one
person chose. Nothing personal is shown (no tokens, times or single submissions): those stay on
the admin page, behind the password.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from devolution.web.submissions import changes_long

MINIMUM_ENV = "DEVOLUTION_RESULTS_MINIMUM"
DEFAULT_MINIMUM = 10


def minimum() -> int:
    """The fewest submissions a council's results are published with (at least 1)."""
    text = os.environ.get(MINIMUM_ENV, "").strip()
    return max(1, int(text)) if text.isdigit() else DEFAULT_MINIMUM


def public_results(rows: pd.DataFrame, budget: dict, fewest: int) -> dict:
    """The public summary of ``rows`` (the stored submissions) for the council and budget year of
    ``budget`` (the simulator's document): counts always, the rest only from ``fewest`` on."""
    mine = rows[(rows["place"] == budget["code"]) & (rows["year"] == budget["limit_year"])]
    count = len(mine)
    out = {"code": budget["code"], "name": budget["name"], "year": budget["limit_year"],
           "label": budget["limit_label"], "submissions": count, "minimum": fewest, "published": count >= fewest,
           "why": (f"Results are shown once at least {fewest} budget{'' if fewest == 1 else 's'} "
                   f"{'has' if fewest == 1 else 'have'} been submitted for {budget['name']}, "
                   "so that no one's choices can be read from the averages. No personal data is kept on "
                   "this page: only totals and averages.")}
    if not out["published"]:
        return out
    tax = mine["council_tax_change"].to_numpy(dtype=np.float64)
    out["council_tax"] = {"mean": float(tax.mean()), "median": float(np.median(tax)),
                          "cut": int((tax < 0).sum()), "freeze": int((tax == 0).sum()), "rise": int((tax > 0).sum()),
                          "at_limit": int((tax >= budget["limit"]["max_change"] - 1e-9).sum()),
                          "max_change": budget["limit"]["max_change"]}
    long = changes_long(mine)
    services = []
    for line in budget["services"]:
        moved = long.loc[long["service"] == line["measure"], "change"].to_numpy(dtype=np.float64)
        mean = float(moved.sum() / count)
        services.append({"measure": line["measure"], "description": line["description"], "value": line["value"],
                         "ring_fenced": line["ring_fence"] is not None and line["movable"] == 0,
                         "mean_change_gbp": mean,
                         "mean_change_pct": 100 * mean / abs(line["value"]) if line["value"] else None,
                         "cutting": int((moved < 0).sum()), "raising": int((moved > 0).sum())})
    out["services"] = services
    return out
