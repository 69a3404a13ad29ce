"""The register of places and how their boundaries changed: tiers, hierarchy, crosswalks.

``devolution.places(...)`` lists the register: this package is callable, so the name serves both
as the package (``devolution.places.crosswalk``) and as the API function (``devolution.api.places``).
"""

import sys
import types


class _CallablePackage(types.ModuleType):
    def __call__(self, *args, **kwargs):
        from devolution.api import places

        return places(*args, **kwargs)


sys.modules[__name__].__class__ = _CallablePackage
