"""The public face (``devolution.api``, re-exported by ``devolution``): an analyst's editor shows each
function's real parameters, and they carry the names ``devo`` gives the same things."""

from __future__ import annotations

import inspect

import pytest
from typer.models import OptionInfo

import devolution
from devolution import api
from devolution.cli import places as places_commands
from devolution.cli import reports as report_commands


def test_every_public_function_shows_its_real_parameters():
    for name in devolution.__all__:
        kinds = {p.kind for p in inspect.signature(getattr(devolution, name)).parameters.values()}
        assert not kinds & {inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD}, name
    assert inspect.signature(devolution.places) == inspect.signature(api.places)  # the callable package


def test_change_takes_exactly_what_the_analysis_takes():
    from devolution.analysis.change import change

    public, inner = inspect.signature(api.change).parameters, inspect.signature(change).parameters
    assert list(public) == list(inner)
    assert [(p.kind, p.default) for p in public.values()] == [(p.kind, p.default) for p in inner.values()]


def option_names(command) -> set[str]:
    """A typer command's options as Python names (``--area-type`` -> ``area_type``; an option given
    no name is called after its parameter)."""
    names = set()
    for parameter in inspect.signature(command).parameters.values():
        if isinstance(parameter.default, OptionInfo):
            declared = [d for d in parameter.default.param_decls or () if d.startswith("--")]
            names |= {d[2:].replace("-", "_") for d in declared} or {parameter.name}
    return names


@pytest.mark.parametrize("function, command, apart", [
    (api.places, places_commands.places_list, {"store"}),
    # ``from`` is a Python keyword: --from and --to are the positional first and last.
    (api.change, report_commands.change_command, {"measure", "first", "last", "store", "parameters"}),
])
def test_the_api_names_things_as_the_command_line_does(function, command, apart):
    assert set(inspect.signature(function).parameters) - apart <= option_names(command)
