"""`status` as text: lines that fit are printed unwrapped at once, and the output is what wrapping them gives."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from socialbot.app.status import CampaignStatus, EntryNote, StatusReport
from socialbot.report.status import render_status


def report(reason: str) -> StatusReport:
    campaign = CampaignStatus(
        id="shop",
        name="Shop [sale]",
        active=True,
        timezone="UTC",
        ledger={"planned": 3, "failed": 1},
        next=[{"key": "shop/a/1/x/0", "platform": "x", "due_local": "2026-12-01T09:00:00+00:00", "due_utc": ""}],
        problems=[EntryNote("shop/b/1/x/0", "failed", reason, next_step="read the reason above")],
        parked=[],
        parked_jobs=[],
        last_collection={"x": "2026-12-01T08:00:00+00:00"},
        api_calls_today={"x publish": 2},
        budget=None,
    )
    return StatusReport(database="ok", campaigns=[campaign])


def rendered(status: StatusReport, *, width: int, wrap_always: bool) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, highlight=False, soft_wrap=False)
    if wrap_always:  # the way it printed before: rich wraps every line
        plain_print = console.print
        console.print = lambda *args, **kwargs: plain_print(*args, **{**kwargs, "soft_wrap": False})  # type: ignore[method-assign]
    render_status(status, fmt="table", console=console)
    return out.getvalue()


@pytest.mark.parametrize("reason", ["rejected", "the platform said no " * 20, "tab\tin it " * 10])
@pytest.mark.parametrize("width", [60, 140])
def test_status_text_is_the_same_as_when_every_line_was_wrapped(reason, width):
    text = rendered(report(reason), width=width, wrap_always=False)
    assert text == rendered(report(reason), width=width, wrap_always=True)
    assert all(len(line) <= width for line in text.splitlines())
    assert "Shop [sale] (shop)" in text
