"""The SocialbotError tree: every error the product raises on purpose, with a message a manager can act on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class SocialbotError(Exception):
    """Base of every error socialbot raises on purpose; its message says how to fix it."""

    exit_code = 1


class ConfigError(SocialbotError):
    """A setting or credential is missing or invalid; the message names the variable to set."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a campaign file, located precisely enough to fix it."""

    file: str
    line: int | None
    column: int | None
    path: str
    message: str
    more: int = 0  # a "… and N more" line stands for this many problems not shown

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        key = f" {self.path}:" if self.path else ""
        return f"{where}:{key} {self.message}"


class CampaignError(SocialbotError):
    """One or more campaign files are invalid; carries every problem found, not just the first."""

    exit_code = 2

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class PlatformError(SocialbotError):
    """A platform (X, Reddit, sandbox) refused or failed a call."""


class TransientPlatformError(PlatformError):
    """A temporary failure (5xx, connection refused) where the request certainly had no effect: safe to retry."""


class OutcomeUnknown(TransientPlatformError):
    """The request may or may not have taken effect (timeout, connection lost after sending): reconcile, never retry blindly."""


class RateLimited(PlatformError):
    """The platform's rate limit (or our own budget) is exhausted until ``retry_after`` seconds from now."""

    def __init__(self, message: str, *, retry_after: float) -> None:
        self.retry_after = max(0.0, float(retry_after))
        super().__init__(f"{message} (retry in {self.retry_after:.0f}s)")


class AuthError(PlatformError):
    """Credentials are missing, invalid or lack a permission; the message names the variable to fix."""


class ContentRejected(PlatformError):
    """The platform refused this content for good (duplicate, rule violation); carries the platform's own reason."""


class RefusedBeforeUpload(ContentRejected):
    """socialbot itself refused the content before sending anything (a media file changed since validation)."""


class LockHeld(SocialbotError):
    """Another daemon holds the single-instance lock on this database."""

    def __init__(self, *, holder: str, heartbeat_at: datetime) -> None:
        self.holder = holder
        self.heartbeat_at = heartbeat_at
        super().__init__(
            f"another socialbot daemon ({holder}) is running on this database "
            f"(last heartbeat {heartbeat_at:%Y-%m-%d %H:%M:%S} UTC); stop it first, "
            "or point --db (or SOCIALBOT_DATABASE_URL) at another database"
        )


class LockLost(SocialbotError):
    """The daemon stopped because it could no longer hold its lock (or its database file changed)."""


class StartupInterrupted(SocialbotError):
    """SIGTERM or SIGINT arrived while the daemon was starting: it stopped cleanly before running jobs."""

    exit_code = 0
