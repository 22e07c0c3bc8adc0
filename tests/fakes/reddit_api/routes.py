"""The OAuth API route table: account, submit and poll posts, comments, delete, info, inbox, users, subreddits."""

from __future__ import annotations

from typing import Any

from .comments import Comments
from .things import _Thing


class Routes(Comments):
    """What each API endpoint does to the world."""

    # -- API -----------------------------------------------------------------------------------

    def _route(self, method: str, path: str, key: str, p: dict, user: str) -> tuple[int, Any]:
        parts = [x for x in path.split("/") if x]
        if key == "/api/v1/me":
            return 200, self._about(user)["data"]
        if key == "/api/v1/me/karma":
            link, comment = self._users[user]["karma"]
            return 200, {
                "kind": "KarmaList",
                "data": [{"sr": "socialbot_test", "comment_karma": comment, "link_karma": link}],
            }
        if key in ("/api/submit", "/api/submit_poll_post"):
            return 200, self._submit(p, user, poll=key.endswith("poll_post"))
        if key == "/api/comment":
            return 200, self._reply(p, user)
        if key == "/api/del":
            thing = self._things.get(p.get("id", ""))
            if thing is not None and thing.author == user:
                thing.deleted = True
            return 200, {}
        if key == "/api/set_suggested_sort":
            self._things[p["id"]].suggested_sort = p.get("sort") or None
            return 200, {"json": {"errors": []}}
        if key == "/api/info":
            names = [n for n in p.get("id", "").split(",") if n in self._things]
            return 200, self._listing([self._things[n] for n in names], {"limit": "100"})
        if key == "/api/morechildren":
            return 200, self._morechildren(p)
        if key == "/comments/{id}":
            return self._comments(parts, p)
        if key == "/message/mentions":
            inbox = [self._things[n] for n in reversed(self._mentions[user]) if not self._things[n].deleted]
            return 200, self._listing(inbox, p, inbox=True)
        if key == "/user/{name}/about":
            return (
                (200, self._about(parts[1]))
                if parts[1] in self._users
                else (404, {"message": "Not Found", "error": 404})
            )
        if key in ("/user/{name}/submitted", "/user/{name}/comments"):
            kind = "t3" if parts[2] == "submitted" else "t1"
            mine = [t for t in self._newest() if t.kind == kind and t.author == parts[1] and not t.deleted]
            return 200, self._listing(mine, p)
        if key == "/r/{sub}/api/link_flair_v2":
            return 200, [self._flair_template(f) for f in self._sub(parts[1])["flairs"]]
        if key in ("/r/{sub}/new", "/r/{sub}/search"):
            sub = parts[1].lower()
            found = [
                t for t in self._newest() if t.kind == "t3" and not t.deleted and sub in ("all", t.subreddit.lower())
            ]
            if key.endswith("search"):
                query = p.get("q", "").lower()
                found = [t for t in found if query in f"{t.title}\n{t.text}".lower()]
            listing = self._listing(found, p)
            if key.endswith("search"):
                listing["data"]["facets"] = {}
            return 200, listing
        return 404, {"message": "Not Found", "error": 404}

    def _submit(self, p: dict, user: str, *, poll: bool) -> dict:
        sub = self._sub(p.get("sr", ""))
        title = str(p.get("title", ""))
        errors = []
        if sub["banned"]:
            errors.append(["SUBREDDIT_NOTALLOWED", "you aren't allowed to post there.", "sr"])
        if not title:
            errors.append(["NO_TEXT", "we need something here", "title"])
        if len(title) > 300:
            errors.append(["TOO_LONG", "this is too long (max: 300)", "title"])
        flair = None
        if p.get("flair_id"):
            flair = next((f for f in sub["flairs"] if f["id"] == p["flair_id"]), None)
            if flair is None:
                errors.append(["BAD_FLAIR_TEMPLATE_ID", "That flair template ID is invalid.", "flair"])
        elif sub["flair_required"]:
            errors.append(["SUBMIT_VALIDATION_FLAIR_REQUIRED", "Your post must contain post flair.", "flair"])
        if errors:
            return {"json": {"errors": errors}}
        truthy = lambda v: v in (True, "True", "true", "1")  # noqa: E731 - form and JSON bodies differ
        thing = _Thing(
            "t3",
            self._new_id(),
            user,
            sub["name"],
            self.clock(),
            text=str(p.get("text", "")),
            title=title,
            url=p.get("url") if p.get("kind") == "link" else None,
            flair=flair,
            nsfw=truthy(p.get("nsfw")),
            spoiler=truthy(p.get("spoiler")),
        )
        if poll:
            end_ms = int((self.clock() + int(p.get("duration", 3)) * 86400) * 1000)
            options = [{"text": o, "vote_count": 0, "id": str(600000 + i)} for i, o in enumerate(p.get("options", []))]
            thing.poll = {
                "user_selection": None,
                "options": options,
                "voting_end_timestamp": end_ms,
                "total_vote_count": 0,
            }
        self._things[thing.name] = thing
        url = f"{self.base_url}/r/{sub['name']}/comments/{thing.id}/post/"
        if poll:  # recorded traffic: the poll endpoint calls the fullname "id" and sends no "name"
            return {"json": {"errors": [], "data": {"url": url, "id": thing.name}}}
        return {"json": {"errors": [], "data": {"url": url, "drafts_count": 0, "id": thing.id, "name": thing.name}}}

    def _reply(self, p: dict, user: str) -> dict:
        parent = self._things.get(p.get("thing_id", ""))
        if parent is None or parent.deleted:
            return {"json": {"errors": [["DELETED_COMMENT", "that comment has been deleted", "parent"]]}}
        fullname = self.comment(parent.name, user, str(p.get("text", "")))
        return {"json": {"errors": [], "data": {"things": [self._wrap(self._things[fullname])]}}}
