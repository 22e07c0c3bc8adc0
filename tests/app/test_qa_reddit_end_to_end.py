"""A Q&A session on Reddit end to end: the real CLI and praw against the local Reddit stand-in on 127.0.0.1.

The opening is a self post with the suggested sort "Q&A"; questions are its top-level comments; answers are
comments under each question; an answer the account writes on Reddit itself is noticed.
"""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlmodel import select

from socialbot.cli import main
from socialbot.storage.db import make_engine, session_scope
from socialbot.storage.models import PublicationRow
from tests.app import test_reddit_end_to_end as reddit_end_to_end
from tests.conftest import write_campaign

vclock, standin, reddit_env = reddit_end_to_end.vclock, reddit_end_to_end.standin, reddit_end_to_end.reddit_env

CAMPAIGN = """
campaign:
  id: reddit-ama
  name: Reddit AMA
  timezone: UTC
  starts: 2026-11-30
  ends: 2026-12-05
  platforms: [reddit]
qa:
  - id: ama
    opening: "We are the makers of the winter line. Ask us anything for the next hour!"
    opens: "2026-12-01 09:00"
    runs: 1h
    faq: ../kb/faq.yaml
    reddit: {subreddit: socialbot_test, title: "AMA: the winter line makers"}
"""
FAQ = '- questions: ["Do you ship to Portugal?"]\n  answer: "Yes, everywhere in the EU."\n'


def run_once(runner: CliRunner, vclock) -> None:
    result = runner.invoke(main, ["run", "--once"], obj={"clock": vclock})
    assert result.exit_code == 0, result.output


def test_a_reddit_ama_is_a_qa_sorted_post_and_answers_each_question_under_itself(
    standin, reddit_env, campaigns_dir, vclock
):
    kb = campaigns_dir.parent / "kb"
    kb.mkdir()
    (kb / "faq.yaml").write_text(FAQ, encoding="utf-8")
    write_campaign(campaigns_dir, CAMPAIGN)
    runner = CliRunner()
    run_once(runner, vclock)  # 09:00: the opening goes out
    engine = make_engine(reddit_env["SOCIALBOT_DATABASE_URL"])
    with session_scope(engine) as s:
        opening = next(p.remote_id for p in s.exec(select(PublicationRow)) if p.item_id == "ama")
    post = standin.thing(opening)
    assert post.suggested_sort == "qa" and post.title == "AMA: the winter line makers"
    shipping = standin.comment(opening, "fan0", "Do you ship to Portugal?")
    knit = standin.comment(opening, "fan1", "Who knits them?")
    colour = standin.comment(opening, "fan2", "Any plans for a green one?")
    standin.comment(colour, "fan3", "I want green too")  # a reply to a question is not a question
    for _ in range(3):
        vclock.advance(minutes=2)
        run_once(runner, vclock)
    listed = runner.invoke(main, ["qa", "list", "reddit-ama/ama", "--format", "json"], obj={"clock": vclock})
    assert listed.exit_code == 0, listed.output
    questions = {q["question"]: q for q in json.loads(listed.stdout)["questions"]}
    assert set(questions) == {"Do you ship to Portugal?", "Who knits them?", "Any plans for a green one?"}
    said = runner.invoke(
        main, ["qa", "answer", str(questions["Any plans for a green one?"]["id"]), "January!"], obj={"clock": vclock}
    )
    assert said.exit_code == 0, said.output
    standin.comment(knit, standin.username, "Our team of six, by hand.")  # answered on Reddit itself
    vclock.advance(minutes=70)
    for _ in range(3):
        run_once(runner, vclock)
        vclock.advance(minutes=5)

    ours = {t.parent: t.text for t in standin.thing_list() if t.author == standin.username and t.kind == "t1"}
    assert ours[shipping] == "Yes, everywhere in the EU." or ours[shipping].endswith("Yes, everywhere in the EU.")
    assert ours[colour] == "January!"
    final = runner.invoke(main, ["qa", "list", "ama", "--format", "json"], obj={"clock": vclock})
    figures = json.loads(final.stdout)["figures"]
    assert (figures["auto"], figures["human"], figures["on_platform"], figures["unanswered"]) == (1, 1, 1, 0)
