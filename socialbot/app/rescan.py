"""Rescanning the campaigns directory: re-parse and re-sync only what changed; an invalid file keeps its last valid version."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from socialbot.app.compile import load, sync
from socialbot.app.context import Context
from socialbot.errors import Problem
from socialbot.spec.campaign import Campaign
from socialbot.spec.loader import LoadCache, campaign_files
from socialbot.storage.campaigns import campaign_records

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RescanResult:
    changed: tuple[str, ...] = ()  # campaigns (re)synced: their jobs should run now
    gone: tuple[str, ...] = ()  # campaigns retired: their jobs end


@dataclass
class CampaignWatcher:
    """Watches campaign files for one process; nothing is read when no file changed (names, sizes, times).

    When one did, every file is read again but only those whose bytes changed are parsed (``LoadCache``);
    the others keep their compiled campaign, and only campaigns whose file changed are synced.
    """

    paths: list[Path]
    missing: bool = False  # the campaigns directory is gone or empty (an unmounted volume, a typo)
    invalid_files: int = 0  # files with problems at the last scan that parsed them
    _fingerprint: tuple[tuple[str, int, int], ...] | None = None  # None: never scanned
    _file_campaign: dict[str, str] = field(default_factory=dict)
    _digests: dict[str, str] = field(default_factory=dict)
    _cache: LoadCache = field(default_factory=LoadCache)

    def rescan(self, ctx: Context, *, now: datetime) -> RescanResult:
        """Re-read the campaign files; invalid files are reported and keep their last valid version running."""
        files, problems = campaign_files(self.paths)
        if not files:
            for problem in problems:
                log.error("%s — nothing was changed; running campaigns keep running", problem)
            self.missing = True
            return RescanResult()
        self.missing = False
        fingerprint = _fingerprint(files)
        if fingerprint == self._fingerprint:
            return RescanResult()
        self._fingerprint = fingerprint
        result = load(ctx, self.paths, cache=self._cache)
        problems = list(result.problems)
        keep: dict[str, Campaign] = {c.id: c for c in result.campaigns}
        for c in list(keep.values()):
            incumbent = ctx.campaigns.get(c.id)
            if incumbent is None or incumbent.file == c.file or not incumbent.file.exists():
                continue  # a new id, the same file, or a file renamed: this version takes the id
            # another file runs this id: it keeps it (the order files sort in does not decide),
            # and the file that claims it now is the duplicate
            keep[c.id] = incumbent
            problems = [p for p in problems if not (p.file == str(incumbent.file) and _duplicate(p))]
            line, column = c.located.where(("campaign", "id"))
            problems.append(
                Problem(
                    str(c.file),
                    line,
                    column,
                    "campaign.id",
                    f"campaign id '{c.id}' is already used by {incumbent.file}, which runs it; "
                    "ids must be unique across files",
                )
            )
        self.invalid_files = len({p.file for p in problems})
        for problem in problems:
            log.error("campaign file problem: %s", problem)
        bad_files = {p.file for p in problems}
        for file in bad_files:
            cid = self._file_campaign.get(file)
            if cid and cid in ctx.campaigns and cid not in keep and Path(file).exists():
                keep[cid] = ctx.campaigns[cid]
                log.warning("keeping the last valid version of campaign %s until %s is fixed", cid, file)
        waiting = self._campaigns_of_invalid_files(ctx, bad_files - {str(c.file) for c in keep.values()})
        changed = [c for c in keep.values() if self._digests.get(c.id) != c.digest]
        for c in changed:  # said once per version of the file, not at every rescan
            for warning in c.warnings:
                log.warning("campaign file warning: %s", warning)
        gone = [cid for cid in ctx.campaigns if cid not in keep]
        summaries = sync(ctx, changed, now=now, active=[*keep, *waiting])
        for c in keep.values():
            self._file_campaign[str(c.file)] = c.id
            self._digests[c.id] = c.digest
        for cid in gone:
            self._digests.pop(cid, None)
        for cid, summary in summaries.items():
            log.info("campaign %s synced: %s", cid, summary)
        return RescanResult(changed=tuple(c.id for c in changed), gone=tuple(gone))

    def _campaigns_of_invalid_files(self, ctx: Context, files: set[str]) -> list[str]:
        """Campaigns recorded from files that are now invalid (e.g. at start-up): kept, not retired.

        Their planned posts are not cancelled; they wait (and may pass their catch-up window) until
        the file is fixed. A file that disappeared retires its campaign instead.
        """
        if not files:
            return []
        held = [
            r.id
            for r in campaign_records(ctx.engine) or []
            if r.active and r.file_path in files and Path(r.file_path).exists()
        ]
        for cid in held:
            if cid not in ctx.campaigns:
                log.error(
                    "campaign %s is not running: its file is invalid (see above); its planned posts wait until it is fixed",
                    cid,
                )
        return held


def _duplicate(problem: Problem) -> bool:
    return problem.path == "campaign.id" and "is already used by" in problem.message


def _fingerprint(files: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """(name, modification time, size) of each file that still exists."""
    out = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            continue
        out.append((str(f), st.st_mtime_ns, st.st_size))
    return tuple(out)
