"""Profile snapshots record X's ``verified_type`` (blue, business, government, none) beside ``verified``,
and why an account is gone (``suspended`` or ``not_found``) when it is.

Existing snapshots keep NULL: X did not say, or it was not asked.

Revision ID: 0004_verified_type
Revises: 0003_general_ledger
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004_verified_type"
down_revision = "0003_general_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("author_snapshots") as batch:
        batch.add_column(sa.Column("verified_type", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch.add_column(sa.Column("gone_reason", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("author_snapshots") as batch:
        batch.drop_column("gone_reason")
        batch.drop_column("verified_type")
