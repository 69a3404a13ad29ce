"""devolution: English local government finance and devolution, computable and checkable.

The Python API returns pandas DataFrames::

    import devolution
    devolution.places(tier="unitary")            # the register of places
    devolution.series("population")              # one row per place, one column per year
    devolution.series("nce_education", boundaries=2023)   # on 2023-24 boundaries
    devolution.measures()                        # every measure, derived ones with their formula
    devolution.change("service_spending", 2010, 2014, by="place", region="North East", top=5)
    devolution.reorganise("cumbria-2023").councils   # a reorganisation proposal (YAML file or example)

Data come from the store (``devo data load`` fills it; ``DEVOLUTION_STORE`` names the file).
"""

from __future__ import annotations

import inspect
import types

from devolution import api
from devolution import places as _places_package
from devolution.api import change, check_history, crosswalk, measures, overview, reorganise, series

__version__ = "0.1.0"

__all__ = ["places", "series", "crosswalk", "overview", "change", "measures", "reorganise", "check_history"]


class _CallablePlaces(types.ModuleType):
    """``devolution.places`` is both the package (``devolution.places.crosswalk``) and the API
    function ``devolution.api.places``: calling the package calls the function, with its signature."""

    __call__ = staticmethod(api.places)


_places_package.__class__ = _CallablePlaces
_places_package.__signature__ = inspect.signature(api.places)  # what editors and help() show
places = _places_package
