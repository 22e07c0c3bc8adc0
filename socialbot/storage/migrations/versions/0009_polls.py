"""Polls: each campaign poll as last synced, its counts over time, and the sandbox's native polls.

- ``polls``: one row per poll of a campaign file (kind, rendered question, options, how long it runs,
  platforms, opening time), so results can be read and labelled when the file is gone.
- ``poll_snapshots``: a poll's counts on one platform at one instant, taken while it is open and once,
  ``final``, after it closed; never overwritten.
- ``sandbox_posts.poll``: the options and duration of a native poll posted on the sandbox, so its
  simulated votes survive a restart.

Revision ID: 0009_polls
Revises: 0008_publishing_lookups
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009_polls"
down_revision = "0008_publishing_lookups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "polls",
        sa.Column("campaign_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("poll_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("runs_seconds", sa.Integer(), nullable=False),
        sa.Column("platforms", sa.JSON(), nullable=False),
        sa.Column("opens_at", sa.DateTime(), nullable=False),
        sa.Column("announces", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "poll_id"),
    )
    op.create_table(
        "poll_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("poll_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("taken_at", sa.DateTime(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("campaign_id", "poll_id", "platform", "taken_at", name="uq_poll_snapshot_time"),
    )
    with op.batch_alter_table("sandbox_posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("poll", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sandbox_posts", schema=None) as batch_op:
        batch_op.drop_column("poll")
    op.drop_table("poll_snapshots")
    op.drop_table("polls")
