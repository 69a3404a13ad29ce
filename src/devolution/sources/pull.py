"""Fetch the official originals from their official URLs into a folder (``devo data pull``).

Each file is streamed to a hidden temporary file in the target folder and renamed over its final
name only when complete, so a failed or interrupted download never leaves a half-written file
(and never replaces a good one). An official file that cannot stand in for the tidy CSV the
parser reads (a workbook) is also converted to that CSV (``official_layouts.DERIVED``), so the
folder loads with ``devo data load``.

The HTTP client can be passed in (``client=``), which is how the tests serve files without a
network (``httpx.MockTransport``).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from devolution.errors import DataError, DevolutionError
from devolution.sources.base import Download, Publication

#: Seconds to wait to connect, and between bytes once connected.
TIMEOUT = httpx.Timeout(60.0, connect=20.0)
USER_AGENT = "devolution/0.1 (devo data pull)"

#: ``progress(download, bytes_so_far, total_bytes_or_None)``, called as bytes arrive.
Progress = Callable[[Download, int, "int | None"], None]


class PullError(DevolutionError):
    """A download that failed (HTTP error, timeout, no connection); names the URL."""

    def __init__(self, message: str, report: "PullReport | None" = None):
        super().__init__(message)
        self.report = report


@dataclass
class Pulled:
    """One file fetched: its publication, URL, where it was saved and its size."""

    publication: str
    url: str
    path: Path
    size: int
    derived: list[Path] = field(default_factory=list)


@dataclass
class PullReport:
    """What a pull did: files fetched, downloads that failed (URL and reason), publications with no
    download URL (landing page only)."""

    pulled: list[Pulled] = field(default_factory=list)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (publication, url, reason)
    no_download: list[str] = field(default_factory=list)


def pull(directory: Path | str, publications: Sequence[Publication] | None = None, *,
         client: httpx.Client | None = None, progress: Progress | None = None,
         stop_on_error: bool = False) -> PullReport:
    """Download every publication's official files into ``directory`` (created if need be).

    Files already complete are fetched again and replaced only once the new copy is whole. Every
    download is tried; if any failed, a ``PullError`` naming each failed URL is raised at the end
    (its ``report`` says what did succeed). ``stop_on_error`` raises at the first failure instead.
    """
    if publications is None:
        from devolution.sources import PUBLICATIONS

        publications = PUBLICATIONS
    directory = Path(directory).expanduser()
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DevolutionError(f"cannot create the folder {directory}: {exc.strerror or exc}") from exc
    report = PullReport()
    with _client(client) as http:
        for item in publications:
            if not item.downloads:
                report.no_download.append(item.id)
                continue
            for download in item.downloads:
                try:
                    path, size, derived = fetch(http, download, directory, progress)
                except OSError as exc:  # the folder, not the URL: no point trying the others
                    raise DevolutionError(f"cannot write {download.filename} in {directory}: "
                                          f"{exc.strerror or exc}") from exc
                except PullError as exc:
                    report.failed.append((item.id, download.url, str(exc)))
                    if stop_on_error:
                        exc.report = report
                        raise
                    continue
                report.pulled.append(Pulled(item.id, download.url, path, size, derived))
    if report.failed:
        lines = "; ".join(reason for _, _, reason in report.failed)
        raise PullError(f"{len(report.failed)} download(s) failed: {lines}", report)
    return report


@contextmanager
def _client(client: httpx.Client | None) -> Iterator[httpx.Client]:
    if client is not None:
        yield client
        return
    with httpx.Client(timeout=TIMEOUT, follow_redirects=True,
                      headers={"User-Agent": USER_AGENT}) as owned:
        yield owned


def fetch(client: httpx.Client, download: Download, directory: Path,
          progress: Progress | None = None) -> tuple[Path, int, list[Path]]:
    """Stream one file to a temporary name in ``directory``, check it, then rename it into place.

    An official file listed in ``official_layouts.DERIVED`` must read in its layout before it is
    kept, and the tidy CSV it yields is written next to it. Returns the final path, its size in
    bytes and the derived files. On any failure the temporary files are removed and a
    ``PullError`` naming the URL is raised; existing files of those names are left as they were.
    """
    url = download.url
    target = directory / download.filename
    temporaries: list[Path] = []
    try:
        temporary = _temporary(directory, download.filename, temporaries)
        size = 0
        with temporary.open("wb") as out:
            try:
                with client.stream("GET", url, follow_redirects=True) as response:
                    if response.status_code >= 400:
                        raise PullError(f"{url} returned HTTP {response.status_code} "
                                        f"{response.reason_phrase}".rstrip())
                    length = response.headers.get("Content-Length")
                    total = int(length) if length and length.isdigit() else None
                    if progress:
                        progress(download, 0, total)
                    for chunk in response.iter_bytes(1 << 16):
                        out.write(chunk)
                        size += len(chunk)
                        if progress:
                            progress(download, size, total)
                    if total is not None and size < total:
                        raise PullError(f"{url}: connection closed after {size:,} of {total:,} bytes")
            except httpx.TimeoutException as exc:
                raise PullError(f"{url} timed out ({type(exc).__name__})") from exc
            except httpx.HTTPError as exc:
                raise PullError(f"{url} could not be fetched: {exc or type(exc).__name__}") from exc
            out.flush()
            os.fsync(out.fileno())
        placed = _derive(temporary, download, directory, temporaries)
        placed.append((temporary, target))
        for source, destination in placed:
            os.replace(source, destination)
    except BaseException:
        for path in temporaries:
            path.unlink(missing_ok=True)
        raise
    return target, size, [destination for _, destination in placed[:-1]]


def _temporary(directory: Path, name: str, made: list[Path]) -> Path:
    """A new hidden file in ``directory`` (``.name.XXXX.part.ext``: ignored by ``devo data load``,
    same extension so readers recognise the format)."""
    handle, path = tempfile.mkstemp(prefix=f".{name}.", suffix=f".part{Path(name).suffix}", dir=directory)
    os.close(handle)
    made.append(Path(path))
    return Path(path)


def _derive(path: Path, download: Download, directory: Path, made: list[Path]) -> list[tuple[Path, Path]]:
    """The tidy CSV an official file yields (``official_layouts.DERIVED``), written to a temporary
    file: ``[(temporary, final path)]``, or ``[]`` for a file the parsers read as it is."""
    from devolution.sources.official_layouts import DERIVED

    if download.filename not in DERIVED:
        return []
    name, reader = DERIVED[download.filename]
    try:
        frame = reader(path)
    except DataError as exc:
        raise PullError(f"{download.url} was downloaded but is not in the expected layout "
                        f"({exc.reason})") from exc
    temporary = _temporary(directory, name, made)
    frame.to_csv(temporary, index=False)
    return [(temporary, directory / name)]
