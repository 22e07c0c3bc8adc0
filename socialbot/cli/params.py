"""Click parameter types of our own: values checked as the flags the user typed, before any setting is read."""

from __future__ import annotations

import math
from typing import Any

import click


class FiniteFloatRange(click.FloatRange):
    """A ``click.FloatRange`` that also refuses nan and inf (every comparison with nan is false, so it passes a range)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = click.FLOAT.convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value} is not a number; give one in the range {self._describe_range()}", param, ctx)
        return super().convert(number, param, ctx)
