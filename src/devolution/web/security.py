"""Protections for the forms: signed tokens, CSRF (cookie + form field), a per-client token bucket,
and HTTP Basic for the results page (password from ``DEVOLUTION_ADMIN_PASSWORD``; no default).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
import time

from fastapi import HTTPException, Request

CSRF_COOKIE = "devo_csrf"
SUBMIT_COOKIE = "devo_submit"
ADMIN_PASSWORD_ENV = "DEVOLUTION_ADMIN_PASSWORD"


class Signer:
    """Random tokens carrying an HMAC, so the server knows it issued them (the key is kept in the
    submissions database, so tokens outlive a restart)."""

    def __init__(self, key: bytes):
        self.key = key

    def issue(self, kind: str) -> str:
        nonce = secrets.token_urlsafe(18)
        return f"{nonce}.{self._mac(kind, nonce)}"

    def valid(self, kind: str, token: str | None) -> bool:
        if not token or len(token) > 200 or token.count(".") != 1:
            return False
        nonce, mac = token.split(".")
        return hmac.compare_digest(mac, self._mac(kind, nonce))

    def _mac(self, kind: str, nonce: str) -> str:
        return hmac.new(self.key, f"{kind}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def check_csrf(request: Request, signer: Signer, form_value: str | None) -> None:
    """The form's token must equal the cookie's, and be one this server signed (403 otherwise)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not form_value or not hmac.compare_digest(cookie, form_value) or not signer.valid("csrf", cookie):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and submit again")


class TokenBucket:
    """Per-client rate limit: ``capacity`` requests at once, refilled at ``rate`` per second."""

    def __init__(self, capacity: float, rate: float):
        self.capacity, self.rate = capacity, rate
        self.buckets: dict[str, tuple[float, float]] = {}
        self.lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self.lock:
            tokens, then = self.buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - then) * self.rate)
            if len(self.buckets) > 100_000:  # forget idle clients rather than grow without bound
                self.buckets.clear()
            if tokens < 1:
                self.buckets[client] = (tokens, now)
                return False
            self.buckets[client] = (tokens - 1, now)
            return True


def client_of(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def require_admin(request: Request) -> None:
    """HTTP Basic with the password in ``DEVOLUTION_ADMIN_PASSWORD`` (any user name).

    With no password set the results are not served at all (403), never with a default."""
    password = os.environ.get(ADMIN_PASSWORD_ENV)
    if not password:
        raise HTTPException(403, f"results are disabled: set {ADMIN_PASSWORD_ENV} on the server to enable them")
    challenge = {"WWW-Authenticate": 'Basic realm="devolution results"'}
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        raise HTTPException(401, "results need the admin password (HTTP Basic)", headers=challenge)
    try:
        _, _, given = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
    except Exception:
        raise HTTPException(401, "malformed Basic credentials", headers=challenge) from None
    if not hmac.compare_digest(given.encode(), password.encode()):
        raise HTTPException(401, "wrong admin password", headers=challenge)
