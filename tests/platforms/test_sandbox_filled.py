"""The sandbox builds its millions of values without their __init__: they must equal the ones __init__ makes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from socialbot.domain.values import Interaction, InteractionKind, Metrics
from socialbot.platforms.sandbox.platform import _filled

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_a_filled_value_equals_the_constructed_one_defaults_included():
    assert _filled(Metrics, remote_id="1", taken_at=T0, likes=3) == Metrics(remote_id="1", taken_at=T0, likes=3)
    made = _filled(Metrics, remote_id="1", taken_at=T0)
    assert made.counters() == Metrics(remote_id="1", taken_at=T0).counters()
    assert hash(made) == hash(Metrics(remote_id="1", taken_at=T0))
    with pytest.raises(AttributeError):  # still frozen
        made.likes = 4  # type: ignore[misc]


def test_a_field_without_a_plain_default_must_be_given():
    values = dict(platform="x", remote_id="1-1", kind=InteractionKind.LIKE, author_id="a", created_at=T0)
    with pytest.raises(TypeError, match="raw"):  # a default_factory is never shared between values
        _filled(Interaction, **values)
    assert _filled(Interaction, **values, raw={}) == Interaction(**values)
