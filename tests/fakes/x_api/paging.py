"""Paging of X list endpoints: ``max_results`` bounds, opaque page tokens and since/until/start/end windows."""

from __future__ import annotations

from .protocol import _invalid, _parse_iso
from .world import XWorld


def _max_results(query: dict[str, str], *, low: int, high: int, default: int) -> int:
    value = int(query.get("max_results", default))
    if not low <= value <= high:
        raise _invalid(
            f"The `max_results` query parameter value [{value}] is not between {low} and {high}",
            max_results=[str(value)],
        )
    return value


def _page(items: list, query: dict[str, str], *, size: int, token_name: str) -> tuple[list, dict]:
    """Offset pagination with an opaque token; items are already newest first."""
    token = query.get(token_name)
    start = int(token[1:], 36) if token else 0
    chunk = items[start : start + size]
    meta: dict = {"result_count": len(chunk)}
    if start + size < len(items):
        meta["next_token"] = "b" + _b36(start + size)
    return chunk, meta


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def _timeline(x: XWorld, tweets: list[dict], query: dict[str, str], *, size: int, token_name: str) -> dict:
    tweets = sorted(tweets, key=lambda t: int(t["id"]), reverse=True)
    if "since_id" in query:
        tweets = [t for t in tweets if int(t["id"]) > int(query["since_id"])]
    if "until_id" in query:
        tweets = [t for t in tweets if int(t["id"]) < int(query["until_id"])]
    if "start_time" in query:
        tweets = [t for t in tweets if t["created_at"] >= _parse_iso(query["start_time"])]
    if "end_time" in query:
        tweets = [t for t in tweets if t["created_at"] < _parse_iso(query["end_time"])]
    chunk, meta = _page(tweets, query, size=size, token_name=token_name)
    body = x.envelope(chunk, query)
    if chunk:
        meta = {"newest_id": chunk[0]["id"], "oldest_id": chunk[-1]["id"], **meta}
    body["meta"] = meta
    return body
