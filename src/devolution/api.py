"""The public Python API, re-exported by ``devolution``: every function returns pandas DataFrames.

Arguments are named as ``devo``'s options for the same things (``devo places list --former`` is
``places(former=True)``, ``devo change --prices 2024-25`` is ``change(..., prices="2024-25")``).
Every function reads the store given as ``store``, or the default one (``DEVOLUTION_STORE``) opened
read-only for the call. The modules behind them are imported inside each function, so that
``import devolution`` (and ``devo --help``) stays fast.

A financial year is taken as ``devo`` takes it: ``2017``, ``"2017"``, ``"2017-18"`` or ``"2017/18"``
(:func:`devolution.years.parse_year`); anything else is refused with the command line's message
(``not a financial year: ...``). ``store`` is given by name only.
"""

from __future__ import annotations


def places(tier: str | None = None, region: str | None = None, county: str | None = None,
           strategic_authority: str | None = None, year: int | str | None = None,
           former: bool = False, *, store=None):
    """The register of places: current ones unless ``year`` (those in force on 1 April of that
    financial year) or ``former`` (abolished places and former codes too) is given. ``tier``: one
    or more tiers, comma-separated; ``region``, ``county``, ``strategic_authority``: a code or name
    (a strategic authority's members on the day, by its membership over time; an authority or
    county that has ended, without ``year``: its places on its last day, ``attrs["note"]`` saying
    so). A ``PlaceError`` when the region, county or authority was not in being on the day."""
    from devolution.places.register import register_year, select
    from devolution.powers.authorities import Authorities
    from devolution.store import open_store
    from devolution.years import parse_year

    with open_store(store) as s:
        held = s.places()
        year = None if year is None else register_year(held, parse_year(year))
        # an authority's members on the day, from its membership over time (as the place budget reads
        # it), not the register's one current authority per place
        authorities = Authorities.from_store(s)
        return select(held, tier=tier, region=region, county=county, strategic_authority=strategic_authority,
                      year=year, former=former, members=authorities.member_codes,
                      membership=authorities.membership_on)


def crosswalk(year: int | str, *, store=None):
    """``from_code, to_code, weight`` onto the boundaries in force in financial year ``year``."""
    from devolution.places.crosswalk import DRIVERS, crosswalk as build
    from devolution.store import open_store
    from devolution.years import parse_year

    with open_store(store) as s:  # a year the register does not describe is refused by the crosswalk
        return build(s.places(), parse_year(year), s.observations(list(DRIVERS)))


def series(measure: str, boundaries: int | str | None = None, years=None, wide: bool = True, *, store=None):
    """One measure for every place: wide (a row per place, a column per year) or long. A derived
    measure (``measures()``, e.g. ``service_spending``) is computed from its lines.

    ``boundaries``: put the series on the places in force in that financial year first, summing
    merged places and sharing out split ones (totals are kept). Places made after that year (e.g.
    a combined authority of 2024 on 2023 boundaries) cannot be moved back: their rows are left
    out and named in ``.attrs["not_on_boundaries"]``. A place is missing (NaN) in a year when one
    of the places that made it up then has no figure ("not reported in full", never counted as 0):
    ``.attrs["not_in_full"]`` lists each with the codes that did not report. ``years``: a year or a
    list of years (``[2017, "2018-19"]``); every year held if omitted.
    """
    from devolution.analysis.measures import observations
    from devolution.places.crosswalk import DRIVERS, crosswalk as build, to_boundaries_in_full
    from devolution.places.register import register_year
    from devolution.store import open_store
    from devolution.years import parse_year

    left_out: list[str] = []
    not_in_full = None
    if years is not None:
        years = [parse_year(y) for y in ([years] if isinstance(years, (str, int)) else years)]
    boundary_year = None if boundaries is None else parse_year(boundaries)
    with open_store(store) as s:
        long = observations(s, measure, years=years)[["code", "year", "value"]]
        all_places = s.places()
        if boundary_year is not None:
            register_year(all_places, boundary_year, "boundaries")
            walk = build(all_places, boundary_year, s.observations(list(DRIVERS)))
            later = ~long["code"].isin(walk["from_code"])
            left_out = sorted(set(long.loc[later, "code"]))
            long = to_boundaries_in_full(long[~later], walk, all_places)
            not_in_full = long.attrs["not_in_full"]
    if wide:
        table = long.pivot(index="code", columns="year", values="value")
        names = all_places.set_index("code")[["name", "tier"]]
        out = names.join(table, how="inner").reset_index().rename(columns={"index": "code"})
    else:
        out = long.merge(all_places[["code", "name", "tier"]], on="code", how="left")
    out.attrs["not_on_boundaries"] = left_out
    if not_in_full is not None:
        out.attrs["not_in_full"] = not_in_full
    return out


