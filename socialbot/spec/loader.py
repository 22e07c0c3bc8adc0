"""Loads campaign files into validated specs, turning every mistake into a located, actionable Problem."""

from __future__ import annotations

import hashlib
import os
import re
import typing
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import ValidationError

from socialbot.errors import Problem
from socialbot.spec import timezones
from socialbot.spec.campaign import Campaign, LoadResult
from socialbot.spec.checks import check_campaign
from socialbot.spec.compile import compile_campaign
from socialbot.spec.messages import dedupe, suggest, translate
from socialbot.spec.models import RESERVED_SECTIONS, CampaignFile
from socialbot.spec.yamlsource import Located, format_path, parse_yaml, read_source, shown

ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
ENV_ALLOWED = {("campaign", "account")}  # the only keys that may read the environment


def campaign_files(paths: typing.Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Expand directories into their *.yaml / *.yml files (sorted); report paths that do not exist."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = sorted([*path.glob("*.yaml"), *path.glob("*.yml")])
            if not found:
                problems.append(Problem(str(path), None, None, "", "no campaign files (*.yaml) in this directory"))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append(Problem(str(path), None, None, "", "no such file or directory"))
    return files, problems


@dataclass(frozen=True)
class _Loaded:
    """What one file's bytes loaded to, and under which media roots."""

    digest: str
    media_roots: tuple[Path, ...]
    campaign: Campaign | None
    problems: tuple[Problem, ...]


class LoadCache:
    """What each campaign file loaded to, by path: a file whose bytes did not change is not parsed again.

    Files are still read (a few KiB each) and their sha256 compared, so an edit is seen whatever the
    file's times say. A file that had problems is parsed again every time: a media file or an
    environment variable it lacked may have appeared since.
    """

    def __init__(self) -> None:
        self._files: dict[str, _Loaded] = {}

    def load(self, file: Path, *, media_roots: typing.Sequence[Path] = ()) -> tuple[Campaign | None, list[Problem]]:
        """``load_file`` of ``file``, from the cache when its bytes are the ones last loaded cleanly."""
        raw, problems = read_source(file)
        if raw is None:
            self._files.pop(str(file), None)
            return None, problems
        digest = hashlib.sha256(raw).hexdigest()
        roots = tuple(media_roots)
        known = self._files.get(str(file))
        if known is not None and known.digest == digest and known.media_roots == roots and not known.problems:
            return known.campaign, []
        campaign, problems = _load_guarded(file, media_roots=roots, raw=raw)
        self._files[str(file)] = _Loaded(digest, roots, campaign, tuple(problems))
        return campaign, problems

    def retain(self, files: typing.Iterable[Path]) -> None:
        """Forget the files not in ``files`` (deleted, or no longer under the watched paths)."""
        keep = {str(f) for f in files}
        for name in [n for n in self._files if n not in keep]:
            del self._files[name]


def load_paths(
    paths: typing.Iterable[Path], *, media_roots: typing.Sequence[Path] = (), cache: LoadCache | None = None
) -> LoadResult:
    """Load and validate every campaign under ``paths``; checks ids are unique across files.

    Media files must be inside each campaign file's own folder, or inside one of ``media_roots``.
    With ``cache``, files whose bytes did not change since the last call are not parsed again
    (ids are still checked across all files).
    """
    files, problems = campaign_files(paths)
    result = LoadResult(problems=problems)
    seen: dict[str, Campaign] = {}
    for file in files:
        if cache is not None:
            campaign, file_problems = cache.load(file, media_roots=media_roots)
        else:
            campaign, file_problems = _load_guarded(file, media_roots=media_roots)
        result.problems.extend(file_problems)
        if campaign is None:
            continue
        result.warnings.extend(campaign.warnings)
        if campaign.id in seen:
            other = seen[campaign.id]
            line, column = campaign.located.where(("campaign", "id"))
            oline, _ = other.located.where(("campaign", "id"))
            result.problems.append(
                Problem(
                    str(file),
                    line,
                    column,
                    "campaign.id",
                    f"campaign id '{campaign.id}' is already used by {other.file}:{oline}; ids must be unique across files",
                )
            )
            continue
        seen[campaign.id] = campaign
        if not file_problems:
            result.campaigns.append(campaign)
    if cache is not None:
        cache.retain(files)
    return result


def _load_guarded(
    file: Path, *, media_roots: typing.Sequence[Path], raw: bytes | None = None
) -> tuple[Campaign | None, list[Problem]]:
    """``load_file``, where one unreadable file never stops the others (defence in depth)."""
    try:
        return load_file(file, media_roots=media_roots, raw=raw)
    except Exception as exc:
        return None, [
            Problem(str(file), None, None, "", f"cannot load this file ({type(exc).__name__}: {exc}); please report it")
        ]


def load_file(
    file: Path, *, media_roots: typing.Sequence[Path] = (), raw: bytes | None = None
) -> tuple[Campaign | None, list[Problem]]:
    """One file: (the campaign, or None if its structure is invalid; all problems found).

    Its media must be inside the file's folder or one of ``media_roots``. ``raw`` is the file's
    bytes when the caller already read them (``read_source``).
    """
    if raw is None:
        raw, problems = read_source(file)
        if raw is None:
            return None, problems
    located, problems = parse_yaml(file, raw)
    if located is None:
        return None, problems
    if () in located.refused:
        return None, problems  # the whole document was refused (a tag on it): that is the one thing to fix
    if not isinstance(located.data, dict):
        kinds: dict[type, str] = {list: "a list", str: "a single value"}
        kind = kinds.get(type(located.data), type(located.data).__name__)
        return None, [
            *problems,
            located.problem((), f"a campaign file is a mapping with a 'campaign:' key, not {kind}"),
        ]
    env_problems = _interpolate(located)
    problems.extend(env_problems)
    try:
        spec = CampaignFile.model_validate(located.data)
    except ValidationError as exc:
        env_paths = {p.path for p in env_problems}  # an unresolved ${VAR} is reported once, not again as invalid
        translated, unread = translate(exc, located)
        problems.extend(p for p in translated if p.path not in env_paths)
        return None, dedupe(problems, unread=unread)
    digest = hashlib.sha256(raw).hexdigest()  # of the bytes parsed, not of a later read
    warnings = tuple(
        located.problem((name,), f"'{name}' is not yet supported: this section is ignored for now")
        for name in RESERVED_SECTIONS
        if getattr(spec, name) is not None
    )
    zone_warning = timezones.warning(spec.campaign.timezone)
    if zone_warning:
        warnings = (located.problem(("campaign", "timezone"), zone_warning), *warnings)
    campaign = Campaign(spec=spec, file=file, digest=digest, located=located, warnings=warnings)
    campaign = replace(campaign, plan=compile_campaign(campaign))  # expanded and rendered once, here
    problems.extend(check_campaign(campaign, media_roots=media_roots))
    return campaign, dedupe(problems)


def _interpolate(located: Located) -> list[Problem]:
    """Resolve ``${VAR}`` where allowed; anywhere else it is an error (texts must never read secrets)."""
    problems: list[Problem] = []

    def walk(node: object, path: tuple) -> object:
        if isinstance(node, dict):
            return {k: walk(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, (*path, i)) for i, v in enumerate(node)]
        if isinstance(node, str) and ENV_REF.search(node):
            if path not in ENV_ALLOWED:
                problems.append(
                    located.problem(
                        path,
                        "${…} environment references are only allowed in campaign.account; "
                        "texts are published as written, so secrets must never appear in them",
                    )
                )
                return node
            missing = [m for m in ENV_REF.findall(node) if m not in os.environ]
            if missing:
                problems.append(
                    located.problem(
                        path, f"environment variable {shown(missing[0])} is not set; set it or write the value"
                    )
                )
                return node
            return ENV_REF.sub(lambda m: os.environ[m.group(1)], node)
        return node

    located.data = walk(located.data, ())
    return problems


__all__ = [
    "Campaign",
    "LoadCache",
    "LoadResult",
    "campaign_files",
    "format_path",
    "load_file",
    "load_paths",
    "suggest",
]
