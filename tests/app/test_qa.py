"""Q&A sessions on the sandbox: questions gathered and grouped, FAQ answers within the hourly cap, the human queue,
answers made on the platform itself, exactly-once answers across a crash, and the summary."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlmodel import select

from socialbot.app.qa import run_sessions
from socialbot.app.qa_report import question_lines, session_figures
from socialbot.cli import main
from socialbot.domain.clock import VirtualClock
from socialbot.domain.ledger import ActionKind, Status
from socialbot.errors import OutcomeUnknown
from socialbot.run.simulate import simulate
from socialbot.storage.db import session_scope
from socialbot.storage.models import LedgerRow, SandboxPostRow
from tests.conftest import make_daemon, write_campaign

CAMPAIGN = """
campaign:
  id: shop
  name: Shop
  timezone: UTC
  starts: 2026-12-01
  ends: 2026-12-04
  platforms: [sandbox]
qa:
  - id: ama
    opening: "Ask us anything for the next hour!"
    opens: "2026-12-01 09:00"
    runs: 1h
    faq: faq.yaml
    auto_answers_per_hour: {cap}
    summary: "Thanks for {{{{ qa.questions }}}} questions, {{{{ qa.answered }}}} answered"
"""
FAQ = """
- questions: ["Do you ship to Portugal?", "Shipping to Europe?"]
  answer: ["Yes, everywhere in the EU.", "We do: EU delivery takes 3 to 5 days."]
- questions: ["Is the wool recycled?"]
  answer: "Every piece is recycled wool."
- questions: ["What is your return policy?", "Can I return it if it doesn't fit?"]
  answer: "Returns are free for 30 days."
- questions: ["When is the sale?", "When does the sale start?"]
  answer: "No sale this season."
- questions: ["How long does delivery take?", "How long does shipping take?"]
  answer: "3 to 5 days in the EU."
- questions: ["Are the free repairs for real?"]
  answer: "Yes: two winters of free repairs."
