"""The Reddit stand-in itself: auth, listings clamped to 100, more objects, faults and rate-limit headers."""

from __future__ import annotations

import pytest
import requests

from tests.fakes.reddit_api import RedditApiStandIn


@pytest.fixture
def api():
    standin = RedditApiStandIn()
    session = requests.Session()
    answer = session.post(
        f"{standin.base_url}/api/v1/access_token",
        auth=(standin.client_id, standin.client_secret),
        data={"grant_type": "password", "username": standin.username, "password": "standin-password"},
    ).json()
    session.headers["Authorization"] = f"bearer {answer['access_token']}"
    yield standin, session
    session.close()
    standin.stop()


def test_unauthenticated_call_is_401_with_www_authenticate(api):
    standin, _ = api
    with requests.Session() as anonymous:
        answer = anonymous.get(f"{standin.base_url}/api/v1/me")
    assert answer.status_code == 401 and "invalid_token" in answer.headers["www-authenticate"]


def test_bad_client_secret_is_401(api):
    standin, _session = api
    answer = requests.post(
        f"{standin.base_url}/api/v1/access_token", auth=(standin.client_id, "wrong"), data={"grant_type": "password"}
    )
    assert answer.status_code == 401


def test_ratelimit_headers_are_numbers_praw_can_read(api):
    standin, session = api
    headers = session.get(f"{standin.base_url}/api/v1/me").headers
    assert int(headers["x-ratelimit-used"]) >= 1
    assert float(headers["x-ratelimit-remaining"]) > 0 and int(headers["x-ratelimit-reset"]) > 0


def test_listing_limit_is_clamped_to_100_and_pages_with_after(api):
    standin, session = api
    for n in range(130):
        standin.submit("someone", "busy", f"post {n}")
    first = session.get(f"{standin.base_url}/r/busy/new", params={"limit": 500}).json()["data"]
    assert len(first["children"]) == 100 and first["after"]
    second = session.get(f"{standin.base_url}/r/busy/new", params={"limit": 100, "after": first["after"]}).json()[
        "data"
    ]
    assert len(second["children"]) == 30 and second["after"] is None


def test_more_objects_and_morechildren(api):
    standin, session = api
    post = standin.submit("op", "sub", "title")
    for n in range(250):
        standin.comment(post, f"u{n}", "c")
    standin.set_more_threshold(50)
    _, comments = session.get(f"{standin.base_url}/comments/{post[3:]}").json()
    kinds = [c["kind"] for c in comments["data"]["children"]]
    assert kinds.count("t1") == 50 and kinds.count("more") == 2
    more = comments["data"]["children"][-2]["data"]
    things = session.post(
        f"{standin.base_url}/api/morechildren", data={"children": ",".join(more["children"]), "link_id": post}
    ).json()
    assert len(things["json"]["data"]["things"]) == 100


def test_fault_injection(api):
    standin, session = api
    standin.fail("/api/v1/me", status=503)
    standin.ratelimit("/api/v1/me", wait="2 minutes")
    assert session.get(f"{standin.base_url}/api/v1/me").status_code == 503
    errors = session.get(f"{standin.base_url}/api/v1/me").json()["json"]["errors"]
    assert errors[0][0] == "RATELIMIT" and "2 minutes" in errors[0][1]
    assert session.get(f"{standin.base_url}/api/v1/me").json()["name"] == standin.username
    assert standin.calls["/api/v1/me"] == 3
