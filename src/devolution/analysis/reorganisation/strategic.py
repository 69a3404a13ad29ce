"""The strategic authority a proposal's area belongs to, or could form, and the devolution level
it reaches under the framework (``powers``: the English Devolution and Community Empowerment Act
2026 s.1 levels, the White Paper's readiness criteria).

An area already in a combined (county) authority keeps it: its level is that authority's, scored
by ``powers.readiness.assess`` on the date. An area in none could form one of its new councils
(non-mayoral: a combined foundation strategic authority, s.1(4); with a mayor: a mayoral strategic
authority, s.1(5)), or a new unitary could be designated a single foundation strategic authority
(s.1(3)); the framework's default population of 1.5 million is shown against the area's.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from devolution.analysis.reorganisation import areas
from devolution.analysis.reorganisation.proposal import Checked
from devolution.places.register import in_force
from devolution.places.tiers import BILLING_TIERS
from devolution.powers import mayors as mayors_module
from devolution.powers.framework import act_level, parameter
from devolution.powers.readiness import assess
from devolution.years import financial_year_of


def compute(checked: Checked, inputs, population: pd.Series, on: dt.date) -> tuple[pd.DataFrame, list[str]]:
    """One row per new council: the strategic authority its area is in on ``on`` (through the
    councils in being then that cover it), its level, and the area's population against the
    framework's threshold. ``population``: each new council's residents (latest year held).
    ``proposal_population`` is the whole proposal's (the area that could form an authority), and
    ``meets_threshold`` is given only where the council is in none (blank where it is in one,
    partly or wholly: the authority's own area is what counts there)."""
    places = inputs.places
    register = inputs.authorities
    year = financial_year_of(on)
    now = places[in_force(places, year) & places["tier"].isin(BILLING_TIERS)]
    groups = areas.groups_of(checked.members.rename(columns={"council_name": "group"}), inputs.atoms)
    tiles, _ = areas.tiling(groups, inputs.atoms, now["code"])
    names = inputs.places.set_index("code")["name"]
    threshold = float(parameter("strategic_population"))
    area_people = float(population.sum())
    rows, notes = [], []
    for council in checked.names:  # a few new councils
        codes = tiles.loc[tiles["group"] == council, "code"].tolist()
        of = {c: register.authority_of(c, on) for c in codes}
        found = sorted({a for a in of.values() if a})
        outside = sorted(str(names.get(c, c)) for c, a in of.items() if not a)
        row = {"council": council, "strategic_authority": "", "name": "", "status": "", "readiness_level": "",
               "level_2026_act": "", "proposal_population": area_people, "threshold": threshold,
               "meets_threshold": None}
        if len(found) == 1 and not outside:
            code = found[0]
            authority = register.row(code)
            mayor = mayors_module.first_election(code)
            level = assess(places, inputs.population, code, on, register=register).level
            row.update(strategic_authority=code, name=str(names.get(code, code)), status="in",
                       readiness_level=level or "",
                       level_2026_act=act_level(authority["kind"], mayor is not None and mayor <= on, code, on)
                       if authority is not None else "")
        elif len(found) == 1:
            # partly in one authority: its level is the authority's area's, not this council's
            code = found[0]
            inside = sorted(str(names.get(c, c)) for c, a in of.items() if a == code)
            row.update(strategic_authority=code, name=str(names.get(code, code)),
                       status=f"partly in {names.get(code, code)} (members {', '.join(inside)} in; "
                              f"{', '.join(outside)} not)")
            notes.append(f"{council}: only part of its area is in {names.get(code, code)} ({code}): "
                         f"{', '.join(inside)} in, {', '.join(outside)} not. It does not have that authority's "
                         f"devolution level as a whole; the authority's area would have to change to take it in, or "
                         f"the new council go to another.")
        elif found:
            row.update(status="in several")
            notes.append(f"{council}: its area is in {', '.join(f'{names.get(c, c)} ({c})' for c in found)}: "
                         f"a new council in several strategic authorities would need one of them to change.")
        else:
            row.update(status="none: could form one", meets_threshold=area_people >= threshold,
                       level_2026_act=act_level("combined_authority", checked.proposal.strategic_authority.mayor, "",
                                                on))
        rows.append(row)
    table = pd.DataFrame(rows)
    if (table["status"] == "none: could form one").any():
        level = "mayoral" if checked.proposal.strategic_authority.mayor else "foundation"
        notes.append(f"Strategic authority: an area in none could form a combined authority of its new councils, "
                     f"a {level} strategic authority (English Devolution and Community Empowerment Act 2026 "
                     f"s.1({'5' if level == 'mayoral' else '4'})"
                     f"{'; mayoral from its first mayoral election' if level == 'mayoral' else ''}), or a new unitary "
                     f"could be designated a single foundation strategic authority (s.1(3)). The framework's default "
                     f"population is {threshold:,.0f} or above; the proposal's area has {area_people:,.0f}.")
    return table, notes
