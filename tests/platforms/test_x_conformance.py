"""Conformance with real recorded X API v2 traffic: the adapter parses it, and the stand-in answers in the same shape."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from pydantic import SecretStr
from requests_oauthlib import OAuth1

from socialbot.domain.values import Draft, InteractionKind, Target
from socialbot.platforms.credentials import XCredentials
from socialbot.platforms.x import XPlatform, check_account
from tests.fakes.x_api import Clock, XApiStandIn

REAL = Path(__file__).resolve().parents[2] / ".." / "shared" / "fixtures" / "real-api" / "x"
pytestmark = pytest.mark.skipif(
    not REAL.is_dir(), reason=f"real recorded X traffic not found at {REAL} (a bare clone has no ../shared)"
)
CREDS = XCredentials(*(["default"] + [SecretStr(f"replay-{k}") for k in range(4)] + [None]))


def _exchanges(name: str) -> list[dict]:
    return json.loads((REAL / name).read_text())


def _pages(name: str) -> list[dict]:
    pages = [json.loads(line) for line in (REAL / name).read_text().splitlines() if line.strip()]
    for page in pages:
        page.pop("__twarc", None)
    return pages


class Replay:
    """Serves recorded bodies by (method, path) so the real tweepy client reads exactly what X once sent."""

    def __init__(self, routes: dict[tuple[str, str], tuple[int, dict, dict]]) -> None:
        self.routes = routes
        self.seen: list[str] = []
        self.queries: list[tuple[str, dict[str, str]]] = []  # (path, query parameters) of each request
        replay = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                path, query = urlsplit(self.path).path, urlsplit(self.path).query
                replay.seen.append(f"{self.command} {path}")
                replay.queries.append((path, {k: v[-1] for k, v in parse_qs(query).items()}))
                status, headers, body = replay.routes.get((self.command, path), (404, {}, {"title": "Not Found"}))
                if "next_token=" in query or "pagination_token=" in query:  # the recording has one page only
                    status, body = 200, {"meta": {"result_count": 0}}
                raw = json.dumps(body).encode()
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower().startswith("x-rate-limit"):
                        self.send_header(key, value)
                self.send_header("content-type", "application/json; charset=utf-8")
                self.send_header("content-length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_DELETE = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True).start()
        host, port = self.server.server_address[:2]
        self.base_url = f"http://{host}:{port}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _route(exchange: dict) -> tuple[tuple[str, str], tuple[int, dict, dict]]:
    return (exchange["method"], urlsplit(exchange["uri"]).path), (
        exchange["status"],
        exchange["headers"],
        exchange["body"],
    )


@pytest.fixture
def replay():
    servers = []

    def start(routes):
        server = Replay(dict(routes))
        servers.append(server)
        return server, XPlatform(credentials=CREDS, api_url=server.base_url, upload_url=server.base_url, timeout=5)

    yield start
    for server in servers:
        server.stop()


NOW = datetime(2022, 10, 8, tzinfo=UTC)


def test_adapter_reads_recorded_me_and_publish(replay):
    me = _exchanges("test_client_get_me.json")[0]
    create, delete = _exchanges("test_client_create_and_delete_tweet.json")
    server, platform = replay([_route(me), _route(create), _route(delete)])
    published = platform.publish(Draft(text="Test Tweet"))
    assert published.remote_id == create["body"]["data"]["id"]
    reset = int(create["headers"]["x-rate-limit-reset"])  # the window the call fell in: created_at is in it
    assert 0 <= reset - published.created_at.timestamp() <= 900
    platform.delete(published.remote_id)
    check = check_account(CREDS, api_url=server.base_url)
    assert (check.ok, check.username, check.user_id) == (True, "TweepyDev", "1072250532645998596")


def test_adapter_reads_recorded_mentions_and_search(replay):
    me = _exchanges("test_client_get_me.json")[0]
    mentions = _exchanges("test_client_get_users_mentions.json")[0]
    search = _exchanges("test_client_search_recent_tweets.json")[0]
    routes = [_route(me), _route(search)]
    routes.append((("GET", "/2/users/1072250532645998596/mentions"), _route(mentions)[1]))
    _, platform = replay(routes)
    batch = platform.fetch_interactions([], cursors={}, keywords=["tweepy"], now=NOW)
    by_kind = {}
    for i in batch.interactions:
        by_kind.setdefault(i.kind, []).append(i)
    assert [(i.remote_id, i.text) for i in by_kind[InteractionKind.MENTION]] == [
        (t["id"], t["text"]) for t in mentions["body"]["data"]
    ]
    assert [i.remote_id for i in by_kind[InteractionKind.HASHTAG]] == [t["id"] for t in search["body"]["data"]]
    assert batch.cursors["mentions"] == mentions["body"]["meta"]["newest_id"]
    assert batch.cursors["search:tweepy"] == search["body"]["meta"]["newest_id"]
    first = by_kind[InteractionKind.MENTION][0]
    assert first.created_at.year == 2022  # no created_at requested in the recording: read from the snowflake


def test_adapter_reads_recorded_likers_and_reposters(replay):
    me = _exchanges("test_client_get_me.json")[0]
    tweet = _exchanges("test_client_get_tweet.json")[0]
    likers = _exchanges("test_client_get_liking_users.json")[0]
    reposters = _exchanges("test_client_get_retweeters.json")[0]
    target_id = tweet["body"]["data"]["id"]
    empty = (200, {}, {"meta": {"result_count": 0}})
    routes = [
        _route(me),
        (("GET", "/2/tweets"), (200, tweet["headers"], {"data": [tweet["body"]["data"]]})),
        _route(likers),
        (("GET", f"/2/tweets/{target_id}/retweeted_by"), _route(reposters)[1]),
        (("GET", f"/2/tweets/{target_id}/quote_tweets"), empty),
        (("GET", "/2/tweets/search/recent"), empty),
        (("GET", "/2/users/1072250532645998596/mentions"), empty),
    ]
    _, platform = replay(routes)
    target = Target(remote_id=target_id, published_at=datetime(2020, 8, 12, tzinfo=UTC))
    batch = platform.fetch_interactions([target], cursors={}, now=NOW)
    likes = [i for i in batch.interactions if i.kind is InteractionKind.LIKE]
    reposts = [i for i in batch.interactions if i.kind is InteractionKind.REPOST]
    assert [i.author_id for i in likes] == [u["id"] for u in likers["body"]["data"]]
    assert [i.author_id for i in reposts] == [u["id"] for u in reposters["body"]["data"]]
    usernames = {a.remote_id: a.username for a in batch.authors}
    assert all(usernames[u["id"]] == u["username"] for u in likers["body"]["data"])
    assert any("7-day" in note for note in batch.notes)  # the target is from 2020


def test_adapter_reads_recorded_metrics_and_profiles(replay):
    (page,) = _pages("verified_type.jsonl")
    routes = [
        (("GET", "/2/tweets"), (200, {}, page)),
        (("GET", "/2/users"), (200, {}, {"data": page["includes"]["users"]})),
    ]
    _, platform = replay(routes)
    tweet = page["data"][0]
    (metrics,) = platform.fetch_metrics([tweet["id"]], now=NOW)
    counts = tweet["public_metrics"]
    assert (metrics.likes, metrics.replies, metrics.reposts, metrics.quotes, metrics.impressions) == (
        counts["like_count"],
        counts["reply_count"],
        counts["retweet_count"],
        counts["quote_count"],
        counts["impression_count"],
    )
    users = page["includes"]["users"]
    profiles = platform.fetch_profiles([u["id"] for u in users], now=NOW)
    for user, profile in zip(users, profiles, strict=True):
        assert profile.username == user["username"] and profile.verified == user["verified"]
        assert profile.verified_type == user["verified_type"] == "business"
        assert profile.followers == user["public_metrics"]["followers_count"]
        assert profile.created_at == datetime.fromisoformat(user["created_at"].replace("Z", "+00:00"))


# No recording here holds a users lookup with ``errors``; these entries are the documented shape of X's answer
# to GET /2/users?ids= for a deleted/unknown and for a suspended account (partial errors beside ``data``).
GONE_ERRORS = [
    {
        "value": "123",
        "detail": "Could not find user with ids: [123].",
        "title": "Not Found Error",
        "resource_type": "user",
        "parameter": "ids",
        "resource_id": "123",
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    },
    {
        "value": "481186914",
        "detail": "User has been suspended: [481186914].",
        "title": "Forbidden",
        "resource_type": "user",
        "parameter": "ids",
        "resource_id": "481186914",
        "type": "https://api.twitter.com/2/problems/resource-not-found",
    },
]


def test_adapter_reads_recorded_users_with_partial_errors_as_gone_accounts(replay):
    (page,) = _pages("verified_type.jsonl")
    users = page["includes"]["users"]
    _, platform = replay([(("GET", "/2/users"), (200, {}, {"data": users, "errors": GONE_ERRORS}))])
    ids = [u["id"] for u in users] + ["123", "481186914"]
    profiles = {p.remote_id: p for p in platform.fetch_profiles(ids, now=NOW)}
    assert set(profiles) == set(ids)
    assert all(not profiles[u["id"]].suspended for u in users)
    assert (profiles["123"].suspended, profiles["123"].gone_reason) == (True, "not_found")
    assert (profiles["481186914"].suspended, profiles["481186914"].gone_reason) == (True, "suspended")


def test_adapter_does_not_take_a_recorded_retweet_listed_as_a_quote_for_a_quote(replay):
    """X's quote_tweets lists retweets of quotes; served the real retweet payload there, the adapter skips it."""
    (page,) = _pages("two_tweets.jsonl")
    (rt,) = page["data"]
    assert rt["text"].startswith("RT @") and rt["referenced_tweets"][0]["type"] == "retweeted"
    me = _exchanges("test_client_get_me.json")[0]
    target_id = "1391000000000000000"  # ours; the recorded retweet references another post (here: a quote of ours)
    counters = {"id": target_id, "public_metrics": {"like_count": 0, "retweet_count": 0, "quote_count": 1}}
    empty = (200, {}, {"meta": {"result_count": 0}})
    routes = [
        _route(me),
        (("GET", "/2/tweets"), (200, {}, {"data": [counters]})),
        (("GET", f"/2/tweets/{target_id}/quote_tweets"), (200, {}, page)),
        (("GET", "/2/tweets/search/recent"), empty),
        (("GET", "/2/users/1072250532645998596/mentions"), empty),
    ]
    server, platform = replay(routes)
    target = Target(remote_id=target_id, published_at=datetime(2021, 5, 10, tzinfo=UTC))
    batch = platform.fetch_interactions([target], cursors={}, now=datetime(2021, 5, 19, tzinfo=UTC))
    assert batch.interactions == ()
    asked = [q for path, q in server.queries if path.endswith("/quote_tweets")]
    assert asked and all(q["exclude"] == "retweets" for q in asked)


