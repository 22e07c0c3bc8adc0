"""Property tests of the campaign loader: whatever a campaign file holds, loading it never raises.

The property, for every generated file F (arbitrary bytes, arbitrary text, token soups of YAML syntax, YAML
documents built from recursive mappings and lists with random keys, tags, anchors, aliases and odd unicode, and
a valid campaign mutated at random), written to disk and loaded with ``load_file(F)``:

1. it returns ``(campaign, problems)`` where ``campaign`` is None or a ``Campaign`` and ``problems`` is a list of
   ``Problem``; no exception escapes;
2. every problem names F (``problem.file == str(F)``) and has a message;
3. a file that yields no campaign has at least one problem (a rejected file always says why);
4. if F "parsed" - it is at most ``MAX_FILE_BYTES``, valid UTF-8 without NUL, and PyYAML (the loader
   ``load_yaml`` uses) composes it into exactly one document - every problem has a line number >= 1 (and a column,
   when given, >= 1): a problem in a YAML file that reads is always located;
5. ``load_yaml(F)`` on its own also never raises, returns ``(Located | None, problems)`` with the same problem
   rules, and a ``Located`` holds plain data only: dicts with ``str`` keys, lists, ``str`` (never a lone
   surrogate), ``int``, ``float``, ``bool`` and None.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from socialbot.errors import Problem
from socialbot.spec.campaign import Campaign
from socialbot.spec.loader import load_file
from socialbot.spec.yamlsource import MAX_FILE_BYTES, load_yaml

# File I/O per example: no deadline. No example database (no .hypothesis/ folder in the work tree). The
# function-scoped fixtures (the autouse network guard) hold no per-example state.
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("loader-properties")


# -- the property -----------------------------------------------------------------------------


def _parses(raw: bytes) -> bool:
    """Whether ``raw`` is a YAML file that reads: small enough, UTF-8 without NUL, exactly one document."""
    if len(raw) > MAX_FILE_BYTES:
        return False
    try:
        text = raw.decode("utf-8")
        return "\x00" not in text and len(list(yaml.compose_all(text, Loader=_LOADER))) == 1
    except (UnicodeDecodeError, yaml.YAMLError, RecursionError):
        return False


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the one load_yaml uses
_SURROGATE = re.compile("[\ud800-\udfff]")


def _plain(data: Any, depth: int = 0) -> bool:
    if isinstance(data, dict):
        return all(isinstance(k, str) and _plain(k) and _plain(v, depth + 1) for k, v in data.items())
    if isinstance(data, list):
        return all(_plain(v, depth + 1) for v in data)
    if isinstance(data, str):
        return not _SURROGATE.search(data)
    return data is None or isinstance(data, bool | int | float)


def _check_problems(problems: Any, file: Path, *, located: bool) -> None:
    assert isinstance(problems, list)
    for problem in problems:
        assert isinstance(problem, Problem)
        assert problem.file == str(file)
        assert isinstance(problem.message, str) and problem.message
        if located:
            assert isinstance(problem.line, int) and problem.line >= 1, str(problem)
            assert problem.column is None or problem.column >= 1, str(problem)
        str(problem)  # prints


def check(folder: Path, raw: bytes) -> None:
    file = folder / "campaign.yaml"
    file.write_bytes(raw)
    located = _parses(raw)

    found, problems = load_yaml(file)
    _check_problems(problems, file, located=located)
    assert found is not None or problems
    if found is not None:
        assert located, "load_yaml read a file that PyYAML does not compose into one document"
        assert _plain(found.data), found.data

    campaign, problems = load_file(file)
    _check_problems(problems, file, located=located)
    assert campaign is None or isinstance(campaign, Campaign)
    assert campaign is not None or problems, "a rejected file says why"
    # what the examples reached (pytest --hypothesis-show-statistics)
    event("campaign" if campaign is not None else "parsed, rejected" if located else "did not parse")


# -- YAML documents ---------------------------------------------------------------------------


@dataclass
class Node:
    """One YAML node to write out: a scalar (its source text), a block literal, a mapping, a list or an alias."""

    kind: str  # "scalar" | "literal" | "map" | "seq" | "alias"
    value: Any
    tag: str | None = None
    anchor: str | None = None
    flow: bool = False


def _props(node: Node) -> str:
    return " ".join(p for p in (f"&{node.anchor}" if node.anchor else None, node.tag) if p)


def flow(node: Node) -> str:
    if node.kind == "alias":
        return f"*{node.value}"
    if node.kind == "map":
        body = "{" + ", ".join(f"{flow(k)}: {flow(v)}" for k, v in node.value) + "}"
    elif node.kind == "seq":
        body = "[" + ", ".join(flow(v) for v in node.value) + "]"
    elif node.kind == "literal":
        body = json.dumps("\n".join(node.value))
    else:
        body = node.value
    props = _props(node)
    return f"{props} {body}" if props else body


def block(node: Node, indent: int) -> str:
    """The text after ``key:`` or ``-``: ``" value"`` on the same line, or a head and indented lines."""
    props = _props(node)
    head = f" {props}" if props else ""
    pad = " " * indent
    if node.kind in ("map", "seq") and node.value and not node.flow:
        if node.kind == "map":
            lines = [f"{pad}{flow(k)}{' ' if k.kind == 'alias' else ''}:{block(v, indent + 2)}" for k, v in node.value]
        else:
            lines = [f"{pad}-{block(v, indent + 2)}" for v in node.value]
        return head + "\n" + "\n".join(lines)
    if node.kind == "literal":
        return f"{head} |\n" + "\n".join(" " * max(indent, 1) + line for line in node.value)
    return " " + flow(node)


def document(node: Node) -> str:
    _resolve(node, set())
    return block(node, 0).removeprefix(" ").removeprefix("\n") + "\n"


WILD = {"c", "nowhere"}  # anchors and aliases of these names are left as drawn: duplicate anchors, undefined aliases


def _resolve(node: Node, defined: set[str]) -> None:
    """Make most aliases name an anchor defined earlier in the file, and most anchors unique (in writing order)."""
    if node.anchor and node.anchor not in WILD:
        if node.anchor in defined:
            node.anchor = None
        else:
            defined.add(node.anchor)
    if node.kind == "alias" and node.value not in WILD and node.value not in defined:
        if defined:
            node.value = sorted(defined)[0]
        else:
            node.kind, node.value = "scalar", "null"
    if node.kind == "map":
        for key, value in node.value:
            _resolve(key, defined)
            _resolve(value, defined)
    elif node.kind == "seq":
        for value in node.value:
            _resolve(value, defined)


CAMPAIGN_KEYS = [
    "campaign",
    "posts",
    "id",
    "name",
    "timezone",
    "starts",
    "ends",
    "platforms",
    "account",
    "hashtags",
    "countdowns",
    "defaults",
    "catch_up_within",
    "quiet_hours",
    "start",
    "end",
    "blackout_dates",
    "x",
    "reddit",
    "text",
    "variants",
    "thread",
    "media",
    "path",
    "alt",
    "poll",
    "options",
    "duration",
    "schedule",
    "at",
    "cron",
    "every",
    "starting",
    "until",
    "count",
    "subreddit",
    "title",
    "kind",
    "url",
    "polls",
    "qa",
    "scoring",
    "shedule",
    "<<",
    "=",
]
PLAIN = [
    "x",
    "reddit",
    "sandbox",
    "twitter",
    "UTC",
    "Europe/Madrid",
    "Mars/Olympus",
    "launch-day",
    "Bad_ID",
    "1d",
    "1m",
    "12h",
    "0s",
    "-1",
    "0",
    "1000000",
    "09:00",
    "25:99",
    "2026-12-02",
    "2026-12-02 09:00",
    "2026-13-45",
    "1:2:3",
    "1:30.5",
    "true",
    "no",
    "~",
    "null",
    ".inf",
    ".nan",
    "0x1F",
    "0o17",
    "1_000",
    "1e400",
    "3.14",
    "9" * 30,
    "self",
    "link",
    "qa",
]
TAGS = [
    "!!str",
    "!!int",
    "!!float",
    "!!bool",
    "!!null",
    "!!timestamp",
    "!!seq",
    "!!map",
    "!!binary",
    "!!set",
    "!!omap",
    "!!pairs",
    "!!merge",
    "!!value",
    "!!python/object/apply:os.system",
    "!!python/name:os.system",
    "!custom",
    "!",
    "!<tag:yaml.org,2002:str>",
    "!<tag:example.com,2000:thing>",
    "!undefined!handle",
]
ESCAPED = [
    '"\\ud800"',
    '"lone \\udfff surrogate"',
    '"\\ud83d\\ude00"',
    '"\\U0001F600"',
    '"\\x00"',
    '"\\0"',
    '"\\N\\_\\L\\P"',
    '"\\e\\a\\v"',
    '"\\z"',
    '"\\u12"',
    '"\\U00110000"',
    '"{{ occurrence }} {{ weekday }} {{ days_to.launch }}"',
    '"{{ nope }}"',
    '"{{"',
    '"{% for i in range(10**9) %}x{% endfor %}"',
    '"{{ campaign.__class__.__mro__ }}"',
    '"${HOME}"',
    '"#CozyWinter"',
    "'it''s'",
]
_ODD = ["\u202e", "\u200b", "\ufeff", "\u2028", "\x85", "\t", "\x7f", "\U0001f600", "\u0301", "\ufffe"]
# Text of any character but raw control characters and surrogates (those are in test_arbitrary_text), plus a few
# odd ones: RTL override, zero width, BOM, line and paragraph separators, NEL, DEL, emoji, a combining accent.
ODD_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]) | st.sampled_from(_ODD), max_size=30)
BMP_TEXT = st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"]) | st.sampled_from(_ODD), max_size=30)


def _quoted(text: str, ascii_only: bool) -> str:
    # JSON escapes are YAML double-quoted escapes; an astral character would become a pair of \u surrogate
    # escapes, which YAML rejects (the ESCAPED cases cover that), so the escaped form is drawn from the BMP
    return json.dumps(text, ensure_ascii=ascii_only)


def _single(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


LONG = st.sampled_from([300, 5_000, 70_000, MAX_FILE_BYTES + 1]).map(lambda n: '"' + "w" * n + '"')
SHORT_TEXT = st.one_of(
    st.sampled_from(PLAIN),
    st.sampled_from(CAMPAIGN_KEYS).map(json.dumps),
    st.builds(_quoted, ODD_TEXT, st.just(False)),
    st.builds(_quoted, BMP_TEXT, st.just(True)),
    ODD_TEXT.map(_single),
    st.sampled_from(ESCAPED),
)
SCALAR_TEXT = SHORT_TEXT | LONG
ANCHOR_NAMES = st.sampled_from(["a", "b", "d"] * 3 + ["c"])
ALIAS_NAMES = st.sampled_from(["a", "b", "d"] * 3 + ["nowhere"])
MAYBE_TAG = st.none() | st.none() | st.none() | st.sampled_from(TAGS)
MAYBE_ANCHOR = st.none() | st.none() | st.none() | ANCHOR_NAMES


def scalars() -> st.SearchStrategy[Node]:
    lines = st.lists(st.text(st.characters(codec="ascii", categories=["L", "N", "Zs"]), max_size=20), min_size=1)
    scalar = st.builds(Node, st.just("scalar"), SCALAR_TEXT, MAYBE_TAG, MAYBE_ANCHOR)
    return st.one_of(
        scalar,
        scalar,
        scalar,
        st.builds(Node, st.just("literal"), lines, MAYBE_TAG, MAYBE_ANCHOR),
        st.builds(Node, st.just("alias"), ALIAS_NAMES),  # to an anchor before it, around it, or to none
    )


KEY_NODES = st.one_of(
    st.sampled_from(CAMPAIGN_KEYS).map(lambda k: Node("scalar", k if re.fullmatch(r"[a-z_]+", k) else json.dumps(k))),
    st.builds(Node, st.just("scalar"), SHORT_TEXT, MAYBE_TAG),
    st.builds(Node, st.just("alias"), ALIAS_NAMES),
)


def _collections(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    return st.one_of(
        st.builds(
            Node,
            st.just("map"),
            st.lists(st.tuples(KEY_NODES, children), max_size=5),
            MAYBE_TAG,
            MAYBE_ANCHOR,
            st.booleans(),
        ),
        st.builds(Node, st.just("seq"), st.lists(children, max_size=5), MAYBE_TAG, MAYBE_ANCHOR, st.booleans()),
    )


NODES = st.recursive(scalars(), _collections, max_leaves=25)
DOCUMENTS = st.builds(document, NODES)


# A valid campaign, randomly mutated node by node.
BASE = {
    "campaign": {
        "id": "prop",
        "name": "Prop",
        "timezone": "UTC",
        "starts": "2026-12-01",
        "ends": "2026-12-03",
        "platforms": ["sandbox"],
        "hashtags": ["#prop"],
        "countdowns": {"launch": "2026-12-02"},
        "defaults": {"catch_up_within": "1h", "quiet_hours": {"start": "22:30", "end": "08:00"}},
    },
    "posts": [
        {"id": "hello", "text": "Hello #{{ occurrence }}", "schedule": {"at": "2026-12-02 09:00"}},
        {
            "id": "tips",
            "variants": ["a {{ weekday }}", "b"],
            "schedule": {"every": "1d", "starting": "2026-12-01 09:00"},
        },
        {
            "id": "thread",
            "thread": ["one", "two {{ days_to.launch }}"],
            "schedule": {"cron": "0 13 * * 1-5"},
            "poll": {"options": ["tea", "coffee"], "duration": "1d"},
        },
    ],
}
_PLAIN_OK = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _./-]*|\d\d:\d\d|\d{4}-\d\d-\d\d \d\d:\d\d")


def _count_nodes(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_count_nodes(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_count_nodes(v) for v in value)
    return 1


CHANGES = ["anything", "plain", "alias", "props", "extra key", "missing key"]


@st.composite
def mutated_campaign(draw: st.DrawFn) -> str:
    """The valid BASE campaign with up to four of its nodes changed (shrinks towards fewer changes)."""
    targets = draw(st.dictionaries(st.integers(0, _count_nodes(BASE) - 1), st.sampled_from(CHANGES), max_size=4))
    seen = iter(range(10**6))

    def node(value: Any) -> Node:
        change = targets.get(next(seen))
        if change == "anything":
            return draw(NODES)
        if change == "plain":
            return Node("scalar", draw(st.sampled_from(PLAIN)))  # another plausible value: a validation error
        if change == "alias":
            return Node("alias", draw(ALIAS_NAMES))
        tag, anchor = (draw(MAYBE_TAG), draw(MAYBE_ANCHOR)) if change == "props" else (None, None)
        if isinstance(value, dict):
            items = [(Node("scalar", k), node(v)) for k, v in value.items()]
            if change == "extra key":
                items.append((draw(KEY_NODES), draw(NODES)))  # unknown, misspelt or duplicate
            if change == "missing key":
                del items[draw(st.integers(0, len(items) - 1))]
            return Node("map", items, tag, anchor, flow=draw(st.booleans()))
        if isinstance(value, list):
            return Node("seq", [node(v) for v in value], tag, anchor, flow=draw(st.booleans()))
        text = value if _PLAIN_OK.fullmatch(value) else json.dumps(value)
        return Node("scalar", text, tag, anchor)

    return document(node(BASE))


@st.composite
def spliced(draw: st.DrawFn) -> str:
    """A valid campaign's text with a few characters or YAML tokens put in, or taken out, anywhere."""
    text = _BASE_TEXT
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            piece = draw(
                st.sampled_from(["\t", "  ", "\n", ":", "- ", "&a ", "*a", "!!bool ", "'", '"', "{", "]", "#", "? "])
                | ODD_TEXT
            )
            text = text[:at] + piece + text[at:]
        else:
            text = text[:at] + text[at + draw(st.integers(1, 8)) :]
    return text


