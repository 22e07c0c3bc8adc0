"""Indexes that let the report read only what it counts: interactions per publication and kind, and the
distinct people of a campaign, each answered from an index alone (no table scan at millions of rows).

The latest metrics of a publication are now found by (platform, remote_id): snapshots of sandbox
publications were recorded under the platform whose limits the sandbox imitates ("x"); they are
relabelled "sandbox", as their publications are.

Revision ID: 0005_report_indexes
Revises: 0004_verified_type
"""

from alembic import op

revision = "0005_report_indexes"
down_revision = "0004_verified_type"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_interaction_campaign_target_kind", "interactions", ["campaign_id", "target_id", "kind"])
    op.create_index("ix_interaction_campaign_author", "interactions", ["campaign_id", "platform", "author_id"])
    op.execute(
        "UPDATE metric_snapshots SET platform = 'sandbox' WHERE platform <> 'sandbox' AND remote_id IN "
        "(SELECT remote_id FROM publications WHERE platform = 'sandbox')"
    )


def downgrade() -> None:
    op.drop_index("ix_interaction_campaign_author", table_name="interactions")
    op.drop_index("ix_interaction_campaign_target_kind", table_name="interactions")
