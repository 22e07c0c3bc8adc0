"""Renders post text templates (Jinja2, sandboxed, undefined variables are errors) for one occurrence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from socialbot.errors import SocialbotError


class TemplateProblem(SocialbotError):
    """A text template cannot be parsed or rendered; the message says what to fix."""


@dataclass(frozen=True)
class RenderContext:
    """The variables a post text may use; see docs/campaigns.md."""

    campaign_id: str
    campaign_name: str
    occurrence: int
    local: datetime
    ends: date
    countdowns: tuple[tuple[str, date], ...] = ()

    def variables(self) -> dict[str, object]:
        today = self.local.date()
        return {
            "campaign": {"id": self.campaign_id, "name": self.campaign_name},
            "occurrence": self.occurrence,
            "date": today.isoformat(),
            "time": self.local.strftime("%H:%M"),
            "weekday": self.local.strftime("%A"),
            "days_to_end": (self.ends - today).days,
            "days_to": {name: (when - today).days for name, when in self.countdowns},
        }


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


@lru_cache(maxsize=4096)
def _compile(source: str):
    from jinja2 import TemplateSyntaxError

    try:
        return _environment().from_string(source)
    except TemplateSyntaxError as exc:
        raise TemplateProblem(f"template error on its line {exc.lineno}: {exc.message}") from None


def is_template(source: str) -> bool:
    return "{{" in source or "{%" in source or "{#" in source


def render(source: str, context: RenderContext) -> str:
    """Render ``source`` for one occurrence; plain text (no template markers) is returned as is."""
    if not is_template(source):
        return source
    from jinja2 import UndefinedError
    from jinja2.exceptions import SecurityError

    template = _compile(source)
    try:
        return template.render(context.variables()).strip()
    except UndefinedError as exc:
        raise TemplateProblem(_undefined_message(str(exc.message), source, context)) from None
    except SecurityError as exc:
        raise TemplateProblem(f"not allowed in a template: {exc}") from None
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise TemplateProblem(f"template failed: {exc}") from None


def _undefined_message(message: str, source: str, context: RenderContext) -> str:
    """Jinja says "'dict object' has no attribute 'x'"; say which name is unknown and what exists instead."""
    import re

    attribute = re.fullmatch(r"'dict object' has no attribute '([^']*)'", message)
    if attribute:
        name = attribute.group(1)
        lookup = rf"\s*(\.\s*{re.escape(name)}\b|\[\s*['\"]{re.escape(name)}['\"]\s*\])"
        countdowns = {n for n, _ in context.countdowns}
        on_campaign = re.search("campaign" + lookup, source) and name not in ("id", "name")
        on_days_to = re.search("days_to" + lookup, source) and name not in countdowns
        if on_days_to or (not on_campaign and re.search(r"days_to\s*\[", source)):
            defined = ", ".join(n for n, _ in context.countdowns) or "none"
            return (
                f"no countdown named '{name}' for days_to.{name}; add it under campaign.countdowns (defined: {defined})"
            )
        return f"'campaign.{name}' does not exist; campaign has only id and name"
    known = ", ".join(sorted(context.variables()))
    return f"{message}; the variables are: {known}"
