"""Finding each publication's files in a folder, before anything is read.

A name that is there but is not a readable file (a folder, a symbolic link that loops or leads
nowhere), a publication with some of its required files and not the others, and a file over the
size limit are refused here, by name: nothing has been parsed and the store is not touched.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from devolution.errors import DataError
from devolution.sources.base import Publication

#: Suffixes of files a publication may be read from (others in the folder are not listed).
DATA_SUFFIXES = {".csv", ".geojson", ".json", ".ods", ".xlsx", ".xls"}


@dataclass
class Folder:
    """The files of each publication found whole in a folder, the publications absent, and the
    data files no publication reads."""

    found: dict[str, dict[str, Path]] = field(default_factory=dict)
    absent: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)


def find(directory: Path, publications: Sequence[Publication], max_file_bytes: int) -> Folder:
    """The publications in ``directory``.

    Raises ``DataError`` naming the file: for a name that is not a regular file, for a publication
    with some but not all of its required files (optional files stay optional), and for a file of
    more than ``max_file_bytes`` (checked before any file is read, so a huge file costs nothing).
    """
    folder = Folder()
    for item in publications:
        sizes = {name: size for name in item.files if (size := _size(directory, name)) is not None}
        missing = item.missing(set(sizes))
        if not missing:
            folder.found[item.id] = {name: directory / name for name in sizes}
        elif sizes:
            raise DataError(
                f"publication {item.id} is incomplete: {', '.join(missing)} is not in {directory}, "
                f"but {', '.join(sorted(sizes))} is; add the missing file (loading the others alone "
                f"would leave the publication partial), or move them out to keep what the store holds",
                file=missing[0])
        else:
            folder.absent.append(item.id)
        for name, size in sizes.items():
            if size > max_file_bytes:
                raise DataError(
                    f"is {_mb(size)} MB, over the limit of {_mb(max_file_bytes)} MB per file "
                    f"(the official files are far smaller); if the file is right, raise the limit with "
                    f"`devo data load --max-file-mb N` or DEVOLUTION_MAX_FILE_MB", file=name)
    known = {name for item in publications for name in item.files}
    folder.unrecognised = sorted(p.name for p in directory.iterdir()
                                 if p.name not in known and not p.name.startswith(".")
                                 and p.suffix in DATA_SUFFIXES and p.is_file())
    return folder


def _size(directory: Path, name: str) -> int | None:
    """The size of ``directory / name`` if it is a regular file, None if there is nothing there;
    anything else there is refused, saying what it is."""
    path = directory / name
    try:
        status = path.stat()  # follows symbolic links
    except FileNotFoundError:
        if path.is_symlink():
            raise DataError(f"is a broken symbolic link in {directory} (to {os.readlink(path)}, which does "
                            f"not exist)", file=name) from None
        return None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise DataError(f"is a symbolic link in {directory} that loops (it leads back to itself); "
                            f"expected a file", file=name) from None
        raise DataError(f"cannot be opened in {directory} ({exc.strerror})", file=name) from None
    if stat.S_ISDIR(status.st_mode):
        raise DataError(f"is a folder in {directory}; expected a file", file=name)
    if not stat.S_ISREG(status.st_mode):
        raise DataError(f"is not a regular file in {directory} (a device, pipe or socket); expected a file",
                        file=name)
    if not os.access(path, os.R_OK):
        raise DataError(f"cannot be read in {directory} (permission denied)", file=name)
    return status.st_size


def _mb(size: int) -> str:
    """Bytes as megabytes for a message: ``2,147`` or ``0.26``."""
    return f"{size / 1e6:,.0f}" if size >= 10e6 else f"{size / 1e6:.2g}"
