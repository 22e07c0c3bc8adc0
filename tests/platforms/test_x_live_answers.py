"""Answers the live X API v2 gives that the adapter must read right: retweets of quotes, gone accounts, verified_type.

Each is checked twice against the local stand-in with the real tweepy client: the stand-in answers as X does
(so the adapter is tested against the real behaviour), and the adapter reads that answer right, down to storage.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import tweepy
from sqlmodel import select

from socialbot.domain.values import CollectBatch, Draft, InteractionKind, Target
from socialbot.platforms.x.payloads import gone_profile
from socialbot.storage.authors import authors_without_snapshot, store_profiles
from socialbot.storage.db import make_engine, session_scope, upgrade
from socialbot.storage.interactions import store_batch
from socialbot.storage.models import AuthorSnapshotRow, InteractionRow
from tests.fakes.x_api import Clock, XApiStandIn, XHarness

QUOTES = "GET /2/tweets/:id/quote_tweets"
UNKNOWN = "1234567890123456789"  # an id X has never heard of (or a deleted account)


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


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _quoted_then_retweeted(harness, standin):
    """Our post; a fan quotes it; someone else retweets the fan's quote."""
    published = harness.platform.publish(Draft(text="Our big announcement"))
    fan, retweeter = standin.add_user("quoting_fan"), standin.add_user("just_retweets")
    quote = standin.quote(published.remote_id, fan, "This is great news")
    retweet = standin.retweet(quote, retweeter)
    harness.advance(60)
    return Target(remote_id=published.remote_id, published_at=published.created_at), quote, retweet, retweeter


# -- 1. GET /2/tweets/:id/quote_tweets also lists retweets of the quotes ---------------------------------


def test_stand_in_lists_retweets_of_quotes_unless_told_to_exclude_them(harness, standin):
    """The stand-in behaves as X: without ``exclude=retweets`` the retweet of a quote comes back as a "quote"."""
    target, quote, retweet, _ = _quoted_then_retweeted(harness, standin)
    client = harness.platform.client.tweepy
    fields = ["referenced_tweets", "author_id"]
    listed = client.get_quote_tweets(target.remote_id, tweet_fields=fields, user_auth=True)["data"]
    assert {t["id"] for t in listed} == {quote, retweet}
    rt = next(t for t in listed if t["id"] == retweet)
    assert rt["text"].startswith("RT @quoting_fan: ")
    assert rt["referenced_tweets"] == [{"type": "retweeted", "id": quote}]

    excluded = client.get_quote_tweets(target.remote_id, exclude=["retweets"], tweet_fields=fields, user_auth=True)
    assert [t["id"] for t in excluded["data"]] == [quote]
    with pytest.raises(tweepy.BadRequest, match="exclude"):
        client.get_quote_tweets(target.remote_id, exclude=["likes"], user_auth=True)


def test_a_retweet_of_a_quote_is_not_stored_as_a_quote(harness, standin, engine):
    """End to end: XPlatform.fetch_interactions, then storage: one QUOTE by the quoter, nothing by the retweeter."""
    target, quote, retweet, retweeter = _quoted_then_retweeted(harness, standin)
    standin.queries.clear()
    batch = harness.platform.fetch_interactions([target], cursors={}, now=harness.now())
    asked = [q for endpoint, q in standin.queries if endpoint == QUOTES]
    assert asked and all(q.get("exclude") == "retweets" for q in asked)

    store_batch(engine, campaign_id="launch", platform="x", batch=batch, now=harness.now())
    with session_scope(engine) as s:
        rows = s.exec(select(InteractionRow)).all()
    assert [(r.kind, r.remote_id) for r in rows if r.kind == InteractionKind.QUOTE.value] == [("quote", quote)]
    assert retweet not in {r.remote_id for r in rows}
    assert retweeter not in {r.author_id for r in rows}


def test_retweets_of_quotes_are_skipped_even_when_x_ignores_exclude(harness, standin):
    """Defence in depth: an answer that still lists "RT @…" (``referenced_tweets`` retweeted) yields no quote."""
    target, quote, retweet, retweeter = _quoted_then_retweeted(harness, standin)
    standin.honour_exclude = False
    served = harness.platform.client.tweepy.get_quote_tweets(target.remote_id, exclude=["retweets"], user_auth=True)
    assert retweet in {t["id"] for t in served["data"]}  # the stand-in really sends it now

    batch = harness.platform.fetch_interactions([target], cursors={}, now=harness.now())
    quotes = [i for i in batch.interactions if i.kind is InteractionKind.QUOTE]
    assert [(i.remote_id, i.target_id) for i in quotes] == [(quote, target.remote_id)]
    assert all(i.author_id != retweeter for i in batch.interactions)
    assert batch.cursors[f"quotes:{target.remote_id}"] == retweet  # read past it: not fetched again next time


# -- 2. GET /2/users?ids= answers gone accounts in ``errors`` beside ``data`` ----------------------------


