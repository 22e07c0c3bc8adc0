"""Pydantic's validation errors as located, actionable Problems: one per key, "did you mean", at most 100 a file."""

from __future__ import annotations

import types
import typing

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from socialbot.errors import Problem
from socialbot.spec import timezones
from socialbot.spec.models import PLATFORMS, CampaignFile
from socialbot.spec.yamlsource import Located, shown


def dedupe(problems: list[Problem], *, unread: int = 0) -> list[Problem]:
    """Each problem once, and at most MAX_PROBLEMS of them (a file of 40,000 bad keys is not 40,000 lines)."""
    seen: set[tuple] = set()
    out = []
    for p in problems:
        key = (p.file, p.line, p.path, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    more = max(0, len(out) - MAX_PROBLEMS) + unread
    if more:
        out = [
            *out[:MAX_PROBLEMS],
            Problem(out[0].file, None, None, "", f"… and {more:,} more; fix these first", more=more),
        ]
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


MAX_PROBLEMS = 100  # problems reported per file


def translate(exc: ValidationError, located: Located) -> tuple[list[Problem], int]:
    """The problems of the first errors, and how many errors were not looked at."""
    problems: list[Problem] = []
    seen_paths: set[tuple] = set()
    errors = exc.errors(include_url=False)[: MAX_PROBLEMS * 2]  # _dedupe says how many more there were
    more = exc.error_count() - len(errors)
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
    return problems, more


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
