"""X transport: sends tweepy's requests to the configured base URLs with a timeout, metering and rate-limit headers."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from socialbot.platforms.base import RateBudget, UsageMeter
from socialbot.platforms.x.payloads import endpoint_name

API_HOSTS = ("api.twitter.com", "api.x.com")
UPLOAD_HOSTS = ("upload.twitter.com", "upload.x.com")


class Route(HTTPAdapter):
    """Sends X requests to the configured base URLs with a default timeout, metering and reading rate limits."""

    def __init__(self, *, api_url: str, upload_url: str, timeout: float, usage: UsageMeter, budget: RateBudget):
        super().__init__()
        self._bases = {host: urlsplit(api_url.rstrip("/")) for host in API_HOSTS}
        self._bases |= {host: urlsplit(upload_url.rstrip("/")) for host in UPLOAD_HOSTS}
        self._timeout = timeout
        self._usage = usage
        self._budget = budget

    def mount_on(self, session: requests.Session) -> None:
        for host in self._bases:
            session.mount(f"https://{host}/", self)

    def rewrite(self, url: str) -> str:
        parts = urlsplit(url)
        base = self._bases.get(parts.hostname or "")
        if base is None:
            return url
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, parts.query, parts.fragment))

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        endpoint = endpoint_name(request.method or "GET", urlsplit(request.url).path)
        self._budget.check(endpoint)  # raises RateLimited without touching the network
        self._usage.count(endpoint)
        request.url = self.rewrite(request.url)
        response = super().send(
            request,
            stream=stream,
            timeout=self._timeout if timeout is None else timeout,
            verify=verify,
            cert=cert,
            proxies=proxies,
        )
        headers = response.headers
        reset = to_int(headers.get("x-rate-limit-reset"))
        if response.status_code == 429 and reset is not None:
            self._budget.exhausted(endpoint, reset_at=reset)
        else:
            self._budget.update(
                endpoint,
                limit=to_int(headers.get("x-rate-limit-limit")),
                remaining=to_int(headers.get("x-rate-limit-remaining")),
                reset_at=reset,
            )
        return response


def to_int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
