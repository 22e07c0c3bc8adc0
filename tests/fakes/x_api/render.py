"""How the stand-in's tweets, users and polls look on the wire: field selection, metrics, entities and includes."""

from __future__ import annotations

import re
from collections.abc import Callable

from .protocol import _iso, _set


class Rendering:
    """The payload renderers of ``XWorld``; they only read the world state declared below."""

    clock: Callable[[], float]
    users: dict[str, dict]
    tweets: dict[str, dict]
    likes: dict[str, list[str]]
    retweets: dict[str, list[str]]
    polls: dict[str, dict]

    def _counts(self, tweet: dict) -> dict:
        tid = tweet["id"]
        replies = sum(1 for t in self.tweets.values() if t["in_reply_to"] == tid)
        quotes = sum(1 for t in self.tweets.values() if t["quote_of"] == tid)
        likes, reposts = len(self.likes.get(tid, ())), len(self.retweets.get(tid, ()))
        return {
            "retweet_count": reposts,
            "reply_count": replies,
            "like_count": likes,
            "quote_count": quotes,
            "bookmark_count": 0,
            "impression_count": 25 * (1 + replies + likes + reposts + quotes),
        }

    def render_tweet(self, tweet: dict, fields: set[str]) -> dict:
        out = {"id": tweet["id"], "text": tweet["text"], "edit_history_tweet_ids": [tweet["id"]]}
        refs = [{"type": "replied_to", "id": tweet["in_reply_to"]}] if tweet["in_reply_to"] else []
        refs += [{"type": "quoted", "id": tweet["quote_of"]}] if tweet["quote_of"] else []
        refs += [{"type": "retweeted", "id": tweet["retweet_of"]}] if tweet.get("retweet_of") else []
        attachments = {}
        if tweet.get("poll_id"):
            attachments["poll_ids"] = [tweet["poll_id"]]
        if tweet.get("media_keys"):
            attachments["media_keys"] = list(tweet["media_keys"])
        values = {
            "created_at": _iso(tweet["created_at"]),
            "author_id": tweet["author_id"],
            "conversation_id": tweet["conversation_id"],
            "in_reply_to_user_id": tweet["in_reply_to_user_id"],
            "referenced_tweets": refs or None,
            "public_metrics": self._counts(tweet),
            "attachments": attachments or None,
            "reply_settings": tweet["reply_settings"],
            "lang": "en",
            "source": "Twitter Web App",
            "possibly_sensitive": False,
            "entities": _entities(tweet["text"]) or None,
            "context_annotations": [
                {
                    "domain": {
                        "id": "131",
                        "name": "Unified Twitter Taxonomy",
                        "description": "A taxonomy of user interests.",
                    },
                    "entity": {
                        "id": "848920371311001600",
                        "name": "Technology",
                        "description": "Technology and computing",
                    },
                }
            ],
            "edit_controls": {
                "edits_remaining": 5,
                "is_edit_eligible": True,
                "editable_until": _iso(tweet["created_at"] + 3600),
            },
        }
        out |= {k: v for k, v in values.items() if k in fields and v is not None}
        return out

    def render_user(self, user: dict, fields: set[str]) -> dict:
        out = {"id": user["id"], "name": user["name"], "username": user["username"]}
        entities = {}
        if user["url"]:
            entities["url"] = {
                "urls": [
                    {
                        "start": 0,
                        "end": 23,
                        "url": "https://t.co/standin1",
                        "expanded_url": user["url"],
                        "display_url": user["url"].split("://", 1)[-1],
                    }
                ]
            }
        tags = _entities(user["description"]).get("hashtags")
        if tags:
            entities["description"] = {"hashtags": tags}
        values = {
            "created_at": _iso(user["created_at"]),
            "description": user["description"],
            "entities": entities or None,
            "location": user["location"] or None,
            "profile_image_url": "https://pbs.twimg.com/profile_images/0/standin_normal.jpg",
            "protected": user["protected"],
            "public_metrics": {
                "followers_count": user["followers"],
                "following_count": user["following"],
                "tweet_count": sum(1 for t in self.tweets.values() if t["author_id"] == user["id"]),
                "listed_count": 0,
            },
            "url": "https://t.co/standin1" if user["url"] else "",
            "verified": user["verified"],
            "verified_type": user["verified_type"],
        }
        out |= {k: v for k, v in values.items() if k in fields and v is not None}
        return out

    def render_poll(self, poll_id: str, fields: set[str]) -> dict:
        poll = self.polls[poll_id]
        out = {
            "id": poll_id,
            "options": [
                {"position": n + 1, "label": label, "votes": poll["votes"][n]}
                for n, label in enumerate(poll["options"])
            ],
        }
        values = {
            "duration_minutes": poll["duration"],
            "end_datetime": _iso(poll["end"]),
            "voting_status": "open" if self.clock() < poll["end"] else "closed",
        }
        out |= {k: v for k, v in values.items() if k in fields}
        return out

    def envelope(self, tweets: list[dict], query: dict[str, str], *, single: bool = False) -> dict:
        """``data`` + ``includes`` for a list of tweets, honouring tweet.fields / user.fields / expansions."""
        fields = _set(query.get("tweet.fields"))
        user_fields = _set(query.get("user.fields"))
        expansions = _set(query.get("expansions"))
        data = [self.render_tweet(t, fields) for t in tweets]
        includes: dict[str, list] = {}
        users: dict[str, dict] = {}
        for tweet in tweets:
            wanted = []
            if "author_id" in expansions:
                wanted.append(tweet["author_id"])
            if "in_reply_to_user_id" in expansions and tweet["in_reply_to_user_id"]:
                wanted.append(tweet["in_reply_to_user_id"])
            for uid in wanted:
                if uid in self.users:
                    users.setdefault(uid, self.render_user(self.users[uid], user_fields))
        if users:
            includes["users"] = list(users.values())
        if "referenced_tweets.id" in expansions:
            refs = [
                self.tweets[r]
                for t in tweets
                for r in (t["in_reply_to"], t["quote_of"], t.get("retweet_of"))
                if r in self.tweets
            ]
            if refs:
                includes["tweets"] = [self.render_tweet(t, fields) for t in refs]
        if "edit_history_tweet_ids" in expansions:
            includes.setdefault("tweets", []).extend(self.render_tweet(t, fields) for t in tweets)
        if "attachments.poll_ids" in expansions:
            polls = [self.render_poll(t["poll_id"], _set(query.get("poll.fields"))) for t in tweets if t.get("poll_id")]
            if polls:
                includes["polls"] = polls
        body: dict = {}
        if data:
            body["data"] = data[0] if single else data
        if includes:
            body["includes"] = includes
        return body


def _entities(text: str) -> dict:
    out: dict[str, list] = {}
    for key, pattern, name in (("hashtags", r"#(\w+)", "tag"), ("mentions", r"@(\w+)", "username")):
        found = [{"start": m.start(), "end": m.end(), name: m.group(1)} for m in re.finditer(pattern, text)]
        if found:
            out[key] = found
    urls = [
        {
            "start": m.start(),
            "end": m.end(),
            "url": m.group(0),
            "expanded_url": m.group(0),
            "display_url": m.group(0).split("://", 1)[-1],
        }
        for m in re.finditer(r"https?://\S+", text)
    ]
    if urls:
        out["urls"] = urls
    annotations = [
        {"start": m.start(), "end": m.end() - 1, "probability": 0.5, "type": "Other", "normalized_text": m.group(0)}
        for m in re.finditer(r"\b[A-Z][a-z]{3,}\b", text)
    ]
    if annotations:
        out["annotations"] = annotations
    return out
