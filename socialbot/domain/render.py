"""Renders post text templates (Jinja2, sandboxed, undefined variables are errors) for one occurrence."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any, NoReturn

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


MAX_OUTPUT = 50_000  # characters one template may produce (Reddit's self-post limit is 40,000)
MAX_SECONDS = 0.5  # a template that renders for longer than this is a campaign error, not a hang
FILE_SECONDS = 1.5  # all of one campaign file's renders together (validate answers within 2 s)
_LOOP_CHECK = 1_000  # loop steps between two looks at the clock
_WIDTH = re.compile(r"%[-+ #0]*(\d+)|\{[^{}]*?:[^{}]*?(\d+)[^{}]*\}")
_deadline: ContextVar[float] = ContextVar("render_deadline", default=float("inf"))
_file_deadline: ContextVar[float] = ContextVar("file_render_deadline", default=float("inf"))


@contextmanager
def render_budget(seconds: float = FILE_SECONDS) -> Iterator[None]:
    """Every render inside shares ``seconds`` in all (one campaign file's templates)."""
    token = _file_deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _file_deadline.reset(token)


def _over_time() -> None:
    if time.monotonic() > _deadline.get():
        from jinja2.exceptions import SecurityError

        raise SecurityError(f"the template ran for more than {MAX_SECONDS:g} s (a loop too large?); simplify it")


MAX_RANGE = 100_000  # steps of one range() (Jinja's own sandbox limit)


def _limited_range(*args: int) -> Iterator[int]:
    """``range`` of at most MAX_RANGE steps whose loops stop at the render's deadline (no minutes-long nests)."""
    steps = range(*args)
    if len(steps) > MAX_RANGE:
        from jinja2.exceptions import SecurityError

        raise SecurityError(f"range() of more than {MAX_RANGE:,} steps is not allowed in a template")
    for i, value in enumerate(steps):
        if i % _LOOP_CHECK == 0:
            _over_time()
        yield value


def _too_big(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_OUTPUT


def _widths_too_big(text: str) -> bool:
    return any(int(n) > MAX_OUTPUT for m in _WIDTH.finditer(text) for n in m.groups() if n)


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    def refuse() -> NoReturn:
        raise SecurityError(f"a template may not build text longer than {MAX_OUTPUT:,} characters")

    class Limited(SandboxedEnvironment):
        """Jinja's sandbox plus limits on size and time: repetition, padding widths, powers and loops."""

        intercepted_binops = frozenset({"*", "**", "%"})

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, str | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_OUTPUT:
                        refuse()
            elif operator == "**" and isinstance(right, int | float) and abs(right) > 64:
                raise SecurityError("powers above 64 are not allowed in a template")
            elif operator == "%" and isinstance(left, str) and _widths_too_big(left):
                refuse()
            return super().call_binop(context, operator, left, right)

        def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            _over_time()
            if any(_too_big(a) for a in (*args, *kwargs.values())) and __obj is not _limited_range:
                refuse()
            return super().call(__context, __obj, *args, **kwargs)

        def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
            wrapped = super().wrap_str_format(value)
            if wrapped is not None and _widths_too_big(value.__self__):

                def refused(*_args: Any, **_kwargs: Any) -> str:
                    refuse()

                return refused
            return wrapped

    env = Limited(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    env.globals["range"] = _limited_range
    for name, original in list(env.filters.items()):
        env.filters[name] = _checked_filter(original, refuse)
    return env


def _checked_filter(original: Callable[..., Any], refuse: Callable[[], NoReturn]) -> Callable[..., Any]:
    """A filter that refuses huge widths and counts (``center(10**9)``, ``indent(10**9)`` …)."""

    @functools.wraps(original)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _over_time()
        if any(_too_big(a) for a in (*args[1:], *kwargs.values())):
            refuse()
        return original(*args, **kwargs)

    return checked


@lru_cache(maxsize=4096)
def _compile(source: str) -> Any:
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
    started = time.monotonic()
    if started > _file_deadline.get():
        raise TemplateProblem(
            f"not rendered: this file's templates already took more than {FILE_SECONDS:g} s in all; simplify them"
        )
    token = _deadline.set(min(started + MAX_SECONDS, _file_deadline.get()))
    try:
        out: list[str] = []
        size = 0
        for piece in template.generate(context.variables()):
            size += len(piece)
            if size > MAX_OUTPUT:
                raise TemplateProblem(f"the template produces more than {MAX_OUTPUT:,} characters; shorten it")
            _over_time()
            out.append(piece)
        return "".join(out).strip()
    except UndefinedError as exc:
        raise TemplateProblem(_undefined_message(str(exc.message), source, context)) from None
    except SecurityError as exc:
        raise TemplateProblem(f"not allowed in a template: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, MemoryError, RecursionError) as exc:
        raise TemplateProblem(f"template failed: {type(exc).__name__}: {exc}") from None
    finally:
        _deadline.reset(token)


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
