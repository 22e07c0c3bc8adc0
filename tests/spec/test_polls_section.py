"""The polls: section at load: each platform's native limits, reply-poll limits, ids, window, announcement templates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socialbot.spec.loader import load_file


def campaign(polls: list[dict], *, platforms: str = "[x, reddit]", posts: str = "") -> str:
    head = (
        "campaign:\n  id: polls-test\n  name: Polls test\n  timezone: Europe/Madrid\n"
        f"  starts: 2026-12-01\n  ends: 2026-12-14\n  platforms: {platforms}\n"
    )
    return head + posts + "polls:\n" + "".join(f"  - {json.dumps(p, ensure_ascii=False)}\n" for p in polls)


def poll(**changes: object) -> dict:
    base = {
        "id": "vote",
        "question": "Which one?",
        "options": ["Tea", "Cocoa"],
        "opens": "2026-12-02 12:00",
        "runs": "1d",
        "reddit": {"subreddit": "testing"},
    }
    return {**base, **changes}


def problems(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "c.yaml"
    path.write_text(text, encoding="utf-8")
    _, found = load_file(path)
    return [f"{p.line}: {p.message}" for p in found]


def test_a_valid_native_poll_compiles_to_a_poll_on_each_platform(tmp_path: Path):
    path = tmp_path / "c.yaml"
    path.write_text(campaign([poll()]), encoding="utf-8")
    loaded, found = load_file(path)
    assert found == [] and loaded is not None
    actions = [a for a in loaded.compiled.actions if a.is_poll]
    assert [(a.platform, a.kind.value, a.draft.poll.options if a.draft.poll else None) for a in actions] == [
        ("reddit", "poll", ("Tea", "Cocoa")),
        ("x", "poll", ("Tea", "Cocoa")),
    ]
    assert all(a.draft.poll and a.draft.poll.duration_minutes == 1440 for a in actions)
    assert actions[0].draft.title == "Which one?" and actions[0].draft.subreddit == "testing"
    assert actions[0].due_at.isoformat() == "2026-12-02T11:00:00+00:00"  # 12:00 in Madrid


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"options": ["A", "B", "C", "D", "E"]}, "5 options; x polls take 2 to 4"),
        ({"options": ["A", "B", "C", "D", "E", "F", "G"]}, "7 options; reddit polls take 2 to 6"),
        ({"options": ["An option that is far too long for X", "B"]}, "characters over x's 25"),
        ({"runs": "2m"}, "2m is outside x's poll durations: 5 minutes to 7 days"),
        ({"runs": "2h"}, "2h: Reddit polls run whole days (1d to 7d)"),
        ({"runs": "36h"}, "36h: Reddit polls run whole days (1d to 7d)"),
        ({"runs": "8d"}, "8d is outside reddit's poll durations: 1 day to 7 days"),
        ({"runs": "8d"}, "8d is outside x's poll durations"),
        ({"options": ["Tea", "tea"]}, "two options are the same"),
        ({"opens": "2027-01-20 12:00"}, "is outside the campaign"),
        ({"reddit": {}}, "a Reddit poll needs 'reddit: {subreddit: NAME}'"),
        ({"question": "{{ nope }}"}, "nope"),
        ({"announce_results": "{{ poll.winer }} won"}, "'poll.winer' does not exist; poll has options, results"),
        ({"announce_results": "{{ poll.results }}" + "x" * 300}, "characters over x's 280 limit"),
        ({"platforms": ["sandbox"]}, "sandbox is not among the campaign's platforms"),
        ({"options": ["", "B"]}, "an option is empty"),
        ({"options": ["   ", "B"]}, "an option is empty"),
        ({"announce_results": ""}, "at least 1 character"),
    ],
)
def test_a_poll_beyond_a_limit_is_refused_with_its_line(tmp_path: Path, changes: dict, message: str):
    found = problems(tmp_path, campaign([poll(**changes)]))
    assert any(message in p for p in found), found
    assert all(p.split(":")[0].isdigit() for p in found)  # every message names its line


def test_reply_polls_take_up_to_ten_options_and_a_week(tmp_path: Path):
    ten = [f"Option number {i}" for i in range(10)]
    assert problems(tmp_path, campaign([poll(kind="reply", options=ten, runs="7d")])) == []
    eleven = problems(tmp_path, campaign([poll(kind="reply", options=[*ten, "one more"])]))
    assert any("11 options; a reply poll takes 2 to 10" in p for p in eleven), eleven
    long = problems(tmp_path, campaign([poll(kind="reply", runs="8d")]))
    assert any("a reply poll runs 5 minutes to 7 days" in p for p in long), long


def test_a_poll_id_may_not_repeat_a_post_id(tmp_path: Path):
    posts = "posts:\n  - id: vote\n    text: Hello\n    schedule: {at: '2026-12-02 09:00'}\n"
    found = problems(tmp_path, campaign([poll()], posts=posts))
    assert any("id 'vote' is already used by posts[0]" in p for p in found), found


def test_faq_answers_are_held_to_xs_weighted_count(tmp_path: Path):
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "faq.yaml").write_text('- questions: ["Ship?"]\n  answer: "' + "冬" * 140 + '"\n', encoding="utf-8")
    qa = "qa:\n  - {id: ama, opening: 'Ask us!', opens: '2026-12-02 12:00', faq: kb/faq.yaml}\n"
    head = campaign([poll()], platforms="[x]").split("polls:")[0]
    found = problems(tmp_path, head + qa)
    assert any("1 answers in kb/faq.yaml are over x's" in p for p in found), found  # 140 wide characters weigh 280


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["C", "Go", "Rust"], "option 'C' reads as the letter or number of option C; reword it"),
        (["Café", "Cafe"], "two options are the same once case and accents are set aside"),
        (["2", "One"], "option '2' reads as the letter or number of option B"),
    ],
)
def test_reply_poll_options_that_replies_could_not_tell_apart_are_refused(tmp_path: Path, options, message):
    found = problems(tmp_path, campaign([poll(kind="reply", options=options)]))
    assert any(message in p for p in found), found


def test_an_option_that_is_its_own_letter_is_fine(tmp_path: Path):
    assert problems(tmp_path, campaign([poll(kind="reply", options=["A", "B", "C"])])) == []


def test_a_session_tag_of_one_character_is_refused(tmp_path: Path):
    head = campaign([poll()], platforms="[x]").split("polls:")[0]
    found = problems(tmp_path, head + "qa:\n  - {id: ama, opening: 'Ask!', opens: '2026-12-02 12:00', tag: '#'}\n")
    assert any("at least 2 characters" in p for p in found), found  # "#" would make every mention a question