def test_adapter_reads_recorded_hashtag_page_with_authors(replay):
    (page,) = _pages("two_tweets.jsonl")
    me = _exchanges("test_client_get_me.json")[0]
    empty = (200, {}, {"meta": {"result_count": 0}})
    routes = [
        _route(me),
        (("GET", "/2/tweets/search/recent"), (200, {}, page)),
        (("GET", "/2/users/1072250532645998596/mentions"), empty),
    ]
    _, platform = replay(routes)
    batch = platform.fetch_interactions([], cursors={}, keywords=["#POIUYTREWQ"], now=NOW)
    (post,) = batch.interactions
    tweet = page["data"][0]
    assert (post.remote_id, post.author_id, post.kind) == (tweet["id"], tweet["author_id"], InteractionKind.HASHTAG)
    assert post.created_at == datetime(2021, 5, 18, 19, 24, 56, tzinfo=UTC)
    author = next(a for a in batch.authors if a.remote_id == tweet["author_id"])
    assert (author.username, author.followers, author.protected) == ("LachiVeronica", 0, False)


# -- (b) the stand-in answers the same requests with (at least) the real keys and value types --------


def _merge(items: list) -> object:
    dicts = [i for i in items if isinstance(i, dict)]
    if not dicts:
        return items[0] if items else None
    merged: dict = {}
    for item in dicts:
        for key, value in item.items():
            if key in merged and isinstance(value, list) and isinstance(merged[key], list):
                merged[key] = merged[key] + value
            elif key in merged and isinstance(value, dict) and isinstance(merged[key], dict):
                merged[key] = _merge([merged[key], value])
            else:
                merged.setdefault(key, value)
    return merged


