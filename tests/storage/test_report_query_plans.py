"""Every query behind `socialbot report` searches an index: none scans the interactions or snapshot tables.

Each statement the report runs is captured and asked for SQLite's EXPLAIN QUERY PLAN; a regression to a
full scan (a dropped index, a query rewritten so it cannot use one) fails here, long before a manager
with millions of interactions waits for it.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import event

from socialbot.cli import main
from socialbot.storage.db import make_engine
from socialbot.storage.reporting import interaction_totals, publication_stats

BIG_TABLES = ("interactions", "metric_snapshots", "publications")


def test_no_report_query_scans_a_table(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    demo = Path(__file__).resolve().parents[2] / "campaigns" / "demo.yaml"
    result = CliRunner().invoke(main, ["simulate", str(demo), "--days", "2", "--db", "report.db"])
    assert result.exit_code == 0, result.output
    engine = make_engine(f"sqlite:///{tmp_path / 'report.db'}")
    statements: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    stats = publication_stats(engine, campaign_id="demo-winter-launch")
    by_kind, people = interaction_totals(engine, campaign_id="demo-winter-launch")
    event.remove(engine, "before_cursor_execute", capture)
    assert stats and sum(by_kind.values()) > 0 and people > 0  # the queries had rows to read
    assert any(s.latest for s in stats)  # the latest snapshot of each publication is found
    assert len(statements) >= 4
    scans = []
    with engine.connect() as conn:
        for statement, parameters in statements:
            plan = [row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters or ())]
            scans += [f"{line}  <-  {statement[:120]}" for line in plan if _scans_a_table(line)]
    engine.dispose()
    assert not scans, "\n".join(scans)


def _scans_a_table(line: str) -> bool:
    """SQLite says "SCAN t" for a full table scan and "SCAN t USING COVERING INDEX i" for a full index scan;
    both read every row. "SEARCH t USING INDEX …" reads only the matching ones."""
    words = line.split()
    return len(words) >= 2 and words[0] == "SCAN" and words[1] in BIG_TABLES
