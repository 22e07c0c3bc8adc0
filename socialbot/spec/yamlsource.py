"""Reads a YAML file into plain values while remembering the line and column of every key and item."""

from __future__ import annotations

import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from socialbot.domain.textlimits import forbidden_character, without_forbidden_characters
from socialbot.errors import Problem

Path_ = tuple[str | int, ...]

MAX_FILE_BYTES = 512 * 1024  # a campaign of a thousand posts is ~300 KiB; parsing this much takes < 1 s
MAX_DEPTH = 64  # mappings and lists nested deeper than this are not a campaign
MAX_ALIASES = 100  # *alias uses in one file
MAX_NODES = 100_000  # values in the file once aliases are expanded ("billion laughs" stops here)
_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "timestamp", "seq", "map")
}
_TOO_DEEP = f"lists and mappings are nested more than {MAX_DEPTH} deep; a campaign never needs that"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed: a 1 MiB file parses in well under 2 s
ECHO_LIMIT = 100  # characters of someone's input a message repeats; a 500 KiB id is not printed back whole


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """``value`` as text for a message, cut to ``limit`` characters ending in "…" when it is longer."""
    text = value if isinstance(value, str) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _TooLarge(Exception):
    """The document expands past MAX_NODES or uses too many aliases."""

    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node


@dataclass
class Located:
    """A parsed YAML document plus where each key path starts in the file (1-based line, column)."""

    file: str
    data: object
    positions: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    refused: set[Path_] = field(default_factory=set)  # values already reported (a tag...): read as None, not judged

    def refused_at(self, path: Path_) -> bool:
        """True when ``path`` is, or is inside, a refused value: a schema error there would only repeat it."""
        return any(tuple(path[:n]) in self.refused for n in range(len(path) + 1))

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
            out += ("." if out else "") + shown(part)
    return out


class _Builder:
    """Turns a composed node tree into dicts/lists/scalars, checking duplicate keys."""

    def __init__(self, located: Located) -> None:
        self.located = located
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")
        self._built = 0
        self._seen: set[int] = set()
        self._aliases = 0
        self._open: set[int] = set()  # collections being built: an alias to one of them is a loop

    def build(self, node: yaml.Node, path: Path_) -> object:
        self.located.positions.setdefault(path, _position(node))
        self._built += 1
        if len(path) > MAX_DEPTH:
            raise _TooLarge(node, _TOO_DEEP)
        if self._built > MAX_NODES:
            raise _TooLarge(
                node, f"the file expands to more than {MAX_NODES:,} values (aliases?); a campaign is smaller"
            )
        if node.tag not in _STANDARD_TAGS:
            self._refuse(path, node, _tag_message(node))
            return None
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            if id(node) in self._open:
                raise _TooLarge(node, "an alias refers to the list or mapping it is in (an endless loop); remove it")
            if id(node) in self._seen:
                self._aliases += 1
                if self._aliases > MAX_ALIASES:
                    raise _TooLarge(node, f"more than {MAX_ALIASES} aliases (*name) in one file; write the values out")
            self._seen.add(id(node))
            self._open.add(id(node))
            try:
                return self._collection(node, path)
            finally:
                self._open.discard(id(node))
        return self._scalar(node, path)

    def _collection(self, node: yaml.Node, path: Path_) -> object:
        if isinstance(node, yaml.MappingNode):
            result: dict[str, object] = {}
            for key_node, value_node in node.value:
                key = self._key(key_node, path)
                if key is None:
                    continue
                child = (*path, key)
                if key in result:
                    first_line = self.located.positions[child][0]
                    self.located.positions[(*child, "#dup")] = _position(key_node)
                    self.problems.append(
                        self._at(
                            key_node,
                            child,
                            f"duplicate key '{shown(key)}' (first given on line {first_line}); keep only one",
                        )
                    )
                    continue
                self.located.positions[child] = _position(key_node)
                result[key] = self.build(value_node, child)
            return result
        return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]

    def _key(self, node: yaml.Node, path: Path_) -> str | None:
        """The key ``node`` as text, or None once its problem is reported (at the key itself, not its mapping)."""
        scalar = isinstance(node, yaml.ScalarNode)
        own = (*path, without_forbidden_characters(node.value)) if scalar else path
        if node.tag not in _STANDARD_TAGS:
            if scalar:  # `!tag name: value`: the key and its value are one refused entry
                self.located.refused.add(own)
            self.problems.append(self._at(node, own, _tag_message(node)))
            return None
        reported = len(self.problems)
        key = self._scalar(node, own, is_key=True)
        if not isinstance(key, str | int | float | bool) or key is None:
            if len(self.problems) == reported:
                self.problems.append(self._at(node, own, "keys must be plain words (text or a number); change it"))
            return None
        return str(key)

    def _refuse(self, path: Path_, node: yaml.Node, message: str) -> None:
        """Report the value at ``path`` once; it is read as None and no schema error is raised about it."""
        self.located.refused.add(path)
        self.problems.append(self.located.problem(path, message))

    def _at(self, node: yaml.Node, path: Path_, message: str) -> Problem:
        """A problem located at ``node`` itself (a key), named by ``path``."""
        line, column = _position(node)
        return Problem(self.located.file, line, column, format_path(path), message)

    def _scalar(self, node: yaml.Node, path: Path_, *, is_key: bool = False) -> object:
        """The value of a scalar ``node``; a key's problems are located at the key itself."""
        if not isinstance(node, yaml.ScalarNode):
            return None
        if node.tag == "tag:yaml.org,2002:int" and ":" in node.value:
            return node.value  # YAML 1.1 reads 09:00 as the number 540; keep clock times as text
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # dates and times are parsed by the spec, with the campaign's timezone
        try:
            value = self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError, KeyError, IndexError, TypeError) as exc:
            message = f"cannot read this value ({shown(exc)}); quote it as text"
            if is_key:
                self.problems.append(self._at(node, path, message))
            else:
                self._refuse(path, node, message)
            return None
        if isinstance(value, str) and (wrong := forbidden_character(value)):
            self.problems.append(self._at(node, path, wrong) if is_key else self.located.problem(path, wrong))
            return without_forbidden_characters(value)  # reported; the rest of the file is still checked
        return value


