"""Behaviour of the X adapter against the local X API stand-in: call counts, cursors, notes, errors, media, OAuth."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from pydantic import SecretStr

from socialbot.domain.values import Draft, InteractionKind, MediaItem, PollDraft, Target
from socialbot.errors import (
    AuthError,
    ContentRejected,
    OutcomeUnknown,
    RateLimited,
    TransientPlatformError,
)
from socialbot.platforms.credentials import XCredentials
from socialbot.platforms.x import XPlatform, check_account, pin_authorize
from tests.fakes.x_api import Clock, XApiStandIn, XHarness

SEARCH = "GET /2/tweets/search/recent"


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def standin(clock):
    with XApiStandIn(clock=clock) as x:
        yield x


@pytest.fixture
def harness(standin, clock):
    return XHarness(standin, clock)


def _target(harness, text="Tell us what you think"):
    published = harness.platform.publish(Draft(text=text))
    return Target(remote_id=published.remote_id, published_at=published.created_at)


def _collect(harness, targets, cursors=None, **kw):
    return harness.platform.fetch_interactions(targets, cursors=cursors or {}, now=harness.now(), **kw)


def test_thousand_replies_take_ten_searches_then_one(harness, standin):
    target = _target(harness)
    standin.reply_many(target.remote_id, 1000)
    harness.advance(60)
    standin.calls.clear()
    first = _collect(harness, [target])
    replies = [i for i in first.interactions if i.kind is InteractionKind.REPLY]
    assert len({i.remote_id for i in replies}) == 1000
    assert standin.calls[SEARCH] == 10
    assert len(first.authors) == 1000
    assert all(i.parent_id == target.remote_id and i.target_id == target.remote_id for i in replies)

    standin.calls.clear()
    again = _collect(harness, [target], first.cursors)
    assert [i for i in again.interactions if i.kind is InteractionKind.REPLY] == []
    assert standin.calls[SEARCH] == 1
    assert again.cursors[f"replies:{target.remote_id}"] == first.cursors[f"replies:{target.remote_id}"]


def test_replies_to_many_posts_share_one_search(harness, standin):
    targets = [_target(harness, f"Post number {n}") for n in range(12)]
    for t in targets:
        standin.reply_many(t.remote_id, 2)
    harness.advance(60)
    standin.calls.clear()
    batch = _collect(harness, targets)
    assert standin.calls[SEARCH] == 1  # 12 conversation_id terms fit in one 512-char query
    by_target = {t.remote_id: 0 for t in targets}
    for i in batch.interactions:
        by_target[i.target_id] += 1
    assert set(by_target.values()) == {2}


def test_likers_reposts_quotes_and_mentions(harness, standin):
    target = _target(harness)
    fans = [standin.add_user(f"liker{n}") for n in range(130)]
    for fan in fans:
        standin.like(target.remote_id, fan)
    standin.repost(target.remote_id, fans[0])
    quote_id = standin.quote(target.remote_id, fans[1], "Look at this")
    mention_id = standin.mention(fans[2], "hello there")
    harness.advance(60)
    batch = _collect(harness, [target])
    kinds = {}
    for i in batch.interactions:
        kinds.setdefault(i.kind, []).append(i)
    assert len(kinds[InteractionKind.LIKE]) == 100
    assert {i.remote_id for i in kinds[InteractionKind.LIKE]} == {f"like:{target.remote_id}:{f}" for f in fans[30:]}
    assert [i.remote_id for i in kinds[InteractionKind.REPOST]] == [f"repost:{target.remote_id}:{fans[0]}"]
    assert [i.remote_id for i in kinds[InteractionKind.QUOTE]] == [quote_id]
    assert [i.remote_id for i in kinds[InteractionKind.MENTION]] == [mention_id]
    assert any("capped at 100" in note and target.remote_id in note for note in batch.notes)

    standin.calls.clear()
    again = _collect(harness, [target], batch.cursors)
    assert again.interactions == ()
    assert standin.calls["GET /2/tweets/:id/liking_users"] == 0  # counters did not move: no call


def test_keyword_search_and_seven_day_gap_note(harness, standin, clock):
    fan = standin.add_user("hashtagger")
    first_post = standin.post(fan, "Loving #SocialbotLaunch today")
    harness.advance(60)
    batch = _collect(harness, [], keywords=["#SocialbotLaunch"])
    assert [(i.kind, i.remote_id) for i in batch.interactions] == [(InteractionKind.HASHTAG, first_post)]
    assert batch.notes == ()

    clock.advance(8 * 86400)
    second_post = standin.post(fan, "Still loving #SocialbotLaunch")
    harness.advance(60)
    later = _collect(harness, [], cursors=batch.cursors, keywords=["#SocialbotLaunch"])
    assert [i.remote_id for i in later.interactions] == [second_post]
    assert any("7-day" in note for note in later.notes)


def test_old_target_without_cursor_gets_a_gap_note(harness, clock):
    target = _target(harness)
    clock.advance(9 * 86400)
    batch = _collect(harness, [target])
    assert any("7-day" in note and target.remote_id in note for note in batch.notes)


def test_429_becomes_rate_limited_with_retry_after(harness, standin, clock):
    reset = int(clock()) + 120
    standin.fail("POST /2/tweets", status=429, headers={"x-rate-limit-reset": str(reset)})
    with pytest.raises(RateLimited) as caught:
        harness.platform.publish(Draft(text="too fast"))
    assert 119 <= caught.value.retry_after <= 122


def test_budget_parks_before_zero_without_calling(harness, standin):
    standin.set_budget("GET /2/users/me", remaining=2)
    standin.set_budget("GET /2/tweets", remaining=2, reset_in=300)
    harness.platform.fetch_metrics([_target(harness).remote_id], now=harness.now())  # remaining now 1 = reserve
    calls = standin.calls["GET /2/tweets"]
    with pytest.raises(RateLimited) as caught:
        harness.platform.fetch_metrics(["1"], now=harness.now())
    assert standin.calls["GET /2/tweets"] == calls
    assert 0 < caught.value.retry_after <= 301


def test_server_error_is_transient(harness, standin):
    standin.fail("GET /2/users/me", status=503)
    with pytest.raises(TransientPlatformError) as caught:
        harness.platform.recent_own_posts(since=harness.now())
    assert not isinstance(caught.value, OutcomeUnknown)


def test_timeout_on_post_is_outcome_unknown(standin, clock):
    harness = XHarness(standin, clock, timeout=0.3)
    standin.fail("POST /2/tweets", kind="timeout")
    with pytest.raises(OutcomeUnknown):
        harness.platform.publish(Draft(text="did it go out?"))


def test_connection_lost_on_post_is_outcome_unknown(harness, standin):
    standin.fail("POST /2/tweets", kind="disconnect")
    with pytest.raises(OutcomeUnknown):
        harness.platform.publish(Draft(text="did it go out?"))


def test_connection_refused_is_transient(standin):
    platform = XPlatform(credentials=standin.credentials(), api_url="http://127.0.0.1:9", timeout=2)
    with pytest.raises(TransientPlatformError) as caught:
        platform.publish(Draft(text="nobody listens"))
    assert not isinstance(caught.value, OutcomeUnknown)


def test_401_is_auth_error_naming_the_variables(standin):
    creds = standin.credentials("brand")
    bad = XCredentials(**{**creds.__dict__, "access_token": SecretStr("revoked-token")})
    platform = XPlatform(credentials=bad, api_url=standin.base_url)
    with pytest.raises(AuthError) as caught:
        platform.publish(Draft(text="hello"))
    assert "SOCIALBOT_X_BRAND_ACCESS_TOKEN" in str(caught.value)
    assert "revoked-token" not in str(caught.value)


def test_missing_credentials_fail_before_any_call(standin):
    creds = XCredentials("default", None, None, None, None, None)
    with pytest.raises(AuthError, match="SOCIALBOT_X_API_KEY"):
        XPlatform(credentials=creds, api_url=standin.base_url).publish(Draft(text="x"))
    assert sum(standin.calls.values()) == 0


def test_duplicate_is_rejected_with_x_detail(harness):
    harness.platform.publish(Draft(text="Same words twice"))
    with pytest.raises(ContentRejected, match="duplicate content"):
        harness.platform.publish(Draft(text="Same words twice"))


def test_malformed_json_is_transient(harness, standin):
    standin.fail("GET /2/users/me", kind="malformed")
    with pytest.raises(TransientPlatformError):
        harness.platform.recent_own_posts(since=harness.now())


def test_thread_reply_chain(harness, standin):
    parts = []
    for n in range(3):
        reply_to = parts[-1].remote_id if parts else None
        parts.append(harness.platform.publish(Draft(text=f"Thread part {n + 1}/3", reply_to=reply_to)))
    own = {p.remote_id: p for p in harness.platform.recent_own_posts(since=harness.now() - timedelta(minutes=1))}
    assert own[parts[1].remote_id].reply_to == parts[0].remote_id
    assert own[parts[2].remote_id].reply_to == parts[1].remote_id
    assert standin.tweets[parts[2].remote_id]["conversation_id"] == parts[0].remote_id


def test_poll_totals_and_closing(harness, standin, clock):
    draft = Draft(text="Which flavour?", poll=PollDraft(options=("Vanilla", "Chocolate"), duration_minutes=60))
    published = harness.platform.publish(draft)
    standin.vote(published.remote_id, 2, votes=7)
    standin.vote(published.remote_id, 1, votes=3)
    (metrics,) = harness.platform.fetch_metrics([published.remote_id], now=harness.now())
    assert metrics.poll is not None and metrics.poll.open
    assert [(o.label, o.votes) for o in metrics.poll.options] == [("Vanilla", 3), ("Chocolate", 7)]
    clock.advance(3601)
    with pytest.raises(ValueError):
        standin.vote(published.remote_id, 1)
    (closed,) = harness.platform.fetch_metrics([published.remote_id], now=harness.now())
    assert not closed.poll.open and closed.poll.total_votes == 10


def test_reply_settings_are_sent(harness, standin):
    published = harness.platform.publish(Draft(text="Followers only", reply_settings="following"))
    assert standin.tweets[published.remote_id]["reply_settings"] == "following"


def test_media_upload_with_alt_text(harness, standin, tmp_path):
    image = tmp_path / "launch.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 64)
    video = tmp_path / "teaser.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"1" * 256)
    draft = Draft(text="Launch day", media=(MediaItem(str(image), "A rocket"), MediaItem(str(video))))
    published = harness.platform.publish(draft)
    keys = standin.tweets[published.remote_id]["media_keys"]
    media = [standin.media[k.split("_", 1)[1]] for k in keys]
    assert media[0]["alt_text"] == "A rocket" and media[0]["data"].startswith(b"\x89PNG")
    assert media[1]["data"] == video.read_bytes()


def test_missing_media_file_is_rejected(harness, tmp_path):
    with pytest.raises(ContentRejected, match="does not exist"):
        harness.platform.publish(Draft(text="x", media=(MediaItem(str(tmp_path / "nope.png")),)))


def test_profiles_batched_by_hundred(harness, standin):
    ids = [standin.add_user(f"person{n}", followers=n) for n in range(150)]
    standin.calls.clear()
    profiles = harness.platform.fetch_profiles(ids, now=harness.now())
    assert standin.calls["GET /2/users"] == 2
    assert {p.remote_id for p in profiles} == set(ids)
    assert all(p.created_at and p.followers is not None and p.verified is False for p in profiles)


def test_pin_flow(standin):
    creds = XCredentials("brand", SecretStr(standin.api_key), SecretStr(standin.api_secret), None, None, None)
    seen = []

    def prompt(url: str) -> str:
        seen.append(url)
        import re
        import urllib.request

        with urllib.request.urlopen(url, timeout=5) as page:  # the "browser": the stand-in approves at once
            return re.search(r"<code id=\"oauth_pin\">(\d+)</code>", page.read().decode()).group(1)

    lines = pin_authorize(creds, api_url=standin.base_url, prompt_pin=prompt)
    assert seen[0].startswith(standin.base_url + "/oauth/authorize?oauth_token=")
    assert set(lines) == {"SOCIALBOT_X_BRAND_ACCESS_TOKEN", "SOCIALBOT_X_BRAND_ACCESS_TOKEN_SECRET"}
    usable = XCredentials(
        "brand",
        creds.api_key,
        creds.api_secret,
        SecretStr(lines["SOCIALBOT_X_BRAND_ACCESS_TOKEN"]),
        SecretStr(lines["SOCIALBOT_X_BRAND_ACCESS_TOKEN_SECRET"]),
        None,
    )
    assert check_account(usable, api_url=standin.base_url).ok


def test_pin_flow_wrong_pin(standin):
    creds = XCredentials("default", SecretStr(standin.api_key), SecretStr(standin.api_secret), None, None, None)
    with pytest.raises(AuthError, match="PIN"):
        pin_authorize(creds, api_url=standin.base_url, prompt_pin=lambda url: "0000000")


def test_check_account(standin):
    good = check_account(standin.credentials(), api_url=standin.base_url)
    assert good.ok and good.username == "socialbot_brand" and good.user_id == standin.account_id
    bad = XCredentials(**{**standin.credentials().__dict__, "api_key": SecretStr("wrong-key")})
    failed = check_account(bad, api_url=standin.base_url)
    assert not failed.ok and "SOCIALBOT_X_API_KEY" in failed.problem
    missing = check_account(XCredentials("default", None, None, None, None, None), api_url=standin.base_url)
    assert not missing.ok and "SOCIALBOT_X_ACCESS_TOKEN" in missing.problem


def test_no_secret_in_logs_or_reprs(standin, clock, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    for name in ("urllib3", "requests", "tweepy", "oauthlib", "requests_oauthlib", "socialbot"):
        caplog.set_level(logging.DEBUG, logger=name)
    creds = standin.credentials(bearer=True)
    harness = XHarness(standin, clock)
    image = tmp_path / "a.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n0000")
    target = harness.platform.publish(Draft(text="Full session", media=(MediaItem(str(image), "alt"),)))
    standin.reply_many(target.remote_id, 3)
    tgt = Target(remote_id=target.remote_id, published_at=target.created_at)
    harness.platform.fetch_interactions([tgt], cursors={}, keywords=["#x"], now=harness.now())
    harness.platform.fetch_metrics([target.remote_id], now=harness.now())
    harness.platform.recent_own_posts(since=harness.now() - timedelta(minutes=5))
    harness.platform.delete(target.remote_id)
    app_only = XPlatform(
        credentials=XCredentials("default", None, None, None, None, creds.bearer_token), api_url=standin.base_url
    )
    app_only.fetch_profiles([standin.account_id], now=harness.now())
    obtained = pin_authorize(creds, api_url=standin.base_url, prompt_pin=lambda url: _approve(url))
    with pytest.raises(AuthError):
        XPlatform(
            credentials=XCredentials(**{**creds.__dict__, "access_token": SecretStr("leaky-token-1")}),
            api_url=standin.base_url,
        ).publish(Draft(text="nope"))
    text = caplog.text + "".join(repr(r.args) for r in caplog.records) + repr(harness.platform) + repr(creds)
    assert len(caplog.records) > 20, "the SDKs' debug logs must have been captured"
    for secret in (
        standin.api_key,
        standin.api_secret,
        standin.access_token,
        standin.access_token_secret,
        standin.bearer_token,
        "leaky-token-1",
        *obtained.values(),
    ):
        assert secret not in text


def _approve(url: str) -> str:
    import re
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as page:
        return re.search(r"<code id=\"oauth_pin\">(\d+)</code>", page.read().decode()).group(1)
