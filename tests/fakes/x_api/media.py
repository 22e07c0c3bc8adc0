"""The v1.1 media upload endpoint: simple and chunked (INIT/APPEND/FINALIZE/STATUS) uploads and alt text."""

from __future__ import annotations

import email.parser
import json
from urllib.parse import parse_qs

from .protocol import JSON, ApiError
from .world import XWorld


def parse_multipart(content_type: str, body: bytes) -> dict[str, bytes]:
    message = email.parser.BytesParser().parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields = {}
    for part in message.get_payload() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        fields[str(name)] = part.get_payload(decode=True) or b""
    return fields


def _media(x: XWorld, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes):
    content_type = headers.get("content-type", "")
    if path.endswith("/metadata/create.json"):
        payload = json.loads(body or b"{}")
        media = x.media.get(str(payload.get("media_id")))
        if media is None:
            raise ApiError(400, {"errors": [{"code": 324, "message": "Invalid media id."}]})
        media["alt_text"] = (payload.get("alt_text") or {}).get("text")
        return 200, b"", "text/plain"
    fields = (
        parse_multipart(content_type, body)
        if content_type.startswith("multipart/")
        else {k: v[-1].encode() for k, v in parse_qs(body.decode() or "").items()}
    )
    if method == "GET":
        fields = {k: v.encode() for k, v in query.items()}
    command = fields.get("command", b"").decode()
    if command == "INIT":
        media_id = x._next_id()
        x.media[media_id] = {"data": b"", "type": fields.get("media_type", b"").decode(), "alt_text": None}
        return 202, {"media_id": int(media_id), "media_id_string": media_id, "expires_after_secs": 86400}, JSON
    if command in ("APPEND", "FINALIZE", "STATUS"):
        media_id = fields.get("media_id", b"").decode()
        media = x.media.get(media_id)
        if media is None:
            raise ApiError(400, {"errors": [{"code": 324, "message": "Invalid media id."}]})
        if command == "APPEND":
            media["data"] += fields.get("media", b"")
            return 204, b"", "text/plain"
        return (
            201,
            {
                "media_id": int(media_id),
                "media_id_string": media_id,
                "size": len(media["data"]),
                "expires_after_secs": 86400,
                "video": {"video_type": media["type"]},
            },
            JSON,
        )
    data = fields.get("media")
    if not data:
        raise ApiError(400, {"errors": [{"code": 38, "message": "media parameter is missing."}]})
    media_id = x._next_id()
    x.media[media_id] = {"data": data, "type": "image/png", "alt_text": None}
    return (
        200,
        {
            "media_id": int(media_id),
            "media_id_string": media_id,
            "size": len(data),
            "expires_after_secs": 86400,
            "image": {"image_type": "image/png", "w": 1, "h": 1},
        },
        JSON,
    )
