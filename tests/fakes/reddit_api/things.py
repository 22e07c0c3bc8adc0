"""What the Reddit stand-in stores (``_Thing``, base-36 ids) and the full t3/t1 field sets praw receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_T3_DEFAULTS: dict[str, Any] = {
    "all_awardings": [],
    "allow_live_comments": False,
    "approved": False,
    "approved_at_utc": None,
    "approved_by": None,
    "archived": False,
    "author": "",
    "author_flair_background_color": "",
    "author_flair_css_class": None,
    "author_flair_richtext": [],
    "author_flair_template_id": None,
    "author_flair_text": None,
    "author_flair_text_color": "",
    "author_flair_type": "",
    "author_fullname": "",
    "author_patreon_flair": False,
    "author_premium": False,
    "awarders": [],
    "banned_at_utc": None,
    "banned_by": None,
    "can_gild": False,
    "can_mod_post": False,
    "category": None,
    "clicked": False,
    "content_categories": None,
    "contest_mode": False,
    "created": 0.0,
    "created_utc": 0.0,
    "discussion_type": None,
    "distinguished": None,
    "domain": "",
    "downs": 0,
    "edited": False,
    "from": None,
    "from_id": None,
    "from_kind": None,
    "gilded": 0,
    "gildings": {},
    "hidden": False,
    "hide_score": False,
    "id": "",
    "ignore_reports": False,
    "is_crosspostable": False,
    "is_meta": False,
    "is_original_content": False,
    "is_reddit_media_domain": False,
    "is_robot_indexable": False,
    "is_self": False,
    "is_video": False,
    "likes": False,
    "link_flair_background_color": "",
    "link_flair_css_class": None,
    "link_flair_richtext": [],
    "link_flair_text": None,
    "link_flair_text_color": "",
    "link_flair_type": "",
    "locked": False,
    "media": None,
    "media_embed": {},
    "media_only": False,
    "mod_note": None,
    "mod_reason_by": None,
    "mod_reason_title": None,
    "mod_reports": [],
    "name": "",
    "no_follow": False,
    "num_comments": 0,
    "num_crossposts": 0,
    "num_duplicates": 0,
    "num_reports": None,
    "over_18": False,
    "parent_whitelist_status": None,
    "permalink": "",
    "pinned": False,
    "pwls": None,
    "quarantine": False,
    "removal_reason": None,
    "removed": False,
    "removed_by": None,
    "removed_by_category": None,
    "report_reasons": None,
    "rte_mode": "",
    "saved": False,
    "score": 0,
    "secure_media": None,
    "secure_media_embed": {},
    "selftext": "",
    "selftext_html": None,
    "send_replies": False,
    "spam": False,
    "spoiler": False,
    "stickied": False,
    "subreddit": "",
    "subreddit_id": "",
    "subreddit_name_prefixed": "",
    "subreddit_subscribers": 0,
    "subreddit_type": "",
    "suggested_sort": None,
    "thumbnail": "",
    "thumbnail_height": None,
    "thumbnail_width": None,
    "title": "",
    "total_awards_received": 0,
    "treatment_tags": [],
    "ups": 0,
    "upvote_ratio": 0.0,
    "url": "",
    "user_reports": [],
    "view_count": None,
    "visited": False,
    "whitelist_status": None,
    "wls": None,
}

_T1_DEFAULTS: dict[str, Any] = {
    "all_awardings": [],
    "approved_by": None,
    "archived": False,
    "author": "",
    "author_flair_css_class": None,
    "author_flair_text": None,
    "author_fullname": "",
    "awarders": [],
    "banned_by": None,
    "body": "",
    "body_html": "",
    "collapsed": False,
    "controversiality": 0,
    "created": 0.0,
    "created_utc": 0.0,
    "depth": 0,
    "distinguished": None,
    "downs": 0,
    "edited": False,
    "gilded": 0,
    "gildings": {},
    "id": "",
    "is_submitter": False,
    "likes": False,
    "link_id": "",
    "link_title": "",
    "locked": False,
    "mod_reports": [],
    "name": "",
    "num_reports": None,
    "parent_id": "",
    "permalink": "",
    "removal_reason": None,
    "replies": {},
    "report_reasons": None,
    "saved": False,
    "score": 0,
    "score_hidden": False,
    "send_replies": True,
    "stickied": False,
    "subreddit": "",
    "subreddit_id": "",
    "subreddit_name_prefixed": "",
    "subreddit_type": "public",
    "total_awards_received": 0,
    "unrepliable_reason": None,
    "ups": 0,
    "user_reports": [],
}


@dataclass
class _Thing:
    kind: str  # "t3" | "t1"
    id: str
    author: str
    subreddit: str
    created_utc: float
    text: str = ""
    title: str = ""
    url: str | None = None
    parent: str | None = None  # fullname (comments)
    link: str | None = None  # submission fullname (comments)
    flair: dict | None = None
    poll: dict | None = None
    nsfw: bool = False
    spoiler: bool = False
    suggested_sort: str | None = None
    score: int = 1
    deleted: bool = False

    @property
    def name(self) -> str:
        return f"{self.kind}_{self.id}"


def _b36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out
