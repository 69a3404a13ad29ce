"""What every request and answer passes through (plain ASGI, before FastAPI sees the request):

* **Security headers** on every answer: a Content-Security-Policy that allows scripts, styles,
  images and connections from this server only and no inline script or style (``CSP``), no
  framing (``frame-ancestors 'none'``, ``X-Frame-Options: DENY``), ``X-Content-Type-Options:
  nosniff``, ``Referrer-Policy: same-origin``. The API documentation pages (``DOCS_PATHS``) have
  ``DOCS_CSP``: the inline styles and blob worker Swagger UI and ReDoc need, and an inline start-up
  script (FastAPI's own pages have one) allowed by its SHA-256 hash, computed from the page as served.
* **A body limit**: a request body over ``max_body`` bytes is refused with 413 before the app reads
  it (by its Content-Length, or while it streams in).
* **HEAD as GET**: a HEAD request is answered as the GET of the same URL (status and headers),
  without the body, on every route (FastAPI's routes answer GET only).
* **JSON bodies checked once** (``application/json``): nested deeper than ``MAX_DEPTH``, or holding
  a number JSON cannot carry (``NaN``, ``Infinity``, ``1e400``, which Python would read as
  infinity) is a 422 naming where (``body.claims.0.compare.at_most``, as FastAPI names fields), so
  no route sees one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re

#: Pages of this app: scripts, styles, images, fonts and connections from this server only; no
#: inline script or style, no plugins, no <base>, forms post here only, no framing.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
#: The API documentation (Swagger UI, ReDoc): their inline start-up scripts by hash, the inline
#: styles their components set, and ReDoc's search worker (a blob).
DOCS_CSP = ("default-src 'self'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}
#: Deepest JSON nesting accepted: the scenario format is five levels deep at most.
MAX_DEPTH = 32
_INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)


def script_hashes(html: bytes) -> list[str]:
    """CSP sources (``'sha256-...'``) for each inline script of a page."""
    return [f"'sha256-{base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode()}'"
            for m in _INLINE_SCRIPT.finditer(html)]


def json_problem(value, max_depth: int = MAX_DEPTH) -> tuple[str, str] | None:
    """The first place in parsed JSON that is nested deeper than ``max_depth`` or holds a
    non-finite number, as ``(path, message)``; None when there is none. Walks without recursion."""
    stack = [(value, ("body",), 0)]
    while stack:
        item, path, depth = stack.pop()
        where = ".".join(str(p) for p in path)
        if depth > max_depth:
            return where, f"nested more than {max_depth} levels deep"
        if isinstance(item, float) and not math.isfinite(item):
            return where, "not a finite number (NaN, Infinity and numbers beyond about 1.8e308 are not accepted)"
        if isinstance(item, dict):
            stack.extend((v, path + (k,), depth + 1) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((v, path + (i,), depth + 1) for i, v in reversed(list(enumerate(item))))
    return None


def _without_body(send):
    """``send`` for a HEAD request: the GET's status and headers (its Content-Length too), no body."""
    async def head_send(message):
        if message["type"] == "http.response.body":
            message = {**message, "body": b""}
        await send(message)
    return head_send


class Guard:
    """The ASGI middleware: security headers, the body limit and the JSON check (module doc)."""

    def __init__(self, app, max_body: int, max_depth: int = MAX_DEPTH):
        self.app, self.max_body, self.max_depth = app, max_body, max_depth

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        send = self._docs_send(send) if scope["path"] in DOCS_PATHS else self._headers_send(send)
        if scope["method"] == "HEAD":
            scope, send = {**scope, "method": "GET"}, _without_body(send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if "content-length" in headers or "transfer-encoding" in headers:
            body = await self._body(headers, receive, send)
            if body is None:
                return
            if _is_json(headers.get("content-type", "")) and body and await self._bad_json(body, send):
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, send)

    async def _body(self, headers: dict, receive, send) -> bytes | None:
        """The whole body, or None once a 413 (or 400) has been sent."""
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _refuse(send, 400, "invalid Content-Length header")
                return None
            if int(declared) > self.max_body:
                await _refuse(send, 413, self._too_big())
                return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await _refuse(send, 413, self._too_big())
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _too_big(self) -> str:
        return f"the request body is larger than the {self.max_body:,} bytes this server accepts"

    async def _bad_json(self, body: bytes, send) -> bool:
        """Send a 422 for JSON nested too deep or holding a non-finite number; malformed JSON is
        left to FastAPI (its own 422)."""
        try:
            value = json.loads(body)
        except RecursionError:
            problem = ("body", f"nested more than {self.max_depth} levels deep")
        except ValueError:
            return False
        else:
            problem = json_problem(value, self.max_depth)
        if problem is None:
            return False
        path, message = problem
        await _refuse(send, 422, f"invalid request: {path}: {message}", [{"path": path, "message": message}])
        return True

    @staticmethod
    def _headers_send(send):
        async def wrapped(message):
            if message["type"] == "http.response.start":
                message = _with_headers(message, CSP)
            await send(message)
        return wrapped

    @staticmethod
    def _docs_send(send):
        """Hold the documentation page until its body is complete, to hash its inline scripts."""
        held: dict = {}

        async def wrapped(message):
            if message["type"] == "http.response.start":
                held["start"], held["body"] = message, []
                return
            if message["type"] != "http.response.body" or "start" not in held:
                return await send(message)
            held["body"].append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(held["body"])
            policy = DOCS_CSP.format(hashes=" ".join(script_hashes(body)))
            await send(_with_headers(held.pop("start"), policy))
            await send({"type": "http.response.body", "body": body, "more_body": False})
        return wrapped


def _with_headers(message: dict, policy: str) -> dict:
    present = {k.lower() for k, _ in message.get("headers", [])}
    extra = [(k.encode(), v.encode()) for k, v in {"content-security-policy": policy, **HEADERS}.items()
             if k.encode() not in present]
    return {**message, "headers": [*message.get("headers", []), *extra]}


def _is_json(content_type: str) -> bool:
    """Whether FastAPI would read the body as JSON (it does when no content type is given)."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind in ("", "application/json") or kind.endswith("+json")


def _replay(body: bytes, receive):
    """A ``receive`` that gives the body already read, then whatever the client sends next
    (a disconnect)."""
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return replay


async def _refuse(send, status: int, message: str, problems: list | None = None) -> None:
    payload = {"error": message, "status": status, **({"problems": problems} if problems else {})}
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