"""


def write(campaigns_dir: Path, *, cap: int = 10) -> Path:
    (campaigns_dir / "faq.yaml").write_text(FAQ, encoding="utf-8")  # (read as a campaign file: moved aside below)
    faq_dir = campaigns_dir.parent / "kb"
    faq_dir.mkdir(exist_ok=True)
    (campaigns_dir / "faq.yaml").rename(faq_dir / "faq.yaml")
    return write_campaign(campaigns_dir, CAMPAIGN.format(cap=cap).replace("faq: faq.yaml", "faq: ../kb/faq.yaml"))


def answers(engine) -> list[LedgerRow]:
    with session_scope(engine) as s:
        return list(s.exec(select(LedgerRow).where(LedgerRow.kind == ActionKind.ANSWER.value)))


def test_a_rehearsed_session_answers_faq_questions_within_the_cap_and_queues_the_rest(
    tmp_path, settings, campaigns_dir
):
    path = write(campaigns_dir, cap=3)
    config = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'sim.db'}"})
    app, _ = simulate(config, [path])
    try:
        lines = question_lines(app.engine, "shop", "ama")
        figures = session_figures(app.engine, "shop", "ama", now=app.clock())
        assert figures["questions"] > figures["groups"] > 5  # the crowd asks, some of it twice
        auto = [q for q in lines if q.answered_by == "auto"]
        assert 1 <= len(auto) <= 3  # the cap: 3 in the session's one hour
        sent = answers(app.engine)
        assert len(sent) == len(auto) and all(r.status == Status.SENT for r in sent)
        texts = [json.loads(r.draft)["text"] for r in sent]
        assert len(set(texts)) == len(texts)  # never the same wording twice
        capped = [q for q in lines if q.note and "hourly cap of 3" in q.note]
        waiting = [q for q in lines if q.status == "open"]
        assert capped and set(q.id for q in capped) <= set(q.id for q in waiting)  # over the cap: to a person
        assert figures["median_minutes"] is not None
        with session_scope(app.engine) as s:
            summary = s.exec(select(LedgerRow).where(LedgerRow.kind == ActionKind.ANNOUNCEMENT.value)).all()
        assert [json.loads(r.draft)["text"] for r in summary] == [
            f"Thanks for {figures['questions']} questions, {figures['answered']} answered"
        ]
    finally:
        app.close()


def _live(settings, clock, campaigns_dir):
    write(campaigns_dir, cap=0)  # no automatic answers: every question waits for a person
    daemon = make_daemon(settings, clock)
    daemon.start()
    clock.set(clock.now.replace(hour=9, minute=0, second=30))
    daemon.run_once()  # the opening goes out
    opening = next(r for r in _ledger(daemon.app.engine) if r.item_id == "ama")
    sandbox = daemon.app.platforms.get("shop", "sandbox")
    sandbox.script_reply(opening.remote_id, author="ana", text="Do you have it in green?", after=timedelta(minutes=2))
    sandbox.script_reply(opening.remote_id, author="bo", text="do you have it in GREEN??", after=timedelta(minutes=3))
    clock.set(clock.now + timedelta(minutes=5))
    daemon.run_once()  # collected (a run gathers questions before it collects) ...
    daemon.run_once()  # ... and gathered
    return daemon, opening


def _ledger(engine) -> list[LedgerRow]:
    with session_scope(engine) as s:
        return list(s.exec(select(LedgerRow)))


def test_a_human_answer_goes_out_once_even_when_the_answer_to_the_call_is_lost(settings, clock, campaigns_dir):
    daemon, _ = _live(settings, clock, campaigns_dir)
    app = daemon.app
    green = next(q for q in question_lines(app.engine, "shop", "ama") if "green" in q.text.casefold())
    assert green.asked_by == 2  # ana and bo asked the same question
    runner = CliRunner()
    at = {"clock": clock}  # the CLI on the test's clock
    done = runner.invoke(
        main, ["qa", "answer", str(green.id), "Green is back in January!", "--db", settings.database_url], obj=at
    )
    assert done.exit_code == 0, done.output
    again = runner.invoke(
        main, ["qa", "answer", str(green.id), "Something else", "--db", settings.database_url], obj=at
    )
    assert again.exit_code != 0 and "queued" in again.output  # one answer per question
    sandbox = app.platforms.get("shop", "sandbox")
    real_publish = sandbox.publish

    def accepted_then_lost(draft):
        real_publish(draft)
        raise OutcomeUnknown("connection lost after the platform accepted the post")

    sandbox.publish = accepted_then_lost
    daemon.run_once()  # the answer goes out, its answer is lost: unconfirmed, never retried blindly
    sandbox.publish = real_publish
    (queued,) = answers(app.engine)
    assert queued.status == Status.UNCONFIRMED
    clock.set(clock.now + timedelta(minutes=2))
    daemon.run_once()  # reconciled against the account's own posts: sent
    daemon.run_once()
    with session_scope(app.engine) as s:
        replies = s.exec(select(SandboxPostRow).where(SandboxPostRow.text == "Green is back in January!")).all()
    assert len(replies) == 1 and replies[0].reply_to
    line = next(q for q in question_lines(app.engine, "shop", "ama") if q.id == green.id)
    assert (line.status, line.answered_by) == ("answered", "human")
    daemon.close()


def test_an_answer_written_on_the_platform_counts_as_answered(settings, clock, campaigns_dir):
    daemon, _ = _live(settings, clock, campaigns_dir)
    app = daemon.app
    green = next(q for q in question_lines(app.engine, "shop", "ama") if "green" in q.text.casefold())
    remote = next(
        q for q in app.engine.connect().exec_driver_sql("SELECT id, remote_id FROM qa_questions") if q[0] == green.id
    )[1]
    world = app.platforms.get("shop", "sandbox").world
    world.add(text="Yes, in January", reply_to=remote, created_at=clock.now, id_base=1_900_000_000)  # by hand
    clock.set(clock.now + timedelta(minutes=60))  # the session ends; its last look checks the account's posts
    run_sessions(app, "shop", now=clock.now)
    clock.set(clock.now + timedelta(minutes=6))
    run_sessions(app, "shop", now=clock.now)
    line = next(q for q in question_lines(app.engine, "shop", "ama") if q.id == green.id)
    assert (line.status, line.answered_by) == ("answered", "platform")
    daemon.close()


def test_the_queue_commands_explain_what_is_wrong(settings, clock, campaigns_dir):
    daemon, _ = _live(settings, clock, campaigns_dir)
    daemon.close()
    runner = CliRunner()
    db = ["--db", settings.database_url]
    listed = runner.invoke(main, ["qa", "list", "ama", "--unanswered", "--format", "json", *db])
    assert listed.exit_code == 0, listed.output
    first = json.loads(listed.stdout)["questions"][0]
    unknown = runner.invoke(main, ["qa", "list", "nope", *db])
    assert unknown.exit_code == 2 and "no Q&A session 'nope'; this database has: shop/ama" in unknown.output
    missing = runner.invoke(main, ["qa", "answer", "99999", "hi", *db])
    assert missing.exit_code == 2 and "no question 99999" in missing.output
    skipped = runner.invoke(main, ["qa", "skip", str(first["id"]), "--reason", "off topic", *db])
    assert skipped.exit_code == 0, skipped.output
    late = runner.invoke(main, ["qa", "answer", str(first["id"]), "hi", *db])
    assert late.exit_code != 0 and "is skipped" in late.output
    green = next(q for q in json.loads(listed.stdout)["questions"] if "green" in q["question"].casefold())
    repeat = runner.invoke(main, ["qa", "answer", str(green["duplicates"][0]), "hi", *db], obj={"clock": clock})
    assert repeat.exit_code != 0 and f"repeats question {green['id']}: answer that one" in repeat.output
    too_long = runner.invoke(main, ["qa", "answer", str(green["id"]), "冬" * 150, *db], obj={"clock": clock})
    assert too_long.exit_code != 0 and "20 characters over sandbox's 280 limit (X's weighted count" in too_long.output
    huge = runner.invoke(main, ["qa", "answer", "9" * 30, "hi", *db])
    assert huge.exit_code == 2 and "Traceback" not in huge.output
    early = runner.invoke(
        main, ["qa", "close", "ama", *db], obj={"clock": VirtualClock(clock.now - timedelta(hours=2))}
    )
    assert early.exit_code != 0 and "has not opened yet" in early.output
    closed = runner.invoke(main, ["qa", "close", "ama", *db], obj={"clock": clock})
    assert closed.exit_code == 0 and "closed shop/ama" in closed.output
    twice = runner.invoke(main, ["qa", "close", "ama", *db], obj={"clock": clock})
    assert twice.exit_code != 0 and "closed already" in twice.output
    late = runner.invoke(main, ["qa", "close", "ama", *db], obj={"clock": VirtualClock(clock.now + timedelta(days=1))})
    assert late.exit_code != 0 and "ended at" in late.output


def test_control_characters_in_a_question_never_reach_the_terminal():
    from socialbot.report.cells import printable

    assert printable("Hi \x1b[31mred\x1b]0;title\x07 there\x9b") == "Hi \ufffd[31mred\ufffd]0;title\ufffd there\ufffd"
    assert printable("two\nlines\tand ✨ émoji") == "two\nlines\tand ✨ émoji"
