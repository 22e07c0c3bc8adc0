"""The X adapter: publishes through tweepy's API v2 client (media through v1.1) and returns only frozen values."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import BinaryIO

import tweepy

from socialbot.domain.media import MediaFormat
from socialbot.domain.values import X_CAPABILITIES, Draft, MediaItem, Published
from socialbot.errors import ContentRejected, OutcomeUnknown, TransientPlatformError
from socialbot.platforms.base import RateBudget, UsageMeter
from socialbot.platforms.credentials import XCredentials
from socialbot.platforms.media import open_for_upload
from socialbot.platforms.x.client import XClient
from socialbot.platforms.x.collect import XCollector
from socialbot.platforms.x.errors import OAUTH_KEYS
from socialbot.platforms.x.payloads import snowflake_time

log = logging.getLogger(__name__)


class XPlatform:
    """One X account through tweepy.Client (API v2, OAuth 1.0a user context); see docs/platforms/x.md."""

    name = "x"
    capabilities = X_CAPABILITIES

    def __init__(
        self,
        *,
        credentials: XCredentials,
        api_url: str = "https://api.twitter.com",
        upload_url: str = "https://upload.twitter.com",
        timeout: float = 30.0,
        usage: UsageMeter | None = None,
        budget: RateBudget | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.client = XClient(
            credentials=credentials,
            api_url=api_url,
            upload_url=upload_url,
            timeout=timeout,
            usage=usage,
            budget=budget,
            clock=clock,
        )
        self.usage = self.client.usage
        self.budget = self.client.budget
        self._collector = XCollector(self.client)
        self._api: tweepy.API | None = None  # v1.1 media upload, built on first use
        self.fetch_interactions = self._collector.fetch_interactions
        self.fetch_metrics = self._collector.fetch_metrics
        self.fetch_profiles = self._collector.fetch_profiles
        self.recent_own_posts = self._collector.recent_own_posts

    def __repr__(self) -> str:
        return f"XPlatform(profile={self.client.credentials.profile!r})"

    # -- publishing ----------------------------------------------------------------------------

    def publish(self, draft: Draft) -> Published:
        self.client.require_user_context()
        with ExitStack() as files:  # every file is checked before the first byte of any is uploaded
            checked = []
            for item in draft.media:
                fp, fmt = open_for_upload(item, self.capabilities)
                checked.append((item, files.enter_context(fp), fmt))
            media_ids = [self._upload(item, fp, fmt) for item, fp, fmt in checked]
        body = self.client.call(
            "publish",
            self.client.tweepy.create_tweet,
            write=True,
            text=draft.text,
            in_reply_to_tweet_id=draft.reply_to,
            media_ids=media_ids or None,
            poll_options=list(draft.poll.options) if draft.poll else None,
            poll_duration_minutes=draft.poll.duration_minutes if draft.poll else None,
            reply_settings=draft.reply_settings,
            user_auth=True,
        )
        data = body.get("data") or {}
        if not str(data.get("id", "")).isdigit():
            raise OutcomeUnknown("X accepted the post but its answer has no id; reconcile with recent own posts")
        remote_id = str(data["id"])
        log.info("published X post %s", remote_id)
        return Published(remote_id=remote_id, url=self.client.url(remote_id), created_at=snowflake_time(remote_id))

    def _upload(self, item: MediaItem, fp: BinaryIO, fmt: MediaFormat) -> str:
        """Upload the already checked, open file of ``item`` (see platforms/media.py) and return its media id."""
        if self._api is None:
            c = self.client.credentials
            auth = tweepy.OAuth1UserHandler(*(getattr(c, k).get_secret_value() for k in OAUTH_KEYS))
            self._api = tweepy.API(auth, timeout=self.client.timeout, retry_count=0, wait_on_rate_limit=False)
            self.client.route.mount_on(self._api.session)
        path = Path(item.path)
        with self.client.translated(f"upload of {path.name}"):
            if fmt.kind in ("video", "gif"):
                category = "tweet_video" if fmt.kind == "video" else "tweet_gif"
                media = self._api.chunked_upload(path.name, file=fp, file_type=fmt.mime, media_category=category)
            else:
                media = self._api.simple_upload(path.name, file=fp, media_category="tweet_image")
            media_id = str(getattr(media, "media_id_string", "") or getattr(media, "media_id", ""))
            if item.alt_text:
                self._api.create_media_metadata(media_id, item.alt_text[:1000])
        if not media_id.isdigit():
            raise TransientPlatformError(f"X answered the upload of {path.name} without a media id")
        return media_id

    def delete(self, remote_id: str) -> None:
        self.client.require_user_context()
        body = self.client.call(f"delete of {remote_id}", self.client.tweepy.delete_tweet, write=True, id=remote_id)
        if not (body.get("data") or {}).get("deleted"):
            raise ContentRejected(f"X did not delete post {remote_id}")
