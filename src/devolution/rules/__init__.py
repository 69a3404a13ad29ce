"""Rules: pure functions from arrays (one element per place or property) and parameters to arrays.

No I/O, no globals, no loops over rows; each docstring cites the statute or official method.
"""
