"""Q&A sessions: questions gathered from the opening's replies, grouped, answered from the FAQ within an hourly
cap or queued for a person, answers seen on the platform counted, and a summary posted at the close.

Every answer we post is a reactive ledger entry keyed by the question (``qa/<session>/<platform>/<id>``),
so an automatic and a human answer to one question can never both go out, and none goes out twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from socialbot.app.context import Context
from socialbot.app.qa_report import session_figures
from socialbot.app.reactive import enqueue, ledger_key
from socialbot.domain.ledger import ActionKind
from socialbot.domain.planning import localize, parse_local
from socialbot.domain.qa import Faq, answer_text, group_of, within_cap
from socialbot.domain.render import TemplateProblem
from socialbot.domain.textlimits import over_limit
from socialbot.errors import ConfigError
from socialbot.spec.actions import capabilities_for
from socialbot.spec.campaign import Campaign
from socialbot.spec.engagement import item_platforms, qa_summary_text
from socialbot.spec.faq import faq_entries, faq_path
from socialbot.spec.models import QaSession
from socialbot.storage import qa as store
from socialbot.storage.interactions import replies_after
from socialbot.storage.qa import Asked, Question, SessionRecord

log = logging.getLogger(__name__)

LIVE_EVERY = timedelta(minutes=2)  # while a session is live: questions gathered and answered this often
OWN_POSTS_EVERY = timedelta(minutes=10)  # ... and the account's own replies looked for (one API call)
LAST_LOOK = timedelta(minutes=5)  # after the close, one more pass takes the questions collected late


def sync_sessions(ctx: Context, campaigns: Sequence[Campaign], *, now: datetime) -> None:
    store.sync_sessions(ctx.engine, {c.id: records(c) for c in campaigns}, now=now)


def records(campaign: Campaign) -> list[SessionRecord]:
    header = campaign.spec.campaign
    return [
        SessionRecord(
            campaign_id=header.id,
            session_id=s.id,
            platforms=tuple(item_platforms(campaign, s)),
            opens_at=localize(parse_local(s.opens), header.tz).astimezone(UTC),
            runs=s.duration(),
            closed_at=None,
        )
        for s in campaign.spec.qa
    ]


def answer_key(session_id: str, platform: str, remote_id: str) -> str:
    return f"qa/{session_id}/{platform}/{remote_id}"


def run_sessions(ctx: Context, campaign_id: str, *, now: datetime) -> datetime | None:
    """One pass over the campaign's live sessions; the next time one needs a look (None when all are over)."""
    campaign = ctx.campaigns.get(campaign_id)
    if campaign is None or not campaign.spec.qa:
        return None
    stored = {s.session_id: s for s in store.sessions(ctx.engine, campaign_id=campaign_id)}
    wake: list[datetime] = []
    for session in campaign.spec.qa:
        record = stored.get(session.id)
        for platform in item_platforms(campaign, session):
            found = store.opening(ctx.engine, campaign_id=campaign_id, session_id=session.id, platform=platform)
            if found is None:
                opens = record.opens_at if record else now
                if opens + session.duration() > now:
                    wake.append(max(opens, now) + timedelta(minutes=1))  # looked at once the opening is out
                continue
            remote_id, sent_at = found
            closes = sent_at + session.duration()
            if record is not None and record.closed_at is not None:
                closes = min(closes, record.closed_at)
            if record is not None and platform in record.finished:
                continue  # its last look is done
            if now <= closes:
                _gather(ctx, campaign, session, platform, opening=remote_id, since=sent_at, until=closes, now=now)
                ctx.wake(f"collect:{campaign_id}:{platform}", now + LIVE_EVERY)  # faster collection while live
                wake.append(min(now + LIVE_EVERY, closes + LAST_LOOK))
            elif now < closes + LAST_LOOK:
                wake.append(closes + LAST_LOOK)  # the questions collected just before the close
            else:  # the last look, also when the daemon was down at the close
                _gather(ctx, campaign, session, platform, opening=remote_id, since=sent_at, until=closes, now=now)
                _summarise(ctx, campaign, session, platform, opening=remote_id, now=now)
                store.finish(ctx.engine, campaign_id=campaign_id, session_id=session.id, platform=platform, now=now)
    return min(wake) if wake else None


