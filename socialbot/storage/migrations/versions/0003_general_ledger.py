"""The general ledger: every row gets an origin and a kind; thread parent and reply target become columns.

Campaigns also record their daily X budgets, account profile and platforms, so `status` reads them
without parsing campaign files.

Existing rows all came from campaign files: origin ``schedule``; kind ``thread_part`` for parts after
the first, ``poll`` for a first part carrying a poll, ``post`` otherwise; the parent of part N is the
row with the same key ending in N-1 (what the app used to cut out of the key).

Revision ID: 0003_general_ledger
Revises: 0002_daemon
"""

import json

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003_general_ledger"
down_revision = "0002_daemon"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("x_max_posts_per_day", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("x_max_reads_per_day", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("account", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch.add_column(sa.Column("platforms", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True))
    with op.batch_alter_table("ledger") as batch:
        batch.add_column(
            sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default="schedule")
        )
        batch.add_column(
            sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default="post")
        )
        batch.add_column(sa.Column("parent_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))
        batch.add_column(sa.Column("reply_to", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
    ledger = sa.table(
        "ledger",
        sa.column("id", sa.Integer),
        sa.column("key", sa.String),
        sa.column("part", sa.Integer),
        sa.column("draft", sa.Text),
        sa.column("kind", sa.String),
        sa.column("parent_key", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(ledger.c.id, ledger.c.key, ledger.c.part, ledger.c.draft)).all()
    changes = []
    for row_id, key, part, draft in rows:
        if part > 0:
            changes.append(
                {"row_id": row_id, "kind": "thread_part", "parent_key": f"{key.rsplit('/', 1)[0]}/{part - 1}"}
            )
        elif (json.loads(draft or "{}") or {}).get("poll"):
            changes.append({"row_id": row_id, "kind": "poll", "parent_key": None})
    if changes:
        conn.execute(
            ledger.update()
            .where(ledger.c.id == sa.bindparam("row_id"))
            .values(kind=sa.bindparam("kind"), parent_key=sa.bindparam("parent_key")),
            changes,
        )
    with op.batch_alter_table("ledger") as batch:
        batch.alter_column("origin", server_default=None)
        batch.alter_column("kind", server_default=None)
        batch.create_index("ix_ledger_parent_key", ["parent_key"])


def downgrade() -> None:
    with op.batch_alter_table("ledger") as batch:
        batch.drop_index("ix_ledger_parent_key")
        batch.drop_column("reply_to")
        batch.drop_column("parent_key")
        batch.drop_column("kind")
        batch.drop_column("origin")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("platforms")
        batch.drop_column("account")
        batch.drop_column("x_max_reads_per_day")
        batch.drop_column("x_max_posts_per_day")
