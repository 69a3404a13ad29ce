"""The public Python API, re-exported by ``devolution``: every function returns pandas DataFrames."""

from __future__ import annotations


def places(tier: str | None = None, region: str | None = None, county: str | None = None,
           strategic_authority: str | None = None, year: int | None = None,
           include_former: bool = False, store=None):
    """The register of places (current ones unless ``year`` or ``include_former`` is given)."""
    from devolution.places.register import select

    with open_store(store) as s:
        return select(s.places(), tier=tier, region=region, county=county,
                      strategic_authority=strategic_authority, year=year, include_former=include_former)


def crosswalk(year: int, store=None):
    """``from_code, to_code, weight`` onto the boundaries in force in financial year ``year``."""
    from devolution.places.crosswalk import DRIVERS, crosswalk as build

    with open_store(store) as s:
        return build(s.places(), year, s.observations(list(DRIVERS)))


def series(measure: str, boundaries: int | None = None, years=None, wide: bool = True, store=None):
    """One measure for every place: wide (a row per place, a column per year) or long. A derived
    measure (``measures()``, e.g. ``service_spending``) is computed from its lines.

    ``boundaries``: put the series on the places in force in that financial year first, summing
    merged places and sharing out split ones (totals are kept). Places made after that year (e.g.
    a combined authority of 2024 on 2023 boundaries) cannot be moved back: their rows are left
    out and named in ``.attrs["not_on_boundaries"]``.
    """
    from devolution.places.crosswalk import DRIVERS, crosswalk as build, to_boundaries

    from devolution.analysis.measures import observations

    left_out: list[str] = []
    with open_store(store) as s:
        long = observations(s, measure, years=years)[["code", "year", "value"]]
        all_places = s.places()
        if boundaries is not None:
            walk = build(all_places, boundaries, s.observations(list(DRIVERS)))
            later = ~long["code"].isin(walk["from_code"])
            left_out = sorted(set(long.loc[later, "code"]))
            long = to_boundaries(long[~later], walk)
    if wide:
        table = long.pivot(index="code", columns="year", values="value")
        names = all_places.set_index("code")[["name", "tier"]]
        out = names.join(table, how="inner").reset_index().rename(columns={"index": "code"})
    else:
        out = long.merge(all_places[["code", "name", "tier"]], on="code", how="left")
    out.attrs["not_on_boundaries"] = left_out
    return out


def measures(store=None):
    """Every measure: the store's lines (unit, publication, years) and the derived measures with
    their formula (``devolution.analysis.measures``)."""
    from devolution.analysis.measures import catalogue

    with open_store(store) as s:
        return catalogue(s)


def overview(store=None):
    """The England overview: CSP and net current expenditure per head, by council, region, type."""
    from devolution.analysis.overview import england_overview

    with open_store(store) as s:
        return england_overview(s)


def reorganise(proposal, store=None, **knobs):
    """A local government reorganisation: ``proposal`` is a YAML file, a mapping in the proposal
    format or the name of a shipped example (``"cumbria-2023"``). Knobs: ``harmonisation_years``,
    ``referendum``, ``increase``, ``drivers`` ({service: driver}), ``spending_year``, ``on`` (the
    date of the strategic authority). Returns a ``Result``: ``.councils``, ``.tables()``,
    ``.notes``, ``.map`` (see ``devolution.analysis.reorganisation`` and docs/reorganisation.md)."""
    from devolution.analysis.reorganisation import read_inputs, reorganise as run

    with open_store(store) as s:
        inputs = read_inputs(s)
    return run(proposal, inputs, **knobs)


def check_history(store=None):
    """Every historical example proposal against the new councils' published first-year figures."""
    from devolution.analysis.reorganisation import check_history as check, read_inputs

    with open_store(store) as s:
        return check(read_inputs(s))


class open_store:
    """Use the given store, or open the default one read-only for the duration."""

    def __init__(self, store):
        self.given = store
        self.opened = None

    def __enter__(self):
        if self.given is not None:
            return self.given
        from devolution.store import Store

        self.opened = Store(read_only=True)
        return self.opened

    def __exit__(self, *exc):
        if self.opened is not None:
            self.opened.close()


def change(*args, **kwargs):
    """How a measure changed between two years, by a grouping or (``by="place"``) council by council,
    ranked (see ``devolution.analysis.change``); for cuts questions, ``"service_spending"`` (like for like)."""
    from devolution.analysis.change import change as run

    return run(*args, **kwargs)
