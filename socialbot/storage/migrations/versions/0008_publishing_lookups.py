"""Lookups the publishing path makes for every post, made index walks instead of scans.

- The sandbox's posts carry a key of their text as duplicates are judged (links dropped, spaces and
  case folded): it refuses a post whose text it saw in the last 24 hours, as X does, and with the key
  indexed that is one lookup, where it used to read and compare every post of the day (at 5,000 posts
  a fortnight a third of a rehearsal's time). Rows from before are keyed here.
- The ledger gets an index by campaign, status and parked-until time, so the next wake-up time of a
  campaign (its earliest due or parked row) no longer reads every planned row.
- Interactions lose the index on the target alone: every query by target names the campaign first
  (ix_interaction_campaign_target_kind), and each index costs every stored interaction a write.

Revision ID: 0008_publishing_lookups
Revises: 0007_database_role
"""

import hashlib
import re

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008_publishing_lookups"
down_revision = "0007_database_role"
branch_labels = None
depends_on = None


def _key(text: str) -> str:  # as socialbot.storage.sandbox_world.text_key, frozen at this revision
    folded = " ".join(re.sub(r"https?://\S+", "", text or "").split()).casefold()
    return hashlib.sha256(folded.encode()).hexdigest()[:32]


def upgrade() -> None:
    with op.batch_alter_table("sandbox_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("text_key", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
    conn = op.get_bind()
    posts = sa.table("sandbox_posts", sa.column("id", sa.Integer), sa.column("text", sa.Text), sa.column("text_key"))
    rows = conn.execute(sa.select(posts.c.id, posts.c.text)).all()
    if rows:
        conn.execute(
            posts.update().where(posts.c.id == sa.bindparam("row_id")).values(text_key=sa.bindparam("key")),
            [{"row_id": row_id, "key": _key(text)} for row_id, text in rows],
        )
    op.create_index("ix_sandbox_posts_text_key", "sandbox_posts", ["account", "text_key", "created_at"])
    op.create_index("ix_ledger_campaign_status_parked", "ledger", ["campaign_id", "status", "not_before"])
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.drop_index("ix_interactions_target_id")


def downgrade() -> None:
    with op.batch_alter_table("interactions", schema=None) as batch_op:
        batch_op.create_index("ix_interactions_target_id", ["target_id"], unique=False)
    op.drop_index("ix_ledger_campaign_status_parked", table_name="ledger")
    op.drop_index("ix_sandbox_posts_text_key", table_name="sandbox_posts")
    with op.batch_alter_table("sandbox_posts", schema=None) as batch_op:
        batch_op.drop_column("text_key")
