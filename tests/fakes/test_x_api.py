"""The X API stand-in itself: ids, envelopes, search validation, rate limits and faults, spoken to over plain HTTP."""

from __future__ import annotations

import pytest
import requests
from requests_oauthlib import OAuth1

from tests.fakes.x_api import TWITTER_EPOCH_MS, Clock, XApiStandIn


@pytest.fixture
def x():
    with XApiStandIn(clock=Clock()) as standin:
        yield standin


def _get(x: XApiStandIn, path: str, **params) -> requests.Response:
    auth = OAuth1(x.api_key, x.api_secret, x.access_token, x.access_token_secret)
    return requests.get(x.base_url + path, params=params, auth=auth, timeout=5)


def test_ids_are_increasing_snowflakes(x):
    first = x.post(x.account_id, "one")
    second = x.post(x.account_id, "two")
    assert int(second) > int(first)
    assert abs(((int(first) >> 22) + TWITTER_EPOCH_MS) / 1000 - x.clock()) < 1


def test_search_paginates_with_meta_and_authors(x):
    fan = x.add_user("fan")
    for n in range(25):
        x.post(fan, f"#launch {n}")
    body = _get(x, "/2/tweets/search/recent", query="#launch", max_results=10, expansions="author_id").json()
    assert body["meta"]["result_count"] == 10 and "next_token" in body["meta"]
    assert body["includes"]["users"][0]["username"] == "fan"
    assert all(t["edit_history_tweet_ids"] == [t["id"]] for t in body["data"])
    last = _get(x, "/2/tweets/search/recent", query="#launch", max_results=10, next_token=body["meta"]["next_token"])
    assert last.json()["meta"]["result_count"] == 10


def test_search_validates_like_x(x):
    too_long = _get(x, "/2/tweets/search/recent", query="a" * 513, max_results=10)
    assert too_long.status_code == 400 and too_long.json()["errors"]
    old_since = _get(x, "/2/tweets/search/recent", query="a", since_id=str(1 << 22), max_results=10)
    assert old_since.status_code == 400 and "since_id" in old_since.text
    empty = _get(x, "/2/tweets/search/recent", query="nothing-matches", max_results=10).json()
    assert empty == {"meta": {"result_count": 0}}


def test_rate_limit_headers_and_429(x):
    x.set_budget("GET /2/users/me", remaining=1, reset_in=60)
    ok = _get(x, "/2/users/me")
    assert ok.status_code == 200 and ok.headers["x-rate-limit-remaining"] == "0"
    limited = _get(x, "/2/users/me")
    assert limited.status_code == 429 and int(limited.headers["x-rate-limit-reset"]) == int(x.clock()) + 60


def test_faults_and_bad_credentials(x):
    x.fail("GET /2/users/me", status=503, times=2)
    assert [_get(x, "/2/users/me").status_code for _ in range(3)] == [503, 503, 200]
    x.fail("GET /2/users/me", kind="malformed")
    with pytest.raises(ValueError):
        _get(x, "/2/users/me").json()
    wrong = requests.get(x.base_url + "/2/users/me", auth=OAuth1("nope", "nope", "nope", "nope"), timeout=5)
    assert wrong.status_code == 401 and wrong.json()["title"] == "Unauthorized"
    assert x.calls["GET /2/users/me"] == 5