def test_stand_in_answers_gone_accounts_with_partial_errors(harness, standin):
    alive, banned = standin.add_user("still_here"), standin.add_user("banned_one")
    standin.suspend(banned)
    body = harness.platform.client.tweepy.get_users(ids=[alive, banned, UNKNOWN], user_auth=True)
    assert [u["id"] for u in body["data"]] == [alive]
    assert body["errors"] == [
        {
            "value": banned,
            "detail": f"User has been suspended: [{banned}].",
            "title": "Forbidden",
            "resource_type": "user",
            "parameter": "ids",
            "resource_id": banned,
            "type": "https://api.twitter.com/2/problems/resource-not-found",
        },
        {
            "value": UNKNOWN,
            "detail": f"Could not find user with ids: [{UNKNOWN}].",
            "title": "Not Found Error",
            "resource_type": "user",
            "parameter": "ids",
            "resource_id": UNKNOWN,
            "type": "https://api.twitter.com/2/problems/resource-not-found",
        },
    ]
    only_gone = harness.platform.client.tweepy.get_users(ids=[UNKNOWN], user_auth=True)
    assert "data" not in only_gone and len(only_gone["errors"]) == 1  # X sends no empty data list


def test_gone_accounts_become_gone_profiles_with_their_reason(harness, standin):
    alive, banned = standin.add_user("still_here", followers=7), standin.add_user("banned_one")
    standin.suspend(banned)
    profiles = {p.remote_id: p for p in harness.platform.fetch_profiles([alive, banned, UNKNOWN], now=harness.now())}
    assert set(profiles) == {alive, banned, UNKNOWN}
    assert (profiles[alive].suspended, profiles[alive].gone_reason, profiles[alive].followers) == (False, None, 7)
    assert (profiles[banned].suspended, profiles[banned].gone_reason) == (True, "suspended")
    assert (profiles[UNKNOWN].suspended, profiles[UNKNOWN].gone_reason) == (True, "not_found")
    assert profiles[banned].followers is None and profiles[UNKNOWN].created_at is None  # nothing made up


def test_gone_accounts_are_stored_once_and_not_looked_up_again(harness, standin, engine):
    banned = standin.add_user("banned_one")
    standin.suspend(banned)
    ids = [banned, UNKNOWN]
    store_profiles(engine, harness.platform.fetch_profiles(ids, now=harness.now()), now=harness.now())
    with session_scope(engine) as s:
        rows = {r.remote_id: r for r in s.exec(select(AuthorSnapshotRow))}
    assert {r: (rows[r].platform, rows[r].suspended, rows[r].gone_reason) for r in rows} == {
        banned: ("x", True, "suspended"),
        UNKNOWN: ("x", True, "not_found"),
    }
    assert authors_without_snapshot(engine, platform="x", remote_ids=ids) == []


@pytest.mark.parametrize(
    ("error", "why"),
    [
        ({"resource_type": "tweet", "resource_id": "5", "detail": "Could not find tweet with ids: [5]."}, "a post"),
        (
            {
                "resource_type": "user",
                "resource_id": "5",
                "title": "Authorization Error",
                "detail": "Sorry, you are not authorized to see the user with id: [5].",
            },
            "hidden, not gone",
        ),
        ({"resource_type": "user", "resource_id": "6", "detail": "User has been suspended: [6]."}, "not asked"),
        ({"resource_type": "user", "detail": "User has been suspended."}, "names no one"),
        ("User has been suspended", "not an object"),
    ],
)
def test_other_lookup_problems_do_not_mark_anyone_gone(error, why):
    assert gone_profile(error, asked={"5"}, taken_at=datetime(2026, 1, 1, tzinfo=UTC)) is None, why


# -- 3. verified_type -------------------------------------------------------------------------------------


def test_verified_type_is_asked_for_parsed_and_stored(harness, standin, engine):
    kinds = {"blue": True, "business": True, "government": True, "none": False}
    ids = {
        kind: standin.add_user(f"v_{kind}", verified=verified, verified_type=kind) for kind, verified in kinds.items()
    }
    standin.queries.clear()
    profiles = harness.platform.fetch_profiles(list(ids.values()), now=harness.now())
    (asked,) = [q for endpoint, q in standin.queries if endpoint == "GET /2/users"]
    assert "verified_type" in asked["user.fields"].split(",")
    by_id = {p.remote_id: p for p in profiles}
    assert {kind: by_id[i].verified_type for kind, i in ids.items()} == {k: k for k in kinds}

    store_profiles(engine, profiles, now=harness.now())
    with session_scope(engine) as s:
        stored = {r.remote_id: r.verified_type for r in s.exec(select(AuthorSnapshotRow))}
    assert stored == {i: kind for kind, i in ids.items()}


def test_verified_type_of_people_seen_in_collection(harness, standin, engine):
    """The authors expanded in collected pages (a reply here) carry verified_type into the stored snapshot."""
    published = harness.platform.publish(Draft(text="Who is verified here?"))
    blue = standin.add_user("blue_fan", verified=True, verified_type="blue")
    standin.reply(published.remote_id, blue, "me!")
    harness.advance(60)
    target = Target(remote_id=published.remote_id, published_at=published.created_at)
    batch = harness.platform.fetch_interactions([target], cursors={}, now=harness.now())
    author = next(a for a in batch.authors if a.remote_id == blue)
    assert (author.verified, author.verified_type) == (True, "blue")
    store_batch(engine, campaign_id="c", platform="x", batch=CollectBatch(authors=(author,)), now=harness.now())
    with session_scope(engine) as s:
        assert s.exec(select(AuthorSnapshotRow.verified_type)).all() == ["blue"]
