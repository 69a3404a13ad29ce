"""The register of places and how their boundaries changed: tiers, names, hierarchy, crosswalks.

Functions here take the register as a DataFrame and read no store. ``devolution.places(...)``, the
API function that lists the register, is this package made callable by ``devolution/__init__.py``.
"""
