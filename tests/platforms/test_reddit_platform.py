"""The Reddit adapter against the local stand-in: collection at scale, publishing options, errors, auth, secrets."""

from __future__ import annotations

import logging
import threading
import urllib.request
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from socialbot.domain.values import Draft, InteractionKind, PollDraft, Target
from socialbot.errors import AuthError, ContentRejected, OutcomeUnknown, RateLimited, TransientPlatformError
from socialbot.platforms.base import RateBudget
from socialbot.platforms.credentials import RedditCredentials
from socialbot.platforms.reddit import build_user_agent, check_account, code_flow, parse_ratelimit_message
from tests.fakes.reddit_api import RedditApiStandIn, credentials_for, platform_for

NOW = datetime.now(UTC)


@pytest.fixture
def standin():
    server = RedditApiStandIn()
    yield server
    server.stop()


@pytest.fixture
def reddit(standin):
    return platform_for(standin)


def _post(reddit, **kw):
    kw.setdefault("subreddit", "socialbot_test")
    kw.setdefault("title", "A post")
    return reddit.publish(Draft(text=kw.pop("text", "Body text"), **kw))


def _target(published):
    return Target(remote_id=published.remote_id, published_at=published.created_at)


def test_user_agent_follows_reddit_rules():
    assert build_user_agent(username="brand", version="1.2.0") == "python:socialbot:1.2.0 (by /u/brand)"


def test_two_thousand_comments_with_300_behind_load_more(standin, reddit):
    post = _post(reddit)
    for n in range(2000):
        standin.comment(post.remote_id, f"fan{n % 400}", f"comment {n}")
    standin.set_more_threshold(1700)
    first = reddit.fetch_interactions([_target(post)], cursors={}, now=NOW)
    replies = [i for i in first.interactions if i.kind == InteractionKind.REPLY]
    assert len({i.remote_id for i in replies}) == len(replies) == 2000
    assert all(i.target_id == post.remote_id and i.parent_id == post.remote_id for i in replies)
    assert standin.calls["/api/morechildren"] == 3
    assert first.notes == ()
    again = reddit.fetch_interactions([_target(post)], cursors=first.cursors, now=NOW)
    assert [i for i in again.interactions if i.kind == InteractionKind.REPLY] == []


def test_nested_replies_and_unexpanded_comments_are_reported(standin):
    reddit = platform_for(standin, replace_more_limit=1)
    post = _post(reddit)
    top = standin.comment(post.remote_id, "alice", "top")
    nested = standin.comment(top, "bob", "nested")
    for n in range(250):
        standin.comment(post.remote_id, f"fan{n}", "more")
    standin.set_more_threshold(2)
    batch = reddit.fetch_interactions([_target(post)], cursors={}, now=NOW)
    by_id = {i.remote_id: i for i in batch.interactions}
    assert any("left behind 'load more'" in note for note in batch.notes)
    assert len(by_id) == 2 + 100  # inline + one expansion
    assert top not in by_id or by_id[top].parent_id == post.remote_id
    assert nested not in by_id or by_id[nested].parent_id == top
    unlimited = platform_for(standin, replace_more_limit=None)  # the cursor stayed below what was left unexpanded
    rest = unlimited.fetch_interactions([_target(post)], cursors=batch.cursors, now=NOW)
    assert len(set(by_id) | {i.remote_id for i in rest.interactions}) == 252
    assert rest.notes == ()


def test_replies_to_our_comment_and_mentions(standin, reddit):
    post = _post(reddit)
    ours = reddit.publish(Draft(text="Thread part 2", reply_to=post.remote_id))
    theirs = standin.comment(ours.remote_id, "carol", "answer to part 2")
    mention = standin.mention("dave")
    batch = reddit.fetch_interactions([_target(ours)], cursors={}, now=NOW)
    kinds = {i.remote_id: (i.kind, i.target_id, i.parent_id) for i in batch.interactions}
    assert kinds[theirs] == (InteractionKind.REPLY, ours.remote_id, ours.remote_id)
    assert kinds[mention][0] == InteractionKind.MENTION
    again = reddit.fetch_interactions([_target(ours)], cursors=batch.cursors, now=NOW)
    assert again.interactions == ()