def _count_values(text: str) -> tuple[int | None, int | None] | None:
    """Where the file passes MAX_NODES values (keys, values, lists, mappings), read as events: or None."""
    counted = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent, yaml.AliasEvent)
    values = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, counted):
            values += 1
            if values > MAX_NODES:
                mark = event.start_mark
                return (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
    return None


def _position(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _tag_message(node: yaml.Node) -> str:
    written = "!!" + node.tag.removeprefix("tag:yaml.org,2002:") if node.tag.startswith("tag:yaml.org,") else node.tag
    return f"YAML tags such as '{shown(written)}' are not allowed in campaign files; remove it"


def _refused_character(file: str, text: str, exc: yaml.reader.ReaderError) -> Problem:
    """Where in ``text`` the character YAML refused is, as line and column (libyaml counts bytes, PyYAML characters).

    The reader stops at the first such character in the file, so its first occurrence is the one refused.
    """
    char = chr(exc.character) if isinstance(exc.character, int) else ""
    index = text.find(char) if char else -1
    if index < 0:
        return Problem(file, None, None, "", f"YAML error: {shown(exc)}")
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    name = "a control character" if unicodedata.category(char) == "Cc" else "a character"
    return Problem(
        file,
        line,
        column,
        "",
        f"the file contains U+{ord(char):04X}, {name} YAML does not allow (most editors do not show it); delete it",
    )


def read_source(path: Path) -> tuple[bytes | None, list[Problem]]:
    """The bytes of one campaign file (a regular file, within MAX_FILE_BYTES), or the problem that stops reading."""
    file = str(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO or /dev/zero named *.yaml would hang or fill memory
            return None, [Problem(file, None, None, "", "not a regular file; a campaign is a YAML text file")]
        size = st.st_size
        if size > MAX_FILE_BYTES:
            return None, [
                Problem(
                    file,
                    None,
                    None,
                    "",
                    f"the file is {size / 1024:,.0f} KiB; campaign files are limited to "
                    f"{MAX_FILE_BYTES // 1024} KiB (split it into several campaigns)",
                )
            ]
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # never more than the limit, even if the file grows meanwhile
        if len(raw) > MAX_FILE_BYTES:
            return None, [Problem(file, None, None, "", f"the file grew past {MAX_FILE_BYTES // 1024} KiB while read")]
    except OSError as exc:
        return None, [Problem(file, None, None, "", f"cannot read the file: {exc.strerror or exc}")]
    return raw, []


def load_yaml(path: Path) -> tuple[Located | None, list[Problem]]:
    """Parse one YAML file; never raises on bad input, returns the problems instead."""
    raw, problems = read_source(path)
    if raw is None:
        return None, problems
    return parse_yaml(path, raw)


def parse_yaml(path: Path, raw: bytes) -> tuple[Located | None, list[Problem]]:
    """Parse the bytes ``raw`` read from ``path`` (see ``read_source``); problems are located in ``path``."""
    file = str(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line: int | None = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(file, line, None, "", "not a UTF-8 text file (is it binary?); save it as UTF-8 YAML")]
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        return None, [
            Problem(file, line, None, "", "contains NUL bytes (is it binary?); a campaign is a YAML text file")
        ]
    located = Located(file=file, data=None)
    try:
        if (too_many := _count_values(text)) is not None:  # before composing: 60,000 {a: 1} take seconds to build
            return None, [Problem(file, *too_many, "", f"the file holds more than {MAX_NODES:,} values; split it")]
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except RecursionError:
        return None, [Problem(file, None, None, "", _TOO_DEEP)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = exc.problem or str(exc)
        if "\t" in (message or "") or "'\\t'" in (message or "") or "tab character" in (message or ""):
            message = "a tab character is used for indentation; YAML needs spaces"
        elif mark is not None and text.splitlines()[mark.line : mark.line + 1] and "\t" in text.splitlines()[mark.line]:
            message = f"{message} (this line contains a tab; YAML indents with spaces only)"
        else:
            message = f"YAML syntax error: {message}"
            if exc.context:
                message += f" ({exc.context})"
            if "invalid Unicode character escape" in message:
                message += "; a \\u escape must name a real character (a lone surrogate such as \\ud800 is not one)"
            if "expected <block end>" in message:
                message += "; check this line's indentation, and for a quote left open on a line above"
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        return None, [Problem(file, line, column, "", message)]
    except yaml.reader.ReaderError as exc:  # a character YAML refuses; its position is an offset, not a line
        return None, [_refused_character(file, text, exc)]
    except yaml.YAMLError as exc:
        return None, [Problem(file, None, None, "", f"YAML error: {shown(exc)}")]
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None, [Problem(file, 1, None, "", "the file is empty; a campaign needs at least a 'campaign:' section")]
    if len(nodes) > 1:
        second = nodes[1].start_mark.line + 1
        return None, [Problem(file, second, None, "", "one campaign per file: remove the second YAML document ('---')")]
    builder = _Builder(located)
    try:
        located.data = builder.build(nodes[0], ())
    except _TooLarge as exc:
        mark = exc.node.start_mark
        return None, [Problem(file, mark.line + 1, mark.column + 1, "", str(exc))]
    return located, builder.problems
