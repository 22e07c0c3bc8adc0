"""Q&A sessions: each session as last synced (closed early or not, the platforms its last look is done on),
and the questions asked in it.

Revision ID: 0010_qa
Revises: 0009_polls
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010_qa"
down_revision = "0009_polls"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "qa_sessions",
        sa.Column("campaign_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("platforms", sa.JSON(), nullable=False),
        sa.Column("opens_at", sa.DateTime(), nullable=False),
        sa.Column("runs_seconds", sa.Integer(), nullable=False),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("finished", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "session_id"),
    )
    op.create_table(
        "qa_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("session_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("remote_id", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("author_id", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("asked_at", sa.DateTime(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("answered_by", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("answer_key", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("faq_confidence", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "remote_id", name="uq_qa_question_remote"),
    )
    op.create_index("ix_qa_questions_session", "qa_questions", ["campaign_id", "session_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_qa_questions_session", table_name="qa_questions")
    op.drop_table("qa_questions")
    op.drop_table("qa_sessions")
