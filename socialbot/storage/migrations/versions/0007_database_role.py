"""A database says what it is for: ``rehearsal`` once a sandbox run (simulate, run --sandbox) has used it.

A live daemon refuses a rehearsal database even when the rehearsal published nothing (its missed and
planned rows would still stand for the live posts), and a rehearsal refuses a database a live daemon
has used.

Revision ID: 0007_database_role
Revises: 0006_campaign_plan_digest
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007_database_role"
down_revision = "0006_campaign_plan_digest"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "database_role",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("database_role")
