"""The project's own exceptions: each says what was wrong, where, and what was expected."""

from __future__ import annotations


class DevolutionError(Exception):
    """Base class: the CLI prints these as one clear line and exits non-zero."""


class DataError(DevolutionError):
    """A data file that cannot be loaded: names the file, row and column."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None):
        self.file, self.row, self.column, self.reason = file, row, column, message
        where = ", ".join(
            part for part in (
                f"file {file}" if file else "",
                f"row {row}" if row is not None else "",
                f"column {column!r}" if column else "",
            ) if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class StoreError(DevolutionError):
    """The store is missing, empty or lacks a table the command needs."""


class PlaceError(DevolutionError):
    """An unknown place code or name, or a crosswalk that cannot be built."""


class ParameterError(DevolutionError):
    """A parameter path, date or value that is not valid."""


class KeyPathProblems:
    """Every problem of one input file, each with its key path (``assumptions.inflation.sd``,
    ``councils.0.members.2``), as one message: ``{KIND} {source}: N problems: path: message; ...``.
    Mixed into the file kind's error class (``ScenarioProblems``, ``ProposalProblems``); picklable,
    so problems found in another process (Dask) arrive whole."""

    KIND = "file"

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source, self.problems = source, problems
        listed = "; ".join(f"{path}: {message}" for path, message in problems)
        word = "problem" if len(problems) == 1 else "problems"
        super().__init__(f"{self.KIND} {source}: {len(problems)} {word}: {listed}")

    def __reduce__(self):
        return (type(self), (self.source, self.problems))


class ScenarioError(DevolutionError):
    """A scenario file with a problem; names the key path."""


class ProposalError(DevolutionError):
    """A reorganisation proposal with a problem; names the key path (``councils.0.members.2``)."""


class OutputError(DevolutionError):
    """A file the user asked for that cannot be written: names the path, the reason, and the
    suffixes the command can write."""
