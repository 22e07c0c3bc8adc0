"""Builds the engagement report of a campaign and renders it as a table, JSON or CSV."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from socialbot.domain.metrics import ENGAGING_KINDS, engagement, overall_rate


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

    def to_dict(self) -> dict:
        return asdict(self)


def build_report(engine, *, campaign_id: str, name: str, timezone: str, now: datetime) -> EngagementReport:
    from socialbot.storage.reporting import interaction_totals, publication_stats

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
    )


def neutralise(value: object) -> object:
    """Spreadsheet formula injection: text starting with = + - @ (or tab/CR) is prefixed with a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render_json(report: EngagementReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False)


def render_csv(report: EngagementReport) -> str:
    """One row per publication, then a TOTAL row; the formula is named in its own column."""
    out = io.StringIO()
    fields = list(PublicationLine.__dataclass_fields__)
    writer = csv.writer(out)
    writer.writerow([*fields, "formula"])
    for line in report.lines:
        writer.writerow([*(neutralise(getattr(line, f)) for f in fields), report.formula])
    total = {
        "item": f"TOTAL ({report.publications} publications, {report.unique_people} people, {report.interactions_total} interactions)",
        "replies": sum(line.replies for line in report.lines),
        "likes": sum(line.likes for line in report.lines),
        "reposts": sum(line.reposts for line in report.lines),
        "quotes": sum(line.quotes for line in report.lines),
        "engagements": report.engagements,
        "impressions": report.impressions,
        "engagement_rate": report.engagement_rate,
    }
    writer.writerow([*(neutralise(total.get(f, "")) for f in fields), report.formula])
    return out.getvalue()


def render_table(report: EngagementReport, console) -> None:
    from rich.markup import escape
    from rich.table import Table

    console.print(
        f"[bold]{escape(report.campaign_name)}[/bold] ({report.campaign_id}) — engagement report, {report.generated_at}"
    )
    summary = Table(show_header=False, box=None, pad_edge=False)
    summary.add_row("publications", str(report.publications))
    summary.add_row(
        "interactions",
        f"{report.interactions_total}  " + ", ".join(f"{k}: {v}" for k, v in report.interactions_by_kind.items()),
    )
    summary.add_row("unique people", str(report.unique_people))
    summary.add_row("engagements", f"{report.engagements} ({', '.join(ENGAGING_KINDS)})")
    if report.impressions:
        summary.add_row("impressions", str(report.impressions))
    rate = f"{report.engagement_rate:.2%}" if report.engagement_rate is not None else "n/a"
    summary.add_row("engagement rate", f"{rate}   [dim]{report.formula}[/dim]")
    console.print(summary)
    table = Table(title="Per publication", show_lines=False)
    for col in (
        "published",
        "item",
        "platform",
        "replies",
        "likes",
        "reposts",
        "quotes",
        "engagements",
        "impressions",
        "rate",
    ):
        table.add_column(col, justify="right" if col not in ("published", "item", "platform") else "left")
    for line in report.lines:
        table.add_row(
            line.published,
            escape(line.item + (f" #{line.part + 1}" if line.part else "")),
            line.platform,
            str(line.replies),
            str(line.likes),
            str(line.reposts),
            str(line.quotes),
            str(line.engagements),
            str(line.impressions) if line.impressions is not None else "-",
            f"{line.engagement_rate:.2%}" if line.engagement_rate is not None else "-",
        )
    console.print(table)
