"""The statements a rehearsal runs for every post and every collection round search an index.

A fortnight of a busy campaign runs them tens of thousands of times over tables of thousands of rows:
each statement the demo's rehearsal runs is asked for SQLite's EXPLAIN QUERY PLAN, and a full scan of
the ledger, the sandbox's posts, the publications or the interactions (a dropped index, a query
rewritten so it cannot use one) fails here.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import event
from sqlalchemy.engine import Engine

from socialbot.app import composition
from socialbot.cli import main
from socialbot.storage.db import make_engine, upgrade

HOT_TABLES = ("ledger", "sandbox_posts", "publications", "interactions", "metric_snapshots", "author_snapshots")


def test_no_statement_of_a_rehearsal_scans_a_busy_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    demo = Path(__file__).resolve().parents[2] / "campaigns" / "demo.yaml"
    statements: dict[str, object] = {}
    migrating = []

    def upgrade_quietly(engine, *args):  # the migrations' one-off statements are not the rehearsal's
        migrating.append(True)
        try:
            upgrade(engine, *args)
        finally:
            migrating.pop()

    def capture(_conn, _cursor, statement, parameters, _context, many):
        if migrating or statement in statements:
            return
        if statement.lstrip().upper().startswith(("SELECT", "UPDATE", "DELETE")):
            statements[statement] = parameters[0] if many and parameters else parameters

    monkeypatch.setattr(composition, "upgrade", upgrade_quietly)

    event.listen(Engine, "before_cursor_execute", capture)
    try:
        result = CliRunner().invoke(main, ["simulate", str(demo), "--days", "3", "--db", "rehearsal.db"])
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    assert result.exit_code == 0, result.output
    assert len(statements) >= 15  # publishing, collection, reconciliation and the report all ran
    engine = make_engine(f"sqlite:///{tmp_path / 'rehearsal.db'}")
    scans = []
    with engine.connect() as conn:
        for statement, parameters in statements.items():
            if "sqlite_master" in statement or "alembic_version" in statement or statement.startswith("PRAGMA"):
                continue
            plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters or ())]
            scans += [f"{line}  <-  {' '.join(statement.split())[:160]}" for line in plan if _scans(line)]
    engine.dispose()
    assert not scans, "\n".join(scans)


def _scans(line: str) -> bool:
    """ "SCAN t" reads every row of t (so does "SCAN t USING COVERING INDEX i"); "SEARCH t USING …" does not."""
    words = line.split()
    return len(words) >= 2 and words[0] == "SCAN" and words[1] in HOT_TABLES
