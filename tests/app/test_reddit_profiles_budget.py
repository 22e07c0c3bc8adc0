"""Reddit reads one profile a call: a round reads at most PROFILES_PER_ROUND of them, the rest in later rounds."""

from __future__ import annotations

from click.testing import CliRunner
from sqlmodel import func, select

from socialbot.app.collecting import PROFILES_PER_ROUND
from socialbot.cli import main
from socialbot.storage.db import make_engine, session_scope
from socialbot.storage.models import AuthorSnapshotRow, PublicationRow
from tests.app import test_reddit_end_to_end as reddit_end_to_end

vclock, standin, reddit_env = reddit_end_to_end.vclock, reddit_end_to_end.standin, reddit_end_to_end.reddit_env


def test_a_busy_thread_reads_its_new_peoples_profiles_over_several_rounds(standin, reddit_env, campaigns_dir, vclock):
    reddit_end_to_end.campaign_due_at(campaigns_dir, vclock.now)
    runner = CliRunner()
    assert runner.invoke(main, ["run", "--once"], obj={"clock": vclock}).exit_code == 0
    engine = make_engine(reddit_env["SOCIALBOT_DATABASE_URL"])
    with session_scope(engine) as s:
        ama = next(p.remote_id for p in s.exec(select(PublicationRow)) if p.item_id == "ama")
    cap = PROFILES_PER_ROUND["reddit"]
    people = cap + 20
    for n in range(people):
        standin.comment(ama, f"person{n}", f"question {n}?")
    profiles = []
    for _ in range(3):
        vclock.advance(minutes=2)
        standin.calls.clear()
        assert runner.invoke(main, ["run", "--once"], obj={"clock": vclock}).exit_code == 0
        profiles.append(standin.calls["/user/{name}/about"])
    assert profiles[0] <= cap and sum(profiles) >= people  # capped per round, and nobody forgotten
    with session_scope(engine) as s:
        snapped = s.exec(
            select(func.count(func.distinct(AuthorSnapshotRow.remote_id))).where(AuthorSnapshotRow.platform == "reddit")
        ).one()
    assert snapped >= people
