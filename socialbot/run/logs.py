"""Logging set-up for the daemon and the CLI: text or JSON lines, noisy libraries quieted, secrets redacted."""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime

from socialbot.settings import Settings, read_env_file

SECRET_WORDS = ("SECRET", "TOKEN", "PASSWORD", "API_KEY", "CLIENT_ID")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


class RedactSecrets(logging.Filter):
    """Defence in depth: any configured credential value that reaches a log line is replaced by ***."""

    def __init__(self) -> None:
        super().__init__()
        values = dict(os.environ)
        values.update({k: v for k, v in read_env_file().items() if v})  # credentials that live only in .env
        self.secrets = sorted(
            {
                v
                for k, v in values.items()
                if k.startswith("SOCIALBOT_") and any(w in k for w in SECRET_WORDS) and len(v) >= 6
            },
            key=len,
            reverse=True,
        )

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        message = record.getMessage()
        redacted = message
        for secret in self.secrets:
            redacted = redacted.replace(secret, "***")
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(settings: Settings, *, fmt: str | None = None, level: str | None = None) -> None:
    handler = logging.StreamHandler()
    if (fmt or settings.log_format) == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)-7s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level or settings.log_level)
    for noisy in ("apscheduler", "urllib3", "prawcore", "tweepy", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
