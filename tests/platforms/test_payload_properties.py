"""Property tests of the pure payload parsers of the X and Reddit adapters.

The property, for every parser in ``socialbot.platforms.x.payloads`` and ``socialbot.platforms.reddit.payloads``
given any JSON-shaped value (and shapes close to real ones: recorded X and Reddit answers, mutated):

* it returns a value of the type it declares, with fields of their declared types (counts are ``int`` or None,
  never a bool or a string; times are timezone-aware ``datetime`` or None; ids are non-empty strings), or
* it raises a ``PlatformError`` (what the adapters translate an unreadable answer into),

and never any other exception. The recorded answers are read at test time from ``../shared/fixtures/real-api``
(never copied here); without them the tests still run on generated values only.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from socialbot.domain.values import AuthorProfile, Interaction, InteractionKind, Metrics, PollResult
from socialbot.errors import PlatformError
from socialbot.platforms.reddit import payloads as reddit
from socialbot.platforms.x import payloads as x

REAL = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "real-api"
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
# No example database (no .hypothesis/ folder in the work tree); the autouse network guard is function-scoped
# but holds no per-example state, so sharing it across examples is fine.
PROPERTY = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- real shapes ------------------------------------------------------------------------------


def _dicts(value: Any) -> list[dict]:
    """Every mapping anywhere inside ``value`` (depth first)."""
    found: list[dict] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def _x_bodies() -> list[Any]:
    bodies: list[Any] = []
    folder = REAL / "x"
    if not folder.is_dir():
        return bodies
    for path in sorted(folder.glob("*.json")):
        bodies += [e.get("body") for e in json.loads(path.read_text(encoding="utf-8")) if isinstance(e, dict)]
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                page = json.loads(line)
                page.pop("__twarc", None)
                bodies.append(page)
    return bodies


def _reddit_bodies() -> list[Any]:
    bodies: list[Any] = []
    folder = REAL / "reddit"
    if not folder.is_dir():
        return bodies
    for path in sorted(folder.glob("*.json")):
        for interaction in json.loads(path.read_text(encoding="utf-8")).get("interactions") or ():
            text = ((interaction.get("response") or {}).get("body") or {}).get("string")
            try:
                bodies.append(json.loads(text))
            except (TypeError, ValueError):
                continue  # an empty or non-JSON body (a redirect, a 204)
    return bodies


_X_DICTS = [d for body in _x_bodies() for d in _dicts(body)]
X_TWEETS = [d for d in _X_DICTS if "id" in d and "text" in d] or [
    {"id": "1394735776701816833", "text": "hello", "created_at": "2021-05-18T19:24:56.000Z", "author_id": "12"}
]
X_USERS = [d for d in _X_DICTS if "id" in d and "username" in d] or [{"id": "12", "username": "someone"}]
# The recordings hold no poll: this is the documented shape of a GET /2/tweets poll expansion.
X_POLLS = [
    {
        "id": "1199786642468413448",
        "voting_status": "closed",
        "duration_minutes": 1440,
        "end_datetime": "2019-11-28T20:26:41.000Z",
        "options": [{"position": 1, "label": "yes", "votes": 3}, {"position": 2, "label": "no", "votes": 1}],
    }
]
_REDDIT_DICTS = [d for body in _reddit_bodies() for d in _dicts(body)]
REDDIT_THINGS = [d["data"] for d in _REDDIT_DICTS if d.get("kind") in ("t1", "t3") and isinstance(d.get("data"), dict)]
REDDIT_THINGS += [d for d in _REDDIT_DICTS if "name" in d and "created_utc" in d and d not in REDDIT_THINGS]
REDDIT_THINGS = REDDIT_THINGS or [{"name": "t3_abc", "id": "abc", "author": "someone", "created_utc": 1588137715.0}]
REDDIT_POLLS = [d["poll_data"] for d in _REDDIT_DICTS if isinstance(d.get("poll_data"), dict)] or [
    {"options": [{"text": "Yes", "vote_count": 0, "id": "1"}], "voting_end_timestamp": 1588656115460}
]

# -- strategies -------------------------------------------------------------------------------

KEYS = st.sampled_from(
    [
        "id",
        "text",
        "created_at",
        "author_id",
        "conversation_id",
        "referenced_tweets",
        "type",
        "public_metrics",
        "like_count",
        "followers_count",
        "attachments",
        "poll_ids",
        "options",
        "position",
        "votes",
        "label",
        "end_datetime",
        "voting_status",
        "username",
        "verified",
        "protected",
        "name",
        "author",
        "created_utc",
        "vote_count",
        "voting_end_timestamp",
        "total_vote_count",
        "replied_to",
        "",
    ]
) | st.text(max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # nan and ±inf included
    | st.text(max_size=20)
    | st.sampled_from(
        [
            "",
            "0",
            "²",
            "١٢٣",
            "12345678901234567890123456789",
            "1394735776701816833",
            "2021-05-18T19:24:56.000Z",
            "2021-05-18",
            "2021-05-18T19:24:56",
            "9999-12-31T23:59:59Z",
            "not a time",
            "open",
            "closed",
            "replied_to",
            "quoted",
            "[deleted]",
            "t3_abc",
            "t1_zz",
            "abc_",
            "1e400",
            "nan",
        ]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=12,
)


def _paths(value: Any, path: tuple = ()) -> list[tuple]:
    out = [path]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*path, i))
    return out


@st.composite
def mutated(draw: st.DrawFn, seeds: list[Any]) -> Any:
    """A real answer with up to four changes: a value replaced, a key dropped, a key added."""
    value = copy.deepcopy(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 4))):
        path = draw(st.sampled_from(_paths(value)))
        if not path:
            value = draw(JSON) if draw(st.booleans()) else value
            continue
        parent = value
        for part in path[:-1]:
            parent = parent[part]
        op = draw(st.sampled_from(["replace", "drop", "add"]))
        if op == "replace":
            parent[path[-1]] = draw(JSON)
        elif op == "drop":
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[draw(KEYS)] = draw(JSON)
        else:
            parent.append(draw(JSON))
    return value


def shapes(seeds: list[Any]) -> st.SearchStrategy[Any]:
    return mutated(seeds) | JSON | st.dictionaries(KEYS, JSON, max_size=6)


# -- checks of the declared types -------------------------------------------------------------


def parsed(fn, *args, **kwargs) -> Any:
    """``fn``'s value, or None where it raised a PlatformError; any other exception fails the test."""
    try:
        return fn(*args, **kwargs)
    except PlatformError as exc:
        assert str(exc), "a PlatformError says what was wrong"
        return None


