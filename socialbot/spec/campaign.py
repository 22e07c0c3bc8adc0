"""The values a loaded campaign file becomes: the validated spec, where it came from, and its compiled plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from socialbot.domain.ledger import PlannedAction
from socialbot.domain.planning import Skipped
from socialbot.errors import CampaignError, Problem
from socialbot.spec.models import CampaignFile
from socialbot.spec.yamlsource import Located


@dataclass(frozen=True)
class PostPlan:
    """What one post of the file compiled to: its occurrences, its actions, or the template problem that stopped it."""

    index: int  # position in the file's posts list (for located messages)
    occurrences: int
    actions: tuple[PlannedAction, ...]
    template_problem: str | None = None
    template_platform: str | None = None
    schedule_problem: str | None = None  # the schedule itself cannot be expanded (too many occurrences)


@dataclass(frozen=True)
class CompiledPlan:
    """Every planned action of a campaign in due order, the occurrences skipped, and the per-post breakdown."""

    actions: list[PlannedAction]
    skipped: list[tuple[str, Skipped]]  # (item id, skipped occurrence)
    posts: tuple[PostPlan, ...] = ()
    poll_problems: tuple[tuple[int, str], ...] = ()  # (index in polls, the template problem that stopped it)
    qa_problems: tuple[tuple[int, str], ...] = ()  # (index in qa, the template problem that stopped it)


@dataclass(frozen=True)
class Campaign:
    """A validated campaign file: its spec, where it came from, its plan, and warnings that do not block it."""

    spec: CampaignFile
    file: Path
    digest: str  # sha256 of the file's bytes
    located: Located = field(compare=False, repr=False)
    warnings: tuple[Problem, ...] = ()
    plan: CompiledPlan | None = field(default=None, compare=False, repr=False)

    @property
    def id(self) -> str:
        return self.spec.campaign.id

    @property
    def compiled(self) -> CompiledPlan:
        """The plan compiled at load (every loaded campaign has one)."""
        if self.plan is None:
            raise ValueError(f"campaign {self.id} was not compiled")
        return self.plan


@dataclass
class LoadResult:
    """Every campaign that loaded, and every problem found in every file (all at once)."""

    campaigns: list[Campaign] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def raise_for_problems(self) -> None:
        if self.problems:
            raise CampaignError(self.problems)
