"""Compiling a campaign into planned actions: rotation, templates, Reddit titles, stable idempotency keys."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

from socialbot.spec.compile import compile_campaign
from socialbot.spec.loader import Campaign, load_file

CAMPAIGN = """\
campaign:
  id: actions-test
  name: Actions Test
  timezone: Europe/Madrid
  starts: 2026-12-01
  ends: 2026-12-10
  platforms: [x, reddit]
  countdowns:
    launch: 2026-12-08
posts:
  - id: rotate
    variants: ["A {{ occurrence }}", "B {{ occurrence }}", "C {{ occurrence }}"]
    platforms: [x]
    schedule: {every: 1d, starting: "2026-12-01 09:00", count: 5}
  - id: template
    text: "#{{ occurrence }} {{ date }} {{ weekday }} {{ time }}: {{ days_to.launch }} to launch, {{ days_to_end }} to end ({{ campaign.name }})"
    platforms: [x]
    schedule: {at: ["2026-12-02 10:00", "2026-12-08 10:00"]}
  - id: reddit-default
    text: |-
      First line becomes the title
      Body continues here.
    platforms: [reddit]
    reddit: {subreddit: test}
    schedule: {at: "2026-12-03 12:00"}
  - id: reddit-title
    text: "Body"
    platforms: [reddit]
    reddit: {subreddit: test, title: "Day {{ occurrence }} of {{ campaign.name }}", flair: News, kind: link, url: "https://example.com"}
    schedule: {at: "2026-12-03 13:00"}
  - id: thread
    thread: ["one", "two", "three"]
    schedule: {at: "2026-12-04 09:00"}
    reddit: {subreddit: test}
"""


def load(tmp_path: Path, body: str = CAMPAIGN) -> Campaign:
    path = tmp_path / "c.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    campaign, problems = load_file(path)
    assert problems == [], problems
    assert campaign is not None
    return campaign


def actions_of(campaign: Campaign, item: str):
    return [a for a in compile_campaign(campaign).actions if a.item_id == item]


def test_variants_rotate_in_order_across_occurrences(tmp_path):
    texts = [a.draft.text for a in actions_of(load(tmp_path), "rotate")]
    assert texts == ["A 1", "B 2", "C 3", "A 4", "B 5"]


def test_templates_render_occurrence_date_and_countdowns(tmp_path):
    first, second = actions_of(load(tmp_path), "template")
    assert first.draft.text == "#1 2026-12-02 Wednesday 10:00: 6 to launch, 8 to end (Actions Test)"
    assert second.draft.text == "#2 2026-12-08 Tuesday 10:00: 0 to launch, 2 to end (Actions Test)"


def test_reddit_title_defaults_to_the_first_line(tmp_path):
    [action] = actions_of(load(tmp_path), "reddit-default")
    assert action.platform == "reddit"
    assert action.draft.title == "First line becomes the title"
    assert action.draft.text == "First line becomes the title\nBody continues here."
    assert action.draft.subreddit == "test"


def test_reddit_title_is_a_template_and_options_are_passed(tmp_path):
    [action] = actions_of(load(tmp_path), "reddit-title")
    assert action.draft.title == "Day 1 of Actions Test"
    assert (action.draft.flair, action.draft.url) == ("News", "https://example.com")


def test_thread_parts_are_separate_actions_at_one_time(tmp_path):
    actions = actions_of(load(tmp_path), "thread")
    x_parts = [a for a in actions if a.platform == "x"]
    assert [(a.part, a.draft.text) for a in x_parts] == [(0, "one"), (1, "two"), (2, "three")]
    assert {a.due_at for a in actions} == {datetime(2026, 12, 4, 8, 0, tzinfo=UTC)}
    reddit = [a for a in actions if a.platform == "reddit"]
    assert reddit[0].draft.title == "one" and reddit[1].draft.title is None  # follow-ups are comments


def test_actions_are_in_due_order_with_utc_and_local_times(tmp_path):
    actions = compile_campaign(load(tmp_path)).actions
    assert [a.due_at for a in actions] == sorted(a.due_at for a in actions)
    first = actions[0]
    assert first.due_at == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert first.local.strftime("%Y-%m-%d %H:%M %Z") == "2026-12-01 09:00 CET"


def test_idempotency_keys_are_stable_across_reloads(tmp_path):
    keys = [a.key for a in compile_campaign(load(tmp_path)).actions]
    again = [a.key for a in compile_campaign(load(tmp_path)).actions]
    assert keys == again
    assert len(set(keys)) == len(keys)
    assert "actions-test/rotate/20261201T0900/x/0" in keys
    assert "actions-test/thread/20261204T0900/x/2" in keys


def test_editing_a_text_keeps_the_keys_but_changes_the_content_hash(tmp_path):
    before = {a.key: a.content_hash for a in compile_campaign(load(tmp_path)).actions}
    after = {
        a.key: a.content_hash
        for a in compile_campaign(load(tmp_path, CAMPAIGN.replace('"Body"', '"New body"'))).actions
    }
    assert before.keys() == after.keys()
    changed = [k for k in before if before[k] != after[k]]
    assert changed == ["actions-test/reddit-title/20261203T1300/reddit/0"]


def test_media_paths_are_resolved_relative_to_the_campaign_file(tmp_path):
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    body = CAMPAIGN.replace(
        '    thread: ["one", "two", "three"]\n',
        '    thread: ["one", "two", "three"]\n    media: [{path: img/a.png, alt: "An image"}]\n',
    )
    actions = actions_of(load(tmp_path, body), "thread")
    first = next(a for a in actions if a.platform == "x" and a.part == 0)
    second = next(a for a in actions if a.platform == "x" and a.part == 1)
    assert [(m.path, m.alt_text) for m in first.draft.media] == [(str(tmp_path / "img" / "a.png"), "An image")]
    assert second.draft.media == ()
