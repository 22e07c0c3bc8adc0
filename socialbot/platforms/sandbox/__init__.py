"""The sandbox platform: a real adapter over a world kept in the database, with a simulated audience."""

from socialbot.platforms.sandbox.audience import Audience
from socialbot.platforms.sandbox.platform import SandboxPlatform

__all__ = ["Audience", "SandboxPlatform"]