def _gather(
    ctx: Context,
    campaign: Campaign,
    session: QaSession,
    platform: str,
    *,
    opening: str,
    since: datetime,
    until: datetime,
    now: datetime,
) -> None:
    """Store the new questions, group them, answer what the FAQ answers, and notice answers made on the platform."""
    cid = campaign.id
    existing = [
        q for q in store.questions(ctx.engine, campaign_id=cid, session_id=session.id) if q.platform == platform
    ]
    asked = _new_asked(ctx, cid, session, platform, opening=opening, since=since, until=until, known=existing)
    leaders = [(q.id, q.text) for q in existing if q.group_id is None]
    rows = []
    for a in asked:
        rows.append(
            {
                "campaign_id": cid,
                "session_id": session.id,
                "platform": platform,
                "remote_id": a.remote_id,
                "author_id": a.author_id,
                "text": a.text,
                "asked_at": a.asked_at,
                "score": a.score,
                "group_id": group_of(a.text, leaders),
                "status": "open",
                "updated_at": now,
            }
        )
        if rows[-1]["group_id"] is None:
            leaders.append((-len(rows), a.text))  # a group led by a question of this same batch (id below)
    _store_grouped(ctx, rows)
    if now <= until and session.auto_answers_per_hour > 0 and session.faq:
        _auto_answer(ctx, campaign, session, platform, now=now)
    _answered_on_platform(ctx, campaign, session, platform, since=since, now=now, final=now > until)
    if any(q.status == "queued" for q in store.questions(ctx.engine, campaign_id=cid, session_id=session.id)):
        ctx.wake(f"publish:{cid}", now)


def _new_asked(
    ctx: Context,
    campaign_id: str,
    session: QaSession,
    platform: str,
    *,
    opening: str,
    since: datetime,
    until: datetime,
    known: Sequence[Question],
) -> list[Asked]:
    """Replies to the opening (and mentions carrying the tag) asked in the window and not yet questions. Each
    collected row is looked at once per process on SQLite; PostgreSQL, whose ids may commit out of order, is
    read whole."""
    key = (campaign_id, session.id, platform)
    last = ctx.qa_rows_seen.get(key, 0) if ctx.engine.dialect.name == "sqlite" else 0
    rows = replies_after(
        ctx.engine, campaign_id=campaign_id, parents=[opening], after_id=last, mentions=session.tag is not None
    )
    ctx.qa_rows_seen[key] = rows[-1].row_id if rows else last
    seen = {q.remote_id for q in known}
    out = []
    for r in rows:
        if r.remote_id in seen or not since <= r.created_at <= until:
            continue
        if r.kind == "mention" and (session.tag is None or session.tag.casefold() not in (r.text or "").casefold()):
            continue
        score = r.raw.get("score") if isinstance(r.raw, dict) else None
        out.append(Asked(r.remote_id, r.author_id, r.text or "", r.created_at, score if isinstance(score, int) else 0))
        seen.add(r.remote_id)
    return out


def _store_grouped(ctx: Context, rows: list[dict[str, object]]) -> None:
    """Insert new questions; one grouped under a question of the same batch gets that question's stored id."""
    batch_leaders = {-(k + 1): row for k, row in enumerate(rows) if row["group_id"] is None}
    firsts = [r for r in rows if r["group_id"] is None or int(str(r["group_id"])) > 0]
    store.add_questions(ctx.engine, firsts)
    later = [r for r in rows if r["group_id"] is not None and int(str(r["group_id"])) < 0]
    if later:
        ids = {q.remote_id: q.id for q in store.questions(ctx.engine, campaign_id=str(rows[0]["campaign_id"]))}
        for r in later:
            leader = batch_leaders[int(str(r["group_id"]))]
            r["group_id"] = ids[str(leader["remote_id"])]
        store.add_questions(ctx.engine, later)


