"""The linear API-call estimate gives exactly what the straightforward quadratic one (kept here as the oracle) gave."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socialbot.app.estimate import ApiEstimate, _round_calls, estimate_campaign
from socialbot.app.loading import load_files
from socialbot.domain.cadence import collect_interval, metrics_due
from socialbot.domain.ledger import PlannedAction
from socialbot.domain.planning import localize
from socialbot.settings import Settings
from socialbot.spec.campaign import Campaign
from socialbot.spec.models import XBudget

REPO = Path(__file__).resolve().parents[2]


def quadratic_estimate(campaign: Campaign, actions: list[PlannedAction], *, settings: Settings) -> list[ApiEstimate]:
    """``estimate_campaign`` as it was before it was made linear (every round filtered every post): the oracle."""
    header = campaign.spec.campaign
    _, end_local = header.window()
    ends = localize(end_local, header.tz).astimezone(UTC)
    grace = timedelta(days=settings.collect_grace_days)
    out = []
    for platform in header.platforms:
        mine = [a for a in actions if a.platform == platform]
        if not mine:
            continue
        posts = len(mine)
        roots = sorted(a.due_at for a in mine if a.part == 0)
        keywords = len(header.hashtags)
        rounds = reads = 0
        t = roots[0]
        last_metrics: datetime | None = None
        while True:
            published = [r for r in roots if r <= t]
            interval = collect_interval(
                newest_publication=published[-1] if published else None, now=t, campaign_ends=ends, grace=grace
            )
            if interval is None:
                break
            rounds += 1
            searchable = [r for r in published if t - r <= timedelta(days=7)]
            lively = [r for r in published if t - r <= timedelta(days=1)]
            reads += _round_calls(
                platform, searchable=len(searchable), lively=len(lively), published=len(published), keywords=keywords
            )
            if metrics_due(last_metrics, t):
                reads += -(-len(published) // 100)
                last_metrics = t
            t += interval
        days = max(1, (ends + grace - roots[0]).days + 1)
        budget_note = None
        cap = header.x.max_reads_per_day if platform == "x" else None
        if cap is not None and reads > cap * days:
            budget_note = f"needs about {reads // days} reads a day; x.max_reads_per_day ({cap}) will hold collection to {cap * days}"
            reads = cap * days
        post_cap = header.x.max_posts_per_day if platform == "x" else None
        if post_cap is not None:
            busiest = max(sum(1 for a in mine if a.due_at.date() == d) for d in {a.due_at.date() for a in mine})
            if busiest > post_cap:
                budget_note = (
                    budget_note + "; " if budget_note else ""
                ) + f"{busiest} posts on the busiest day exceed x.max_posts_per_day ({post_cap})"
        cost = posts * settings.x_price_post + reads * settings.x_price_read if platform == "x" else None
        out.append(
            ApiEstimate(
                campaign=header.id,
                platform=platform,
                calls=posts + reads,
                posts=posts,
                reads=reads,
                collection_rounds=rounds,
                detail=f"{posts} posts, {reads} reads over {rounds} collection rounds"
                + (f" ({budget_note})" if budget_note else ""),
                budget_note=budget_note,
                cost_usd=round(cost, 2) if cost is not None else None,
            )
        )
    return out


def config(grace_days: int = 7) -> Settings:
    return Settings(collect_grace_days=grace_days, _env_file=None)


def load(path: Path) -> Campaign:
    loaded = load_files([path], settings=config())
    assert not loaded.problems, loaded.problems
    (campaign,) = loaded.campaigns
    return campaign


DENSE_X = """\
campaign:
  id: dense-x
  name: Dense
  timezone: UTC
  starts: 2027-01-04
  ends: 2027-01-06
  platforms: [x]
  hashtags: ["#a", "#b", "#c"]
  x: {max_reads_per_day: 100, max_posts_per_day: 50}
posts:
  - id: often
    text: "Every ten minutes #a"
    schedule: {every: 10m}
"""

REDDIT_WEEKDAYS = """\
campaign:
  id: reddit-weekdays
  name: Weekdays
  timezone: America/New_York
  starts: 2027-02-22
  ends: 2027-04-02
  platforms: [reddit]
  hashtags: ["keyword"]
posts:
  - id: thrice
    text: "Weekday question {{ occurrence }}"
    schedule: {cron: "0 9,13,18 * * 1-5"}
    reddit: {subreddit: testing}
"""

SPARSE_BOTH = """\
campaign:
  id: sparse-both
  name: Sparse
  timezone: Europe/Madrid
  starts: 2027-03-01
  ends: 2027-05-20
  platforms: [x, reddit]
  hashtags: ["#Sparse", "sparse"]
  defaults:
    quiet_hours: {start: "22:00", end: "08:00"}
  x: {max_reads_per_day: 40, max_posts_per_day: 3}