def test_keyword_search_and_new_posts_stop_at_cursor(standin):
    reddit = platform_for(standin, subreddits=["brandsub"])
    hit = standin.submit("erin", "brandsub", "Loving #SummerDrop", "so good")
    standin.submit("frank", "brandsub", "Unrelated", "nothing")
    first = reddit.fetch_interactions([], cursors={}, keywords=["#summerdrop"], now=NOW)
    assert [(i.remote_id, i.kind) for i in first.interactions] == [(hit, InteractionKind.HASHTAG)]
    assert "search:brandsub:#summerdrop" in first.cursors and "new:brandsub" in first.cursors
    later = standin.submit("gina", "brandsub", "#SummerDrop again", "")
    second = reddit.fetch_interactions([], cursors=first.cursors, keywords=["#summerdrop"], now=NOW)
    assert [i.remote_id for i in second.interactions] == [later]


def test_flair_text_is_resolved_to_its_template(standin, reddit):
    template = standin.add_flair("socialbot_test", "Announcement")
    post = _post(reddit, flair="announcement")
    assert standin.thing(post.remote_id).flair["id"] == template


def test_unknown_flair_names_the_available_ones(standin, reddit):
    standin.add_flair("socialbot_test", "News")
    standin.add_flair("socialbot_test", "AMA")
    with pytest.raises(ContentRejected, match=r"no post flair 'Giveaway'.*'News', 'AMA'"):
        _post(reddit, flair="Giveaway")


def test_link_post_nsfw_spoiler_and_suggested_sort(standin, reddit):
    post = _post(reddit, text="", url="https://example.com/a", nsfw=True, spoiler=True, suggested_sort="qa")
    thing = standin.thing(post.remote_id)
    assert (thing.url, thing.nsfw, thing.spoiler, thing.suggested_sort) == ("https://example.com/a", True, True, "qa")


def test_poll_post_and_its_results(standin, reddit):
    post = _post(reddit, poll=PollDraft(options=("Red", "Blue"), duration_minutes=3 * 1440))
    standin.vote(post.remote_id, "Blue", n=3)
    (metrics,) = reddit.fetch_metrics([post.remote_id], now=NOW)
    assert [(o.label, o.votes) for o in metrics.poll.options] == [("Red", 0), ("Blue", 3)]
    assert metrics.poll.total_votes == 3 and metrics.poll.open
    assert standin.requests[-2][2]["duration"] == 3


def test_metrics_are_batched_by_100(standin, reddit):
    ids = [standin.submit("someone", "x", f"post {n}") for n in range(150)]
    assert len(reddit.fetch_metrics(ids, now=NOW)) == 150
    assert standin.calls["/api/info"] == 2


def test_profiles_karma_suspended_and_deleted(standin, reddit):
    standin.add_user("kim", karma=(5, 7))
    standin.add_user("lou", suspended=True)
    profiles = {p.remote_id: p for p in reddit.fetch_profiles(["kim", "lou", "gone"], now=NOW)}
    assert profiles["kim"].karma == 12 and not profiles["kim"].suspended and profiles["kim"].created_at
    assert profiles["lou"].suspended and profiles["gone"].suspended


def test_ratelimit_on_submit_becomes_rate_limited_with_wait(standin, reddit):
    standin.ratelimit("/api/submit", wait="5 minutes")
    with pytest.raises(RateLimited) as caught:
        _post(reddit)
    assert caught.value.retry_after == 300
    assert parse_ratelimit_message("Take a break for 9 seconds before trying again.") == 9


def test_429_becomes_rate_limited_and_parks_the_budget(standin, reddit):
    standin.fail("/api/info", status=429, headers={"retry-after": "42"})
    with pytest.raises(RateLimited) as caught:
        reddit.fetch_metrics(["t3_abc"], now=NOW)
    assert caught.value.retry_after == 42
    with pytest.raises(RateLimited):  # parked: no call goes out until the window resets
        reddit.fetch_metrics(["t3_abc"], now=NOW)
    assert standin.calls["/api/info"] == 1


def test_budget_stops_before_the_window_is_spent(standin):
    standin.ratelimit_limit = 2
    reddit = platform_for(standin, budget=RateBudget(reserve=1))
    reddit.fetch_metrics(["t3_abc"], now=NOW)
    with pytest.raises(RateLimited, match="budget"):
        reddit.fetch_metrics(["t3_abc"], now=NOW)


def test_server_error_is_transient_without_retry(standin, reddit):
    reddit.me()
    standin.fail("/api/info", status=503)
    with pytest.raises(TransientPlatformError) as caught:
        reddit.fetch_metrics(["t3_abc"], now=NOW)
    assert not isinstance(caught.value, OutcomeUnknown)
    assert standin.calls["/api/info"] == 1


def test_timeout_on_post_is_outcome_unknown(standin):
    reddit = platform_for(standin, timeout=0.3)
    reddit.me()
    standin.hang("/api/submit")
    with pytest.raises(OutcomeUnknown):
        _post(reddit, title="maybe posted")
    assert [p.text for p in reddit.recent_own_posts(since=NOW.replace(year=2000))] == ["Body text"]


