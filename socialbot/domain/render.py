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

from socialbot.domain.textlimits import forbidden_character
from socialbot.errors import SocialbotError


class TemplateProblem(SocialbotError):
    """A text template cannot be parsed or rendered; the message says what to fix."""


_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class RenderContext:
    """The variables a post text may use; see docs/campaigns.md."""

    campaign_id: str
    campaign_name: str
    occurrence: int
    local: datetime
    ends: date
    countdowns: tuple[tuple[str, date], ...] = ()
    extra: tuple[tuple[str, object], ...] = ()  # a feature's own variables, e.g. ("poll", {...}) for an announcement

    def variables(self) -> dict[str, object]:
        local = self.local
        today = local.date()
        return dict(self.extra) | {
            "campaign": {"id": self.campaign_id, "name": self.campaign_name},
            "occurrence": self.occurrence,
            "date": today.isoformat(),
            "time": f"{local.hour:02d}:{local.minute:02d}",
            "weekday": _WEEKDAYS[today.weekday()],  # English whatever the machine's locale
            "days_to_end": (self.ends - today).days,
            "days_to": {name: (when - today).days for name, when in self.countdowns},
        }


MAX_OUTPUT = 50_000  # characters one template may produce (Reddit's self-post limit is 40,000)
MAX_VALUE = 200_000  # size of any value a template builds on the way (characters, items, counted deeply)
MAX_SECONDS = 0.5  # a template that renders for longer than this is a campaign error, not a hang
FILE_SECONDS = 1.5  # all of one campaign file's renders together (validate answers within 2 s)
_LOOP_CHECK = 1_000  # loop steps between two looks at the clock
_PIECE_CHECK = 16  # pieces of output between two looks at the clock (loops and filters look on their own)
# widths and precisions in %-formatting ("%-30000s", "%.9999f", "%(name)99s") and in str.format specs
_WIDTH = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\d*)(?:\.(\d+))?|\{[^{}]*?:[^{}]*?(\d+)[^{}]*\}")
_STAR = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(?:\*|\d*\.\*)")
_REFUSED_ATTRIBUTES = frozenset({"expandtabs", "translate", "maketrans"})  # text amplifiers no post needs
# CPU time of the rendering thread, not the wall clock: a valid file stays valid on a busy machine
_cpu = time.thread_time
_deadline: ContextVar[tuple[float, str]] = ContextVar("render_deadline", default=(float("inf"), ""))
_LOOP_TOO_LONG = f"the template ran for more than {MAX_SECONDS:g} s of CPU time (a loop too large?); simplify it"
_FILE_TOO_LONG = f"this file's templates took more than {FILE_SECONDS:g} s of CPU time in all; simplify them"
_file_budget: ContextVar[list[float] | None] = ContextVar("file_render_budget", default=None)  # [seconds left]


@contextmanager
def render_budget(seconds: float = FILE_SECONDS) -> Iterator[None]:
    """Every render inside shares ``seconds`` in all (one campaign file's templates).

    Only the CPU time spent rendering counts: what the caller does between two renders (expanding
    schedules, importing a library the first time) and waiting for a busy machine's CPU do not.
    """
    token = _file_budget.set([seconds])
    try:
        yield
    finally:
        _file_budget.reset(token)


def _security_error(message: str) -> Exception:
    from jinja2.exceptions import SecurityError

    return SecurityError(message)


def _over_time() -> None:
    deadline, why = _deadline.get()
    if _cpu() > deadline:
        raise _security_error(why)


def _refuse() -> NoReturn:
    raise _security_error(f"a template may not build text longer than {MAX_OUTPUT:,} characters")


MAX_RANGE = 100_000  # steps of one range() (Jinja's own sandbox limit)


def _limited_range(*args: int) -> range:
    steps = range(*args)
    if len(steps) > MAX_RANGE:
        raise _security_error(f"range() of more than {MAX_RANGE:,} steps is not allowed in a template")
    return steps


def _guarded_loop(iterable: Any) -> Iterator[Any]:
    """What every ``{% for %}`` iterates: the loop looks at the clock every _LOOP_CHECK steps (no nested
    loops over long strings or lists running for minutes without ever calling anything)."""
    for i, value in enumerate(iterable):
        if i % _LOOP_CHECK == 0:
            _over_time()
        yield value


def _weight(value: object, cap: int = MAX_VALUE) -> int:
    """How big a value is, counted deeply (characters of text, plus items of lists and dicts); stops
    counting once past ``cap``, so a list that holds itself many times is cheap to refuse."""
    total = 0
    stack = [value]
    while stack and total <= cap:
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            stack.extend(item)
        elif isinstance(item, dict):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        else:
            total += 1
    return total


def _checked(value: Any) -> Any:
    if _weight(value) > MAX_VALUE:
        _refuse()
    return value