def assert_same_shape(real: object, ours: object, path: str = "$") -> None:
    """Every key of ``real`` exists in ``ours`` with a value of the same type, recursively."""
    if isinstance(real, dict):
        assert isinstance(ours, dict), f"{path}: expected an object, got {type(ours).__name__}"
        for key, value in real.items():
            assert key in ours, f"{path}.{key} is missing from the stand-in's answer"
            assert_same_shape(value, ours[key], f"{path}.{key}")
    elif isinstance(real, list):
        assert isinstance(ours, list), f"{path}: expected a list, got {type(ours).__name__}"
        if real:
            assert ours, f"{path}: the stand-in's list is empty, cannot compare element shapes"
            for element in real:
                assert_same_shape(element, _merge(ours), f"{path}[]")
    else:
        assert type(ours) is type(real), f"{path}: {type(real).__name__} expected, got {type(ours).__name__}"


@pytest.fixture
def world():
    with XApiStandIn(clock=Clock()) as x:
        fan = x.add_user("fan_one")
        x.add_user("Twitter", verified=True)
        post = x.post(x.account_id, "It is finally here! Say hello to the new #TwitterAPI https://t.co/x")
        for n in range(5):
            x.like(post, x.add_user(f"liker{n}"))
            x.repost(post, x.add_user(f"reposter{n}"))
        for n in range(15):
            x.mention(fan, f"hello number {n}")
            x.post(fan, f"{n} tweepy")
        yield x, post


