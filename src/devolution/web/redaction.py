"""Secrets kept out of messages and logs.

Every form a database password takes in a connection string is replaced by ``***``: the userinfo
of a URL (``postgresql://user:PASSWORD@host``), a ``password=`` query parameter
(``postgresql://user@host/db?password=PASSWORD``) and a key=value conninfo or environment setting
(``host=h password=PASSWORD``, ``password='quoted value'``, ``PGPASSWORD=PASSWORD``). The server's
own secrets (the passwords inside ``DEVOLUTION_DB_URL`` and ``DEVOLUTION_ADMIN_PASSWORD``) are
also replaced wherever they appear, so a library that echoes one in another form is caught too.

:func:`redact` is for messages; :func:`formatter` builds the log formatters ``devo serve`` gives
uvicorn, so every log line (tracebacks included) is redacted before it is written.
"""

from __future__ import annotations

import functools
import logging
import os
import re
from urllib.parse import parse_qsl, unquote, urlsplit

DB_URL_ENV = "DEVOLUTION_DB_URL"
ADMIN_PASSWORD_ENV = "DEVOLUTION_ADMIN_PASSWORD"
MASK = "***"

#: ``scheme://user:PASSWORD@``: the password runs to the last ``@`` before the host (a raw ``@``
#: inside a password is common even though URLs should encode it).
_USERINFO = re.compile(r"(?P<keep>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^/\s]*(?=@)", re.IGNORECASE)
#: ``password=...`` as a query parameter, a conninfo keyword or an environment setting
#: (``PGPASSWORD``), quoted or not.
_KEYWORD = re.compile(r"(?P<keep>(?:pg)?pass(?:word|wd)\s*=\s*)(?:'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|[^\s&;,'\")]+)",
                      re.IGNORECASE)
#: A secret shorter than this is not searched for as plain text (it would mask ordinary words);
#: its forms above are still masked.
MIN_SECRET = 4


def passwords_in(connection: str) -> set[str]:
    """Every password a connection string carries (userinfo, ``password=`` query parameter or
    conninfo keyword), as written and percent-decoded."""
    found: set[str] = set()
    if "://" in connection:
        try:
            parts = urlsplit(connection)
            if parts.password:
                found.add(parts.password)
            found.update(v for k, v in parse_qsl(parts.query) if k.lower() == "password")
        except ValueError:  # a malformed URL (a bad port): the patterns below still apply
            pass
    for match in _KEYWORD.finditer(connection):
        found.add(match.group(0)[len(match.group("keep")):].strip("'\""))
    return {p for p in found | {unquote(p) for p in found} if p}


@functools.lru_cache(maxsize=8)
def _secrets_of(db_url: str, admin_password: str) -> tuple[str, ...]:
    found = passwords_in(db_url) | ({admin_password} if admin_password else set())
    return tuple(sorted((s for s in found if len(s) >= MIN_SECRET), key=len, reverse=True))


def known_secrets() -> tuple[str, ...]:
    """The server's own secrets, longest first: the passwords in ``DEVOLUTION_DB_URL`` and the
    admin password."""
    return _secrets_of(os.environ.get(DB_URL_ENV, ""), os.environ.get(ADMIN_PASSWORD_ENV, ""))


def redact(text: str, secrets: tuple[str, ...] | None = None) -> str:
    """``text`` with every password form masked, and each of ``secrets`` (default: the server's
    own, :func:`known_secrets`) replaced wherever it appears."""
    text = _USERINFO.sub(lambda m: m.group("keep") + MASK, text)
    text = _KEYWORD.sub(lambda m: m.group("keep") + MASK, text)
    for secret in known_secrets() if secrets is None else secrets:
        text = text.replace(secret, MASK)
    return text


def _redacting(base: type[logging.Formatter]) -> type[logging.Formatter]:
    class Redacting(base):
        def format(self, record: logging.LogRecord) -> str:
            return redact(super().format(record))

    Redacting.__name__ = f"Redacting{base.__name__}"
    return Redacting


def formatter(kind: str = "default", **options) -> logging.Formatter:
    """A uvicorn log formatter (``kind`` ``default`` or ``access``) whose every line, traceback
    included, goes through :func:`redact` (for ``logging.config``'s ``"()"`` key)."""
    from uvicorn.logging import AccessFormatter, DefaultFormatter

    return _redacting(AccessFormatter if kind == "access" else DefaultFormatter)(**options)


def log_config() -> dict:
    """uvicorn's logging configuration with redacting formatters, and the ``devolution`` logger
    (the app's own notes and warnings: pages prepared at start-up, a database that failed, a request
    refused for abuse) on its handler, from INFO."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    for kind, entry in config["formatters"].items():
        entry.pop("()", None)
        entry["()"] = "devolution.web.redaction.formatter"
        entry["kind"] = kind
    config["loggers"]["devolution"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