def _auto_answer(ctx: Context, campaign: Campaign, session: QaSession, platform: str, *, now: datetime) -> None:
    entries = faq_entries(faq_path(campaign.file, session.faq or ""))
    if not entries:
        return
    faq = Faq(entries)
    mine = [
        q for q in store.questions(ctx.engine, campaign_id=campaign.id, session_id=session.id) if q.platform == platform
    ]
    queued_at = [q.answered_at or now for q in mine if q.answered_by == "auto"]  # when each was queued
    used = set(store.ledger_texts(ctx.engine, key_prefix=ledger_key(campaign.id, f"qa/{session.id}/")))
    for q in mine:
        if q.status != "open" or q.group_id is not None or q.faq_confidence is not None:
            continue
        match = faq.match(q.text)
        confidence = match.confidence if match else 0.0
        if match is None or confidence < session.min_confidence:
            store.set_status(ctx.engine, q.id, status="open", now=now, faq_confidence=confidence)
            continue
        if not within_cap(queued_at, now=now, per_hour=session.auto_answers_per_hour):
            note = f"FAQ match {confidence:.0f} but the hourly cap of {session.auto_answers_per_hour} was reached"
            store.set_status(ctx.engine, q.id, status="open", now=now, faq_confidence=confidence, note=note)
            continue
        text = answer_text(faq.entries[match.entry], question_id=q.remote_id, used=used)
        key = answer_key(session.id, platform, q.remote_id)
        if store.set_status(
            ctx.engine,
            q.id,
            status="queued",
            now=now,
            answered_by="auto",
            answer_key=ledger_key(campaign.id, key),
            faq_confidence=confidence,
            answered_at=now,
        ):
            enqueue(
                ctx,
                kind=ActionKind.ANSWER,
                campaign_id=campaign.id,
                platform=platform,
                text=text,
                due=now,
                key=key,
                target=q.remote_id,
                now=now,
            )
            used.add(text)
            queued_at.append(now)


def _answered_on_platform(
    ctx: Context, campaign: Campaign, session: QaSession, platform: str, *, since: datetime, now: datetime, final: bool
) -> None:
    """Questions the account answered on the platform itself (not through socialbot) count as answered."""
    key = (campaign.id, session.id, platform)
    last = ctx.qa_own_posts_checked.get(key)
    if not final and last is not None and now - last < OWN_POSTS_EVERY:
        return
    open_ones = {
        q.remote_id: q
        for q in store.questions(ctx.engine, campaign_id=campaign.id, session_id=session.id)
        if q.platform == platform and q.status == "open"
    }
    ctx.qa_own_posts_checked[key] = now
    if not open_ones:
        return
    adapter = ctx.platforms.get(campaign.id, platform)
    try:
        own = adapter.recent_own_posts(since=since)
    finally:
        ctx.usage.drain(campaign.id, platform, now=now)
    ours = store.our_remote_ids(ctx.engine, campaign_id=campaign.id)
    for post in own:
        q = open_ones.get(post.reply_to or "")
        if q is not None and post.remote_id not in ours:
            store.set_status(
                ctx.engine, q.id, status="answered", now=now, answered_by="platform", answered_at=post.created_at
            )


def _summary_key(session: QaSession, platform: str) -> str:
    return f"qa/{session.id}/{platform}/summary"


def _summarise(
    ctx: Context, campaign: Campaign, session: QaSession, platform: str, *, opening: str, now: datetime
) -> None:
    if session.summary is None:
        return
    figures = session_figures(ctx.engine, campaign.id, session.id, platform=platform, now=now)
    try:
        text = qa_summary_text(campaign, session, figures, at=now)
    except TemplateProblem as exc:
        log.warning("Q&A %s/%s: the summary was not posted: %s", campaign.id, session.id, exc)
        return
    enqueue(
        ctx,
        kind=ActionKind.ANNOUNCEMENT,
        campaign_id=campaign.id,
        platform=platform,
        text=text,
        due=now,
        key=_summary_key(session, platform),
        target=opening,
        now=now,
    )


