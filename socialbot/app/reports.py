"""The engagement report of a campaign as a typed value: publications, interactions by kind, people, rates."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from socialbot.app.context import Context
from socialbot.app.polls import poll_lines
from socialbot.app.qa_report import qa_sessions_report
from socialbot.domain.metrics import engagement, overall_rate
from socialbot.errors import ConfigError
from socialbot.storage.campaigns import campaign_records
from socialbot.storage.db import Engine, sqlite_file
from socialbot.storage.reporting import interaction_totals, publication_stats


@dataclass(frozen=True)
class PublicationLine:
    published: str  # local time
    item: str
    platform: str
    part: int
    remote_id: str
    url: str | None
    replies: int
    likes: int
    reposts: int
    quotes: int
    engagements: int
    impressions: int | None
    engagement_rate: float | None


@dataclass(frozen=True)
class EngagementReport:
    campaign_id: str
    campaign_name: str
    timezone: str
    generated_at: str
    formula: str
    publications: int
    interactions_by_kind: dict[str, int]
    interactions_total: int
    unique_people: int
    engagements: int
    impressions: int | None
    engagement_rate: float | None
    lines: list[PublicationLine]
    polls: list[dict[str, Any]] = field(default_factory=list)  # app.polls.PollLine.to_dict() of each poll
    qa: list[dict[str, Any]] = field(default_factory=list)  # each Q&A session's figures and unanswered questions

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_report(engine: Engine, *, campaign_id: str, name: str, timezone: str, now: datetime) -> EngagementReport:
    """The engagement report of one campaign from what is stored, as of ``now``."""
    tz = ZoneInfo(timezone)
    stats = publication_stats(engine, campaign_id=campaign_id)
    by_kind, people = interaction_totals(engine, campaign_id=campaign_id)
    lines, engagements = [], []
    for st in stats:
        e = engagement(st.collected, st.latest)
        engagements.append(e)
        lines.append(
            PublicationLine(
                published=st.published_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                item=st.item_id,
                platform=st.platform,
                part=st.part,
                remote_id=st.remote_id,
                url=st.url,
                replies=e.by_kind["reply"],
                likes=e.by_kind["like"],
                reposts=e.by_kind["repost"],
                quotes=e.by_kind["quote"],
                engagements=e.total,
                impressions=e.impressions,
                engagement_rate=round(e.rate, 4) if e.rate is not None else None,
            )
        )
    rate, formula = overall_rate(engagements)
    impressions = sum(e.impressions for e in engagements if e.impressions) or None
    return EngagementReport(
        campaign_id=campaign_id,
        campaign_name=name,
        timezone=timezone,
        generated_at=now.isoformat(timespec="seconds"),
        formula=formula,
        publications=len(stats),
        interactions_by_kind=dict(sorted(by_kind.items())),
        interactions_total=sum(by_kind.values()),
        unique_people=people,
        engagements=sum(e.total for e in engagements),
        impressions=impressions,
        engagement_rate=round(rate, 4) if rate is not None else None,
        lines=lines,
        polls=[p.to_dict() for p in poll_lines(engine, campaign_id, now=now)],
        qa=qa_sessions_report(engine, campaign_id, now=now),
    )


def campaign_report(ctx: Context, campaign_id: str, *, now: datetime) -> EngagementReport:
    """The report of a campaign recorded in the database; a clear error when there is none."""
    header = ctx.campaigns[campaign_id].spec.campaign if campaign_id in ctx.campaigns else None
    if header is not None:
        return build_report(ctx.engine, campaign_id=campaign_id, name=header.name, timezone=header.timezone, now=now)
    records = campaign_records(ctx.engine, campaign_id=campaign_id)
    if not records:
        raise UnknownCampaign(
            f"no campaign '{campaign_id}' in this database; check the id (socialbot status lists them) or pass --db"
        )
    row = records[0]
    return build_report(ctx.engine, campaign_id=row.id, name=row.name, timezone=row.timezone, now=now)


class UnknownCampaign(ConfigError):
    """A campaign id the database does not know (exit status 2: the argument is wrong)."""

    exit_code = 2


def require_database(database_url: str) -> None:
    """Refuse to read a SQLite database that does not exist (instead of creating an empty one)."""
    path = sqlite_file(database_url)
    if path is not None and not path.exists():
        raise ConfigError(f"no database at {path}; run the campaign first, or pass --db (e.g. --db simulation.db)")
