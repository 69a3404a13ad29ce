"""Resources of a projection: an explicit ordered list of components (no registry magic).

- ``council_tax``: tax base x Band D, Band D raised each year by the scenario's policy ("max" =
  the referendum ceiling of the year; a fixed share is capped by it), with the ceiling from
  rules.council_tax.max_band_d_without_referendum and each council's principles of the year
  (rules.referendum: the parameters council_tax.referendum.*, and a council's own principle in the
  years the report names it).
- ``retained_business_rates``: the rates retention scheme (rules/retention.py) run on each
  council's retained income: baseline funding level uprated with the multiplier, rates income
  growing with the scenario's business rates growth, the local share, levy and safety net of the
  year (and a deal's terms where it applies). See :func:`retained_business_rates` for what the data
  allows and what it does not.
- ``settlement_and_grants``: what else funded base-year spending (Revenue Support Grant, other
  grants, fees net of reserves): base-year spending less council tax and retained rates, growing
  by the scenario's ``grant_growth`` (0 = flat in cash). Kept last, so the base-year gap is zero.
"""

from __future__ import annotations

import numpy as np

from devolution.rules import retention as rules
from devolution.rules.council_tax import max_band_d_without_referendum
from devolution.scenarios.context import Component, Context


def council_tax(ctx: Context) -> np.ndarray:
    """Council tax each projection year, (draws, places, years); the base year's is kept in memo.

    Band D moves year by year from the latest year held (each year's ceiling starts from the
    last); the tax base grows with ``tax_base_growth``. Band D's path differs by draw only when
    the increase is drawn, so it is worked out once otherwise."""
    inputs = ctx.inputs
    draws = ctx.draws
    increase = ctx.samples.get("council_tax_increase")
    band_d = np.broadcast_to(inputs.band_d, (len(increase) if increase is not None else 1, inputs.n)).copy()
    span = np.arange(inputs.council_tax_year + 1, int(ctx.years[-1]) + 1)
    path = np.empty((band_d.shape[0], inputs.n, len(span)))
    limits = ctx.limits
    for i in range(len(span)):
        ceiling = max_band_d_without_referendum(band_d, limits["core_limit"][:, i], limits["asc_limit"][:, i],
                                                limits["cash_limit"][:, i], limits["additional_limit"][:, i])
        band_d = ceiling if increase is None else np.fmin(band_d * (1.0 + increase[:, None]), ceiling)
        path[:, :, i] = band_d

    def amount(columns: np.ndarray, years: np.ndarray, out=None) -> np.ndarray:
        """Band D x tax base in those years of the path, (draws, places, len(years))."""
        base = (1.0 + ctx.samples["tax_base_growth"])[:, None, None] ** (years - inputs.council_tax_year)[None, None, :]
        return np.multiply(path[:, :, columns] * inputs.tax_base[None, :, None], base, out=out)

    if inputs.base_year == inputs.council_tax_year:
        ctx.memo["council_tax_base_year"] = np.broadcast_to(inputs.council_tax, (draws, inputs.n))
    elif inputs.base_year > inputs.council_tax_year:
        at = np.array([inputs.base_year])
        ctx.memo["council_tax_base_year"] = np.broadcast_to(amount(at - span[0], at)[:, :, 0], (draws, inputs.n))
    projected = np.searchsorted(span, ctx.years)
    return amount(projected, ctx.years, out=ctx.new())


def retained_business_rates(ctx: Context) -> np.ndarray:
    """Retained business rates after levy and safety net, (draws, places, years).

    Per council, year t (k years after the base year), with the retention rules of SI 2013/737:
    baseline funding level BFL_t = R x (1 + inflation)^k (uprated with the multiplier, which rises
    with CPI); rates income at the base local share I_t = BFL_t x (1 + growth)^k; with local share
    s_t, income r x I_t where r = s_t / s_base. When the share changes (a reform or a deal from year
    Y) the scheme is reset on the income reached: baseline funding level BFL_t x G_Y (G_Y the growth
    multiple reached in Y) and business rates baseline r times that, so the tariff absorbs the
    change, retained income does not jump, and growth after Y is kept at the new share. Tariff or
    top-up, individual levy rate (capped), levy on income above the funding level and safety net
    below threshold x the funding level are then as the rules compute them. Councils with
    a deal from its year: the deal's local share, no levy unless the deal keeps it, and its safety
    net threshold if it sets one.

    What the data allows: R is each council's retained income (Revenue Outturn 2017-18, uprated),
    the latest per-council figure held. Per-council rates baselines, tariffs and top-ups are not in
    the data, so each council is taken as if its baseline equalled its baseline funding level: no
    council pays levy at the base share, and growth acts on retained income rather than on the
    (often much larger, for tariff authorities) rates it collects. Read the effect of growth and of
    the local share as indicative, and the rest of the run as exact to its inputs.
    """
    inputs, retention = ctx.inputs, ctx.retention
    share, cap, threshold = retention_terms(ctx)
    ratio = share / retention["base_local_share"]
    uprating = multiplier_uprating(ctx)                                                  # (draws, 1, years)
    growth = np.log1p(ctx.samples["business_rates_growth"])[:, :, None] * ctx.steps
    growth = np.exp(growth, out=growth)                    # (1 + g) ** k: (draws or 1, places or 1, years)
    # Where the local share never moves, the baseline equals the BFL (rules.retained_at_baseline);
    # elsewhere the rules run in full on those places.
    out = ctx.new()
    out[...] = rules.retained_at_baseline(inputs.retained_rates[None, :, None] * uprating, growth, threshold[None])
    moved = np.flatnonzero((ratio != 1.0).any(axis=1))
    if moved.size:
        bfl = inputs.retained_rates[None, moved, None] * uprating
        out[:, moved, :] = by_rules(bfl, growth if growth.shape[1] == 1 else growth[:, moved], ratio[moved],
                                    cap[moved], threshold[moved], float(retention["base_local_share"]), share[moved])
    return out