# --- what a person does from the CLI ---------------------------------------------------------------------------


def answer(ctx: Context, question_id: int, text: str, *, now: datetime) -> str:
    """Queue a person's answer to a question as a threaded reply; goes out at the next publishing run."""
    q = _question(ctx, question_id)
    text = text.strip()
    if not text:
        raise ConfigError("the answer is empty; write the text to post")
    caps = capabilities_for(q.platform)
    if by := over_limit(text, caps):
        counting = " (X's weighted count: links 23, wide characters 2)" if caps.weighted_length else ""
        raise ConfigError(
            f"the answer is {by} characters over {q.platform}'s {caps.max_text_length} limit{counting}; shorten it"
        )
    if q.group_id is not None:
        raise ConfigError(
            f"question {question_id} repeats question {q.group_id}: answer that one (`socialbot qa list` shows it)"
        )
    if q.status not in ("open",):
        raise ConfigError(
            f"question {question_id} is {q.status}"
            + (f" ({q.answered_by})" if q.answered_by else "")
            + "; nothing was queued"
        )
    key = answer_key(q.session_id, q.platform, q.remote_id)
    full = ledger_key(q.campaign_id, key)
    if not store.set_status(
        ctx.engine, q.id, status="queued", now=now, answered_by="human", answer_key=full, answered_at=now
    ):
        raise ConfigError(f"question {question_id} was answered meanwhile; nothing was queued")
    done = enqueue(
        ctx,
        kind=ActionKind.ANSWER,
        campaign_id=q.campaign_id,
        platform=q.platform,
        text=text,
        due=now,
        key=key,
        target=q.remote_id,
        now=now,
    )
    return done.key


def skip(ctx: Context, question_id: int, reason: str, *, now: datetime) -> None:
    q = _question(ctx, question_id)
    if not reason.strip():
        raise ConfigError("say why the question is skipped (--reason)")
    if not store.set_status(ctx.engine, q.id, status="skipped", now=now, note=reason.strip()):
        raise ConfigError(f"question {question_id} is {q.status}; only an open question can be skipped")


def close(ctx: Context, session: str, *, campaign_id: str | None, now: datetime) -> SessionRecord:
    record = find_session(ctx, session, campaign_id=campaign_id)
    if now < record.opens_at:
        raise ConfigError(
            f"session {record.session_id} has not opened yet (it opens at {record.opens_at:%Y-%m-%d %H:%M} UTC); "
            "to call it off, remove it from the campaign file before then"
        )
    if now >= record.opens_at + record.runs:
        raise ConfigError(
            f"session {record.session_id} ended at {record.opens_at + record.runs:%Y-%m-%d %H:%M} UTC already"
        )
    if not store.close_session(ctx.engine, campaign_id=record.campaign_id, session_id=record.session_id, now=now):
        raise ConfigError(f"session {record.session_id} was closed already")
    return record


def find_session(ctx: Context, session: str, *, campaign_id: str | None) -> SessionRecord:
    """A session by id (``CAMPAIGN/SESSION`` or ``--campaign`` when two campaigns use the id); a clear error if unknown."""
    if "/" in session and campaign_id is None:
        campaign_id, session = session.split("/", 1)
    found = store.sessions(ctx.engine, campaign_id=campaign_id, session_id=session)
    if not found:
        known = sorted(f"{s.campaign_id}/{s.session_id}" for s in store.sessions(ctx.engine))
        hint = f"; this database has: {', '.join(known)}" if known else "; this database has no Q&A sessions"
        raise UnknownSession(f"no Q&A session '{session}'{hint}")
    if len(found) > 1:
        raise UnknownSession(f"two campaigns have a session '{session}': name it as CAMPAIGN/{session}")
    return found[0]


def _question(ctx: Context, question_id: int) -> Question:
    q = store.question(ctx.engine, question_id)
    if q is None:
        raise UnknownSession(f"no question {question_id}; `socialbot qa list SESSION` shows the ids")
    return q


class UnknownSession(ConfigError):
    exit_code = 2
