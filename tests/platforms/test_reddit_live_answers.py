"""Reddit's real answers to token, auth, scope and validation failures: the stand-in gives each, real praw meets it."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import pytest
import requests

from socialbot.domain.values import Draft, Target
from socialbot.errors import AuthError, ContentRejected, RateLimited, TransientPlatformError
from socialbot.platforms.reddit import SCOPES
from socialbot.platforms.reddit.scopes import scope_for
from tests.fakes.reddit_api import RedditApiStandIn, credentials_for, platform_for
from tests.fakes.reddit_api.oauth import SCOPE_NEEDED

NOW = datetime.now(UTC)
TOKEN = "/api/v1/access_token"


@pytest.fixture
def standin():
    server = RedditApiStandIn()
    yield server
    server.stop()


@pytest.fixture
def sleeps(monkeypatch):
    """Every ``time.sleep`` taken while the test runs (prawcore sleeps through ``time.sleep`` before a retry)."""
    taken: list[float] = []
    real = time.sleep
    monkeypatch.setattr(time, "sleep", lambda seconds: (taken.append(seconds), real(seconds))[1])
    return taken


def _refresh_account(standin, *, scopes=("*",), profile="brand"):
    token = standin.refresh_token_for(scopes=scopes)
    return token, platform_for(standin, credentials=credentials_for(standin, profile=profile, refresh_token=token))


def _post(reddit, title="A post"):
    return reddit.publish(Draft(text="Body text", subreddit="socialbot_test", title=title))


def _raw_token_answer(standin, refresh_token):
    return requests.post(
        standin.base_url + TOKEN,
        auth=(standin.client_id, standin.client_secret),
        data={"grant_type": "refresh_token", "refresh_token": refresh_token},
        timeout=5,
    )


# -- 1. a revoked or invalid refresh token: 400 {"error": 400} from the token endpoint -------------------------


def test_the_standin_answers_a_revoked_refresh_token_as_reddit_does(standin):
    token = standin.refresh_token_for()
    assert _raw_token_answer(standin, token).status_code == 200
    standin.revoke_refresh_token(token)
    answer = _raw_token_answer(standin, token)
    assert (answer.status_code, answer.json()) == (400, {"error": 400})


@pytest.mark.parametrize("revoked", [True, False], ids=["revoked", "never-issued"])
def test_a_refused_refresh_token_is_an_auth_error_saying_to_authorize_again(standin, revoked):
    token, reddit = _refresh_account(standin)
    if revoked:
        standin.revoke_refresh_token(token)
    else:
        reddit = platform_for(standin, credentials=credentials_for(standin, profile="brand", refresh_token="bogus"))
    with pytest.raises(AuthError) as caught:
        _post(reddit)
    assert not isinstance(caught.value, TransientPlatformError)
    message = str(caught.value)
    assert "SOCIALBOT_REDDIT_BRAND_REFRESH_TOKEN" in message
    assert "`socialbot auth reddit --profile brand` again" in message
    assert token not in message
    assert standin.calls[TOKEN] == 1 and standin.calls["/api/submit"] == 0  # asked once, never retried


# -- 2. an expired access token: 401 invalid_token, refreshed by prawcore and the call resent once --------------


@pytest.mark.parametrize("kind", ["refresh-token", "script-app"])
def test_an_expired_access_token_is_refreshed_once_and_the_post_goes_out_once(standin, sleeps, kind):
    reddit = _refresh_account(standin)[1] if kind == "refresh-token" else platform_for(standin)
    reddit.identify()  # holds an access token now
    assert standin.expire_access_tokens() == 1
    tokens_before = standin.calls[TOKEN]
    published = _post(reddit, title="Exactly once")
    assert standin.calls[TOKEN] - tokens_before == 1  # one refresh
    assert standin.calls["/api/submit"] == 2  # the 401, then the retry with the new token
    mine = [t for t in standin._things.values() if t.kind == "t3" and t.title == "Exactly once"]
    assert [t.name for t in mine] == [published.remote_id]  # no duplicate post
    assert sleeps == []  # prawcore's own back-off sleep is off


def test_a_401_that_persists_after_the_refresh_is_an_auth_error(standin, sleeps):
    reddit = platform_for(standin)
    reddit.identify()
    standin.fail("/api/submit", status=401, times=3)
    tokens_before = standin.calls[TOKEN]
    with pytest.raises(AuthError, match="401 invalid_token again after a token refresh"):
        _post(reddit)
    assert standin.calls["/api/submit"] == 2 and standin.calls[TOKEN] - tokens_before == 1
    assert sleeps == []


def test_a_401_without_a_bearer_challenge_is_an_auth_error_at_once(standin):
    reddit = platform_for(standin)
    standin.fail("/api/info", status=401, headers={"www-authenticate": 'Basic realm="proxy"'})
    with pytest.raises(AuthError, match="SOCIALBOT_REDDIT_PASSWORD"):
        reddit.fetch_metrics(["t3_abc"], now=NOW)
    assert standin.calls["/api/info"] == 1


# -- 3. a missing OAuth scope: 403 insufficient_scope names the scope and the command -------------------------


def _reply(standin, reddit):
    post = standin.submit("alice", "socialbot_test", "Their post")
    reddit.publish(Draft(text="hi", reply_to=post))


def _delete(standin, reddit):
    reddit.delete(standin.submit(standin.username, "socialbot_test", "Our post"))


def _flair(standin, reddit):
    standin.add_flair("socialbot_test", "News")
    reddit.publish(Draft(text="t", subreddit="socialbot_test", title="flaired", flair="News"))


def _mentions(standin, reddit):
    reddit.fetch_interactions([], cursors={}, now=NOW)  # /api/v1/me ("identity"), then the inbox


ACTIONS = {
    "submit": lambda standin, reddit: _post(reddit),
    "comment": _reply,
    "delete": _delete,
    "flair": _flair,
    "me": lambda standin, reddit: reddit.identify(),
    "mentions": _mentions,
    "history": lambda standin, reddit: reddit.recent_own_posts(since=NOW),
    "read": lambda standin, reddit: reddit.fetch_metrics(["t3_abc"], now=NOW),
    "comments": lambda standin, reddit: reddit.fetch_interactions(
        [Target(remote_id=standin.submit("bob", "x", "t"), published_at=NOW)], cursors={}, now=NOW
    ),
}
NEEDS = [
    ("submit", "submit"),
    ("comment", "submit"),
    ("delete", "edit"),
    ("flair", "flair"),
    ("me", "identity"),
    ("mentions", "privatemessages"),
    ("history", "history"),
    ("read", "read"),
]


@pytest.mark.parametrize(("action", "scope"), NEEDS)
def test_a_missing_scope_is_an_auth_error_naming_the_scope_and_the_command(standin, action, scope):
    without = tuple(s for s in SCOPES if s != scope)
    _, reddit = _refresh_account(standin, scopes=without)
    with pytest.raises(AuthError) as caught:
        ACTIONS[action](standin, reddit)
    assert not isinstance(caught.value, ContentRejected)  # a rejection would fail the post for good
    message = str(caught.value)
    assert f"lacks the OAuth scope {scope!r}" in message
    assert "`socialbot auth reddit --profile brand`" in message


def test_the_standin_answers_a_missing_scope_as_reddit_does(standin):
    _, reddit = _refresh_account(standin, scopes=("identity",))
    reddit.identify()
    (access,) = standin._tokens
    answer = requests.post(
        standin.base_url + "/api/submit",
        headers={"Authorization": f"bearer {access}"},
        data={"sr": "socialbot_test", "title": "t", "kind": "self"},
        timeout=5,
    )
    assert answer.status_code == 403
    assert answer.headers["www-authenticate"] == 'Bearer realm="reddit", error="insufficient_scope"'
    assert answer.json()["error"] == 403


def test_without_modposts_the_post_goes_out_and_the_sort_is_logged(standin, caplog):
    _, reddit = _refresh_account(standin, scopes=tuple(s for s in SCOPES if s != "modposts"))
    caplog.set_level(logging.WARNING, logger="socialbot")
    published = reddit.publish(Draft(text="t", subreddit="socialbot_test", title="qa", suggested_sort="qa"))
    assert standin.thing(published.remote_id).suggested_sort is None
    assert any("'modposts'" in r.getMessage() for r in caplog.records)


def test_the_scopes_socialbot_asks_for_cover_every_call_it_makes(standin):
    assert set(SCOPE_NEEDED.values()) <= set(SCOPES)
    assert {path: scope_for(f"GET {path}") for path in SCOPE_NEEDED} == SCOPE_NEEDED  # the adapter agrees with Reddit
    _, reddit = _refresh_account(standin, scopes=SCOPES)
    for action in ACTIONS.values():
        action(standin, reddit)  # nothing is refused with exactly the scopes `socialbot auth reddit` asks for


# -- 4. 429 on the token endpoint; 400 SUBMIT_VALIDATION_ERROR on submit --------------------------------------


def test_429_on_the_token_endpoint_is_rate_limited_with_retry_after(standin):
    standin.fail(TOKEN, status=429, headers={"retry-after": "17"})
    reddit = platform_for(standin)
    with pytest.raises(RateLimited) as caught:
        _post(reddit)
    assert caught.value.retry_after == 17
    assert standin.calls[TOKEN] == 1 and standin.calls["/api/submit"] == 0


def test_a_400_submit_validation_error_is_content_rejected_with_reddits_message(standin):
    reddit = platform_for(standin)
    message = "Your post must contain text in the body"
    standin.api_error("/api/submit", "SUBMIT_VALIDATION_ERROR", message, "body", status=400)
    with pytest.raises(ContentRejected) as caught:
        _post(reddit)
    assert f"SUBMIT_VALIDATION_ERROR: {message} (field body)" in str(caught.value)
    assert standin.calls["/api/submit"] == 1
    assert [t for t in standin._things.values() if t.kind == "t3"] == []
