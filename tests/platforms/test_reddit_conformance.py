"""Real recorded Reddit traffic: the adapter parses it, and the stand-in answers with (at least) the same shape."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from socialbot.domain.values import Draft, PollDraft
from socialbot.errors import RateLimited
from tests.fakes.reddit_api import RedditApiStandIn, platform_for

FIXTURES = Path(__file__).resolve().parents[2].parent / "shared" / "fixtures" / "real-api" / "reddit"
pytestmark = pytest.mark.skipif(not FIXTURES.is_dir(), reason=f"real recorded Reddit traffic not found at {FIXTURES}")
NOW = datetime.now(UTC)


def _exchanges(name: str) -> list[tuple[str, str, int, dict, str]]:
    out = []
    for it in json.loads((FIXTURES / name).read_text())["interactions"]:
        req, res = it["request"], it["response"]
        headers = {k.lower(): v[0] for k, v in res["headers"].items()}
        out.append(
            (
                req["method"],
                urlsplit(req["uri"]).path.rstrip("/"),
                res["status"]["code"],
                headers,
                res["body"]["string"],
            )
        )
    return out


class _Replay:
    """Serves recorded answers by (method, path), in recorded order; unknown requests get 404."""

    def __init__(self, exchanges):
        answers = {}
        for method, path, status, headers, body in exchanges:
            answers.setdefault((method, path), []).append((status, headers, body.encode()))

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                return

            def _serve(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                queue = answers.get((self.command, urlsplit(self.path).path.rstrip("/")), [])
                status, headers, body = queue.pop(0) if len(queue) > 1 else (queue or [(404, {}, b"{}")])[0]
                self.send_response(status)
                for key in (
                    "content-type",
                    "retry-after",
                    "x-ratelimit-used",
                    "x-ratelimit-remaining",
                    "x-ratelimit-reset",
                ):
                    if key in headers:
                        self.send_header(key, headers[key])
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _serve

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def replay(request):
    server = _Replay(_exchanges(request.param))
    standin = RedditApiStandIn()  # only for credentials; the platform talks to the replay server
    standin.base_url, real_url = server.base_url, standin.base_url
    yield platform_for(standin)
    standin.base_url = real_url
    standin.stop()
    server.stop()


def _body(name: str, index: int):
    return json.loads(_exchanges(name)[index][4])


@pytest.mark.parametrize("replay", ["TestSubreddit.test_submit__selftext.json"], indirect=True)
def test_self_post_id(replay):
    published = replay.publish(Draft(text="Test text.", title="Test Title", subreddit="x"))
    assert published.remote_id == _body("TestSubreddit.test_submit__selftext.json", 1)["json"]["data"]["name"]


@pytest.mark.parametrize("replay", ["TestSubreddit.test_submit__url.json"], indirect=True)
def test_link_post_id(replay):
    published = replay.publish(Draft(text="", title="Test Title", subreddit="x", url="https://praw.readthedocs.org/"))
    assert published.remote_id == _body("TestSubreddit.test_submit__url.json", 1)["json"]["data"]["name"]


@pytest.mark.parametrize("replay", ["TestSubreddit.test_submit_poll.json"], indirect=True)
def test_poll_post_fullname(replay):
    published = replay.publish(Draft(text="t", title="Test Poll", subreddit="x", poll=PollDraft(("Yes", "No"), 1440)))
    assert published.remote_id == _body("TestSubreddit.test_submit_poll.json", 1)["json"]["data"]["id"]


@pytest.mark.parametrize("replay", ["TestComment.test_reply.json"], indirect=True)
def test_comment_reply(replay):
    recorded = _body("TestComment.test_reply.json", 1)["json"]["data"]["things"][0]["data"]
    published = replay.publish(Draft(text="Comment reply", reply_to=recorded["parent_id"]))
    assert published.remote_id == recorded["name"]
    assert published.created_at == datetime.fromtimestamp(recorded["created_utc"], UTC)


@pytest.mark.parametrize("replay", ["TestUser.test_me.json"], indirect=True)
def test_me(replay):
    replay._me = None
    assert replay.me() == _body("TestUser.test_me.json", 1)["name"]


@pytest.mark.parametrize("replay", ["TestSubmission.test_comments.json"], indirect=True)
def test_comment_tree(replay):
    listing = _body("TestSubmission.test_comments.json", 1)
    submission = listing[0]["data"]["children"][0]["data"]
    expected = set()

    def walk(children):
        for child in children:
            if child["kind"] == "t1" and child["data"]["author"] not in ("[deleted]", None):
                expected.add(child["data"]["name"])
                if isinstance(child["data"]["replies"], dict):
                    walk(child["data"]["replies"]["data"]["children"])

    walk(listing[1]["data"]["children"])
    batch = replay._reads.submission_forest(submission["id"])
    assert {t.name for t in batch[0]} >= expected


@pytest.mark.parametrize(
    "replay", ["TestSession.test_request__too__many_requests__with_retry_headers.json"], indirect=True
)
def test_429_retry_after(replay):
    with pytest.raises(RateLimited) as caught:
        replay._me = None
        replay.me()
    assert caught.value.retry_after == 4


def _shape_ok(real, ours, path="$"):
    """Real keys ⊆ stand-in keys, recursively, with compatible value types (None in the recording matches anything)."""
    if real is None or path.endswith(".edited"):  # Reddit: false, or the edit's timestamp
        return
    if isinstance(real, dict):
        assert isinstance(ours, dict), path
        missing = set(real) - set(ours)
        assert not missing, f"{path}: stand-in lacks {sorted(missing)}"
        for key in real:
            if key not in ("children", "replies"):
                _shape_ok(real[key], ours[key], f"{path}.{key}")
        if "children" in real and real["children"] and ours["children"]:
            for kind in {c["kind"] for c in real["children"]}:
                theirs = [c for c in ours["children"] if c["kind"] == kind]
                if theirs:
                    for one in (c for c in real["children"] if c["kind"] == kind):
                        _shape_ok(one, theirs[0], f"{path}.children[{kind}]")
    elif isinstance(real, bool):
        assert isinstance(ours, bool) or ours is None, path
    elif isinstance(real, int | float):
        assert (isinstance(ours, int | float) and not isinstance(ours, bool)) or ours is None, path
    elif isinstance(real, str):
        assert isinstance(ours, str) or ours is None, path
    elif isinstance(real, list):
        assert isinstance(ours, list), path


def test_standin_answers_have_the_real_shape():
    standin = RedditApiStandIn()
    session = requests.Session()
    try:
        reddit = platform_for(standin)
        post = reddit.publish(Draft(text="Test text.", title="Test Title", subreddit="socialbot_test"))
        poll = reddit.publish(
            Draft(text="p", title="Test Poll", subreddit="socialbot_test", poll=PollDraft(("Yes", "No"), 1440))
        )
        top = standin.comment(post.remote_id, "alice", "hello")
        standin.comment(top, "bob", "nested")
        reddit.publish(Draft(text="Comment reply", reply_to=top))
        reddit.fetch_metrics([post.remote_id, poll.remote_id], now=NOW)
        session = requests.Session()
        token = next(iter(standin._tokens))

        def ours(method, path, **kw):
            answer = session.request(
                method, standin.base_url + path, headers={"Authorization": f"bearer {token}"}, **kw
            )
            return answer.json()

        pairs = [
            ("TestSubreddit.test_submit__selftext.json", 2, ours("GET", f"/comments/{post.remote_id[3:]}")),
            ("TestSubreddit.test_submit_poll.json", 2, ours("GET", f"/comments/{poll.remote_id[3:]}")),
            ("TestSubmission.test_comments.json", 1, ours("GET", f"/comments/{post.remote_id[3:]}")),
            ("TestSubreddit.test_search.json", 1, ours("GET", "/r/all/search", params={"q": "Test"})),
            ("TestUser.test_me.json", 1, ours("GET", "/api/v1/me")),
            ("TestUser.test_karma.json", 1, ours("GET", "/api/v1/me/karma")),
            (
                "TestComment.test_reply.json",
                1,
                ours("POST", "/api/comment", data={"thing_id": top, "text": "x", "api_type": "json"}),
            ),
            (
                "TestSubreddit.test_submit__url.json",
                1,
                ours("POST", "/api/submit", data={"sr": "s", "title": "t", "kind": "link", "url": "https://e.com"}),
            ),
            (
                "TestSubreddit.test_submit_poll.json",
                1,
                ours(
                    "POST",
                    "/api/submit_poll_post",
                    json={"sr": "s", "title": "t", "options": ["a", "b"], "duration": 1},
                ),
            ),
        ]
        for name, index, answer in pairs:
            _shape_ok(_body(name, index), answer, name)
        token_answer = session.post(
            standin.base_url + "/api/v1/access_token",
            auth=(standin.client_id, standin.client_secret),
            data={"grant_type": "password", "username": standin.username, "password": "standin-password"},
        ).json()
        _shape_ok(_body("TestScriptAuthorizer.test_refresh.json", 0), token_answer, "token")
    finally:
        session.close()
        standin.stop()
