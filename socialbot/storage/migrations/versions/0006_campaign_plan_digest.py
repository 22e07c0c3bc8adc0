"""Campaigns record the digest of the plan their schedule rows were last made to match (``plan_digest``),
so a daemon restart does not re-plan campaigns whose plan did not change; and the ledger is indexed by
(campaign, status, due time), so one campaign's planned rows, and the count of every campaign's rows
by status, are read from an index instead of scanning all planned rows.

Existing campaigns keep NULL: they are planned once more at the next sync, which records it.

Revision ID: 0006_campaign_plan_digest
Revises: 0005_report_indexes
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_campaign_plan_digest"
down_revision = "0005_report_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("plan_digest", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_index("ix_ledger_campaign_status_due", "ledger", ["campaign_id", "status", "due_at"])


def downgrade() -> None:
    op.drop_index("ix_ledger_campaign_status_due", table_name="ledger")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("plan_digest")
