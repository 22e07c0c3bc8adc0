"""`socialbot qa`: the human side of a Q&A session — the queue of questions, answers, skips, closing early."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from socialbot.cli.options import console, database_option, format_option, handle_errors, injected_clock, settings


@click.group()
def qa() -> None:
    """Q&A sessions: list the questions, answer or skip them, close a session.

    Questions a session's FAQ answers are answered automatically (within its hourly cap); the
    rest wait here. Answers go out as threaded replies through the ledger, exactly once, at the
    daemon's next publishing run (within 2 minutes while the session is live).

    \b
    Examples:
      socialbot qa list ask-the-makers --unanswered
      socialbot qa answer 42 "Yes, the green one is back in January."
      socialbot qa skip 43 --reason "off topic"
      socialbot qa close ask-the-makers
    """


def _app(database_url: str | None):
    from socialbot.app import App
    from socialbot.app.reports import require_database

    config = settings(database_url=database_url)
    require_database(config.database_url)
    return App(config, clock=injected_clock())


@qa.command("list")
@click.argument("session")
@click.option("--campaign", "campaign_id", metavar="ID", help="The campaign, when two campaigns have this session id.")
@click.option("--unanswered", is_flag=True, help="Only the questions nobody answered yet.")
@format_option("table", "json", "csv")
@database_option
@handle_errors
def list_questions(session: str, campaign_id: str | None, unanswered: bool, fmt: str, database_url: str | None) -> None:
    """The questions of SESSION, most asked first: who, what, status, how it was answered.

    \b
    Examples:
      socialbot qa list ask-the-makers
      socialbot qa list demo-winter-launch/ask-the-makers --unanswered --format json
    """
    from socialbot.app.qa import find_session
    from socialbot.app.qa_report import question_lines, session_figures
    from socialbot.report.qa import render_questions_csv, render_questions_json, render_questions_table

    app = _app(database_url)
    try:
        record = find_session(app, session, campaign_id=campaign_id)
        lines = question_lines(app.engine, record.campaign_id, record.session_id)
        figures = session_figures(app.engine, record.campaign_id, record.session_id, now=app.clock())
    finally:
        app.close()
    if unanswered:
        lines = [q for q in lines if q.status == "open"]
    if fmt == "json":
        click.echo(render_questions_json(record, lines, figures))
    elif fmt == "csv":
        click.echo(render_questions_csv(lines), nl=False)
    else:
        render_questions_table(record, lines, figures, console())


@qa.command("answer")
@click.argument("question_id", type=click.IntRange(1, 2**62))
@click.argument("text", required=False)
@click.option(
    "--from-file", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), help="Read the answer from a file."
)
@database_option
@handle_errors
def answer(question_id: int, text: str | None, from_file: Path | None, database_url: str | None) -> None:
    """Answer question QUESTION_ID with TEXT (or --from-file) as a threaded reply, exactly once.

    \b
    Examples:
      socialbot qa answer 42 "Yes, the green one is back in January."
      socialbot qa answer 42 --from-file answer.txt
    """
    from socialbot.app.qa import answer as queue_answer

    if (text is None) == (from_file is None):
        raise click.UsageError("give the answer as TEXT or with --from-file (one of them)")
    if from_file is not None:
        try:
            text = sys.stdin.read() if str(from_file) == "-" else from_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.BadParameter(f"cannot read {from_file}: {exc}", param_hint="--from-file") from None
    app = _app(database_url)
    try:
        key = queue_answer(app, question_id, text or "", now=app.clock())
    finally:
        app.close()
    click.echo(f"queued {key}: it goes out at the daemon's next publishing run (or `socialbot run --once`)")


@qa.command("skip")
@click.argument("question_id", type=click.IntRange(1, 2**62))
@click.option("--reason", required=True, help="Why it gets no answer (kept with the question).")
@database_option
@handle_errors
def skip(question_id: int, reason: str, database_url: str | None) -> None:
    """Leave question QUESTION_ID unanswered, with a reason.

    \b
    Example:
      socialbot qa skip 43 --reason "off topic"
    """
    from socialbot.app.qa import skip as skip_question

    app = _app(database_url)
    try:
        skip_question(app, question_id, reason, now=app.clock())
    finally:
        app.close()
    click.echo(f"skipped question {question_id}")


@qa.command("close")
@click.argument("session")
@click.option("--campaign", "campaign_id", metavar="ID", help="The campaign, when two campaigns have this session id.")
@database_option
@handle_errors
def close(session: str, campaign_id: str | None, database_url: str | None) -> None:
    """Close SESSION now: no more questions are taken or answered automatically; its summary follows.

    \b
    Example:
      socialbot qa close ask-the-makers
    """
    from socialbot.app.qa import close as close_session

    app = _app(database_url)
    try:
        record = close_session(app, session, campaign_id=campaign_id, now=app.clock())
    finally:
        app.close()
    click.echo(f"closed {record.campaign_id}/{record.session_id}")
