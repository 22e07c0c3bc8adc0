"""Renders a Q&A session's questions and figures as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json

from rich.console import Console

from socialbot.app.qa_report import QuestionLine
from socialbot.report.cells import neutralise, printable
from socialbot.storage.qa import SessionRecord


def render_questions_json(record: SessionRecord, lines: list[QuestionLine], figures: dict[str, object]) -> str:
    return json.dumps(
        {
            "campaign": record.campaign_id,
            "session": record.session_id,
            "opens_at": record.opens_at.isoformat(),
            "closes_at": (record.closed_at or record.opens_at + record.runs).isoformat(),
            "figures": figures,
            "questions": [q.to_dict() for q in lines],
        },
        indent=2,
        ensure_ascii=False,
    )


def render_questions_csv(lines: list[QuestionLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    fields = [
        "id",
        "platform",
        "author",
        "question",
        "asked_at",
        "asked_by",
        "score",
        "status",
        "answered_by",
        "answered_at",
        "faq_confidence",
        "note",
    ]
    writer.writerow(fields)
    for q in lines:
        row = q.to_dict()
        writer.writerow([neutralise(row[f]) for f in fields])
    return out.getvalue()


def figures_line(figures: dict[str, object]) -> str:
    median, p90 = figures.get("median_minutes"), figures.get("p90_minutes")
    times = f"; time to answer: median {median} min, p90 {p90} min" if median is not None else ""
    return (
        f"{figures['questions']} questions ({figures['groups']} after grouping near-duplicates); answered "
        f"{figures['answered']} (automatically {figures['auto']}, by a person {figures['human']}, on the platform "
        f"{figures['on_platform']}), queued {figures['queued']}, skipped {figures['skipped']}, "
        f"unanswered {figures['unanswered']}{times}"
    )


def render_questions_table(
    record: SessionRecord, lines: list[QuestionLine], figures: dict[str, object], console: Console
) -> None:
    from rich.table import Table
    from rich.text import Text

    console.print(Text(f"Q&A {record.campaign_id}/{record.session_id}", style="bold"))
    console.print(Text(figures_line(figures)))
    if not lines:
        console.print("No questions.")
        return
    table = Table()
    for column in ("id", "asked", "by", "question", "status", "how"):
        table.add_column(column, overflow="fold", max_width=60 if column == "question" else None)
    for q in lines:
        how = q.answered_by or (f"FAQ {q.faq_confidence:.0f}" if q.faq_confidence is not None else "")
        if q.note:
            how = f"{how}; {q.note}" if how else q.note
        table.add_row(
            str(q.id),
            f"{q.asked_at:%Y-%m-%d %H:%M} UTC",
            Text(printable(f"{q.author_id} (+{len(q.duplicates)})" if q.duplicates else q.author_id)),
            Text(printable(q.text)),
            q.status,
            Text(how),
        )
    console.print(table)