def retention_terms(ctx: Context) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local share, levy rate cap and safety net threshold of each council and year, (places,
    years): the scheme's parameters of the year, or the deal's terms where a deal applies."""
    retention, shape = ctx.retention, ctx.deal.shape
    share = np.broadcast_to(retention["local_share"][None, :], shape)
    cap = np.broadcast_to(retention["levy_rate_cap"][None, :], shape)
    threshold = np.broadcast_to(retention["safety_net_threshold"][None, :], shape)
    if ctx.deal.any():
        terms = ctx.deal_terms
        share = np.where(ctx.deal, terms.local_share, share)
        cap = np.where(ctx.deal & (not terms.levy), 0.0, cap)
        if terms.safety_net_threshold is not None:
            threshold = np.where(ctx.deal, terms.safety_net_threshold, threshold)
    return share, cap, threshold


def multiplier_uprating(ctx: Context) -> np.ndarray:
    """The baseline funding level's uprating since the base year, with the multiplier (which rises
    with CPI): (1 + inflation)^k, (draws or 1, 1, years)."""
    return (1.0 + ctx.rate("inflation")) ** ctx.steps


def by_rules(bfl: np.ndarray, growth: np.ndarray, ratio: np.ndarray, cap: np.ndarray, threshold: np.ndarray,
             base_share: float, share: np.ndarray) -> np.ndarray:
    """Retained rates after levy and safety net by the retention rules, step by step (see
    :func:`retained_business_rates`); arrays (draws, places, years), policy (places, years).

    A change of local share in year Y resets the baseline funding level to the income reached then
    (BFL x G_Y) and the business rates baseline to the new share of it, so the tariff absorbs the
    change, levy applies to growth after Y only, and the safety net protects the reset level."""
    funding = bfl * growth_at_last_change(share, base_share, growth)        # BFL x G_Y (BFL where unchanged)
    baseline = funding * ratio
    tariff, top_up = rules.tariff_and_top_up(baseline, funding)
    retained = rules.retained_rates_income(ratio * bfl * growth, tariff, top_up)
    levy = rules.levy(retained, funding, rules.individual_levy_rate(baseline, funding, cap))
    return retained - levy + rules.safety_net(retained, funding, threshold)


def growth_at_last_change(share: np.ndarray, base_share: float, growth: np.ndarray) -> np.ndarray:
    """For each place and year, the growth multiple reached in the year its local share last
    changed (1 where it never changed): the point a reset makes retained income continuous."""
    last = last_change(share, base_share)
    if (last < 0).all():
        return np.ones((1, 1, 1))
    shape = (growth.shape[0], *last.shape)
    at = np.take_along_axis(np.broadcast_to(growth, shape), np.broadcast_to(np.maximum(last, 0)[None], shape), axis=2)
    return np.where(last[None] >= 0, at, 1.0)


def last_change(share: np.ndarray, base_share: float) -> np.ndarray:
    """For each place and year, the year index in which its local share last changed (-1 if never),
    (places, years)."""
    before = np.concatenate([np.full((share.shape[0], 1), float(base_share)), share[:, :-1]], axis=1)
    years = np.arange(share.shape[1])
    return np.maximum.accumulate(np.where(share != before, years, -1), axis=1)


def settlement_and_grants(ctx: Context) -> np.ndarray:
    """Base-year spending less base-year council tax and retained rates, x (1 + grant growth)^k."""
    spending = sum(ctx.inputs.spending.values())
    rest = spending[None, :] - ctx.memo["council_tax_base_year"] - ctx.inputs.retained_rates[None, :]
    return np.multiply(rest[:, :, None], (1.0 + ctx.rate("grant_growth")) ** ctx.steps, out=ctx.new())


#: Resources, in run order (council tax first: the residual reads its base-year value).
RESOURCES: tuple[Component, ...] = (
    Component("council_tax", "Council tax", council_tax),
    Component("retained_business_rates", "Retained business rates", retained_business_rates,
              status="estimated: per-council rates baselines are not in the data, so each council's "
                     "2017-18 retained income (uprated) stands for its baseline and no levy is paid at "
                     "the base local share; growth and local-share effects are indicative"),
    Component("settlement_and_grants", "Settlement and other grants (grant growth assumption)",
              settlement_and_grants),
)
