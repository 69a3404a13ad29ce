"""Local government reorganisation: model any proposed set of new unitary councils.

A proposal (YAML, :mod:`.proposal`) names new councils, each a list of current councils, with a
vesting date. :func:`reorganise` gives for each new council its people and homes, its
predecessors' council tax and notional Band D, the harmonisation of its predecessor areas' bills,
its spending by service with the county's services shared out by drivers, the unitaries of
similar population, its strategic authority and devolution level, and a map. :func:`check_history`
holds the shipped historical examples against the new councils' published figures.
docs/reorganisation.md gives the method.

    from devolution.analysis import reorganisation
    from devolution.store import Store
    with Store(read_only=True) as store:
        inputs = reorganisation.read_inputs(store)
    result = reorganisation.reorganise("cumbria-2023", inputs, harmonisation_years=5)
    result.councils, result.council_tax.harmonisation, result.spending.by_service
"""

from devolution.analysis.reorganisation.history import check_history, historical_examples, to_the_penny
from devolution.analysis.reorganisation.inputs import Inputs
from devolution.analysis.reorganisation.inputs import read as read_inputs
from devolution.analysis.reorganisation.proposal import Proposal, ProposalProblems
from devolution.analysis.reorganisation.run import COLOURS, Result, example_names, raw_proposal, reorganise
from devolution.analysis.reorganisation.spending import DEFAULT_DRIVERS, DRIVERS, service_name

__all__ = ["COLOURS", "DEFAULT_DRIVERS", "DRIVERS", "Inputs", "Proposal", "ProposalProblems", "Result",
           "check_history", "example_names", "historical_examples", "raw_proposal", "read_inputs", "reorganise",
           "service_name", "to_the_penny"]