def _ask(x: XApiStandIn, method: str, uri: str, body: object = None) -> dict:
    parts = urlsplit(uri)
    auth = OAuth1(x.api_key, x.api_secret, x.access_token, x.access_token_secret)
    response = requests.request(
        method, x.base_url + parts.path, params=parse_qs(parts.query), json=body, auth=auth, timeout=5
    )
    assert {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(response.headers)
    return response.json()


RECORDED = sorted(p.name for p in REAL.glob("test_client_*.json")) if REAL.is_dir() else []


@pytest.mark.parametrize("name", RECORDED)
def test_stand_in_answers_in_the_real_shape(world, name):
    x, post = world
    ids = {"1293593516040269825": post, "1415348607813832708": post, "783214": x.account_id}
    created = None
    for exchange in _exchanges(name):
        uri = exchange["uri"]
        for real_id, ours in ids.items():
            uri = uri.replace(real_id, ours)
        if created:
            uri = uri.replace(created[0], created[1])
        answer = _ask(x, exchange["method"], uri, exchange["request_body"])
        assert_same_shape(exchange["body"], answer)
        if exchange["method"] == "POST":
            created = (exchange["body"]["data"]["id"], answer["data"]["id"])


@pytest.mark.parametrize("name", ["two_tweets.jsonl", "verified_type.jsonl"])
def test_stand_in_pages_have_the_real_shape(world, name):
    x, _post = world
    (page,) = _pages(name)
    source = json.loads((REAL / name).read_text().splitlines()[0])["__twarc"]["url"]
    parts = urlsplit(source)
    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    author = x.add_user("DevTeam", verified=True, description="The voice of #DevTeam", url="https://dev.example")
    original = x.post(author, "#POIUYTREWQ Meet Twitter Developers")
    retweet = x.post(x.add_user("retweeter"), "RT @DevTeam: #POIUYTREWQ Meet", retweet_of=original)
    if "ids" in query:
        query["ids"] = original
    else:
        query["start_time"] = "2021-05-12T00:00:00Z"
    answer = _ask(x, "GET", parts.path + "?" + urlencode(query))
    assert retweet in {t["id"] for t in answer["data"]} or "ids" in query
    assert_same_shape(page, answer)


def test_stand_in_users_lookup_has_the_real_user_shape_and_the_documented_partial_errors(world):
    """verified_type and every other recorded user key come back as X sends them; gone ids come back in ``errors``."""
    x, _post = world
    (page,) = _pages("verified_type.jsonl")
    (real_user,) = page["includes"]["users"]
    source = json.loads((REAL / "verified_type.jsonl").read_text().splitlines()[0])["__twarc"]["url"]
    user_fields = parse_qs(urlsplit(source).query)["user.fields"][0]
    assert "verified_type" in user_fields.split(",")
    verified = x.add_user(
        "DevTeam", verified=True, verified_type="business", description="#DevTeam", url="https://d.example"
    )
    banned = x.add_user("banned_one")
    x.suspend(banned)
    answer = _ask(x, "GET", "/2/users?" + urlencode({"ids": f"{verified},{banned},123", "user.fields": user_fields}))
    (ours,) = answer["data"]
    assert_same_shape(real_user, ours)
    assert (ours["verified"], ours["verified_type"]) == (real_user["verified"], real_user["verified_type"])
    assert len(answer["errors"]) == 2
    documented = {e["title"]: e for e in GONE_ERRORS}
    for error in answer["errors"]:
        assert set(error) == set(documented[error["title"]])
        assert_same_shape(documented[error["title"]], error)
        expected = documented[error["title"]]["detail"].replace(
            documented[error["title"]]["resource_id"], error["value"]
        )
        assert error["detail"] == expected and error["resource_id"] == error["value"]
    assert {e["value"] for e in answer["errors"]} == {banned, "123"}
