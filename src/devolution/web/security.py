"""Protections for the forms and the results page: signed tokens, CSRF (cookie + form field), who a
client is (its address; an IPv6 client by its /64 network), a per-client token bucket, and HTTP
Basic for the results page (password from ``DEVOLUTION_ADMIN_PASSWORD``; no default) with wrong
passwords slowed down and then locked out.
"""

from __future__ import annotations

import base64
import collections
import hashlib
import hmac
import ipaddress
import logging
import os
import secrets
import threading
import time

from fastapi import HTTPException, Request

from devolution.web.redaction import ADMIN_PASSWORD_ENV

CSRF_COOKIE = "devo_csrf"
SUBMIT_COOKIE = "devo_submit"
#: Clients remembered by a bucket or the lockout before the idle ones are forgotten.
MAX_CLIENTS = 100_000
log = logging.getLogger("devolution.web")


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

    def pseudonym(self, client: str) -> str:
        """A client address as stored with a submission: keyed with the signing key, so the file
        holds no address (whoever also holds the key can still test a guessed address)."""
        return self._mac("client", client)

    def _mac(self, kind: str, nonce: str) -> str:
        return hmac.new(self.key, f"{kind}:{nonce}".encode(), hashlib.sha256).hexdigest()[:32]


def check_csrf(request: Request, signer: Signer, form_value: str | None) -> None:
    """The form's token must equal the cookie's, and be one this server signed (403 otherwise)."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not form_value or not hmac.compare_digest(cookie, form_value) or not signer.valid("csrf", cookie):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and submit again")


def client_of(request: Request) -> str:
    """Who a client is for rate limits and the once-per-address rules: the peer's address as the
    server sees it (the visitor's only behind a proxy trusted with ``--forwarded-allow-ips``; a
    random ``X-Forwarded-For`` from anyone else is ignored by ``devo serve``). An IPv6 client is
    its /64 network: one subscriber is given a whole /64, so single addresses cost nothing."""
    host = request.client.host if request.client else "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if address.version == 6:
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def secure_cookies(request: Request) -> bool:
    """Cookies are marked Secure when the request came over HTTPS (behind a TLS proxy: when the
    proxy is trusted and says so with ``X-Forwarded-Proto``)."""
    return request.url.scheme == "https"


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
            if len(self.buckets) > MAX_CLIENTS:
                self._forget_idle(now)
            if tokens < 1:
                self.buckets[client] = (tokens, now)
                return False
            self.buckets[client] = (tokens - 1, now)
            return True

    def _forget_idle(self, now: float) -> None:
        """Drop the clients whose bucket has refilled (they would start full anyway); if a flood of
        new clients keeps them all busy, start again rather than grow without bound."""
        self.buckets = {c: (t, then) for c, (t, then) in self.buckets.items()
                        if t + (now - then) * self.rate < self.capacity}
        if len(self.buckets) > MAX_CLIENTS:
            self.buckets.clear()


class Lockout:
    """Wrong admin passwords, slowed down and then locked out.

    A client's first ``free`` wrong passwords cost nothing; each one after locks that client out
    for twice as long as the one before (2 s, 4 s, 8 s, ... up to ``longest``); while locked out
    every attempt, right or wrong, is refused with 429 and Retry-After, so guessing gains nothing.
    Wrong passwords from all clients together are capped too (``global_limit`` an hour; beyond it
    the results are locked for everyone until the hour's count falls), so many addresses do not
    buy many guesses. A right password clears the client's count."""

    def __init__(self, free: int = 3, longest: float = 3600.0, global_limit: int = 100, clock=time.monotonic):
        self.free, self.longest, self.global_limit, self.clock = free, longest, global_limit, clock
        self.failures: dict[str, tuple[int, float]] = {}   # client -> (wrong passwords, locked until)
        self.recent: collections.deque[float] = collections.deque()  # times of wrong passwords, last hour
        self.lock = threading.Lock()

    def wait(self, client: str) -> float:
        """Seconds the client must wait before another attempt (0: it may try now)."""
        now = self.clock()
        with self.lock:
            while self.recent and self.recent[0] < now - 3600:
                self.recent.popleft()
            everyone = (self.recent[0] + 3600 - now) if len(self.recent) >= self.global_limit else 0.0
            _, until = self.failures.get(client, (0, 0.0))
            return max(0.0, until - now, everyone)

    def failed(self, client: str) -> None:
        now = self.clock()
        with self.lock:
            count, _ = self.failures.get(client, (0, 0.0))
            count += 1
            until = now + min(2.0 ** (count - self.free), self.longest) if count > self.free else 0.0
            if len(self.failures) > MAX_CLIENTS:
                self.failures = {c: v for c, v in self.failures.items() if v[1] > now}
            self.failures[client] = (count, until)
            self.recent.append(now)
            if len(self.recent) > 10 * self.global_limit:
                self.recent.popleft()

    def succeeded(self, client: str) -> None:
        with self.lock:
            self.failures.pop(client, None)


def require_admin(request: Request) -> None:
    """HTTP Basic with the password in ``DEVOLUTION_ADMIN_PASSWORD`` (any user name), guarded by
    the app's :class:`Lockout` (``request.app.state.lockout``).

    With no password set the results are not served at all (403), never with a default."""
    password = os.environ.get(ADMIN_PASSWORD_ENV)
    if not password:
        raise HTTPException(403, f"results are disabled: set {ADMIN_PASSWORD_ENV} on the server to enable them")
    lockout: Lockout = request.app.state.lockout
    client = client_of(request)
    wait = lockout.wait(client)
    if wait > 0:
        raise HTTPException(429, f"too many wrong admin passwords: try again in {wait:,.0f} s",
                            headers={"Retry-After": str(int(wait) + 1)})
    challenge = {"WWW-Authenticate": 'Basic realm="devolution results"'}
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        raise HTTPException(401, "results need the admin password (HTTP Basic)", headers=challenge)
    try:
        _, _, given = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
    except Exception:
        given = None
    if given is None or not hmac.compare_digest(given.encode(), password.encode()):
        lockout.failed(client)
        log.warning("wrong admin password from %s", client)
        raise HTTPException(401, "wrong admin password" if given is not None else "malformed Basic credentials",
                            headers=challenge)
    lockout.succeeded(client)
