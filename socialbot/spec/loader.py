"""Loads campaign files into validated specs, turning every mistake into a located, actionable Problem."""

from __future__ import annotations

import hashlib
import os
import re
import types
import typing
from dataclasses import dataclass, replace
from pathlib import Path

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from socialbot.errors import Problem
from socialbot.spec import timezones
from socialbot.spec.actions import compile_campaign
from socialbot.spec.campaign import Campaign, LoadResult
from socialbot.spec.checks import check_campaign
from socialbot.spec.models import PLATFORMS, RESERVED_SECTIONS, CampaignFile
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
        problems.extend(p for p in _translate(exc, located) if p.path not in env_paths)
        return None, _dedupe(problems)
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
    return campaign, _dedupe(problems)


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


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple] = set()
    out = []
    for p in problems:
        key = (p.file, p.line, p.path, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def _data_path(data: object, loc: tuple, *, missing: bool) -> tuple:
    """The part of a pydantic ``loc`` that names real keys in the data (drops union member tags)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif missing and isinstance(node, dict) and isinstance(part, str) and part == loc[-1]:
            path.append(part)
            break
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
    return tuple(path)


def _model_at(path: tuple) -> type[BaseModel] | None:
    """The model class whose fields are valid at data ``path`` (for "did you mean" on unknown keys)."""
    model: type[BaseModel] | None = CampaignFile
    for part in path:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            return None
        model = _first_model(info.annotation)
    return model


def _first_model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    if isinstance(annotation, types.UnionType):
        return None
    return None


def suggest(word: str, choices: typing.Iterable[str], *, cutoff: float = 70) -> str | None:
    from rapidfuzz import fuzz, process

    match = process.extractOne(word, list(choices), scorer=fuzz.WRatio, score_cutoff=cutoff)
    return match[0] if match else None


def _translate(exc: ValidationError, located: Located) -> list[Problem]:
    problems: list[Problem] = []
    seen_paths: set[tuple] = set()
    errors = exc.errors(include_url=False)
    misspelt = _misspelt_keys(errors, located)
    for err in errors:
        kind = err["type"]
        path = _data_path(located.data, err["loc"], missing=kind == "missing")
        if kind == "missing" and path in misspelt:
            continue  # 'shedule' is reported as "did you mean 'schedule'?"; "schedule is missing" would repeat it
        if path in seen_paths and kind != "extra_forbidden":
            continue  # a union reports each member's failure: one message per key is enough
        if kind != "extra_forbidden" and located.refused_at(path):
            continue  # a refused value (a tag) reads as None: "expected text, got None" would only repeat it
        seen_paths.add(path)
        message = _message(err, path)
        if kind == "value_error" and path == ("campaign",) and message.startswith("ends ("):
            path = ("campaign", "ends")  # point at the line to fix, not at the section
        problems.append(located.problem(path, message))
    return problems


def _misspelt_keys(errors: list, located: Located) -> set[tuple]:
    """Paths of required keys that are present under a misspelt name (the "did you mean" of an unknown key)."""
    found: set[tuple] = set()
    for err in errors:
        if err["type"] != "extra_forbidden":
            continue
        path = _data_path(located.data, err["loc"], missing=False)
        model = _model_at(path[:-1])
        hint = suggest(str(path[-1]), list(model.model_fields)) if model and path else None
        if hint:
            found.add((*path[:-1], hint))
    return found


def _message(err: ErrorDetails, path: tuple) -> str:
    kind, msg, value = err["type"], err["msg"], err.get("input")
    key = path[-1] if path else ""
    if kind == "extra_forbidden":
        model = _model_at(path[:-1])
        fields = list(model.model_fields) if model else []
        hint = suggest(str(key), fields) if fields else None
        text = f"unknown key '{shown(key)}'"
        if hint:
            return f"{text} — did you mean '{hint}'?"
        return f"{text}; allowed here: {', '.join(fields)}" if fields else text
    if kind == "missing":
        return f"required key '{key}' is missing"
    if msg.startswith("Value error, "):
        text = msg[len("Value error, ") :]
        text = text.replace(value, shown(value)) if isinstance(value, str) else text  # a long input it quotes
        if text.startswith("unknown timezone") and isinstance(value, str):
            hint = timezones.suggestion(value)
            return f"{text} — {hint}" if hint.startswith("did you mean") else f"{text}; {hint}"
        return text
    if kind == "literal_error" and isinstance(value, str):
        expected = msg.split("Input should be ", 1)[-1]
        if "'x'" in expected and "'sandbox'" in expected:
            hint = suggest(value.lower(), (*PLATFORMS, "twitter"), cutoff=60)
            hint = "x" if hint == "twitter" else hint
            text = f"unknown platform '{shown(value)}'; use one of {', '.join(PLATFORMS)}"
            return f"{text} — did you mean '{hint}'?" if hint else text
        return f"'{shown(value)}' is not allowed here; use {expected}"
    if kind.startswith(("date", "datetime")) or key in ("starts", "ends"):
        return f"'{shown(value)}' is not a date; write YYYY-MM-DD (or YYYY-MM-DD HH:MM)"
    if kind == "string_pattern_mismatch" and key == "id":
        return f"'{shown(value)}' is not a valid id; use lower-case letters, digits and dashes (e.g. launch-day)"
    if kind == "string_pattern_mismatch" and key == "subreddit":
        return f"'{shown(value)}' is not a subreddit name; write it without 'r/' (letters, digits, _)"
    ctx = err.get("ctx") or {}
    if kind == "too_short" and isinstance(value, list):
        hint = "; for a single text use 'text'" if key == "variants" else ""
        return f"needs at least {ctx.get('min_length')} entries, got {len(value)}{hint}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": "at least", "greater_than": "more than", "less_than_equal": "at most"}
        word = bound.get(kind, "less than")
        limit = next(iter(ctx.values()), "?")
        return f"must be {word} {limit}, got {shown(repr(value))}"
    if kind in (
        "string_type",
        "int_type",
        "int_parsing",
        "bool_type",
        "bool_parsing",
        "list_type",
        "dict_type",
        "model_type",
    ):
        expected = {
            "string_type": "text",
            "int_type": "a whole number",
            "int_parsing": "a whole number",
            "bool_type": "true or false",
            "bool_parsing": "true or false",
            "list_type": "a list",
            "dict_type": "a mapping of keys",
            "model_type": "a mapping of keys",
        }[kind]
        got = type(value).__name__ if isinstance(value, dict | list) else shown(repr(value))
        return f"expected {expected}, got {got}"
    return f"{msg} (got {shown(repr(value))})" if value is not None and not isinstance(value, dict | list) else msg


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