def test_bad_password_is_auth_error_naming_the_variables(standin):
    creds = credentials_for(standin, profile="brand")
    creds = RedditCredentials(**{**vars(creds), "password": SecretStr("wrong")})
    with pytest.raises(AuthError, match="SOCIALBOT_REDDIT_BRAND_PASSWORD"):
        platform_for(standin, credentials=creds).fetch_metrics(["t3_abc"], now=NOW)


def test_401_on_the_api_is_auth_error(standin, reddit):
    standin.fail("/api/info", status=401, times=2)  # a 401 that outlives the token refresh
    with pytest.raises(AuthError, match="SOCIALBOT_REDDIT_CLIENT_ID"):
        reddit.fetch_metrics(["t3_abc"], now=NOW)


def test_submit_validation_is_content_rejected_with_reddits_message(standin, reddit):
    standin.add_subreddit("strict", flair_required=True)
    with pytest.raises(ContentRejected, match="SUBMIT_VALIDATION_FLAIR_REQUIRED: Your post must contain post flair"):
        _post(reddit, subreddit="strict")
    with pytest.raises(ContentRejected, match="TOO_LONG"):
        _post(reddit, title="x" * 301)


def test_refresh_token_account(standin):
    creds = credentials_for(standin, refresh_token=standin.refresh_token_for())
    reddit = platform_for(standin, credentials=creds)
    assert reddit.me() == standin.username
    assert _post(reddit).remote_id.startswith("t3_")


def test_check_account(standin):
    ok = check_account(
        credentials_for(standin),
        user_agent="python:socialbot:t (by /u/x)",
        oauth_url=standin.base_url,
        reddit_url=standin.base_url,
    )
    assert ok.ok and ok.username == standin.username and ok.problem is None
    bad = RedditCredentials(**{**vars(credentials_for(standin)), "password": SecretStr("nope")})
    failed = check_account(
        bad, user_agent="python:socialbot:t (by /u/x)", oauth_url=standin.base_url, reddit_url=standin.base_url
    )
    assert not failed.ok and "SOCIALBOT_REDDIT_PASSWORD" in failed.problem


def test_code_flow_returns_the_refresh_token_lines(standin):
    def browser(url: str) -> None:  # plays the user clicking "allow": follows the redirect to our local server
        threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=5).read(), daemon=True).start()

    creds = RedditCredentials(**{**vars(credentials_for(standin)), "username": None, "password": None})
    lines = code_flow(
        creds,
        redirect_port=0,
        user_agent="python:socialbot:t (by /u/x)",
        show_url=browser,
        oauth_url=standin.base_url,
        reddit_url=standin.base_url,
        wait_seconds=10,
    )
    assert lines["SOCIALBOT_REDDIT_USERNAME"] == standin.username
    token = lines["SOCIALBOT_REDDIT_REFRESH_TOKEN"]
    reddit = platform_for(standin, credentials=credentials_for(standin, refresh_token=token))
    assert reddit.me() == standin.username


def test_no_secret_in_any_log_line(standin, caplog):
    caplog.set_level(logging.DEBUG)
    for name in ("prawcore", "praw", "urllib3", "socialbot"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    creds = credentials_for(standin)
    reddit = platform_for(standin, credentials=creds)
    post = _post(reddit)
    standin.comment(post.remote_id, "hal", "hi")
    reddit.fetch_interactions([_target(post)], cursors={}, now=NOW)
    standin.fail("/api/info", status=401, times=2)  # a 401 that outlives the token refresh
    with pytest.raises(AuthError) as caught:
        reddit.fetch_metrics([post.remote_id], now=NOW)
    secrets = [
        creds.client_id.get_secret_value(),
        creds.client_secret.get_secret_value(),
        creds.password.get_secret_value(),
    ]
    secrets += list(standin._tokens)
    assert caplog.records, "DEBUG logging must have captured something"
    for text in [r.getMessage() for r in caplog.records] + [str(caught.value), repr(reddit)]:
        assert not any(secret in text for secret in secrets), text


def test_a_gateway_error_on_submit_is_an_unknown_outcome_not_a_retry(standin, reddit):
    standin.fail("/api/submit", status=502)
    with pytest.raises(OutcomeUnknown):
        _post(reddit)


def test_a_403_on_submit_is_a_rejection_of_this_content(standin, reddit):
    standin.fail("/api/submit", status=403)
    with pytest.raises(ContentRejected):
        _post(reddit)
