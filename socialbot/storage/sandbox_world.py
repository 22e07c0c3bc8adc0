"""The sandbox platform's world: its posts, kept in the same database so a restarted daemon can reconcile."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import bindparam, insert, update
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from socialbot.domain.ledger import normalize_text
from socialbot.domain.values import OwnPost
from socialbot.storage.db import session_scope
from socialbot.storage.models import SandboxPostRow, table_of

# read in plain SQL with the rest of what `status` reads (status_queries); re-exported here, by its aggregate
from socialbot.storage.status_queries import is_rehearsal as is_rehearsal


def text_key(text: str) -> str:
    """The key of a text as the sandbox judges duplicates (as X does: links dropped, spaces and case folded)."""
    return hashlib.sha256(normalize_text(text).encode()).hexdigest()[:32]


_POSTS = table_of(SandboxPostRow)
_ADD = insert(_POSTS)
_NAME = update(_POSTS).where(_POSTS.c.id == bindparam("row_id")).values(remote_id=bindparam("name"))
_POLL = select(_POSTS.c.poll).where(_POSTS.c.remote_id == bindparam("remote_id"))
_SAME_TEXT = (
    select(_POSTS.c.id)
    .where(
        _POSTS.c.account == bindparam("account"),
        _POSTS.c.text_key == bindparam("key"),
        _POSTS.c.created_at >= bindparam("since"),
        ~_POSTS.c.deleted,
    )
    .limit(1)
)


class SandboxWorldStore:
    """The sandbox platform's posts, kept in the same database so a restarted daemon can reconcile against them."""

    def __init__(self, engine: Engine, *, account: str) -> None:
        self.engine = engine
        self.account = account
        self._created: dict[str, datetime] = {}  # a post's creation time never changes: read once
        self._polls: dict[str, dict | None] = {}  # nor does its poll

    def add(
        self, *, text: str, reply_to: str | None, created_at: datetime, id_base: int, poll: dict | None = None
    ) -> str:
        """Store a post and return its remote id (``id_base`` + row id), allocated in the same transaction."""
        with self.engine.begin() as conn:
            added = conn.execute(
                _ADD,
                {
                    "account": self.account,
                    "remote_id": f"pending-{secrets.token_hex(8)}",
                    "text": text,
                    "reply_to": reply_to,
                    "created_at": created_at,
                    "deleted": False,
                    "text_key": text_key(text),
                    "poll": poll,
                },
            ).inserted_primary_key
            assert added is not None  # an INSERT of one row
            row_id = added[0]
            remote_id = str(id_base + row_id)
            conn.execute(_NAME, {"row_id": row_id, "name": remote_id})
        self._created[remote_id] = created_at
        self._polls[remote_id] = poll
        return remote_id

    def poll(self, remote_id: str) -> dict | None:
        """The poll a post carries (a native poll's options and duration, or a reply poll's ballot), or None."""
        if remote_id not in self._polls:
            with self.engine.connect() as conn:
                found = conn.execute(_POLL, {"remote_id": remote_id}).first()
            self._polls[remote_id] = found[0] if found else None
        return self._polls[remote_id]

    def exists(self, remote_id: str) -> bool:
        with session_scope(self.engine) as s:
            row = s.exec(select(SandboxPostRow).where(SandboxPostRow.remote_id == remote_id)).first()
            return row is not None and not row.deleted

    def delete(self, remote_id: str) -> bool:
        with session_scope(self.engine) as s:
            result = s.exec(
                update(SandboxPostRow)
                .where(col(SandboxPostRow.remote_id) == remote_id, ~col(SandboxPostRow.deleted))
                .values(deleted=True)
            )
            return result.rowcount == 1

    def has_text_since(self, text: str, since: datetime) -> bool:
        """Whether a post not deleted since ``since`` has this text, as duplicates are judged (one index lookup)."""
        params = {"account": self.account, "key": text_key(text), "since": since}
        with self.engine.connect() as conn:
            return conn.execute(_SAME_TEXT, params).first() is not None

    def posts_since(self, since: datetime) -> list[OwnPost]:
        with session_scope(self.engine) as s:
            rows = s.exec(
                select(SandboxPostRow)
                .where(
                    SandboxPostRow.account == self.account,
                    SandboxPostRow.created_at >= since,
                    ~col(SandboxPostRow.deleted),
                )
                .order_by(col(SandboxPostRow.created_at).desc())
            )
            return [
                OwnPost(remote_id=r.remote_id, text=r.text, created_at=r.created_at, reply_to=r.reply_to) for r in rows
            ]

    def created_at(self, remote_ids: list[str]) -> dict[str, datetime]:
        unknown = [r for r in remote_ids if r not in self._created]
        if unknown:
            with session_scope(self.engine) as s:
                rows = s.exec(
                    select(SandboxPostRow.remote_id, SandboxPostRow.created_at).where(
                        col(SandboxPostRow.remote_id).in_(unknown)
                    )
                )
                self._created.update(rows.all())
        return {r: self._created[r] for r in remote_ids if r in self._created}


def claim_role(engine: Engine, role: str) -> str:
    """Record what the database is for (``live`` or ``rehearsal``) if nothing is recorded yet; returns what is."""
    from sqlalchemy.exc import IntegrityError

    from socialbot.storage.models import DatabaseRoleRow

    with session_scope(engine) as s:
        row = s.get(DatabaseRoleRow, "role")
        if row is not None:
            return row.role
    try:
        with session_scope(engine) as s:
            s.add(DatabaseRoleRow(name="role", role=role))
    except IntegrityError:  # another process recorded it meanwhile
        pass
    with session_scope(engine) as s:
        recorded = s.get(DatabaseRoleRow, "role")
        return recorded.role if recorded is not None else role
