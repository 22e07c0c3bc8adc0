"""Comment trees: ``/comments/<id>`` with a budget of inline comments, then "more" stubs, and ``/api/morechildren``."""

from __future__ import annotations

from typing import Any

from .listings import Listings


class Comments(Listings):
    """Comment trees, newest first, as praw walks them."""

    def _comments(self, parts: list[str], p: dict) -> tuple[int, Any]:
        link = self._things.get(f"t3_{parts[1]}")
        if link is None:
            return 404, {"message": "Not Found", "error": 404}
        budget = [min(self.more_threshold, int(p.get("limit") or 500))]
        if len(parts) >= 4 and parts[2] == "_":
            focus = self._things.get(f"t1_{parts[3]}")
            if focus is None:
                return 404, {"message": "Not Found", "error": 404}
            tree = [self._wrap(focus, replies=self._tree(focus.name, budget, depth=1))]
        else:
            tree = self._tree(link.name, budget, depth=0)
        comments = {"kind": "Listing", "data": self._listing_data(tree, after=None)}
        return 200, [self._listing([link], {}), comments]

    def _tree(self, parent: str, budget: list[int], *, depth: int) -> list[dict]:
        out, hidden = [], []
        for name in [n for n in reversed(self._children[parent]) if self._alive(n)]:  # sort=new
            if budget[0] > 0:
                budget[0] -= 1
                out.append(
                    self._wrap(self._things[name], replies=self._tree(name, budget, depth=depth + 1), depth=depth)
                )
            else:
                hidden.append(name)
        chunk: list[str] = []
        for name in hidden:  # whole sibling subtrees, pre-order, at most 100 ids per "more" object
            for fullname in self._subtree(name):
                chunk.append(fullname[3:])
                if len(chunk) == 100:
                    out.append(self._more(parent, chunk, depth))
                    chunk = []
        if chunk:
            out.append(self._more(parent, chunk, depth))
        return out

    def _morechildren(self, p: dict) -> dict:
        ids = [i for i in p.get("children", "").split(",") if f"t1_{i}" in self._things]
        things = [self._wrap(self._things[f"t1_{i}"]) for i in ids[:100]]
        if len(ids) > 100:
            things.append(self._more(self._things[f"t1_{ids[100]}"].parent, ids[100:], 0))
        return {"json": {"errors": [], "data": {"things": things}}}
