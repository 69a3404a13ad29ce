"""Business rates retention 2013-14 to 2025-26: tariffs and top-ups, retained income, levy and
safety net, and pools.

Local Government Finance Act 1988 Schedule 7B (inserted by the Local Government Finance Act 2012);
The Non-Domestic Rating (Rates Retention) Regulations 2013 (SI 2013/452); The Non-Domestic Rating
(Levy and Safety Net) Regulations 2013 (SI 2013/737) and amendments (SI 2018/463, SI 2019/709).
Arrays have one element per authority (or pool); any leading axis (variants) broadcasts. National
totals are explicit arguments, never summed inside a per-place formula. ``out``: an array of the
result's shape (not one of the inputs) to write the result into, as numpy's ``out=``: a sweep
writes its results in place, block by block, rather than into fresh memory per step.
"""

from __future__ import annotations

import numpy as np


def local_share_income(non_domestic_rating_income: np.ndarray, local_share: np.ndarray | float,
                       tier_share: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """An authority's share of its billing area's non-domestic rating income: the local share (the
    part not paid as the central share) times the authority's tier share of it (SI 2013/452
    regs 3-5: e.g. a two-tier district 80% and its county 20% of the local share)."""
    income = np.multiply(np.asarray(non_domestic_rating_income, dtype=np.float64),
                         np.asarray(local_share, dtype=np.float64), out=out)
    return _then(np.multiply, income, np.asarray(tier_share, dtype=np.float64))


def tier_shares(is_county: np.ndarray, county_is_fire_authority: np.ndarray, is_london_borough: np.ndarray,
                has_separate_fire: np.ndarray, county_share: float, county_share_without_fire: float,
                fire_share: float, gla_share: float) -> tuple[np.ndarray, np.ndarray]:
    """Each authority's share of the local share, and the share its billing area pays to precepting
    authorities (SI 2013/452 reg 5(3) and reg 6(3): county 20% (18% where not the fire authority),
    separate fire 2%, GLA 40% (37% from 2017-18)). A county's own share is returned for county rows;
    a billing authority keeps what is not paid to its preceptors."""
    county = np.asarray(is_county, dtype=bool)
    county_fire = np.asarray(county_is_fire_authority, dtype=bool)
    london = np.asarray(is_london_borough, dtype=bool)
    fire = np.asarray(has_separate_fire, dtype=bool)
    county_part = np.where(county_fire, county_share, county_share_without_fire)
    paid_out = np.where(london, gla_share, 0.0) + np.where(fire, fire_share, 0.0)
    own = np.where(county, county_part, 1.0 - paid_out)
    return own, paid_out


def tariff_and_top_up(business_rates_baseline: np.ndarray, baseline_funding_level: np.ndarray,
                      out: tuple[np.ndarray, np.ndarray] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Tariff (paid by an authority whose baseline exceeds its baseline funding level) and top-up
    (received where it falls short), fixed at set-up (LGFA 1988 Sch.7B Part 5, paras 13-20).
    ``out``: the pair of arrays to write them into."""
    brb = np.asarray(business_rates_baseline, dtype=np.float64)
    bfl = np.asarray(baseline_funding_level, dtype=np.float64)
    tariff_out, top_up_out = (None, None) if out is None else out
    tariff = _then(np.maximum, np.subtract(brb, bfl, out=tariff_out), 0.0)
    return tariff, _then(np.maximum, np.subtract(bfl, brb, out=top_up_out), 0.0)


def individual_levy_rate(business_rates_baseline: np.ndarray, baseline_funding_level: np.ndarray,
                         levy_rate_cap: np.ndarray | float, out: np.ndarray | None = None) -> np.ndarray:
    """Individual levy rate: 1 - BFL/BRB, never below 0 (top-up authorities pay no levy) and capped
    (SI 2013/737 reg 6(1)-(2), cap 0.5; from 2017-18 on the 2017 BFL and BRB, SI 2018/463 reg 14)."""
    brb = np.asarray(business_rates_baseline, dtype=np.float64)
    bfl = np.asarray(baseline_funding_level, dtype=np.float64)
    cap = np.asarray(levy_rate_cap, dtype=np.float64)
    ratio = np.empty(np.broadcast_shapes(brb.shape, bfl.shape, cap.shape)) if out is None else out
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(bfl, brb, out=ratio)
    no_baseline = ~(brb > 0)
    if no_baseline.any():   # (a masked divide, where=, is several times slower on a sweep)
        np.copyto(ratio, 1.0, where=no_baseline)
    return np.minimum(np.maximum(np.subtract(1.0, ratio, out=ratio), 0.0, out=ratio), cap, out=ratio)


def retained_rates_income(local_share_income: np.ndarray, tariff: np.ndarray, top_up: np.ndarray,
                          section_31_grants: np.ndarray | float = 0.0, out: np.ndarray | None = None
                          ) -> np.ndarray:
    """Retained rates income: the authority's share of rates income, less its tariff, plus its
    top-up and the s31 grants counted with it (SI 2013/737 reg 4 and Sch.1)."""
    retained = np.subtract(np.asarray(local_share_income, dtype=np.float64), np.asarray(tariff, dtype=np.float64),
                           out=out)
    retained = _then(np.add, retained, np.asarray(top_up, dtype=np.float64))
    return _then(np.add, retained, np.asarray(section_31_grants, dtype=np.float64))


def levy(retained_rates_income: np.ndarray, baseline_funding_level: np.ndarray,
         individual_levy_rate: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Levy on growth: the individual levy rate times retained income above the baseline funding
    level, nothing when income is at or below it (SI 2013/737 reg 7 and Sch.3)."""
    growth = np.subtract(np.asarray(retained_rates_income, dtype=np.float64),
                         np.asarray(baseline_funding_level, dtype=np.float64), out=out)
    return _then(np.multiply, _then(np.maximum, growth, 0.0), np.asarray(individual_levy_rate, dtype=np.float64))


def safety_net(retained_rates_income: np.ndarray, baseline_funding_level: np.ndarray,
               safety_net_threshold: np.ndarray | float, out: np.ndarray | None = None) -> np.ndarray:
    """Safety net payment: what brings retained income up to the threshold share (92.5%) of the
    baseline funding level (SI 2013/737 regs 6(3) and 8)."""
    floor = np.multiply(np.asarray(safety_net_threshold, dtype=np.float64),
                        np.asarray(baseline_funding_level, dtype=np.float64), out=out)
    shortfall = _then(np.subtract, floor, np.asarray(retained_rates_income, dtype=np.float64))
    return _then(np.maximum, shortfall, 0.0)


def retained_at_baseline(baseline_funding_level: np.ndarray, growth_multiple: np.ndarray,
                         safety_net_threshold: np.ndarray | float) -> np.ndarray:
    """Retained income after levy and safety net for an authority whose business rates baseline
    equals its baseline funding level (no tariff or top-up): the individual levy rate is 0, so the
    rules above reduce to BFL x max(growth multiple, threshold). Equal to running them in full
    (tested); used where a whole array of authorities is in that position."""
    return (np.asarray(baseline_funding_level, dtype=np.float64)
            * np.maximum(growth_multiple, np.asarray(safety_net_threshold, dtype=np.float64)))


def pool_totals(values: np.ndarray, pool: np.ndarray, pools: int) -> np.ndarray:
    """Sum each authority's value into its pool (a pool is treated as a single authority,
    SI 2013/737 reg 3; its baseline and BFL are the sums of its members', reg 5(4)).
    ``pool`` is an int array of pool numbers 0..pools-1; the last axis is the authority axis.
    Returns (..., pools), 0 for a pool without members: the members taken in pool order (no
    gather when they already are) and each pool's run of columns summed by one ``np.add.reduceat``
    over every leading row (variant) at once."""
    values = np.asarray(values, dtype=np.float64)
    pool = np.asarray(pool, dtype=np.int64)
    if pool.size == 0:
        return np.zeros(values.shape[:-1] + (pools,))
    order = np.argsort(pool, kind="stable")
    present, starts = np.unique(pool[order], return_index=True)
    if (order != np.arange(len(order))).any():
        values = np.take(values, order, axis=-1)
    sums = np.add.reduceat(values, starts, axis=-1)
    if len(present) == pools:
        return sums
    out = np.zeros(values.shape[:-1] + (pools,))
    out[..., present] = sums
    return out


def growth_kept(retained_rates_income: np.ndarray, baseline_funding_level: np.ndarray, levy: np.ndarray,
                safety_net: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """What the authority keeps relative to its baseline funding level after levy and safety net."""
    kept = np.subtract(np.asarray(retained_rates_income, dtype=np.float64),
                       np.asarray(baseline_funding_level, dtype=np.float64), out=out)
    kept = _then(np.subtract, kept, np.asarray(levy, dtype=np.float64))
    return _then(np.add, kept, np.asarray(safety_net, dtype=np.float64))


def _then(ufunc, partial, *others):
    """``ufunc(partial, *others)``, written over ``partial`` (a temporary of the rule's own or its
    ``out``, never an argument) when it is an array of the result's shape: the same numbers without
    a fresh array per step (on a sweep's variants x authorities, fresh memory costs more than the
    arithmetic)."""
    fits = isinstance(partial, np.ndarray) and partial.shape == np.broadcast_shapes(
        partial.shape, *(np.shape(o) for o in others))
    return ufunc(partial, *others, out=partial if fits else None)
