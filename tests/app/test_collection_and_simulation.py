"""Collection is incremental and idempotent; simulations are deterministic and DST-correct; reports add up."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from click.testing import CliRunner
from sqlmodel import func, select

from socialbot.app.reports import build_report
from socialbot.cli import main
from socialbot.domain.values import CollectBatch
from socialbot.run.simulate import simulate
from socialbot.storage import interactions as ingest
from socialbot.storage.db import session_scope
from socialbot.storage.models import CursorRow, InteractionRow, LedgerRow, MetricSnapshotRow
from tests.conftest import make_daemon, write_campaign

DAILY_MADRID = """
campaign:
  id: dst
  name: Across DST
  timezone: Europe/Madrid
  starts: 2026-03-27
  ends: 2026-03-31
  platforms: [sandbox]
posts:
  - id: nine
    text: "Good morning, day {{ occurrence }}"
    schedule: {every: 1d, starting: "2026-03-27 09:00"}
"""


def test_daily_nine_am_madrid_stays_at_nine_local_across_dst_in_a_simulation(settings, campaigns_dir, tmp_path):
    path = write_campaign(campaigns_dir, DAILY_MADRID)
    sim_settings = settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'sim.db'}"})
    app, result = simulate(sim_settings, [path], days=5)
    with session_scope(app.engine) as s:
        sent = sorted(r.sent_at for r in s.exec(select(LedgerRow).where(LedgerRow.status == "sent")))
    app.close()
    assert result.sent == 5
    madrid = ZoneInfo("Europe/Madrid")
    assert [t.astimezone(madrid).strftime("%H:%M") for t in sent] == ["09:00"] * 5
    assert [t.strftime("%H:%M") for t in sent] == ["08:00", "08:00", "07:00", "07:00", "07:00"]  # DST began on the 29th


def test_collection_stores_once_and_cursor_travels_with_rows(settings, clock, campaigns_dir):
    write_campaign(
        campaigns_dir,
        """
        campaign: {id: col, name: Col, timezone: UTC, starts: 2026-12-01, ends: 2026-12-02, platforms: [sandbox], hashtags: ["#col"]}
        posts:
          - id: q
            text: "What do you think?"
            schedule: {at: "2026-12-01 08:00"}
        """,
    )
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.run_once()
    clock.advance(hours=3)
    first = daemon.app.collect("col", "sandbox", now=clock.now)
    assert first.new_interactions > 50
    again = daemon.app.collect("col", "sandbox", now=clock.now)
    assert again.new_interactions == 0
    with session_scope(daemon.app.engine) as s:
        stored = s.exec(select(func.count()).select_from(InteractionRow)).one()
        cursor = s.exec(select(CursorRow)).one()
        snapshots = s.exec(select(func.count()).select_from(MetricSnapshotRow)).one()
    assert stored == first.new_interactions
    assert cursor.value == clock.now.isoformat()
    # a time series, never overwritten: run_once's reading and the one three hours later; the second
    # collection at the same instant reads no counters (a fresh post's are read every 30 minutes)
    assert snapshots == 2
    # a crash after fetching but before storing loses nothing: re-fetching from the old cursor is harmless
    platform = daemon.app.platforms.get("col", "sandbox")
    replay = platform.fetch_interactions(
        [
            __import__("socialbot.domain.values", fromlist=["Target"]).Target(
                "1800000001", clock.now - timedelta(hours=3)
            )
        ],
        cursors={},
        keywords=["#col"],
        now=clock.now,
    )
    assert (
        ingest.store_batch(daemon.app.engine, campaign_id="col", platform="sandbox", batch=replay, now=clock.now) == 0
    )
    empty = CollectBatch()
    assert ingest.store_batch(daemon.app.engine, campaign_id="col", platform="sandbox", batch=empty, now=clock.now) == 0
    daemon.close()


def test_report_numbers_add_up(settings, clock, campaigns_dir):
    write_campaign(
        campaigns_dir,
        """
        campaign: {id: rep, name: Rep, timezone: UTC, starts: 2026-12-01, ends: 2026-12-02, platforms: [sandbox]}
        posts:
          - id: a
            variants: ["First post {{ occurrence }}", "Second post {{ occurrence }}"]
            schedule: {every: 2h, starting: "2026-12-01 08:00", count: 2}
        """,
    )
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.run_once()
    clock.advance(hours=2)
    daemon.run_once()
    clock.advance(hours=6)
    daemon.app.collect("rep", "sandbox", now=clock.now)
    report = build_report(daemon.app.engine, campaign_id="rep", name="Rep", timezone="UTC", now=clock.now)
    with session_scope(daemon.app.engine) as s:
        rows = list(s.exec(select(InteractionRow)))
    daemon.close()
    assert report.publications == 2
    assert report.interactions_total == len(rows)
    assert report.unique_people == len({r.author_id for r in rows})
    assert sum(line.engagements for line in report.lines) == report.engagements
    for line in report.lines:
        collected = [
            r for r in rows if r.target_id == line.remote_id and r.kind in ("reply", "like", "repost", "quote")
        ]
        assert line.engagements == len(collected)  # the sandbox's counters agree with what was collected
        assert line.engagement_rate == round(line.engagements / line.impressions, 4)
    assert report.engagement_rate == round(report.engagements / report.impressions, 4)
    assert report.formula == "engagement rate = engagements / impressions"


def test_simulate_cli_prints_a_report_and_never_touches_the_live_db(tmp_path, campaigns_dir, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = write_campaign(campaigns_dir, DAILY_MADRID)
    runner = CliRunner()
    result = runner.invoke(main, ["simulate", str(path), "--db", "rehearsal.db", "--format", "json"])
    assert result.exit_code == 0, result.output
    import json

    data = json.loads(result.stdout)
    assert data["simulation"]["sent"] == 5
    assert data["reports"][0]["publications"] == 5
    assert data["reports"][0]["interactions_total"] > 0
    assert not (tmp_path / "socialbot.db").exists()
    refused = runner.invoke(main, ["simulate", str(path), "--db", "socialbot.db"])
    assert refused.exit_code == 2 and "live database" in refused.output
    again = runner.invoke(main, ["simulate", str(path), "--db", "rehearsal.db", "--format", "json", "--seed", "42"])
    assert json.loads(again.stdout)["reports"][0]["interactions_total"] == data["reports"][0]["interactions_total"]


def test_status_and_report_commands(settings, clock, campaigns_dir, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    write_campaign(campaigns_dir, DAILY_MADRID.replace("2026-03-27", "2026-12-01").replace("2026-03-31", "2026-12-03"))
    daemon = make_daemon(settings, clock)
    daemon.start()
    daemon.run_once()
    clock.advance(hours=1)
    daemon.app.collect("dst", "sandbox", now=clock.now)
    daemon.close()
    runner = CliRunner()
    status = runner.invoke(main, ["status", "--db", settings.database_url])
    assert status.exit_code == 0, status.output
    assert "sent: 1" in status.output and "planned: 2" in status.output
    report = runner.invoke(
        main, ["report", "dst", "--db", settings.database_url, "--format", "csv", "-o", str(tmp_path / "r.csv")]
    )
    assert report.exit_code == 0, report.output
    lines = (tmp_path / "r.csv").read_text().splitlines()
    report_formula = "engagement rate = engagements / impressions"
    assert lines[0].startswith("published,item,platform") and lines[0].endswith(",formula")
    import csv

    total = list(csv.reader(lines))[2]
    assert len(lines) == 3 and total[1].startswith("TOTAL (1 publications") and total[-1] == report_formula
    missing = runner.invoke(main, ["report", "nope", "--db", settings.database_url])
    assert missing.exit_code == 2 and "no campaign 'nope'" in missing.output
    assert "daemon: not running" in status.output  # the daemon stopped and released its lock


def _schema_differences(engine) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext
    from sqlmodel import SQLModel

    with engine.connect() as conn:
        return compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), SQLModel.metadata)


def test_a_rehearsal_builds_the_report_indexes_at_its_end_even_when_it_fails(
    settings, campaigns_dir, tmp_path, monkeypatch
):
    """The report's indexes are left out while a rehearsal stores (nothing reads them); it ends with all of them."""
    import pytest
    from sqlalchemy import inspect

    from socialbot.run import simulate as simulation
    from socialbot.storage.db import make_engine
    from socialbot.storage.reporting import REPORT_INDEXES

    path = write_campaign(campaigns_dir, DAILY_MADRID)
    missing: list[set[str]] = []  # the report's indexes absent at each step
    fail_at: list[int] = []
    real_run = simulation.run_guarded

    def run_and_look(job, app, now, **kwargs):
        missing.append(set(REPORT_INDEXES) - {ix["name"] for ix in inspect(app.engine).get_indexes("interactions")})
        if len(missing) in fail_at:
            raise RuntimeError("the machine went away")
        return real_run(job, app, now, **kwargs)

    monkeypatch.setattr(simulation, "run_guarded", run_and_look)
    url = f"sqlite:///{tmp_path / 'sim.db'}"
    app, result = simulation.simulate(settings.model_copy(update={"database_url": url}), [path], days=5)
    assert result.sent == 5 and all(m == set(REPORT_INDEXES) for m in missing)
    assert _schema_differences(app.engine) == []  # every index is back
    app.close()
    missing.clear()
    fail_at.append(40)
    url = f"sqlite:///{tmp_path / 'failed.db'}"
    with pytest.raises(RuntimeError, match="went away"):
        simulation.simulate(settings.model_copy(update={"database_url": url}), [path], days=5)
    engine = make_engine(url)
    assert _schema_differences(engine) == []
    engine.dispose()