def _base_text() -> str:
    def node(value: Any) -> Node:
        if isinstance(value, dict):
            return Node("map", [(Node("scalar", k), node(v)) for k, v in value.items()])
        if isinstance(value, list):
            return Node("seq", [node(v) for v in value])
        return Node("scalar", value if _PLAIN_OK.fullmatch(value) else json.dumps(value))

    return document(node(BASE))


_BASE_TEXT = _base_text()
_TOKENS = ["campaign", "posts", "id", "text", "schedule", ":", " ", "  ", "\n", "- ", "[", "]", "{", "}", ",", "&a"]
_TOKENS += [
    "*a",
    "!!str",
    "!x",
    "|",
    ">",
    "'",
    '"',
    "#",
    "?",
    "%YAML 1.1\n",
    "---\n",
    "...\n",
    "\t",
    "\\ud800",
    "\ufeff",
]
TOKENS = st.lists(st.sampled_from(_TOKENS), max_size=60).map("".join)


# -- the tests --------------------------------------------------------------------------------


def test_the_base_campaign_is_valid(folder: Path) -> None:
    """The campaign the mutations start from loads cleanly, so mutations explore near-valid files."""
    file = folder / "base.yaml"
    file.write_text(_BASE_TEXT, encoding="utf-8")
    campaign, problems = load_file(file)
    assert campaign is not None and problems == [], problems


