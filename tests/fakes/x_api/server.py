"""``XApiStandIn``: the world served over HTTP on 127.0.0.1, with faults and rate limits applied before routing."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from .protocol import ApiError, endpoint_of
from .routes import _route
from .world import XWorld


class XApiStandIn(XWorld):
    """The X API as tweepy sees it: ``with XApiStandIn() as x: XPlatform(credentials=x.credentials(), api_url=x.base_url)``.

    The audience acts through ``add_user``, ``reply``, ``mention``, ``like``, ``repost``, ``quote``, ``retweet``,
    ``post`` and ``vote``; X itself through ``suspend``; ``fail`` injects faults per endpoint; ``calls`` counts
    requests per endpoint and ``queries`` keeps each request's (endpoint, query parameters).
    """

    def __init__(self, *, clock: Callable[[], float] | None = None, username: str = "socialbot_brand") -> None:
        super().__init__(clock=clock, username=username)
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), name="x-api-stand-in", daemon=True
        )
        self._thread.start()

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    upload_url = base_url

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> XApiStandIn:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling (called from the server threads) --------------------------------------

    def handle(self, method: str, url: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        path = parts.path
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        endpoint = endpoint_of(method, path)
        with self._lock:
            self.calls[endpoint] += 1
            self.queries.append((endpoint, dict(query)))
            faults = self.faults.get(endpoint)
            fault = faults[0] if faults else None
            if fault is not None:
                fault.times -= 1
                if fault.times <= 0:
                    faults.pop(0)
            rate_headers, allowed = self._rate(endpoint)
        if fault is not None and fault.kind in ("timeout", "disconnect"):
            return -1 if fault.kind == "disconnect" else -2, {}, b""
        if fault is not None and fault.kind == "malformed":
            return 200, {**rate_headers, "content-type": "application/json"}, b'{"data": {"id": "1", "te'
        if fault is not None:
            status_body = fault.body or {
                "title": "Service Unavailable",
                "detail": "Service Unavailable",
                "type": "about:blank",
                "status": fault.status,
            }
            hdrs = {**rate_headers, **fault.headers}
            if fault.status == 429:
                hdrs["x-rate-limit-remaining"] = "0"
            return fault.status, hdrs, json.dumps(status_body).encode()
        if not allowed:
            return (
                429,
                rate_headers,
                json.dumps(
                    {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429}
                ).encode(),
            )
        try:
            with self._lock:
                status, payload, content_type = self._route(method, path, query, headers, body)
        except ApiError as exc:
            return (
                exc.status,
                {**rate_headers, **exc.headers, "content-type": "application/json; charset=utf-8"},
                (json.dumps(exc.body).encode()),
            )
        raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return status, {**rate_headers, "content-type": content_type}, raw

    def _route(self, method, path, query, headers, body):
        return _route(self, method, path, query, headers, body)


def _handler_for(standin: XApiStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet: tests capture logs
            pass

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, out_headers, payload = standin.handle(self.command, self.path, headers, body)
            if status < 0:  # -1 disconnect, -2 hold then disconnect (the client's read timeout fires first)
                if status == -2:
                    standin._release.wait(5)
                self.close_connection = True
                return
            self.send_response(status)
            for key, value in out_headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_DELETE = do_PUT = _serve

    return Handler