posts:
  - id: bursts
    thread: ["First part {{ occurrence }}", "Second part", "Third part"]
    schedule:
      at: ["2027-03-01 09:00", "2027-03-01 09:30", "2027-03-01 23:00", "2027-03-09 10:00",
           "2027-03-28 02:30", "2027-04-20 12:00", "2027-04-27 12:00", "2027-05-20 21:59"]
    reddit: {subreddit: testing}
  - id: daily-x
    text: "Daily on X"
    platforms: [x]
    schedule: {every: 1d, starting: "2027-03-20 07:00", count: 15}
  - id: hourly-reddit
    text: "Hourly on Reddit"
    platforms: [reddit]
    schedule: {every: 1h, starting: "2027-04-01 00:00", count: 60}
    reddit: {subreddit: testing}
"""

UNCAPPED_X = """\
campaign:
  id: uncapped-x
  name: Uncapped
  timezone: Asia/Tokyo
  starts: 2027-06-01
  ends: 2027-06-10
  platforms: [x]
  x: {max_posts_per_day: 100}
posts:
  - id: every-2h
    text: "Two-hourly"
    schedule: {every: 2h}
"""


@pytest.mark.parametrize(
    "source",
    [
        REPO / "campaigns" / "demo.yaml",
        REPO / "campaigns" / "example-launch.yaml",
        DENSE_X,
        REDDIT_WEEKDAYS,
        SPARSE_BOTH,
        UNCAPPED_X,
    ],
    ids=["demo", "example-launch", "dense-x", "reddit-weekdays", "sparse-both", "uncapped-x"],
)
@pytest.mark.parametrize("grace_days", [0, 7])
def test_estimate_is_the_quadratic_one(source: Path | str, grace_days: int, tmp_path: Path):
    if isinstance(source, str):
        path = tmp_path / "campaign.yaml"
        path.write_text(source, encoding="utf-8")
        source = path
    campaign = load(source)
    actions = campaign.compiled.actions
    expected = quadratic_estimate(campaign, actions, settings=config(grace_days))
    assert expected, "each campaign plans something"
    assert estimate_campaign(campaign, actions, settings=config(grace_days)) == expected


def test_the_caps_are_exercised(tmp_path: Path):
    """The oracle comparisons above reach both budget notes (else they would not test them)."""
    path = tmp_path / "dense.yaml"
    path.write_text(DENSE_X, encoding="utf-8")
    campaign = load(path)
    (estimate,) = estimate_campaign(campaign, campaign.compiled.actions, settings=config())
    assert estimate.budget_note is not None
    assert "x.max_reads_per_day (100)" in estimate.budget_note
    assert "144 posts on the busiest day exceed x.max_posts_per_day (50)" in estimate.budget_note


# Actions are generated around one campaign's window, in any order, on any of the platforms, as threads
# of 1 to 3 parts, at whole minutes (so rounds often fall exactly 1 or 7 days after a post: the window edges).
PROPERTY = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
START = datetime(2027, 3, 26, tzinfo=UTC)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Campaign:
    path = tmp_path_factory.mktemp("estimate") / "sparse.yaml"
    path.write_text(SPARSE_BOTH, encoding="utf-8")
    return load(path)


posts = st.lists(
    st.tuples(
        st.integers(min_value=-600, max_value=12 * 1440),  # minutes from START
        st.sampled_from(["x", "reddit", "sandbox"]),
        st.integers(min_value=1, max_value=3),  # parts
    ),
    min_size=1,
    max_size=30,
)


@PROPERTY
@given(
    items=posts,
    platforms=st.lists(st.sampled_from(["x", "reddit", "sandbox"]), min_size=1, max_size=3, unique=True),
    hashtags=st.integers(min_value=0, max_value=3),
    reads_cap=st.none() | st.integers(min_value=0, max_value=2000),
    posts_cap=st.none() | st.integers(min_value=0, max_value=6),
    ends_after=st.integers(min_value=0, max_value=9),  # days from START
    grace_days=st.integers(min_value=0, max_value=8),
    timezone=st.sampled_from(["UTC", "Europe/Madrid", "America/New_York", "Pacific/Auckland"]),
)
def test_estimate_is_the_quadratic_one_for_any_plan(
    base: Campaign,
    items: list[tuple[int, str, int]],
    platforms: list[str],
    hashtags: int,
    reads_cap: int | None,
    posts_cap: int | None,
    ends_after: int,
    grace_days: int,
    timezone: str,
):
    header = base.spec.campaign.model_copy(
        update={
            "platforms": platforms,
            "hashtags": [f"#tag{i}" for i in range(hashtags)],
            "x": XBudget(max_reads_per_day=reads_cap, max_posts_per_day=posts_cap),
            "timezone": timezone,
            "ends": (START + timedelta(days=ends_after)).date(),
        }
    )
    campaign = replace(base, spec=base.spec.model_copy(update={"campaign": header}))
    template = base.compiled.actions[0]
    actions = [
        replace(template, due_at=START + timedelta(minutes=minutes), platform=platform, part=part)
        for minutes, platform, parts in items
        for part in range(parts)
    ]
    expected = quadratic_estimate(campaign, actions, settings=config(grace_days))
    assert estimate_campaign(campaign, actions, settings=config(grace_days)) == expected