@PROPERTY
@given(raw=st.binary(max_size=2_000))
@example(raw=b"\xff\xfecampaign:")
@example(raw=b"campaign:\n  id: x\x00")
@example(raw=b"")
def test_arbitrary_bytes(folder: Path, raw: bytes) -> None:
    check(folder, raw)


@PROPERTY
@given(text=st.text(max_size=400) | TOKENS)
@example(text="- a\n- b\n")
@example(text="just a value")
@example(text="---\na: 1\n---\nb: 2\n")
@example(text="[" * 5_000)
def test_arbitrary_text(folder: Path, text: str) -> None:
    check(folder, text.encode("utf-8", "surrogatepass"))


@PROPERTY
@given(text=DOCUMENTS)
@example(text="a: !!bool maybe\n")  # a tag whose value it cannot read
@example(text="a: !!int\n")  # an empty value under a number tag
@example(text='a: !!float ""\n')
@example(text="a: &a [*a]\n")  # an alias inside what it names
@example(text="a: &a {b: 1}\nc:\n  <<: *a\n")  # a merge key
@example(text='a: "\\ud800"\n')
@example(text="? [a, b]\n: c\n")  # a key that is a list
def test_yaml_documents(folder: Path, text: str) -> None:
    check(folder, text.encode("utf-8", "surrogatepass"))


@PROPERTY
@given(text=mutated_campaign() | mutated_campaign() | spliced())
def test_mutated_campaigns(folder: Path, text: str) -> None:
    check(folder, text.encode("utf-8", "surrogatepass"))
