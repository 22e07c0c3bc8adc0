"""Reads a YAML file into plain values while remembering the line and column of every key and item."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from socialbot.errors import Problem

Path_ = tuple[str | int, ...]


@dataclass
class Located:
    """A parsed YAML document plus where each key path starts in the file (1-based line, column)."""

    file: str
    data: object
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: Path_) -> tuple[int | None, int | None]:
        """Position of ``path``, or of its nearest located ancestor."""
        path = tuple(path)
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (None, None))

    def problem(self, path: Path_, message: str) -> Problem:
        line, column = self.where(path)
        return Problem(self.file, line, column, format_path(path), message)


def format_path(path: Path_) -> str:
    """('posts', 3, 'schedule') -> 'posts[3].schedule'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


class _Builder:
    """Turns a composed node tree into dicts/lists/scalars, checking duplicate keys."""

    def __init__(self, located: Located) -> None:
        self.located = located
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, path: Path_) -> object:
        self.located.positions.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            result: dict[str, object] = {}
            for key_node, value_node in node.value:
                key = self._scalar(key_node)
                if not isinstance(key, str | int | float | bool) or key is None:
                    self.problems.append(self.located.problem(path, "keys must be plain words"))
                    continue
                key = str(key)
                child = (*path, key)
                if key in result:
                    first_line = self.located.positions[child][0]
                    self.located.positions[(*child, "#dup")] = (
                        key_node.start_mark.line + 1,
                        key_node.start_mark.column + 1,
                    )
                    self.problems.append(
                        Problem(
                            self.located.file,
                            key_node.start_mark.line + 1,
                            key_node.start_mark.column + 1,
                            format_path(child),
                            f"duplicate key '{key}' (first given on line {first_line}); keep only one",
                        )
                    )
                    continue
                self.located.positions[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                result[key] = self.build(value_node, child)
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _scalar(self, node: yaml.Node) -> object:
        if not isinstance(node, yaml.ScalarNode):
            return None
        if node.tag == "tag:yaml.org,2002:int" and ":" in node.value:
            return node.value  # YAML 1.1 reads 09:00 as the number 540; keep clock times as text
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # dates and times are parsed by the spec, with the campaign's timezone
        return self._constructor.construct_object(node, deep=True)


def load_yaml(path: Path) -> tuple[Located | None, list[Problem]]:
    """Parse one YAML file; never raises on bad input, returns the problems instead."""
    file = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file, None, None, "", f"cannot read the file: {exc.strerror}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(file, line, None, "", "not a UTF-8 text file (is it binary?); save it as UTF-8 YAML")]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [
            Problem(file, line, None, "", "contains NUL bytes (is it binary?); a campaign is a YAML text file")
        ]
    located = Located(file=file, data=None)
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        if "\t" in (message or "") or "'\\t'" in (message or ""):
            message = "a tab character is used for indentation; YAML needs spaces"
        elif mark is not None and text.splitlines()[mark.line : mark.line + 1] and "\t" in text.splitlines()[mark.line]:
            message = f"{message} (this line contains a tab; YAML indents with spaces only)"
        else:
            message = f"YAML syntax error: {message}"
            if exc.context:
                message += f" ({exc.context})"
            if "expected <block end>" in message:
                message += "; check this line's indentation, and for a quote left open on a line above"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        return None, [Problem(file, line, column, "", message)]
    except yaml.YAMLError as exc:
        return None, [Problem(file, None, None, "", f"YAML error: {exc}")]
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None, [Problem(file, 1, None, "", "the file is empty; a campaign needs at least a 'campaign:' section")]
    if len(nodes) > 1:
        second = nodes[1].start_mark.line + 1
        return None, [Problem(file, second, None, "", "one campaign per file: remove the second YAML document ('---')")]
    builder = _Builder(located)
    located.data = builder.build(nodes[0], ())
    return located, builder.problems
