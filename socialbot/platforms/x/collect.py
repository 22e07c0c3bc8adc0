"""Reading side of the X adapter: incremental, batched collection of interactions, metrics, profiles and own posts."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta

from socialbot.domain.batching import chunks
from socialbot.domain.values import AuthorProfile, CollectBatch, InteractionKind, Metrics, OwnPost, Target
from socialbot.platforms.x.client import XClient
from socialbot.platforms.x.payloads import (
    BATCH_SIZE,
    LIKERS_CAP,
    PAGE_SIZE,
    QUERY_LIMIT,
    SEARCH_WINDOW,
    TWEET_FIELDS,
    USER_FIELDS,
    WINDOW_MARGIN,
    Collected,
    gone_profile,
    or_queries,
    parse_interaction,
    parse_metrics,
    parse_profile,
    parse_time,
    post_id,
    posts_of,
    referenced,
    snowflake_time,
    user_reaction,
)

log = logging.getLogger(__name__)

_AUTHORED = {"expansions": ["author_id"], "tweet_fields": TWEET_FIELDS, "user_fields": USER_FIELDS}


class XCollector:
    """The read half of the X adapter, over one account's ``XClient``."""

    def __init__(self, client: XClient) -> None:
        self.client = client

    # -- interactions --------------------------------------------------------------------------

    def fetch_interactions(
        self,
        targets: Sequence[Target],
        *,
        cursors: Mapping[str, str],
        keywords: Sequence[str] = (),
        now: datetime,
    ) -> CollectBatch:
        me = self.client.me()
        found = Collected(now=now, cursors={}, interactions={}, authors={}, notes=[])
        own_ids = {t.remote_id for t in targets}
        self._collect_replies(targets, cursors, found, me_id=me.id, me_name=me.username)
        self._collect_mentions(cursors, found, me_id=me.id, own_ids=own_ids)
        self._collect_reactions(targets, cursors, found)
        for keyword in dict.fromkeys(keywords):
            self._collect_search(keyword, cursors, found, me_id=me.id)
        return CollectBatch(
            interactions=tuple(found.interactions.values()),
            authors=tuple(found.authors.values()),
            cursors=found.cursors,
            notes=tuple(found.notes),
        )

    def _since(self, cursor: str | None, *, start: datetime, now: datetime, stream: str, found: Collected):
        """(since_id, start_time) for a recent-search stream, noting any gap older than the 7-day window."""
        floor = now - SEARCH_WINDOW + WINDOW_MARGIN
        if cursor and cursor.isdigit() and snowflake_time(cursor) > floor:
            return cursor, None
        gap_from = snowflake_time(cursor) if cursor and cursor.isdigit() else start
        if gap_from < floor:
            found.notes.append(
                f"{stream}: gap since {gap_from:%Y-%m-%d %H:%M} UTC is older than X's 7-day search window; "
                f"posts before {floor:%Y-%m-%d %H:%M} UTC cannot be collected"
            )
        return None, max(start, floor)

    def _search(self, query: str, *, since_id: str | None, start: datetime | None) -> Iterator[dict]:
        params = {"since_id": since_id} if since_id else {"start_time": start}
        yield from self.client.pages(
            f"search {query[:60]!r}",
            self.client.tweepy.search_recent_tweets,
            token_param="next_token",
            query=query,
            max_results=PAGE_SIZE,
            user_auth=self.client.user_auth,
            **_AUTHORED,
            **params,
        )

    def _collect_replies(
        self, targets: Sequence[Target], cursors: Mapping[str, str], found: Collected, *, me_id: str, me_name: str
    ):
        # Targets whose cursor is usable share one since_id (the oldest); the others share one start_time.
        with_since: list[tuple[str, Target]] = []
        without: list[tuple[datetime, Target]] = []
        for target in targets:
            key = f"replies:{target.remote_id}"
            since_id, start = self._since(
                cursors.get(key),
                start=target.published_at,
                now=found.now,
                stream=f"replies to {target.remote_id}",
                found=found,
            )
            if since_id:
                with_since.append((since_id, target))
                found.cursors[key] = since_id
            else:
                without.append((start, target))
        with_since.sort(key=lambda pair: int(pair[0]))
        without.sort(key=lambda pair: pair[0])
        own = f" -from:{me_name}" if me_name else ""  # our own thread parts are not reactions
        groups = [(p, True) for p in _grouped(with_since, room=len(own) + 2)]
        groups += [(p, False) for p in _grouped(without, room=len(own) + 2)]
        for pairs, by_id in groups:
            ids = {t.remote_id for _, t in pairs}
            query = "(" + " OR ".join(f"conversation_id:{t.remote_id}" for _, t in pairs) + ")" + own
            since_id = str(min(int(p[0]) for p in pairs)) if by_id else None
            start = None if by_id else min(p[0] for p in pairs)
            newest = None
            for page in self._search(query, since_id=since_id, start=start):
                found.users((page.get("includes") or {}).get("users") or ())
                for tweet in posts_of(page):
                    newest = max(newest or 0, int(post_id(tweet)))
                    conversation = str(tweet.get("conversation_id") or "")
                    if conversation in ids and post_id(tweet) != conversation and tweet.get("author_id") != me_id:
                        found.add(
                            parse_interaction(
                                tweet,
                                InteractionKind.REPLY,
                                target_id=conversation,
                                parent_id=referenced(tweet, "replied_to") or conversation,
                            )
                        )
            for target_id in ids:
                found.advance(f"replies:{target_id}", str(newest) if newest else None)

    def _collect_mentions(self, cursors: Mapping[str, str], found: Collected, *, me_id: str, own_ids: set[str]):
        since = cursors.get("mentions")
        params = {"since_id": since} if since and since.isdigit() else {}
        for page in self.client.pages(
            "mentions",
            self.client.tweepy.get_users_mentions,
            token_param="pagination_token",
            id=me_id,
            max_results=PAGE_SIZE,
            user_auth=self.client.user_auth,
            **_AUTHORED,
            **params,
        ):
            found.users((page.get("includes") or {}).get("users") or ())
            found.advance("mentions", (page.get("meta") or {}).get("newest_id"))
            for tweet in posts_of(page):
                if tweet.get("author_id") == me_id:
                    continue
                conversation = str(tweet.get("conversation_id") or "")
                parent = referenced(tweet, "replied_to")
                if conversation in own_ids:  # a reply to one of ours that also @-mentions us
                    found.add(parse_interaction(tweet, InteractionKind.REPLY, target_id=conversation, parent_id=parent))
                else:
                    found.add(parse_interaction(tweet, InteractionKind.MENTION, target_id=None, parent_id=parent))

    def _collect_reactions(self, targets: Sequence[Target], cursors: Mapping[str, str], found: Collected):
        """Quotes, reposters and likers, fetched only for targets whose counters moved since the last collection."""
        counts: dict[str, dict] = {}
        for ids in chunks([t.remote_id for t in targets], BATCH_SIZE):
            body = self.client.call(
                "counters of our posts",
                self.client.tweepy.get_tweets,
                ids=ids,
                tweet_fields=["public_metrics"],
                user_auth=self.client.user_auth,
            )
            for tweet in posts_of(body):
                counts[post_id(tweet)] = tweet.get("public_metrics") or {}
        for target in targets:
            if target.remote_id not in counts:
                continue  # deleted or not visible any more
            now_counts = counts[target.remote_id]
            key = f"counts:{target.remote_id}"
            before = dict(zip(("like", "retweet", "quote"), (cursors.get(key) or "-/-/-").split("/"), strict=False))

            def moved(name: str, *, _now=now_counts, _before=before) -> bool:
                value = _now.get(f"{name}_count")
                return value is None or (str(value) != _before.get(name) and int(value) > 0)

            if moved("quote"):
                self._collect_quotes(target.remote_id, cursors, found)
            if moved("retweet"):
                self._collect_users(target.remote_id, InteractionKind.REPOST, found)
            if moved("like"):
                likers = self._collect_users(target.remote_id, InteractionKind.LIKE, found)
                total = now_counts.get("like_count")
                if likers >= LIKERS_CAP or (total or 0) > LIKERS_CAP:
                    found.notes.append(
                        f"likers of {target.remote_id} capped at {LIKERS_CAP} by X ({total} likes in total): "
                        "only the most recent likers can be named"
                    )
            if all(now_counts.get(f"{n}_count") is not None for n in ("like", "retweet", "quote")):
                found.cursors[key] = "/".join(str(now_counts[f"{n}_count"]) for n in ("like", "retweet", "quote"))

    def _collect_quotes(self, tweet_id: str, cursors: Mapping[str, str], found: Collected) -> None:
        """Quotes of ``tweet_id``; X also lists retweets of those quotes ("RT @quoter: …") unless told to exclude them."""
        key = f"quotes:{tweet_id}"
        seen = int(cursors[key]) if (cursors.get(key) or "").isdigit() else 0
        for page in self.client.pages(
            f"quotes of {tweet_id}",
            self.client.tweepy.get_quote_tweets,
            token_param="pagination_token",
            id=tweet_id,
            exclude=["retweets"],
            max_results=PAGE_SIZE,
            user_auth=self.client.user_auth,
            **_AUTHORED,
        ):
            found.users((page.get("includes") or {}).get("users") or ())
            tweets = posts_of(page)
            for tweet in tweets:
                found.advance(key, post_id(tweet))
                if referenced(tweet, "retweeted"):
                    continue  # a retweet of a quote: the retweeter did not quote us (kept out even if X ignores exclude)
                if int(post_id(tweet)) > seen:
                    found.add(parse_interaction(tweet, InteractionKind.QUOTE, target_id=tweet_id, parent_id=tweet_id))
            if any(int(post_id(t)) <= seen for t in tweets):
                break  # newest first: everything further was collected before

    def _collect_users(self, tweet_id: str, kind: InteractionKind, found: Collected) -> int:
        method = (
            self.client.tweepy.get_liking_users if kind is InteractionKind.LIKE else self.client.tweepy.get_retweeters
        )
        count = 0
        for page in self.client.pages(
            f"{kind.value}s of {tweet_id}",
            method,
            token_param="pagination_token",
            id=tweet_id,
            max_results=PAGE_SIZE,
            user_fields=USER_FIELDS,
            user_auth=self.client.user_auth,
        ):
            users = [u for u in page.get("data") or () if isinstance(u, dict) and "id" in u]
            found.users(users)
            for user in users:
                found.add(user_reaction(kind, tweet_id=tweet_id, user=user, now=found.now))
            count += len(users)
        return count

    def _collect_search(self, keyword: str, cursors: Mapping[str, str], found: Collected, *, me_id: str) -> None:
        key = f"search:{keyword}"
        since_id, start = (
            self._since(
                cursors.get(key),
                start=found.now - SEARCH_WINDOW,
                now=found.now,
                stream=f"search {keyword!r}",
                found=found,
            )
            if cursors.get(key)
            else (None, found.now - SEARCH_WINDOW + WINDOW_MARGIN)
        )
        for page in self._search(f"({keyword}) -is:retweet", since_id=since_id, start=start):
            found.users((page.get("includes") or {}).get("users") or ())
            found.advance(key, (page.get("meta") or {}).get("newest_id"))
            for tweet in posts_of(page):
                if tweet.get("author_id") != me_id:
                    found.add(
                        parse_interaction(
                            tweet, InteractionKind.HASHTAG, target_id=None, parent_id=referenced(tweet, "replied_to")
                        )
                    )
        if since_id:
            found.cursors.setdefault(key, since_id)

    # -- metrics, profiles, own posts ----------------------------------------------------------

    def fetch_metrics(self, remote_ids: Sequence[str], *, now: datetime) -> list[Metrics]:
        metrics: list[Metrics] = []
        for ids in chunks(list(dict.fromkeys(remote_ids)), BATCH_SIZE):
            body = self.client.call(
                "metrics",
                self.client.tweepy.get_tweets,
                ids=ids,
                tweet_fields=["public_metrics", "created_at", "attachments"],
                expansions=["attachments.poll_ids"],
                poll_fields=["options", "voting_status", "end_datetime", "duration_minutes"],
                user_auth=self.client.user_auth,
            )
            included = (body.get("includes") or {}).get("polls") or ()
            polls = {str(p["id"]): p for p in included if isinstance(p, dict) and "id" in p}
            metrics += [parse_metrics(t, polls=polls, now=now) for t in posts_of(body)]
            for error in body.get("errors") or ():
                log.debug("no metrics for X post %s: %s", error.get("resource_id"), error.get("title"))
        return metrics

    def fetch_profiles(self, author_ids: Sequence[str], *, now: datetime) -> list[AuthorProfile]:
        profiles: list[AuthorProfile] = []
        for ids in chunks(list(dict.fromkeys(author_ids)), BATCH_SIZE):
            body = self.client.call(
                "profiles",
                self.client.tweepy.get_users,
                ids=ids,
                user_fields=USER_FIELDS,
                user_auth=self.client.user_auth,
            )
            profiles += [parse_profile(u, taken_at=now) for u in body.get("data") or () if "id" in u]
            known = {p.remote_id for p in profiles}
            for error in body.get("errors") or ():
                gone = gone_profile(error, asked=set(ids) - known, taken_at=now)
                if gone is None:
                    log.debug("X users lookup problem not about a gone account: %s", str(error)[:200])
                    continue
                known.add(gone.remote_id)
                profiles.append(gone)
        return profiles

    def recent_own_posts(self, *, since: datetime) -> list[OwnPost]:
        me = self.client.me()
        posts: list[OwnPost] = []
        floor = since - timedelta(seconds=1)
        for page in self.client.pages(
            "own recent posts",
            self.client.tweepy.get_users_tweets,
            token_param="pagination_token",
            id=me.id,
            start_time=floor,
            max_results=PAGE_SIZE,
            tweet_fields=TWEET_FIELDS,
            user_auth=True,
        ):
            for tweet in posts_of(page):
                tweet_id = post_id(tweet)
                posts.append(
                    OwnPost(
                        remote_id=tweet_id,
                        text=str(tweet.get("text") or ""),
                        created_at=parse_time(tweet.get("created_at"), fallback_id=tweet_id) or since,
                        url=f"https://x.com/{me.username or 'i/web'}/status/{tweet_id}",
                        reply_to=referenced(tweet, "replied_to"),
                    )
                )
        return sorted(posts, key=lambda p: int(p.remote_id), reverse=True)


def _grouped(pairs: list, *, room: int) -> Iterator[list]:
    """Consecutive pairs (_, Target) whose ``conversation_id:`` OR-query (plus ``room`` characters) fits one search."""
    by_term = {f"conversation_id:{t.remote_id}": (x, t) for x, t in pairs}
    for terms in or_queries(list(by_term), limit=QUERY_LIMIT - room):
        yield [by_term[term] for term in terms]
