"""The route table: which X endpoint does what to the world (tweets, lookups, likers, users, mentions, timelines)."""

from __future__ import annotations

import json

from .media import _media
from .oauth import _oauth
from .paging import _max_results, _page, _timeline
from .protocol import _PROBLEM, JSON, ApiError, _invalid, _set
from .search import _search
from .world import XWorld


def _not_found(kind: str, value: str, parameter: str = "id") -> ApiError:
    return ApiError(
        404 if kind == "tweet-delete" else 200,
        {
            "errors": [
                {
                    "value": value,
                    "detail": f"Could not find tweet with {parameter}: [{value}].",
                    "title": "Not Found Error",
                    "resource_type": "tweet",
                    "parameter": parameter,
                    "resource_id": value,
                    "type": f"{_PROBLEM}resource-not-found",
                }
            ]
        },
    )


def _route(x: XWorld, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: bytes):
    segments = path.strip("/").split("/")
    if segments[0] == "oauth":
        return _oauth(x, method, segments[1], query, headers, body)
    if segments[:2] == ["1.1", "media"]:
        x._caller(headers, user_context=True)
        return _media(x, method, path, query, headers, body)
    if segments[0] != "2":
        raise ApiError(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})
    rest = segments[1:]
    write = method != "GET"
    me = x._caller(headers, user_context=write or rest == ["users", "me"])
    match method, rest:
        case "POST", ["tweets"]:
            return 201, _create(x, me, json.loads(body or b"{}")), JSON
        case "DELETE", ["tweets", tweet_id]:
            tweet = x.tweets.get(tweet_id)
            if tweet is None:
                raise _not_found("tweet-delete", tweet_id)
            if tweet["author_id"] != me:
                raise ApiError(
                    403,
                    {
                        "title": "Forbidden",
                        "type": "about:blank",
                        "status": 403,
                        "detail": "You are not allowed to delete this Tweet.",
                    },
                )
            del x.tweets[tweet_id]
            return 200, {"data": {"deleted": True}}, JSON
        case "GET", ["tweets", "search", ("recent" | "all") as scope]:
            return 200, _search(x, scope, query), JSON
        case "GET", ["tweets"]:
            ids = [i for i in query.get("ids", "").split(",") if i]
            if not 1 <= len(ids) <= 100:
                raise _invalid(
                    "The number of values in the `ids` query parameter list must be between 1 and 100",
                    ids=[query.get("ids", "")],
                )
            found = [x.tweets[i] for i in ids if i in x.tweets]
            out = x.envelope(found, query)
            errors = [_not_found("tweet", i, "ids").body["errors"][0] for i in ids if i not in x.tweets]
            if errors:
                out["errors"] = errors
            return 200, out, JSON
        case "GET", ["tweets", tweet_id]:
            if tweet_id not in x.tweets:
                return 200, _not_found("tweet", tweet_id).body, JSON
            return 200, x.envelope([x.tweets[tweet_id]], query, single=True), JSON
        case "GET", ["tweets", tweet_id, ("liking_users" | "retweeted_by") as kind]:
            people = (x.likes if kind == "liking_users" else x.retweets).get(tweet_id, [])
            if kind == "liking_users":
                people = people[:100]  # X lists only the 100 most recent likers
            size = _max_results(query, low=1, high=100, default=100)
            chunk, meta = _page(people, query, size=size, token_name="pagination_token")
            out: dict = {"meta": meta}
            if chunk:
                out = {"data": [x.render_user(x.users[u], _set(query.get("user.fields"))) for u in chunk], "meta": meta}
            return 200, out, JSON
        case "GET", ["tweets", tweet_id, "quote_tweets"]:
            size = _max_results(query, low=10, high=100, default=10)
            return 200, _timeline(x, _quotes(x, tweet_id, query), query, size=size, token_name="pagination_token"), JSON
        case "GET", ["users", "me"]:
            return 200, {"data": x.render_user(x.users[me], _set(query.get("user.fields")))}, JSON
        case "GET", ["users"]:
            ids = [i for i in query.get("ids", "").split(",") if i]
            if not 1 <= len(ids) <= 100:
                raise _invalid(
                    "The number of values in the `ids` query parameter list must be between 1 and 100",
                    ids=[query.get("ids", "")],
                )
            fields = _set(query.get("user.fields"))
            live = [i for i in ids if i in x.users and not x.users[i]["suspended"]]
            out = {"data": [x.render_user(x.users[i], fields) for i in live]} if live else {}
            errors = [_user_problem(x, i, "ids") for i in ids if i not in live]
            if errors:
                out["errors"] = errors
            return 200, out, JSON
        case "GET", ["users", "by", "username", username]:
            user = next((u for u in x.users.values() if u["username"].lower() == username.lower()), None)
            if user is not None and user["suspended"]:
                raise ApiError(200, {"errors": [_user_problem(x, username, "username", suspended=True)]})
            if user is None:
                raise ApiError(
                    200,
                    {
                        "errors": [
                            {
                                "value": username,
                                "detail": f"Could not find user with username: [{username}].",
                                "title": "Not Found Error",
                                "resource_type": "user",
                                "parameter": "username",
                                "resource_id": username,
                                "type": f"{_PROBLEM}resource-not-found",
                            }
                        ]
                    },
                )
            return 200, {"data": x.render_user(user, _set(query.get("user.fields")))}, JSON
        case "GET", ["users", user_id, "mentions"]:
            handle = "@" + x.users[user_id]["username"].lower()
            found = [t for t in x.tweets.values() if handle in t["text"].lower() and t["author_id"] != user_id]
            found = sorted(found, key=lambda t: int(t["id"]), reverse=True)[:800]
            size = _max_results(query, low=5, high=100, default=10)
            return 200, _timeline(x, found, query, size=size, token_name="pagination_token"), JSON
        case "GET", ["users", user_id, "tweets"]:
            own = [t for t in x.tweets.values() if t["author_id"] == user_id]
            size = _max_results(query, low=5, high=100, default=10)
            return 200, _timeline(x, own, query, size=size, token_name="pagination_token"), JSON
    raise ApiError(404, {"errors": [{"message": "Sorry, that page does not exist", "code": 34}]})