def measures(*, store=None):
    """Every measure: the store's lines (unit, publication, years) and the derived measures with
    their formula (``devolution.analysis.measures``)."""
    from devolution.analysis.measures import catalogue
    from devolution.store import open_store

    with open_store(store) as s:
        return catalogue(s)


def overview(*, store=None):
    """The England overview: CSP and net current expenditure per head, by council, region, type."""
    from devolution.analysis.overview import england_overview
    from devolution.store import open_store

    with open_store(store) as s:
        return england_overview(s)


def reorganise(proposal, *, years: int | None = None, referendum: bool | None = None,
               increase: float | str | None = None, drivers: dict[str, str] | None = None,
               spending_year: int | str | None = None, on=None, store=None, parameters=None):
    """A local government reorganisation (``devo reorganise``): ``proposal`` is a YAML file, a
    mapping in the proposal format or the name of a shipped example (``"cumbria-2023"``). The
    options take the place of the proposal's own values: ``years`` of Band D harmonisation,
    ``referendum``, ``increase`` (``"max"`` or a share such as 0.0299), ``drivers`` ({service:
    driver}), ``spending_year``; ``on`` is the date (``datetime.date``) the strategic authority is
    looked up (today if None). Returns a ``Result``: ``.councils``, ``.tables()``, ``.notes``,
    ``.map`` (see ``devolution.analysis.reorganisation`` and docs/reorganisation.md). Errors:
    ``ProposalError`` / ``ProposalProblems`` naming the bad input."""
    from devolution.analysis.reorganisation import read_inputs, reorganise as run
    from devolution.store import open_store

    with open_store(store) as s:
        inputs = read_inputs(s)
    return run(proposal, inputs, on=on, tree=parameters, harmonisation_years=years, referendum=referendum,
               increase=increase, drivers=drivers, spending_year=spending_year)


def check_history(store=None, parameters=None):
    """Every historical example proposal against the new councils' published first-year figures
    (``devo reorganise --check-history``)."""
    from devolution.analysis.reorganisation import check_history as check, read_inputs
    from devolution.store import open_store

    with open_store(store) as s:
        return check(read_inputs(s), tree=parameters)


def change(measure: str, first: int | str, last: int | str, by: str = "england", *,
           prices: int | str | None = None, per: str | None = None, boundaries: int | str = 2023,
           places: list[str] | None = None, top: int | None = None, bottom: int | None = None,
           region: str | None = None, type: str | None = None, store=None, parameters=None):
    """How a measure changed between two financial years (``devo change``): per resident (``per``:
    child, older, looked_after_child, total; Band D is per Band D equivalent and refuses another) by a grouping (``by``: england, region, type, nmsl,
    deprivation, ..., places) or council by council, ranked (``by="place"``, narrowed by ``region``,
    ``type``, ``top``, ``bottom``), in cash or at ``prices`` ("2024-25"), on the councils of
    ``boundaries``. For cuts questions, ``"service_spending"`` (like for like). See
    ``devolution.analysis.change.change`` for the table returned and the errors raised."""
    from devolution.analysis.change import change as compute

    return compute(measure, first, last, by, prices=prices, per=per, boundaries=boundaries, places=places,
                   top=top, bottom=bottom, region=region, type=type, store=store, parameters=parameters)
