"""A Q&A session on X end to end: the real CLI and tweepy against the local X API v2 stand-in on 127.0.0.1.

Questions are the replies to the opening; a FAQ question is answered at once, a person answers another from
the CLI, an answer the account writes on X itself is noticed; each answer is a reply to its own question.
"""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlmodel import select

from socialbot.cli import main
from socialbot.storage.db import make_engine, session_scope
from socialbot.storage.models import PublicationRow
from tests.app import test_x_end_to_end as x_end_to_end
from tests.app.test_x_end_to_end import campaign_at

vclock, standin, x_env = x_end_to_end.vclock, x_end_to_end.standin, x_end_to_end.x_env  # its fixtures

CAMPAIGN = """
campaign:
  id: x-ama
  name: X AMA
  timezone: UTC
  starts: {start}
  ends: {end}
  platforms: [x]
qa:
  - id: ama
    opening: "Ask us anything about the winter line for the next hour!"
    opens: "{at}"
    runs: 1h
    faq: ../kb/faq.yaml
    summary: "Thanks for {{{{ qa.questions }}}} questions!"
"""
FAQ = '- questions: ["Do you ship to Portugal?"]\n  answer: "Yes, everywhere in the EU."\n'


def run_once(runner: CliRunner, vclock) -> None:
    result = runner.invoke(main, ["run", "--once"], obj={"clock": vclock})
    assert result.exit_code == 0, result.output


def qa_json(runner: CliRunner, vclock) -> dict:
    listed = runner.invoke(main, ["qa", "list", "ama", "--format", "json"], obj={"clock": vclock})
    assert listed.exit_code == 0, listed.output
    return json.loads(listed.stdout)


def test_an_x_ama_answers_each_question_under_itself(standin, x_env, campaigns_dir, vclock):
    kb = campaigns_dir.parent / "kb"
    kb.mkdir()
    (kb / "faq.yaml").write_text(FAQ, encoding="utf-8")
    campaign_at(campaigns_dir, CAMPAIGN, vclock.now, "x.yaml")
    runner = CliRunner()
    run_once(runner, vclock)  # the opening goes out
    engine = make_engine(x_env["SOCIALBOT_DATABASE_URL"])
    with session_scope(engine) as s:
        opening = next(p.remote_id for p in s.exec(select(PublicationRow)) if p.item_id == "ama")
    fans = [standin.add_user(f"fan{n}") for n in range(4)]
    vclock.advance(minutes=3)
    shipping = standin.reply(opening, fans[0], "@brand do you ship to Portugal??")
    green = standin.reply(opening, fans[1], "Is the scarf coming in green?")
    again = standin.reply(opening, fans[2], "is the scarf coming in GREEN")
    handmade = standin.reply(opening, fans[3], "Who knits them?")
    for _ in range(3):  # collect, gather (the FAQ answer is queued), publish
        vclock.advance(minutes=2)
        run_once(runner, vclock)

    questions = {q["question"]: q for q in qa_json(runner, vclock)["questions"]}
    assert questions["@brand do you ship to Portugal??"]["answered_by"] == "auto"
    green_q = next(q for text, q in questions.items() if "green" in text.casefold())  # its group's first
    assert green_q["asked_by"] == 2 and green_q["status"] == "open"  # asked twice: one question
    said = runner.invoke(main, ["qa", "answer", str(green_q["id"]), "Green is back in January!"], obj={"clock": vclock})
    assert said.exit_code == 0, said.output
    standin.reply(handmade, standin.account_id, "Our team of six, by hand!")  # answered on X, not through socialbot
    vclock.advance(minutes=2)
    run_once(runner, vclock)
    vclock.advance(minutes=60)  # past the close: the last look and the summary
    for _ in range(3):
        run_once(runner, vclock)
        vclock.advance(minutes=5)

    ours = {t["in_reply_to"]: t["text"] for t in standin.tweets.values() if t["author_id"] == standin.account_id}
    assert ours[shipping] == next(t for t in ours.values() if "EU" in t)  # the FAQ answer, under its question
    assert {ours.get(green), ours.get(again)} == {"Green is back in January!", None}  # once, for the group
    assert ours[opening] == "Thanks for 4 questions!"
    data = qa_json(runner, vclock)
    by_text = {q["question"]: q for q in data["questions"]}
    assert by_text["Who knits them?"]["answered_by"] == "platform"
    assert next(q for t, q in by_text.items() if "green" in t.casefold())["status"] == "answered"
    assert data["figures"]["answered"] == 3 and data["figures"]["unanswered"] == 0
