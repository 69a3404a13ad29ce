"""How figures are written in words, everywhere the project prints one (command line, web
messages, reports): thousands separated, never "-0.0", money with its sign before the pound sign
("-£50,000", not "£-50,000"), nothing printed for a missing value, and plurals that agree."""

from __future__ import annotations

import math


def _finite(value) -> float | None:
    """``value`` as a float, or None when it is missing (None, NaN, infinite)."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def number(value, decimals: int = 1) -> str:
    """``-1234.56`` -> ``"-1,234.6"``; a value that rounds to zero is ``"0.0"`` (never ``"-0.0"``);
    missing (None, NaN) -> ``""``."""
    found = _finite(value)
    if found is None:
        return ""
    return f"{round(found, decimals) + 0.0:,.{decimals}f}"


def money(value, decimals: int = 0, missing: str = "no figure") -> str:
    """Pounds with the sign first: ``-5e10`` -> ``"-£50,000,000,000"``, ``1234.5`` with 2 decimals
    -> ``"£1,234.50"``; missing (None, NaN) -> ``missing``."""
    found = _finite(value)
    if found is None:
        return missing
    text = number(abs(found), decimals)
    return f"-£{text}" if round(found, decimals) < 0 else f"£{text}"


def plural(count, word: str, many: str | None = None) -> str:
    """``1, "point"`` -> ``"1 point"``; ``2, "point"`` -> ``"2 points"`` (``many`` for an irregular
    plural); a count that is not whole is plural (``"1.5 points"``)."""
    shown = f"{count:,}" if isinstance(count, int) else f"{count:g}"
    return f"{shown} {word if count == 1 else (many or word + 's')}"
