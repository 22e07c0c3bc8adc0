"""``RedditApiStandIn``: the world served over HTTP on 127.0.0.1, with auth, faults and rate-limit headers."""

from __future__ import annotations

import json
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .oauth import OAuth
from .routes import Routes

_INVALID_TOKEN = 'Bearer realm="reddit", error="invalid_token"'


def endpoint_key(path: str) -> str:
    """``/comments/abc/_/def`` → ``/comments/{id}``, ``/r/x/new`` → ``/r/{sub}/new``, ``/user/u/about`` → …"""
    parts = [p for p in path.split("/") if p]
    if parts and parts[-1].endswith(".json"):
        parts[-1] = parts[-1][:-5]
    if parts[:1] == ["comments"]:
        parts = ["comments", "{id}"]
    elif parts[:1] in (["r"], ["user"]) and len(parts) > 1:
        parts[1] = "{sub}" if parts[0] == "r" else "{name}"
    return "/" + "/".join(parts)


class RedditApiStandIn(Routes, OAuth):
    """Serves ``/api/v1/access_token`` and the OAuth API on one ephemeral port; ``base_url`` is both endpoints."""

    def __init__(
        self,
        *,
        client_id: str = "standin-client-id",
        client_secret: str | None = "standin-client-secret",
        username: str = "socialbot_test",
        password: str = "standin-password",
        clock=None,
    ) -> None:
        super().__init__(
            client_id=client_id, client_secret=client_secret, username=username, password=password, clock=clock
        )
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.standin = self  # type: ignore[attr-defined]
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="reddit-standin", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    # -- HTTP ----------------------------------------------------------------------------------

    def handle(self, method: str, raw_path: str, headers, body: bytes) -> tuple[int, dict[str, str], Any]:
        split = urlsplit(raw_path)
        path = split.path.rstrip("/") or "/"
        params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        if method == "POST":
            if (headers.get("Content-Type") or "").startswith("application/json"):
                params.update(json.loads(body or b"{}"))
            else:
                params.update({k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()})
        key = endpoint_key(path)
        with self._lock:
            self.calls[key] += 1
            self.requests.append((method, path, params))
            fault = self._faults[key].popleft() if self._faults[key] else None
        if key == "/api/v1/access_token":
            if fault and fault.kind == "status":  # e.g. 429 with retry-after, before any grant is looked at
                return fault.status, fault.headers, self._status_body(fault.status)
            return self._token(headers, params)
        if key == "/api/v1/authorize":
            return self._authorize(params)
        access = (headers.get("Authorization") or "").removeprefix("bearer ")
        user = self._tokens.get(access)
        if user is None:  # unknown or expired (``expire_access_tokens``): prawcore refreshes and retries
            return 401, {"www-authenticate": _INVALID_TOKEN}, self._status_body(401)
        refused = self._scope_refused(access, key)
        if refused is not None:
            return refused
        extra = self._ratelimit_headers()
        if fault and fault.kind == "status":
            challenge = {"www-authenticate": _INVALID_TOKEN} if fault.status == 401 else {}
            return fault.status, {**extra, **challenge, **fault.headers}, self._status_body(fault.status)
        if fault and fault.kind == "api_error":
            return fault.status, extra, {"json": {"errors": [list(fault.error)]}}
        status, answer = self._route(method, path, key, params, user)
        if fault and fault.kind == "timeout":
            self._release.wait(30)
            return 504, extra, {"message": "too late", "error": 504}
        return status, extra, answer

    @staticmethod
    def _status_body(status: int) -> dict[str, Any]:
        return {"message": HTTPStatus(status).phrase, "error": status}

    def _ratelimit_headers(self) -> dict[str, str]:
        now = int(self.clock())
        with self._lock:
            window = now // self.ratelimit_window
            if window != getattr(self, "_ratelimit_window_index", window):
                self.ratelimit_used = 0  # Reddit counts each 10-minute window afresh, as the reset header says
            self._ratelimit_window_index = window
            self.ratelimit_used += 1
            remaining = max(0, self.ratelimit_limit - self.ratelimit_used)
        reset = self.ratelimit_window - now % self.ratelimit_window
        return {
            "x-ratelimit-used": str(self.ratelimit_used),
            "x-ratelimit-remaining": f"{remaining:.1f}",
            "x-ratelimit-reset": str(reset),
        }


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # and one write per answer: no 40 ms delayed-ACK stalls on keep-alive

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests capture logs, and URLs may hold codes
        return

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, answer = self.server.standin.handle(method, self.path, self.headers, body)  # type: ignore[attr-defined]
        payload = json.dumps(answer).encode()
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "Content-Type: application/json; charset=UTF-8"]
        lines += [f"Content-Length: {len(payload)}", *(f"{k}: {v}" for k, v in headers.items())]
        if self.close_connection:  # prawcore asks "Connection: close" on token calls; say so, as real servers do
            lines.append("Connection: close")
        lines += ["", ""]
        self.wfile.write("\r\n".join(lines).encode() + payload)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")
