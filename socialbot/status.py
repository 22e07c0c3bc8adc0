"""Gathers and renders `socialbot status`: ledger counts, next posts, problems, collection, limits, usage."""

from __future__ import annotations

import json
from datetime import datetime

from socialbot.domain.ledger import Status
from socialbot.settings import Settings


def gather_status(settings: Settings, *, campaign_id: str | None, now: datetime) -> dict:
    from socialbot.storage import ingest, reporting, runtime
    from socialbot.storage import repositories as repo
    from socialbot.storage.db import make_engine, sqlite_file

    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        return {
            "campaigns": [],
            "daemon": None,
            "database": f"no database at {path} (nothing has run yet, or pass --db)",
        }
    engine = make_engine(settings.database_url)
    campaigns = reporting.campaign_rows(engine, campaign_id=campaign_id)
    if campaigns is None:
        engine.dispose()
        return {"campaigns": [], "daemon": None, "database": "not initialised (run `socialbot db upgrade`)"}
    try:
        counts = repo.status_counts(engine, campaign_id=campaign_id)
        problems = repo.rows_with_status(
            engine, [Status.UNCONFIRMED, Status.FAILED, Status.MISSED], campaign_ids=[c.id for c in campaigns]
        )
        parked = [
            r
            for r in repo.rows_with_status(engine, [Status.PLANNED], campaign_ids=[c.id for c in campaigns])
            if r.not_before and r.not_before > now
        ]
        collections = reporting.last_collections(engine, campaign_id=campaign_id)
        holder = runtime.lock_holder(engine)
        usage = ingest.usage_for(engine, campaign_id=campaign_id, day=now.date())
        jobs = reporting.parked_jobs(engine, now=now)
        out = []
        for c in campaigns:
            budget = _x_budget(c.file_path, usage=[u for u in usage if u.campaign_id == c.id])
            out.append(
                {
                    "id": c.id,
                    "name": c.name,
                    "active": c.active,
                    "timezone": c.timezone,
                    "ledger": dict(counts.get(c.id, {})),
                    "next": [
                        {
                            "key": r.key,
                            "platform": r.platform,
                            "due_local": r.local_time,
                            "due_utc": r.due_at.isoformat(),
                        }
                        for r in repo.next_due(engine, campaign_id=c.id, limit=5)
                    ],
                    "problems": [
                        {"key": r.key, "status": r.status, "reason": r.last_error}
                        for r in problems
                        if r.campaign_id == c.id
                    ],
                    "parked": [
                        {"key": r.key, "until": r.not_before.isoformat(), "reason": r.last_error}
                        for r in parked
                        if r.campaign_id == c.id
                    ],
                    "parked_jobs": [
                        {"job": j.job_id, "until": j.parked_until.isoformat(), "reason": j.message}
                        for j in jobs
                        if j.campaign_id == c.id
                    ],
                    "last_collection": {p: t.isoformat() for cid, p, t in collections if cid == c.id},
                    "api_calls_today": {f"{u.platform} {u.endpoint}": u.calls for u in usage if u.campaign_id == c.id},
                    "budget": budget,
                }
            )
        return {
            "campaigns": out,
            "daemon": {"holder": holder.holder, "heartbeat": holder.heartbeat_at.isoformat()} if holder else None,
            "database": "ok",
        }
    finally:
        engine.dispose()


def _x_budget(file_path: str, *, usage) -> dict | None:
    """Today's X posts and reads against the campaign's x.max_posts_per_day / x.max_reads_per_day."""
    from pathlib import Path

    from socialbot.platform_registry import X_POST_ENDPOINTS
    from socialbot.spec.loader import load_file

    campaign, _ = load_file(Path(file_path)) if Path(file_path).is_file() else (None, [])
    if campaign is None:
        return None
    caps = campaign.spec.campaign.x
    if caps.max_posts_per_day is None and caps.max_reads_per_day is None:
        return None
    x_usage = [u for u in usage if u.platform == "x"]
    posts = sum(u.calls for u in x_usage if u.endpoint in X_POST_ENDPOINTS)
    reads = sum(u.calls for u in x_usage if u.endpoint.startswith("GET "))
    return {
        "posts_today": posts,
        "max_posts_per_day": caps.max_posts_per_day,
        "reads_today": reads,
        "max_reads_per_day": caps.max_reads_per_day,
    }


def render_status(data: dict, *, fmt: str, console) -> None:
    if fmt == "json":
        console.print_json(json.dumps(data))
        return
    from rich.markup import escape

    daemon = data.get("daemon")
    console.print(
        f"daemon: {'running as ' + daemon['holder'] + ', last heartbeat ' + daemon['heartbeat'] if daemon else 'not running'}"
    )
    if data.get("database") != "ok":
        console.print(f"database: {data.get('database')}")
    if not data["campaigns"]:
        console.print("no campaigns in this database yet")
    for c in data["campaigns"]:
        ledger = ", ".join(f"{k}: {v}" for k, v in sorted(c["ledger"].items())) or "nothing planned"
        console.print(
            f"\n[bold]{escape(c['name'])}[/bold] ({c['id']}){'' if c['active'] else ' [dim](retired)[/dim]'}\n  ledger: {ledger}"
        )
        for n in c["next"]:
            console.print(f"  next: {n['due_local']}  {n['platform']}  {escape(n['key'])}")
        for p in c["problems"]:
            console.print(f"  [red]{p['status']}[/red]: {escape(p['key'])} — {escape(p['reason'] or '')}")
        for p in c["parked"]:
            console.print(f"  parked until {p['until']}: {escape(p['key'])} — {escape(p['reason'] or '')}")
        for j in c["parked_jobs"]:
            console.print(f"  job {escape(j['job'])} parked until {j['until']} — {escape(j['reason'] or '')}")
        for platform, when in c["last_collection"].items():
            console.print(f"  last collection on {platform}: {when}")
        if c["budget"]:
            b = c["budget"]
            console.print(
                f"  X budget today: {b['posts_today']}/{b['max_posts_per_day'] or '∞'} posts, {b['reads_today']}/{b['max_reads_per_day'] or '∞'} reads"
                + (" — [yellow]limit reached, work parked until midnight UTC[/yellow]" if _over(b) else "")
            )
        if c["api_calls_today"]:
            console.print("  API calls today: " + ", ".join(f"{k}: {v}" for k, v in c["api_calls_today"].items()))


def _over(b: dict) -> bool:
    return (b["max_posts_per_day"] is not None and b["posts_today"] >= b["max_posts_per_day"]) or (
        b["max_reads_per_day"] is not None and b["reads_today"] >= b["max_reads_per_day"]
    )
