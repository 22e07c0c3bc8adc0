"""Reddit's JSON shapes: t1/t3 things (and inbox items), t2 accounts, paged listings, more stubs, flair templates."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from .things import _T1_DEFAULTS, _T3_DEFAULTS, _Thing
from .world import RedditWorld


class Listings(RedditWorld):
    """The payload renderers of the stand-in."""

    @staticmethod
    def _more(parent: str, ids: list[str], depth: int) -> dict:
        data = {
            "count": len(ids),
            "name": f"t1_{ids[0]}",
            "id": ids[0],
            "parent_id": parent,
            "depth": depth,
            "children": list(ids),
        }
        return {"kind": "more", "data": data}

    def _listing(self, things: list[_Thing], p: dict, *, inbox: bool = False) -> dict:
        limit = max(1, min(100, int(p.get("limit") or 25)))
        names = [t.name for t in things]
        start = 0
        if p.get("after") in names:
            start = names.index(p["after"]) + 1
        end = len(things)
        if p.get("before") in names:
            end = names.index(p["before"])
            start = max(start, end - limit)
        page = things[start : min(end, start + limit)]
        after = page[-1].name if page and start + limit < end else None
        children = [self._wrap(t, inbox=inbox) for t in page]
        return {"kind": "Listing", "data": self._listing_data(children, after=after, before=None)}

    @staticmethod
    def _listing_data(children: list[dict], *, after: str | None, before: str | None = None) -> dict:
        return {
            "after": after,
            "dist": len(children),
            "modhash": None,
            "geo_filter": "",
            "children": children,
            "before": before,
        }

    def _about(self, name: str) -> dict:
        u = self._users[name]
        if u["suspended"]:
            return {"kind": "t2", "data": {"name": name, "is_suspended": True}}
        link, comment = u["karma"]
        data = {
            "is_employee": False,
            "has_mail": False,
            "name": name,
            "created": u["created"],
            "hide_from_robots": False,
            "is_suspended": False,
            "created_utc": u["created"],
            "has_mod_mail": False,
            "link_karma": link,
            "in_beta": False,
            "comment_karma": comment,
            "total_karma": link + comment,
            "over_18": False,
            "is_gold": False,
            "is_mod": True,
            "id": u["id"],
            "gold_expiration": None,
            "inbox_count": 0,
            "has_verified_email": True,
            "gold_creddits": 0,
            "suspension_expiration_utc": None,
            "verified": True,
            "icon_img": "",
            "awardee_karma": 0,
            "awarder_karma": 0,
        }
        return {"kind": "t2", "data": data}

    @staticmethod
    def _flair_template(f: dict) -> dict:
        return {
            "type": "text",
            "text_editable": False,
            "allowable_content": "all",
            "text": f["text"],
            "max_emojis": 10,
            "text_color": "dark",
            "mod_only": False,
            "css_class": "",
            "richtext": [],
            "background_color": "",
            "id": f["id"],
        }

    def _wrap(self, t: _Thing, *, replies: list[dict] | None = None, depth: int = 0, inbox: bool = False) -> dict:
        author = "[deleted]" if t.deleted else t.author
        author_id = self._users.get(t.author, {}).get("id", "0")
        common = {
            "id": t.id,
            "name": t.name,
            "author": author,
            "author_fullname": f"t2_{author_id}",
            "score": t.score,
            "ups": t.score,
            "created": t.created_utc,
            "created_utc": t.created_utc,
            "subreddit": t.subreddit,
            "subreddit_id": f"t5_{self._sub(t.subreddit)['id']}",
            "subreddit_name_prefixed": f"r/{t.subreddit}",
        }
        if t.kind == "t3":
            kids = [n for n in self._children[t.name] if self._alive(n)]
            count = sum(len(self._subtree(n)) for n in kids)
            data = (
                _T3_DEFAULTS
                | common
                | {
                    "title": t.title,
                    "selftext": "[deleted]" if t.deleted else t.text,
                    "url": t.url or f"/r/{t.subreddit}/comments/{t.id}/",
                    "is_self": t.url is None,
                    "domain": f"self.{t.subreddit}" if t.url is None else urlsplit(t.url).netloc,
                    "permalink": f"/r/{t.subreddit}/comments/{t.id}/post/",
                    "num_comments": count,
                    "upvote_ratio": 1.0,
                    "over_18": t.nsfw,
                    "spoiler": t.spoiler,
                    "suggested_sort": t.suggested_sort,
                    "link_flair_text": t.flair["text"] if t.flair else None,
                    "link_flair_template_id": t.flair["id"] if t.flair else None,
                }
            )
            if t.poll is not None:
                total = sum(o["vote_count"] for o in t.poll["options"])
                data["poll_data"] = json.loads(json.dumps(t.poll)) | {"total_vote_count": total}
            return {"kind": "t3", "data": data}
        link = self._things[t.link]
        data = (
            _T1_DEFAULTS
            | common
            | {
                "body": "[deleted]" if t.deleted else t.text,
                "body_html": f'<div class="md"><p>{t.text}</p></div>',
                "parent_id": t.parent,
                "link_id": t.link,
                "depth": depth,
                "link_title": link.title,
                "permalink": f"/r/{t.subreddit}/comments/{link.id}/post/{t.id}/",
                "replies": {"kind": "Listing", "data": self._listing_data(replies, after=None)} if replies else "",
            }
        )
        if inbox:
            data |= {
                "context": f"/r/{t.subreddit}/comments/{link.id}/post/{t.id}/?context=3",
                "new": True,
                "type": "username_mention",
                "subject": "username mention",
                "was_comment": True,
                "dest": self.username,
            }
        return {"kind": "t1", "data": data}