def is_count(value: Any) -> bool:
    return value is None or (isinstance(value, int) and not isinstance(value, bool))


def is_time(value: Any) -> bool:
    return value is None or (isinstance(value, datetime) and value.utcoffset() is not None)


def is_id(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def check_poll(poll: Any) -> None:
    assert isinstance(poll, PollResult)
    assert isinstance(poll.options, tuple)
    for option in poll.options:
        assert isinstance(option.label, str)
        assert is_count(option.votes) and option.votes is not None
    assert is_count(poll.total_votes) and poll.total_votes is not None
    assert is_time(poll.closes_at)
    assert isinstance(poll.open, bool)


def check_interaction(found: Any) -> None:
    assert isinstance(found, Interaction)
    assert is_id(found.remote_id)
    assert isinstance(found.author_id, str)
    assert is_time(found.created_at) and found.created_at is not None
    assert found.text is None or isinstance(found.text, str)
    assert isinstance(found.raw, dict)


def check_profile(profile: Any) -> None:
    assert isinstance(profile, AuthorProfile)
    assert is_id(profile.remote_id)
    assert isinstance(profile.username, str)
    assert is_time(profile.created_at)
    assert is_count(profile.followers) and is_count(profile.following)
    assert profile.verified is None or isinstance(profile.verified, bool)
    assert profile.protected is None or isinstance(profile.protected, bool)


# -- X ----------------------------------------------------------------------------------------

OPTIONAL_ID = st.none() | st.text(max_size=25) | st.sampled_from(["1394735776701816833", "9" * 40, "²", "١٢٣"])


@PROPERTY
@given(value=JSON | st.sampled_from([t.get("created_at") for t in X_TWEETS]), fallback_id=OPTIONAL_ID)
@example(value="2021-05-18", fallback_id=None)  # a date without a zone
@example(value="not a time", fallback_id=None)
@example(value=None, fallback_id="9" * 40)  # a snowflake far past year 9999
@example(value=None, fallback_id="²")  # isdigit() but not a number
def test_x_parse_time_is_an_aware_datetime_or_none(value, fallback_id):
    assert is_time(parsed(x.parse_time, value, fallback_id=fallback_id))


@PROPERTY
@given(tweet=JSON | st.fixed_dictionaries({"id": JSON}) | st.sampled_from(X_TWEETS))
@example(tweet={"id": "²"})
@example(tweet={"id": "12abc"})
@example(tweet={"id": 1394735776701816833})
def test_x_post_id_is_a_digit_string_or_a_platform_error(tweet):
    value = parsed(x.post_id, tweet)
    assert value is None or (value.isascii() and value.isdigit() and int(value) >= 0)


@PROPERTY
@given(page=JSON | st.fixed_dictionaries({"data": JSON}))
@example(page={"data": ["a string, not a post"]})
@example(page={"data": {"id": "1"}})
def test_x_posts_of_is_a_list_of_objects_or_a_platform_error(page):
    value = parsed(x.posts_of, page)
    assert value is None or (isinstance(value, list) and all(isinstance(t, dict) for t in value))


@PROPERTY
@given(remote_id=st.text(max_size=30) | st.sampled_from(["1394735776701816833", "9" * 40, "²", "-5", ""]))
def test_x_snowflake_time_is_a_datetime_or_a_platform_error(remote_id):
    assert is_time(parsed(x.snowflake_time, remote_id))


@PROPERTY
@given(user=shapes(X_USERS))
@example(user={"id": "1", "public_metrics": [1, 2]})
@example(user={"id": "1", "public_metrics": {"followers_count": "12"}, "verified": "yes"})
@example(user={"username": "no id"})
@example(user=["not", "a", "user"])
def test_x_parse_profile(user):
    profile = parsed(x.parse_profile, user, taken_at=NOW)
    if profile is not None:
        check_profile(profile)


@PROPERTY
@given(tweet=shapes(X_TWEETS), kind=st.sampled_from(["replied_to", "quoted", "retweeted"]))
@example(tweet={"referenced_tweets": 5}, kind="replied_to")
@example(tweet={"referenced_tweets": [{"type": "replied_to"}]}, kind="replied_to")  # no id
@example(tweet="a string", kind="quoted")
def test_x_referenced_is_an_id_or_none(tweet, kind):
    ref = parsed(x.referenced, tweet, kind)
    assert ref is None or is_id(ref)


@PROPERTY
@given(
    tweet=shapes(X_TWEETS),
    kind=st.sampled_from(list(InteractionKind)),
    target_id=st.none() | st.just("1"),
    parent_id=st.none() | st.just("2"),
)
@example(tweet={"text": "no id"}, kind=InteractionKind.REPLY, target_id=None, parent_id=None)
@example(
    tweet={"id": "3", "created_at": "garbage", "text": 5}, kind=InteractionKind.MENTION, target_id=None, parent_id=None
)
@example(tweet={"id": {"a": 1}}, kind=InteractionKind.QUOTE, target_id="1", parent_id="1")
@example(tweet=None, kind=InteractionKind.HASHTAG, target_id=None, parent_id=None)
def test_x_parse_interaction(tweet, kind, target_id, parent_id):
    found = parsed(x.parse_interaction, tweet, kind, target_id=target_id, parent_id=parent_id)
    if found is not None:
        check_interaction(found)


@PROPERTY
@given(user=shapes(X_USERS), kind=st.sampled_from([InteractionKind.LIKE, InteractionKind.REPOST]))
@example(user={"username": "no id"}, kind=InteractionKind.LIKE)
@example(user=7, kind=InteractionKind.REPOST)
def test_x_user_reaction(user, kind):
    found = parsed(x.user_reaction, kind, tweet_id="1", user=user, now=NOW)
    if found is not None:
        check_interaction(found)
        assert found.created_at == NOW


@PROPERTY
@given(poll=shapes(X_POLLS))
@example(poll={"options": [{"position": "a", "votes": 1}, {"position": 2, "votes": "many"}]})
@example(poll={"options": ["yes", "no"]})
@example(poll={"options": [{"votes": float("inf")}], "end_datetime": "2021-05-18"})
def test_x_parse_poll(poll):
    result = parsed(x.parse_poll, poll, now=NOW)
    if result is not None:
        check_poll(result)


@PROPERTY
@given(
    tweet=shapes([{**t, "attachments": {"poll_ids": [p["id"] for p in X_POLLS]}} for t in X_TWEETS[:3]] + X_TWEETS),
    polls=st.dictionaries(
        st.sampled_from([p["id"] for p in X_POLLS]) | st.text(max_size=5), shapes(X_POLLS), max_size=2
    ),
)
@example(tweet={"id": "1", "public_metrics": "none", "attachments": []}, polls={})
@example(tweet={"id": "1", "attachments": {"poll_ids": 5}}, polls={})
@example(tweet={"id": "1", "attachments": {"poll_ids": [["unhashable"]]}}, polls={})
@example(tweet={"id": "1", "attachments": {"poll_ids": ["p"]}}, polls={"p": "not a poll"})
@example(tweet={"id": "1", "public_metrics": {"like_count": True, "reply_count": "3"}}, polls={})
def test_x_parse_metrics(tweet, polls):
    metrics = parsed(x.parse_metrics, tweet, polls=polls, now=NOW)
    if metrics is not None:
        assert isinstance(metrics, Metrics)
        assert is_id(metrics.remote_id)
        for name in ("likes", "replies", "reposts", "quotes", "bookmarks", "impressions"):
            assert is_count(getattr(metrics, name)), name
        if metrics.poll is not None:
            check_poll(metrics.poll)


@PROPERTY
@given(users=JSON | st.lists(shapes(X_USERS), max_size=4), newest=JSON | OPTIONAL_ID, current=OPTIONAL_ID)
@example(users=5, newest="²", current=None)
@example(users=[], newest="12", current="²")
def test_x_collected_users_and_cursors(users, newest, current):
    found = x.Collected(now=NOW, cursors={}, interactions={}, authors={}, notes=[])
    if current is not None:
        found.cursors["k"] = current
    parsed(found.users, users)
    parsed(found.advance, "k", newest)
    for profile in found.authors.values():
        check_profile(profile)
    if found.cursors.get("k") != current:  # advanced: to a number newer than before
        assert found.cursors["k"].isascii() and found.cursors["k"].isdigit()


@PROPERTY
@given(method=st.text(max_size=8), path=st.text(max_size=40), terms=st.lists(st.text(max_size=30), max_size=12))
def test_x_endpoint_names_and_or_queries(method, path, terms):
    assert isinstance(x.endpoint_name(method, path), str)
    assert x.call_kind(x.endpoint_name(method, path)) in set(x.CallKind)
    groups = list(x.or_queries(terms, limit=64))
    assert [t for g in groups for t in g] == terms
    for group in groups:
        assert len(group) == 1 or len(" OR ".join(group)) <= 64


# -- Reddit -----------------------------------------------------------------------------------


@PROPERTY
@given(thing=shapes(REDDIT_THINGS), as_object=st.booleans())
@example(thing=[1, 2], as_object=False)
@example(thing="t3_abc", as_object=False)
@example(thing={"author": None}, as_object=True)
def test_reddit_data_of_and_author_of(thing, as_object):
    if as_object and isinstance(thing, dict) and all(isinstance(k, str) and k.isidentifier() for k in thing):
        thing = SimpleNamespace(**thing)  # what praw hands over: an object whose attributes are the data
    data = parsed(reddit.data_of, thing)
    assert data is None or isinstance(data, dict)
    author = parsed(reddit.author_of, thing)
    assert author is None or (is_id(author) and author != "[deleted]")


@PROPERTY
@given(epoch=JSON | st.sampled_from([t.get("created_utc") for t in REDDIT_THINGS]))
@example(epoch=float("nan"))
@example(epoch=1e300)
@example(epoch="soon")
@example(epoch=[1])
def test_reddit_from_epoch_is_an_aware_datetime_or_none(epoch):
    assert is_time(parsed(reddit.from_epoch, epoch))


@PROPERTY
@given(value=JSON | st.sampled_from([t.get(k) for t in REDDIT_THINGS for k in ("id", "name", "parent_id")]))
@example(value="t3_")
@example(value="t1_not-base36")
@example(value=None)
def test_reddit_id36_is_a_number_or_a_platform_error(value):
    number = parsed(reddit.id36, value)
    assert number is None or is_count(number)


@PROPERTY
@given(remote_id=st.text(max_size=20) | st.sampled_from(["t3_abc", "t1_zz", "abc", "t5_x", ""]))
def test_reddit_to_fullname_is_a_string(remote_id):
    name = reddit.to_fullname(remote_id)
    assert isinstance(name, str)
    assert name == remote_id or name == f"t3_{remote_id}"


@PROPERTY
@given(poll=st.none() | shapes(REDDIT_POLLS), as_object=st.booleans())
@example(poll={"options": [{"text": "a", "vote_count": "x"}]}, as_object=False)
@example(poll={"options": ["a", 1]}, as_object=False)
@example(poll={"voting_end_timestamp": "tomorrow"}, as_object=False)
@example(poll={"voting_end_timestamp": 1e300, "total_vote_count": "many"}, as_object=False)
@example(poll=[1], as_object=False)
def test_reddit_poll_result(poll, as_object):
    if as_object and isinstance(poll, dict) and all(isinstance(k, str) and k.isidentifier() for k in poll):
        poll = SimpleNamespace(**poll)
    result = parsed(reddit.poll_result, poll, now=NOW)
    if result is not None:
        check_poll(result)
