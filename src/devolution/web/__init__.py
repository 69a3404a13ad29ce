"""The web layer: a FastAPI app with an open JSON/CSV API, dashboard pages and a resident budget
simulator. It never holds a formula: every figure comes from the Python API (``devolution.api``,
``devolution.analysis``, ``devolution.rules``, ``devolution.powers``). Start it with ``devo serve``.
"""

from devolution.web.app import create_app

__all__ = ["create_app"]