def _user_problem(x: XWorld, value: str, parameter: str, *, suspended: bool | None = None) -> dict:
    """One ``errors`` entry of a users lookup: the account is suspended, or X cannot find it."""
    if suspended is None:
        suspended = value in x.users and x.users[value]["suspended"]
    return {
        "value": value,
        "detail": f"User has been suspended: [{value}]."
        if suspended
        else f"Could not find user with {parameter}: [{value}].",
        "title": "Forbidden" if suspended else "Not Found Error",
        "resource_type": "user",
        "parameter": parameter,
        "resource_id": value,
        "type": f"{_PROBLEM}resource-not-found",
    }


def _quotes(x: XWorld, tweet_id: str, query: dict[str, str]) -> list[dict]:
    """What X lists as quotes of ``tweet_id``: the quotes, and the retweets of those quotes unless ``exclude=retweets``."""
    exclude = _set(query.get("exclude"))
    if not exclude <= {"retweets", "replies"}:
        wrong = ",".join(sorted(exclude - {"retweets", "replies"}))
        raise _invalid(
            f"The `exclude` query parameter value [{wrong}] is not one of [replies,retweets]", exclude=[wrong]
        )
    if not x.honour_exclude:
        exclude = set()
    quotes = [t for t in x.tweets.values() if t["quote_of"] == tweet_id]
    quote_ids = {t["id"] for t in quotes}
    if "retweets" not in exclude:
        quotes += [t for t in x.tweets.values() if t.get("retweet_of") in quote_ids]
    if "replies" in exclude:
        quotes = [t for t in quotes if not t["in_reply_to"]]
    return quotes


def _create(x: XWorld, me: str, payload: dict) -> dict:
    text = str(payload.get("text") or "")
    reply_to = (payload.get("reply") or {}).get("in_reply_to_tweet_id")
    if not text and not payload.get("media"):
        raise _invalid("text or media is required", text=[""])
    if len(text) > 280:
        raise ApiError(
            403,
            {
                "title": "Forbidden",
                "type": "about:blank",
                "status": 403,
                "detail": "Your Tweet text is too long. For more information on how Twitter determines "
                "text length see https://github.com/twitter/twitter-text.",
            },
        )
    if any(t["author_id"] == me and t["text"] == text for t in x.tweets.values()):
        raise ApiError(
            403,
            {
                "detail": "You are not allowed to create a Tweet with duplicate content.",
                "type": "about:blank",
                "title": "Forbidden",
                "status": 403,
            },
        )
    if reply_to and reply_to not in x.tweets:
        raise ApiError(
            403,
            {
                "title": "Forbidden",
                "type": "about:blank",
                "status": 403,
                "detail": "You attempted to reply to a Tweet that is deleted or not visible to you.",
            },
        )
    extra: dict = {}
    poll = payload.get("poll")
    if poll:
        options, duration = poll.get("options") or [], int(poll.get("duration_minutes") or 0)
        if not 2 <= len(options) <= 4 or any(len(o) > 25 for o in options) or not 5 <= duration <= 10080:
            raise _invalid("poll: 2 to 4 options of at most 25 characters, 5 to 10080 minutes", poll=[str(poll)])
        poll_id = x._next_id()
        x.polls[poll_id] = {
            "options": list(options),
            "votes": [0] * len(options),
            "duration": duration,
            "end": x.clock() + duration * 60,
        }
        extra["poll_id"] = poll_id
    media_ids = (payload.get("media") or {}).get("media_ids") or []
    for media_id in media_ids:
        if str(media_id) not in x.media:
            raise _invalid(f"Your media IDs are invalid: [{media_id}]", media=[str(media_id)])
    if media_ids:
        extra["media_keys"] = [f"3_{m}" for m in media_ids]
    tweet_id = x.post(me, text, reply_to=reply_to, **extra)
    x.tweets[tweet_id]["reply_settings"] = payload.get("reply_settings") or "everyone"
    return {"data": {"id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id]}}