def _too_big(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_OUTPUT


def _widths_too_big(text: str, arguments: object = ()) -> bool:
    """A format string whose widths could build huge text: a literal width over the limit, or a ``*``
    width taken from the arguments."""
    if _STAR.search(text):
        return True
    return any(int(n) > MAX_OUTPUT for m in _WIDTH.finditer(text) for n in m.groups() if n)


def _amplifies(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Would this filter or text method build far more than it was given? Checked before it runs, for the
    few that multiply their input: ``indent`` (lines x width), ``join`` (items x separator), ``replace``
    (matches x replacement), ``wordwrap`` (lines x wrap string), ``format`` (widths)."""
    if not args:
        return False
    subject, rest = args[0], args[1:]
    text = subject if isinstance(subject, str) else None
    if name == "indent" and text is not None:
        width = rest[0] if rest else kwargs.get("width", 4)
        size = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        return size * (text.count("\n") + 1) + len(text) > MAX_VALUE
    if name == "join":
        separator = rest[0] if rest else kwargs.get("d", "")
        items = subject if isinstance(subject, list | tuple | str) else ()
        return _weight(items) + len(str(separator)) * len(items) > MAX_VALUE
    if name == "replace" and text is not None and len(rest) >= 2:
        old, new = str(rest[0]), str(rest[1])
        matches = text.count(old) if old else len(text) + 1
        return len(text) + matches * len(new) > MAX_VALUE
    if name == "wordwrap" and text is not None:
        wrap = rest[2] if len(rest) > 2 else kwargs.get("wrapstring") or "\n"
        return len(text) * (len(str(wrap)) + 1) > MAX_VALUE
    if name == "format" and text is not None:
        return _widths_too_big(text)
    return False


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import StrictUndefined, nodes
    from jinja2.compiler import CodeGenerator, Frame
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class LimitedCode(CodeGenerator):
        """``~`` joins through the environment, so the text it builds is measured."""

        def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
            self.write("environment.checked_join((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class Limited(ImmutableSandboxedEnvironment):
        """Jinja's immutable sandbox plus limits on size and time: every value a call, filter, operator or
        ``~`` builds is measured, the few operations that multiply their input are checked before they
        run, and every loop looks at the clock."""

        code_generator_class = LimitedCode
        intercepted_binops = frozenset({"*", "**", "%", "+"})

        def checked_join(self, pieces: tuple[Any, ...]) -> str:
            if sum(_weight(piece) for piece in pieces) > MAX_VALUE:
                _refuse()
            return "".join(str(piece) for piece in pieces)

        def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
            tree = super()._parse(source, name, filename)
            for loop in tree.find_all(nodes.For):
                loop.iter = nodes.Call(nodes.Name("_guarded_loop", "load"), [loop.iter], [], None, None)
            return tree

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            if isinstance(obj, str) and attr in _REFUSED_ATTRIBUTES:
                return False
            return bool(super().is_safe_attribute(obj, attr, value))

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, str | list | tuple) and isinstance(n, int) and _weight(seq) * n > MAX_VALUE:
                        _refuse()
            elif operator == "**" and isinstance(right, int | float) and abs(right) > 64:
                raise _security_error("powers above 64 are not allowed in a template")
            elif operator == "%" and isinstance(left, str) and _widths_too_big(left):
                _refuse()
            return _checked(super().call_binop(context, operator, left, right))

        def call(self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            _over_time()
            if __obj is not _limited_range and any(_too_big(a) for a in (*args, *kwargs.values())):
                _refuse()
            receiver = getattr(__obj, "__self__", None)
            if isinstance(receiver, str) and _amplifies(getattr(__obj, "__name__", ""), (receiver, *args), kwargs):
                _refuse()
            return _checked(super().call(__context, __obj, *args, **kwargs))

        def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
            wrapped = super().wrap_str_format(value)
            if wrapped is not None and _widths_too_big(value.__self__):

                def refused(*_args: Any, **_kwargs: Any) -> str:
                    _refuse()

                return refused
            return wrapped

    env = Limited(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)
    del env.globals["lipsum"]  # builds megabytes of text from one small number
    env.globals["range"] = _limited_range
    env.globals["_guarded_loop"] = _guarded_loop
    for name, original in list(env.filters.items()):
        env.filters[name] = _checked_filter(name, original)
    return env


def _checked_filter(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
    """A filter that refuses huge widths and counts (``center(10**9)``), refuses the few that would
    multiply their input past the limit, and measures what it returns."""

    passes_context = getattr(original, "jinja_pass_arg", None) is not None  # context, eval context or env first

    @functools.wraps(original)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _over_time()
        values = args[1:] if passes_context else args
        if any(_too_big(a) for a in (*values[1:], *kwargs.values())) or _amplifies(name, tuple(values), kwargs):
            _refuse()
        return _checked(original(*args, **kwargs))

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
    started = _cpu()
    budget = _file_budget.get()
    if budget is not None and budget[0] <= 0:
        raise TemplateProblem(f"not rendered: {_FILE_TOO_LONG}")
    if budget is not None and budget[0] < MAX_SECONDS:
        token = _deadline.set((started + budget[0], _FILE_TOO_LONG))
    else:
        token = _deadline.set((started + MAX_SECONDS, _LOOP_TOO_LONG))
    try:
        out: list[str] = []
        size = 0
        for count, piece in enumerate(template.generate(context.variables())):
            size += len(piece)
            if size > MAX_OUTPUT:
                raise TemplateProblem(f"the template produces more than {MAX_OUTPUT:,} characters; shorten it")
            if count % _PIECE_CHECK == 0:
                _over_time()
            out.append(piece)
        text = "".join(out).strip()
    except UndefinedError as exc:
        raise TemplateProblem(_undefined_message(str(exc.message), source, context)) from None
    except SecurityError as exc:
        raise TemplateProblem(f"not allowed in a template: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, MemoryError, RecursionError) as exc:
        raise TemplateProblem(f"template failed: {type(exc).__name__}: {exc}") from None
    finally:
        _deadline.reset(token)
        if budget is not None:
            budget[0] -= _cpu() - started
    if wrong := forbidden_character(text):
        raise TemplateProblem(f"the template's output is not allowed: {wrong}")
    return text


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
        for owner, value in context.extra:  # a feature's variables: poll.*, qa.*
            if isinstance(value, dict) and re.search(re.escape(owner) + lookup, source) and name not in value:
                return f"'{owner}.{name}' does not exist; {owner} has {', '.join(sorted(value))}"
        return f"'campaign.{name}' does not exist; campaign has only id and name"
    known = ", ".join(sorted(context.variables()))
    return f"{message}; the variables are: {known}"
